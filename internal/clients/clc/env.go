package clc

// Environment variables that configure a client, first one set winning.
// The CLC_V2_API_* names are those of CenturyLink's own SDK and tools; the
// provider and the cloudauth command read the same ones.
var (
	EnvURL          = []string{"CLC_API_URL"}
	EnvUsername     = []string{"CLC_USERNAME", "CLC_V2_API_USERNAME"}
	EnvPassword     = []string{"CLC_PASSWORD", "CLC_V2_API_PASSWD"}
	EnvAccountAlias = []string{"CLC_ACCOUNT", "CLC_ACCT_ALIAS"}
)

// DefaultURL is the public API.
const DefaultURL = "https://api.ctl.io"
