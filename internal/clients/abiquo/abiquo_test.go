package abiquo_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

var ctx = context.Background()

// fast keeps retries quick in tests.
func fast(base string) httpx.Config {
	return httpx.Config{BaseURL: base, MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond}
}

// start serves a fresh emulator and returns its Abiquo endpoint.
func start(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return e, srv.URL + "/abiquo/api"
}

func client(t *testing.T, endpoint string, cfg abiquo.Config) *abiquo.Client {
	t.Helper()
	cfg.HTTP = fast(endpoint)
	c, err := abiquo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func admin(t *testing.T, endpoint string) *abiquo.Client {
	return client(t, endpoint, abiquo.Config{Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword})
}

// noSecrets fails when err's text holds one of the values.
func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("the error shows a secret (%q): %v", s[:3]+"…", err)
		}
	}
}

func TestBasicLoginReadsEveryPageWithRotatingTokens(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	c := admin(t, endpoint)
	dcs, err := c.Datacenters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dcs) != emulator.AbiquoDatacenterCount {
		t.Fatalf("%d datacenters, want %d", len(dcs), emulator.AbiquoDatacenterCount)
	}
	// The API sorts by name; every id once means no page was skipped or
	// repeated.
	byID := map[int64]abiquo.Datacenter{}
	for i, dc := range dcs {
		if _, dup := byID[dc.ID]; dup || dc.ID < 1001 || dc.ID > 1000+emulator.AbiquoDatacenterCount {
			t.Fatalf("datacenter %d has id %d: pages were skipped or repeated", i, dc.ID)
		}
		byID[dc.ID] = dc
		if i > 0 && dcs[i-1].Name > dc.Name {
			t.Fatalf("datacenter %d (%s) after %s: the API's order by name was not kept", i, dc.Name, dcs[i-1].Name)
		}
	}
	if got := dcs[0]; got.ID != 1003 || got.Name != "Amsterdam 1" || got.Location != "Amsterdam, Netherlands" || len(got.UUID) != 36 {
		t.Errorf("first datacenter = %+v", got)
	}
	if byID[1010].UUID != "" || byID[1011].UUID == "" {
		t.Errorf("every tenth datacenter has no uuid: %+v %+v", byID[1010], byID[1011])
	}
	// The client asks for 100 a page; the emulator gives at most 50, so
	// reading 120 takes three pages, found through the next links.
	if got := e.Requests("abiquo.datacenters.list"); got != 3 {
		t.Errorf("page requests = %d, want 3", got)
	}
	if e.Logins("abiquo") != 1 || e.Requests("abiquo.login") != 1 {
		t.Errorf("logins = %d, login requests = %d; want 1 and 1", e.Logins("abiquo"), e.Requests("abiquo.login"))
	}
	st := e.AbiquoTokenStats()
	if st.Uses != 3 || st.Distinct != 3 || st.Stale != 0 {
		t.Errorf("token use = %+v; want each page sent with the token of the answer before it", st)
	}
}

func TestIdenticalReadsShareOneLoginAndOneRead(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	c := admin(t, endpoint)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if dcs, err := c.Datacenters(ctx); err != nil || len(dcs) != emulator.AbiquoDatacenterCount {
				t.Errorf("%d datacenters, err %v", len(dcs), err)
			}
		}()
	}
	wg.Wait()
	if _, err := c.Datacenters(ctx); err != nil {
		t.Fatal(err)
	}
	if e.Logins("abiquo") != 1 || e.Requests("abiquo.datacenters.list") != 3 {
		t.Errorf("logins = %d, page requests = %d; want 1 and 3", e.Logins("abiquo"), e.Requests("abiquo.datacenters.list"))
	}
}

func TestRotationUnderConcurrency(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	c := admin(t, endpoint)
	first, err := c.Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 16, 6
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				var u abiquo.User
				if err := c.Get(ctx, "/login", nil, "user", &u); err != nil || u.Nick != emulator.AbiquoAdmin {
					t.Errorf("user %q, err %v", u.Nick, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	st := e.AbiquoTokenStats()
	if e.Logins("abiquo") != 1 || st.Uses != workers*each {
		t.Fatalf("logins = %d, token requests = %d; want 1 and %d", e.Logins("abiquo"), st.Uses, workers*each)
	}
	// A client that ignored X-Abiquo-Token would send one token throughout.
	if st.Distinct < workers {
		t.Errorf("only %d different tokens in %d requests: the rotated token was not kept", st.Distinct, st.Uses)
	}
	last, err := c.Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last.Token == first.Token {
		t.Error("the kept token never changed")
	}
	// Once the requests are one at a time, each carries the token of the
	// answer before it.
	var u abiquo.User
	if err := c.Get(ctx, "/login", nil, "user", &u); err != nil {
		t.Fatal(err)
	}
	before := e.AbiquoTokenStats().Stale
	for i := 0; i < 5; i++ {
		if err := c.Get(ctx, "/login", nil, "user", &u); err != nil {
			t.Fatal(err)
		}
	}
	if after := e.AbiquoTokenStats().Stale; after != before {
		t.Errorf("%d sequential requests sent an older token than the newest", after-before)
	}
}

func TestCredentialHasTheTokenHeader(t *testing.T) {
	t.Parallel()
	_, endpoint := start(t)
	c := admin(t, endpoint)
	cr, err := c.Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cr.Headers) != 1 || cr.Headers["Authorization"] != "Token "+cr.Token || len(cr.Token) != 36 {
		t.Errorf("headers = %v", cr.Headers)
	}
	if cr.Principal != emulator.AbiquoAdmin || cr.Endpoint != endpoint || !cr.ExpiresAt.IsZero() {
		t.Errorf("credential = %+v", cr)
	}
	again, err := c.Relogin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.Token == cr.Token {
		t.Error("Relogin kept the old token")
	}
}

func TestTwoFactorWithSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, user, password, secret string }{
		{"base32 secret", emulator.AbiquoTwoFactorUser, emulator.AbiquoTwoFactorPassword, emulator.AbiquoTOTPSecret},
		{"otpauth URL", emulator.AbiquoTwoFactorUser, emulator.AbiquoTwoFactorPassword, emulator.AbiquoTOTPURL},
		{"SHA256, 8 digits, 60 s", emulator.AbiquoOpsUser, emulator.AbiquoOpsPassword, emulator.AbiquoOpsOTPURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, endpoint := start(t)
			c := client(t, endpoint, abiquo.Config{Username: tc.user, Password: tc.password, OTPSecret: tc.secret})
			if _, err := c.Datacenters(ctx); err != nil {
				t.Fatal(err)
			}
			// A refused token needs a new Basic login: with a secret there
			// is always a fresh code.
			e.RevokeAll("abiquo")
			var u abiquo.User
			if err := c.Get(ctx, "/login", nil, "user", &u); err != nil {
				t.Fatal(err)
			}
			if e.Logins("abiquo") != 2 {
				t.Errorf("logins = %d, want 2", e.Logins("abiquo"))
			}
		})
	}
}

func TestTwoFactorWithWrongClock(t *testing.T) {
	t.Parallel()
	_, endpoint := start(t)
	c := client(t, endpoint, abiquo.Config{
		Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword,
		OTPSecret: emulator.AbiquoTOTPSecret,
		Now:       func() time.Time { return time.Now().Add(5 * time.Minute) },
	})
	_, err := c.Datacenters(ctx)
	var le *abiquo.LoginError
	if !errors.As(err, &le) || le.Kind != abiquo.RefusedWithCode || le.Code != abiquo.CodeFromSecret {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "clock") || !strings.Contains(err.Error(), "(HTTP 401)") {
		t.Errorf("the cause is not named: %v", err)
	}
	noSecrets(t, err, emulator.AbiquoTOTPSecret, emulator.AbiquoTwoFactorPassword)
}

func TestScratchCodeWorksOnce(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	code := emulator.AbiquoScratchCodes[2]
	cfg := abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTP: code}
	c := client(t, endpoint, cfg)
	if _, err := c.Datacenters(ctx); err != nil {
		t.Fatal(err)
	}
	if left := e.AbiquoScratchCodesLeft(emulator.AbiquoTwoFactorUser); len(left) != 4 {
		t.Fatalf("scratch codes left = %d, want 4", len(left))
	}
	// A second provider run with the same code.
	_, err := client(t, endpoint, cfg).Datacenters(ctx)
	var le *abiquo.LoginError
	if !errors.As(err, &le) || le.Kind != abiquo.RefusedWithCode || !le.LooksLikeScratch {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "a scratch code works only once") {
		t.Errorf("the cause is not named: %v", err)
	}
	noSecrets(t, err, code, emulator.AbiquoTwoFactorPassword)
}

func TestFixedCodeIsUsedAtMostOnce(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	code := emulator.AbiquoScratchCodes[0]
	c := client(t, endpoint, abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTP: code})
	if _, err := c.Datacenters(ctx); err != nil {
		t.Fatal(err)
	}
	e.RevokeAll("abiquo")
	before := e.Requests("abiquo.login")
	_, err := c.Relogin(ctx)
	var spent *abiquo.CodeSpentError
	if !errors.As(err, &spent) || !errors.Is(err, httpx.ErrNeedsNewCredential) {
		t.Fatalf("err = %v", err)
	}
	if got := e.Requests("abiquo.login") - before; got != 0 {
		t.Errorf("the spent code was sent again (%d login requests)", got)
	}
	noSecrets(t, err, code)
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	// Abiquo does not say whether the password or the code was wrong: the
	// kind says what the login carried, the text names both causes.
	const either = "the user name or password is wrong, or"
	cases := []struct {
		name     string
		cfg      abiquo.Config
		html     bool
		kind     abiquo.LoginKind
		contains []string
	}{
		{"wrong password", abiquo.Config{Username: emulator.AbiquoAdmin, Password: "not-the-password-42"}, false,
			abiquo.RefusedWithoutCode, []string{`refused the login of "admin" (HTTP 401 GEN-5: Invalid credentials)`, either, "carried no one-time code"}},
		{"unknown user", abiquo.Config{Username: "nobody", Password: "not-the-password-42"}, false,
			abiquo.RefusedWithoutCode, []string{"GEN-5"}},
		{"missing code", abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword}, false,
			abiquo.RefusedWithoutCode, []string{`refused the login of "sysadmin" (HTTP 401)`, either, "two-factor authentication is on"}},
		{"missing mailed code", abiquo.Config{Username: emulator.AbiquoEmailUser, Password: emulator.AbiquoEmailPassword}, false,
			abiquo.RefusedWithoutCode, []string{either}},
		{"wrong code", abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTP: "000000"}, false,
			abiquo.RefusedWithCode, []string{"with a one-time code (HTTP 401)", either, "good for about 30 seconds", "a mailed code for about a minute"}},
		{"wrong password with a code", abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: "not-the-password-42", OTP: "000000"}, false,
			abiquo.RefusedWithCode, []string{either}},
		{"Tomcat's page", abiquo.Config{Username: emulator.AbiquoAdmin, Password: "not-the-password-42"}, true,
			abiquo.RefusedWithoutCode, []string{"(HTTP 401: an HTML error page instead of an Abiquo error (HTTP Status 401 – Unauthorized))", either}},
		{"Tomcat's page for a code", abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTP: "000000"}, true,
			abiquo.RefusedWithCode, []string{"an HTML error page", either}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, endpoint := start(t)
			e.SetAbiquoHTMLErrors(tc.html)
			c := client(t, endpoint, tc.cfg)
			_, err := c.Datacenters(ctx)
			var le *abiquo.LoginError
			if !errors.As(err, &le) || le.Kind != tc.kind {
				t.Fatalf("err = %v", err)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q missing from %v", s, err)
				}
			}
			if strings.ContainsAny(err.Error(), "<>") || strings.Contains(err.Error(), "Tomcat") {
				t.Errorf("the error quotes the page: %v", err)
			}
			noSecrets(t, err, tc.cfg.Password, tc.cfg.OTP)
			// A refused login is not repeated in the same run.
			_, again := c.Datacenters(ctx)
			if !errors.As(again, &le) || e.Requests("abiquo.login") != 1 {
				t.Errorf("login requests = %d, want 1 (err %v)", e.Requests("abiquo.login"), again)
			}
		})
	}
}

// An EMAIL two-factor user: the login without a code makes Abiquo mail
// one, and a login with it (within its minute) works.
func TestTwoFactorByEmail(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	cfg := abiquo.Config{Username: emulator.AbiquoEmailUser, Password: emulator.AbiquoEmailPassword}
	_, err := client(t, endpoint, cfg).Credential(ctx)
	var le *abiquo.LoginError
	if !errors.As(err, &le) || le.Kind != abiquo.RefusedWithoutCode || e.AbiquoEmailsSent(emulator.AbiquoEmailUser) != 1 {
		t.Fatalf("err = %v, %d mails", err, e.AbiquoEmailsSent(emulator.AbiquoEmailUser))
	}
	code, _ := e.AbiquoEmailCode(emulator.AbiquoEmailUser)
	cfg.OTP = code
	c := client(t, endpoint, cfg)
	if dcs, err := c.Datacenters(ctx); err != nil || len(dcs) != emulator.AbiquoDatacenterCount {
		t.Fatalf("%d datacenters, err %v", len(dcs), err)
	}
	if e.AbiquoEmailsSent(emulator.AbiquoEmailUser) != 1 {
		t.Error("a login with the code mailed another")
	}
	// The code is used once per client; a new login needs a new code.
	e.RevokeAll("abiquo")
	if _, err := c.Relogin(ctx); !errors.As(err, new(*abiquo.CodeSpentError)) {
		t.Errorf("err = %v", err)
	}
}

func TestAccessDeniedAsTomcatPage(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	e.SetAbiquoHTMLErrors(true)
	c := client(t, endpoint, abiquo.Config{Username: emulator.AbiquoUser, Password: emulator.AbiquoUserPassword})
	_, err := c.Datacenters(ctx)
	var ae *abiquo.AccessError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v", err)
	}
	if want := `user "user" may not read admin/datacenters (HTTP 403: an HTML error page instead of an Abiquo error (HTTP Status 403 – Forbidden))`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestUserWithoutPrivilege(t *testing.T) {
	t.Parallel()
	_, endpoint := start(t)
	c := client(t, endpoint, abiquo.Config{Username: emulator.AbiquoUser, Password: emulator.AbiquoUserPassword})
	_, err := c.Datacenters(ctx)
	var ae *abiquo.AccessError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v", err)
	}
	if want := `user "user" may not read admin/datacenters (HTTP 403 GEN-4: Not enough permissions to perform this action)`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestEndpointMustEndInAPI(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, fix string }{
		{"https://abq.example.com", `use "https://abq.example.com/api"`},
		{"https://abq.example.com/", `use "https://abq.example.com/api"`},
		{"https://abq.example.com/abiquo", `use "https://abq.example.com/abiquo/api"`},
		{"https://abq.example.com/api/admin/datacenters", `use "https://abq.example.com/api"`},
		{"https://abq.example.com/api/login?x=1", `use "https://abq.example.com/api"`},
		{"abq.example.com/api", "must start with https://"},
	}
	for _, tc := range cases {
		_, err := abiquo.New(abiquo.Config{HTTP: httpx.Config{BaseURL: tc.in}, Username: "u", Password: "p"})
		var ce *httpx.ConfigError
		if !errors.As(err, &ce) || ce.Attribute != "endpoint" || !strings.Contains(err.Error(), tc.fix) {
			t.Errorf("%s: err = %v, want endpoint error with %q", tc.in, err, tc.fix)
		}
	}
	for _, ok := range []string{"https://abq.example.com/api", "https://abq.example.com/api/", "http://127.0.0.1:8080/abiquo/api"} {
		if _, err := abiquo.New(abiquo.Config{HTTP: httpx.Config{BaseURL: ok}, Username: "u", Password: "p"}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	const secret = "MQENTMJDTNNY4SBF"
	cases := []struct {
		cfg       abiquo.Config
		attribute string
		contains  string
	}{
		{abiquo.Config{Username: "u"}, "password", "no password, token or OAuth 1.0a credentials"},
		{abiquo.Config{Password: "pw"}, "username", "needs the user name"},
		{abiquo.Config{Username: "a:b", Password: "pw"}, "username", "cannot contain ':'"},
		{abiquo.Config{Username: "u", Password: "pw", OTPSecret: secret, OTP: "123456"}, "otp", "not both"},
		{abiquo.Config{Username: "u", Password: "pw", OTP: "12 34x6"}, "otp", "digits only"},
		{abiquo.Config{Username: "u", Password: "pw", OTPSecret: secret + "!"}, "otp_secret", "not base32"},
		{abiquo.Config{Username: "u", Password: "pw", OTPSecret: "otpauth://totp/x?secret=" + secret + "&digits=5"}, "otp_secret", "digits"},
		{abiquo.Config{Username: "u", Password: "pw", Version: "v6"}, "api_version", `"v6" is not a media-type version`},
	}
	for _, tc := range cases {
		tc.cfg.HTTP = httpx.Config{BaseURL: "https://abq.example.com/api"}
		_, err := abiquo.New(tc.cfg)
		var ce *httpx.ConfigError
		if !errors.As(err, &ce) || ce.Attribute != tc.attribute || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%+v: err = %v, want %s error with %q", tc.cfg, err, tc.attribute, tc.contains)
			continue
		}
		noSecrets(t, err, secret, "12 34x6")
	}
}

func TestGivenToken(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	issued, err := admin(t, endpoint).Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, endpoint, abiquo.Config{Token: issued.Token, TokenOrigin: "ABQ_TOKEN"})
	dcs, err := c.Datacenters(ctx)
	if err != nil || len(dcs) != emulator.AbiquoDatacenterCount {
		t.Fatalf("%d datacenters, err %v", len(dcs), err)
	}
	cr, err := c.Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Principal != emulator.AbiquoAdmin || cr.Token == issued.Token {
		t.Errorf("credential = %+v; want the user from GET /login and a renewed token", cr)
	}
	if e.Logins("abiquo") != 1 {
		t.Errorf("logins = %d; a given token needs no login", e.Logins("abiquo"))
	}
}

func TestExpiredStoredTokenIsNotSent(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	stored := time.Now().Add(-45 * time.Minute)
	c := client(t, endpoint, abiquo.Config{
		Token: "0123456789abcdef0123456789abcdef0123", TokenOrigin: "the credentials file",
		TokenExpiresAt: stored.Add(abiquo.TokenLifetime),
	})
	_, err := c.Datacenters(ctx)
	var te *abiquo.TokenError
	if !errors.As(err, &te) || !te.Expired || !errors.Is(err, httpx.ErrNeedsNewCredential) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "from the credentials file expired at") {
		t.Errorf("err = %v", err)
	}
	noSecrets(t, err, "0123456789abcdef0123456789abcdef0123")
	if n := e.Requests("abiquo"); n != 0 {
		t.Errorf("%d requests were made with an expired token", n)
	}
}

func TestRefusedToken(t *testing.T) {
	t.Parallel()
	const bogus = "ffffffffffffffffffffffffffffffffffff"
	t.Run("without a password", func(t *testing.T) {
		t.Parallel()
		_, endpoint := start(t)
		c := client(t, endpoint, abiquo.Config{Token: bogus, TokenOrigin: "abiquo.token"})
		_, err := c.Datacenters(ctx)
		var te *abiquo.TokenError
		if !errors.As(err, &te) || te.Expired || !strings.Contains(err.Error(), "refused the token from abiquo.token") {
			t.Fatalf("err = %v", err)
		}
		noSecrets(t, err, bogus)
	})
	t.Run("with a password to fall back on", func(t *testing.T) {
		t.Parallel()
		e, endpoint := start(t)
		c := client(t, endpoint, abiquo.Config{Token: bogus, Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword})
		if _, err := c.Datacenters(ctx); err != nil {
			t.Fatal(err)
		}
		if e.Logins("abiquo") != 1 {
			t.Errorf("logins = %d, want 1", e.Logins("abiquo"))
		}
	})
}

// recorder wraps the emulator and keeps every request's headers and
// query.
type recorder struct {
	h       http.Handler
	mu      sync.Mutex
	seen    []http.Header
	queries []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Header.Clone())
	r.queries = append(r.queries, req.URL.RawQuery)
	r.mu.Unlock()
	r.h.ServeHTTP(w, req)
}

func TestMediaTypesAndVersion(t *testing.T) {
	t.Parallel()
	rec := &recorder{h: emulator.New()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	endpoint := srv.URL + "/abiquo/api"
	c := client(t, endpoint, abiquo.Config{Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword, Version: "5.0"})
	if _, err := c.Datacenters(ctx); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	login, page := rec.seen[0], rec.seen[1]
	rec.mu.Unlock()
	if got := login.Get("Accept"); got != "application/vnd.abiquo.user+json; version=5.0" {
		t.Errorf("login Accept = %q", got)
	}
	if !strings.HasPrefix(login.Get("Authorization"), "Basic ") || login.Get("X-Abiquo-OTP") != "" {
		t.Errorf("login headers = %v", login)
	}
	if got := page.Get("Accept"); got != "application/vnd.abiquo.datacenters+json; version=5.0" {
		t.Errorf("page Accept = %q", got)
	}
	if !strings.HasPrefix(page.Get("Authorization"), "Token ") {
		t.Errorf("page Authorization = %q", page.Get("Authorization"))
	}

	old := client(t, endpoint, abiquo.Config{Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword, Version: "3.0"})
	_, err := old.Datacenters(ctx)
	if !httpx.StatusIs(err, http.StatusNotAcceptable) || !strings.Contains(err.Error(), "Version 3.0") {
		t.Errorf("err = %v, want the API's 406", err)
	}
}

// pager serves a scripted list: each page's JSON by startwith.
func pager(t *testing.T, pages map[string]string) (string, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Abiquo-Token", fmt.Sprintf("token-%d", time.Now().UnixNano()))
		if r.URL.Path == "/api/login" {
			fmt.Fprint(w, `{"id":1,"nick":"admin"}`)
			return
		}
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		body, ok := pages[r.URL.Query().Get("startwith")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.abiquo.datacenters+json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api", &queries
}

func TestPagingFollowsNextLinksOnTheEndpointOnly(t *testing.T) {
	t.Parallel()
	// The links name a host only reachable inside the installation, as in
	// Abiquo's own examples, or are relative; the client sends their path
	// and query, as given, to its endpoint. The "first" link has no
	// startwith, as in the 3.10 examples, and is not followed.
	endpoint, queries := pager(t, map[string]string{
		"": `{"totalSize":5,"links":[{"rel":"first","href":"http://localhost:9009/api/admin/datacenters?limit=2&by=name"},
		       {"rel":"next","href":"http://localhost:9009/api/admin/datacenters?startwith=2&limit=2&by=name"}],
		       "collection":[{"id":1,"name":"a","location":"x"},{"id":2,"name":"b","location":"y","uuid":"u-2"}]}`,
		"2": `{"totalSize":5,"links":[{"rel":"first","href":"http://localhost:9009/api/admin/datacenters?limit=2&by=name"},
		       {"rel":"next","href":"?startwith=4&limit=2&by=name&has=%C3%A9"}],
		       "collection":[{"id":3,"name":"c","location":"z","extra":{"ignored":true}},{"id":4}]}`,
		"4": `{"totalSize":5,"links":[{"rel":"first","href":"http://localhost:9009/api/admin/datacenters?limit=2&by=name"}],
		       "collection":[{"id":5}]}`,
	})
	c := client(t, endpoint, abiquo.Config{Username: "admin", Password: "pw", PageSize: 2})
	dcs, err := c.Datacenters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dcs) != 5 || dcs[1].UUID != "u-2" || dcs[2].Name != "c" || dcs[4].ID != 5 {
		t.Fatalf("datacenters = %+v", dcs)
	}
	if want := []string{"limit=2", "startwith=2&limit=2&by=name", "startwith=4&limit=2&by=name&has=%C3%A9"}; fmt.Sprint(*queries) != fmt.Sprint(want) {
		t.Errorf("queries = %v, want %v", *queries, want)
	}
}

func TestPagingWithoutNextLinks(t *testing.T) {
	t.Parallel()
	endpoint, queries := pager(t, map[string]string{
		"":  `{"totalSize":3,"collection":[{"id":1},{"id":2}]}`,
		"2": `{"totalSize":3,"collection":[{"id":3}]}`,
	})
	c := client(t, endpoint, abiquo.Config{Username: "admin", Password: "pw"})
	dcs, err := c.Datacenters(ctx)
	if err != nil || len(dcs) != 3 {
		t.Fatalf("%+v %v", dcs, err)
	}
	if want := []string{"limit=100", "limit=100&startwith=2"}; fmt.Sprint(*queries) != fmt.Sprint(want) {
		t.Errorf("queries = %v, want %v", *queries, want)
	}
}

func TestPagingStopsAtBadNextLinks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		pages   map[string]string
		want    string
		queries int
	}{
		{"back to the first page", map[string]string{
			"":  `{"totalSize":9,"links":[{"rel":"next","href":"/api/admin/datacenters?startwith=2"}],"collection":[{"id":1},{"id":2}]}`,
			"2": `{"totalSize":9,"links":[{"rel":"next","href":"/api/admin/datacenters?limit=100&startwith=0"}],"collection":[{"id":3},{"id":4}]}`,
		}, "leads back to /admin/datacenters?limit=100&startwith=0, a page already read", 2},
		{"to itself", map[string]string{
			"":  `{"totalSize":9,"links":[{"rel":"next","href":"/api/admin/datacenters?startwith=2"}],"collection":[{"id":1},{"id":2}]}`,
			"2": `{"totalSize":9,"links":[{"rel":"next","href":"http://elsewhere/api/admin/datacenters?startwith=2"}],"collection":[{"id":3}]}`,
		}, "a page already read", 2},
		{"out of the API", map[string]string{
			"": `{"totalSize":9,"links":[{"rel":"next","href":"http://localhost:9009/api/../etc/passwd?startwith=2"}],"collection":[{"id":1}]}`,
		}, "is not below the API", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			endpoint, queries := pager(t, tc.pages)
			c := client(t, endpoint, abiquo.Config{Username: "admin", Password: "pw"})
			_, err := c.Datacenters(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v", err)
			}
			if len(*queries) != tc.queries {
				t.Errorf("queries = %v", *queries)
			}
		})
	}
}

// The emulator's pages are shaped like the real ones: the client follows
// their next links and asks for no page twice.
func TestPagingAgainstRealShapedLinks(t *testing.T) {
	t.Parallel()
	rec := &recorder{h: emulator.New()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c := client(t, srv.URL+"/abiquo/api", abiquo.Config{Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword, PageSize: 40})
	if dcs, err := c.Datacenters(ctx); err != nil || len(dcs) != emulator.AbiquoDatacenterCount {
		t.Fatalf("%d datacenters, err %v", len(dcs), err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if want := []string{"limit=40", "startwith=40&limit=40&by=name", "startwith=80&limit=40&by=name"}; fmt.Sprint(rec.queries[1:]) != fmt.Sprint(want) {
		t.Errorf("queries = %v, want %v", rec.queries[1:], want)
	}
}

func TestPageWithoutCollection(t *testing.T) {
	t.Parallel()
	endpoint, _ := pager(t, map[string]string{"": `{"totalSize":1}`})
	c := client(t, endpoint, abiquo.Config{Username: "admin", Password: "pw"})
	_, err := c.Datacenters(ctx)
	if err == nil || !strings.Contains(err.Error(), `no "collection"`) {
		t.Fatalf("err = %v", err)
	}
}

// A login with a TOTP code is not repeated after an answer that may have
// come after the API saw the code (a proxy's 502), and a retry after a
// refusal the API made unseen (503) carries the code of its own time.
func TestTOTPLoginRetriesOnlyUnseen(t *testing.T) {
	t.Parallel()
	e, endpoint := start(t)
	cfg := abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTPSecret: emulator.AbiquoTOTPSecret}
	e.InjectFault(emulator.Fault{Route: "abiquo.login", Status: 502})
	c := client(t, endpoint, cfg)
	if _, err := c.Credential(context.Background()); err == nil {
		t.Fatal("want the 502")
	}
	if n := e.Requests("abiquo.login"); n != 1 {
		t.Fatalf("a login with a one-time code was sent %d times after a 502", n)
	}
	e.ResetCounters()
	e.InjectFault(emulator.Fault{Route: "abiquo.login", Status: 503})
	c = client(t, endpoint, cfg)
	if _, err := c.Credential(context.Background()); err != nil {
		t.Fatalf("a 503 refused unseen must be retried: %v", err)
	}
	if n := e.Requests("abiquo.login"); n != 2 {
		t.Fatalf("logins sent = %d, want 2", n)
	}
}
