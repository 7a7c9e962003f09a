package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
)

// Abiquo: a two-factor user cannot give Terraform a code for every run, so
// `cloudauth login abiquo` logs in once and stores what the provider needs:
//
//	cloudauth login abiquo [--endpoint URL] [--username NAME] [--password-stdin] [--code CODE|-] [--oauth [--app-name NAME]]
//	cloudauth logout abiquo [--endpoint URL] [--username NAME] [--end-all-sessions]
//
// The login is sent without a one-time code first: a user without
// two-factor authentication is in, and Abiquo mails a fresh code to a
// user whose second factor is EMAIL. Then the code is asked for (from the
// mail, an authenticator app, or a scratch code) and the login sent again
// with it. For scripts, --code - reads the code from the next line of
// standard input, once the mail has been sent; --code DIGITS sends a code
// known beforehand (an authenticator app's or a scratch code) at once.
//
// By default the login's token is stored; it lasts 30 minutes from its
// last use. With --oauth the command registers an OAuth 1.0a application
// for the user, authorizes it, and stores the four values that sign
// requests: they do not expire, and need no code.

func init() {
	clouds["abiquo"] = cloudCommands{login: abiquoLogin, logout: abiquoLogout}
}

// abiquoTimeout bounds the whole login or logout.
const abiquoTimeout = 2 * time.Minute

type abiquoFlags struct {
	a        *app
	fs       *flag.FlagSet
	endpoint *string
	username *string
	caCert   *string
	insecure *bool
}

func newAbiquoFlags(a *app, cmd, intro string) *abiquoFlags {
	fs := flag.NewFlagSet("cloudauth "+cmd+" abiquo", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "usage: cloudauth %s abiquo [flags]\n\n%s\n\nflags:\n", cmd, intro)
		fs.PrintDefaults()
	}
	return &abiquoFlags{
		a:        a,
		fs:       fs,
		endpoint: fs.String("endpoint", a.getenv("ABQ_ENDPOINT"), "API endpoint, ending in /api (default $ABQ_ENDPOINT)"),
		username: fs.String("username", a.getenv("ABQ_USERNAME"), "user name (default $ABQ_USERNAME)"),
		caCert:   fs.String("ca-cert", "", "PEM file of a CA to trust besides the system roots"),
		insecure: fs.Bool("insecure", false, "skip TLS certificate verification (test systems only)"),
	}
}

func (f *abiquoFlags) parse(args []string) error {
	if err := f.a.parseFlags(f.fs, args); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return misuse(f.fs.Usage, "unexpected argument %q", f.fs.Arg(0))
	}
	// An endpoint the client would refuse is a wrong command line too.
	if raw := strings.TrimSpace(*f.endpoint); raw != "" {
		ep, err := abiquo.CheckEndpoint(raw)
		if err == nil {
			err = plainHTTPFlag("--endpoint (or ABQ_ENDPOINT)", ep, *f.insecure)
		} else {
			err = fmt.Errorf("--endpoint (or ABQ_ENDPOINT): %w", err)
		}
		if err != nil {
			return misuse(f.fs.Usage, "%v", err)
		}
	}
	return nil
}

func (f *abiquoFlags) httpConfig(endpoint string) httpx.Config {
	return httpx.Config{
		Name:       "abiquo",
		BaseURL:    endpoint,
		CACert:     *f.caCert,
		Insecure:   *f.insecure,
		PlainHTTP:  *f.insecure,
		Setting:    flagSettings("--endpoint (or ABQ_ENDPOINT)"),
		MaxRetries: 2,
		UserAgent:  userAgent(),
	}
}

// abiquoCodeTries is how many one-time codes a person may type before the
// command gives up: each refused login may count towards a lock-out.
const abiquoCodeTries = 3

func abiquoLogin(a *app, args []string) error {
	f := newAbiquoFlags(a, "login",
		"Logs in to Abiquo with your password and, for two-factor users, a one-time code (from the mail Abiquo\n"+
			"sends, your authenticator app, or a scratch code), and stores the token for the provider (used when no\n"+
			"password is set); Abiquo tokens last 30 minutes from their last use. With --oauth it registers an OAuth\n"+
			"application instead and stores its credentials, which do not expire and need no one-time code.")
	passwordStdin := f.fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of asking")
	code := f.fs.String("code", "", "one-time `code` for scripts: its digits (an authenticator app's code or a scratch code; visible in the process list), "+
		"or - to read it from the next line of standard input once Abiquo has mailed it; asked for when needed and not given")
	oauth := f.fs.Bool("oauth", false, "register an OAuth 1.0a application for the user and store its credentials instead of a token")
	appName := f.fs.String("app-name", "", "`name` of the OAuth application to register (with --oauth; default \"cloudauth on <host>\")")
	if err := f.parse(args); err != nil {
		return err
	}
	if *appName != "" && !*oauth {
		return misuse(f.fs.Usage, "--app-name goes with --oauth")
	}
	if c := strings.ReplaceAll(strings.TrimSpace(*code), " ", ""); c != "" && c != "-" && strings.Trim(c, "0123456789") != "" {
		return misuse(f.fs.Usage, "--code takes the code's digits (6 from an authenticator app or a mail, 8 for a scratch code), or - to read it from standard input")
	}
	if err := a.checkStore(); err != nil {
		return err
	}
	endpoint, username := strings.TrimSpace(*f.endpoint), strings.TrimSpace(*f.username)
	// Without a terminal nothing is asked for: a script says what it
	// means with the flags, and learns here which one it lacks.
	var err error
	if endpoint == "" {
		if !a.terminal() {
			return errors.New("no endpoint: give it with --endpoint (or ABQ_ENDPOINT); standard input is not a terminal to ask on")
		}
		if endpoint, err = a.prompt("Abiquo API endpoint (ending in /api): "); err != nil {
			return fmt.Errorf("reading the endpoint: %w", err)
		}
	}
	if endpoint, err = abiquo.CheckEndpoint(strings.TrimSpace(endpoint)); err != nil {
		return fmt.Errorf("the endpoint: %w", err)
	}
	if err := plainHTTPFlag("the endpoint", endpoint, *f.insecure); err != nil {
		return err
	}
	if username == "" {
		if !a.terminal() {
			return errors.New("no user name: give it with --username (or ABQ_USERNAME); standard input is not a terminal to ask on")
		}
		if username, err = a.prompt("User name: "); err != nil {
			return fmt.Errorf("reading the user name: %w", err)
		}
		username = strings.TrimSpace(username)
	}
	if username == "" {
		return errors.New("a user name is needed (--username or ABQ_USERNAME)")
	}
	password, err := a.password(*passwordStdin, fmt.Sprintf("Password for %s: ", username))
	if err != nil {
		return err
	}
	if password == "" {
		return errors.New("the password is empty")
	}
	t := abiquoTarget{flags: f, endpoint: endpoint, username: username, password: password}
	// The token ends 30 minutes after the answer that carried it; counting
	// from before the request errs on the early side.
	started := a.now()
	ctx, cancel := context.WithTimeout(context.Background(), abiquoTimeout)
	defer cancel()
	c, err := a.abiquoBasicLogin(ctx, t, strings.TrimSpace(*code))
	if err != nil {
		return err
	}
	if *oauth {
		return a.abiquoOAuth(ctx, t, c, *appName, started)
	}
	cr, err := c.Credential(ctx)
	if err != nil {
		return abiquoLoginFailure(err)
	}
	expires := started.Add(abiquo.TokenLifetime)
	var replaced bool
	file, err := a.update(func(f *credstore.File) error {
		replaced = abiquoReplacing(f, endpoint, username)
		f.Put(credstore.Entry{Cloud: "abiquo", URL: endpoint, Login: username, Token: cr.Token, StoredAt: started, ExpiresAt: &expires})
		return nil
	})
	if err != nil {
		// Abiquo cannot end this one session alone (see logout).
		return fmt.Errorf("the login worked but the token could not be stored: %w; it stays valid until 30 minutes after its last use "+
			"(\"cloudauth logout abiquo --end-all-sessions\" after a later login ends it with the user's other sessions)", err)
	}
	fmt.Fprintf(a.stdout, "Logged in to %s as %s. The token is stored in %s.\n", endpoint, shown(cr.Principal), file.Path())
	fmt.Fprintf(a.stdout, "It ends at %s unless it is used before; Abiquo tokens last %d minutes from their last use.\n",
		expires.Local().Format("15:04:05 MST"), int(abiquo.TokenLifetime/time.Minute))
	fmt.Fprintf(a.stdout, "Terraform uses it when the abiquo block (or ABQ_*) has this endpoint and user and no password.\n")
	if replaced {
		fmt.Fprintf(a.stdout, "It replaces the OAuth credentials stored for %s; their application stays registered in Abiquo.\n", username)
	}
	return nil
}

// abiquoTarget is the API and the user a login is for.
type abiquoTarget struct {
	flags              *abiquoFlags
	endpoint, username string
	password           string
}

func (t abiquoTarget) client(otp string) (*abiquo.Client, error) {
	c, err := abiquo.New(abiquo.Config{HTTP: t.flags.httpConfig(t.endpoint), Username: t.username, Password: t.password, OTP: otp})
	if err != nil {
		return nil, abiquoConfigError(err)
	}
	return c, nil
}

// login sends one Basic login, with otp if it is not empty.
func (t abiquoTarget) login(ctx context.Context, otp string) (*abiquo.Client, error) {
	c, err := t.client(otp)
	if err != nil {
		return nil, err
	}
	if _, err := c.User(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// abiquoBasicLogin logs in with the password and, where Abiquo refuses the
// password alone, a one-time code. Abiquo does not say whether it refused
// the password or wants a code, so after a refusal the code is asked for
// in any case, and an empty answer stops.
func (a *app) abiquoBasicLogin(ctx context.Context, t abiquoTarget, codeFlag string) (*abiquo.Client, error) {
	if codeFlag != "" && codeFlag != "-" {
		// A code known beforehand: one login, with it.
		c, err := t.login(ctx, codeFlag)
		if err != nil {
			return nil, abiquoLoginFailure(err)
		}
		return c, nil
	}
	// Without a code first: that is what makes Abiquo mail one.
	c, err := t.login(ctx, "")
	if err == nil {
		fmt.Fprintf(a.stderr, "%s has no two-factor authentication; logged in with the password alone.\n", t.username)
		return c, nil
	}
	var le *abiquo.LoginError
	if !errors.As(err, &le) {
		return nil, abiquoLoginFailure(err)
	}
	last := err
	if codeFlag == "" && !a.terminal() {
		return nil, fmt.Errorf("%w; check the user name and password, and if %s has two-factor authentication, give the one-time code "+
			"with --code - (read from the next line of standard input, once Abiquo has mailed it) or --code DIGITS: "+
			"standard input is not a terminal to type it on", err, t.username)
	}
	fmt.Fprintf(a.stderr, "Abiquo did not accept the password alone. If %s has two-factor authentication, enter the code "+
		"Abiquo has just sent by mail (valid about a minute), the one your authenticator app shows, or a scratch code.\n", t.username)
	tries := 1
	if codeFlag == "" {
		tries = abiquoCodeTries
	}
	for try := 1; ; try++ {
		var raw string
		if codeFlag == "-" {
			raw, err = a.line()
		} else {
			raw, err = a.promptSecret("One-time code (empty to stop): ")
		}
		if err != nil {
			// The refusal is the news; the missing code only explains it.
			return nil, fmt.Errorf("%w (no further one-time code could be read: %w)", abiquoLoginFailure(last), err)
		}
		otp := strings.TrimSpace(raw)
		if otp == "" {
			return nil, abiquoLoginFailure(last)
		}
		c, err := t.login(ctx, otp)
		if err == nil {
			return c, nil
		}
		last = err
		// A mistyped or refused code may be typed again at a terminal.
		var ce *httpx.ConfigError
		retry := errors.As(err, &le) || errors.As(err, &ce)
		if !retry || try >= tries {
			return nil, abiquoLoginFailure(err)
		}
		if errors.As(err, &ce) {
			fmt.Fprintf(a.stderr, "%v; try again.\n", err)
		} else {
			fmt.Fprintf(a.stderr, "Abiquo refused the login with that code (or the password); try again.\n")
		}
	}
}

// abiquoOAuth registers an application for the logged-in user, authorizes
// it, checks the credentials with a signed request and stores them.
func (a *app) abiquoOAuth(ctx context.Context, t abiquoTarget, c *abiquo.Client, name string, started time.Time) error {
	if name == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "this computer"
		}
		name = "cloudauth on " + host
	}
	app, err := c.RegisterApplication(ctx, name)
	if err != nil {
		return fmt.Errorf("registering the OAuth application %q for %s: %w", name, t.username, abiquoLoginFailure(err))
	}
	creds, err := c.AuthorizeApplication(ctx, app.APIKey, app.APISecret)
	if err != nil {
		return fmt.Errorf("authorizing the OAuth application %q: %w (the application stays registered; remove it in Abiquo, "+
			"or run this again, which registers another)", name, abiquoOAuthFailure(err))
	}
	// Stored only once a signed request shows that they work.
	signed, err := abiquo.New(abiquo.Config{HTTP: t.flags.httpConfig(t.endpoint), Username: t.username,
		ConsumerKey: creds.ConsumerKey, ConsumerSecret: creds.ConsumerSecret, AccessToken: creds.AccessToken, AccessTokenSecret: creds.AccessTokenSecret})
	if err != nil {
		return abiquoConfigError(err)
	}
	u, err := signed.User(ctx)
	if err != nil {
		return fmt.Errorf("the OAuth credentials of the new application %q are refused in a request signed with them: %w; nothing was stored",
			name, abiquoOAuthFailure(err))
	}
	file, err := a.update(func(f *credstore.File) error {
		f.Put(credstore.Entry{Cloud: "abiquo", URL: t.endpoint, Login: t.username, StoredAt: started, OAuth1: &credstore.OAuth1{
			ConsumerKey: creds.ConsumerKey, ConsumerSecret: creds.ConsumerSecret, AccessToken: creds.AccessToken, AccessTokenSecret: creds.AccessTokenSecret,
		}})
		return nil
	})
	if err != nil {
		return fmt.Errorf("the OAuth application %q is registered and authorized, but its credentials could not be stored: %w "+
			"(remove the application in Abiquo, or run this again, which registers another)", name, err)
	}
	fmt.Fprintf(a.stdout, "Registered the OAuth application %q for %s at %s and stored its credentials in %s.\n", name, shown(u.Nick), t.endpoint, file.Path())
	fmt.Fprintf(a.stdout, "They do not expire and need no one-time code; Terraform uses them when the abiquo block (or ABQ_*) has this endpoint and user and no password.\n")
	fmt.Fprintf(a.stdout, "To revoke them, remove the application %q from the user's applications in Abiquo.\n", name)
	return nil
}

// abiquoReplacing reports whether the file holds OAuth credentials that a
// token for the same user would replace.
func abiquoReplacing(file *credstore.File, endpoint, username string) bool {
	e, ok := file.Find("abiquo", endpoint, username)
	return ok && e.OAuth1 != nil
}

// abiquoConfigError names the flag (or input) behind a setting the client
// refused; the client names its settings as the provider's block does.
func abiquoConfigError(err error) error {
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	what, ok := map[string]string{
		"otp":      "the one-time code",
		"ca_cert":  "--ca-cert",
		"url":      "--endpoint (or ABQ_ENDPOINT)",
		"endpoint": "--endpoint (or ABQ_ENDPOINT)",
		"username": "--username (or ABQ_USERNAME)",
		"password": "the password",
	}[ce.Attribute]
	if !ok {
		return err
	}
	return fmt.Errorf("%s: %s", what, ce.Msg)
}

// abiquoLoginFailure adds what to do to a refused login.
func abiquoLoginFailure(err error) error {
	var le *abiquo.LoginError
	if !errors.As(err, &le) {
		return err
	}
	if le.Kind == abiquo.RefusedWithoutCode {
		return fmt.Errorf("%w; check the user name and password, and if the account has two-factor authentication, "+
			"run the command again and enter the one-time code when it asks for one", err)
	}
	return fmt.Errorf("%w; check the password, and run the command again with a current code (a new login mails a new one "+
		"to a user with email codes) or an unused scratch code", err)
}

// abiquoOAuthFailure adds what to do to a refused OAuth request.
func abiquoOAuthFailure(err error) error {
	var oe *abiquo.OAuthError
	if !errors.As(err, &oe) {
		return abiquoLoginFailure(err)
	}
	return fmt.Errorf("%w; check that this computer's clock is right (OAuth signatures carry the time), then run the command again", err)
}

func abiquoLogout(a *app, args []string) error {
	f := newAbiquoFlags(a, "logout",
		"Forgets the stored Abiquo token or OAuth credentials. A token stays valid until it expires (30 minutes\n"+
			"after its last use): Abiquo's sessions API cannot tell this token's session apart from the user's others.\n"+
			"With --end-all-sessions it ends every session of the user first (web UI included). OAuth credentials stay\n"+
			"valid until their application is removed in Abiquo.")
	endAll := f.fs.Bool("end-all-sessions", false, "end every session of the user (DELETE /api/login/sessions/users/{id}) before forgetting the token")
	if err := f.parse(args); err != nil {
		return err
	}
	file, err := a.load()
	if err != nil {
		return err
	}
	entry, err := pickAbiquoEntry(file, strings.TrimSpace(*f.endpoint), strings.TrimSpace(*f.username))
	if err != nil {
		return err
	}
	if entry == nil {
		fmt.Fprintf(a.stdout, "No stored Abiquo token to forget in %s.\n", file.Path())
		return nil
	}
	what := "token"
	if entry.OAuth1 != nil {
		what = "OAuth credentials"
	}
	if *endAll {
		if err := endAbiquoSessions(f, entry); err != nil {
			return fmt.Errorf("ending the sessions of %s at %s: %w (the %s are still stored; run without --end-all-sessions to forget them anyway)", entry.Login, entry.URL, err, what)
		}
		fmt.Fprintf(a.stdout, "Ended every session of %s at %s.\n", shown(entry.Login), shown(entry.URL))
	}
	// What a login stored meanwhile for the same user stays.
	var newer bool
	if _, err := a.update(func(f *credstore.File) error {
		if !f.RemoveIfSame(*entry) {
			_, newer = f.Find("abiquo", entry.URL, entry.Login)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("updating %s: %w", file.Path(), err)
	}
	fmt.Fprintf(a.stdout, "Forgot the Abiquo %s of %s for %s (%s).\n", what, shown(entry.Login), shown(entry.URL), file.Path())
	if newer {
		fmt.Fprintf(a.stdout, "What a login stored for %s meanwhile stays.\n", shown(entry.Login))
	}
	switch {
	case entry.OAuth1 != nil:
		fmt.Fprintf(a.stdout, "The OAuth credentials stay valid until their application is removed from the user's applications in Abiquo.\n")
	case !*endAll:
		fmt.Fprintf(a.stdout, "The token stays valid until 30 minutes after its last use; --end-all-sessions ends it now, with the user's other sessions.\n")
	}
	return nil
}

// pickAbiquoEntry finds the entry to forget: the one for the endpoint and
// user given, or the only Abiquo entry when none is given.
func pickAbiquoEntry(file *credstore.File, endpoint, username string) (*credstore.Entry, error) {
	if endpoint != "" {
		ep, err := abiquo.CheckEndpoint(endpoint)
		if err != nil {
			return nil, fmt.Errorf("--endpoint: %w", err)
		}
		e, ok := file.Find("abiquo", ep, username)
		if !ok {
			return nil, nil
		}
		return &e, nil
	}
	var found []credstore.Entry
	for _, e := range file.Entries {
		if e.Cloud == "abiquo" && (username == "" || strings.EqualFold(e.Login, username)) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return &found[0], nil
	}
	var names []string
	for _, e := range found {
		names = append(names, e.Login+" at "+e.URL)
	}
	return nil, fmt.Errorf("several Abiquo tokens are stored (%s); say which with --endpoint and --username", strings.Join(names, ", "))
}

// endAbiquoSessions ends all sessions of the entry's user with its token
// or OAuth credentials.
func endAbiquoSessions(f *abiquoFlags, e *credstore.Entry) error {
	cfg := abiquo.Config{HTTP: f.httpConfig(e.URL), Username: e.Login, Token: e.Token, TokenOrigin: "the credentials file"}
	if e.ExpiresAt != nil {
		cfg.TokenExpiresAt = *e.ExpiresAt
	}
	if o := e.OAuth1; o != nil {
		cfg = abiquo.Config{HTTP: f.httpConfig(e.URL), Username: e.Login,
			ConsumerKey: o.ConsumerKey, ConsumerSecret: o.ConsumerSecret, AccessToken: o.AccessToken, AccessTokenSecret: o.AccessTokenSecret}
	}
	c, err := abiquo.New(cfg)
	if err != nil {
		return abiquoConfigError(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), abiquoTimeout)
	defer cancel()
	u, err := c.User(ctx)
	if err != nil {
		return err
	}
	return c.Delete(ctx, fmt.Sprintf("/login/sessions/users/%d", u.ID))
}
