package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
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
	Cloud     types.String `tfsdk:"cloud"`
	Token     types.String `tfsdk:"token"`
	Headers   types.Map    `tfsdk:"headers"`
	ExpiresAt types.String `tfsdk:"expires_at"`
	Principal types.String `tfsdk:"principal"`
	Endpoint  types.String `tfsdk:"endpoint"`
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
