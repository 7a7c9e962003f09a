package cleura

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/tfval"
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

// The state is built as Terraform values directly (tfval) rather than from
// tagged Go structs or attr.Values: the framework's reflection and checks
// cost about ten times the decoding of a long list (see
// BenchmarkCleuraDomains1000). The types come from the schema.
var (
	domainsSchema  = newDomainsSchema()
	stateType      = tfval.StateType(domainsSchema)
	domainType     = tfval.Elem(stateType, "domains")
	areaType       = tfval.Elem(domainType, "area")
	regionType     = tfval.Elem(domainType, "regions")
	flatRegionType = tfval.Elem(stateType, "regions")
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
	resp.Diagnostics.Append(resp.State.Set(ctx, domainsState(m.Status, m.AreaTag, list))...)
}

// domainsState is the data source's state: the filters and the two
// computed lists; fields the API left out become null.
func domainsState(status, areaTag types.String, list []api.Domain) tftypes.Value {
	domains := make([]tftypes.Value, 0, len(list))
	flat := make([]tftypes.Value, 0, len(list))
	for _, dom := range list {
		// A value is built once and used in both lists.
		id, tag := tfval.OptString(dom.ID), tfval.OptString(dom.Area.Tag)
		regions := make([]tftypes.Value, 0, len(dom.Area.Regions))
		for _, r := range dom.Area.Regions {
			zone, name, status, region := tfval.OptString(r.ZoneID), tfval.OptString(r.Name), tfval.OptString(r.Status), tfval.OptString(r.Region)
			regions = append(regions, tfval.Object(regionType, map[string]tftypes.Value{
				"zone_id": zone, "name": name, "status": status, "region": region,
			}))
			flat = append(flat, tfval.Object(flatRegionType, map[string]tftypes.Value{
				"region": region, "name": name, "status": status, "zone_id": zone, "area_tag": tag, "domain_id": id,
			}))
		}
		domains = append(domains, tfval.Object(domainType, map[string]tftypes.Value{
			"id":      id,
			"name":    tfval.OptString(dom.Name),
			"status":  tfval.OptString(dom.Status),
			"enabled": tfval.BoolPointer(dom.Enabled),
			"area": tfval.Object(areaType, map[string]tftypes.Value{
				"id": tfval.OptString(dom.Area.ID), "name": tfval.OptString(dom.Area.Name), "tag": tag,
			}),
			"regions": tfval.List(regionType, regions),
		}))
	}
	return tfval.Object(stateType, map[string]tftypes.Value{
		"status":   tfval.Of(status),
		"area_tag": tfval.Of(areaTag),
		"domains":  tfval.List(domainType, domains),
		"regions":  tfval.List(flatRegionType, flat),
	})
}
