package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
)

// Cleura Cloud: the SMS two-factor login that a Terraform run cannot do.
//
//	cloudauth login cleura [--url URL] [--username NAME] [--password-stdin] [--code CODE|-]
//	                       [--auth-api v1|v2] [--ca-cert FILE] [--insecure]
//	cloudauth logout cleura [--url URL] [--username NAME] [--auth-api v1|v2] [--ca-cert FILE] [--insecure]
//
// The password and the SMS code are read without echo on a terminal. For
// scripts, --password-stdin reads the password from the first line of
// standard input and --code - the code from the next line, read only once
// the SMS has been sent; without a terminal, one of them is needed.

func init() {
	clouds["cleura"] = cloudCommands{login: cleuraLogin, logout: cleuraLogout}
}

// cleuraCodeTries is how many codes a person may type before the command
// gives up; the API's own limit is not documented.
const cleuraCodeTries = 3

// cleuraTarget is the API and login a command acts on.
type cleuraTarget struct {
	url      string
	username string
}

// cleuraFlags are the flags login and logout share.
type cleuraFlags struct {
	a        *app
	fs       *flag.FlagSet
	url      *string
	username *string
	authAPI  *string
	caCert   *string
	insecure *bool
}

func newCleuraFlags(a *app, cmd, intro, defaultURL, urlHelp string) *cleuraFlags {
	fs := flag.NewFlagSet("cloudauth "+cmd+" cleura", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "usage: cloudauth %s cleura [flags]\n\n%s\n\nflags:\n", cmd, intro)
		fs.PrintDefaults()
	}
	return &cleuraFlags{
		a:        a,
		fs:       fs,
		url:      fs.String("url", defaultURL, urlHelp),
		username: fs.String("username", a.env(cleura.EnvUsername), "Cleura Cloud `login` (default from CLEURA_API_USERNAME)"),
		authAPI: fs.String("auth-api", a.env(cleura.EnvAuthAPI),
			"auth API generation, `v2` or v1 (default from CLEURA_API_AUTH; unset: v2, or v1 where the server lacks v2)"),
		caCert:   fs.String("ca-cert", "", "PEM `file` of a CA to trust besides the system roots"),
		insecure: fs.Bool("insecure", false, "skip TLS certificate verification (test systems only)"),
	}
}

// parse reads the flags and checks those that need no network, so that a
// mistake shows before any password is asked for.
func (f *cleuraFlags) parse(args []string) error {
	if err := f.a.parseFlags(f.fs, args); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return misuse(f.fs.Usage, "unexpected argument %q", f.fs.Arg(0))
	}
	// A value the client would refuse is a wrong command line too.
	if _, err := cleura.ParseAuthAPI(*f.authAPI); err != nil {
		return misuse(f.fs.Usage, "%v", cleuraFlagError(err))
	}
	if strings.TrimSpace(*f.caCert) != "" {
		if _, err := httpx.TLSConfig(*f.caCert, *f.insecure); err != nil {
			return misuse(f.fs.Usage, "--ca-cert: %v", err)
		}
	}
	if raw := strings.TrimSpace(*f.url); raw != "" {
		u, err := parseCleuraURL(raw)
		if err == nil {
			err = plainHTTPFlag("--url (or CLEURA_API_URL)", u, *f.insecure)
		}
		if err != nil {
			return misuse(f.fs.Usage, "%v", err)
		}
	}
	return nil
}

func (f *cleuraFlags) client(t cleuraTarget, password, token string) (*cleura.Client, error) {
	c, err := cleura.New(cleura.Config{
		HTTP: httpx.Config{
			Name: "cleura", BaseURL: t.url, CACert: *f.caCert, Insecure: *f.insecure, PlainHTTP: *f.insecure,
			Setting: flagSettings("--url (or CLEURA_API_URL)"), MaxRetries: 2, UserAgent: userAgent(),
		},
		Username: t.username,
		Password: password,
		Token:    token,
		AuthAPI:  *f.authAPI,
	})
	return c, cleuraFlagError(err)
}

// cleuraFlagError names the flag behind a setting the client refused.
func cleuraFlagError(err error) error {
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	switch ce.Attribute {
	case "auth_api":
		return fmt.Errorf("--auth-api (or CLEURA_API_AUTH): %s", ce.Msg)
	case "ca_cert":
		return fmt.Errorf("--ca-cert: %s", ce.Msg)
	case "url":
		return fmt.Errorf("--url: %s", ce.Msg)
	}
	return err
}

func parseCleuraURL(raw string) (string, error) {
	u, err := httpx.ParseBaseURL(raw)
	if err != nil {
		return "", fmt.Errorf("--url (or CLEURA_API_URL): %w", err)
	}
	return u.String(), nil
}

func (t cleuraTarget) again() string {
	return fmt.Sprintf("cloudauth login cleura --url %s --username %s", t.url, t.username)
}

func cleuraLogin(a *app, args []string) error {
	def := a.env(cleura.EnvURL)
	if def == "" {
		def = cleura.DefaultURL
	}
	f := newCleuraFlags(a, "login",
		"Logs in to Cleura Cloud with your password and, for an account with two-factor authentication, the\n"+
			"code Cleura Cloud sends by SMS, and stores the token for the provider. Tokens last about a day.",
		def, "Cleura Cloud REST API `URL` (default from CLEURA_API_URL)")
	passwordStdin := f.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	codeFlag := f.fs.String("code", "", "the SMS `code` for scripts: its digits, or - to read it from the next line of standard input once the SMS has been sent")
	if err := f.parse(args); err != nil {
		return err
	}
	if c := *codeFlag; c != "" && c != "-" {
		if _, err := cleura.ParseCode(c); err != nil {
			return misuse(f.fs.Usage, "--code: %v", err)
		}
	}
	url, err := parseCleuraURL(*f.url)
	if err != nil {
		return err
	}
	if err := a.checkStore(); err != nil {
		return err
	}
	t := cleuraTarget{url: url, username: strings.TrimSpace(*f.username)}
	if t.username == "" {
		if !a.terminal() {
			return errors.New("no username: give it with --username (or CLEURA_API_USERNAME); standard input is not a terminal to ask on")
		}
		if t.username, err = a.prompt("Cleura Cloud username: "); err != nil {
			return fmt.Errorf("reading the username: %w", err)
		}
		if t.username = strings.TrimSpace(t.username); t.username == "" {
			return errors.New("no username given")
		}
	}
	password, err := a.password(*passwordStdin, fmt.Sprintf("Password for %s at %s: ", t.username, t.url))
	if err != nil {
		return err
	}
	if password == "" {
		return errors.New("the password is empty")
	}
	c, err := f.client(t, password, "")
	if err != nil {
		return err
	}

	ctx := context.Background()
	// Without a second factor first, as the docs do for accounts without
	// two-factor; an account with it answers with a verification (v1) or
	// the options (v2), and then SMS is asked for explicitly.
	ans, err := c.CreateToken(ctx, "")
	if err == nil && (ans.Result == cleura.ResultTwoFactorOptions || (ans.Result == cleura.ResultTwoFactorRequired && ans.Type != cleura.TwoFactorSMS)) {
		ans, err = c.CreateToken(ctx, cleura.TwoFactorSMS)
	}
	if err != nil {
		return cleuraLoginError(t, err)
	}
	token := ans.Token
	switch ans.Result {
	case cleura.ResultLoginOK:
		fmt.Fprintf(a.stderr, "%s has no two-factor authentication; logged in with the password alone.\n", t.username)
	case cleura.ResultTwoFactorRequired:
		if ans.Type != cleura.TwoFactorSMS {
			return fmt.Errorf("%s asks for a %q second factor; the REST API supports SMS only. Add SMS as a second factor in the Cleura Cloud Management Panel", t.username, ans.Type)
		}
		// Refused before the SMS goes out: a code nobody can type is
		// an SMS wasted.
		if *codeFlag == "" && !a.terminal() {
			return fmt.Errorf("%s has SMS two-factor authentication, and standard input is not a terminal to type the code on: "+
				"give it with --code - (read from the next line of standard input once the SMS is sent)", t.username)
		}
		if token, err = a.cleuraSMS(ctx, c, t, ans.Verification, *codeFlag); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s has two-factor authentication without SMS (%s); the REST API supports SMS only. Add SMS as a second factor in the Cleura Cloud Management Panel",
			t.username, strings.Join(ans.Options, ", "))
	}

	if err := c.Validate(ctx, token); err != nil {
		return fmt.Errorf("the new token does not validate (Cleura Cloud issued it but refuses it): %w", err)
	}
	file, err := a.update(func(f *credstore.File) error {
		f.Put(credstore.Entry{Cloud: "cleura", URL: t.url, Login: t.username, Token: token, StoredAt: a.now().UTC()})
		return nil
	})
	if err != nil {
		// A token nobody holds is revoked rather than left valid.
		if rerr := c.Revoke(ctx, token); rerr != nil {
			return fmt.Errorf("the login worked but the token could not be stored: %w; revoking it failed too (%w), so it stays valid until it expires (about a day)", err, rerr)
		}
		return fmt.Errorf("the login worked but the token could not be stored, so it was revoked: %w", err)
	}
	fmt.Fprintf(a.stdout, "Logged in to %s as %s; the token is stored in %s.\n"+
		"The provider uses it when its cleura url and username match. Cleura Cloud tokens last about a day: run this again when the provider says the token is refused.\n",
		t.url, t.username, file.Path())
	return nil
}

// cleuraSMS sends the SMS and exchanges the code for a token. A person at
// a terminal may retype a wrong code; a script gets one try.
func (a *app) cleuraSMS(ctx context.Context, c *cleura.Client, t cleuraTarget, verification, codeFlag string) (string, error) {
	if err := c.RequestSMSCode(ctx, verification); err != nil {
		return "", cleuraLoginError(t, err)
	}
	fmt.Fprintf(a.stderr, "Cleura Cloud has sent a six-digit code by SMS to the phone of %s.\n", t.username)
	tries := 1
	if codeFlag == "" {
		tries = cleuraCodeTries
	}
	for try := 1; ; try++ {
		var (
			raw string
			err error
		)
		switch codeFlag {
		case "":
			raw, err = a.promptSecret("SMS code: ")
		case "-":
			raw, err = a.line()
		default:
			raw = codeFlag
		}
		if err != nil {
			return "", fmt.Errorf("reading the SMS code: %w", err)
		}
		// A mistyped or refused code may be typed again; an expired code
		// or a lost verification needs a new SMS.
		retry := true
		code, err := cleura.ParseCode(raw)
		if err == nil {
			var token string
			if token, err = c.VerifySMSCode(ctx, verification, code); err == nil {
				return token, nil
			}
			var rejected *cleura.CodeRejectedError
			retry = errors.As(err, &rejected) && !rejected.Expired
		}
		if !retry || try >= tries {
			return "", cleuraLoginError(t, err)
		}
		fmt.Fprintf(a.stderr, "%v; try again.\n", err)
	}
}

// cleuraLoginError says what went wrong and what to do, without a secret.
func cleuraLoginError(t cleuraTarget, err error) error {
	var (
		login    *cleura.LoginError
		rejected *cleura.CodeRejectedError
		verif    *cleura.VerificationError
		missing  *cleura.AuthAPIMissingError
	)
	switch {
	case errors.As(err, &missing):
		return fmt.Errorf("%w (the URL is --url or CLEURA_API_URL; the auth API --auth-api or CLEURA_API_AUTH)", err)
	case errors.As(err, &login):
		return fmt.Errorf("%w; check the username and the password", err)
	case errors.As(err, &rejected) && rejected.Expired:
		return fmt.Errorf("%w; codes are valid for a few minutes only: run `%s` again for a new SMS", err, t.again())
	case errors.As(err, &rejected):
		return fmt.Errorf("%w; run `%s` again for a new SMS and type the code it brings", err, t.again())
	case errors.As(err, &verif):
		return fmt.Errorf("%w (too many wrong codes, or too much time passed); run `%s` again to start over", err, t.again())
	}
	return err
}

func cleuraLogout(a *app, args []string) error {
	f := newCleuraFlags(a, "logout",
		"Revokes the stored Cleura Cloud token and forgets it. Without --url (and CLEURA_API_URL) it acts on\n"+
			"the only stored Cleura Cloud token, for whatever URL it is.",
		a.env(cleura.EnvURL), "Cleura Cloud REST API `URL` of the token (default from CLEURA_API_URL; unset: the only stored Cleura Cloud token)")
	if err := f.parse(args); err != nil {
		return err
	}
	file, err := a.load()
	if err != nil {
		return err
	}
	e, err := pickCleuraEntry(file, strings.TrimSpace(*f.url), strings.TrimSpace(*f.username))
	if err != nil {
		return err
	}
	t := cleuraTarget{url: e.URL, username: e.Login}
	c, err := f.client(t, "", e.Token)
	if err != nil {
		return err
	}
	// Revoke counts a dead token as revoked; asking first tells the user
	// which it was.
	dead := cleura.IsInvalidToken(c.Validate(context.Background(), e.Token))
	revokeErr := c.Revoke(context.Background(), e.Token)
	// The local copy goes whatever the API said: a token that cannot be
	// revoked now still ends on its own within a day. A newer token that
	// a login stored meanwhile stays.
	var newer bool
	path := file.Path()
	if _, err := a.update(func(f *credstore.File) error {
		if !f.RemoveIfSame(e) {
			_, newer = f.Find("cleura", e.URL, e.Login)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("could not remove the token from %s: %w", path, err)
	}
	switch {
	case revokeErr == nil && dead:
		fmt.Fprintf(a.stdout, "The token of %s at %s was no longer valid; removed it from %s.\n", t.username, t.url, path)
	case revokeErr == nil:
		fmt.Fprintf(a.stdout, "Revoked the token of %s at %s and removed it from %s.\n", t.username, t.url, path)
	default:
		return fmt.Errorf("removed the token of %s from %s, but Cleura Cloud did not revoke it (%w); it stays valid until it expires", t.username, path, revokeErr)
	}
	if newer {
		fmt.Fprintf(a.stdout, "A newer token of %s at %s, stored by another login meanwhile, stays in %s.\n", t.username, t.url, path)
	}
	return nil
}

// pickCleuraEntry finds the token to forget: the one for the URL and
// login given, or without a URL the only stored Cleura Cloud token (of
// that login, if one is given).
func pickCleuraEntry(file *credstore.File, rawURL, username string) (credstore.Entry, error) {
	who := ""
	if username != "" {
		who = " of " + username
	}
	if rawURL != "" {
		url, err := parseCleuraURL(rawURL)
		if err != nil {
			return credstore.Entry{}, err
		}
		if e, ok := file.Find("cleura", url, username); ok {
			return e, nil
		}
		if logins := file.Logins("cleura", url); username == "" && len(logins) > 1 {
			return credstore.Entry{}, fmt.Errorf("%s holds Cleura Cloud tokens of several logins for %s (%s); pick one with --username", file.Path(), url, strings.Join(logins, ", "))
		}
		return credstore.Entry{}, fmt.Errorf("%s holds no Cleura Cloud token%s for %s", file.Path(), who, url)
	}
	var found []credstore.Entry
	for _, e := range file.Entries {
		if e.Cloud == "cleura" && (username == "" || strings.EqualFold(e.Login, username)) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return credstore.Entry{}, fmt.Errorf("%s holds no Cleura Cloud token%s", file.Path(), who)
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, e := range found {
		names[i] = e.Login + " at " + e.URL
	}
	return credstore.Entry{}, fmt.Errorf("%s holds several Cleura Cloud tokens (%s); say which with --url and --username", file.Path(), strings.Join(names, ", "))
}
