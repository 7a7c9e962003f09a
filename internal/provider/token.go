package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// The cloudauth_token data source and ephemeral resource share this file:
// what they need from each cloud's client, the model, and the messages.

// tokenClient is what the token data source and ephemeral resource need
// from a cloud's client. Credential returns the client's cached token (the
// same one its data sources use), so reading it costs no extra login.
type tokenClient interface {
	Credential(ctx context.Context) (cred.Credential, error)
	// Relogin drops the cached token and logs in again.
	Relogin(ctx context.Context) (cred.Credential, error)
}

// tokenRevoker is implemented by clients whose API can revoke a token.
type tokenRevoker interface {
	Revoke(ctx context.Context, token string) error
}

// ownTokenIssuer is implemented by clients that can log in for a token
// outside their cache, which can then be revoked without ending the token
// the provider's other reads use.
type ownTokenIssuer interface {
	IssueToken(ctx context.Context) (cred.Credential, error)
}

// loginCapable tells whether a client can get a new token by itself; one
// configured with only a token cannot. Clients without it always can.
type loginCapable interface {
	CanLogin() bool
}

func canLogin(c tokenClient) bool {
	if lc, ok := c.(loginCapable); ok {
		return lc.CanLogin()
	}
	return true
}

var tokenClouds = []string{"keystone", "cleura", "abiquo", "clc"}

// tokenTarget is one cloud as the token data source and ephemeral
// resource see it.
type tokenTarget struct {
	client tokenClient
	spec   *blockSpec
	// diagnose says what went wrong and what to do, in the cloud's terms.
	diagnose func(err error) (summary, detail string)
}

// tokenTarget returns a cloud's client for the token data source or
// ephemeral resource named user.
func (d *providerData) tokenTarget(cloud, user string) (*tokenTarget, diag.Diagnostics) {
	generic := func(spec *blockSpec) func(error) (string, string) {
		return func(err error) (string, string) { return credentialError(spec, err) }
	}
	switch cloud {
	case "keystone":
		c, diags := d.keystone.use(user)
		if diags.HasError() {
			return nil, diags
		}
		return &tokenTarget{client: c, spec: keystoneSpec, diagnose: func(err error) (string, string) {
			d := keystoneLoginDiag(c, err)
			return d.Summary(), d.Detail()
		}}, diags
	case "abiquo":
		c, diags := d.abiquo.use(user)
		if diags.HasError() {
			return nil, diags
		}
		return &tokenTarget{client: c, spec: abiquoSpec, diagnose: func(err error) (string, string) {
			d := abiquoDiagnostic(c, "Cannot get an Abiquo token", err)
			return d.Summary(), d.Detail()
		}}, diags
	case "clc":
		c, diags := d.clc.use(user)
		if diags.HasError() {
			return nil, diags
		}
		return &tokenTarget{client: c, spec: clcSpec, diagnose: generic(clcSpec)}, diags
	case "cleura":
		s, diags := d.cleura.use(user)
		if diags.HasError() {
			return nil, diags
		}
		return &tokenTarget{client: s.api, spec: cleuraSpec, diagnose: func(err error) (string, string) {
			return s.diagnose(err, "get a token")
		}}, diags
	}
	// The schema's validator allows only the four clouds above.
	var diags diag.Diagnostics
	diags.AddError("Unknown cloud "+cloud, fmt.Sprintf("%s: cloud must be one of %v.", user, tokenClouds))
	return nil, diags
}

type tokenModel struct {
	Cloud     types.String `tfsdk:"cloud"`
	Token     types.String `tfsdk:"token"`
	Headers   types.Map    `tfsdk:"headers"`
	ExpiresAt types.String `tfsdk:"expires_at"`
	Principal types.String `tfsdk:"principal"`
	Endpoint  types.String `tfsdk:"endpoint"`
}

func (m *tokenModel) fill(c cred.Credential) diag.Diagnostics {
	headers, diags := types.MapValueFrom(context.Background(), types.StringType, c.Headers)
	m.Token = types.StringValue(c.Token)
	m.Headers = headers
	m.ExpiresAt = types.StringNull()
	if !c.ExpiresAt.IsZero() {
		m.ExpiresAt = types.StringValue(c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	m.Principal = optString(c.Principal)
	m.Endpoint = types.StringValue(c.Endpoint)
	return diags
}

// Descriptions shared by the data source and the ephemeral resource.
const (
	tokenCloudDesc = "Cloud to get a token for: `keystone`, `cleura`, `abiquo` or `clc`. " +
		"The provider block (or environment) must configure that cloud."
	tokenTokenDesc   = "The token."
	tokenHeadersDesc = "The headers the API expects the token in, ready for an HTTP client: " +
		"`X-Auth-Token` (Keystone); `X-AUTH-LOGIN` and `X-AUTH-TOKEN` (Cleura); " +
		"`Authorization = \"Token ...\"` (Abiquo); `Authorization = \"Bearer ...\"` (CenturyLink Cloud)."
	tokenExpiresDesc   = "When the token expires (RFC 3339), where the API says: Keystone does; Cleura, Abiquo and CenturyLink Cloud do not, and it is null."
	tokenPrincipalDesc = "The user or login the token belongs to."
	tokenEndpointDesc  = "Base URL of the API the token is for."
)

// credentialError describes a failed login for the token's user.
func credentialError(spec *blockSpec, err error) (string, string) {
	detail := err.Error()
	if errors.Is(err, httpx.ErrNeedsNewCredential) {
		return "A new " + spec.title + " credential is needed", detail
	}
	if d := fallbackDetail(spec, err); d != detail {
		return "Cannot get a " + spec.title + " token", d
	}
	if spec.loginHint != "" {
		detail += "\n\n" + spec.loginHint
	}
	return "Cannot get a " + spec.title + " token", detail
}

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

func (o *openTokens) add(cloud, token string) string {
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
	o.m[handle] = openToken{cloud: cloud, token: token}
	return handle
}

func (o *openTokens) take(handle string) (openToken, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.m[handle]
	delete(o.m, handle)
	return t, ok
}
