package clc_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/clc"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// issued serves an emulator and returns a bearer token of the demo user,
// as `cloudauth token clc` would print it, and the API's URL.
func issued(t *testing.T) (token, url string, e *emulator.Emulator) {
	t.Helper()
	e = emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return e.CLCBearerToken(emulator.CLCUser), srv.URL + "/clc", e
}

func newClient(t *testing.T, cfg clc.Config) *clc.Client {
	t.Helper()
	cfg.HTTP.MaxRetries, cfg.HTTP.RetryWaitMin, cfg.HTTP.RetryWaitMax = 1, time.Millisecond, 2*time.Millisecond
	c, err := clc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A configured token is used as it is: its claims give the user, the
// account and the default data center, and no login is made.
func TestGivenTokenReadsWithoutLogin(t *testing.T) {
	t.Parallel()
	token, url, e := issued(t)
	c := newClient(t, clc.Config{HTTP: httpx.Config{BaseURL: url}, Token: token, TokenOrigin: "env CLC_BEARER_TOKEN"})
	g, err := c.RootGroup(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if g.AccountAlias != emulator.CLCAccount || g.LocationID != "WA1" {
		t.Errorf("root group of %s in %s, want %s in WA1 (the token's claims)", g.AccountAlias, g.LocationID, emulator.CLCAccount)
	}
	cr, err := c.Credential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cr.Token != token || cr.Principal != emulator.CLCUser || cr.Headers["Authorization"] != "Bearer "+token {
		t.Errorf("credential: principal %q, headers %v", cr.Principal, cr.Headers)
	}
	if d := time.Until(cr.ExpiresAt); d < clc.TokenLifetime-time.Minute || d > clc.TokenLifetime {
		t.Errorf("ExpiresAt = %v: want the JWT's exp, two weeks ahead", cr.ExpiresAt)
	}
	if !cr.RenewAt.IsZero() || c.CanLogin() {
		t.Errorf("RenewAt = %v, CanLogin = %v: a token without a password cannot be renewed", cr.RenewAt, c.CanLogin())
	}
	if e.Logins("clc") != 0 {
		t.Errorf("logins = %d, want 0", e.Logins("clc"))
	}
}

// A refused token without a password is the user's to replace: the error
// names where it came from, and no login is tried.
func TestGivenTokenRefused(t *testing.T) {
	t.Parallel()
	token, url, e := issued(t)
	c := newClient(t, clc.Config{HTTP: httpx.Config{BaseURL: url}, Token: token, TokenOrigin: "env CLC_BEARER_TOKEN"})
	e.RevokeAll("clc")
	_, err := c.RootGroup(context.Background(), "", "")
	var tr *clc.TokenRejectedError
	if !errors.As(err, &tr) || !errors.Is(err, httpx.ErrNeedsNewCredential) {
		t.Fatalf("err = %v, want *TokenRejectedError that needs a new credential", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "env CLC_BEARER_TOKEN") || strings.Contains(msg, token) {
		t.Errorf("message = %q: want the token's origin, never the token", msg)
	}
	if e.Logins("clc") != 0 {
		t.Errorf("logins = %d, want 0", e.Logins("clc"))
	}
	if _, err := c.Relogin(context.Background()); !errors.As(err, &tr) {
		t.Errorf("Relogin = %v, want *TokenRejectedError", err)
	}
}

// With a password as well, a refused token costs one login, and the
// reads go on with the new token.
func TestGivenTokenRefusedWithPassword(t *testing.T) {
	t.Parallel()
	token, url, e := issued(t)
	c := newClient(t, clc.Config{HTTP: httpx.Config{BaseURL: url}, Token: token,
		Username: emulator.CLCUser, Password: emulator.CLCPassword})
	// A login in the same second would mint the very same JWT.
	e.Advance(time.Minute)
	e.RevokeAll("clc")
	if _, err := c.RootGroup(context.Background(), "", ""); err != nil {
		t.Fatal(err)
	}
	if e.Logins("clc") != 1 {
		t.Errorf("logins = %d, want 1", e.Logins("clc"))
	}
	cr, err := c.Credential(context.Background())
	if err != nil || cr.Token == token || !c.CanLogin() {
		t.Errorf("credential after the login: same token %v, CanLogin %v, %v", cr.Token == token, c.CanLogin(), err)
	}
}

// A token whose exp has passed on this machine's clock says so when the
// API refuses it.
func TestGivenTokenPastItsExp(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"Authorization has been denied for this request."}`))
	}))
	t.Cleanup(srv.Close)
	enc := base64.RawURLEncoding
	token := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"urn:tier3:account-alias":"ACME","urn:tier3:location-alias":"WA1","exp":1432549600}`)) + ".c2ln"
	c := newClient(t, clc.Config{HTTP: httpx.Config{BaseURL: srv.URL}, Token: token})
	_, err := c.RootGroup(context.Background(), "", "")
	var tr *clc.TokenRejectedError
	if !errors.As(err, &tr) || !strings.Contains(err.Error(), "ended 2015-05-25T10:26:40Z") {
		t.Fatalf("err = %v, want a refused token that ended at its exp", err)
	}
}

// A token that is not a JWT names no account or data center: the reads
// say which one to set, before any request.
func TestOpaqueTokenNeedsAccountAndDataCenter(t *testing.T) {
	t.Parallel()
	_, url, e := issued(t)
	cases := []struct {
		alias, dc, want string
	}{
		{"", "WA1", "no account was given"},
		{"ACME", "", "no data center was given"},
	}
	for _, tc := range cases {
		c := newClient(t, clc.Config{HTTP: httpx.Config{BaseURL: url}, Token: "opaque-token-0123456789", AccountAlias: tc.alias})
		_, err := c.RootGroup(context.Background(), "", tc.dc)
		var ue *clc.UnnamedError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("alias %q, data center %q: err = %v, want %q", tc.alias, tc.dc, err, tc.want)
		}
	}
	if n := e.Requests("clc"); n != 0 {
		t.Errorf("requests = %d, want 0", n)
	}
}

func TestNewNeedsAPasswordOrAToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  clc.Config
		attr string // "" when valid
	}{
		{"token alone", clc.Config{Token: "t"}, ""},
		{"token and password", clc.Config{Token: "t", Username: "u", Password: "p"}, ""},
		{"token and a password without user", clc.Config{Token: "t", Password: "p"}, "username"},
		{"user without password", clc.Config{Username: "u"}, "password"},
		{"nothing", clc.Config{}, "username"},
	}
	for _, tc := range cases {
		tc.cfg.HTTP.BaseURL = "https://api.ctl.io"
		_, err := clc.New(tc.cfg)
		var ce *httpx.ConfigError
		switch {
		case tc.attr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.attr != "" && (!errors.As(err, &ce) || ce.Attribute != tc.attr):
			t.Errorf("%s: err = %v, want a ConfigError on %s", tc.name, err, tc.attr)
		}
	}
}
