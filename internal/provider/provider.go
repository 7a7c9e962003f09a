// Package provider is the Terraform side of cloudauth: the provider schema
// and Configure, the data sources and the ephemeral resources. It builds
// URLs and parses JSON nowhere; the typed clients in internal/clients do.
package provider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ provider.Provider                       = (*cloudauthProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*cloudauthProvider)(nil)
)

type cloudauthProvider struct {
	version string
	// getenv reads the environment; tests give each provider its own.
	getenv func(string) string
}

// Option changes how New builds the provider.
type Option func(*cloudauthProvider)

// WithEnv makes the provider read settings from env instead of the process
// environment (for tests that run in parallel).
func WithEnv(env map[string]string) Option {
	return func(p *cloudauthProvider) {
		p.getenv = func(k string) string { return env[k] }
	}
}

// New returns the provider factory for the plugin server.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &cloudauthProvider{version: version, getenv: os.Getenv}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

func (p *cloudauthProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cloudauth"
	resp.Version = p.version
}

// blocks are the cloud blocks in schema order.
var blocks = []*blockSpec{keystoneSpec, cleuraSpec, abiquoSpec, clcSpec}

func (p *cloudauthProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for _, b := range blocks {
		attrs[b.name] = b.schema()
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Logs in to cloud REST APIs (OpenStack Keystone v3, Cleura Cloud, Abiquo and " +
			"CenturyLink Cloud) and exposes what they return as data: tokens with ready-made headers, " +
			"service catalogs, domains and regions, datacenters and hardware groups. Each block is optional; " +
			"a cloud logs in only when a data source or ephemeral resource first needs it.",
		Attributes: attrs,
	}
}

type providerModel struct {
	Keystone types.Object `tfsdk:"keystone"`
	Cleura   types.Object `tfsdk:"cleura"`
	Abiquo   types.Object `tfsdk:"abiquo"`
	CLC      types.Object `tfsdk:"clc"`
}

// Configure resolves every block (config over environment over defaults)
// and builds the clients. It makes no network call: each cloud logs in on
// first use.
func (p *cloudauthProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	objs := map[string]types.Object{"keystone": m.Keystone, "cleura": m.Cleura, "abiquo": m.Abiquo, "clc": m.CLC}
	vals := map[string]*blockValues{}
	for _, b := range blocks {
		v, diags := resolveBlock(b, objs[b.name], p.getenv)
		resp.Diagnostics.Append(diags...)
		vals[b.name] = v
	}
	if resp.Diagnostics.HasError() {
		return
	}
	data := &providerData{
		keystone: configureKeystone(ctx, p, vals["keystone"]),
		cleura:   configureCleura(ctx, p, vals["cleura"]),
		abiquo:   configureAbiquo(ctx, p, vals["abiquo"]),
		clc:      configureCLC(ctx, p, vals["clc"]),
	}
	// Problems of a block in the configuration stop the run now; those of
	// a cloud configured by environment alone wait for its first use.
	for _, b := range blocks {
		v := vals[b.name]
		if v.present {
			resp.Diagnostics.Append(v.diags...)
			continue
		}
		resp.Diagnostics.Append(v.diags.Warnings()...)
	}
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
}

func (p *cloudauthProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newCLCRootGroupDataSource,
		newKeystoneCatalogDataSource,
		newCleuraDomainsDataSource,
		newAbiquoDatacentersDataSource,
		newTokenDataSource,
	}
}

func (p *cloudauthProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		newTokenEphemeralResource,
	}
}

func (p *cloudauthProvider) Resources(context.Context) []func() resource.Resource { return nil }

// providerData is what Configure hands to data sources and ephemeral
// resources: one state per cloud.
type providerData struct {
	keystone *cloudState[keystoneClient]
	cleura   *cloudState[cleuraClient]
	abiquo   *cloudState[abiquoClient]
	clc      *cloudState[clcClient]
	// open are the tokens ephemeral resources handed out in this process.
	open openTokens
}

// cloudState is one cloud's client, or why there is none.
type cloudState[C any] struct {
	spec       *blockSpec
	configured bool
	client     C
	// problems are configuration errors reported when the cloud is used.
	problems diag.Diagnostics
}

// use returns the client for a data source or ephemeral resource named
// user, or a diagnostic that says how to configure the cloud.
func (s *cloudState[C]) use(user string) (C, diag.Diagnostics) {
	var zero C
	var diags diag.Diagnostics
	if !s.configured {
		spec := s.spec
		diags.AddError(spec.title+" is not configured",
			user+" needs the provider's "+spec.name+" block. "+spec.setup)
		return zero, diags
	}
	if s.problems.HasError() {
		return zero, s.problems
	}
	return s.client, nil
}

// newCloudState records a block's outcome: its client, or its problems.
func newCloudState[C any](v *blockValues, configured bool, client C) *cloudState[C] {
	return &cloudState[C]{spec: v.spec, configured: configured, client: client, problems: v.diags}
}
