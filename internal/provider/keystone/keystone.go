// Package keystone is OpenStack Keystone v3 on the Terraform side: the
// provider's keystone block (with clouds.yaml), its Configure, the
// cloudauth_keystone_catalog data source, and the diagnostics for the
// client's errors.
package keystone

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

// Name is the block's name and cloudauth_token's cloud value.
const Name = "keystone"

const title = "OpenStack Keystone"

// Cloud registers Keystone with the provider.
type Cloud struct{}

var _ cloud.Cloud = Cloud{}

// settings are the keystone block's values after the environment,
// clouds.yaml and defaults.
type settings struct {
	AuthURL, Region, Interface                                 cloud.Value[string]
	AppCredID, AppCredName, AppCredSecret                      cloud.Value[string]
	UserName, UserID, Password, UserDomainName, UserDomainID   cloud.Value[string]
	Passcode, TOTPSecret                                       cloud.Value[string]
	ProjectName, ProjectID, ProjectDomainName, ProjectDomainID cloud.Value[string]
	DomainName, DomainID, SystemScope, DefaultDomain           cloud.Value[string]
	Token                                                      cloud.Value[string]
	Cloud                                                      cloud.Value[string]
	EndpointOverrides                                          cloud.Value[map[string]string]
	cloud.Transport
}

// field binds one setting of the block to the client's Config, which is
// also how a clouds.yaml entry comes (CloudEntry.Config): the block, the
// environment and the file fill the same fields.
type field struct {
	attr   cloud.Attr[settings]
	config func(*api.Config) *string
}

func conflictsWith(names ...string) validator.String {
	paths := make([]path.Expression, len(names))
	for i, n := range names {
		paths[i] = path.MatchRelative().AtParent().AtName(n)
	}
	return stringvalidator.ConflictsWith(paths...)
}

var fields = []field{
	{cloud.String("auth_url", func(s *settings) *cloud.Value[string] { return &s.AuthURL },
		"Identity endpoint, with or without the trailing `/v3` (`https://in-west3.controlcloud.app:5000`).").
		Env(api.EnvAuthURL...).Validate(cloud.URLValidator()),
		func(c *api.Config) *string { return &c.AuthURL }},
	{cloud.String("region", func(s *settings) *cloud.Value[string] { return &s.Region },
		"Region used by the catalog's `endpoints` map when a data source does not name one.").Env(api.EnvRegion...),
		func(c *api.Config) *string { return &c.Region }},
	{cloud.String("interface", func(s *settings) *cloud.Value[string] { return &s.Interface },
		"Endpoint interface the catalog's `endpoints` map picks: `public` (default), `internal` or `admin`.").
		Env(api.EnvInterface...).Validate(stringvalidator.OneOf("public", "internal", "admin", "publicURL", "internalURL", "adminURL")),
		func(c *api.Config) *string { return &c.Interface }},
	{cloud.String("application_credential_id", func(s *settings) *cloud.Value[string] { return &s.AppCredID },
		"Application credential ID; used with `application_credential_secret`.").
		Env(api.EnvApplicationCredentialID...).Validate(conflictsWith("application_credential_name", "token")),
		func(c *api.Config) *string { return &c.ApplicationCredentialID }},
	{cloud.String("application_credential_name", func(s *settings) *cloud.Value[string] { return &s.AppCredName },
		"Application credential name; needs `application_credential_secret` and the user (`user_id`, or `user_name` with `user_domain_name` or `user_domain_id`).").
		Env(api.EnvApplicationCredentialName...).Validate(conflictsWith("token")),
		func(c *api.Config) *string { return &c.ApplicationCredentialName }},
	{cloud.String("application_credential_secret", func(s *settings) *cloud.Value[string] { return &s.AppCredSecret },
		"Application credential secret.").Env(api.EnvApplicationCredentialSecret...).Sensitive().Validate(conflictsWith("token", "password")),
		func(c *api.Config) *string { return &c.ApplicationCredentialSecret }},
	{cloud.String("user_name", func(s *settings) *cloud.Value[string] { return &s.UserName },
		"User name for password login or to find a named application credential; needs the user's domain.").Env(api.EnvUserName...),
		func(c *api.Config) *string { return &c.UserName }},
	{cloud.String("user_id", func(s *settings) *cloud.Value[string] { return &s.UserID },
		"User ID for password login or to find a named application credential.").Env(api.EnvUserID...),
		func(c *api.Config) *string { return &c.UserID }},
	{cloud.String("password", func(s *settings) *cloud.Value[string] { return &s.Password },
		"Password of the user.").Env(api.EnvPassword...).Sensitive().Validate(conflictsWith("token")),
		func(c *api.Config) *string { return &c.Password }},
	{cloud.String("user_domain_name", func(s *settings) *cloud.Value[string] { return &s.UserDomainName },
		"Domain name of the user named by `user_name`.").Env(api.EnvUserDomainName...),
		func(c *api.Config) *string { return &c.UserDomainName }},
	{cloud.String("user_domain_id", func(s *settings) *cloud.Value[string] { return &s.UserDomainID },
		"Domain ID of the user named by `user_name`.").Env(api.EnvUserDomainID...),
		func(c *api.Config) *string { return &c.UserDomainID }},
	{cloud.String("project_name", func(s *settings) *cloud.Value[string] { return &s.ProjectName },
		"Project to scope a password token to, by name; needs `project_domain_name` or `project_domain_id`.").Env(api.EnvProjectName...),
		func(c *api.Config) *string { return &c.ProjectName }},
	{cloud.String("project_id", func(s *settings) *cloud.Value[string] { return &s.ProjectID },
		"Project to scope a password token to, by ID.").Env(api.EnvProjectID...),
		func(c *api.Config) *string { return &c.ProjectID }},
	{cloud.String("project_domain_name", func(s *settings) *cloud.Value[string] { return &s.ProjectDomainName },
		"Domain name of the project named by `project_name`.").Env(api.EnvProjectDomainName...),
		func(c *api.Config) *string { return &c.ProjectDomainName }},
	{cloud.String("project_domain_id", func(s *settings) *cloud.Value[string] { return &s.ProjectDomainID },
		"Domain ID of the project named by `project_name`.").Env(api.EnvProjectDomainID...),
		func(c *api.Config) *string { return &c.ProjectDomainID }},
	{cloud.String("domain_name", func(s *settings) *cloud.Value[string] { return &s.DomainName },
		"Domain to scope a password token to, by name, when no project is given.").Env(api.EnvDomainName...),
		func(c *api.Config) *string { return &c.DomainName }},
	{cloud.String("domain_id", func(s *settings) *cloud.Value[string] { return &s.DomainID },
		"Domain to scope a password token to, by ID, when no project is given.").Env(api.EnvDomainID...),
		func(c *api.Config) *string { return &c.DomainID }},
	{cloud.String("passcode", func(s *settings) *cloud.Value[string] { return &s.Passcode },
		"A one-time code from the user's authenticator app, for Keystone's `totp` method. Keystone's multi-factor rules decide whether it is needed: "+
			"it is sent only when a password login is answered with a receipt that asks for `totp`, and for one login at most, so it serves a single Terraform command. "+
			"Prefer `totp_secret`.").Env(api.EnvPasscode...).Sensitive().Validate(conflictsWith("totp_secret")),
		func(c *api.Config) *string { return &c.Passcode }},
	{cloud.String("totp_secret", func(s *settings) *cloud.Value[string] { return &s.TOTPSecret },
		"The user's TOTP secret (base32, or an `otpauth://totp/...` URL): the provider makes a fresh code for every login and sends it "+
			"with the password (Keystone's `password` and `totp` methods).").Env(api.EnvTOTPSecret...).Sensitive(),
		func(c *api.Config) *string { return &c.TOTPSecret }},
	{cloud.String("system_scope", func(s *settings) *cloud.Value[string] { return &s.SystemScope },
		"Scope a password token to the system (`all`) instead of a project or domain, for cloud-wide administration.").
		Env(api.EnvSystemScope...).Validate(stringvalidator.OneOf("all")),
		func(c *api.Config) *string { return &c.SystemScope }},
	{cloud.String("default_domain", func(s *settings) *cloud.Value[string] { return &s.DefaultDomain },
		"Domain ID (such as `default`) of a user or project named without its domain.").Env(api.EnvDefaultDomain...),
		func(c *api.Config) *string { return &c.DefaultDomain }},
	{cloud.String("token", func(s *settings) *cloud.Value[string] { return &s.Token },
		"An existing token to use instead of logging in.").Env(api.EnvToken...).Sensitive(),
		func(c *api.Config) *string { return &c.Token }},
}

var block = &cloud.Block[settings]{
	Name:  Name,
	Title: title,
	Description: "OpenStack Keystone v3 (for example CloudPe). The provider asks `POST /v3/auth/tokens` for a token " +
		"with an application credential, a password or an existing token, and reads the token's user, project, " +
		"roles and service catalog from the same answer. Values here override `clouds.yaml` (see `cloud`) and " +
		"the `OS_*` environment variables.",
	Attrs: func() []cloud.Attr[settings] {
		var out []cloud.Attr[settings]
		for _, f := range fields {
			out = append(out, f.attr)
		}
		out = append(out, cloud.String("cloud", func(s *settings) *cloud.Value[string] { return &s.Cloud },
			"Entry of `clouds.yaml` (and `secure.yaml`) to read, searched in the current directory, `~/.config/openstack` and `/etc/openstack` (or `OS_CLIENT_CONFIG_FILE`). Attributes set here override the entry.").Env(api.EnvCloud...),
			cloud.Map("endpoint_overrides", func(s *settings) *cloud.Value[map[string]string] { return &s.EndpointOverrides },
				"Service type to URL (`{ compute = \"https://nova.example.com/v2.1\" }`): the catalog's `endpoints` map gives these URLs instead of the catalog's, for a service the catalog lists wrongly or not at all. The `catalog` list stays as Keystone sent it."))
		return append(out, cloud.TransportAttrs(func(s *settings) *cloud.Transport { return &s.Transport },
			cloud.TransportEnv{Insecure: api.EnvInsecure, CACert: api.EnvCACert, ClientCert: api.EnvCert, ClientKey: api.EnvKey})...)
	}(),
	Triggers: append(append([]string{}, api.EnvAuthURL...), api.EnvCloud...),
	Setup: "Add `keystone { auth_url = ..., application_credential_id = ..., application_credential_secret = ... }` " +
		"(or a user and password, or `cloud` naming a clouds.yaml entry) to the provider configuration, or set " +
		"OS_AUTH_URL with OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET (or OS_CLOUD).",
}

// Name implements cloud.Cloud.
func (Cloud) Name() string { return Name }

// Title implements cloud.Cloud.
func (Cloud) Title() string { return title }

// Block implements cloud.Cloud.
func (Cloud) Block() schema.Block { return block.Schema() }

// TokenHeaders implements cloud.Cloud.
func (Cloud) TokenHeaders() string { return "`X-Auth-Token` (Keystone)" }

// DataSources implements cloud.Cloud.
func (Cloud) DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{newCatalogDataSource}
}

// Configure implements cloud.Cloud. The order is: the block, then the
// environment, then the clouds.yaml entry, then the defaults; but the way
// of logging in is chosen from the first of these that names one, so that
// an OS_TOKEN in the environment never overrides the credentials the block
// gives (or the reverse for the entry).
func (Cloud) Configure(ctx context.Context, req cloud.ConfigureRequest) *cloud.State {
	s, r := block.Resolve(ctx, req)
	if !r.Triggered(block.Triggers...) {
		return r.NotConfigured()
	}
	var (
		baseTLS *tls.Config
		entry   *api.CloudEntry
	)
	if name := s.Cloud.V; name != "" {
		var err error
		entry, err = api.LoadCloud(name, req.Getenv)
		if err != nil {
			r.FailOn(s.Cloud, "Cannot read clouds.yaml",
				fmt.Sprintf("%s names a clouds.yaml entry that cannot be used: %s. Check the entry's name and the file, or point OS_CLIENT_CONFIG_FILE at the right file.",
					s.Cloud.Hint(), err))
			return r.Configured(nil, nil)
		}
		r.ReadFrom("clouds.yaml " + entry.File)
		for _, w := range entry.Warnings {
			r.WarnOn(s.Cloud, "A key of clouds.yaml is ignored", httpx.Printable(w)+
				". Correct the key in the file: a key that is not one of those OpenStack clients read is ignored, and the login then lacks its value.")
		}
		for _, f := range fields {
			v := f.attr.Field(s)
			if val := *f.config(&entry.Config); val != "" && !v.Given() {
				*v = v.With(val, cloud.FromFile, "clouds.yaml "+entry.File)
			}
		}
		if entry.Insecure && !s.Insecure.Given() {
			s.Insecure = s.Insecure.With(true, cloud.FromFile, "clouds.yaml "+entry.File)
		}
		baseTLS = entry.TLS
	}
	keepOneMethod(s, r)
	s.CheckURL(r, s.AuthURL)
	hc := s.HTTP(r, req, "")
	hc.BaseTLS = baseTLS
	if r.Failed() {
		return r.Configured(nil, nil)
	}
	cfg := api.Config{HTTP: hc, EndpointOverrides: s.EndpointOverrides.V, Handoff: handoff(s, entry)}
	for _, f := range fields {
		*f.config(&cfg) = f.attr.Field(s).V
	}
	c, err := api.New(cfg)
	if err != nil {
		extra := ""
		if s.Cloud.V != "" {
			extra = fmt.Sprintf(" Values may also come from the clouds.yaml entry %q.", s.Cloud.V)
		}
		cloud.ConfigError(r, block, s, err, extra)
		return r.Configured(nil, nil)
	}
	sess := &session{api: c, s: s}
	return r.Configured(sess, &cloud.TokenTarget{Source: c, Diagnose: sess.diagnose})
}

// session is what the data sources get: the client, and the settings it
// was made from, so that messages name the settings in use and where each
// came from.
type session struct {
	api *api.Client
	s   *settings
}

// handoff tells the client where its application credential came from,
// so that `cloudauth token --format env` hands the OpenStack tools the
// same one in the same form: the user's own variables, or the clouds.yaml
// entry (when any part of it came from there, the entry is what the tools
// must read too).
func handoff(s *settings, entry *api.CloudEntry) api.Handoff {
	var h api.Handoff
	if entry != nil {
		h.Cloud, h.CloudsFile, h.SecureFile, h.CloudTLS = entry.Name, entry.File, entry.SecureFile, entry.HasTLS()
	}
	given := 0
	origins := map[cloud.Origin]bool{}
	for _, v := range []cloud.Value[string]{s.AppCredID, s.AppCredName, s.AppCredSecret} {
		if v.Given() {
			given++
			origins[v.Origin] = true
		}
	}
	switch {
	case origins[cloud.FromFile]:
		h.From = api.CredentialsFromCloud
	case given > 0 && len(origins) == 1 && origins[cloud.FromEnv]:
		h.From = api.CredentialsFromEnv
	}
	return h
}

// keepOneMethod lets the highest source (block, environment, clouds.yaml)
// choose the way of logging in, and warns about an application
// credential's scope settings, which Keystone would refuse.
func keepOneMethod(s *settings, r *cloud.Resolver) {
	first := r.KeepOneSource(
		cloud.Method{Name: "a token", Settings: []*cloud.Value[string]{&s.Token}},
		cloud.Method{Name: "an application credential", Settings: []*cloud.Value[string]{&s.AppCredID, &s.AppCredName, &s.AppCredSecret}},
		cloud.Method{Name: "a password or one-time codes", Settings: []*cloud.Value[string]{&s.Password, &s.Passcode, &s.TOTPSecret}},
	)
	if first != 1 {
		return
	}
	for _, v := range []cloud.Value[string]{s.ProjectID, s.ProjectName, s.DomainID, s.DomainName} {
		if v.V != "" {
			r.WarnOn(v, "Keystone scope ignored for an application credential",
				fmt.Sprintf("%s (from %s) is not sent: an application credential is bound to the project it was created in, and Keystone refuses a scope next to it. "+
					"The token is scoped to the credential's own project.", v.Name(), v.From()))
		}
	}
}

// diagnose explains a failed login or read: what was refused, Keystone's
// own answer, and which of the settings in use to check. Secrets never
// appear: the client masks them.
func (sess *session) diagnose(err error) diag.Diagnostic {
	s := sess.s
	var (
		le    *api.LoginError
		te    *httpx.TransportError
		ee    *api.EndpointError
		mfa   *api.MFARequiredError
		spent *api.PasscodeSpentError
	)
	newToken := fmt.Sprintf("Issue a new token (for example `openstack token issue`) and put it in %s, or remove %s and give credentials "+
		"(an application credential, or a user and password) so that the provider logs in by itself.", s.Token.Where(), s.Token.From())
	switch {
	case errors.As(err, &mfa):
		return diag.NewErrorDiagnostic("Keystone wants a second factor",
			fmt.Sprintf("%s.\n\nSet %s so that the provider makes a code for every login, or %s for one run.", err, s.TOTPSecret.Hint(), s.Passcode.Hint()))
	case errors.As(err, &spent):
		return diag.NewErrorDiagnostic("Keystone one-time code already used",
			fmt.Sprintf("%s.\n\nSet %s so that a code is made for every login.", err, s.TOTPSecret.Hint()))
	case errors.As(err, &ee):
		return diag.NewErrorDiagnostic("Keystone not found at auth_url",
			fmt.Sprintf("%s\n\nSet %s to the identity endpoint (for example https://keystone.example.com:5000 or its /v3 URL), not a dashboard or another service.", err, s.AuthURL.Hint()))
	case errors.Is(err, api.ErrTokenRejected):
		return diag.NewErrorDiagnostic("Keystone token no longer accepted", fmt.Sprintf("%s. %s", err, newToken))
	case errors.As(err, &le) && le.Method == api.MethodToken:
		return diag.NewErrorDiagnostic("Keystone token not accepted",
			fmt.Sprintf("%s\n\nThe token has expired or was revoked (or is not a token of this Keystone). %s", err, newToken))
	case errors.As(err, &le):
		return diag.NewErrorDiagnostic("Keystone login failed",
			fmt.Sprintf("%s\n\nCheck %s.", err, strings.Join(sess.loginSettings(le), ", ")))
	case errors.As(err, &te) && te.Kind != httpx.KindTooLarge:
		return diag.NewErrorDiagnostic("Cannot reach Keystone",
			fmt.Sprintf("%s\n\nCheck %s and that the host is reachable from here.", err, s.AuthURL.Hint()))
	}
	return cloud.Fallback("Keystone login failed", title, s.AuthURL, err)
}

// loginSettings names the settings a refused login was made of, each with
// where it came from: those of the step Keystone refused, of those given.
func (sess *session) loginSettings(le *api.LoginError) []string {
	s := sess.s
	code := []cloud.Value[string]{s.Passcode, s.TOTPSecret}
	var candidates []cloud.Value[string]
	switch le.Method {
	case api.MethodAppCredID:
		candidates = []cloud.Value[string]{s.AppCredID, s.AppCredSecret}
	case api.MethodAppCredName:
		candidates = []cloud.Value[string]{s.AppCredName, s.AppCredSecret, s.UserID, s.UserName, s.UserDomainName, s.UserDomainID, s.DefaultDomain}
	default:
		if le.Receipt {
			// The first step was accepted: only what the second sent
			// can be wrong.
			if slices.Contains(le.Methods, "password") {
				candidates = append(candidates, s.Password)
			}
			if slices.Contains(le.Methods, "totp") {
				candidates = append(candidates, code...)
			}
			break
		}
		candidates = []cloud.Value[string]{s.UserName, s.UserID, s.UserDomainName, s.UserDomainID, s.DefaultDomain, s.Password}
		candidates = append(candidates, code...)
		candidates = append(candidates, s.ProjectName, s.ProjectID, s.ProjectDomainName, s.ProjectDomainID, s.DomainName, s.DomainID, s.SystemScope)
	}
	var out []string
	for _, v := range candidates {
		if v.Given() {
			out = append(out, v.Where())
		}
	}
	if len(out) == 0 {
		for _, v := range candidates {
			out = append(out, v.Hint())
		}
	}
	return out
}
