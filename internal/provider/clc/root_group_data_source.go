package clc

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/clc"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/tfval"
)

var (
	_ datasource.DataSource              = (*rootGroupDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*rootGroupDataSource)(nil)
)

func newRootGroupDataSource() datasource.DataSource { return &rootGroupDataSource{} }

type rootGroupDataSource struct {
	cloud.DataSource
}

// The state is built as Terraform values directly (tfval) rather than from
// tagged structs: the framework's reflection costs more than decoding a
// root group with hundreds of children (BenchmarkRootGroupState500). The
// types come from the schema.
var (
	rootGroupSchema = newRootGroupSchema()
	stateType       = tfval.StateType(rootGroupSchema)
	childType       = tfval.Elem(stateType, "groups")
	linkType        = tfval.Elem(stateType, "links")
	changeInfoType  = tfval.Elem(stateType, "change_info")
	customFieldType = tfval.Elem(stateType, "custom_fields")
)

func (d *rootGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_clc_root_group"
}

func (d *rootGroupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = rootGroupSchema
}

func newRootGroupSchema() schema.Schema {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return schema.Schema{
		MarkdownDescription: "The root hardware group of a CenturyLink Cloud data center (the group named " +
			"`<DC> Hardware` that holds every other group there), found through the data center's `group` link. " +
			"Reads share the provider's login, and identical reads in one run are made once.",
		Attributes: map[string]schema.Attribute{
			"data_center": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Data center alias (`WA1`). Default: the login's default data center (`locationAlias`), or for a configured `clc.token` the one its JWT names."},
			"account_alias": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Account alias. Default: the provider's `clc.account_alias`, else the login's account (for a configured `clc.token`, the one its JWT names)."},
			"id":               str("Group ID."),
			"name":             str("Group name, such as `WA1 Hardware`."),
			"description":      str("Group description."),
			"location_id":      str("Data center the group is in."),
			"type":             str("Group type (`default`)."),
			"status":           str("Group status (`active`)."),
			"data_center_name": str("Friendly name of the data center."),
			"servers_count": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "Number of servers in the group and all the groups below it (the API counts the whole subtree)."},
			"groups": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Child groups.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":            str("Group ID."),
					"name":          str("Group name."),
					"description":   str("Group description."),
					"type":          str("Group type (`default`, or a system type such as `archive`)."),
					"status":        str("Group status."),
					"servers_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of servers in the group and all the groups below it."},
				}},
			},
			"links": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The group's links (`self`, `billing`, `server`, ...).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"rel":  str("Relation."),
					"href": str("Path of the linked resource."),
					"id":   str("ID of the linked resource, where given."),
					"name": str("Name of the linked resource, where given."),
				}},
			},
			"change_info": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "Who created and last changed the group, and when (RFC 3339).",
				Attributes: map[string]schema.Attribute{
					"created_by":    str("Creator."),
					"created_date":  str("Creation time."),
					"modified_by":   str("Last modifier."),
					"modified_date": str("Last modification time."),
				},
			},
			"custom_fields": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Custom fields set on the group.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":            str("Field ID."),
					"name":          str("Field name."),
					"value":         str("Value."),
					"display_value": str("Value as shown in the portal."),
				}},
			},
		},
	}
}

func (d *rootGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var dataCenter, accountAlias types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("data_center"), &dataCenter)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("account_alias"), &accountAlias)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := cloud.Use[*api.Client](d.ProviderData, Name, "cloudauth_clc_root_group")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, err := c.RootGroup(ctx, accountAlias.ValueString(), dataCenter.ValueString())
	if err != nil {
		var (
			nf     *api.NotFoundError
			denied *api.AccessError
		)
		switch {
		case errors.As(err, &nf):
			resp.Diagnostics.AddAttributeError(path.Root("data_center"), "Unknown CenturyLink Cloud data center",
				fmt.Sprintf("%s. Set data_center to one of them, or leave it out to use the login's default data center.", err))
		case errors.As(err, &denied):
			resp.Diagnostics.AddAttributeError(path.Root("account_alias"), "CenturyLink Cloud account not accessible",
				fmt.Sprintf("%s. Leave account_alias (and clc.account_alias) unset to read the login's own account, or log in as a user of that account.", err))
		default:
			resp.Diagnostics.Append(diagnose(err, "Cannot read the CenturyLink Cloud root hardware group"))
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, rootGroupState(g))...)
}

// rootGroupState is the data source's state for a root group.
func rootGroupState(g *api.RootGroup) tftypes.Value {
	groups := make([]tftypes.Value, 0, len(g.Groups))
	for _, c := range g.Groups {
		groups = append(groups, tfval.Object(childType, map[string]tftypes.Value{
			"id": tfval.String(c.ID), "name": tfval.String(c.Name), "description": tfval.String(c.Description),
			"type": tfval.String(c.Type), "status": tfval.String(c.Status), "servers_count": tfval.Int64(c.ServersCount),
		}))
	}
	links := make([]tftypes.Value, 0, len(g.Links))
	for _, l := range g.Links {
		links = append(links, tfval.Object(linkType, map[string]tftypes.Value{
			"rel": tfval.String(l.Rel), "href": tfval.String(l.Href), "id": tfval.OptString(l.ID), "name": tfval.OptString(l.Name),
		}))
	}
	fields := make([]tftypes.Value, 0, len(g.CustomFields))
	for _, f := range g.CustomFields {
		fields = append(fields, tfval.Object(customFieldType, map[string]tftypes.Value{
			"id": tfval.String(f.ID), "name": tfval.String(f.Name), "value": tfval.String(f.Value), "display_value": tfval.String(f.DisplayValue),
		}))
	}
	return tfval.Object(stateType, map[string]tftypes.Value{
		"data_center":      tfval.String(g.DataCenterID),
		"account_alias":    tfval.String(g.AccountAlias),
		"id":               tfval.String(g.ID),
		"name":             tfval.String(g.Name),
		"description":      tfval.String(g.Description),
		"location_id":      tfval.String(g.LocationID),
		"type":             tfval.String(g.Type),
		"status":           tfval.String(g.Status),
		"servers_count":    tfval.Int64(g.ServersCount),
		"data_center_name": tfval.String(g.DataCenterName),
		"groups":           tfval.List(childType, groups),
		"links":            tfval.List(linkType, links),
		"change_info": tfval.Object(changeInfoType, map[string]tftypes.Value{
			"created_by": tfval.String(g.ChangeInfo.CreatedBy), "created_date": tfval.String(g.ChangeInfo.CreatedDate),
			"modified_by": tfval.String(g.ChangeInfo.ModifiedBy), "modified_date": tfval.String(g.ChangeInfo.ModifiedDate),
		}),
		"custom_fields": tfval.List(customFieldType, fields),
	})
}
