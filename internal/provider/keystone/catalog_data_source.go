package keystone

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

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

var (
	_ datasource.DataSource              = (*catalogDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*catalogDataSource)(nil)
)

func newCatalogDataSource() datasource.DataSource { return &catalogDataSource{} }

type catalogDataSource struct {
	cloud.DataSource
}

type catalogModel struct {
	ServiceType types.String      `tfsdk:"service_type"`
	Interface   types.String      `tfsdk:"interface"`
	Region      types.String      `tfsdk:"region"`
	User        *ownerModel       `tfsdk:"user"`
	Project     *ownerModel       `tfsdk:"project"`
	Roles       []roleModel       `tfsdk:"roles"`
	IssuedAt    types.String      `tfsdk:"issued_at"`
	ExpiresAt   types.String      `tfsdk:"expires_at"`
	Catalog     types.List        `tfsdk:"catalog"`
	Endpoints   map[string]string `tfsdk:"endpoints"`
	Domain      *domainModel      `tfsdk:"domain"`
	System      *systemModel      `tfsdk:"system"`
	AppCred     *appCredModel     `tfsdk:"application_credential"`
	Methods     []types.String    `tfsdk:"methods"`
}

type domainModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

type systemModel struct {
	All types.Bool `tfsdk:"all"`
}

type appCredModel struct {
	ID         types.String `tfsdk:"id"`
	Name       types.String `tfsdk:"name"`
	Restricted types.Bool   `tfsdk:"restricted"`
}

// ownerModel is a user or a project: both live in a domain.
type ownerModel struct {
	ID         types.String `tfsdk:"id"`
	Name       types.String `tfsdk:"name"`
	DomainID   types.String `tfsdk:"domain_id"`
	DomainName types.String `tfsdk:"domain_name"`
}

type roleModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

// The catalog is built as Terraform values directly rather than as tagged
// structs: the framework's reflection costs about a hundred times more per
// element, which a catalog of thousands of endpoints makes visible
// (BenchmarkKeystoneCatalog). The element types come from the schema.
var (
	catalogSchema = newCatalogSchema()
	serviceType   = catalogSchema.Attributes["catalog"].GetType().(types.ListType).ElemType.(types.ObjectType)
	endpointType  = serviceType.AttrTypes["endpoints"].(types.ListType).ElemType.(types.ObjectType)
)

func (d *catalogDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_keystone_catalog"
}

func (d *catalogDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = catalogSchema
}

func newCatalogSchema() schema.Schema {
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
	return schema.Schema{
		MarkdownDescription: "The service catalog of the provider's Keystone token, with the token's user, project and " +
			"roles. It is read from the answer of the provider's login (`POST /v3/auth/tokens`, or `GET` for a " +
			"configured `token`): however many of these data sources a configuration has, Keystone sees one " +
			"request per run. A `region` that no endpoint of the catalog is in (names match exactly, as in OpenStack " +
			"clients) is an error that lists the catalog's regions; a `service_type` the catalog lacks is a warning. " +
			"Filters that each match but not together (a service not offered in that region or interface) give an " +
			"empty `catalog` and `endpoints`.",
		Attributes: map[string]schema.Attribute{
			"service_type": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only services of this type (`compute`, `object-store`, `identity`, ...). Default: every type."},
			"interface": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Endpoint interface to keep: `public`, `internal` or `admin`, or `all` for every interface (for configurations that need public and internal URLs together; the `endpoints` map then has the provider's `keystone.interface`, else `public`). Default: the provider's `keystone.interface`, else `public`.",
				Validators:          []validator.String{stringvalidator.OneOf(append(append([]string{}, api.Interfaces...), api.InterfaceAll)...)}},
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
			"domain": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "The domain a domain-scoped token is scoped to; null otherwise.",
				Attributes:          map[string]schema.Attribute{"id": str("Domain ID."), "name": str("Domain name.")}},
			"system": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "The system scope of a system-scoped token (`keystone.system_scope`); null otherwise.",
				Attributes: map[string]schema.Attribute{"all": schema.BoolAttribute{Computed: true,
					MarkdownDescription: "Whether the token is scoped to the whole system."}}},
			"application_credential": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "The application credential the token was issued for; null for other logins.",
				Attributes: map[string]schema.Attribute{
					"id":   str("Application credential ID."),
					"name": str("Application credential name."),
					"restricted": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Whether the credential may not create further application credentials or trusts (Keystone's `unrestricted = false`)."},
				}},
			"methods": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The authentication methods of the login, as Keystone lists them (`application_credential`, `password`, `totp`, `token`)."},
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

func (d *catalogDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m catalogModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sess, diags := cloud.Use[*session](d.ProviderData, Name, "cloudauth_keystone_catalog")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := sess.api
	tok, err := c.Login(ctx)
	if err != nil {
		resp.Diagnostics.Append(sess.diagnose(err))
		return
	}
	// The provider's interface, region and endpoint overrides fill what
	// the data source leaves out; with interface "all", the map has the
	// provider's interface.
	sel := c.Selection(api.Selection{
		ServiceType:  m.ServiceType.ValueString(),
		Interface:    m.Interface.ValueString(),
		Region:       m.Region.ValueString(),
		URLInterface: c.Interface(),
	})
	model, diags := newCatalogModel(tok, sel, m.ServiceType)
	resp.Diagnostics.Append(diags...)
	if len(model.Catalog.Elements()) == 0 {
		resp.Diagnostics.Append(sess.unmatched(tok, sel, m.Region.IsNull())...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}

// unmatched explains an empty result whose filters match nothing in the
// whole catalog. A region no endpoint is in is an error: region names are
// the cloud's own, so one the catalog lacks is a slip (often of case:
// they match exactly, as in OpenStack clients), and the empty endpoints
// map would only fail later, further from the cause. A service type the
// catalog lacks is a warning: a configuration may ask for a service that
// only some of its clouds offer. fromProvider says the region is the
// provider's keystone.region, which the message then names.
func (sess *session) unmatched(tok *api.Token, sel api.Selection, fromProvider bool) diag.Diagnostics {
	var diags diag.Diagnostics
	region, typ := tok.Unknown(sel)
	if region != nil {
		fix := "Set `region` to one of these, or leave it out for every region."
		if fromProvider {
			fix = fmt.Sprintf("The region is %s, which the data source uses as it names none: set it to one of these, or set `region` on the data source.",
				sess.s.Region.Where())
		}
		detail := fmt.Sprintf("%s.\n\n%s", region, fix)
		if fromProvider {
			diags.AddError("Unknown Keystone region", detail)
		} else {
			diags.AddAttributeError(path.Root("region"), "Unknown Keystone region", detail)
		}
	}
	if typ != nil {
		diags.AddAttributeWarning(path.Root("service_type"), "Unknown Keystone service type",
			fmt.Sprintf("%s. The `catalog` and `endpoints` are empty.\n\nIf this cloud does not offer the service, that is expected; "+
				"otherwise set `service_type` to the type as the catalog spells it.", typ))
	}
	return diags
}

// newCatalogModel builds the data source's values from a token.
func newCatalogModel(tok *api.Token, sel api.Selection, serviceTypeFilter types.String) (*catalogModel, diag.Diagnostics) {
	m := &catalogModel{
		ServiceType: serviceTypeFilter,
		Interface:   types.StringValue(sel.Interface),
		Region:      cloud.OptString(sel.Region),
		User: &ownerModel{
			ID: types.StringValue(tok.User.ID), Name: types.StringValue(tok.User.Name),
			DomainID: types.StringValue(tok.User.Domain.ID), DomainName: types.StringValue(tok.User.Domain.Name),
		},
		IssuedAt:  cloud.TimeString(tok.IssuedAt),
		ExpiresAt: cloud.TimeString(tok.ExpiresAt),
		Roles:     make([]roleModel, 0, len(tok.Roles)),
	}
	if p := tok.Project; p != nil {
		m.Project = &ownerModel{
			ID: types.StringValue(p.ID), Name: types.StringValue(p.Name),
			DomainID: types.StringValue(p.Domain.ID), DomainName: types.StringValue(p.Domain.Name),
		}
	}
	for _, r := range tok.Roles {
		m.Roles = append(m.Roles, roleModel{ID: types.StringValue(r.ID), Name: types.StringValue(r.Name)})
	}
	if d := tok.Domain; d != nil {
		m.Domain = &domainModel{ID: types.StringValue(d.ID), Name: types.StringValue(d.Name)}
	}
	if sys := tok.System; sys != nil {
		m.System = &systemModel{All: types.BoolValue(sys.All)}
	}
	if ac := tok.ApplicationCredential; ac != nil {
		m.AppCred = &appCredModel{ID: types.StringValue(ac.ID), Name: cloud.OptString(ac.Name), Restricted: types.BoolValue(ac.Restricted)}
	}
	m.Methods = make([]types.String, 0, len(tok.Methods))
	for _, method := range tok.Methods {
		m.Methods = append(m.Methods, types.StringValue(method))
	}
	var diags diag.Diagnostics
	object := func(t types.ObjectType, vals map[string]attr.Value) attr.Value {
		v, d := types.ObjectValue(t.AttrTypes, vals)
		diags.Append(d...)
		return v
	}
	services, urls := tok.Select(sel)
	m.Endpoints = urls
	list := make([]attr.Value, 0, len(services))
	for _, s := range services {
		eps := make([]attr.Value, 0, len(s.Endpoints))
		for _, e := range s.Endpoints {
			eps = append(eps, object(endpointType, map[string]attr.Value{
				"id": types.StringValue(e.ID), "interface": types.StringValue(e.Interface),
				"region": types.StringValue(e.Region), "region_id": types.StringValue(e.RegionID), "url": types.StringValue(e.URL),
			}))
		}
		epList, d := types.ListValue(endpointType, eps)
		diags.Append(d...)
		list = append(list, object(serviceType, map[string]attr.Value{
			"id": types.StringValue(s.ID), "name": types.StringValue(s.Name), "type": types.StringValue(s.Type),
			"endpoints": epList,
		}))
	}
	catalog, d := types.ListValue(serviceType, list)
	diags.Append(d...)
	m.Catalog = catalog
	return m, diags
}
