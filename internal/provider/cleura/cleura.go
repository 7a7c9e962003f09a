// Package cleura is Cleura Cloud on the Terraform side: the provider's
// cleura block (with the token `cloudauth login cleura` stores), its
// Configure, the cloudauth_cleura_domains data source, and the
// diagnostics for the client's errors.
package cleura

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

// Name is the block's name and cloudauth_token's cloud value.
const Name = "cleura"

const title = "Cleura Cloud"

// Cloud registers Cleura Cloud with the provider.
type Cloud struct{}

var _ cloud.Cloud = Cloud{}

// settings are the cleura block's values after the environment, the
// credentials file and defaults.
type settings struct {
	URL, Username, Password, Token, AuthAPI cloud.Value[string]
	cloud.Transport
}

var block = &cloud.Block[settings]{
	Name:  Name,
	Title: title,
	Description: "Cleura Cloud REST API. The provider logs in with `POST /auth/v2/tokens` (or `/auth/v1/tokens` on a " +
		"server without the v2 auth API) and sends `X-AUTH-LOGIN` and `X-AUTH-TOKEN` on every call. Accounts with SMS " +
		"two-factor authentication give a `token` obtained with `cloudauth login cleura` instead of a password.",
	Attrs: append([]cloud.Attr[settings]{
		cloud.String("url", func(s *settings) *cloud.Value[string] { return &s.URL },
			"Base URL of the REST API (`https://rest.compliant.cleura.cloud` for Compliant Cloud).").
			Env(api.EnvURL...).Default(api.DefaultURL).Validate(cloud.URLValidator()),
		cloud.String("username", func(s *settings) *cloud.Value[string] { return &s.Username },
			"Cleura Cloud login; the API checks it together with the token. Environment: `CLEURA_API_USERNAME`; "+
				"without either, the login of the only token stored for `url` in the credentials file.").Env(api.EnvUsername...),
		cloud.String("password", func(s *settings) *cloud.Value[string] { return &s.Password },
			"Password, for accounts without two-factor authentication. With a `token` too, it replaces a token the API refuses.").
			Env(api.EnvPassword...).Sensitive(),
		cloud.String("token", func(s *settings) *cloud.Value[string] { return &s.Token },
			"A token already issued for `username` (for two-factor accounts). Environment: `CLEURA_API_TOKEN`; "+
				"without either, the token that `cloudauth login cleura` stored for `url` and `username` in the credentials file.").
			Env(api.EnvToken...).Sensitive(),
		cloud.String("auth_api", func(s *settings) *cloud.Value[string] { return &s.AuthAPI },
			"Generation of the auth API to log in, validate and revoke tokens with: `v2` (what Cleura's own tools use) or `v1`. "+
				"Default: `v2`, and `v1` for the rest of the run when the server answers 404 to v2.").
			Env(api.EnvAuthAPI...).Validate(stringvalidator.OneOf(api.AuthV1, api.AuthV2)),
	}, cloud.TransportAttrs(func(s *settings) *cloud.Transport { return &s.Transport }, cloud.TransportEnv{})...),
	Triggers: append(append([]string{}, api.EnvUsername...), api.EnvToken...),
	Setup: "Add `cleura { username = ..., password = ... }` to the provider configuration, or set " +
		"CLEURA_API_USERNAME and CLEURA_API_PASSWORD (or CLEURA_API_TOKEN for two-factor accounts), " +
		"or run `cloudauth login cleura` to store a token in the credentials file.",
}

// Name implements cloud.Cloud.
func (Cloud) Name() string { return Name }

// Title implements cloud.Cloud.
func (Cloud) Title() string { return title }

// Block implements cloud.Cloud.
func (Cloud) Block() schema.Block { return block.Schema() }

// TokenHeaders implements cloud.Cloud.
func (Cloud) TokenHeaders() string { return "`X-AUTH-LOGIN` and `X-AUTH-TOKEN` (Cleura)" }

// DataSources implements cloud.Cloud.
func (Cloud) DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{newDomainsDataSource}
}

// storedTokenAge is the age from which a stored token gets a warning: the
// official Cleura provider warns at 20 hours, since tokens live about a
// day and the API does not say when one ends.
const storedTokenAge = 20 * time.Hour

// session is what the data sources get: the client, and where its token
// came from (the advice for a refused token depends on it).
type session struct {
	api      *api.Client
	username string
	token    cloud.Value[string]
	// filePath is the credentials file the token came from.
	filePath string
}

// Configure implements cloud.Cloud. The order is the block, the
// environment, the credentials file, the defaults; a password in the block
// is not overridden by a token from the environment.
func (Cloud) Configure(ctx context.Context, req cloud.ConfigureRequest) *cloud.State {
	s, r := block.Resolve(ctx, req)
	url := strings.TrimRight(s.URL.V, "/")
	r.KeepOneSource(
		cloud.Method{Name: "a token", Settings: []*cloud.Value[string]{&s.Token}},
		cloud.Method{Name: "a password", Settings: []*cloud.Value[string]{&s.Password}},
	)

	// The credentials file is read only when no token was given; a Cleura
	// token in it configures the cloud too.
	var stored cloud.Stored
	configured := r.Triggered(block.Triggers...)
	if s.Token.V == "" {
		stored = r.LookupStored(Name, url, s.Username.V)
		configured = configured || stored.File.Has(Name)
	}
	if !configured {
		return r.NotConfigured()
	}
	switch {
	case s.Token.V != "":
	case stored.Err != nil && s.Password.V == "":
		r.FailBlock("Cannot read the cloudauth credentials file",
			fmt.Sprintf("The provider looks for a Cleura Cloud token in the credentials file, but: %v. "+
				"Fix or delete the file and run `cloudauth login cleura` again, or set %s or %s.", stored.Err, s.Token.Hint(), s.Password.Hint()))
	case stored.Err != nil:
		r.Warn("Cannot read the cloudauth credentials file",
			fmt.Sprintf("%v. The provider logs in to Cleura Cloud with the password instead; fix or delete the file to silence this warning.", stored.Err))
	case stored.Entry != nil:
		s.Token = s.Token.With(stored.Entry.Token, cloud.FromFile, "the credentials file")
		if s.Username.V == "" {
			s.Username = s.Username.With(stored.Entry.Login, cloud.FromFile, "the credentials file")
		}
	}

	otherURLs := ""
	others := storedURLs(stored.File, url)
	if len(others) > 0 {
		otherURLs = fmt.Sprintf(" The credentials file has Cleura Cloud tokens for %s only; set %s to match.", strings.Join(others, ", "), s.URL.Hint())
	}
	switch {
	case s.Username.V == "" && len(others) > 0 && !r.Triggered(block.Triggers...):
		// Nothing but tokens stored for other URLs configured the cloud:
		// what is missing is the URL, not a username.
		r.FailBlock("No stored Cleura Cloud token for "+url,
			fmt.Sprintf("The credentials file (%s) has Cleura Cloud tokens for %s only, and the provider uses %s (%s). "+
				"Set %s to the URL the token is for, or run `cloudauth login cleura --url %s` once to store a token for %s.",
				stored.Path, strings.Join(others, ", "), url, s.URL.From(), s.URL.Hint(), url, url))
	case s.Username.V == "":
		detail := fmt.Sprintf("Cleura Cloud needs the login that tokens are checked against: set %s.", s.Username.Hint())
		if logins := stored.File.Logins(Name, url); len(logins) > 1 {
			detail += fmt.Sprintf(" The credentials file holds tokens of several logins for %s (%s); the username picks one.", url, strings.Join(logins, ", "))
		}
		r.FailOn(s.Username, "Missing cleura.username", detail+otherURLs)
	case s.Password.V == "" && s.Token.V == "":
		detail := fmt.Sprintf("Cleura Cloud needs a password or a token for the login %q. For an account without two-factor authentication set %s. "+
			"For an account with SMS two-factor authentication run `cloudauth login cleura --url %s --username %s` once in a terminal "+
			"(it stores a token in the credentials file, which the provider reads), or set %s.",
			s.Username.V, s.Password.Hint(), url, s.Username.V, s.Token.Hint())
		r.FailOn(s.Password, "Missing cleura.password or cleura.token", detail+otherURLs)
	}

	if e := stored.Entry; e != nil && s.Token.Origin == cloud.FromFile && s.Password.V == "" {
		if age := time.Since(e.StoredAt); age > storedTokenAge {
			r.Warn("Stored Cleura Cloud token may have expired",
				fmt.Sprintf("The token for %q at %s in %s was stored %s ago (%s). Cleura Cloud tokens last about a day and the API does not say when one ends. "+
					"If the API refuses it, run `cloudauth login cleura --url %s --username %s` again.",
					e.Login, url, stored.Path, age.Truncate(time.Minute), e.StoredAt.Local().Format(time.RFC3339), url, e.Login))
		}
	}

	hc := s.HTTP(r, req, s.CheckURL(r, s.URL))
	if _, err := api.ParseAuthAPI(s.AuthAPI.V); err != nil {
		cloud.ConfigError(r, block, s, err, fmt.Sprintf(" (from %s)", s.AuthAPI.From()))
	}
	if r.Failed() {
		return r.Configured(nil, nil)
	}
	origin := ""
	if s.Token.V != "" {
		origin = s.Token.From()
	}
	c, err := api.New(api.Config{HTTP: hc, Username: s.Username.V, Password: s.Password.V, Token: s.Token.V, TokenOrigin: origin, AuthAPI: s.AuthAPI.V})
	if err != nil {
		cloud.ConfigError(r, block, s, err, "")
		return r.Configured(nil, nil)
	}
	sess := &session{api: c, username: s.Username.V, token: s.Token, filePath: stored.Path}
	return r.Configured(sess, &cloud.TokenTarget{Source: c, Diagnose: func(err error) diag.Diagnostic {
		return sess.diagnose(err, "get a token")
	}})
}

// storedURLs lists the other URLs with a Cleura token, when url has none.
func storedURLs(f *credstore.File, url string) []string {
	if f == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range f.Entries {
		u := strings.TrimRight(e.URL, "/")
		if e.Cloud != Name {
			continue
		}
		if u == url {
			return nil
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}

// diagnose turns a client error into a diagnostic that says what happened
// and what to do. what names the failed read ("read the domains").
func (s *session) diagnose(err error, what string) diag.Diagnostic {
	var (
		rejected *api.TokenRejectedError
		twoFA    *api.TwoFactorRequiredError
		login    *api.LoginError
		access   *api.AccessError
		missing  *api.AuthAPIMissingError
	)
	b := block.Blank()
	relogin := fmt.Sprintf("`cloudauth login cleura --url %s --username %s`", s.api.Endpoint(), s.username)
	switch {
	case errors.As(err, &rejected) && !rejected.Permanent():
		return diag.NewErrorDiagnostic("Cleura Cloud login failed",
			fmt.Sprintf("%s.\n\nThe API refused the token, and the new login with the password failed for a reason that may pass "+
				"(the service or a proxy in between); run Terraform again. If it keeps failing, check %s.", err, b.URL.Hint()))
	case errors.As(err, &rejected):
		why := ""
		switch {
		case errors.As(rejected.Cause, &twoFA):
			why = " The account has SMS two-factor authentication, so the password cannot replace the token."
		case errors.As(rejected.Cause, &login):
			why = fmt.Sprintf(" Check %s too.", b.Password.Hint())
		}
		if s.token.Origin == cloud.FromFile {
			return diag.NewErrorDiagnostic("Stored Cleura Cloud token no longer accepted",
				fmt.Sprintf("%s.%s Run %s again to store a new token in %s.", err, why, relogin, s.filePath))
		}
		return diag.NewErrorDiagnostic("Cleura Cloud token no longer accepted",
			fmt.Sprintf("%s.%s Get a new token with %s and remove %s so that the provider reads the stored one, "+
				"or set %s to a fresh token. An account without two-factor authentication can set "+
				"%s instead, and the provider logs in by itself.", err, why, relogin, b.Token.Hint(), b.Token.Hint(), b.Password.Hint()))
	case errors.As(err, &twoFA):
		return diag.NewErrorDiagnostic("Cleura Cloud account needs SMS two-factor authentication",
			fmt.Sprintf("%s. A Terraform run cannot answer an SMS. Run %s once in a terminal: it asks for the password and the SMS code "+
				"and stores a token in the credentials file, which the provider then reads. Or set %s "+
				"to a token for this login.", err, relogin, b.Token.Hint()))
	case errors.As(err, &login):
		return diag.NewErrorDiagnostic("Cleura Cloud login failed",
			fmt.Sprintf("%s. Check %s and %s.", err, b.Username.Hint(), b.Password.Hint()))
	case errors.As(err, &missing):
		return diag.NewErrorDiagnostic("Cleura Cloud auth API not found",
			fmt.Sprintf("%s.\n\nCheck %s, and %s if it is set.", err, b.URL.Hint(), b.AuthAPI.Hint()))
	case errors.As(err, &access):
		return diag.NewErrorDiagnostic("No access in Cleura Cloud",
			fmt.Sprintf("%s. Ask an administrator of the account to give the user this privilege, or use a login that has it.", err))
	}
	return cloud.Fallback("Cannot "+what+" in Cleura Cloud", title, b.URL, err)
}
