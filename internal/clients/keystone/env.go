package keystone

import (
	"fmt"
	"slices"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
)

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
	// it to choose how to log in ("v3token" to re-issue OS_TOKEN,
	// "v3applicationcredential" to log in with an application
	// credential).
	EnvAuthType = []string{"OS_AUTH_TYPE"}
	// EnvCloudsFile and EnvSecureFile are where the OpenStack tools look
	// for clouds.yaml and secure.yaml first. The provider reads the first
	// (CloudsFiles) and the secure.yaml next to whichever clouds.yaml it
	// found, so a hand-off to OS_CLOUD names both files.
	EnvCloudsFile = []string{"OS_CLIENT_CONFIG_FILE"}
	EnvSecureFile = []string{"OS_CLIENT_SECURE_FILE"}
)

// CredentialOrigin is where the credentials a client logs in with came
// from: Credential.Env may pass back only what the user gave in the form
// it prints (an environment variable), or point at the file that holds it.
type CredentialOrigin int

const (
	// CredentialsElsewhere: the provider configuration, or not said.
	// Nothing of them is printed.
	CredentialsElsewhere CredentialOrigin = iota
	// CredentialsFromEnv: the OS_* variables of the login method, which
	// may be printed back as they were given.
	CredentialsFromEnv
	// CredentialsFromCloud: the clouds.yaml entry Handoff.Cloud (with
	// its secure.yaml), at least in part. Its secrets are never printed:
	// the tools are pointed at the entry.
	CredentialsFromCloud
)

// Handoff is what Credential.Env needs to know beyond the client's
// settings: where the credentials came from, and the clouds.yaml entry
// that held them.
type Handoff struct {
	From CredentialOrigin
	// Cloud is the clouds.yaml entry, CloudsFile the clouds.yaml it was
	// read from and SecureFile the secure.yaml merged into it ("" for
	// none).
	Cloud, CloudsFile, SecureFile string
	// CloudTLS: the entry sets a CA, a client certificate or verify:
	// false, which the tools no longer read once OS_CLOUD is unset.
	CloudTLS bool
}

// Delegated reports whether Keystone refuses to re-issue the token with
// the token method: a token issued for an application credential is
// delegated, and answers 403 "Using a delegated token to create another
// token is not allowed". (So are trust and OAuth tokens, which this
// client never logs in for.)
func (t *Token) Delegated() bool { return t.ApplicationCredential != nil }

// The variables each hand-off removes from the user's shell. keystoneauth
// gives every option a plugin does not know to the plugin, which fails
// with "unexpected keyword argument"; and a scope the token does not have
// would change it (or, next to an application credential, make Keystone
// refuse the login).
var (
	// loginVars are the credentials of every login method but a token,
	// and the clouds.yaml entry that may hold them.
	loginVars = slices.Concat(EnvCloud, EnvUserName, EnvUserID, EnvPassword, EnvUserDomainName, EnvUserDomainID,
		EnvApplicationCredentialID, EnvApplicationCredentialName, EnvApplicationCredentialSecret, EnvPasscode, EnvTOTPSecret)
	// scopeVars are every way of asking for a scope, OS_PROJECT_ID,
	// OS_DOMAIN_ID and OS_SYSTEM_SCOPE last (a hand-off sets one of them).
	scopeVars = slices.Concat(EnvProjectName, EnvProjectID[1:], EnvProjectDomainName, EnvProjectDomainID, EnvDomainName,
		EnvProjectID[:1], EnvDomainID, EnvSystemScope)
	// tokenVars are the token variables.
	tokenVars = EnvToken
)

// tokenEnv is how `cloudauth token --format env` hands the login to the
// OpenStack command line tools, in a shell that still holds the user's
// own OS_* variables, and the note for standard error when it is not the
// token itself.
//
// A token the tools can re-issue goes over as OS_AUTH_TYPE=v3token with
// OS_TOKEN, OS_AUTH_URL and the token's scope (OS_PROJECT_ID, OS_DOMAIN_ID
// or OS_SYSTEM_SCOPE=all: without it they would get an unscoped token with
// no catalog), and every other login setting unset. An application
// credential's token is delegated, and Keystone refuses to re-issue it, so
// the tools are given the application credential to log in with
// themselves: the OS_* variables it came in, or the clouds.yaml entry
// (OS_CLOUD) that holds it, whose secret stays in the file.
func (c *Client) tokenEnv(t *Token) ([]cred.EnvVar, string) {
	if !t.Delegated() {
		return c.reissueEnv(t), c.cloudTLSNote()
	}
	isAppCred := c.method == MethodAppCredID || c.method == MethodAppCredName
	switch {
	case isAppCred && c.cfg.Handoff.From == CredentialsFromEnv:
		return c.appCredEnv(), c.cloudTLSNote() + fmt.Sprintf("Keystone does not re-issue an application credential's token, so the openstack CLI cannot take it over: "+
			"these variables make it log in with the application credential itself (%s=v3applicationcredential, with the %s you set); OS_TOKEN is not set.",
			EnvAuthType[0], c.appCredNames())
	case isAppCred && c.cfg.Handoff.From == CredentialsFromCloud:
		return c.cloudEnv(), fmt.Sprintf("Keystone does not re-issue an application credential's token, so the openstack CLI cannot take it over: "+
			"these variables point it at the clouds.yaml entry %q (%s), whose application credential it logs in with itself; the secret stays in the file and OS_TOKEN is not set.",
			c.cfg.Handoff.Cloud, EnvCloud[0])
	}
	// A token that was given, or credentials this command cannot point
	// at: the token is all there is to hand over.
	return c.reissueEnv(t), fmt.Sprintf("this token was issued for application credential %q, and Keystone does not re-issue such a token: "+
		"the openstack CLI cannot use these variables (it fails with HTTP 403), though tools that send the token as it is can. "+
		"Give cloudauth the application credential itself (%s and %s, or OS_CLOUD) rather than its token.",
		t.ApplicationCredential.Name, EnvApplicationCredentialID[0], EnvApplicationCredentialSecret[0])
}

// reissueEnv hands over the token for the tools to re-issue with its scope.
func (c *Client) reissueEnv(t *Token) []cred.EnvVar {
	var scope cred.EnvVar
	switch {
	case t.Project != nil && t.Project.ID != "":
		scope = cred.EnvVar{Name: EnvProjectID[0], Value: t.Project.ID}
	case t.Domain != nil && t.Domain.ID != "":
		scope = cred.EnvVar{Name: EnvDomainID[0], Value: t.Domain.ID}
	case t.System != nil && t.System.All:
		scope = cred.EnvVar{Name: EnvSystemScope[0], Value: "all"}
	}
	env := unset(slices.Concat(loginVars, tokenVars[1:], scopeVars), scope.Name)
	env = append(env,
		cred.EnvVar{Name: EnvAuthType[0], Value: "v3token"},
		cred.EnvVar{Name: EnvAuthURL[0], Value: c.authURL},
		cred.EnvVar{Name: EnvToken[0], Value: t.ID},
	)
	if scope.Name != "" {
		env = append(env, scope)
	}
	return c.withEndpoint(env)
}

// appCredEnv passes the application credential back in the variables the
// user gave it in.
func (c *Client) appCredEnv() []cred.EnvVar {
	drop := slices.Concat(EnvCloud, tokenVars, EnvPasscode, EnvTOTPSecret, scopeVars)
	keep := []cred.EnvVar{
		{Name: EnvAuthType[0], Value: "v3applicationcredential"},
		{Name: EnvAuthURL[0], Value: c.authURL},
	}
	if c.method == MethodAppCredID {
		drop = append(drop, EnvApplicationCredentialName...)
		keep = append(keep, cred.EnvVar{Name: EnvApplicationCredentialID[0], Value: c.cfg.ApplicationCredentialID})
	} else {
		// By name, the credential is the user's: by id, or by name in a
		// domain (default_domain may have filled it in).
		drop = append(drop, EnvApplicationCredentialID...)
		keep = append(keep, cred.EnvVar{Name: EnvApplicationCredentialName[0], Value: c.cfg.ApplicationCredentialName})
		switch {
		case c.cfg.UserID != "":
			drop = slices.Concat(drop, EnvUserName, EnvUserDomainName, EnvUserDomainID)
			keep = append(keep, cred.EnvVar{Name: EnvUserID[0], Value: c.cfg.UserID})
		case c.cfg.UserDomainID != "":
			drop = slices.Concat(drop, EnvUserID, EnvUserDomainName)
			keep = append(keep, cred.EnvVar{Name: EnvUserName[0], Value: c.cfg.UserName}, cred.EnvVar{Name: EnvUserDomainID[0], Value: c.cfg.UserDomainID})
		default:
			drop = slices.Concat(drop, EnvUserID, EnvUserDomainID)
			keep = append(keep, cred.EnvVar{Name: EnvUserName[0], Value: c.cfg.UserName}, cred.EnvVar{Name: EnvUserDomainName[0], Value: c.cfg.UserDomainName})
		}
	}
	keep = append(keep, cred.EnvVar{Name: EnvApplicationCredentialSecret[0], Value: c.cfg.ApplicationCredentialSecret, Secret: true})
	return c.withEndpoint(append(unset(drop, ""), keep...))
}

func (c *Client) appCredNames() string {
	if c.method == MethodAppCredID {
		return EnvApplicationCredentialID[0] + " and " + EnvApplicationCredentialSecret[0]
	}
	return EnvApplicationCredentialName[0] + ", the user and " + EnvApplicationCredentialSecret[0]
}

// cloudEnv points the tools at the clouds.yaml entry the credentials came
// from, and at the very files the client read (the tools would otherwise
// look for secure.yaml elsewhere than next to OS_CLIENT_CONFIG_FILE). What
// the user set beside OS_CLOUD stays: the client laid it over the entry,
// and so do the tools; only a token and scopes go, which an application
// credential cannot have.
func (c *Client) cloudEnv() []cred.EnvVar {
	h := c.cfg.Handoff
	env := unset(slices.Concat(tokenVars, EnvPasscode, EnvTOTPSecret, scopeVars), "")
	env = append(env,
		cred.EnvVar{Name: EnvAuthType[0], Value: "v3applicationcredential"},
		cred.EnvVar{Name: EnvCloud[0], Value: h.Cloud},
	)
	if h.CloudsFile != "" {
		env = append(env, cred.EnvVar{Name: EnvCloudsFile[0], Value: h.CloudsFile})
	}
	if h.SecureFile != "" {
		env = append(env, cred.EnvVar{Name: EnvSecureFile[0], Value: h.SecureFile})
	}
	return c.withEndpoint(env)
}

// withEndpoint adds the region and interface the client chooses endpoints
// with, when configured.
func (c *Client) withEndpoint(env []cred.EnvVar) []cred.EnvVar {
	if c.cfg.Region != "" {
		env = append(env, cred.EnvVar{Name: EnvRegion[0], Value: c.cfg.Region})
	}
	if c.cfg.Interface != "" {
		env = append(env, cred.EnvVar{Name: EnvInterface[0], Value: c.cfg.Interface})
	}
	return env
}

// cloudTLSNote warns, when OS_CLOUD goes away, that the entry's TLS
// settings go with it.
func (c *Client) cloudTLSNote() string {
	h := c.cfg.Handoff
	if h.Cloud == "" || !h.CloudTLS {
		return ""
	}
	return fmt.Sprintf("%s is unset, so the openstack CLI no longer reads the TLS settings of clouds.yaml entry %q (cacert, cert and key, verify): "+
		"set %s (and %s, %s) or %s=true if it needs them. ", EnvCloud[0], h.Cloud, EnvCACert[0], EnvCert[0], EnvKey[0], EnvInsecure[0])
}

// unset lists the names as variables to unset, less keep.
func unset(names []string, keep string) []cred.EnvVar {
	out := make([]cred.EnvVar, 0, len(names))
	for _, n := range names {
		if n != keep {
			out = append(out, cred.EnvVar{Name: n, Unset: true})
		}
	}
	return out
}
