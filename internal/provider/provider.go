// Package provider is the core of the Terraform side: the provider schema
// assembled from the registry of clouds, the Configure loop, and the
// cloudauth_token data source and ephemeral resource, which work for every
// cloud. Everything about one cloud lives in its own package
// (internal/provider/<cloud>); what they share is internal/provider/cloud.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
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

func (p *cloudauthProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	blocks := make(map[string]schema.Block, len(registry))
	titles := make([]string, 0, len(registry))
	for _, c := range registry {
		blocks[c.Name()] = c.Block()
		titles = append(titles, c.Title())
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Logs in to cloud REST APIs (" + strings.Join(titles, ", ") + ") and exposes what they return as data: " +
			"tokens with ready-made headers, service catalogs, domains and regions, datacenters and hardware groups. Each block is " +
			"optional; a cloud logs in only when a data source or ephemeral resource first needs it.",
		Blocks: blocks,
	}
}

// Configure resolves every cloud's block (configuration over environment
// over files and defaults) and builds the clients. It makes no network
// call: each cloud logs in on first use.
func (p *cloudauthProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	data := &providerData{states: make(map[string]*cloud.State, len(registry))}
	// One conversion of the whole configuration, rather than a lookup by
	// path per block.
	v, err := req.Config.Schema.Type().ValueFromTerraform(ctx, req.Config.Raw)
	config, ok := v.(types.Object)
	if err != nil || !ok {
		resp.Diagnostics.AddError("Cannot read the provider configuration",
			fmt.Sprintf("%v (%T). This is a bug in the provider; please report it with the Terraform version.", err, v))
		return
	}
	blocks := config.Attributes()
	for _, c := range registry {
		block, _ := blocks[c.Name()].(types.Object)
		st := c.Configure(ctx, cloud.ConfigureRequest{
			Block:     block,
			Getenv:    p.getenv,
			UserAgent: "terraform-provider-cloudauth/" + p.version,
		})
		resp.Diagnostics.Append(st.Diagnostics()...)
		data.states[c.Name()] = st
	}
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
}

func (p *cloudauthProvider) DataSources(context.Context) []func() datasource.DataSource {
	out := []func() datasource.DataSource{newTokenDataSource, newRequestDataSource}
	for _, c := range registry {
		out = append(out, c.DataSources()...)
	}
	return out
}

func (p *cloudauthProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newTokenEphemeralResource, newRequestEphemeralResource}
}

func (p *cloudauthProvider) Resources(context.Context) []func() resource.Resource { return nil }

// providerData is what Configure hands to data sources and ephemeral
// resources: every cloud's state, and the tokens ephemeral resources
// handed out in this process.
type providerData struct {
	states map[string]*cloud.State
	open   openTokens
}

var _ cloud.Clouds = (*providerData)(nil)

// State implements cloud.Clouds.
func (d *providerData) State(name string) (*cloud.State, bool) {
	st, ok := d.states[name]
	return st, ok
}
