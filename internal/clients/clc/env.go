package clc

import (
	"strings"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
)

// Environment variables that configure a client, first one set winning.
// The CLC_V2_API_* names are those of CenturyLink's own SDK and tools; the
// provider and the cloudauth command read the same ones.
var (
	EnvURL          = []string{"CLC_API_URL"}
	EnvUsername     = []string{"CLC_USERNAME", "CLC_V2_API_USERNAME"}
	EnvPassword     = []string{"CLC_PASSWORD", "CLC_V2_API_PASSWD"}
	EnvAccountAlias = []string{"CLC_ACCOUNT", "CLC_ACCT_ALIAS"}

	// EnvBearerToken is a token from an earlier login: `cloudauth token clc
	// --format env` writes it for scripts (which send it as
	// "Authorization: Bearer $CLC_BEARER_TOKEN"), and the provider and the
	// command use it instead of logging in.
	EnvBearerToken = []string{"CLC_BEARER_TOKEN"}
)

// tokenEnv is a token as scripts take it from the environment: the API
// URL, the bearer token, and the account alias that most URLs name (the
// configured one, else the login's).
func (c *Client) tokenEnv(lr *LoginResult, token string) []cred.EnvVar {
	alias := c.cfg.AccountAlias
	if alias == "" {
		alias = lr.AccountAlias
	}
	env := []cred.EnvVar{
		{Name: EnvURL[0], Value: c.Endpoint()},
		{Name: EnvBearerToken[0], Value: token},
	}
	if alias != "" {
		env = append(env, cred.EnvVar{Name: EnvAccountAlias[0], Value: strings.ToUpper(alias)})
	}
	return env
}

// DefaultURL is the public API.
const DefaultURL = "https://api.ctl.io"
