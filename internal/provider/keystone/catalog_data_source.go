package keystone

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/tfval"
)

var (
	_ datasource.DataSource              = (*catalogDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*catalogDataSource)(nil)
)

func newCatalogDataSource() datasource.DataSource { return &catalogDataSource{} }

type catalogDataSource struct {
	cloud.DataSource
}

// The state is built as Terraform values directly (tfval) rather than from
// tagged structs: the framework's reflection and its attr.Values cost
// several times the decoding of a catalog of thousands of endpoints
// (BenchmarkKeystoneCatalog). The types come from the schema.
var (
	catalogSchema = newCatalogSchema()
	stateType     = tfval.StateType(catalogSchema)
	ownerType     = tfval.Elem(stateType, "user")
	roleType      = tfval.Elem(stateType, "roles")
	domainType    = tfval.Elem(stateType, "domain")
	systemType    = tfval.Elem(stateType, "system")
	appCredType   = tfval.Elem(stateType, "application_credential")
	serviceType   = tfval.Elem(stateType, "catalog")
	endpointType  = tfval.Elem(serviceType, "endpoints")
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
	var serviceTypeFilter, itf, region types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("service_type"), &serviceTypeFilter)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("interface"), &itf)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("region"), &region)...)
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
		ServiceType:  serviceTypeFilter.ValueString(),
		Interface:    itf.ValueString(),
		Region:       region.ValueString(),
		URLInterface: c.Interface(),
	})
	state, services := catalogState(tok, sel, serviceTypeFilter)
	if services == 0 {
		resp.Diagnostics.Append(sess.unmatched(tok, sel, region.IsNull())...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
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

// catalogState is the data source's state for a token, and the number of
// services in its catalog.
func catalogState(tok *api.Token, sel api.Selection, serviceTypeFilter types.String) (tftypes.Value, int) {
	owner := func(id, name string, domain api.Domain) tftypes.Value {
		return tfval.Object(ownerType, map[string]tftypes.Value{
			"id": tfval.String(id), "name": tfval.String(name),
			"domain_id": tfval.String(domain.ID), "domain_name": tfval.String(domain.Name),
		})
	}
	project := tfval.NullObject(ownerType)
	if p := tok.Project; p != nil {
		project = owner(p.ID, p.Name, p.Domain)
	}
	roles := make([]tftypes.Value, 0, len(tok.Roles))
	for _, r := range tok.Roles {
		roles = append(roles, tfval.Object(roleType, map[string]tftypes.Value{"id": tfval.String(r.ID), "name": tfval.String(r.Name)}))
	}
	domain := tfval.NullObject(domainType)
	if d := tok.Domain; d != nil {
		domain = tfval.Object(domainType, map[string]tftypes.Value{"id": tfval.String(d.ID), "name": tfval.String(d.Name)})
	}
	system := tfval.NullObject(systemType)
	if sys := tok.System; sys != nil {
		system = tfval.Object(systemType, map[string]tftypes.Value{"all": tfval.Bool(sys.All)})
	}
	appCred := tfval.NullObject(appCredType)
	if ac := tok.ApplicationCredential; ac != nil {
		appCred = tfval.Object(appCredType, map[string]tftypes.Value{
			"id": tfval.String(ac.ID), "name": tfval.OptString(ac.Name), "restricted": tfval.Bool(ac.Restricted),
		})
	}
	methods := make([]tftypes.Value, 0, len(tok.Methods))
	for _, method := range tok.Methods {
		methods = append(methods, tfval.String(method))
	}
	services, urls := tok.Select(sel)
	catalog := make([]tftypes.Value, 0, len(services))
	for _, s := range services {
		eps := make([]tftypes.Value, 0, len(s.Endpoints))
		for _, e := range s.Endpoints {
			eps = append(eps, tfval.Object(endpointType, map[string]tftypes.Value{
				"id": tfval.String(e.ID), "interface": tfval.String(e.Interface),
				"region": tfval.String(e.Region), "region_id": tfval.String(e.RegionID), "url": tfval.String(e.URL),
			}))
		}
		catalog = append(catalog, tfval.Object(serviceType, map[string]tftypes.Value{
			"id": tfval.String(s.ID), "name": tfval.String(s.Name), "type": tfval.String(s.Type),
			"endpoints": tfval.List(endpointType, eps),
		}))
	}
	return tfval.Object(stateType, map[string]tftypes.Value{
		"service_type":           tfval.Of(serviceTypeFilter),
		"interface":              tfval.String(sel.Interface),
		"region":                 tfval.OptString(sel.Region),
		"user":                   owner(tok.User.ID, tok.User.Name, tok.User.Domain),
		"project":                project,
		"roles":                  tfval.List(roleType, roles),
		"domain":                 domain,
		"system":                 system,
		"application_credential": appCred,
		"methods":                tfval.List(tftypes.String, methods),
		"issued_at":              tfval.Of(cloud.TimeString(tok.IssuedAt)),
		"expires_at":             tfval.Of(cloud.TimeString(tok.ExpiresAt)),
		"catalog":                tfval.List(serviceType, catalog),
		"endpoints":              tfval.StringMap(urls),
	}), len(catalog)
}
