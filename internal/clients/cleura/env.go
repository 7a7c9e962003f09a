package cleura

import "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"

// Environment variables that configure a client; the provider and the
// cloudauth command read the same ones.
var (
	EnvURL      = []string{"CLEURA_API_URL"}
	EnvUsername = []string{"CLEURA_API_USERNAME"}
	EnvPassword = []string{"CLEURA_API_PASSWORD"}
	EnvToken    = []string{"CLEURA_API_TOKEN"}
	EnvAuthAPI  = []string{"CLEURA_API_AUTH"}
)

// tokenEnv is a token as the provider (and Cleura's curl examples) take it
// from the environment: the API URL, the login and the token.
func (c *Client) tokenEnv(token string) []cred.EnvVar {
	return []cred.EnvVar{
		{Name: EnvURL[0], Value: c.Endpoint()},
		{Name: EnvUsername[0], Value: c.cfg.Username},
		{Name: EnvToken[0], Value: token},
	}
}
