package clc_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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
	if e.Logins("clc") != 0 || e.Requests("clc.datacenters.list") != 1 {
		t.Errorf("logins = %d, data center lists = %d: want no login, and the list that checked the token kept for the read",
			e.Logins("clc"), e.Requests("clc.datacenters.list"))
	}
}

// A token is shown to the API before it is handed out, as a login would
// be: `cloudauth token clc` and cloudauth_token never pass on a revoked
// token, and with a password they pass on a new one.
func TestGivenTokenIsCheckedBeforeItIsHandedOut(t *testing.T) {
	t.Parallel()
	for _, withPassword := range []bool{false, true} {
		token, url, e := issued(t)
		cfg := clc.Config{HTTP: httpx.Config{BaseURL: url}, Token: token}
		if withPassword {
			cfg.Username, cfg.Password = emulator.CLCUser, emulator.CLCPassword
		}
		// A login in the same second would mint the very same JWT.
		e.Advance(time.Minute)
		e.RevokeAll("clc")
		cr, err := newClient(t, cfg).Credential(context.Background())
		var tr *clc.TokenRejectedError
		switch {
		case !withPassword && !errors.As(err, &tr):
			t.Errorf("without a password: credential %v, err = %v; want *TokenRejectedError", cr.Token == token, err)
		case withPassword && (err != nil || cr.Token == token || e.Logins("clc") != 1):
			t.Errorf("with a password: same token %v, %d logins, err = %v; want a new token from one login", cr.Token == token, e.Logins("clc"), err)
		}
	}
}

// A token whose exp has passed by this machine's clock is not sent when a
// password can replace it: the client logs in at once.
func TestGivenTokenPastItsExpWithPassword(t *testing.T) {
	t.Parallel()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	e.Advance(-15 * 24 * time.Hour) // minted 15 days ago: ended a day ago
	stale := e.CLCBearerToken(emulator.CLCUser)
	e.Advance(15 * 24 * time.Hour)
	c := newClient(t, clc.Config{HTTP: httpx.Config{BaseURL: srv.URL + "/clc"}, Token: stale,
		Username: emulator.CLCUser, Password: emulator.CLCPassword})
	cr, err := c.Credential(context.Background())
	if err != nil || cr.Token == stale || cr.ExpiresAt.Before(time.Now()) {
		t.Fatalf("credential: stale %v, expires %v, err %v", cr.Token == stale, cr.ExpiresAt, err)
	}
	if e.Logins("clc") != 1 || e.Requests("clc.datacenters.list") != 0 {
		t.Errorf("logins = %d, data center lists = %d: want one login and the stale token never sent",
			e.Logins("clc"), e.Requests("clc.datacenters.list"))
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
	if !errors.As(err, &tr) || !strings.Contains(err.Error(), "whose exp claim says it ended 2015-05-25T10:26:40Z, and there is no password") {
		t.Fatalf("err = %v, want a refused token that ended at its exp", err)
	}
}

// A token that is not a JWT names no account or data center: without an
// account the read says which to set before any request; with one, the
// token is shown to the API once (the data center list, kept for the
// reads), and a read without a data center says to set it.
func TestOpaqueTokenNeedsAccountAndDataCenter(t *testing.T) {
	t.Parallel()
	var lists atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/datacenters/ACME" || r.Header.Get("Authorization") != "Bearer opaque-token-0123456789" {
			http.Error(w, `{"message":"unexpected"}`, http.StatusTeapot)
			return
		}
		lists.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":"wa1","name":"US West","links":[]}]`))
	}))
	t.Cleanup(srv.Close)
	cases := []struct {
		alias, dc, want string
		lists           int32
	}{
		{"", "WA1", "no account was given, and the bearer token cannot name one: it is not a JWT", 0},
		{"ACME", "", "no data center was given, and the bearer token cannot name one: it is not a JWT", 1},
	}
	for _, tc := range cases {
		lists.Store(0)
		c := newClient(t, clc.Config{HTTP: httpx.Config{BaseURL: srv.URL}, Token: "opaque-token-0123456789", AccountAlias: tc.alias})
		_, err := c.RootGroup(context.Background(), "", tc.dc)
		var ue *clc.UnnamedError
		if !errors.As(err, &ue) || !ue.NotJWT || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("alias %q, data center %q: err = %v, want %q", tc.alias, tc.dc, err, tc.want)
		}
		if n := lists.Load(); n != tc.lists {
			t.Errorf("alias %q: %d data center lists, want %d", tc.alias, n, tc.lists)
		}
	}
}

// A token with the shape of a JWT that names no account asks for the
// account by the claim it lacks, not as a malformed token.
func TestJWTWithoutAccountNamesTheClaim(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	token := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(`{"unique_name":"someone"}`)) + "." + enc([]byte("sig"))
	c := newClient(t, clc.Config{HTTP: httpx.Config{BaseURL: "https://clc.invalid"}, Token: token})
	_, err := c.RootGroup(context.Background(), "", "WA1")
	var ue *clc.UnnamedError
	if !errors.As(err, &ue) || ue.NotJWT || !strings.Contains(err.Error(), "its JWT has no urn:tier3:account-alias claim") {
		t.Fatalf("err = %v, want the missing claim named", err)
	}
}

// A base URL with /v2 in its path would send /v2/v2/...: it is refused
// with the URL to use instead; New applies the same check.
func TestCheckURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want, err string }{
		{"https://api.ctl.io", "https://api.ctl.io", ""},
		{"https://api.ctl.io/", "https://api.ctl.io", ""},
		{"https://gw.example/clc", "https://gw.example/clc", ""},
		{"https://api.ctl.io/v2x", "https://api.ctl.io/v2x", ""},
		{"https://api.ctl.io/v2", "", `use "https://api.ctl.io"`},
		{"https://api.ctl.io/v2/", "", `use "https://api.ctl.io"`},
		{"https://gw.example/clc/v2/authentication/login", "", `use "https://gw.example/clc"`},
		{"https://api.ctl.io/V2", "https://api.ctl.io/V2", ""},
	}
	for _, tc := range cases {
		got, err := clc.CheckURL(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("CheckURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "has /v2 in its path")):
			t.Errorf("CheckURL(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
		}
	}
	_, err := clc.New(clc.Config{HTTP: httpx.Config{BaseURL: "https://api.ctl.io/v2"}, Username: "u", Password: "p"})
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) || ce.Attribute != "url" {
		t.Fatalf("New with /v2: err = %v, want a ConfigError on url", err)
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
