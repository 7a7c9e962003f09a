package abiquo

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/suggest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/tfval"
)

var (
	_ datasource.DataSource              = (*datacentersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*datacentersDataSource)(nil)
)

func newDatacentersDataSource() datasource.DataSource { return &datacentersDataSource{} }

type datacentersDataSource struct {
	cloud.DataSource
}

// The state is built as Terraform values directly (tfval) rather than from
// tagged structs or attr.Values: the framework's reflection and checks cost
// more than reading the pages of a 5,000-datacenter list. The types come
// from the schema.
var (
	datacentersSchema = newDatacentersSchema()
	stateType         = tfval.StateType(datacentersSchema)
	datacenterType    = tfval.Elem(stateType, "datacenters")
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
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
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
	if !name.IsNull() && !slices.ContainsFunc(list, func(dc api.Datacenter) bool { return dc.Name == name.ValueString() }) {
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
				"Set `name` to one of these, or leave it out for every datacenter.", len(list), name.ValueString(), suggest.Known(name.ValueString(), names)))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, datacentersState(name, list))...)
}

// datacentersState is the data source's state: the datacenters of list
// with the name asked for (all of them for a null name).
func datacentersState(name types.String, list []api.Datacenter) tftypes.Value {
	elems := make([]tftypes.Value, 0, len(list))
	for _, dc := range list {
		if !name.IsNull() && dc.Name != name.ValueString() {
			continue
		}
		elems = append(elems, tfval.Object(datacenterType, map[string]tftypes.Value{
			"id":       tfval.Int64(dc.ID),
			"name":     tfval.String(dc.Name),
			"location": tfval.String(dc.Location),
			"uuid":     tfval.OptString(dc.UUID),
		}))
	}
	return tfval.Object(stateType, map[string]tftypes.Value{
		"name":        tfval.Of(name),
		"datacenters": tfval.List(datacenterType, elems),
		"total":       tfval.Int64(int64(len(elems))),
	})
}
