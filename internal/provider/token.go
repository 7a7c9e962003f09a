package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/tfval"
)

// The cloudauth_token data source and ephemeral resource share this file:
// the cloud they get a token from, the model, and the descriptions.

// tokenTarget returns the token target of the cloud name for the data
// source or ephemeral resource named user.
func tokenTarget(pd any, name, user string) (*cloud.TokenTarget, diag.Diagnostics) {
	var diags diag.Diagnostics
	d, ok := pd.(*providerData)
	if !ok {
		diags.AddError("Provider not configured",
			fmt.Sprintf("%s was read before the provider was configured (provider data %T). This is a bug in the provider; please report it.", user, pd))
		return nil, diags
	}
	st, ok := d.State(name)
	if !ok {
		// The schema's validator allows only the registered clouds.
		diags.AddError("Unknown cloud "+name, fmt.Sprintf("%s: cloud must be one of %s.", user, strings.Join(cloudNames(), ", ")))
		return nil, diags
	}
	return st.Token(user)
}

func cloudNames() []string {
	names := make([]string, 0, len(registry))
	for _, c := range registry {
		names = append(names, c.Name())
	}
	return names
}

type tokenModel struct {
	Cloud     types.String
	Token     types.String
	Headers   types.Map
	ExpiresAt types.String
	Principal types.String
	Endpoint  types.String
}

// fromConfig reads the model's setting from the configuration's
// attributes.
func (m *tokenModel) fromConfig(attrs map[string]tftypes.Value) (err error) {
	m.Cloud, err = tfval.From[types.String](types.StringType, attrs["cloud"])
	return err
}

// values are the model's attributes by name.
func (m *tokenModel) values() map[string]attr.Value {
	return map[string]attr.Value{"cloud": m.Cloud, "token": m.Token, "headers": m.Headers,
		"expires_at": m.ExpiresAt, "principal": m.Principal, "endpoint": m.Endpoint}
}

// readConfig reads a data source's or ephemeral resource's configuration
// into its model with read, from the attributes of raw. Models are read
// and written by name, not with Config.Get and State.Set on tagged structs:
// the framework's reflection over struct tags compiles a regular
// expression for every field on every call, which was most of what a read
// of a remembered token or answer cost.
func readConfig(raw tftypes.Value, read func(map[string]tftypes.Value) error) diag.Diagnostics {
	var diags diag.Diagnostics
	attrs, err := tfval.Attrs(raw)
	if err == nil {
		err = read(attrs)
	}
	if err != nil {
		diags.AddError("Cannot read the configuration", fmt.Sprintf("%v. This is a bug in the provider; please report it.", err))
	}
	return diags
}

// result is the state or ephemeral result of the model's values: an object
// of the configuration's own type (which holds every attribute).
func result(raw tftypes.Value, vals map[string]attr.Value) tftypes.Value {
	return tftypes.NewValue(raw.Type(), tfval.Values(vals))
}

func (m *tokenModel) fill(ctx context.Context, c cred.Credential) diag.Diagnostics {
	headers, diags := types.MapValueFrom(ctx, types.StringType, c.Headers)
	m.Token = types.StringValue(c.Token)
	m.Headers = headers
	m.ExpiresAt = cloud.TimeString(c.ExpiresAt)
	m.Principal = cloud.OptString(c.Principal)
	m.Endpoint = types.StringValue(c.Endpoint)
	return diags
}

// Descriptions shared by the data source and the ephemeral resource.
var (
	tokenCloudDesc = "Cloud to get a token for: `" + strings.Join(cloudNames(), "`, `") + "`. " +
		"The provider configuration (a block, or the environment) must configure that cloud."
	tokenTokenDesc   = "The token."
	tokenHeadersDesc = func() string {
		var parts []string
		for _, c := range registry {
			parts = append(parts, c.TokenHeaders())
		}
		return "The headers the API expects the token in, ready for an HTTP client: " + strings.Join(parts, "; ") + "."
	}()
	tokenExpiresDesc   = "When the token expires (RFC 3339), where the API or the token itself says; otherwise null."
	tokenPrincipalDesc = "The user or login the token belongs to."
	tokenEndpointDesc  = "Base URL of the API the token is for."
)

// openTokens remembers the tokens that ephemeral resources handed out in
// this provider process, so that Close can revoke one without the token
// itself travelling in the resource's private data.
type openTokens struct {
	mu sync.Mutex
	m  map[string]openToken
}

type openToken struct {
	cloud string
	token string
}

func (o *openTokens) add(cloudName, token string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	handle := hex.EncodeToString(b)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[string]openToken{}
	}
	o.m[handle] = openToken{cloud: cloudName, token: token}
	return handle
}

func (o *openTokens) take(handle string) (openToken, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.m[handle]
	delete(o.m, handle)
	return t, ok
}
