package cleura

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

var (
	_ datasource.DataSource              = (*domainsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*domainsDataSource)(nil)
)

func newDomainsDataSource() datasource.DataSource { return &domainsDataSource{} }

type domainsDataSource struct {
	cloud.DataSource
}

type domainsModel struct {
	Status  types.String `tfsdk:"status"`
	AreaTag types.String `tfsdk:"area_tag"`
	Domains types.List   `tfsdk:"domains"`
	Regions types.List   `tfsdk:"regions"`
}

// The lists are built as values rather than from tagged Go structs: the
// framework's reflection costs about ten times as much for a long list (see
// BenchmarkCleuraDomains1000). The element types come from the schema.
var (
	domainsSchema  = newDomainsSchema()
	domainType     = domainsSchema.Attributes["domains"].GetType().(types.ListType).ElemType.(types.ObjectType)
	areaType       = domainType.AttrTypes["area"].(types.ObjectType)
	regionType     = domainType.AttrTypes["regions"].(types.ListType).ElemType.(types.ObjectType)
	flatRegionType = domainsSchema.Attributes["regions"].GetType().(types.ListType).ElemType.(types.ObjectType)
)

func (d *domainsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cleura_domains"
}

func (d *domainsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = domainsSchema
}

func newDomainsSchema() schema.Schema {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	region := map[string]schema.Attribute{
		"zone_id": str("Zone ID of the region."),
		"name":    str("Display name, such as `Stockholm / Sweden`."),
		"status":  str("Region status (`active`)."),
		"region":  str("Region tag as the API spells it, such as `Sto2` or `Fra1` (case-sensitive; OpenStack clients use it as the region name)."),
	}
	return schema.Schema{
		MarkdownDescription: "The OpenStack domains of a Cleura Cloud account and the areas it could provision " +
			"(`GET /accesscontrol/v1/openstack/domains`), with their regions. Areas the account has not provisioned " +
			"have status `available` and no domain `id`, `name` or `enabled` (null). Reads share the provider's " +
			"login, and identical reads in one run are made once.",
		Attributes: map[string]schema.Attribute{
			"status": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only entries with this status: `provisioned` (domains the account has) or `available` (areas it could provision).",
				Validators:          []validator.String{stringvalidator.OneOf(api.StatusProvisioned, api.StatusAvailable)}},
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

func (d *domainsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m domainsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, diags := cloud.Use[*session](d.ProviderData, Name, "cloudauth_cleura_domains")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := s.api.Domains(ctx)
	if err != nil {
		resp.Diagnostics.Append(s.diagnose(err, "read the domains"))
		return
	}
	list, err := api.Select(all, api.Filter{Status: m.Status.ValueString(), AreaTag: m.AreaTag.ValueString()})
	var unknown *api.UnknownAreaError
	if errors.As(err, &unknown) {
		resp.Diagnostics.AddAttributeError(path.Root("area_tag"), "Unknown Cleura Cloud area",
			fmt.Sprintf("For the login %q, %s. Set area_tag to one of them, or leave it out for all areas.", s.username, err))
		return
	}
	var vd diag.Diagnostics
	m.Domains, m.Regions, vd = domainValues(list)
	resp.Diagnostics.Append(vd...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// domainValues builds the two computed lists; fields the API left out
// become null.
func domainValues(list []api.Domain) (types.List, types.List, diag.Diagnostics) {
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
			regions = append(regions, obj(regionType, map[string]attr.Value{
				"zone_id": cloud.OptString(r.ZoneID), "name": cloud.OptString(r.Name), "status": cloud.OptString(r.Status), "region": cloud.OptString(r.Region),
			}))
			flat = append(flat, obj(flatRegionType, map[string]attr.Value{
				"region": cloud.OptString(r.Region), "name": cloud.OptString(r.Name), "status": cloud.OptString(r.Status), "zone_id": cloud.OptString(r.ZoneID),
				"area_tag": cloud.OptString(dom.Area.Tag), "domain_id": cloud.OptString(dom.ID),
			}))
		}
		regionList, d := types.ListValue(regionType, regions)
		diags.Append(d...)
		domains = append(domains, obj(domainType, map[string]attr.Value{
			"id":      cloud.OptString(dom.ID),
			"name":    cloud.OptString(dom.Name),
			"status":  cloud.OptString(dom.Status),
			"enabled": types.BoolPointerValue(dom.Enabled),
			"area": obj(areaType, map[string]attr.Value{
				"id": cloud.OptString(dom.Area.ID), "name": cloud.OptString(dom.Area.Name), "tag": cloud.OptString(dom.Area.Tag),
			}),
			"regions": regionList,
		}))
	}
	domainList, d := types.ListValue(domainType, domains)
	diags.Append(d...)
	flatList, d := types.ListValue(flatRegionType, flat)
	diags.Append(d...)
	return domainList, flatList, diags
}
