package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
)

var cleuraSpec = &blockSpec{
	name:  "cleura",
	title: "Cleura Cloud",
	desc: "Cleura Cloud REST API v1. The provider logs in with `POST /auth/v1/tokens` and sends `X-AUTH-LOGIN` " +
		"and `X-AUTH-TOKEN` on every call. Accounts with SMS two-factor authentication give a `token` " +
		"obtained with `cloudauth login cleura` instead of a password.",
	attrs: append([]attrSpec{
		{name: "url", env: []string{"CLEURA_API_URL"}, def: "https://rest.cleura.cloud",
			desc: "Base URL of the REST API (`https://rest.compliant.cleura.cloud` for Compliant Cloud)."},
		{name: "username", env: []string{"CLEURA_API_USERNAME"},
			desc: "Cleura Cloud login; the API checks it together with the token. Environment: `CLEURA_API_USERNAME`; " +
				"without either, the login of the only token stored for `url` in the credentials file."},
		{name: "password", env: []string{"CLEURA_API_PASSWORD"}, sensitive: true,
			desc: "Password, for accounts without two-factor authentication. With a `token` too, it replaces a token the API refuses."},
		{name: "token", env: []string{"CLEURA_API_TOKEN"}, sensitive: true,
			desc: "A token already issued for `username` (for two-factor accounts). Environment: `CLEURA_API_TOKEN`; " +
				"without either, the token that `cloudauth login cleura` stored for `url` and `username` in the credentials file."},
	}, commonAttrs("cleura", nil, nil)...),
	urlAttr:  "url",
	triggers: []string{"CLEURA_API_USERNAME", "CLEURA_API_TOKEN"},
	setup: "Add `cleura { username = ..., password = ... }` to the provider configuration, or set " +
		"CLEURA_API_USERNAME and CLEURA_API_PASSWORD (or CLEURA_API_TOKEN for two-factor accounts), " +
		"or run `cloudauth login cleura` to store a token in the credentials file.",
}

// cleuraTokenAge is the age from which a stored token gets a warning: the
// official Cleura provider warns at 20 hours, since tokens live about a
// day and the API does not say when one ends.
const cleuraTokenAge = 20 * time.Hour

// tokenOrigin is where the token came from; the advice for a refused token
// depends on it.
type tokenOrigin int

const (
	tokenNone tokenOrigin = iota
	tokenConfig
	tokenEnv
	tokenFile
)

// cleuraClient is what the data sources get: the client and where its
// credentials came from.
type cleuraClient = *cleuraSession

type cleuraSession struct {
	api      *cleura.Client
	username string
	origin   tokenOrigin
	// filePath is the credentials file the token came from.
	filePath string
}

// configureCleura resolves the settings in the order provider block,
// environment, credentials file, and builds the client. It makes no
// network call.
func configureCleura(_ context.Context, p *cloudauthProvider, v *blockValues) *cloudState[cleuraClient] {
	configured := v.configured(p.getenv)
	url := strings.TrimRight(v.str("url"), "/")
	username, password, token := v.str("username"), v.str("password"), v.str("token")
	origin := tokenNone
	switch {
	case token != "" && v.src["token"] == "config":
		origin = tokenConfig
	case token != "":
		origin = tokenEnv
	}

	// The credentials file is read only when no token was given, and it
	// also makes the cloud configured when it holds a Cleura token.
	var (
		file     *credstore.File
		fileErr  error
		filePath string
	)
	if token == "" {
		// Without HOME or XDG_CONFIG_HOME there is no file to read, which
		// is not worth a word.
		if path, err := credstore.DefaultPath(p.getenv); err == nil {
			filePath = path
			file, fileErr = credstore.Load(path)
		}
		if !configured && file.Has("cleura") {
			configured = true
		}
	}
	if !configured {
		return newCloudState[cleuraClient](v, false, nil)
	}

	var stored *credstore.Entry
	switch {
	case token != "":
	case fileErr != nil && password == "":
		v.fail("", "Cannot read the cloudauth credentials file",
			fmt.Sprintf("The provider looks for a Cleura Cloud token in the credentials file, but: %v. "+
				"Fix or delete the file and run `cloudauth login cleura` again, or set %s or %s.", fileErr, v.hint("token"), v.hint("password")))
	case fileErr != nil:
		v.diags.AddWarning("Cannot read the cloudauth credentials file",
			fmt.Sprintf("%v. The provider logs in to Cleura Cloud with the password instead; fix or delete the file to silence this warning.", fileErr))
	case file != nil:
		if e, ok := file.Find("cleura", url, username); ok {
			stored = &e
			token, origin = e.Token, tokenFile
			if username == "" {
				username = e.Login
			}
			if file.TooOpen {
				v.diags.AddWarning("The cloudauth credentials file is readable by others",
					fmt.Sprintf("%s holds tokens but other users on this machine can read it. Run `chmod 600 %s` (`cloudauth login` writes it with mode 0600).", filePath, filePath))
			}
		}
	}

	otherURLs := ""
	if others := storedURLs(file, url); len(others) > 0 {
		otherURLs = fmt.Sprintf(" The credentials file has Cleura Cloud tokens for %s only; set %s to match.", strings.Join(others, ", "), v.hint("url"))
	}
	switch {
	case username == "":
		detail := fmt.Sprintf("Cleura Cloud needs the login that tokens are checked against: set %s.", v.hint("username"))
		if logins := storedLogins(file, url); len(logins) > 1 {
			detail += fmt.Sprintf(" The credentials file holds tokens of several logins for %s (%s); the username picks one.", url, strings.Join(logins, ", "))
		}
		v.fail("username", "Missing cleura.username", detail+otherURLs)
	case password == "" && token == "":
		detail := fmt.Sprintf("Cleura Cloud needs a password or a token for the login %q. For an account without two-factor authentication set %s. "+
			"For an account with SMS two-factor authentication run `cloudauth login cleura --url %s --username %s` once in a terminal "+
			"(it stores a token in the credentials file, which the provider reads), or set %s.",
			username, v.hint("password"), url, username, v.hint("token"))
		v.fail("password", "Missing cleura.password or cleura.token", detail+otherURLs)
	}

	if stored != nil && password == "" {
		if age := time.Since(stored.StoredAt); age > cleuraTokenAge {
			v.diags.AddWarning("Stored Cleura Cloud token may have expired",
				fmt.Sprintf("The token for %q at %s in %s was stored %s ago (%s). Cleura Cloud tokens last about a day and the API does not say when one ends. "+
					"If the API refuses it, run `cloudauth login cleura --url %s --username %s` again.",
					stored.Login, url, filePath, age.Truncate(time.Minute), stored.StoredAt.Local().Format(time.RFC3339), url, stored.Login))
		}
	}

	hc := v.httpConfig(p, "url")
	if v.diags.HasError() {
		return newCloudState[cleuraClient](v, true, nil)
	}
	originText := map[tokenOrigin]string{
		tokenConfig: "`cleura.token`",
		tokenEnv:    "CLEURA_API_TOKEN",
		tokenFile:   "the credentials file",
	}[origin]
	c, err := cleura.New(cleura.Config{HTTP: hc, Username: username, Password: password, Token: token, TokenOrigin: originText})
	if err != nil {
		v.clientError(err, nil)
		return newCloudState[cleuraClient](v, true, nil)
	}
	return newCloudState(v, true, &cleuraSession{api: c, username: username, origin: origin, filePath: filePath})
}

// storedLogins lists the logins with a Cleura token for url.
func storedLogins(f *credstore.File, url string) []string { return f.Logins("cleura", url) }

// storedURLs lists the other URLs with a Cleura token, when url has none.
func storedURLs(f *credstore.File, url string) []string {
	if f == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range f.Entries {
		u := strings.TrimRight(e.URL, "/")
		if e.Cloud != "cleura" {
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

// diagnose turns a client error into a summary and a detail that say what
// happened and what to do. what names the failed read ("read the domains").
func (s *cleuraSession) diagnose(err error, what string) (string, string) {
	var (
		rejected *cleura.TokenRejectedError
		twoFA    *cleura.TwoFactorRequiredError
		login    *cleura.LoginError
		access   *cleura.AccessError
	)
	relogin := fmt.Sprintf("`cloudauth login cleura --url %s --username %s`", s.api.Endpoint(), s.username)
	switch {
	case errors.As(err, &rejected) && !rejected.Permanent():
		return "Cleura Cloud login failed",
			fmt.Sprintf("%s.\n\nThe API refused the token, and the new login with the password failed for a reason that may pass "+
				"(the service or a proxy in between); run Terraform again. If it keeps failing, check `cleura.url` (or CLEURA_API_URL).", err)
	case errors.As(err, &rejected):
		why := ""
		switch {
		case errors.As(rejected.Cause, &twoFA):
			why = " The account has SMS two-factor authentication, so the password cannot replace the token."
		case errors.As(rejected.Cause, &login):
			why = " Check `cleura.password` (or CLEURA_API_PASSWORD) too."
		}
		if s.origin == tokenFile {
			return "Stored Cleura Cloud token no longer accepted",
				fmt.Sprintf("%s.%s Run %s again to store a new token in %s.", err, why, relogin, s.filePath)
		}
		return "Cleura Cloud token no longer accepted",
			fmt.Sprintf("%s.%s Get a new token with %s and remove `cleura.token` and CLEURA_API_TOKEN so that the provider reads the stored one, "+
				"or set `cleura.token` (or CLEURA_API_TOKEN) to a fresh token. An account without two-factor authentication can set "+
				"`cleura.password` (or CLEURA_API_PASSWORD) instead, and the provider logs in by itself.", err, why, relogin)
	case errors.As(err, &twoFA):
		return "Cleura Cloud account needs SMS two-factor authentication",
			fmt.Sprintf("%s. A Terraform run cannot answer an SMS. Run %s once in a terminal: it asks for the password and the SMS code "+
				"and stores a token in the credentials file, which the provider then reads. Or set `cleura.token` (or CLEURA_API_TOKEN) "+
				"to a token for this login.", err, relogin)
	case errors.As(err, &login):
		return "Cleura Cloud login failed",
			fmt.Sprintf("%s. Check `cleura.username` and `cleura.password` (or CLEURA_API_USERNAME and CLEURA_API_PASSWORD).", err)
	case errors.As(err, &access):
		return "No access in Cleura Cloud",
			fmt.Sprintf("%s. Ask an administrator of the account to give the user this privilege, or use a login that has it.", err)
	}
	return "Cannot " + what + " in Cleura Cloud", fallbackDetail(cleuraSpec, err)
}
