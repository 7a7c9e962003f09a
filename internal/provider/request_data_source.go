package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

var (
	_ datasource.DataSource                     = (*requestDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*requestDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*requestDataSource)(nil)
)

func newRequestDataSource() datasource.DataSource { return &requestDataSource{} }

type requestDataSource struct {
	cloud.DataSource
}

func (d *requestDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_request"
}

func (d *requestDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads any path of a configured cloud's API with the provider's login, and gives the " +
			"answer with the attribute names of `hashicorp/http`'s `http` data source.\n\n" + requestCommonDesc + "\n\n" +
			"The answer is stored in the state, with the cloud's tokens masked wherever it echoes them. For an " +
			"answer that is itself a secret, use the `cloudauth_request` **ephemeral resource**, which keeps nothing in state or plan.",
		Attributes: map[string]schema.Attribute{
			"cloud": schema.StringAttribute{Required: true, MarkdownDescription: requestCloudDesc,
				Validators: []validator.String{stringvalidator.OneOf(cloudNames()...)}},
			"path": str(requestPathDesc),
			"url":  str(requestURLDesc),
			"method": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: requestMethodDesc,
				Validators: []validator.String{stringvalidator.OneOf("GET", "HEAD")}},
			"request_headers": schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: requestHeadersDesc},
			"expected_status": schema.ListAttribute{Optional: true, ElementType: types.Int64Type, MarkdownDescription: requestExpectedDesc,
				Validators: []validator.List{listvalidator.ValueInt64sAre(int64validator.Between(100, 599))}},
			"service_type":         str(requestServiceTypeDesc),
			"interface":            str(requestInterfaceDesc),
			"region":               str(requestRegionDesc),
			"status_code":          schema.Int64Attribute{Computed: true, MarkdownDescription: requestStatusDesc},
			"response_headers":     schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: requestRespHeadersDesc},
			"response_body":        schema.StringAttribute{Computed: true, MarkdownDescription: requestBodyDesc},
			"response_body_base64": schema.StringAttribute{Computed: true, MarkdownDescription: requestBodyB64Desc},
		},
	}
}

func (d *requestDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("path"), path.MatchRoot("url"))}
}

func (d *requestDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m requestModel
	resp.Diagnostics.Append(readConfig(req.Config.Raw, m.fromConfig)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.read(ctx, d.ProviderData, "data.cloudauth_request", true)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, result(req.Config.Raw, m.values()))...)
}
