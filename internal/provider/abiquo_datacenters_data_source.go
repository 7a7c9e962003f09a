package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
)

var (
	_ datasource.DataSource              = (*abiquoDatacentersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*abiquoDatacentersDataSource)(nil)
)

func newAbiquoDatacentersDataSource() datasource.DataSource { return &abiquoDatacentersDataSource{} }

type abiquoDatacentersDataSource struct {
	data *providerData
}

type abiquoDatacentersModel struct {
	Name        types.String `tfsdk:"name"`
	Datacenters types.List   `tfsdk:"datacenters"`
	Total       types.Int64  `tfsdk:"total"`
}

// abiquoDatacenterType is one element of datacenters. The list is built
// from attribute values rather than from a tagged struct: the framework's
// struct reflection costs about half the time of a 5,000-datacenter read.
var abiquoDatacenterType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id":       types.Int64Type,
	"name":     types.StringType,
	"location": types.StringType,
	"uuid":     types.StringType,
}}

func (d *abiquoDatacentersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_abiquo_datacenters"
}

func (d *abiquoDatacentersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The datacenters of an Abiquo installation (`GET /api/admin/datacenters`), every page of " +
			"them. The list is read once per Terraform run, however many of these data sources there are; the " +
			"`name` filter is applied to it here. Listing datacenters needs a user whose role may see the " +
			"infrastructure, such as a cloud administrator.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Return only the datacenter with this name (exact, case-sensitive). Without it, every datacenter the user may see."},
			"datacenters": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The datacenters, in the API's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Numeric datacenter ID."},
					"name":     schema.StringAttribute{Computed: true, MarkdownDescription: "Datacenter name."},
					"location": schema.StringAttribute{Computed: true, MarkdownDescription: "Location text the administrator gave."},
					"uuid": schema.StringAttribute{Computed: true,
						MarkdownDescription: "Datacenter UUID; null where the API gives none (older versions do not)."},
				}},
			},
			"total": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "Number of datacenters in `datacenters`."},
		},
	}
}

func (d *abiquoDatacentersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *abiquoDatacentersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m abiquoDatacentersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := d.data.abiquo.use("cloudauth_abiquo_datacenters")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := c.Datacenters(ctx)
	if err != nil {
		resp.Diagnostics.Append(abiquoDiagnostic(c, "Cannot read Abiquo datacenters", err))
		return
	}
	m = datacentersModel(m.Name, list)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// datacentersModel builds the data source's values from the API's list.
func datacentersModel(name types.String, list []abiquo.Datacenter) abiquoDatacentersModel {
	elems := make([]attr.Value, 0, len(list))
	for _, dc := range list {
		if !name.IsNull() && dc.Name != name.ValueString() {
			continue
		}
		elems = append(elems, types.ObjectValueMust(abiquoDatacenterType.AttrTypes, map[string]attr.Value{
			"id":       types.Int64Value(dc.ID),
			"name":     types.StringValue(dc.Name),
			"location": types.StringValue(dc.Location),
			"uuid":     optString(dc.UUID),
		}))
	}
	return abiquoDatacentersModel{
		Name:        name,
		Datacenters: types.ListValueMust(abiquoDatacenterType, elems),
		Total:       types.Int64Value(int64(len(elems))),
	}
}

// abiquoDiagnostic turns a client error into a diagnostic that names the
// cause and the fix; fallback is the title for anything else.
func abiquoDiagnostic(c abiquoClient, fallback string, err error) diag.Diagnostic {
	v := &blockValues{spec: abiquoSpec}
	login := fmt.Sprintf("`cloudauth login abiquo --endpoint %s", c.Endpoint())
	if u := c.Username(); u != "" {
		login += " --username " + u
	}
	login += "`"
	var (
		le     *abiquo.LoginError
		spent  *abiquo.CodeSpentError
		te     *abiquo.TokenError
		denied *abiquo.AccessError
	)
	switch {
	case errors.As(err, &le) && le.Kind == abiquo.CodeRequired:
		return diag.NewErrorDiagnostic("Abiquo one-time code required", fmt.Sprintf(
			"%s.\n\nSet %s to the base32 secret or otpauth:// URL you got when two-factor authentication was enabled, "+
				"so that the provider makes a fresh code for every login. Or run %s, which asks for the code from your "+
				"authenticator app (or a scratch code) and stores a token that the provider uses when no password is set.",
			err, v.hint("otp_secret"), login))
	case errors.As(err, &le) && le.Kind == abiquo.CodeRefused && le.Code == abiquo.CodeFromSecret:
		return diag.NewErrorDiagnostic("Abiquo one-time code refused", fmt.Sprintf(
			"%s.\n\nCheck that %s is this user's secret from the latest time two-factor authentication was enabled "+
				"(enabling it again makes a new one), and that this computer's clock is set correctly (NTP).",
			err, v.hint("otp_secret")))
	case errors.As(err, &le) && le.Kind == abiquo.CodeRefused:
		return diag.NewErrorDiagnostic("Abiquo one-time code refused", fmt.Sprintf(
			"%s.\n\nPut a current code from your authenticator app, or an unused scratch code, in %s. A fixed code "+
				"serves a single Terraform command; for plan and apply set %s, or run %s.",
			err, v.hint("otp"), v.hint("otp_secret"), login))
	case errors.As(err, &le):
		return diag.NewErrorDiagnostic("Abiquo login failed", fmt.Sprintf(
			"%s.\n\nCheck %s and %s. A refused login is not repeated in the same run, so retries cannot lock the account.",
			err, v.hint("username"), v.hint("password")))
	case errors.As(err, &spent):
		return diag.NewErrorDiagnostic("Abiquo one-time code already used", fmt.Sprintf(
			"%s.\n\nA fixed code (%s) serves one login per run. Set %s so that the provider can make a code for "+
				"every login, or run %s and leave the password unset.",
			err, v.hint("otp"), v.hint("otp_secret"), login))
	case errors.As(err, &te):
		title := "Abiquo token refused"
		if te.Expired {
			title = "Abiquo token expired"
		}
		return diag.NewErrorDiagnostic(title, fmt.Sprintf(
			"%s.\n\nRun %s to log in again (it asks for your password and one-time code), or set %s so that the "+
				"provider logs in itself.",
			err, login, v.hint("password")))
	case errors.As(err, &denied):
		return diag.NewErrorDiagnostic("Abiquo permission denied", fmt.Sprintf(
			"%s.\n\nListing datacenters needs a role that may see the infrastructure, such as the cloud "+
				"administrator's. Log in as such a user (%s), or ask an administrator to give this user's role that privilege.",
			err, v.hint("username")))
	}
	return diag.NewErrorDiagnostic(fallback, fallbackDetail(abiquoSpec, err))
}
