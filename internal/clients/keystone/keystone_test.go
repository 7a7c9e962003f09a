package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

type fake struct {
	*emulator.Emulator
	URL string // the emulator's auth_url, with /v3
}

func startEmulator(t *testing.T) *fake {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &fake{Emulator: e, URL: srv.URL + "/keystone/v3"}
}

func fastHTTP() httpx.Config {
	return httpx.Config{MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond, Timeout: 5 * time.Second}
}

func newClient(t *testing.T, cfg keystone.Config) *keystone.Client {
	t.Helper()
	cfg.HTTP = fastHTTP()
	c, err := keystone.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func appCred(url string) keystone.Config {
	return keystone.Config{AuthURL: url, ApplicationCredentialID: emulator.KeystoneAppCredID, ApplicationCredentialSecret: emulator.KeystoneAppCredSecret}
}

func TestLoginMethodsAndScopes(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	withoutV3 := strings.TrimSuffix(f.URL, "/v3")
	demo := func(c keystone.Config) keystone.Config {
		c.AuthURL = f.URL
		c.UserName, c.UserDomainName, c.Password = emulator.KeystoneUser, emulator.KeystoneDomainName, emulator.KeystonePassword
		return c
	}
	cases := []struct {
		name    string
		cfg     keystone.Config
		method  keystone.Method
		scope   string
		project string
		roles   int
	}{
		{"application credential by id", appCred(f.URL), keystone.MethodAppCredID, "project", emulator.KeystoneProject, 2},
		{"auth_url without /v3", appCred(withoutV3), keystone.MethodAppCredID, "project", emulator.KeystoneProject, 2},
		{"auth_url with a trailing slash", appCred(f.URL + "/"), keystone.MethodAppCredID, "project", emulator.KeystoneProject, 2},
		{"application credential by name and user id", keystone.Config{AuthURL: f.URL,
			ApplicationCredentialName: emulator.KeystoneAppCredName, ApplicationCredentialSecret: emulator.KeystoneAppCredSecret,
			UserID: emulator.KeystoneUserID}, keystone.MethodAppCredName, "project", emulator.KeystoneProject, 2},
		{"application credential by name and user name", keystone.Config{AuthURL: f.URL,
			ApplicationCredentialName: emulator.KeystoneAppCredName, ApplicationCredentialSecret: emulator.KeystoneAppCredSecret,
			UserName: emulator.KeystoneUser, UserDomainID: emulator.KeystoneDomainID}, keystone.MethodAppCredName, "project", emulator.KeystoneProject, 2},
		{"password, project by id", demo(keystone.Config{ProjectID: emulator.KeystoneOtherProjectID}),
			keystone.MethodPassword, "project", emulator.KeystoneOtherProject, 1},
		{"password, project by name", demo(keystone.Config{ProjectName: emulator.KeystoneProject, ProjectDomainName: emulator.KeystoneDomainName}),
			keystone.MethodPassword, "project", emulator.KeystoneProject, 2},
		{"password, user by id", keystone.Config{AuthURL: f.URL, UserID: emulator.KeystoneUserID, Password: emulator.KeystonePassword,
			ProjectName: emulator.KeystoneProject, ProjectDomainID: emulator.KeystoneDomainID}, keystone.MethodPassword, "project", emulator.KeystoneProject, 2},
		{"password, domain scope", demo(keystone.Config{DomainName: emulator.KeystoneDomainName}), keystone.MethodPassword, "domain", "", 1},
		{"password, unscoped", demo(keystone.Config{}), keystone.MethodPassword, "unscoped", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, tc.cfg)
			if c.Method() != tc.method {
				t.Errorf("Method = %v, want %v", c.Method(), tc.method)
			}
			if c.AuthURL() != f.URL {
				t.Errorf("AuthURL = %q, want %q", c.AuthURL(), f.URL)
			}
			tok, err := c.Login(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(tok.ID, "gAAAAAB") || tok.User.Name != emulator.KeystoneUser || tok.User.Domain.ID != emulator.KeystoneDomainID {
				t.Errorf("token = %q, user = %+v", tok.ID, tok.User)
			}
			if tok.Scope() != tc.scope {
				t.Errorf("scope = %q, want %q", tok.Scope(), tc.scope)
			}
			if tc.project != "" && (tok.Project == nil || tok.Project.Name != tc.project) {
				t.Errorf("project = %+v, want %s", tok.Project, tc.project)
			}
			if len(tok.Roles) != tc.roles {
				t.Errorf("roles = %+v, want %d", tok.Roles, tc.roles)
			}
			if (tc.scope == "unscoped") != (len(tok.Catalog) == 0) {
				t.Errorf("catalog has %d services for a %s token", len(tok.Catalog), tc.scope)
			}
			if d := tok.ExpiresAt.Sub(tok.IssuedAt); d != time.Hour {
				t.Errorf("lifetime = %s", d)
			}
			if tc.method == keystone.MethodAppCredID && (tok.ApplicationCredential == nil || tok.ApplicationCredential.ID != emulator.KeystoneAppCredID) {
				t.Errorf("application_credential = %+v", tok.ApplicationCredential)
			}
		})
	}
	t.Run("no version discovery", func(t *testing.T) {
		if n := f.Requests("keystone.version"); n != 0 {
			t.Errorf("GET /v3 was asked %d times; the auth URL must be used without discovery", n)
		}
	})
}

func TestConcurrentCallersShareOneLogin(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	c := newClient(t, appCred(f.URL))
	var wg sync.WaitGroup
	ids := make([]string, 20)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cred, err := c.Credential(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = cred.Token
		}()
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("callers got different tokens")
		}
	}
	if n := f.Requests("keystone"); n != 1 {
		t.Errorf("Keystone saw %d requests, want 1 login", n)
	}
}

func TestCredential(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	c := newClient(t, appCred(f.URL))
	cred, err := c.Credential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cred.Headers["X-Auth-Token"] != cred.Token || cred.Token == "" || len(cred.Headers) != 1 {
		t.Errorf("headers = %v", cred.Headers)
	}
	if cred.Principal != emulator.KeystoneUser || cred.Endpoint != f.URL {
		t.Errorf("principal %q endpoint %q", cred.Principal, cred.Endpoint)
	}
	if d := time.Until(cred.ExpiresAt); d < 58*time.Minute || d > 61*time.Minute {
		t.Errorf("expires in %s, want about 1h", d)
	}
	again, err := c.Relogin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if again.Token == cred.Token || f.Logins("keystone") != 2 {
		t.Errorf("Relogin kept the token or did not log in (logins %d)", f.Logins("keystone"))
	}
}

func TestExistingTokenIsValidatedNotReissued(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	first, err := newClient(t, appCred(f.URL)).Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, keystone.Config{AuthURL: f.URL, Token: first.ID, Region: emulator.KeystoneRegion})
	if c.Method() != keystone.MethodToken {
		t.Fatalf("Method = %v", c.Method())
	}
	tok, err := c.Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID != first.ID || tok.Project == nil || tok.Project.ID != emulator.KeystoneProjectID || len(tok.Catalog) != len(first.Catalog) {
		t.Errorf("validated token differs from the issued one: %+v", tok)
	}
	if !tok.ExpiresAt.Equal(first.ExpiresAt) {
		t.Errorf("expires_at %s, want the original %s", tok.ExpiresAt, first.ExpiresAt)
	}
	if f.Logins("keystone") != 1 || f.Requests("keystone.tokens.get") != 1 {
		t.Errorf("logins %d, GETs %d: the token must be shown once, not exchanged", f.Logins("keystone"), f.Requests("keystone.tokens.get"))
	}
	// A fixed token cannot be renewed: the token source must be told so.
	_, err = c.Relogin(context.Background())
	if !errors.Is(err, httpx.ErrNeedsNewCredential) || !errors.Is(err, keystone.ErrTokenRejected) {
		t.Errorf("Relogin with a fixed token: %v", err)
	}
}

func TestRevokedTokenIsRefused(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	issued, err := newClient(t, appCred(f.URL)).Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.RevokeAll("keystone")
	_, err = newClient(t, keystone.Config{AuthURL: f.URL, Token: issued.ID}).Login(context.Background())
	var le *keystone.LoginError
	if !errors.As(err, &le) || le.Method != keystone.MethodToken || le.Err.StatusCode != 401 {
		t.Fatalf("err = %v, want a 401 LoginError", err)
	}
	if strings.Contains(err.Error(), issued.ID) {
		t.Errorf("the error shows the token: %v", err)
	}
}

func TestRefusedLogins(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	cases := []struct {
		name   string
		cfg    keystone.Config
		status int
		method keystone.Method
		want   string
		secret string
	}{
		{"wrong secret", keystone.Config{AuthURL: f.URL, ApplicationCredentialID: emulator.KeystoneAppCredID, ApplicationCredentialSecret: "wrong-secret-value"},
			401, keystone.MethodAppCredID, "The request you have made requires authentication.", "wrong-secret-value"},
		{"expired application credential", keystone.Config{AuthURL: f.URL, ApplicationCredentialID: emulator.KeystoneExpiredAppCred, ApplicationCredentialSecret: emulator.KeystoneAppCredSecret},
			401, keystone.MethodAppCredID, "requires authentication", emulator.KeystoneAppCredSecret},
		{"unknown application credential", keystone.Config{AuthURL: f.URL, ApplicationCredentialID: "0000000000000000000000000000dead", ApplicationCredentialSecret: "some-secret-value"},
			404, keystone.MethodAppCredID, "Could not find Application Credential: 0000000000000000000000000000dead.", "some-secret-value"},
		{"wrong password", keystone.Config{AuthURL: f.URL, UserName: emulator.KeystoneUser, UserDomainName: emulator.KeystoneDomainName, Password: "wrong-password-value"},
			401, keystone.MethodPassword, "requires authentication", "wrong-password-value"},
		{"project without a role", keystone.Config{AuthURL: f.URL, UserName: emulator.KeystoneUser, UserDomainName: emulator.KeystoneDomainName,
			Password: emulator.KeystonePassword, ProjectName: emulator.KeystonePartnerProject, ProjectDomainName: emulator.KeystonePartnerDomain},
			401, keystone.MethodPassword, "requires authentication", emulator.KeystonePassword},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, tc.cfg)
			_, err := c.Login(context.Background())
			var le *keystone.LoginError
			if !errors.As(err, &le) || le.Err.StatusCode != tc.status || le.Method != tc.method {
				t.Fatalf("err = %v, want a %d LoginError for %v", err, tc.status, tc.method)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, tc.method.String()) || !strings.Contains(msg, f.URL) {
				t.Errorf("message %q should name the method, the URL and Keystone's answer %q", msg, tc.want)
			}
			if strings.Contains(msg, tc.secret) {
				t.Errorf("message shows the secret: %q", msg)
			}
			// A refused login is not repeated in the same process.
			before := f.Requests("keystone.tokens.create")
			if _, err2 := c.Login(context.Background()); err2 == nil {
				t.Fatal("second Login succeeded")
			}
			if f.Requests("keystone.tokens.create") != before {
				t.Errorf("a refused login was sent again")
			}
		})
	}
}

func TestVerifyLogsInAgainOnceAfter401(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	c := newClient(t, appCred(f.URL))
	first, err := c.Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.RevokeAll("keystone")
	var wg sync.WaitGroup
	got := make([]*keystone.Token, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := c.Verify(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = tok
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, tok := range got {
		if tok.ID == first.ID || tok.ID != got[0].ID {
			t.Fatalf("Verify returned %q; want the one new token", tok.ID)
		}
	}
	if n := f.Logins("keystone"); n != 2 {
		t.Errorf("logins = %d, want 2: callers that saw the same 401 share one new login", n)
	}
}

func TestVerifyWithRejectedFixedTokenAsksForANewOne(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	issued, err := newClient(t, appCred(f.URL)).Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, keystone.Config{AuthURL: f.URL, Token: issued.ID})
	if _, err := c.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.RevokeAll("keystone")
	_, err = c.Verify(context.Background())
	if !errors.Is(err, httpx.ErrNeedsNewCredential) {
		t.Fatalf("err = %v, want ErrNeedsNewCredential", err)
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	c := newClient(t, appCred(f.URL))
	tok, err := c.Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(context.Background(), tok.ID); err != nil {
		t.Fatal(err)
	}
	if f.Requests("keystone.tokens.revoke") != 1 {
		t.Fatalf("DELETE /v3/auth/tokens not sent")
	}
	// Revoking it again is not an error: it is already invalid.
	if err := c.Revoke(context.Background(), tok.ID); err != nil {
		t.Errorf("second Revoke: %v", err)
	}
	// The cached token was the one revoked: the next use logs in again.
	again, err := c.Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if again.ID == tok.ID || f.Logins("keystone") != 2 {
		t.Errorf("after Revoke the old token is still used (logins %d)", f.Logins("keystone"))
	}
}

func TestTransientFailuresAndBrokenAnswers(t *testing.T) {
	t.Parallel()
	t.Run("503 is retried for the login", func(t *testing.T) {
		t.Parallel()
		f := startEmulator(t)
		f.InjectFault(emulator.Fault{Route: "keystone.tokens.create", Status: 503, Times: 2})
		if _, err := newClient(t, appCred(f.URL)).Login(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := f.Requests("keystone.tokens.create"); n != 3 {
			t.Errorf("requests = %d, want 3", n)
		}
	})
	t.Run("an HTML page from a proxy", func(t *testing.T) {
		t.Parallel()
		f := startEmulator(t)
		f.InjectFault(emulator.Fault{Route: "keystone.tokens.create", Kind: "html"})
		_, err := newClient(t, appCred(f.URL)).Login(context.Background())
		var ae *httpx.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 502 || !strings.Contains(err.Error(), "502 Bad Gateway") {
			t.Fatalf("err = %v, want the 502 with the page's text", err)
		}
	})
	t.Run("an answer over the size cap", func(t *testing.T) {
		t.Parallel()
		f := startEmulator(t)
		f.InjectFault(emulator.Fault{Route: "keystone.tokens.create", Kind: "oversize", Status: 201})
		_, err := newClient(t, appCred(f.URL)).Login(context.Background())
		var te *httpx.TransportError
		if !errors.As(err, &te) || te.Kind != httpx.KindTooLarge {
			t.Fatalf("err = %v, want the body-too-large error", err)
		}
	})
	t.Run("a 200 that is not JSON", func(t *testing.T) {
		t.Parallel()
		f := startEmulator(t)
		f.InjectFault(emulator.Fault{Route: "keystone.tokens.create", Kind: "wrong-type", Status: 201})
		_, err := newClient(t, appCred(f.URL)).Login(context.Background())
		var de *httpx.DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "maintenance") {
			t.Fatalf("err = %v, want a DecodeError with the body's start", err)
		}
	})
}

func TestUnreachableAuthURL(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/identity/v3"
	ln.Close()
	_, err = newClient(t, appCred(url)).Login(context.Background())
	var te *httpx.TransportError
	if !errors.As(err, &te) || te.Kind != httpx.KindRefused {
		t.Fatalf("err = %v, want connection refused", err)
	}
	if !strings.Contains(err.Error(), url+"/auth/tokens") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("message should show the URL and the network error: %v", err)
	}
}

func TestConfigErrorsNameTheAttribute(t *testing.T) {
	t.Parallel()
	const u = "https://keystone.example:5000"
	cases := []struct {
		name string
		cfg  keystone.Config
		want []string // attributes, in order
	}{
		{"nothing", keystone.Config{AuthURL: u}, []string{"application_credential_id"}},
		{"no auth_url", keystone.Config{ApplicationCredentialID: "x", ApplicationCredentialSecret: "y"}, []string{"auth_url"}},
		{"v2.0 auth_url", keystone.Config{AuthURL: u + "/v2.0", Token: "t"}, []string{"auth_url"}},
		{"secret without a credential", keystone.Config{AuthURL: u, ApplicationCredentialSecret: "y"}, []string{"application_credential_id"}},
		{"credential id without secret", keystone.Config{AuthURL: u, ApplicationCredentialID: "x"}, []string{"application_credential_secret"}},
		{"credential name without user or secret", keystone.Config{AuthURL: u, ApplicationCredentialName: "x"},
			[]string{"application_credential_secret", "user_id"}},
		{"credential name, user without domain", keystone.Config{AuthURL: u, ApplicationCredentialName: "x", ApplicationCredentialSecret: "y", UserName: "u"},
			[]string{"user_domain_name"}},
		{"user without password", keystone.Config{AuthURL: u, UserName: "u", UserDomainName: "d"}, []string{"password"}},
		{"password without user", keystone.Config{AuthURL: u, Password: "p"}, []string{"user_id"}},
		{"project name without domain", keystone.Config{AuthURL: u, UserID: "u", Password: "p", ProjectName: "demo"}, []string{"project_domain_name"}},
		{"several problems at once", keystone.Config{AuthURL: "ftp://x", UserName: "u", Password: "p", ProjectName: "demo", Interface: "private"},
			[]string{"user_domain_name", "project_domain_name", "auth_url", "interface"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := keystone.New(tc.cfg)
			var got []string
			var walk func(error)
			walk = func(err error) {
				if j, ok := err.(interface{ Unwrap() []error }); ok {
					for _, e := range j.Unwrap() {
						walk(e)
					}
					return
				}
				var ce *httpx.ConfigError
				if errors.As(err, &ce) {
					got = append(got, ce.Attribute)
				}
			}
			walk(err)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("attributes = %v, want %v (err: %v)", got, tc.want, err)
			}
		})
	}
}

func TestNormalizeAuthURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"https://ks.example:5000":             "https://ks.example:5000/v3",
		"https://ks.example:5000/":            "https://ks.example:5000/v3",
		"https://ks.example:5000/v3":          "https://ks.example:5000/v3",
		"https://ks.example:5000/v3/":         "https://ks.example:5000/v3",
		"https://ks.example/identity":         "https://ks.example/identity/v3",
		"https://ks.example/identity/v3":      "https://ks.example/identity/v3",
		"https://ks.example/dev1/identity/v3": "https://ks.example/dev1/identity/v3",
		"  https://ks.example:5000/v3  ":      "https://ks.example:5000/v3",
	}
	for in, want := range cases {
		got, err := keystone.NormalizeAuthURL(in)
		if err != nil || got != want {
			t.Errorf("NormalizeAuthURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ks.example:5000", "https://ks.example/v2.0", "ftp://ks.example"} {
		if got, err := keystone.NormalizeAuthURL(bad); err == nil {
			t.Errorf("NormalizeAuthURL(%q) = %q, want an error", bad, got)
		}
	}
}

// An answer that is not Keystone's (a web page's 404, another service's
// 405) points at auth_url, not at the credentials.
func TestNotKeystoneAtAuthURL(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusMethodNotAllowed} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprint(w, "<html><body>Dashboard</body></html>")
		}))
		c, err := keystone.New(keystone.Config{AuthURL: srv.URL, ApplicationCredentialID: "id", ApplicationCredentialSecret: "secret-000001"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Login(context.Background())
		srv.Close()
		var ee *keystone.EndpointError
		var le *keystone.LoginError
		if !errors.As(err, &ee) || errors.As(err, &le) {
			t.Errorf("HTTP %d: err = %v, want an EndpointError", status, err)
		}
	}
}
