package provider

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// NewProtocol6 is the provider as a protocol 6 server, for tf6server.Serve
// (main.go) and for tests.
//
// The framework's server keeps a cancel function for every call's context
// until Terraform stops the provider, and with it the whole context: the
// call's loggers and their fields, about 20 KB a call. A plan of N data
// sources makes 2N calls (validate, read), so the provider's memory grew
// with N and never came back. Each call here gets a context that lets go of
// the call's context when the call returns; what the framework keeps is
// then a few words a call.
func NewProtocol6(version string, opts ...Option) func() tfprotov6.ProviderServer {
	framework := providerserver.NewProtocol6(New(version, opts...)())
	return func() tfprotov6.ProviderServer { return server{framework()} }
}

// NewProtocol6WithError is NewProtocol6 in the form terraform-plugin-testing
// takes.
func NewProtocol6WithError(version string, opts ...Option) func() (tfprotov6.ProviderServer, error) {
	f := NewProtocol6(version, opts...)
	return func() (tfprotov6.ProviderServer, error) { return f(), nil }
}

// server passes the calls made once per data source or ephemeral
// resource, and per plan, through released contexts, and shows their
// diagnostics as httpx.Printable makes them. The others (schema, metadata,
// functions, resources: none of them per data source) go to the framework
// as they are.
type server struct {
	tfprotov6.ProviderServer
}

// call runs f with a context that drops ctx when f returns.
func call[Req, Resp any](ctx context.Context, f func(context.Context, Req) (Resp, error), req Req) (Resp, error) {
	r := newReleased(ctx)
	defer r.release()
	return f(r, req)
}

func (s server) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	resp, err := call(ctx, s.ProviderServer.ValidateProviderConfig, req)
	if resp != nil {
		printable(resp.Diagnostics)
	}
	return resp, err
}

func (s server) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	resp, err := call(ctx, s.ProviderServer.ConfigureProvider, req)
	if resp != nil {
		printable(resp.Diagnostics)
	}
	return resp, err
}

func (s server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	resp, err := call(ctx, s.ProviderServer.ValidateDataResourceConfig, req)
	if resp != nil {
		printable(resp.Diagnostics)
	}
	return resp, err
}

func (s server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := call(ctx, s.ProviderServer.ReadDataSource, req)
	if resp != nil {
		printable(resp.Diagnostics)
	}
	return resp, err
}

func (s server) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	resp, err := call(ctx, s.ProviderServer.ValidateEphemeralResourceConfig, req)
	if resp != nil {
		printable(resp.Diagnostics)
	}
	return resp, err
}

func (s server) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	resp, err := call(ctx, s.ProviderServer.OpenEphemeralResource, req)
	if resp != nil {
		printable(resp.Diagnostics)
	}
	return resp, err
}

func (s server) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	resp, err := call(ctx, s.ProviderServer.RenewEphemeralResource, req)
	if resp != nil {
		printable(resp.Diagnostics)
	}
	return resp, err
}

func (s server) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	resp, err := call(ctx, s.ProviderServer.CloseEphemeralResource, req)
	if resp != nil {
		printable(resp.Diagnostics)
	}
	return resp, err
}

// printable removes from diagnostics what a terminal would act on. Server
// text is made printable where it enters a message (httpx.Printable); this
// is the last line, for a message that quotes a server's value some other
// way, since Terraform shows diagnostics as they are.
func printable(diags []*tfprotov6.Diagnostic) {
	for _, d := range diags {
		if d != nil {
			d.Summary, d.Detail = httpx.Printable(d.Summary), httpx.Printable(d.Detail)
		}
	}
}

// released is a call's context until release, then a cancelled context
// with no values: by then the call has returned and gRPC has cancelled
// its context anyway.
type released struct {
	ctx atomic.Pointer[context.Context]
}

func newReleased(ctx context.Context) *released {
	r := &released{}
	r.ctx.Store(&ctx)
	return r
}

var cancelled = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func (r *released) inner() context.Context {
	if c := r.ctx.Load(); c != nil {
		return *c
	}
	return cancelled
}

func (r *released) release() { r.ctx.Store(nil) }

func (r *released) Deadline() (time.Time, bool) { return r.inner().Deadline() }
func (r *released) Done() <-chan struct{}       { return r.inner().Done() }
func (r *released) Err() error                  { return r.inner().Err() }
func (r *released) Value(key any) any           { return r.inner().Value(key) }

// logLevelVars are the variables that set the levels of the plugin SDK's
// root logger and of the provider's own logger. The SDK's subsystems (the
// protocol's TF_LOG_SDK_PROTO, the framework's TF_LOG_SDK_FRAMEWORK) take
// the root's level unless their own variable is set, so they are left
// alone: a user's TF_LOG_SDK=OFF quiets them too.
var logLevelVars = []string{"TF_LOG_SDK", "TF_LOG_PROVIDER_CLOUDAUTH"}

// LogLevels returns the log level variables to set before serving, so that
// the provider logs no more than Terraform shows. Each of those loggers
// logs at TRACE unless its variable says otherwise, and Terraform, which
// passes its own environment to the provider, drops what is below its
// level (TF_LOG_PROVIDER, else TF_LOG; nothing without them). Encoding
// those lines as JSON, writing them and parsing them again in Terraform
// was most of the CPU a plan of many data sources cost. A variable already
// set is left as it is.
func LogLevels(getenv func(string) string) map[string]string {
	level := getenv("TF_LOG_PROVIDER")
	if level == "" {
		level = getenv("TF_LOG")
	}
	switch strings.ToUpper(level) {
	case "", "OFF":
		level = "OFF"
	case "TRACE", "DEBUG", "INFO", "WARN", "ERROR":
		level = strings.ToUpper(level)
	default:
		// JSON, or a level Terraform does not know: it shows everything.
		level = "TRACE"
	}
	out := map[string]string{}
	for _, v := range logLevelVars {
		if getenv(v) == "" {
			out[v] = level
		}
	}
	return out
}
