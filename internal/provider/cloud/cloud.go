// Package cloud is what the provider's per-cloud packages share: the Cloud
// interface that the provider's registry lists, typed settings resolved
// from a block, the environment and files (Block, Attr, Value, Resolver),
// the state a cloud's Configure hands to its data sources, and the
// diagnostics helpers. It imports no cloud package and not the provider's
// core; the core imports the clouds.
//
// A cloud package describes its block once and resolves it in Configure:
//
//	var block = &cloud.Block[settings]{Name: "clc", Title: "CenturyLink Cloud", Attrs: []cloud.Attr[settings]{
//		cloud.String("username", func(s *settings) *cloud.Value[string] { return &s.Username }, "User name.").Env("CLC_USERNAME"),
//	}}
//
//	func (Cloud) Configure(ctx context.Context, req cloud.ConfigureRequest) *cloud.State {
//		s, r := block.Resolve(ctx, req)
//		if !r.Triggered(block.Triggers...) {
//			return r.NotConfigured()
//		}
//		c, err := clc.New(clc.Config{Username: s.Username.V, ...})
//		...
//		return r.Configured(c, &cloud.TokenTarget{Source: c, Diagnose: diagnoseToken})
//	}
//
// and its data sources take the client in Read:
//
//	c, diags := cloud.Use[*clc.Client](d.providerData, "clc", "cloudauth_clc_root_group")
package cloud

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
)

// Cloud is one cloud the provider logs in to: its block of the provider
// configuration, its Configure and its data sources. The provider's
// registry lists every Cloud; the core names none.
type Cloud interface {
	// Name is the block's name and the `cloud` value of cloudauth_token.
	Name() string
	// Title names the cloud for a person ("CenturyLink Cloud").
	Title() string
	// Block is the cloud's block of the provider configuration.
	Block() schema.Block
	// Configure resolves the cloud's settings and builds its client,
	// without a network call: the cloud logs in on first use.
	Configure(ctx context.Context, req ConfigureRequest) *State
	DataSources() []func() datasource.DataSource
	// TokenHeaders describes, for the documentation of cloudauth_token,
	// the headers the cloud's token goes in.
	TokenHeaders() string
}

// ConfigureRequest is what the provider's Configure hands each cloud.
type ConfigureRequest struct {
	// Block is the cloud's block: null when the configuration has none.
	Block types.Object
	// Getenv reads the provider's environment.
	Getenv func(string) string
	// UserAgent is sent on every request.
	UserAgent string
	// CommandLine is set for `cloudauth token`, which has no provider
	// configuration: messages name the environment variables that set a
	// value (Value.Hint), not the block's attributes.
	CommandLine bool
}

// TokenTarget is a cloud as cloudauth_token sees it: the client's token
// and how to explain a failure to get it.
type TokenTarget struct {
	// Title names the cloud for a person (set by State.Token).
	Title  string
	Source cred.Source
	// Diagnose says what went wrong and what to do, in the cloud's terms.
	Diagnose func(err error) diag.Diagnostic
}

// State is a cloud after Configure: its client, or why there is none.
type State struct {
	name, title, setup string
	configured         bool
	client             any
	token              *TokenTarget
	// now is reported by the provider's Configure; later by the first data
	// source or ephemeral resource that uses the cloud.
	now, later diag.Diagnostics
}

// NotConfigured is the state of a cloud the user did not ask for.
func (r *Resolver) NotConfigured() *State {
	return &State{name: r.name, title: r.title, setup: r.setup, now: r.now.Warnings()}
}

// Configured is the state of a cloud the user asked for: its client and
// token target, unless problems were recorded.
func (r *Resolver) Configured(client any, token *TokenTarget) *State {
	st := &State{name: r.name, title: r.title, setup: r.setup, configured: true, now: r.now, later: r.later}
	if !r.Failed() {
		st.client, st.token = client, token
	}
	return st
}

// IsConfigured reports whether the user asked for the cloud.
func (s *State) IsConfigured() bool { return s.configured }

// Diagnostics are what the provider's Configure reports for the cloud.
func (s *State) Diagnostics() diag.Diagnostics { return s.now }

// use returns the state's problems, or a diagnostic that says how to
// configure the cloud, for a data source or ephemeral resource named user.
func (s *State) use(user string) diag.Diagnostics {
	var diags diag.Diagnostics
	if !s.configured {
		diags.AddError(s.title+" is not configured",
			fmt.Sprintf("%s needs %s to be configured. %s", user, s.title, s.setup))
		return diags
	}
	if s.later.HasError() || s.now.HasError() {
		diags.Append(s.later.Errors()...)
		diags.Append(s.now.Errors()...)
		return diags
	}
	return nil
}

// Token returns the cloud's token target for cloudauth_token.
func (s *State) Token(user string) (*TokenTarget, diag.Diagnostics) {
	if diags := s.use(user); diags.HasError() {
		return nil, diags
	}
	t := *s.token
	t.Title = s.title
	return &t, nil
}

// Clouds is what the provider's Configure hands to data sources and
// ephemeral resources: every cloud's state.
type Clouds interface {
	State(name string) (*State, bool)
}

// Use returns the client of the cloud name for the data source or
// ephemeral resource named user, or a diagnostic that says what to do.
// providerData is what the framework passed to the data source's
// Configure; nil means the provider is not configured yet.
func Use[C any](providerData any, name, user string) (C, diag.Diagnostics) {
	var zero C
	var diags diag.Diagnostics
	clouds, ok := providerData.(Clouds)
	if !ok {
		diags.AddError("Provider not configured",
			fmt.Sprintf("%s was read before the provider was configured (provider data %T). This is a bug in the provider; please report it.", user, providerData))
		return zero, diags
	}
	st, ok := clouds.State(name)
	if !ok {
		diags.AddError("Unknown cloud "+name, "This is a bug in the provider; please report it.")
		return zero, diags
	}
	if diags := st.use(user); diags.HasError() {
		return zero, diags
	}
	c, ok := st.client.(C)
	if !ok {
		diags.AddError("Unexpected "+st.title+" client",
			fmt.Sprintf("Expected %T, got %T. This is a bug in the provider; please report it.", zero, st.client))
		return zero, diags
	}
	return c, nil
}

// DataSource is embedded in a data source to keep what the provider's
// Configure handed it, for Use in Read.
type DataSource struct {
	ProviderData any
}

// Configure implements datasource.DataSourceWithConfigure.
func (d *DataSource) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	d.ProviderData = req.ProviderData
}
