package abiquo

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
