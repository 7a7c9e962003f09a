package cleura

// Environment variables that configure a client; the provider and the
// cloudauth command read the same ones.
var (
	EnvURL      = []string{"CLEURA_API_URL"}
	EnvUsername = []string{"CLEURA_API_USERNAME"}
	EnvPassword = []string{"CLEURA_API_PASSWORD"}
	EnvToken    = []string{"CLEURA_API_TOKEN"}
	EnvAuthAPI  = []string{"CLEURA_API_AUTH"}
)
