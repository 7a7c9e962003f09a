package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// One-time codes and multi-factor rules against the emulator, whose
// Keystone answers as a real Keystone 22 does (see emulator/keystone.go).

// startMFA starts an emulator whose clock is in the middle of a TOTP step,
// so that a code made by a test stays current while it runs.
func startMFA(t *testing.T) *fake {
	t.Helper()
	f := startEmulator(t)
	into := f.Now().Sub(f.Now().Truncate(30 * time.Second))
	f.Advance(15*time.Second - into)
	return f
}

// mfaUser is the emulator's user with the rule [["password", "totp"]].
func mfaUser(f *fake) keystone.Config {
	return keystone.Config{AuthURL: f.URL, UserName: emulator.KeystoneMFAUser, UserDomainID: emulator.KeystoneDomainID,
		Password: emulator.KeystoneMFAPassword, ProjectName: emulator.KeystoneProject, ProjectDomainID: emulator.KeystoneDomainID,
		Now: f.Now}
}

func currentCode(t *testing.T, f *fake, user string) string {
	t.Helper()
	code, ok := f.KeystoneTOTPCode(user)
	if !ok {
		t.Fatalf("no TOTP code for %s", user)
	}
	return code
}

func TestTOTPLogins(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		setup   func(t *testing.T, f *fake) keystone.Config
		method  keystone.Method
		sent    []string // Methods()
		posts   int
		methods []string // of the token, sorted
	}{
		{"password and a code from the secret: one POST", func(t *testing.T, f *fake) keystone.Config {
			c := mfaUser(f)
			c.TOTPSecret = emulator.KeystoneTOTPSecret
			return c
		}, keystone.MethodPassword, []string{"password", "totp"}, 1, []string{"password", "totp"}},
		{"the secret as an otpauth URL", func(t *testing.T, f *fake) keystone.Config {
			c := mfaUser(f)
			c.TOTPSecret = "otpauth://totp/Keystone:" + emulator.KeystoneMFAUser + "?secret=" + emulator.KeystoneTOTPSecret + "&issuer=Keystone"
			return c
		}, keystone.MethodPassword, []string{"password", "totp"}, 1, []string{"password", "totp"}},
		{"a passcode: the password, then the code with the receipt", func(t *testing.T, f *fake) keystone.Config {
			c := mfaUser(f)
			c.Passcode = currentCode(t, f, emulator.KeystoneMFAUser)
			return c
		}, keystone.MethodPassword, []string{"password"}, 2, []string{"password", "totp"}},
		{"a passcode shown with a space", func(t *testing.T, f *fake) keystone.Config {
			c := mfaUser(f)
			code := currentCode(t, f, emulator.KeystoneMFAUser)
			c.Passcode = code[:3] + " " + code[3:]
			return c
		}, keystone.MethodPassword, []string{"password"}, 2, []string{"password", "totp"}},
		{"a passcode the rules do not ask for stays unsent", func(t *testing.T, f *fake) keystone.Config {
			return keystone.Config{AuthURL: f.URL, UserName: emulator.KeystoneUser, UserDomainName: emulator.KeystoneDomainName,
				Password: emulator.KeystonePassword, Passcode: "123456", Now: f.Now}
		}, keystone.MethodPassword, []string{"password"}, 1, []string{"password"}},
		{"a code alone, for a user without rules", func(t *testing.T, f *fake) keystone.Config {
			const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
			if err := f.SetKeystoneTOTPSecret(emulator.KeystoneUser, secret); err != nil {
				t.Fatal(err)
			}
			return keystone.Config{AuthURL: f.URL, UserID: emulator.KeystoneUserID, TOTPSecret: secret, Now: f.Now}
		}, keystone.MethodTOTP, []string{"totp"}, 1, []string{"totp"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startMFA(t)
			c := newClient(t, tc.setup(t, f))
			if c.Method() != tc.method || !slices.Equal(c.Methods(), tc.sent) {
				t.Errorf("Method = %v, Methods = %v; want %v, %v", c.Method(), c.Methods(), tc.method, tc.sent)
			}
			tok, err := c.Login(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(slices.Values(tok.Methods)); !slices.Equal(got, tc.methods) {
				t.Errorf("token methods = %v, want %v", got, tc.methods)
			}
			if n := f.Requests("keystone.tokens.create"); n != tc.posts || f.Logins("keystone") != 1 {
				t.Errorf("POSTs = %d (logins %d), want %d", n, f.Logins("keystone"), tc.posts)
			}
		})
	}
}

func TestPasscodeIsUsedOnce(t *testing.T) {
	t.Parallel()
	f := startMFA(t)
	cfg := mfaUser(f)
	code := currentCode(t, f, emulator.KeystoneMFAUser)
	cfg.Passcode = code
	c := newClient(t, cfg)
	if _, err := c.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := c.Relogin(context.Background())
	var spent *keystone.PasscodeSpentError
	if !errors.As(err, &spent) || !errors.Is(err, httpx.ErrNeedsNewCredential) {
		t.Fatalf("second login: %v, want a PasscodeSpentError marked ErrNeedsNewCredential", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "passcode") || !strings.Contains(msg, "totp_secret") ||
		!strings.Contains(msg, emulator.KeystoneMFAUser) || strings.Contains(msg, code) {
		t.Errorf("message %q should name the user, passcode and totp_secret, and not show the code", msg)
	}
	// The second login sent the password (Keystone answered with a
	// receipt) but not the spent code; the failure is remembered.
	posts := f.Requests("keystone.tokens.create")
	if posts != 3 {
		t.Errorf("POSTs = %d, want 2 for the first login and 1 for the second", posts)
	}
	if _, err := c.Login(context.Background()); !errors.As(err, &spent) || f.Requests("keystone.tokens.create") != posts {
		t.Errorf("after a spent passcode Login = %v with %d more POSTs", err, f.Requests("keystone.tokens.create")-posts)
	}
}

// A passcode whose request cannot have reached Keystone (refused with 503
// on every attempt) is still unused.
func TestPasscodeSurvivesARequestKeystoneNeverSaw(t *testing.T) {
	t.Parallel()
	f := startMFA(t)
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if err := f.SetKeystoneTOTPSecret(emulator.KeystoneUser, secret); err != nil {
		t.Fatal(err)
	}
	k, _ := totp.Parse(secret)
	c := newClient(t, keystone.Config{AuthURL: f.URL, UserID: emulator.KeystoneUserID, Passcode: k.Code(f.Now()), Now: f.Now})
	f.InjectFault(emulator.Fault{Route: "keystone.tokens.create", Status: 503, Times: 3})
	if _, err := c.Login(context.Background()); !httpx.StatusIs(err, 503) {
		t.Fatalf("err = %v, want the 503", err)
	}
	if _, err := c.Login(context.Background()); err != nil {
		t.Fatalf("the passcode was taken as spent: %v", err)
	}
}

func TestMFAErrorsSayWhatToConfigure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, f *fake) keystone.Config
		rules int
		want  []string
	}{
		{"the rule wants totp and there is no code", func(t *testing.T, f *fake) keystone.Config {
			return mfaUser(f)
		}, 1, []string{"accepted the password of user \"mfa-demo\"", "password + totp", "set passcode", "totp_secret"}},
		{"the rule wants the password and there is none", func(t *testing.T, f *fake) keystone.Config {
			c := mfaUser(f)
			c.Password, c.TOTPSecret = "", emulator.KeystoneTOTPSecret
			return c
		}, 1, []string{"accepted the totp of user", "password + totp", "for password set password"}},
		{"the rule wants a method the provider does not send", func(t *testing.T, f *fake) keystone.Config {
			if err := f.SetKeystoneMFARules(emulator.KeystoneMFAUser, [][]string{{"password", "totp", "mapped"}}); err != nil {
				t.Fatal(err)
			}
			c := mfaUser(f)
			c.TOTPSecret = emulator.KeystoneTOTPSecret
			return c
		}, 1, []string{"accepted the password and totp", "mapped + password + totp", "mapped is a method this provider does not send"}},
		{"an application credential of a user with rules", func(t *testing.T, f *fake) keystone.Config {
			if err := f.SetKeystoneMFARules(emulator.KeystoneUser, [][]string{{"password", "totp"}}); err != nil {
				t.Fatal(err)
			}
			return appCred(f.URL)
		}, 0, []string{"accepted the application_credential of user \"demo\"", "accept no login that includes application_credential"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startMFA(t)
			c := newClient(t, tc.setup(t, f))
			_, err := c.Login(context.Background())
			var me *keystone.MFARequiredError
			if !errors.As(err, &me) || len(me.Rules) != tc.rules || !httpx.StatusIs(err, 401) {
				t.Fatalf("err = %v, want an MFARequiredError with %d rules", err, tc.rules)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			for _, secret := range []string{emulator.KeystoneMFAPassword, emulator.KeystoneTOTPSecret, emulator.KeystoneAppCredSecret} {
				if strings.Contains(msg, secret) {
					t.Errorf("message shows a secret: %q", msg)
				}
			}
			// One POST, and the failure is remembered.
			if _, err := c.Login(context.Background()); err == nil || f.Requests("keystone.tokens.create") != 1 {
				t.Errorf("POSTs = %d, want 1", f.Requests("keystone.tokens.create"))
			}
		})
	}
}

func TestRefusedCodes(t *testing.T) {
	t.Parallel()
	const other = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	cases := []struct {
		name    string
		cfg     func(f *fake) keystone.Config
		receipt bool
		want    []string
	}{
		{"a secret that is not the user's", func(f *fake) keystone.Config {
			c := mfaUser(f)
			c.TOTPSecret = other
			return c
		}, false, []string{"refused the password + totp login", "HTTP 401", "either the password is wrong or the one-time code made from totp_secret was refused", "clock"}},
		{"a wrong passcode", func(f *fake) keystone.Config {
			c := mfaUser(f)
			c.Passcode = "000000"
			return c
		}, true, []string{"refused the totp step of the password login", "receipt", "(the passcode was refused"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startMFA(t)
			_, err := newClient(t, tc.cfg(f)).Login(context.Background())
			var le *keystone.LoginError
			if !errors.As(err, &le) || le.Receipt != tc.receipt || le.Err.StatusCode != 401 || !slices.Contains(le.Methods, "totp") {
				t.Fatalf("err = %#v, want a 401 LoginError (receipt %v)", err, tc.receipt)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			k, _ := totp.Parse(other)
			if strings.Contains(msg, other) || strings.Contains(msg, k.Code(f.Now())) || strings.Contains(msg, "gAAAAAB") {
				t.Errorf("message shows a secret, a code or the receipt: %q", msg)
			}
		})
	}
}

// A code made from the secret that aged while the stack waited to retry a
// 503 is made again, once; without a retry a refusal is final.
func TestStaleCodeFromTheSecretIsMadeAgain(t *testing.T) {
	t.Parallel()
	for _, retried := range []bool{true, false} {
		name := "after a retry"
		if !retried {
			name = "without a retry"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := startMFA(t)
			var calls atomic.Int32
			cfg := mfaUser(f)
			cfg.TOTPSecret = emulator.KeystoneTOTPSecret
			// The first code is made a minute early: two steps old, which
			// Keystone refuses; later codes are current.
			cfg.Now = func() time.Time {
				if calls.Add(1) == 1 {
					return f.Now().Add(-time.Minute)
				}
				return f.Now()
			}
			if retried {
				f.InjectFault(emulator.Fault{Route: "keystone.tokens.create", Status: 503})
			}
			_, err := newClient(t, cfg).Login(context.Background())
			posts := f.Requests("keystone.tokens.create")
			if retried && (err != nil || posts != 3) {
				t.Errorf("err = %v after %d POSTs, want a token after 3 (503, stale code, fresh code)", err, posts)
			}
			var le *keystone.LoginError
			if !retried && (!errors.As(err, &le) || posts != 1) {
				t.Errorf("err = %v after %d POSTs, want the refusal after 1", err, posts)
			}
		})
	}
}

func TestSystemScopeAndDefaultDomain(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	sys, err := newClient(t, keystone.Config{AuthURL: f.URL, UserName: emulator.KeystoneUser, DefaultDomain: emulator.KeystoneDomainID,
		Password: emulator.KeystonePassword, SystemScope: "all"}).Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sys.Scope() != "system" || sys.System == nil || !sys.System.All || len(sys.Roles) != 1 {
		t.Errorf("system token: scope %q, system %+v, roles %+v", sys.Scope(), sys.System, sys.Roles)
	}
	// default_domain fills the domain of both the user and the project.
	proj, err := newClient(t, keystone.Config{AuthURL: f.URL, UserName: emulator.KeystoneUser, DefaultDomain: emulator.KeystoneDomainID,
		Password: emulator.KeystonePassword, ProjectName: emulator.KeystoneOtherProject}).Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if proj.Project == nil || proj.Project.ID != emulator.KeystoneOtherProjectID {
		t.Errorf("project = %+v", proj.Project)
	}
	// A domain that is set wins over default_domain.
	_, err = newClient(t, keystone.Config{AuthURL: f.URL, UserName: emulator.KeystonePartnerUser, UserDomainName: emulator.KeystonePartnerDomain,
		DefaultDomain: emulator.KeystoneDomainID, Password: emulator.KeystonePartnerPassword}).Login(context.Background())
	if err != nil {
		t.Errorf("user_domain_name was replaced by default_domain: %v", err)
	}
}

func TestClientSelectionDefaults(t *testing.T) {
	t.Parallel()
	c, err := keystone.New(keystone.Config{AuthURL: "https://ks.example:5000", Token: "t", Region: "R2", Interface: "internal",
		EndpointOverrides: map[string]string{"compute": "https://nova.override"}})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Selection(keystone.Selection{ServiceType: "compute"})
	if s.Interface != "internal" || s.Region != "R2" || s.EndpointOverrides["compute"] != "https://nova.override" || s.ServiceType != "compute" {
		t.Errorf("Selection = %+v", s)
	}
	s.EndpointOverrides["compute"] = "changed"
	if c.EndpointOverrides()["compute"] != "https://nova.override" {
		t.Errorf("the client's overrides can be changed through a Selection")
	}
	s = c.Selection(keystone.Selection{Interface: "all", Region: "R1", EndpointOverrides: map[string]string{}})
	if s.Interface != "all" || s.Region != "R1" || len(s.EndpointOverrides) != 0 {
		t.Errorf("a Selection's own values must win: %+v", s)
	}
}

func TestMFAConfigErrors(t *testing.T) {
	t.Parallel()
	const u = "https://keystone.example:5000"
	user := func(c keystone.Config) keystone.Config {
		c.AuthURL, c.UserName, c.UserDomainName, c.Password = u, "u", "d", "p"
		return c
	}
	cases := []struct {
		name string
		cfg  keystone.Config
		want string // attribute
	}{
		{"passcode and totp_secret", user(keystone.Config{Passcode: "123456", TOTPSecret: emulator.KeystoneTOTPSecret}), "passcode"},
		{"passcode that is not digits", user(keystone.Config{Passcode: "12ab56"}), "passcode"},
		{"totp_secret that is not base32", user(keystone.Config{TOTPSecret: "not a secret!"}), "totp_secret"},
		{"totp_secret with 8 digits", user(keystone.Config{TOTPSecret: "otpauth://totp/x?secret=" + emulator.KeystoneTOTPSecret + "&digits=8"}), "totp_secret"},
		{"passcode with an application credential", keystone.Config{AuthURL: u, ApplicationCredentialID: "a", ApplicationCredentialSecret: "s", Passcode: "123456"}, "passcode"},
		{"totp_secret with a token", keystone.Config{AuthURL: u, Token: "t", TOTPSecret: emulator.KeystoneTOTPSecret}, "totp_secret"},
		{"code without a domain for the user", keystone.Config{AuthURL: u, UserName: "u", Passcode: "123456"}, "user_domain_name"},
		{"system_scope other than all", user(keystone.Config{SystemScope: "project"}), "system_scope"},
		{"system_scope and a project", user(keystone.Config{SystemScope: "all", ProjectID: "p"}), "system_scope"},
		{"system_scope and a domain", user(keystone.Config{SystemScope: "all", DomainName: "Default"}), "system_scope"},
		{"system_scope with an application credential", keystone.Config{AuthURL: u, ApplicationCredentialID: "a", ApplicationCredentialSecret: "s", SystemScope: "all"}, "system_scope"},
		{"endpoint override that is not a URL", keystone.Config{AuthURL: u, Token: "t", EndpointOverrides: map[string]string{"compute": "nova.example"}}, "endpoint_overrides"},
		{"endpoint override without a type", keystone.Config{AuthURL: u, Token: "t", EndpointOverrides: map[string]string{"": "https://x"}}, "endpoint_overrides"},
		{"client_cert without client_key", keystone.Config{AuthURL: u, Token: "t", HTTP: httpx.Config{ClientCert: "/no/such/cert.pem"}}, "client_key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := keystone.New(tc.cfg)
			var ce *httpx.ConfigError
			if !errors.As(err, &ce) || ce.Attribute != tc.want {
				t.Fatalf("err = %v, want a ConfigError on %s", err, tc.want)
			}
			for _, secret := range []string{emulator.KeystoneTOTPSecret, "123456"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("message shows %q: %v", secret, err)
				}
			}
		})
	}
}

// Keystone keeps auth methods in sets, so the same rules arrive in any
// order (the real Keystone 22 sent both orders here); the message names
// them in one order, so that it reads the same from run to run.
func TestMFARequiredErrorNamesMethodsInOneOrder(t *testing.T) {
	t.Parallel()
	msg := func(done []string, rules ...[]string) string {
		return (&keystone.MFARequiredError{AuthURL: "https://ks.example/v3", User: "u", Done: done, Rules: rules}).Error()
	}
	want := msg([]string{"password"}, []string{"password", "totp"}, []string{"password", "x509"})
	for _, got := range []string{
		msg([]string{"password"}, []string{"totp", "password"}, []string{"x509", "password"}),
		msg([]string{"password"}, []string{"password", "x509"}, []string{"totp", "password"}),
	} {
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	if !strings.Contains(want, "a login needs password + totp, or password + x509") {
		t.Errorf("message: %s", want)
	}
}

// The TOTP parser serves every cloud: its errors in a Keystone message
// must not speak of another one.
func TestCounterBasedSecretNamesNoOtherCloud(t *testing.T) {
	t.Parallel()
	_, err := keystone.New(keystone.Config{AuthURL: "https://keystone.example:5000", UserName: "u", UserDomainName: "d", Password: "p",
		TOTPSecret: "otpauth://hotp/x?secret=" + emulator.KeystoneTOTPSecret + "&counter=1"})
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) || ce.Attribute != "totp_secret" {
		t.Fatalf("err = %v, want a ConfigError on totp_secret", err)
	}
	want := "not a base32 TOTP secret or otpauth://totp/ URL: otpauth://hotp/ (counter-based) codes are not supported; the login needs a time-based secret (otpauth://totp/)"
	if ce.Msg != want {
		t.Errorf("message %q\nwant    %q", ce.Msg, want)
	}
}

// recLogger keeps every line the HTTP stack logs, at every level.
type recLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recLogger) Log(_ context.Context, level httpx.Level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%d %s %v", level, msg, fields))
}

func (l *recLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// The receipt of Keystone's first 401 is a credential (with the second
// factor it makes a token), so no log line shows it: not the 401's own
// line at DEBUG, which comes before the client learns the receipt, nor
// the second request's, nor the bodies at TRACE. The token and the code
// do not show either.
func TestReceiptNeverLogged(t *testing.T) {
	t.Parallel()
	f := startMFA(t)
	cfg := mfaUser(f)
	code := currentCode(t, f, emulator.KeystoneMFAUser)
	cfg.Passcode = code
	log := &recLogger{}
	cfg.HTTP = fastHTTP()
	cfg.HTTP.Logger = log
	c, err := keystone.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	receipts := f.KeystoneReceipts()
	if len(receipts) != 1 || f.Requests("keystone.tokens.create") != 2 {
		t.Fatalf("%d receipts, %d POSTs: the login did not go through a receipt", len(receipts), f.Requests("keystone.tokens.create"))
	}
	out := log.text()
	// The lines are there, or this test proves nothing.
	for _, want := range []string{"status:401", "Openstack-Auth-Receipt:***", "response body"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the log lacks %q:\n%s", want, out)
		}
	}
	secrets := append([]string{code, emulator.KeystoneMFAPassword}, receipts...)
	secrets = append(secrets, f.IssuedTokens("keystone")...)
	for _, s := range secrets {
		if i := strings.Index(out, s); i >= 0 {
			t.Errorf("the log shows a secret: ...%s...", out[max(0, i-80):min(len(out), i+len(s)+20)])
		}
	}
}
