package abiquo_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// demoOAuth is the emulator's application with an access token for the
// two-factor user.
func demoOAuth() abiquo.Config {
	return abiquo.Config{
		ConsumerKey: emulator.AbiquoOAuthConsumerKey, ConsumerSecret: emulator.AbiquoOAuthConsumerSecret,
		AccessToken: emulator.AbiquoOAuthAccessToken, AccessTokenSecret: emulator.AbiquoOAuthAccessTokenSecret,
	}
}

// wire sits between the client and the emulator: it keeps every request's
// Authorization and lets a test change what goes through.
type wire struct {
	e    *emulator.Emulator
	mu   sync.Mutex
	auth []string
	// tamper, when set, sees each request before the emulator and may
	// answer it itself (returns true).
	tamper func(w http.ResponseWriter, r *http.Request, n int) bool
}

func (x *wire) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x.mu.Lock()
	x.auth = append(x.auth, r.Header.Get("Authorization"))
	n := len(x.auth)
	tamper := x.tamper
	x.mu.Unlock()
	if tamper != nil && tamper(w, r, n) {
		return
	}
	x.e.ServeHTTP(w, r)
}

func (x *wire) seen() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.auth...)
}

func startWire(t *testing.T) (*wire, string) {
	t.Helper()
	x := &wire{e: emulator.New()}
	srv := httptest.NewServer(x)
	t.Cleanup(srv.Close)
	return x, srv.URL + "/abiquo/api"
}

var nonceRe = regexp.MustCompile(`oauth_nonce="([^"]+)"`)

// logLines collects the stack's debug log.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Log(_ context.Context, _ httpx.Level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprint(msg, fields))
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestOAuthSignsEveryRequest(t *testing.T) {
	t.Parallel()
	x, endpoint := startWire(t)
	logs := &logLines{}
	cfg := demoOAuth()
	cfg.HTTP = fast(endpoint)
	cfg.HTTP.Logger = logs
	c, err := abiquo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dcs, err := c.Datacenters(ctx)
	if err != nil || len(dcs) != emulator.AbiquoDatacenterCount {
		t.Fatalf("%d datacenters, err %v", len(dcs), err)
	}
	// One signed login and the three pages, as with a password; no
	// one-time code although the user has two-factor authentication.
	seen := x.seen()
	if len(seen) != 4 || x.e.Requests("abiquo.login") != 1 || x.e.Requests("abiquo.datacenters.list") != 3 {
		t.Fatalf("%d requests: %v", len(seen), x.e.Counters().Requests)
	}
	nonces := map[string]bool{}
	for _, a := range seen {
		m := nonceRe.FindStringSubmatch(a)
		if !strings.HasPrefix(a, "OAuth ") || !strings.Contains(a, `oauth_signature_method="HMAC-SHA1"`) ||
			!strings.Contains(a, `oauth_token="`+emulator.AbiquoOAuthAccessToken+`"`) || m == nil || nonces[m[1]] {
			t.Errorf("Authorization = %s", a)
			continue
		}
		nonces[m[1]] = true
	}
	// The signed login's answer carries a token, as a Basic login's does.
	cr, err := c.Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Principal != emulator.AbiquoTwoFactorUser || len(cr.Token) != 36 || cr.Headers["Authorization"] != "Token "+cr.Token || !c.CanLogin() {
		t.Errorf("credential = %+v", cr)
	}
	if !tokenWorksFor(t, endpoint, cr.Token) {
		t.Error("the token from a signed request does not work")
	}
	// Neither the secrets, the access token nor a signature is logged.
	out := logs.String()
	if !strings.Contains(out, "HTTP request") {
		t.Fatal("nothing was logged")
	}
	secrets := []string{emulator.AbiquoOAuthConsumerSecret, emulator.AbiquoOAuthAccessTokenSecret, emulator.AbiquoOAuthAccessToken}
	for _, a := range seen {
		if m := regexp.MustCompile(`oauth_signature="([^"]+)"`).FindStringSubmatch(a); m != nil {
			secrets = append(secrets, m[1])
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the log shows a secret or a signature (%s…)", s[:4])
		}
	}
}

func tokenWorksFor(t *testing.T, endpoint, tok string) bool {
	t.Helper()
	c := client(t, endpoint, abiquo.Config{Token: tok, TokenOrigin: "test"})
	_, err := c.User(ctx)
	return err == nil
}

// A retry is signed afresh: the first attempt reached the API (which
// keeps its nonce) but its answer was lost to a proxy's 503; the retry
// goes through only with a nonce of its own.
func TestOAuthRetryIsSignedAfresh(t *testing.T) {
	t.Parallel()
	x, endpoint := startWire(t)
	x.tamper = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n != 1 {
			return false
		}
		x.e.ServeHTTP(httptest.NewRecorder(), r)
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	c := client(t, endpoint, demoOAuth())
	if _, err := c.User(ctx); err != nil {
		t.Fatalf("the retry was refused: %v (rejections %v)", err, x.e.AbiquoOAuthRejections())
	}
	seen := x.seen()
	if len(seen) != 2 || seen[0] == seen[1] || x.e.Logins("abiquo") != 2 {
		t.Fatalf("attempts = %d, logins = %d", len(seen), x.e.Logins("abiquo"))
	}
	if n := x.e.AbiquoOAuthRejections()[emulator.OAuthNonceUsed]; n != 0 {
		t.Errorf("a nonce was sent twice (%d)", n)
	}
}

func TestOAuthRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		cfg     func(*abiquo.Config)
		setup   func(x *wire)
		problem emulator.AbiquoOAuthProblem
	}{
		{"wrong consumer secret", func(c *abiquo.Config) { c.ConsumerSecret = "not-the-consumer-secret" }, nil, emulator.OAuthSignatureInvalid},
		{"wrong token secret", func(c *abiquo.Config) { c.AccessTokenSecret = "not-the-token-secret" }, nil, emulator.OAuthSignatureInvalid},
		{"unknown consumer", func(c *abiquo.Config) { c.ConsumerKey = "no-such-application" }, nil, emulator.OAuthConsumerUnknown},
		// The client signs with its own clock; the API's is 6 minutes ahead.
		{"stale timestamp", nil, func(x *wire) { x.e.Advance(emulator.AbiquoOAuthWindow + time.Minute) }, emulator.OAuthTimestampRefused},
		{"revoked token", nil, func(x *wire) { x.e.RevokeAbiquoOAuthTokens(emulator.AbiquoTwoFactorUser) }, emulator.OAuthTokenRevoked},
		{"Tomcat page for a revoked token", nil, func(x *wire) {
			x.e.RevokeAbiquoOAuthTokens("")
			x.e.SetAbiquoHTMLErrors(true)
		}, emulator.OAuthTokenRevoked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x, endpoint := startWire(t)
			cfg := demoOAuth()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			if tc.setup != nil {
				tc.setup(x)
			}
			c := client(t, endpoint, cfg)
			_, err := c.Datacenters(ctx)
			var oe *abiquo.OAuthError
			if !errors.As(err, &oe) || oe.Step != abiquo.OAuthSigned || oe.ConsumerKey != cfg.ConsumerKey || !httpx.IsPermanent(err) {
				t.Fatalf("err = %v", err)
			}
			for _, want := range []string{"refused the OAuth 1.0a signature", "(HTTP 401: an HTML error page instead of an Abiquo error (HTTP Status 401 – Unauthorized))", "revoked", "clock"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q missing from %v", want, err)
				}
			}
			if strings.ContainsAny(err.Error(), "<>") {
				t.Errorf("the error quotes a page: %v", err)
			}
			noSecrets(t, err, cfg.ConsumerSecret, cfg.AccessTokenSecret, cfg.AccessToken)
			if got := x.e.AbiquoOAuthRejections(); got[tc.problem] != 1 || len(got) != 1 {
				t.Errorf("rejections = %v, want one %s", got, tc.problem)
			}
			// Refused once, not again in the same run.
			if _, again := c.Datacenters(ctx); !errors.As(again, &oe) || len(x.seen()) != 1 {
				t.Errorf("requests = %d after a second read (err %v)", len(x.seen()), again)
			}
		})
	}
}

// A replayed request (the same signature, nonce and timestamp) is refused.
func TestOAuthReplayIsRefused(t *testing.T) {
	t.Parallel()
	x, endpoint := startWire(t)
	c := client(t, endpoint, demoOAuth())
	if _, err := c.User(ctx); err != nil {
		t.Fatal(err)
	}
	// The next login goes out with the first one's Authorization.
	x.tamper = func(_ http.ResponseWriter, r *http.Request, n int) bool {
		r.Header.Set("Authorization", x.seen()[0])
		return false
	}
	_, err := c.Relogin(ctx)
	var oe *abiquo.OAuthError
	if !errors.As(err, &oe) || x.e.AbiquoOAuthRejections()[emulator.OAuthNonceUsed] != 1 {
		t.Fatalf("err = %v, rejections %v", err, x.e.AbiquoOAuthRejections())
	}
}

// A token refused mid-run: the client logs in again (signed) once, and
// reports the revocation.
func TestOAuthRevokedMidRun(t *testing.T) {
	t.Parallel()
	x, endpoint := startWire(t)
	c := client(t, endpoint, demoOAuth())
	if _, err := c.User(ctx); err != nil {
		t.Fatal(err)
	}
	x.e.RevokeAbiquoOAuthTokens(emulator.AbiquoTwoFactorUser)
	_, err := c.Datacenters(ctx)
	var oe *abiquo.OAuthError
	if !errors.As(err, &oe) || x.e.AbiquoOAuthRejections()[emulator.OAuthTokenRevoked] != 2 {
		t.Fatalf("err = %v, rejections %v", err, x.e.AbiquoOAuthRejections())
	}
	if n := len(x.seen()); n != 3 {
		t.Errorf("%d requests, want the login, the page and one new login", n)
	}
}

func TestOAuthConfigErrors(t *testing.T) {
	t.Parallel()
	with := func(f func(*abiquo.Config)) abiquo.Config {
		c := demoOAuth()
		f(&c)
		return c
	}
	cases := []struct {
		cfg       abiquo.Config
		attribute string
		contains  string
	}{
		{with(func(c *abiquo.Config) { c.Username, c.Password = "u", "a-password" }), "password", "use one way to log in, not both"},
		{with(func(c *abiquo.Config) { c.Token = "a-token-0123456789" }), "token", "not both"},
		{with(func(c *abiquo.Config) { c.OTPSecret = emulator.AbiquoTOTPSecret }), "otp_secret", "OAuth needs no one-time code"},
		{with(func(c *abiquo.Config) { c.OTP = "123456" }), "otp", "OAuth needs no one-time code"},
		{with(func(c *abiquo.Config) { c.ConsumerSecret = "" }), "consumer_secret", "needs all four"},
		{with(func(c *abiquo.Config) { c.AccessToken = " " }), "access_token", "access_token is missing"},
		{abiquo.Config{ConsumerKey: "ck"}, "consumer_secret", "needs all four"},
		{abiquo.Config{AccessTokenSecret: "only-this-one"}, "consumer_key", "consumer_key is missing"},
	}
	for _, tc := range cases {
		tc.cfg.HTTP = httpx.Config{BaseURL: "https://abq.example.com/api"}
		_, err := abiquo.New(tc.cfg)
		var ce *httpx.ConfigError
		if !errors.As(err, &ce) || ce.Attribute != tc.attribute || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%s: err = %v, want %s error with %q", tc.attribute, err, tc.attribute, tc.contains)
			continue
		}
		noSecrets(t, err, emulator.AbiquoOAuthConsumerSecret, emulator.AbiquoOAuthAccessTokenSecret, "a-password", "a-token-0123456789", "only-this-one")
	}
	// Username alongside OAuth is only a name.
	cfg := demoOAuth()
	cfg.Username = "sysadmin"
	cfg.HTTP = httpx.Config{BaseURL: "https://abq.example.com/api"}
	if _, err := abiquo.New(cfg); err != nil {
		t.Errorf("OAuth with a user name: %v", err)
	}
}

// The dance of `cloudauth login abiquo --oauth`, for users without and
// with two-factor authentication.
func TestRegisterAndAuthorizeApplication(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  func(e *emulator.Emulator) abiquo.Config
		// authorized says how /oauth/authorize was authenticated.
		authorized string
	}{
		{"password only", func(*emulator.Emulator) abiquo.Config {
			return abiquo.Config{Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword}
		}, "Basic "},
		{"TOTP secret", func(*emulator.Emulator) abiquo.Config {
			return abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTPSecret: emulator.AbiquoTOTPURL}
		}, "Token "},
		{"scratch code", func(*emulator.Emulator) abiquo.Config {
			return abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTP: emulator.AbiquoScratchCodes[1]}
		}, "Token "},
		{"mailed code", func(*emulator.Emulator) abiquo.Config {
			return abiquo.Config{Username: emulator.AbiquoEmailUser, Password: emulator.AbiquoEmailPassword}
		}, "Token "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x, endpoint := startWire(t)
			cfg := tc.cfg(x.e)
			if cfg.Username == emulator.AbiquoEmailUser {
				// The first login mails the code.
				if _, err := client(t, endpoint, cfg).Credential(ctx); err == nil {
					t.Fatal("a mail user logged in without a code")
				}
				cfg.OTP, _ = x.e.AbiquoEmailCode(emulator.AbiquoEmailUser)
			}
			c := client(t, endpoint, cfg)
			app, err := c.RegisterApplication(ctx, "terraform on ci")
			if err != nil {
				t.Fatal(err)
			}
			if app.Name != "terraform on ci" || app.APIKey == "" || app.APISecret == "" {
				t.Fatalf("app = %+v", app)
			}
			if got := x.e.AbiquoOAuthApplications(cfg.Username); !slices.Contains(got, "terraform on ci") {
				t.Errorf("applications = %v", got)
			}
			before := len(x.seen())
			creds, err := c.AuthorizeApplication(ctx, app.APIKey, app.APISecret)
			if err != nil {
				t.Fatal(err)
			}
			steps := x.seen()[before:]
			if len(steps) != 3 || !strings.HasPrefix(steps[0], "OAuth ") || !strings.Contains(steps[0], `oauth_callback="oob"`) ||
				!strings.HasPrefix(steps[1], tc.authorized) || !strings.Contains(steps[2], `oauth_verifier="`) {
				t.Errorf("the dance sent %q", steps)
			}
			if creds.ConsumerKey != app.APIKey || creds.ConsumerSecret != app.APISecret || creds.AccessToken == "" || creds.AccessTokenSecret == "" {
				t.Fatalf("creds = %+v", creds)
			}
			signed := client(t, endpoint, abiquo.Config{ConsumerKey: creds.ConsumerKey, ConsumerSecret: creds.ConsumerSecret,
				AccessToken: creds.AccessToken, AccessTokenSecret: creds.AccessTokenSecret})
			u, err := signed.User(ctx)
			if err != nil || u.Nick != cfg.Username {
				t.Fatalf("user %+v, err %v", u, err)
			}
		})
	}
}

func TestAuthorizeApplicationFailures(t *testing.T) {
	t.Parallel()
	t.Run("wrong consumer secret", func(t *testing.T) {
		t.Parallel()
		x, endpoint := startWire(t)
		c := client(t, endpoint, abiquo.Config{Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword})
		app, err := c.RegisterApplication(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.AuthorizeApplication(ctx, app.APIKey, "not-"+app.APISecret)
		var oe *abiquo.OAuthError
		if !errors.As(err, &oe) || oe.Step != abiquo.OAuthRequestToken || x.e.AbiquoOAuthRejections()[emulator.OAuthSignatureInvalid] != 1 {
			t.Fatalf("err = %v", err)
		}
		noSecrets(t, err, app.APISecret)
	})
	t.Run("a lost verifier", func(t *testing.T) {
		t.Parallel()
		x, endpoint := startWire(t)
		// The access token request arrives, is answered, and the answer is
		// lost; nothing may send the verifier again.
		x.tamper = func(w http.ResponseWriter, r *http.Request, _ int) bool {
			if !strings.HasSuffix(r.URL.Path, "/oauth/access_token") {
				return false
			}
			x.e.ServeHTTP(httptest.NewRecorder(), r)
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		c := client(t, endpoint, abiquo.Config{Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword})
		app, err := c.RegisterApplication(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		if _, err = c.AuthorizeApplication(ctx, app.APIKey, app.APISecret); !httpx.StatusIs(err, http.StatusBadGateway) {
			t.Fatalf("err = %v", err)
		}
		if n := x.e.Requests("abiquo.oauth.access_token"); n != 1 {
			t.Errorf("the exchange was sent %d times", n)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		_, endpoint := startWire(t)
		c := client(t, endpoint, abiquo.Config{Username: emulator.AbiquoAdmin, Password: "not-the-password-1"})
		_, err := c.AuthorizeApplication(ctx, emulator.AbiquoOAuthConsumerKey, emulator.AbiquoOAuthConsumerSecret)
		var le *abiquo.LoginError
		if !errors.As(err, &le) || le.Kind != abiquo.RefusedWithoutCode {
			t.Fatalf("err = %v", err)
		}
		noSecrets(t, err, "not-the-password-1", emulator.AbiquoOAuthConsumerSecret)
	})
	t.Run("no password", func(t *testing.T) {
		t.Parallel()
		_, endpoint := startWire(t)
		c := client(t, endpoint, demoOAuth())
		if _, err := c.AuthorizeApplication(ctx, "k", "s"); err == nil || !strings.Contains(err.Error(), "needs the user's password") {
			t.Fatalf("err = %v", err)
		}
	})
}
