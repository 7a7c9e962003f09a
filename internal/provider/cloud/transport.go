package cloud

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// Defaults of the transport settings every block has.
const (
	DefaultTimeout    = "30s"
	DefaultMaxRetries = 4
)

// Transport holds the settings every block has for its HTTP stack.
type Transport struct {
	Insecure   Value[bool]
	CACert     Value[string]
	ClientCert Value[string]
	ClientKey  Value[string]
	Timeout    Value[string]
	MaxRetries Value[int64]
	// url is the URL setting CheckURL checked, for hints.
	url Setting
}

// TransportEnv names a cloud's environment variables for the transport
// settings, where it has any.
type TransportEnv struct {
	Insecure, CACert, ClientCert, ClientKey []string
}

// TransportAttrs are the transport settings of a block whose typed settings
// hold them in field.
func TransportAttrs[S any](field func(*S) *Transport, env TransportEnv) []Attr[S] {
	return []Attr[S]{
		Bool("insecure", func(s *S) *Value[bool] { return &field(s).Insecure },
			"Skip TLS certificate verification. For test systems only; the provider warns when it is on.").Env(env.Insecure...),
		String("ca_cert", func(s *S) *Value[string] { return &field(s).CACert },
			"PEM bundle, or the path of a file holding one, of a CA to trust in addition to the system roots (for a private CA or a self-signed certificate).").Env(env.CACert...),
		String("client_cert", func(s *S) *Value[string] { return &field(s).ClientCert },
			"Client certificate (PEM, or the path of a file holding it) for an API that asks for one in the TLS handshake; needs `client_key`.").Env(env.ClientCert...),
		String("client_key", func(s *S) *Value[string] { return &field(s).ClientKey },
			"Private key (PEM, or the path of a file holding it) of `client_cert`.").Env(env.ClientKey...).Sensitive(),
		String("timeout", func(s *S) *Value[string] { return &field(s).Timeout },
			"Longest time one HTTP attempt may take, as a Go duration (`30s`, `2m`). An attempt that runs out of time is not retried, "+
				"and one request, its retries and the waits between them included, takes at most `timeout` times (`max_retries` + 1). "+
				"A read of several requests (a login and the read after it, every page of a list) takes at most twice that in all.").
			Default(DefaultTimeout).Validate(durationValidator{}),
		Int("max_retries", func(s *S) *Value[int64] { return &field(s).MaxRetries },
			fmt.Sprintf("How many times a request is retried after 429, 502, 503 and 504 answers and connection failures, with exponential back-off "+
				"(0.5 s doubling up to 8 s) or the wait the API asks for in `Retry-After`. A `Retry-After` over %s, or a wait that would pass the "+
				"request's time budget (see `timeout`), is not waited for: the API's answer is reported at once. Logins are retried only where they "+
				"cannot have taken effect. Default `%d`; `0` disables retries.", httpx.DefaultMaxRetryAfter, DefaultMaxRetries)).
			ValidateInt(int64validator.Between(0, 10)),
	}
}

// HTTP builds the shared stack's settings from the transport settings,
// recording problems on r and warning when TLS verification is off.
func (t *Transport) HTTP(r *Resolver, req ConfigureRequest, baseURL string) httpx.Config {
	cfg := httpx.Config{
		Name:       r.name,
		BaseURL:    baseURL,
		Insecure:   t.Insecure.V,
		PlainHTTP:  t.plainHTTP(),
		CACert:     t.CACert.V,
		ClientCert: t.ClientCert.V,
		ClientKey:  t.ClientKey.V,
		MaxRetries: DefaultMaxRetries,
		UserAgent:  req.UserAgent,
		Logger:     tfLogger{},
	}
	if d, err := time.ParseDuration(t.Timeout.V); err != nil || d <= 0 {
		r.FailOn(t.Timeout, "Invalid "+t.Timeout.Name(),
			fmt.Sprintf("%s is %q, which is not a positive duration; use a value like \"30s\" or \"2m\".", t.Timeout.From(), t.Timeout.V))
	} else {
		cfg.Timeout = d
	}
	if t.MaxRetries.IsSet() {
		cfg.MaxRetries = int(t.MaxRetries.V)
	}
	if r.cli {
		// The command line sets these by environment variables only.
		cfg.Setting = func(attr string) string {
			var v Setting
			switch attr {
			case "url":
				v = t.url
			case "insecure":
				if len(t.Insecure.env) == 0 {
					return ""
				}
				return t.Insecure.env[0] + "=true"
			case "ca_cert":
				v = t.CACert
			case "client_cert":
				v = t.ClientCert
			case "client_key":
				v = t.ClientKey
			case "timeout":
				v = t.Timeout
			}
			if v == nil || len(v.vars()) == 0 {
				return ""
			}
			return v.Hint()
		}
	}
	if cfg.Insecure {
		detail := fmt.Sprintf("With %s = true (from %s) the provider does not check the server's certificate, so anyone on the network path can read the credentials it sends. "+
			"Use %s.ca_cert to trust a private CA instead.", t.Insecure.Name(), t.Insecure.From(), r.name)
		if r.cli {
			// The command line has no attributes: name what set it.
			detail = fmt.Sprintf("%s turns off the check of the server's certificate, so anyone on the network path can read the credentials sent. "+
				"Use %s to trust a private CA instead.", t.Insecure.From(), t.CACert.Hint())
		}
		r.WarnOn(t.Insecure, "TLS verification is off for "+r.title, detail)
	}
	return cfg
}

// plainHTTP reports whether plain http:// to another machine is allowed:
// by insecure set in the block or the environment. An insecure that came
// from a file (clouds.yaml's verify: false) is a TLS switch and no more.
func (t *Transport) plainHTTP() bool {
	return t.Insecure.V && t.Insecure.Origin != FromFile
}

// tfLogger sends the HTTP stack's lines to Terraform's log (TF_LOG). The
// stack masks secrets before they get here.
type tfLogger struct{}

func (tfLogger) Log(ctx context.Context, level httpx.Level, msg string, fields map[string]any) {
	if level == httpx.LevelTrace {
		tflog.Trace(ctx, msg, fields)
		return
	}
	tflog.Debug(ctx, msg, fields)
}

type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a positive Go duration such as 30s or 2m"
}
func (d durationValidator) MarkdownDescription(ctx context.Context) string { return d.Description(ctx) }

var durationRe = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`)

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || !durationRe.MatchString(s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("%q is not a positive duration; write it like \"30s\", \"90s\" or \"2m\".", s))
	}
}

// URLValidator checks, at validate time, that a URL setting is an http(s)
// URL with a host and without a user name or password in it. Its errors
// never repeat a password.
func URLValidator() validator.String { return urlValidator{} }

type urlValidator struct{}

func (urlValidator) Description(context.Context) string {
	return "an http(s) URL without a user name or password"
}
func (v urlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (urlValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() == "" {
		return
	}
	u, err := httpx.ParseBaseURL(req.ConfigValue.ValueString())
	if err == nil {
		// Plain http:// to another machine needs the block's insecure;
		// when that is not known yet, Configure checks.
		var insecure types.Bool
		if d := req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName("insecure"), &insecure); d.HasError() || insecure.IsUnknown() {
			return
		}
		err = httpx.CheckCleartext(u, insecure.ValueBool(), httpx.EnvProxy())
	}
	switch {
	case httpx.IsURLSecret(err):
		// Terraform prints the source line under an attribute's error,
		// and with it the password: this one points at no attribute.
		resp.Diagnostics.AddError("Invalid "+req.Path.String(), fmt.Sprintf("The setting `%s`: %s.", req.Path, err))
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), err.Error()+".")
	}
}

// CheckURL checks a URL setting that may have come from the environment, where
// no validator saw it: an http(s) URL with a host, no user name or
// password in it, and not plain http:// to another machine unless
// insecure is set. It returns the URL without a trailing slash, or "" with
// the problem recorded.
func (t *Transport) CheckURL(r *Resolver, v Value[string]) string {
	t.url = v
	if v.V == "" {
		return ""
	}
	u, err := httpx.ParseBaseURL(v.V)
	if err == nil {
		err = httpx.CheckCleartext(u, t.plainHTTP(), httpx.EnvProxy())
	}
	if err != nil {
		var ce *httpx.CleartextError
		if errors.As(err, &ce) {
			ce.Allow = t.Insecure.Hint() + " to true"
			if t.Insecure.V {
				// clouds.yaml's verify: false, which is about TLS only.
				ce.Note = "the verify: false of " + t.Insecure.From() + " turns off TLS verification of an https:// URL, and does not allow plain http://"
			}
		}
		where := "`" + v.Name() + "`"
		switch {
		case r.cli && v.Origin != FromConfig:
			where = v.From()
		case v.Origin != FromConfig:
			where += " (from " + v.From() + ")"
		}
		if httpx.IsURLSecret(err) {
			r.FailOnSecret("Invalid "+v.Name(), fmt.Sprintf("%s: %s.", where, err))
			return ""
		}
		r.FailOn(v, "Invalid "+v.Name(), fmt.Sprintf("%s: %s.", where, err))
		return ""
	}
	return u.String()
}
