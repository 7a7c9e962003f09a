package clc

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/clc"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

var (
	_ datasource.DataSource              = (*rootGroupDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*rootGroupDataSource)(nil)
)

func newRootGroupDataSource() datasource.DataSource { return &rootGroupDataSource{} }

type rootGroupDataSource struct {
	cloud.DataSource
}

type rootGroupModel struct {
	DataCenter     types.String       `tfsdk:"data_center"`
	AccountAlias   types.String       `tfsdk:"account_alias"`
	ID             types.String       `tfsdk:"id"`
	Name           types.String       `tfsdk:"name"`
	Description    types.String       `tfsdk:"description"`
	LocationID     types.String       `tfsdk:"location_id"`
	Type           types.String       `tfsdk:"type"`
	Status         types.String       `tfsdk:"status"`
	ServersCount   types.Int64        `tfsdk:"servers_count"`
	DataCenterName types.String       `tfsdk:"data_center_name"`
	Groups         []childGroupModel  `tfsdk:"groups"`
	Links          []linkModel        `tfsdk:"links"`
	ChangeInfo     *changeInfoModel   `tfsdk:"change_info"`
	CustomFields   []customFieldModel `tfsdk:"custom_fields"`
}

type childGroupModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Description  types.String `tfsdk:"description"`
	Type         types.String `tfsdk:"type"`
	Status       types.String `tfsdk:"status"`
	ServersCount types.Int64  `tfsdk:"servers_count"`
}

type linkModel struct {
	Rel  types.String `tfsdk:"rel"`
	Href types.String `tfsdk:"href"`
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

type changeInfoModel struct {
	CreatedBy    types.String `tfsdk:"created_by"`
	CreatedDate  types.String `tfsdk:"created_date"`
	ModifiedBy   types.String `tfsdk:"modified_by"`
	ModifiedDate types.String `tfsdk:"modified_date"`
}

type customFieldModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Value        types.String `tfsdk:"value"`
	DisplayValue types.String `tfsdk:"display_value"`
}

func (d *rootGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_clc_root_group"
}

func (d *rootGroupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
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
	var m rootGroupModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := cloud.Use[*api.Client](d.ProviderData, Name, "cloudauth_clc_root_group")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, err := c.RootGroup(ctx, m.AccountAlias.ValueString(), m.DataCenter.ValueString())
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
	m.DataCenter = types.StringValue(g.DataCenterID)
	m.AccountAlias = types.StringValue(g.AccountAlias)
	m.ID = types.StringValue(g.ID)
	m.Name = types.StringValue(g.Name)
	m.Description = types.StringValue(g.Description)
	m.LocationID = types.StringValue(g.LocationID)
	m.Type = types.StringValue(g.Type)
	m.Status = types.StringValue(g.Status)
	m.ServersCount = types.Int64Value(g.ServersCount)
	m.DataCenterName = types.StringValue(g.DataCenterName)
	m.Groups = make([]childGroupModel, 0, len(g.Groups))
	for _, c := range g.Groups {
		m.Groups = append(m.Groups, childGroupModel{
			ID: types.StringValue(c.ID), Name: types.StringValue(c.Name), Description: types.StringValue(c.Description),
			Type: types.StringValue(c.Type), Status: types.StringValue(c.Status), ServersCount: types.Int64Value(c.ServersCount),
		})
	}
	m.Links = make([]linkModel, 0, len(g.Links))
	for _, l := range g.Links {
		m.Links = append(m.Links, linkModel{
			Rel: types.StringValue(l.Rel), Href: types.StringValue(l.Href), ID: cloud.OptString(l.ID), Name: cloud.OptString(l.Name),
		})
	}
	m.ChangeInfo = &changeInfoModel{
		CreatedBy: types.StringValue(g.ChangeInfo.CreatedBy), CreatedDate: types.StringValue(g.ChangeInfo.CreatedDate),
		ModifiedBy: types.StringValue(g.ChangeInfo.ModifiedBy), ModifiedDate: types.StringValue(g.ChangeInfo.ModifiedDate),
	}
	m.CustomFields = make([]customFieldModel, 0, len(g.CustomFields))
	for _, f := range g.CustomFields {
		m.CustomFields = append(m.CustomFields, customFieldModel{
			ID: types.StringValue(f.ID), Name: types.StringValue(f.Name), Value: types.StringValue(f.Value), DisplayValue: types.StringValue(f.DisplayValue),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
