package keystone

import "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"

// Environment variables of the OpenStack tools that configure a client,
// the first one set winning (the older OS_TENANT_*, OS_AUTH_TOKEN and
// OS_ENDPOINT_TYPE spellings are read after the current ones). The provider and the cloudauth command read
// the same ones.
var (
	EnvAuthURL                     = []string{"OS_AUTH_URL"}
	EnvRegion                      = []string{"OS_REGION_NAME"}
	EnvInterface                   = []string{"OS_INTERFACE", "OS_ENDPOINT_TYPE"}
	EnvApplicationCredentialID     = []string{"OS_APPLICATION_CREDENTIAL_ID"}
	EnvApplicationCredentialName   = []string{"OS_APPLICATION_CREDENTIAL_NAME"}
	EnvApplicationCredentialSecret = []string{"OS_APPLICATION_CREDENTIAL_SECRET"}
	EnvUserName                    = []string{"OS_USERNAME"}
	EnvUserID                      = []string{"OS_USER_ID"}
	EnvPassword                    = []string{"OS_PASSWORD"}
	EnvUserDomainName              = []string{"OS_USER_DOMAIN_NAME"}
	EnvUserDomainID                = []string{"OS_USER_DOMAIN_ID"}
	EnvProjectName                 = []string{"OS_PROJECT_NAME", "OS_TENANT_NAME"}
	EnvProjectID                   = []string{"OS_PROJECT_ID", "OS_TENANT_ID"}
	EnvProjectDomainName           = []string{"OS_PROJECT_DOMAIN_NAME"}
	EnvProjectDomainID             = []string{"OS_PROJECT_DOMAIN_ID"}
	EnvDomainName                  = []string{"OS_DOMAIN_NAME"}
	EnvDomainID                    = []string{"OS_DOMAIN_ID"}
	EnvToken                       = []string{"OS_TOKEN", "OS_AUTH_TOKEN"}
	EnvCloud                       = []string{"OS_CLOUD"}
	EnvInsecure                    = []string{"OS_INSECURE"}
	EnvCACert                      = []string{"OS_CACERT"}
	EnvCert                        = []string{"OS_CERT"}
	EnvKey                         = []string{"OS_KEY"}
	EnvPasscode                    = []string{"OS_PASSCODE"}
	EnvTOTPSecret                  = []string{"OS_TOTP_SECRET"}
	EnvSystemScope                 = []string{"OS_SYSTEM_SCOPE"}
	EnvDefaultDomain               = []string{"OS_DEFAULT_DOMAIN"}

	// EnvAuthType is not read by the provider: the OpenStack tools read
	// it to choose how to log in, and "v3token" makes them use OS_TOKEN
	// as it is.
	EnvAuthType = []string{"OS_AUTH_TYPE"}
)

// tokenEnv is a token as the OpenStack command line tools take it from the
// environment: OS_AUTH_TYPE=v3token with OS_TOKEN and the v3 OS_AUTH_URL
// (the provider reads those two as well). Those tools ask Keystone for a
// token of their own with the one they are given, so a project-scoped
// token names its project (else they would get an unscoped one); the
// region and interface are passed on when configured.
func (c *Client) tokenEnv(t *Token) []cred.EnvVar {
	env := []cred.EnvVar{
		{Name: EnvAuthType[0], Value: "v3token"},
		{Name: EnvAuthURL[0], Value: c.authURL},
		{Name: EnvToken[0], Value: t.ID},
	}
	if t.Project != nil && t.Project.ID != "" {
		env = append(env, cred.EnvVar{Name: EnvProjectID[0], Value: t.Project.ID})
	}
	if c.cfg.Region != "" {
		env = append(env, cred.EnvVar{Name: EnvRegion[0], Value: c.cfg.Region})
	}
	if c.cfg.Interface != "" {
		env = append(env, cred.EnvVar{Name: EnvInterface[0], Value: c.cfg.Interface})
	}
	return env
}
