package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
)

// Abiquo: a two-factor user cannot give Terraform a code for every run, so
// `cloudauth login abiquo` logs in once with the code from the
// authenticator app (or a scratch code) and stores the token. The provider
// uses it when no password is configured; it lasts 30 minutes from its
// last use.

func init() {
	clouds["abiquo"] = cloudCommands{login: abiquoLogin, logout: abiquoLogout}
}

// abiquoTimeout bounds the whole login or logout.
const abiquoTimeout = 2 * time.Minute

type abiquoFlags struct {
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
		fs:       fs,
		endpoint: fs.String("endpoint", a.getenv("ABQ_ENDPOINT"), "API endpoint, ending in /api (default $ABQ_ENDPOINT)"),
		username: fs.String("username", a.getenv("ABQ_USERNAME"), "user name (default $ABQ_USERNAME)"),
		caCert:   fs.String("ca-cert", "", "PEM file of a CA to trust besides the system roots"),
		insecure: fs.Bool("insecure", false, "skip TLS certificate verification (test systems only)"),
	}
}

func (f *abiquoFlags) parse(args []string) error {
	if err := f.fs.Parse(args); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.fs.Arg(0))
	}
	return nil
}

func (f *abiquoFlags) httpConfig(endpoint string) httpx.Config {
	return httpx.Config{
		Name:       "abiquo",
		BaseURL:    endpoint,
		CACert:     *f.caCert,
		Insecure:   *f.insecure,
		MaxRetries: 2,
		UserAgent:  "cloudauth-login",
	}
}

func abiquoLogin(a *app, args []string) error {
	f := newAbiquoFlags(a, "login",
		"Logs in to Abiquo with your password and, for two-factor users, the code from your authenticator\n"+
			"app or a scratch code, and stores the token for the provider (used when no password is set).\n"+
			"Abiquo tokens last 30 minutes from their last use.")
	passwordStdin := f.fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of asking")
	code := f.fs.String("code", "", "one-time code or scratch code; asked for when not given (it is visible in the process list and shell history)")
	if err := f.parse(args); err != nil {
		return err
	}
	endpoint, username := strings.TrimSpace(*f.endpoint), strings.TrimSpace(*f.username)
	var err error
	if endpoint == "" {
		if endpoint, err = a.prompt("Abiquo API endpoint (ending in /api): "); err != nil {
			return err
		}
	}
	if endpoint, err = abiquo.CheckEndpoint(strings.TrimSpace(endpoint)); err != nil {
		return fmt.Errorf("--endpoint: %w", err)
	}
	if username == "" {
		if username, err = a.prompt("User name: "); err != nil {
			return err
		}
		username = strings.TrimSpace(username)
	}
	if username == "" {
		return errors.New("a user name is needed (--username or ABQ_USERNAME)")
	}
	var password string
	if *passwordStdin {
		password, err = a.line()
	} else {
		password, err = a.promptSecret(fmt.Sprintf("Password for %s: ", username))
	}
	if err != nil {
		return fmt.Errorf("reading the password: %w", err)
	}
	if password == "" {
		return errors.New("the password is empty")
	}
	otp := strings.TrimSpace(*code)
	if otp == "" {
		if otp, err = a.promptSecret("One-time code from your authenticator app, or a scratch code (empty if two-factor authentication is off): "); err != nil {
			return fmt.Errorf("reading the one-time code: %w", err)
		}
		otp = strings.TrimSpace(otp)
	}
	c, err := abiquo.New(abiquo.Config{HTTP: f.httpConfig(endpoint), Username: username, Password: password, OTP: otp})
	if err != nil {
		return abiquoConfigError(err)
	}
	// The token ends 30 minutes after the answer that carried it; counting
	// from before the request errs on the early side.
	started := a.now()
	ctx, cancel := context.WithTimeout(context.Background(), abiquoTimeout)
	defer cancel()
	cr, err := c.Credential(ctx)
	if err != nil {
		return abiquoLoginFailure(err)
	}
	file, err := a.store()
	if err != nil {
		return err
	}
	expires := started.Add(abiquo.TokenLifetime)
	file.Put(credstore.Entry{Cloud: "abiquo", URL: endpoint, Login: username, Token: cr.Token, StoredAt: started, ExpiresAt: &expires})
	if err := file.Save(); err != nil {
		return fmt.Errorf("storing the token in %s: %w", file.Path(), err)
	}
	fmt.Fprintf(a.stdout, "Logged in to %s as %s. The token is stored in %s.\n", endpoint, cr.Principal, file.Path())
	fmt.Fprintf(a.stdout, "It ends at %s unless it is used before; Abiquo tokens last %d minutes from their last use.\n",
		expires.Local().Format("15:04:05 MST"), int(abiquo.TokenLifetime/time.Minute))
	fmt.Fprintf(a.stdout, "Terraform uses it when the abiquo block (or ABQ_*) has this endpoint and user and no password.\n")
	return nil
}

func abiquoConfigError(err error) error {
	var ce *httpx.ConfigError
	if errors.As(err, &ce) {
		switch ce.Attribute {
		case "otp":
			return fmt.Errorf("the one-time code: %s", ce.Msg)
		case "ca_cert":
			return fmt.Errorf("--ca-cert: %s", ce.Msg)
		}
		return fmt.Errorf("--%s: %s", ce.Attribute, ce.Msg)
	}
	return err
}

// abiquoLoginFailure adds what to do to a refused login.
func abiquoLoginFailure(err error) error {
	var le *abiquo.LoginError
	if !errors.As(err, &le) {
		return err
	}
	switch le.Kind {
	case abiquo.BadCredentials:
		return fmt.Errorf("%w; check the user name and password", err)
	case abiquo.CodeRequired:
		return fmt.Errorf("%w; run the command again and enter the code from your authenticator app, or one of your scratch codes", err)
	case abiquo.CodeRefused:
		return fmt.Errorf("%w; run the command again with a current code, or an unused scratch code", err)
	}
	return err
}

func abiquoLogout(a *app, args []string) error {
	f := newAbiquoFlags(a, "logout",
		"Forgets the stored Abiquo token. The token itself stays valid until it expires (30 minutes after its\n"+
			"last use): Abiquo's sessions API cannot tell this token's session apart from the user's others.\n"+
			"With --end-all-sessions it ends every session of the user first (web UI included).")
	endAll := f.fs.Bool("end-all-sessions", false, "end every session of the user (DELETE /api/login/sessions/users/{id}) before forgetting the token")
	if err := f.parse(args); err != nil {
		return err
	}
	file, err := a.store()
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
	if *endAll {
		if err := endAbiquoSessions(f, entry); err != nil {
			return fmt.Errorf("ending the sessions of %s at %s: %w (the token is still stored; run without --end-all-sessions to forget it anyway)", entry.Login, entry.URL, err)
		}
		fmt.Fprintf(a.stdout, "Ended every session of %s at %s.\n", entry.Login, entry.URL)
	}
	file.Remove("abiquo", entry.URL, entry.Login)
	if err := file.Save(); err != nil {
		return fmt.Errorf("updating %s: %w", file.Path(), err)
	}
	fmt.Fprintf(a.stdout, "Forgot the Abiquo token of %s for %s (%s).\n", entry.Login, entry.URL, file.Path())
	if !*endAll {
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

// endAbiquoSessions ends all sessions of the entry's user with its token.
func endAbiquoSessions(f *abiquoFlags, e *credstore.Entry) error {
	cfg := abiquo.Config{HTTP: f.httpConfig(e.URL), Username: e.Login, Token: e.Token, TokenOrigin: "the credentials file"}
	if e.ExpiresAt != nil {
		cfg.TokenExpiresAt = *e.ExpiresAt
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
