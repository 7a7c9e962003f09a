package abiquo

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/suggest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

var (
	_ datasource.DataSource              = (*datacentersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*datacentersDataSource)(nil)
)

func newDatacentersDataSource() datasource.DataSource { return &datacentersDataSource{} }

type datacentersDataSource struct {
	cloud.DataSource
}

type datacentersModel struct {
	Name        types.String `tfsdk:"name"`
	Datacenters types.List   `tfsdk:"datacenters"`
	Total       types.Int64  `tfsdk:"total"`
}

// The list is built from attribute values rather than from a tagged
// struct: the framework's struct reflection costs about half the time of a
// 5,000-datacenter read. The element type comes from the schema.
var (
	datacentersSchema = newDatacentersSchema()
	datacenterType    = datacentersSchema.Attributes["datacenters"].GetType().(types.ListType).ElemType.(types.ObjectType)
)

func (d *datacentersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_abiquo_datacenters"
}

func (d *datacentersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = datacentersSchema
}

func newDatacentersSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "The datacenters of an Abiquo installation (`GET /api/admin/datacenters`), every page of " +
			"them. The list is read once per Terraform run, however many of these data sources there are; the " +
			"`name` filter is applied to it here. Listing datacenters needs a user whose role may see the " +
			"infrastructure, such as a cloud administrator.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Return only the datacenter with this name (exact, case-sensitive). A name that no datacenter the user may see has is an error that lists the names (and the near one). Without it, every datacenter the user may see."},
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

func (d *datacentersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m datacentersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := cloud.Use[*api.Client](d.ProviderData, Name, "cloudauth_abiquo_datacenters")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := c.Datacenters(ctx)
	if err != nil {
		resp.Diagnostics.Append(diagnose(c, "Cannot read Abiquo datacenters", err))
		return
	}
	m, diags = newDatacentersModel(m.Name, list)
	resp.Diagnostics.Append(diags...)
	if !m.Name.IsNull() && m.Total.ValueInt64() == 0 {
		// A name asks for one datacenter: one the list lacks is a slip
		// (often of case, since the match is exact), as an unknown data
		// center or area is for the other clouds.
		names := make([]string, len(list))
		for i, dc := range list {
			names[i] = dc.Name
		}
		slices.Sort(names)
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Unknown Abiquo datacenter",
			fmt.Sprintf("None of the %d datacenters this user may see is named %q (names match exactly); %s.\n\n"+
				"Set `name` to one of these, or leave it out for every datacenter.", len(list), m.Name.ValueString(), suggest.Known(m.Name.ValueString(), names)))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// newDatacentersModel builds the data source's values from the API's list.
func newDatacentersModel(name types.String, list []api.Datacenter) (datacentersModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := make([]attr.Value, 0, len(list))
	for _, dc := range list {
		if !name.IsNull() && dc.Name != name.ValueString() {
			continue
		}
		v, d := types.ObjectValue(datacenterType.AttrTypes, map[string]attr.Value{
			"id":       types.Int64Value(dc.ID),
			"name":     types.StringValue(dc.Name),
			"location": types.StringValue(dc.Location),
			"uuid":     cloud.OptString(dc.UUID),
		})
		diags.Append(d...)
		elems = append(elems, v)
	}
	dcs, d := types.ListValue(datacenterType, elems)
	diags.Append(d...)
	return datacentersModel{Name: name, Datacenters: dcs, Total: types.Int64Value(int64(len(elems)))}, diags
}
