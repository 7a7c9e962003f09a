package provider

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
)

var (
	_ datasource.DataSource              = (*keystoneCatalogDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*keystoneCatalogDataSource)(nil)
)

func newKeystoneCatalogDataSource() datasource.DataSource { return &keystoneCatalogDataSource{} }

type keystoneCatalogDataSource struct {
	data *providerData
}

type keystoneCatalogModel struct {
	ServiceType types.String          `tfsdk:"service_type"`
	Interface   types.String          `tfsdk:"interface"`
	Region      types.String          `tfsdk:"region"`
	User        *keystoneUserModel    `tfsdk:"user"`
	Project     *keystoneProjectModel `tfsdk:"project"`
	Roles       []keystoneRoleModel   `tfsdk:"roles"`
	IssuedAt    types.String          `tfsdk:"issued_at"`
	ExpiresAt   types.String          `tfsdk:"expires_at"`
	Catalog     types.List            `tfsdk:"catalog"`
	Endpoints   map[string]string     `tfsdk:"endpoints"`
}

type keystoneUserModel struct {
	ID         types.String `tfsdk:"id"`
	Name       types.String `tfsdk:"name"`
	DomainID   types.String `tfsdk:"domain_id"`
	DomainName types.String `tfsdk:"domain_name"`
}

// keystoneProjectModel has the user's shape: a project lives in a domain.
type keystoneProjectModel = keystoneUserModel

type keystoneRoleModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

// The catalog is built as Terraform values directly rather than as tagged
// structs: the framework's reflection costs about a hundred times more per
// element, which a catalog of thousands of endpoints makes visible
// (BenchmarkKeystoneCatalog).
var (
	keystoneEndpointType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"id": types.StringType, "interface": types.StringType, "region": types.StringType,
		"region_id": types.StringType, "url": types.StringType,
	}}
	keystoneServiceType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"id": types.StringType, "name": types.StringType, "type": types.StringType,
		"endpoints": types.ListType{ElemType: keystoneEndpointType},
	}}
)

func (d *keystoneCatalogDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_keystone_catalog"
}

func (d *keystoneCatalogDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	owner := func(what string) map[string]schema.Attribute {
		title := strings.ToUpper(what[:1]) + what[1:]
		return map[string]schema.Attribute{
			"id":          str(title + " ID."),
			"name":        str(title + " name."),
			"domain_id":   str("ID of the " + what + "'s domain."),
			"domain_name": str("Name of the " + what + "'s domain."),
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The service catalog of the provider's Keystone token, with the token's user, project and " +
			"roles. It is read from the answer of the provider's login (`POST /v3/auth/tokens`, or `GET` for a " +
			"configured `token`): however many of these data sources a configuration has, Keystone sees one " +
			"request per run. A region or interface the catalog lacks gives an empty `catalog` and `endpoints`, " +
			"not an error.",
		Attributes: map[string]schema.Attribute{
			"service_type": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only services of this type (`compute`, `object-store`, `identity`, ...). Default: every type."},
			"interface": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Endpoint interface to keep: `public`, `internal` or `admin`. Default: the provider's `keystone.interface`, else `public`.",
				Validators:          []validator.String{stringvalidator.OneOf(keystone.Interfaces...)}},
			"region": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Region to keep (matched against the endpoints' `region_id` and `region`). Default: the provider's `keystone.region`, else every region (null)."},
			"user": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "The user the token belongs to.", Attributes: owner("user")},
			"project": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "The project the token is scoped to; null for a domain-scoped or unscoped token.",
				Attributes:          owner("project")},
			"roles": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Roles the token carries on its scope (empty for an unscoped token).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":   str("Role ID."),
					"name": str("Role name (`member`, `reader`, ...)."),
				}},
			},
			"issued_at":  str("When Keystone issued the token (RFC 3339, UTC)."),
			"expires_at": str("When the token expires (RFC 3339, UTC); the provider logs in again before then."),
			"catalog": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Services with at least one endpoint that matches `service_type`, `interface` and `region`, " +
					"each with only those endpoints; sorted by type, name and ID, endpoints by region, interface and ID.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":   str("Service ID."),
					"name": str("Service name (`nova`, `swift`, ...)."),
					"type": str("Service type (`compute`, `object-store`, ...)."),
					"endpoints": schema.ListNestedAttribute{Computed: true,
						MarkdownDescription: "The service's matching endpoints.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id":        str("Endpoint ID."),
							"interface": str("`public`, `internal` or `admin`."),
							"region":    str("Region name (Keystone's older field; the same as `region_id`)."),
							"region_id": str("Region ID."),
							"url":       str("Endpoint URL."),
						}},
					},
				}},
			},
			"endpoints": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Service type to URL, for the chosen interface and region: `endpoints[\"compute\"]`. " +
					"Without a region, the URL of the first region in alphabetical order. A type with no matching endpoint is absent."},
		},
	}
}

func (d *keystoneCatalogDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *keystoneCatalogDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m keystoneCatalogModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := d.data.keystone.use("cloudauth_keystone_catalog")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tok, err := c.Login(ctx)
	if err != nil {
		resp.Diagnostics.Append(keystoneLoginDiag(c, err))
		return
	}
	sel := keystone.Selection{
		ServiceType: m.ServiceType.ValueString(),
		Interface:   m.Interface.ValueString(),
		Region:      m.Region.ValueString(),
	}
	if sel.Interface == "" {
		sel.Interface = c.Interface()
	}
	if sel.Region == "" {
		sel.Region = c.Region()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, catalogModel(tok, sel, m.ServiceType))...)
}

// catalogModel builds the data source's values from a token.
func catalogModel(tok *keystone.Token, sel keystone.Selection, serviceType types.String) *keystoneCatalogModel {
	m := &keystoneCatalogModel{
		ServiceType: serviceType,
		Interface:   types.StringValue(sel.Interface),
		Region:      optString(sel.Region),
		User: &keystoneUserModel{
			ID: types.StringValue(tok.User.ID), Name: types.StringValue(tok.User.Name),
			DomainID: types.StringValue(tok.User.Domain.ID), DomainName: types.StringValue(tok.User.Domain.Name),
		},
		IssuedAt:  timeString(tok.IssuedAt),
		ExpiresAt: timeString(tok.ExpiresAt),
		Roles:     make([]keystoneRoleModel, 0, len(tok.Roles)),
	}
	if p := tok.Project; p != nil {
		m.Project = &keystoneProjectModel{
			ID: types.StringValue(p.ID), Name: types.StringValue(p.Name),
			DomainID: types.StringValue(p.Domain.ID), DomainName: types.StringValue(p.Domain.Name),
		}
	}
	for _, r := range tok.Roles {
		m.Roles = append(m.Roles, keystoneRoleModel{ID: types.StringValue(r.ID), Name: types.StringValue(r.Name)})
	}
	services, urls := tok.Select(sel)
	m.Endpoints = urls
	list := make([]attr.Value, 0, len(services))
	for _, s := range services {
		eps := make([]attr.Value, 0, len(s.Endpoints))
		for _, e := range s.Endpoints {
			eps = append(eps, types.ObjectValueMust(keystoneEndpointType.AttrTypes, map[string]attr.Value{
				"id": types.StringValue(e.ID), "interface": types.StringValue(e.Interface),
				"region": types.StringValue(e.Region), "region_id": types.StringValue(e.RegionID), "url": types.StringValue(e.URL),
			}))
		}
		list = append(list, types.ObjectValueMust(keystoneServiceType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(s.ID), "name": types.StringValue(s.Name), "type": types.StringValue(s.Type),
			"endpoints": types.ListValueMust(keystoneEndpointType, eps),
		}))
	}
	m.Catalog = types.ListValueMust(keystoneServiceType, list)
	return m
}

func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
