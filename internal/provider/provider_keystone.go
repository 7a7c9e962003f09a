package provider

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
)

var keystoneSpec = &blockSpec{
	name:  "keystone",
	title: "OpenStack Keystone",
	desc: "OpenStack Keystone v3 (for example CloudPe). The provider asks `POST /v3/auth/tokens` for a token " +
		"with an application credential, a password or an existing token, and reads the token's user, project, " +
		"roles and service catalog from the same answer. Values here override `clouds.yaml` (see `cloud`) and " +
		"the `OS_*` environment variables.",
	attrs: append([]attrSpec{
		{name: "auth_url", env: []string{"OS_AUTH_URL"},
			desc: "Identity endpoint, with or without the trailing `/v3` (`https://in-west3.controlcloud.app:5000`)."},
		{name: "region", env: []string{"OS_REGION_NAME"},
			desc: "Region used by the catalog's `endpoints` map when a data source does not name one."},
		{name: "interface", env: []string{"OS_INTERFACE"},
			desc:          "Endpoint interface the catalog's `endpoints` map picks: `public` (default), `internal` or `admin`.",
			strValidators: []validator.String{stringvalidator.OneOf("public", "internal", "admin")}},
		{name: "application_credential_id", env: []string{"OS_APPLICATION_CREDENTIAL_ID"},
			desc: "Application credential ID; used with `application_credential_secret`."},
		{name: "application_credential_name", env: []string{"OS_APPLICATION_CREDENTIAL_NAME"},
			desc: "Application credential name; needs `application_credential_secret` and the user (`user_id`, or `user_name` with `user_domain_name` or `user_domain_id`)."},
		{name: "application_credential_secret", env: []string{"OS_APPLICATION_CREDENTIAL_SECRET"}, sensitive: true,
			desc: "Application credential secret."},
		{name: "user_name", env: []string{"OS_USERNAME"},
			desc: "User name for password login or to find a named application credential; needs the user's domain."},
		{name: "user_id", env: []string{"OS_USER_ID"},
			desc: "User ID for password login or to find a named application credential."},
		{name: "password", env: []string{"OS_PASSWORD"}, sensitive: true,
			desc: "Password of the user."},
		{name: "user_domain_name", env: []string{"OS_USER_DOMAIN_NAME"},
			desc: "Domain name of the user named by `user_name`."},
		{name: "user_domain_id", env: []string{"OS_USER_DOMAIN_ID"},
			desc: "Domain ID of the user named by `user_name`."},
		{name: "project_name", env: []string{"OS_PROJECT_NAME"},
			desc: "Project to scope a password token to, by name; needs `project_domain_name` or `project_domain_id`."},
		{name: "project_id", env: []string{"OS_PROJECT_ID"},
			desc: "Project to scope a password token to, by ID."},
		{name: "project_domain_name", env: []string{"OS_PROJECT_DOMAIN_NAME"},
			desc: "Domain name of the project named by `project_name`."},
		{name: "project_domain_id", env: []string{"OS_PROJECT_DOMAIN_ID"},
			desc: "Domain ID of the project named by `project_name`."},
		{name: "domain_name", env: []string{"OS_DOMAIN_NAME"},
			desc: "Domain to scope a password token to, by name, when no project is given."},
		{name: "domain_id", env: []string{"OS_DOMAIN_ID"},
			desc: "Domain to scope a password token to, by ID, when no project is given."},
		{name: "token", env: []string{"OS_TOKEN"}, sensitive: true,
			desc: "An existing token to use instead of logging in."},
		{name: "cloud", env: []string{"OS_CLOUD"},
			desc: "Entry of `clouds.yaml` (and `secure.yaml`) to read, searched in the current directory, `~/.config/openstack` and `/etc/openstack` (or `OS_CLIENT_CONFIG_FILE`). Attributes set here override the entry."},
	}, commonAttrs("keystone", []string{"OS_INSECURE"}, []string{"OS_CACERT"})...),
	urlAttr:  "auth_url",
	triggers: []string{"OS_AUTH_URL", "OS_CLOUD"},
	setup: "Add `keystone { auth_url = ..., application_credential_id = ..., application_credential_secret = ... }` " +
		"(or a user and password, or `cloud` naming a clouds.yaml entry) to the provider configuration, or set " +
		"OS_AUTH_URL with OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET (or OS_CLOUD).",
}

// keystoneClient is what the data sources need from the Keystone client.
type keystoneClient = *keystone.Client

// cloudsAttrs maps the provider block's attributes to a clouds.yaml entry's
// values; the entry only fills what the block and the environment leave
// unset.
func cloudsAttrs(e *keystone.CloudEntry) map[string]string {
	m := map[string]string{
		"auth_url":                      e.AuthURL,
		"region":                        e.Region,
		"interface":                     e.Interface,
		"application_credential_id":     e.ApplicationCredentialID,
		"application_credential_name":   e.ApplicationCredentialName,
		"application_credential_secret": e.ApplicationCredentialSecret,
		"user_id":                       e.UserID,
		"user_name":                     e.UserName,
		"user_domain_id":                e.UserDomainID,
		"user_domain_name":              e.UserDomainName,
		"password":                      e.Password,
		"project_id":                    e.ProjectID,
		"project_name":                  e.ProjectName,
		"project_domain_id":             e.ProjectDomainID,
		"project_domain_name":           e.ProjectDomainName,
		"domain_id":                     e.DomainID,
		"domain_name":                   e.DomainName,
		"token":                         e.Token,
	}
	if e.Insecure {
		m["insecure"] = "true"
	}
	return m
}

func configureKeystone(_ context.Context, p *cloudauthProvider, v *blockValues) *cloudState[keystoneClient] {
	if !v.configured(p.getenv) {
		return newCloudState[keystoneClient](v, false, nil)
	}
	var baseTLS *tls.Config
	if name := v.str("cloud"); name != "" {
		entry, err := keystone.LoadCloud(name, p.getenv)
		if err != nil {
			v.fail("cloud", "Cannot read clouds.yaml",
				fmt.Sprintf("%s names a clouds.yaml entry that cannot be used: %s. Check the entry's name and the file, or point OS_CLIENT_CONFIG_FILE at the right file.",
					v.hint("cloud"), err))
			return newCloudState[keystoneClient](v, true, nil)
		}
		// Order: provider block, then environment, then clouds.yaml, then
		// the defaults.
		for name, val := range cloudsAttrs(entry) {
			if src := v.src[name]; val != "" && (src == "" || src == "default") {
				v.vals[name] = val
				v.src[name] = "clouds.yaml " + entry.File
			}
		}
		baseTLS = entry.TLS
	}
	hc := v.httpConfig(p, "")
	hc.BaseTLS = baseTLS
	if v.diags.HasError() {
		return newCloudState[keystoneClient](v, true, nil)
	}
	c, err := keystone.New(keystone.Config{
		HTTP:                        hc,
		AuthURL:                     v.str("auth_url"),
		Region:                      v.str("region"),
		Interface:                   v.str("interface"),
		ApplicationCredentialID:     v.str("application_credential_id"),
		ApplicationCredentialName:   v.str("application_credential_name"),
		ApplicationCredentialSecret: v.str("application_credential_secret"),
		UserID:                      v.str("user_id"),
		UserName:                    v.str("user_name"),
		UserDomainID:                v.str("user_domain_id"),
		UserDomainName:              v.str("user_domain_name"),
		Password:                    v.str("password"),
		ProjectID:                   v.str("project_id"),
		ProjectName:                 v.str("project_name"),
		ProjectDomainID:             v.str("project_domain_id"),
		ProjectDomainName:           v.str("project_domain_name"),
		DomainID:                    v.str("domain_id"),
		DomainName:                  v.str("domain_name"),
		Token:                       v.str("token"),
	})
	if err != nil {
		keystoneSettingsErrors(v, err)
		return newCloudState[keystoneClient](v, true, nil)
	}
	return newCloudState(v, true, c)
}

// keystoneSettingsErrors reports each problem New found on its attribute,
// naming the attribute and its environment variable.
func keystoneSettingsErrors(v *blockValues, err error) {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			keystoneSettingsErrors(v, e)
		}
		return
	}
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) || !hasAttr(v.spec, ce.Attribute) {
		v.clientError(err, nil)
		return
	}
	summary := "Invalid keystone." + ce.Attribute
	if v.str(ce.Attribute) == "" {
		summary = "Missing keystone." + ce.Attribute
	}
	detail := fmt.Sprintf("%s: %s.", v.hint(ce.Attribute), ce.Msg)
	if v.str("cloud") != "" {
		detail += fmt.Sprintf(" Values may also come from the clouds.yaml entry %q.", v.str("cloud"))
	}
	v.fail(ce.Attribute, summary, detail)
}

func hasAttr(spec *blockSpec, name string) bool {
	for _, a := range spec.attrs {
		if a.name == name {
			return true
		}
	}
	return false
}

// keystoneLoginDiag explains a failed login: what was refused, Keystone's
// own answer, and which settings to check. Secrets never appear: the
// client masks them.
func keystoneLoginDiag(c keystoneClient, err error) diag.Diagnostic {
	hints := map[keystone.Method][]string{
		keystone.MethodToken:       {"token"},
		keystone.MethodAppCredID:   {"application_credential_id", "application_credential_secret"},
		keystone.MethodAppCredName: {"application_credential_name", "application_credential_secret", "user_id", "user_name", "user_domain_name"},
		keystone.MethodPassword:    {"user_name", "user_id", "user_domain_name", "password", "project_name", "project_id", "project_domain_name", "domain_name"},
	}[c.Method()]
	v := &blockValues{spec: keystoneSpec}
	var check []string
	for _, h := range hints {
		check = append(check, v.hint(h))
	}
	var (
		le *keystone.LoginError
		te *httpx.TransportError
		ee *keystone.EndpointError
	)
	switch {
	case errors.As(err, &ee):
		return diag.NewErrorDiagnostic("Keystone not found at auth_url",
			fmt.Sprintf("%s\n\nSet %s to the identity endpoint (for example https://keystone.example.com:5000 or its /v3 URL), not a dashboard or another service.", err, v.hint("auth_url")))
	case errors.Is(err, keystone.ErrTokenRejected):
		return diag.NewErrorDiagnostic("Keystone token no longer accepted",
			fmt.Sprintf("%s. Issue a new token (for example `openstack token issue`) and set %s, or configure credentials instead of a token.", err, v.hint("token")))
	case errors.As(err, &le):
		return diag.NewErrorDiagnostic("Keystone login failed",
			fmt.Sprintf("%s\n\nCheck %s.", err, strings.Join(check, ", ")))
	case errors.As(err, &te):
		return diag.NewErrorDiagnostic("Cannot reach Keystone",
			fmt.Sprintf("%s\n\nCheck %s and that the host is reachable from here.", err, v.hint("auth_url")))
	}
	return diag.NewErrorDiagnostic("Keystone login failed", fallbackDetail(keystoneSpec, err))
}
