package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
)

var (
	_ datasource.DataSource              = (*cleuraDomainsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*cleuraDomainsDataSource)(nil)
)

func newCleuraDomainsDataSource() datasource.DataSource { return &cleuraDomainsDataSource{} }

type cleuraDomainsDataSource struct {
	data *providerData
}

type cleuraDomainsModel struct {
	Status  types.String `tfsdk:"status"`
	AreaTag types.String `tfsdk:"area_tag"`
	Domains types.List   `tfsdk:"domains"`
	Regions types.List   `tfsdk:"regions"`
}

// The lists are built as values of these types rather than from tagged Go
// structs: the framework's reflection costs about ten times as much for a
// long list (see BenchmarkCleuraDomains1000).
var (
	cleuraAreaType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"id": types.StringType, "name": types.StringType, "tag": types.StringType,
	}}
	cleuraRegionType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"zone_id": types.StringType, "name": types.StringType, "status": types.StringType, "region": types.StringType,
	}}
	cleuraDomainType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"id": types.StringType, "name": types.StringType, "status": types.StringType, "enabled": types.BoolType,
		"area": cleuraAreaType, "regions": types.ListType{ElemType: cleuraRegionType},
	}}
	cleuraFlatRegionType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"region": types.StringType, "name": types.StringType, "status": types.StringType,
		"zone_id": types.StringType, "area_tag": types.StringType, "domain_id": types.StringType,
	}}
)

func (d *cleuraDomainsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cleura_domains"
}

func (d *cleuraDomainsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	region := map[string]schema.Attribute{
		"zone_id": str("Zone ID of the region."),
		"name":    str("Display name, such as `Stockholm / Sweden`."),
		"status":  str("Region status (`active`)."),
		"region":  str("Region tag as the API spells it, such as `Sto2` or `Fra1` (case-sensitive; OpenStack clients use it as the region name)."),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The OpenStack domains of a Cleura Cloud account and the areas it could provision " +
			"(`GET /accesscontrol/v1/openstack/domains`), with their regions. Areas the account has not provisioned " +
			"have status `available` and no domain `id`, `name` or `enabled` (null). Reads share the provider's " +
			"login, and identical reads in one run are made once.",
		Attributes: map[string]schema.Attribute{
			"status": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only entries with this status: `provisioned` (domains the account has) or `available` (areas it could provision).",
				Validators:          []validator.String{stringvalidator.OneOf(cleura.StatusProvisioned, cleura.StatusAvailable)}},
			"area_tag": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only the entry of this area, by tag (`SE_STO2`, `DE`, `EU`; case does not matter). A tag the account does not have is an error that lists the tags it has."},
			"domains": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Domains and areas in the API's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":     str("OpenStack domain ID; null for an `available` area."),
					"name":   str("Domain name, such as `CCP_Domain_43597`; null for an `available` area."),
					"status": str("`provisioned` or `available`."),
					"enabled": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Whether the domain is enabled; null for an `available` area."},
					"area": schema.SingleNestedAttribute{Computed: true,
						MarkdownDescription: "The area the domain is in.",
						Attributes: map[string]schema.Attribute{
							"id":   str("Area ID."),
							"name": str("Area name, such as `Sweden / Stockholm`."),
							"tag":  str("Area tag, such as `SE_STO2`."),
						},
					},
					"regions": schema.ListNestedAttribute{Computed: true,
						MarkdownDescription: "Regions of the area.",
						NestedObject:        schema.NestedAttributeObject{Attributes: region},
					},
				}},
			},
			"regions": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Every region of the selected entries in one flat list, for `for` expressions.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"region":    str("Region tag, such as `Sto2` (case-sensitive)."),
					"name":      str("Display name, such as `Stockholm / Sweden`."),
					"status":    str("Region status (`active`)."),
					"zone_id":   str("Zone ID of the region."),
					"area_tag":  str("Tag of the region's area."),
					"domain_id": str("ID of the domain in the area; null for an `available` area."),
				}},
			},
		},
	}
}

func (d *cleuraDomainsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *cleuraDomainsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m cleuraDomainsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, diags := d.data.cleura.use("cloudauth_cleura_domains")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := s.api.Domains(ctx)
	if err != nil {
		summary, detail := s.diagnose(err, "read the domains")
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	f := cleura.Filter{Status: m.Status.ValueString(), AreaTag: m.AreaTag.ValueString()}
	if f.AreaTag != "" && len(cleura.FilterDomains(all, cleura.Filter{AreaTag: f.AreaTag})) == 0 {
		tags := strings.Join(cleura.AreaTags(all), ", ")
		if tags == "" {
			tags = "none"
		}
		resp.Diagnostics.AddAttributeError(path.Root("area_tag"), "Unknown Cleura Cloud area",
			fmt.Sprintf("The account of %q has no area with the tag %q; it has: %s. Set area_tag to one of them, or leave it out for all areas.",
				s.username, f.AreaTag, tags))
		return
	}
	var vd diag.Diagnostics
	m.Domains, m.Regions, vd = cleuraDomainValues(cleura.FilterDomains(all, f))
	resp.Diagnostics.Append(vd...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// cleuraDomainValues builds the two computed lists; fields the API left
// out become null.
func cleuraDomainValues(list []cleura.Domain) (types.List, types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	obj := func(t types.ObjectType, vals map[string]attr.Value) attr.Value {
		v, d := types.ObjectValue(t.AttrTypes, vals)
		diags.Append(d...)
		return v
	}
	domains := make([]attr.Value, 0, len(list))
	flat := make([]attr.Value, 0, len(list))
	for _, dom := range list {
		regions := make([]attr.Value, 0, len(dom.Area.Regions))
		for _, r := range dom.Area.Regions {
			regions = append(regions, obj(cleuraRegionType, map[string]attr.Value{
				"zone_id": optString(r.ZoneID), "name": optString(r.Name), "status": optString(r.Status), "region": optString(r.Region),
			}))
			flat = append(flat, obj(cleuraFlatRegionType, map[string]attr.Value{
				"region": optString(r.Region), "name": optString(r.Name), "status": optString(r.Status), "zone_id": optString(r.ZoneID),
				"area_tag": optString(dom.Area.Tag), "domain_id": optString(dom.ID),
			}))
		}
		regionList, d := types.ListValue(cleuraRegionType, regions)
		diags.Append(d...)
		domains = append(domains, obj(cleuraDomainType, map[string]attr.Value{
			"id":      optString(dom.ID),
			"name":    optString(dom.Name),
			"status":  optString(dom.Status),
			"enabled": types.BoolPointerValue(dom.Enabled),
			"area": obj(cleuraAreaType, map[string]attr.Value{
				"id": optString(dom.Area.ID), "name": optString(dom.Area.Name), "tag": optString(dom.Area.Tag),
			}),
			"regions": regionList,
		}))
	}
	domainList, d := types.ListValue(cleuraDomainType, domains)
	diags.Append(d...)
	flatList, d := types.ListValue(cleuraFlatRegionType, flat)
	diags.Append(d...)
	return domainList, flatList, diags
}
