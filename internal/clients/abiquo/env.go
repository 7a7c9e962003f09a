package abiquo

import "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"

// Environment variables that configure a client; the provider and the
// cloudauth command read the same ones.
var (
	EnvEndpoint   = []string{"ABQ_ENDPOINT"}
	EnvUsername   = []string{"ABQ_USERNAME"}
	EnvPassword   = []string{"ABQ_PASSWORD"}
	EnvToken      = []string{"ABQ_TOKEN"}
	EnvOTPSecret  = []string{"ABQ_OTP_SECRET"}
	EnvOTP        = []string{"ABQ_OTP"}
	EnvAPIVersion = []string{"ABQ_API_VERSION"}

	EnvConsumerKey       = []string{"ABQ_CONSUMER_KEY"}
	EnvConsumerSecret    = []string{"ABQ_CONSUMER_SECRET"}
	EnvAccessToken       = []string{"ABQ_ACCESS_TOKEN"}
	EnvAccessTokenSecret = []string{"ABQ_ACCESS_TOKEN_SECRET"}
)

// tokenEnv is a token as the provider takes it from the environment: the
// endpoint, the token and the user it belongs to (the one who logged in,
// which OAuth 1.0a credentials do not name).
func (c *Client) tokenEnv(user, token string) []cred.EnvVar {
	return []cred.EnvVar{
		{Name: EnvEndpoint[0], Value: c.Endpoint()},
		{Name: EnvUsername[0], Value: user},
		{Name: EnvToken[0], Value: token},
	}
}
