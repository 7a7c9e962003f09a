package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

var (
	_ datasource.DataSource              = (*tokenDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*tokenDataSource)(nil)
)

func newTokenDataSource() datasource.DataSource { return &tokenDataSource{} }

type tokenDataSource struct {
	cloud.DataSource
}

func (d *tokenDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_token"
}

func (d *tokenDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A token for one of the configured clouds, with the headers its API expects. " +
			"It is the provider's own cached token, so reading it costs no extra login.\n\n" +
			"~> **The token is stored in the Terraform state** (marked sensitive, but stored in clear in " +
			"`terraform.tfstate`). Prefer the `cloudauth_token` **ephemeral resource** (Terraform 1.10+, " +
			"OpenTofu 1.11+), which hands the same token to providers and other ephemeral contexts without " +
			"ever writing it to state or plan files. Use this data source only where an ephemeral value " +
			"cannot go, such as a resource argument that is not write-only.",
		Attributes: map[string]schema.Attribute{
			"cloud": schema.StringAttribute{Required: true, MarkdownDescription: tokenCloudDesc,
				Validators: []validator.String{stringvalidator.OneOf(cloudNames()...)}},
			"token":      schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: tokenTokenDesc},
			"headers":    schema.MapAttribute{Computed: true, Sensitive: true, ElementType: types.StringType, MarkdownDescription: tokenHeadersDesc},
			"expires_at": schema.StringAttribute{Computed: true, MarkdownDescription: tokenExpiresDesc},
			"principal":  schema.StringAttribute{Computed: true, MarkdownDescription: tokenPrincipalDesc},
			"endpoint":   schema.StringAttribute{Computed: true, MarkdownDescription: tokenEndpointDesc},
		},
	}
}

func (d *tokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m tokenModel
	resp.Diagnostics.Append(readConfig(req.Config.Raw, m.fromConfig)...)
	if resp.Diagnostics.HasError() {
		return
	}
	target, diags := tokenTarget(d.ProviderData, m.Cloud.ValueString(), "data.cloudauth_token")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := target.Source.Credential(ctx)
	if err != nil {
		resp.Diagnostics.Append(target.Diagnose(err))
		return
	}
	resp.Diagnostics.Append(m.fill(ctx, c)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, result(req.Config.Raw, m.values()))...)
}
