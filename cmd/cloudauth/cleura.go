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
//	cloudauth logout cleura [--url URL] [--username NAME]
//
// The password and the SMS code are read without echo on a terminal. For
// scripts, --password-stdin reads the password from the first line of
// standard input and --code - the code from the next line, read only once
// the SMS has been sent.

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

func cleuraFlags(a *app, cmd string) (*flag.FlagSet, *string, *string) {
	fs := flag.NewFlagSet("cloudauth "+cmd+" cleura", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	def := a.getenv("CLEURA_API_URL")
	if def == "" {
		def = cleura.DefaultURL
	}
	url := fs.String("url", def, "Cleura Cloud REST API `URL` (default from CLEURA_API_URL)")
	user := fs.String("username", a.getenv("CLEURA_API_USERNAME"), "Cleura Cloud `login` (default from CLEURA_API_USERNAME; asked for when empty)")
	return fs, url, user
}

func parseCleuraURL(raw string) (string, error) {
	u, err := httpx.ParseBaseURL(raw)
	if err != nil {
		return "", fmt.Errorf("--url: %w", err)
	}
	return u.String(), nil
}

func cleuraClient(t cleuraTarget, password, token string) (*cleura.Client, error) {
	return cleura.New(cleura.Config{
		HTTP:     httpx.Config{Name: "cleura", BaseURL: t.url, MaxRetries: 2, UserAgent: "cloudauth-login"},
		Username: t.username,
		Password: password,
		Token:    token,
	})
}

func (t cleuraTarget) again() string {
	return fmt.Sprintf("cloudauth login cleura --url %s --username %s", t.url, t.username)
}

func cleuraLogin(a *app, args []string) error {
	fs, rawURL, user := cleuraFlags(a, "login")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	codeFlag := fs.String("code", "", "the SMS `code` for scripts: its digits, or - to read it from the next line of standard input once the SMS has been sent")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	url, err := parseCleuraURL(*rawURL)
	if err != nil {
		return err
	}
	t := cleuraTarget{url: url, username: strings.TrimSpace(*user)}
	if t.username == "" {
		if t.username, err = a.prompt("Cleura Cloud username: "); err != nil {
			return fmt.Errorf("reading the username: %w", err)
		}
		if t.username = strings.TrimSpace(t.username); t.username == "" {
			return errors.New("no username given")
		}
	}
	var password string
	if *passwordStdin {
		password, err = a.line()
	} else {
		password, err = a.promptSecret(fmt.Sprintf("Password for %s at %s: ", t.username, t.url))
	}
	if err != nil {
		return fmt.Errorf("reading the password: %w", err)
	}
	if password == "" {
		return errors.New("the password is empty")
	}
	c, err := cleuraClient(t, password, "")
	if err != nil {
		return err
	}

	ctx := context.Background()
	// Without twofa_method first, as the docs do for accounts without
	// two-factor; an account with it answers with a verification (or, in
	// the v2 style, the options, and then SMS is asked for explicitly).
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
	f, err := a.store()
	if err != nil {
		return err
	}
	f.Put(credstore.Entry{Cloud: "cleura", URL: t.url, Login: t.username, Token: token, StoredAt: a.now().UTC()})
	if err := f.Save(); err != nil {
		return fmt.Errorf("the login worked but the token could not be stored: %w", err)
	}
	fmt.Fprintf(a.stdout, "Logged in to %s as %s; the token is stored in %s.\n"+
		"The provider uses it when its cleura url and username match. Cleura Cloud tokens last about a day: run this again when the provider says the token is refused.\n",
		t.url, t.username, f.Path())
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
	)
	switch {
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
	fs, rawURL, user := cleuraFlags(a, "logout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	url, err := parseCleuraURL(*rawURL)
	if err != nil {
		return err
	}
	f, err := a.store()
	if err != nil {
		return err
	}
	username := strings.TrimSpace(*user)
	e, ok := f.Find("cleura", url, username)
	if !ok {
		logins := f.Logins("cleura", url)
		if username == "" && len(logins) > 1 {
			return fmt.Errorf("%s holds Cleura Cloud tokens of several logins for %s (%s); pick one with --username", f.Path(), url, strings.Join(logins, ", "))
		}
		who := ""
		if username != "" {
			who = " of " + username
		}
		return fmt.Errorf("%s holds no Cleura Cloud token%s for %s", f.Path(), who, url)
	}
	t := cleuraTarget{url: url, username: e.Login}
	c, err := cleuraClient(t, "", e.Token)
	if err != nil {
		return err
	}
	// Revoke counts a dead token as revoked; asking first tells the user
	// which it was.
	dead := cleura.IsInvalidToken(c.Validate(context.Background(), e.Token))
	revokeErr := c.Revoke(context.Background(), e.Token)
	// The local copy goes whatever the API said: a token that cannot be
	// revoked now still ends on its own within a day.
	f.Remove("cleura", url, e.Login)
	if err := f.Save(); err != nil {
		return fmt.Errorf("could not remove the token from %s: %w", f.Path(), err)
	}
	switch {
	case revokeErr == nil && dead:
		fmt.Fprintf(a.stdout, "The token of %s at %s was no longer valid; removed it from %s.\n", t.username, url, f.Path())
	case revokeErr == nil:
		fmt.Fprintf(a.stdout, "Revoked the token of %s at %s and removed it from %s.\n", t.username, url, f.Path())
	default:
		return fmt.Errorf("removed the token of %s from %s, but Cleura Cloud did not revoke it (%w); it stays valid until it expires", t.username, f.Path(), revokeErr)
	}
	return nil
}
