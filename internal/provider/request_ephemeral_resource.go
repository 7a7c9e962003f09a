package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ ephemeral.EphemeralResource                     = (*requestEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure        = (*requestEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*requestEphemeralResource)(nil)
)

func newRequestEphemeralResource() ephemeral.EphemeralResource { return &requestEphemeralResource{} }

type requestEphemeralResource struct {
	providerData any
}

func (r *requestEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_request"
}

func (r *requestEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads any path of a configured cloud's API with the provider's login, for an answer that " +
			"is a secret: **nothing of it is stored** in the Terraform state or plan (Terraform 1.10+, OpenTofu 1.11+). " +
			"The answer has the attribute names of `hashicorp/http`'s `http` data source, and is given as the API sent it.\n\n" +
			requestCommonDesc,
		Attributes: map[string]schema.Attribute{
			"cloud": schema.StringAttribute{Required: true, MarkdownDescription: requestCloudDesc,
				Validators: []validator.String{stringvalidator.OneOf(cloudNames()...)}},
			"path": str(requestPathDesc),
			"url":  str(requestURLDesc),
			"method": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: requestMethodDesc,
				Validators: []validator.String{stringvalidator.OneOf("GET", "HEAD")}},
			"request_headers": schema.MapAttribute{Optional: true, Sensitive: true, ElementType: types.StringType, MarkdownDescription: requestHeadersDesc},
			"expected_status": schema.ListAttribute{Optional: true, ElementType: types.Int64Type, MarkdownDescription: requestExpectedDesc,
				Validators: []validator.List{listvalidator.ValueInt64sAre(int64validator.Between(100, 599))}},
			"service_type":         str(requestServiceTypeDesc),
			"interface":            str(requestInterfaceDesc),
			"region":               str(requestRegionDesc),
			"status_code":          schema.Int64Attribute{Computed: true, MarkdownDescription: requestStatusDesc},
			"response_headers":     schema.MapAttribute{Computed: true, Sensitive: true, ElementType: types.StringType, MarkdownDescription: requestRespHeadersDesc},
			"response_body":        schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: requestBodyDesc},
			"response_body_base64": schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: requestBodyB64Desc},
		},
	}
}

func (r *requestEphemeralResource) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{ephemeralvalidator.ExactlyOneOf(path.MatchRoot("path"), path.MatchRoot("url"))}
}

func (r *requestEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, _ *ephemeral.ConfigureResponse) {
	r.providerData = req.ProviderData
}

func (r *requestEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m requestModel
	resp.Diagnostics.Append(readConfig(req.Config.Raw, m.fromConfig)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.read(ctx, r.providerData, "ephemeral.cloudauth_request", false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, result(req.Config.Raw, m.values()))...)
}
