package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

func abqEmulator(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return e, srv.URL + "/abiquo/api"
}

// storedAbiquo returns the app's stored Abiquo entries.
func storedAbiquo(t *testing.T, a *app) []credstore.Entry {
	t.Helper()
	f, err := a.load()
	if err != nil {
		t.Fatal(err)
	}
	var out []credstore.Entry
	for _, e := range f.Entries {
		if e.Cloud == "abiquo" {
			out = append(out, e)
		}
	}
	return out
}

// tokenWorks reads the datacenters with a stored token alone.
func tokenWorks(endpoint, token string) error {
	c, err := abiquo.New(abiquo.Config{HTTP: httpx.Config{BaseURL: endpoint}, Token: token, TokenOrigin: "test"})
	if err != nil {
		return err
	}
	_, err = c.Datacenters(context.Background())
	return err
}

func notShown(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the output shows a secret (%s…):\n%s", s[:3], out)
		}
	}
}

func TestAbiquoLoginStoresTheToken(t *testing.T) {
	t.Parallel()
	code := emulator.AbiquoScratchCodes[0]
	for _, tc := range []struct {
		name        string
		user, stdin string
		args        []string
		// logins is how many Basic logins the command sends.
		logins     int
		scratchUse bool
	}{
		{"no two-factor", emulator.AbiquoAdmin, emulator.AbiquoAdminPassword + "\n", nil, 1, false},
		// Refused without a code, then the code from the next line.
		{"scratch code from stdin", emulator.AbiquoTwoFactorUser, emulator.AbiquoTwoFactorPassword + "\n" + code + "\n", []string{"--code", "-"}, 2, true},
		// A code known beforehand goes with the first login.
		{"code as a flag", emulator.AbiquoTwoFactorUser, emulator.AbiquoTwoFactorPassword + "\n", []string{"--code", code}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, endpoint := abqEmulator(t)
			a, out, errb := testApp(t, tc.stdin)
			args := append([]string{"login", "abiquo", "--endpoint", endpoint + "/", "--username", tc.user, "--password-stdin"}, tc.args...)
			if rc := a.run(args); rc != 0 {
				t.Fatalf("exit %d: %s", rc, errb)
			}
			entries := storedAbiquo(t, a)
			if len(entries) != 1 {
				t.Fatalf("entries = %+v", entries)
			}
			got := entries[0]
			now := a.now()
			if got.URL != endpoint || got.Login != tc.user || !got.StoredAt.Equal(now) || got.OAuth1 != nil ||
				got.ExpiresAt == nil || !got.ExpiresAt.Equal(now.Add(30*time.Minute)) {
				t.Errorf("entry = %+v", got)
			}
			if err := tokenWorks(endpoint, got.Token); err != nil {
				t.Errorf("the stored token does not work: %v", err)
			}
			if n := e.Requests("abiquo.login"); n != tc.logins {
				t.Errorf("%d login requests, want %d", n, tc.logins)
			}
			if left := e.AbiquoScratchCodesLeft(emulator.AbiquoTwoFactorUser); tc.scratchUse != (len(left) == 4) {
				t.Errorf("%d scratch codes left", len(left))
			}
			st, err := os.Stat(storedPath(t, a))
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("credentials file: %v %v", st, err)
			}
			all := out.String() + errb.String()
			if !strings.Contains(out.String(), "Logged in to "+endpoint+" as "+tc.user) || !strings.Contains(out.String(), "30 minutes from their last use") {
				t.Errorf("stdout = %s", out)
			}
			if noTwoFactor := strings.Contains(errb.String(), "has no two-factor authentication"); noTwoFactor != (tc.user == emulator.AbiquoAdmin) {
				t.Errorf("stderr = %s", errb)
			}
			notShown(t, all, emulator.AbiquoTwoFactorPassword, emulator.AbiquoAdminPassword, code, got.Token)
		})
	}
}

func storedPath(t *testing.T, a *app) string {
	t.Helper()
	p, err := credstore.DefaultPath(a.getenv)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAbiquoLoginWithAuthenticatorCode(t *testing.T) {
	t.Parallel()
	_, endpoint := abqEmulator(t)
	k, err := totp.Parse(emulator.AbiquoOpsOTPURL)
	if err != nil {
		t.Fatal(err)
	}
	a, _, errb := testApp(t, emulator.AbiquoOpsPassword+"\n"+k.Code(time.Now())+"\n")
	if rc := a.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoOpsUser, "--password-stdin", "--code", "-"}); rc != 0 {
		t.Fatalf("exit %d: %s", rc, errb)
	}
	if entries := storedAbiquo(t, a); len(entries) != 1 || tokenWorks(endpoint, entries[0].Token) != nil {
		t.Fatalf("entries = %d", len(entries))
	}
}

func TestAbiquoLoginFailures(t *testing.T) {
	t.Parallel()
	e, endpoint := abqEmulator(t)
	spent := emulator.AbiquoScratchCodes[3]
	if rc := func() int {
		a, _, _ := testApp(t, emulator.AbiquoTwoFactorPassword+"\n"+spent+"\n")
		return a.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoTwoFactorUser, "--password-stdin", "--code", "-"})
	}(); rc != 0 {
		t.Fatal("could not spend the scratch code")
	}
	const either = "the user name or password is wrong, or"
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  []string
	}{
		{"wrong password, no code", []string{"--username", emulator.AbiquoAdmin}, "not-the-password-7\n",
			[]string{`refused the login of "admin" (HTTP 401 GEN-5: Invalid credentials)`, either, "check the user name and password"}},
		{"wrong password, end of input", []string{"--username", emulator.AbiquoAdmin, "--code", "-"}, "not-the-password-7\n",
			[]string{`refused the login of "admin"`, "check the user name and password", "no further one-time code could be read: no input"}},
		{"no code for a two-factor user", []string{"--username", emulator.AbiquoTwoFactorUser, "--code", "-"}, emulator.AbiquoTwoFactorPassword + "\n\n",
			[]string{`refused the login of "sysadmin" (HTTP 401)`, "carried no one-time code", "enter the one-time code when it asks for one"}},
		{"wrong code", []string{"--username", emulator.AbiquoTwoFactorUser, "--code", "123456"}, emulator.AbiquoTwoFactorPassword + "\n",
			[]string{"with a one-time code (HTTP 401)", either, "run the command again with a current code"}},
		// A script gets one try.
		{"wrong code from stdin", []string{"--username", emulator.AbiquoTwoFactorUser, "--code", "-"}, emulator.AbiquoTwoFactorPassword + "\n123456\n654321\n",
			[]string{"with a one-time code", "an unused scratch code"}},
		{"reused scratch code", []string{"--username", emulator.AbiquoTwoFactorUser, "--code", spent}, emulator.AbiquoTwoFactorPassword + "\n",
			[]string{"a scratch code works only once", "an unused scratch code"}},
		{"code with letters", []string{"--username", emulator.AbiquoTwoFactorUser, "--code", "12ab56"}, emulator.AbiquoTwoFactorPassword + "\n",
			[]string{"--code takes the code's digits"}},
		{"no input", []string{"--username", emulator.AbiquoTwoFactorUser}, "",
			[]string{"--password-stdin: reading the password from standard input: no input"}},
		{"app name without --oauth", []string{"--username", emulator.AbiquoAdmin, "--app-name", "x"}, emulator.AbiquoAdminPassword + "\n",
			[]string{"--app-name goes with --oauth"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, out, errb := testApp(t, tc.stdin)
			args := append([]string{"login", "abiquo", "--endpoint", endpoint, "--password-stdin"}, tc.args...)
			if rc := a.run(args); rc == 0 {
				t.Fatalf("exit 0: %s", errb)
			}
			for _, w := range tc.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("%q missing from %s", w, errb)
				}
			}
			notShown(t, out.String()+errb.String(), "not-the-password-7", emulator.AbiquoTwoFactorPassword, spent, "123456", "654321", "12ab56")
			if n := len(storedAbiquo(t, a)); n != 0 {
				t.Errorf("%d entries stored after a failed login", n)
			}
		})
	}
	if n := len(e.AbiquoScratchCodesLeft(emulator.AbiquoTwoFactorUser)); n != 4 {
		t.Errorf("%d scratch codes left, want 4", n)
	}
}

// scriptedAbiquo runs the login with the password on standard input and,
// with --code -, the code written only once code() has one: as a script
// that reads a mailbox does.
func scriptedAbiquo(t *testing.T, endpoint, user, password string, code func() string, args ...string) (*app, int, string, string) {
	t.Helper()
	pr, pw := io.Pipe()
	a, out, errb := testApp(t, "")
	a.stdin = pr
	a.now = time.Now
	done := make(chan int, 1)
	go func() {
		done <- a.run(append([]string{"login", "abiquo", "--endpoint", endpoint, "--username", user, "--password-stdin"}, args...))
		pr.Close()
	}()
	_, _ = io.WriteString(pw, password+"\n")
	if code != nil {
		_, _ = io.WriteString(pw, code()+"\n")
	}
	var rc int
	select {
	case rc = <-done:
	case <-time.After(waitLimit):
		t.Fatalf("the login did not finish; stderr:\n%s", errb)
	}
	pw.Close()
	return a, rc, out.String(), errb.String()
}

// mailedCode waits for mail number n+1 to the user and returns its code.
func mailedCode(t *testing.T, e *emulator.Emulator, user string, n int) func() string {
	return func() string {
		waitEmulator(t, e, "the mail", func() bool { return e.AbiquoEmailsSent(user) > n })
		code, _ := e.AbiquoEmailCode(user)
		return code
	}
}

func TestAbiquoLoginEmailCode(t *testing.T) {
	t.Parallel()
	e, endpoint := abqEmulator(t)
	a, rc, out, errs := scriptedAbiquo(t, endpoint, emulator.AbiquoEmailUser, emulator.AbiquoEmailPassword,
		mailedCode(t, e, emulator.AbiquoEmailUser, 0), "--code", "-")
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, errs)
	}
	entries := storedAbiquo(t, a)
	if len(entries) != 1 || entries[0].Login != emulator.AbiquoEmailUser || tokenWorks(endpoint, entries[0].Token) != nil {
		t.Fatalf("entries = %+v", entries)
	}
	// One login without a code (the mail), one with it.
	if e.Requests("abiquo.login") != 2 || e.AbiquoEmailsSent(emulator.AbiquoEmailUser) != 1 || e.Logins("abiquo") != 1 {
		t.Errorf("login requests %d, mails %d, logins %d", e.Requests("abiquo.login"), e.AbiquoEmailsSent(emulator.AbiquoEmailUser), e.Logins("abiquo"))
	}
	if !strings.Contains(errs, "has just sent by mail") {
		t.Errorf("stderr = %s", errs)
	}
	code, _ := e.AbiquoEmailCode(emulator.AbiquoEmailUser)
	notShown(t, out+errs, emulator.AbiquoEmailPassword, code, entries[0].Token)

	// The same for an authenticator app's code, read once the login
	// without one was refused.
	k, err := totp.Parse(emulator.AbiquoOpsOTPURL)
	if err != nil {
		t.Fatal(err)
	}
	_, rc, _, errs = scriptedAbiquo(t, endpoint, emulator.AbiquoOpsUser, emulator.AbiquoOpsPassword, func() string { return k.Code(e.Now()) }, "--code", "-")
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, errs)
	}
}

func TestAbiquoLoginEmailCodeExpired(t *testing.T) {
	t.Parallel()
	e, endpoint := abqEmulator(t)
	late := func() string {
		code := mailedCode(t, e, emulator.AbiquoEmailUser, 0)()
		e.Advance(emulator.AbiquoEmailCodeLifetime + time.Second)
		return code
	}
	a, rc, out, errs := scriptedAbiquo(t, endpoint, emulator.AbiquoEmailUser, emulator.AbiquoEmailPassword, late, "--code", "-")
	if rc != 1 || !strings.Contains(errs, "with a one-time code (HTTP 401)") || !strings.Contains(errs, "a new login mails a new one") {
		t.Fatalf("exit %d: %s", rc, errs)
	}
	// A script gets one try.
	if e.Requests("abiquo.login") != 2 || len(storedAbiquo(t, a)) != 0 {
		t.Errorf("login requests %d", e.Requests("abiquo.login"))
	}
	code, _ := e.AbiquoEmailCode(emulator.AbiquoEmailUser)
	notShown(t, out+errs, emulator.AbiquoEmailPassword, code)
}

func TestAbiquoLoginEmailCodeOnATerminal(t *testing.T) {
	t.Parallel()
	e, endpoint := abqEmulator(t)
	term := openTerminal(t)
	a, out, _ := testApp(t, "")
	a.stdin, a.stderr = term.tty, term.tty
	a.now = time.Now
	done := make(chan int, 1)
	go func() {
		done <- a.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoEmailUser})
	}()
	term.waitFor(t, "Password for "+emulator.AbiquoEmailUser+": ", 1)
	term.typeSecret(t, emulator.AbiquoEmailPassword)
	term.waitFor(t, "One-time code (empty to stop): ", 1)
	code := mailedCode(t, e, emulator.AbiquoEmailUser, 0)()
	// A mistyped code may be typed again; the mailed one stays good.
	term.typeSecret(t, "000000")
	term.waitFor(t, "One-time code (empty to stop): ", 2)
	term.typeSecret(t, code)
	select {
	case rc := <-done:
		if rc != 0 {
			t.Fatalf("exit %d; terminal:\n%s", rc, term.screen())
		}
	case <-time.After(waitLimit):
		t.Fatalf("login did not finish; terminal:\n%s", term.screen())
	}
	if !term.echo(t) {
		t.Error("the terminal was left without echo")
	}
	screen := term.screen()
	if !strings.Contains(screen, "has just sent by mail") || !strings.Contains(screen, "try again") {
		t.Errorf("terminal:\n%s", screen)
	}
	notShown(t, screen+out.String(), emulator.AbiquoEmailPassword, code, "000000")
	if e.AbiquoEmailsSent(emulator.AbiquoEmailUser) != 1 || e.Requests("abiquo.login") != 3 {
		t.Errorf("mails %d, login requests %d", e.AbiquoEmailsSent(emulator.AbiquoEmailUser), e.Requests("abiquo.login"))
	}
	if entries := storedAbiquo(t, a); len(entries) != 1 || tokenWorks(endpoint, entries[0].Token) != nil {
		t.Fatalf("entries = %d", len(entries))
	}
}

func TestAbiquoLoginEndpointWithoutAPI(t *testing.T) {
	t.Parallel()
	a, _, errb := testApp(t, "pw\n")
	rc := a.run([]string{"login", "abiquo", "--endpoint", "https://abq.example.com/abiquo", "--username", "u", "--password-stdin"})
	if rc != 2 || !strings.Contains(errb.String(), `--endpoint (or ABQ_ENDPOINT): "https://abq.example.com/abiquo" does not end in /api`) ||
		!strings.Contains(errb.String(), `use "https://abq.example.com/abiquo/api"`) {
		t.Fatalf("exit %d: %s", rc, errb)
	}
}

func TestAbiquoLoginOnATerminalDoesNotEcho(t *testing.T) {
	t.Parallel()
	_, endpoint := abqEmulator(t)
	term := openTerminal(t)
	a, out, _ := testApp(t, "")
	a.stdin, a.stderr = term.tty, term.tty
	done := make(chan int, 1)
	go func() {
		done <- a.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoTwoFactorUser})
	}()
	// Type only once the prompt is up and the terminal stopped echoing,
	// as a person would.
	code := emulator.AbiquoScratchCodes[4]
	term.waitFor(t, "Password for sysadmin: ", 1)
	term.typeSecret(t, emulator.AbiquoTwoFactorPassword)
	term.waitFor(t, "One-time code (empty to stop): ", 1)
	term.typeSecret(t, code)
	select {
	case rc := <-done:
		if rc != 0 {
			t.Fatalf("exit %d; terminal:\n%s", rc, term.screen())
		}
	case <-time.After(waitLimit):
		t.Fatalf("login did not finish; terminal:\n%s", term.screen())
	}
	// Echo is back on once the code is read.
	if !term.echo(t) {
		t.Error("the terminal was left without echo")
	}
	if !strings.Contains(out.String(), "Logged in to "+endpoint+" as sysadmin") {
		t.Errorf("stdout = %s", out)
	}
	notShown(t, term.screen(), emulator.AbiquoTwoFactorPassword, code)
	if entries := storedAbiquo(t, a); len(entries) != 1 || tokenWorks(endpoint, entries[0].Token) != nil {
		t.Fatalf("entries = %d", len(entries))
	}
}

func TestAbiquoLogout(t *testing.T) {
	t.Parallel()
	for _, endAll := range []bool{false, true} {
		name := map[bool]string{false: "forget only", true: "end all sessions"}[endAll]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, endpoint := abqEmulator(t)
			a, out, errb := testApp(t, emulator.AbiquoAdminPassword+"\n\n")
			if rc := a.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoAdmin, "--password-stdin"}); rc != 0 {
				t.Fatalf("login: exit %d: %s", rc, errb)
			}
			token := storedAbiquo(t, a)[0].Token
			// The stored expiry is from the app's fixed clock; end the
			// sessions as if it were still valid.
			f, _ := a.load()
			exp := time.Now().Add(time.Hour)
			f.Entries[0].ExpiresAt = &exp
			if err := f.Save(); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			args := []string{"logout", "abiquo"}
			if endAll {
				args = append(args, "--end-all-sessions")
			}
			if rc := a.run(args); rc != 0 {
				t.Fatalf("logout: exit %d: %s", rc, errb)
			}
			if n := len(storedAbiquo(t, a)); n != 0 {
				t.Errorf("%d entries left", n)
			}
			err := tokenWorks(endpoint, token)
			var te *abiquo.TokenError
			if endAll {
				if !errors.As(err, &te) {
					t.Errorf("the token still works after its sessions were ended: %v", err)
				}
				if !strings.Contains(out.String(), "Ended every session of admin") {
					t.Errorf("stdout = %s", out)
				}
			} else {
				if err != nil {
					t.Errorf("forgetting alone ended the token: %v", err)
				}
				if !strings.Contains(out.String(), "stays valid until 30 minutes after its last use") {
					t.Errorf("stdout = %s", out)
				}
			}
			notShown(t, out.String()+errb.String(), token)
			// Nothing left to forget is not an error.
			out.Reset()
			if rc := a.run([]string{"logout", "abiquo"}); rc != 0 || !strings.Contains(out.String(), "No stored Abiquo token") {
				t.Errorf("second logout: exit %d: %s", rc, out)
			}
		})
	}
}

// abqWire serves the emulator behind a hook that sees every request
// first and may change it or answer it.
func abqWire(t *testing.T, hook func(e *emulator.Emulator, w http.ResponseWriter, r *http.Request) bool) (*emulator.Emulator, string) {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hook != nil && hook(e, w, r) {
			return
		}
		e.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return e, srv.URL + "/abiquo/api"
}

// abqSecrets are every password, code and OAuth value the emulator knows.
func abqSecrets(e *emulator.Emulator) []string {
	out := append([]string{emulator.AbiquoAdminPassword, emulator.AbiquoTwoFactorPassword, emulator.AbiquoEmailPassword},
		e.AbiquoOAuthSecrets()...)
	out = append(out, e.IssuedTokens("abiquo")...)
	if code, ok := e.AbiquoEmailCode(emulator.AbiquoEmailUser); ok {
		out = append(out, code)
	}
	return out
}

func TestAbiquoLoginOAuth(t *testing.T) {
	t.Parallel()
	host, _ := os.Hostname()
	scratch := emulator.AbiquoScratchCodes[2]
	cases := []struct {
		name, user, password string
		args                 []string
		mailed               bool
		app                  string
	}{
		{"without two-factor", emulator.AbiquoAdmin, emulator.AbiquoAdminPassword, []string{"--app-name", "ci runner"}, false, "ci runner"},
		{"scratch code", emulator.AbiquoTwoFactorUser, emulator.AbiquoTwoFactorPassword, []string{"--code", scratch}, false, "cloudauth on " + host},
		{"mailed code", emulator.AbiquoEmailUser, emulator.AbiquoEmailPassword, []string{"--code", "-"}, true, "cloudauth on " + host},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, endpoint := abqEmulator(t)
			var code func() string
			if tc.mailed {
				code = mailedCode(t, e, tc.user, 0)
			}
			a, rc, out, errs := scriptedAbiquo(t, endpoint, tc.user, tc.password, code, append([]string{"--oauth"}, tc.args...)...)
			if rc != 0 {
				t.Fatalf("exit %d: %s", rc, errs)
			}
			entries := storedAbiquo(t, a)
			if len(entries) != 1 || entries[0].OAuth1 == nil || entries[0].Token != "" || entries[0].ExpiresAt != nil ||
				entries[0].Login != tc.user || entries[0].URL != endpoint {
				t.Fatalf("entries = %+v", entries)
			}
			o := entries[0].OAuth1
			// What the provider will do with the entry.
			c, err := abiquo.New(abiquo.Config{HTTP: httpx.Config{BaseURL: endpoint}, ConsumerKey: o.ConsumerKey, ConsumerSecret: o.ConsumerSecret,
				AccessToken: o.AccessToken, AccessTokenSecret: o.AccessTokenSecret})
			if err != nil {
				t.Fatal(err)
			}
			if u, err := c.User(context.Background()); err != nil || u.Nick != tc.user {
				t.Fatalf("signed with the stored credentials: %v", err)
			}
			if apps := e.AbiquoOAuthApplications(tc.user); !slices.Contains(apps, tc.app) {
				t.Errorf("applications = %v, want %q", apps, tc.app)
			}
			if !strings.Contains(out, fmt.Sprintf("Registered the OAuth application %q for %s", tc.app, tc.user)) || !strings.Contains(out, "do not expire") {
				t.Errorf("stdout = %s", out)
			}
			notShown(t, out+errs, abqSecrets(e)...)

			// status lists the entry, without a secret.
			var status bytes.Buffer
			a.stdout = &status
			if rc := a.run([]string{"status"}); rc != 0 || !strings.Contains(status.String(), "never (OAuth 1.0a credentials)") ||
				!strings.Contains(status.String(), tc.user) {
				t.Errorf("status: %d %s", rc, status.String())
			}
			notShown(t, status.String(), abqSecrets(e)...)

			// logout forgets it; the credentials stay valid in Abiquo.
			var bye bytes.Buffer
			a.stdout = &bye
			if rc := a.run([]string{"logout", "abiquo", "--endpoint", endpoint}); rc != 0 || len(storedAbiquo(t, a)) != 0 ||
				!strings.Contains(bye.String(), "Forgot the Abiquo OAuth credentials of "+tc.user) || !strings.Contains(bye.String(), "until their application is removed") {
				t.Errorf("logout: %d %s", rc, bye.String())
			}
			notShown(t, bye.String(), abqSecrets(e)...)
		})
	}
}

// Refusals at each OAuth step, end to end: the command fails, says why
// and what to do, and stores nothing.
func TestAbiquoLoginOAuthRefusals(t *testing.T) {
	t.Parallel()
	signedLogin := func(r *http.Request) bool {
		return strings.HasSuffix(r.URL.Path, "/api/login") && strings.HasPrefix(r.Header.Get("Authorization"), "OAuth ")
	}
	cases := []struct {
		name    string
		before  func(e *emulator.Emulator)
		hook    func(e *emulator.Emulator, w http.ResponseWriter, r *http.Request) bool
		problem emulator.AbiquoOAuthProblem
		want    []string
	}{
		{"stale timestamp", func(e *emulator.Emulator) { e.Advance(emulator.AbiquoOAuthWindow + time.Minute) }, nil,
			emulator.OAuthTimestampRefused, []string{"refused the request token", "clock", "stays registered"}},
		{"wrong signature", nil, func(_ *emulator.Emulator, _ http.ResponseWriter, r *http.Request) bool {
			if strings.HasSuffix(r.URL.Path, "/oauth/request_token") {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), `oauth_signature="`, `oauth_signature="x`, 1))
			}
			return false
		}, emulator.OAuthSignatureInvalid, []string{"refused the request token", "consumer key or secret is wrong"}},
		{"nonce replay", nil, func(e *emulator.Emulator, _ http.ResponseWriter, r *http.Request) bool {
			// Someone got the exchange there first, with the same header.
			if strings.HasSuffix(r.URL.Path, "/oauth/access_token") {
				e.ServeHTTP(httptest.NewRecorder(), r.Clone(r.Context()))
			}
			return false
		}, emulator.OAuthNonceUsed, []string{"refused to exchange the authorized request token", "clock"}},
		{"revoked token", nil, func(e *emulator.Emulator, _ http.ResponseWriter, r *http.Request) bool {
			if signedLogin(r) {
				e.RevokeAbiquoOAuthTokens("")
			}
			return false
		}, emulator.OAuthTokenRevoked, []string{"are refused in a request signed with them", "revoked", "nothing was stored"}},
		{"wrong signature on the check", nil, func(_ *emulator.Emulator, _ http.ResponseWriter, r *http.Request) bool {
			if signedLogin(r) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), `oauth_nonce="`, `oauth_nonce="x`, 1))
			}
			return false
		}, emulator.OAuthSignatureInvalid, []string{"are refused in a request signed with them", "nothing was stored"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, endpoint := abqWire(t, tc.hook)
			if tc.before != nil {
				tc.before(e)
			}
			a, rc, out, errs := scriptedAbiquo(t, endpoint, emulator.AbiquoAdmin, emulator.AbiquoAdminPassword, nil, "--oauth")
			if rc != 1 {
				t.Fatalf("exit %d: %s", rc, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("%q missing from %s", w, errs)
				}
			}
			if strings.ContainsAny(errs, "<>") {
				t.Errorf("stderr quotes a page: %s", errs)
			}
			if got := e.AbiquoOAuthRejections(); got[tc.problem] != 1 || len(got) != 1 {
				t.Errorf("rejections = %v, want one %s", got, tc.problem)
			}
			if _, err := os.Stat(storedPath(t, a)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed login wrote the credentials file: %v", err)
			}
			notShown(t, out+errs, abqSecrets(e)...)
		})
	}
}

func TestAbiquoHelp(t *testing.T) {
	t.Parallel()
	a, _, errb := testApp(t, "")
	if rc := a.run([]string{"login", "abiquo", "-h"}); rc != 0 {
		t.Fatalf("exit %d", rc)
	}
	for _, want := range []string{"-oauth", "-app-name", "-code", "or - to read it from the next line", "-password-stdin", "ABQ_ENDPOINT"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, errb.String())
		}
	}
}

// A token login after an OAuth one replaces the entry and says so; logout
// can end the user's sessions with OAuth credentials too.
func TestAbiquoOAuthEntryReplacedAndSessionsEnded(t *testing.T) {
	t.Parallel()
	e, endpoint := abqEmulator(t)
	a, rc, _, errs := scriptedAbiquo(t, endpoint, emulator.AbiquoAdmin, emulator.AbiquoAdminPassword, nil, "--oauth")
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, errs)
	}
	// A session of the user's own, to be ended.
	_, session := abqLogin(t, endpoint)
	var out, errb bytes.Buffer
	a.stdout, a.stderr = &out, &errb
	if rc := a.run([]string{"logout", "abiquo", "--end-all-sessions"}); rc != 0 {
		t.Fatalf("logout: exit %d: %s", rc, errb.String())
	}
	if !strings.Contains(out.String(), "Ended every session of admin") || len(storedAbiquo(t, a)) != 0 {
		t.Errorf("stdout = %s", out.String())
	}
	if err := tokenWorks(endpoint, session); err == nil {
		t.Error("the session outlived --end-all-sessions")
	}

	a2, rc, _, errs := scriptedAbiquo(t, endpoint, emulator.AbiquoAdmin, emulator.AbiquoAdminPassword, nil, "--oauth")
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, errs)
	}
	a2.stdin = strings.NewReader(emulator.AbiquoAdminPassword + "\n")
	a2.lines = nil
	out.Reset()
	a2.stdout, a2.stderr = &out, &errb
	if rc := a2.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoAdmin, "--password-stdin"}); rc != 0 {
		t.Fatalf("token login: exit %d: %s", rc, errb.String())
	}
	entries := storedAbiquo(t, a2)
	if len(entries) != 1 || entries[0].OAuth1 != nil || entries[0].Token == "" || !strings.Contains(out.String(), "It replaces the OAuth credentials stored for admin") {
		t.Errorf("entries %+v, stdout %s", entries, out.String())
	}
	notShown(t, out.String()+errb.String(), abqSecrets(e)...)
}

// abqLogin logs in as the admin with the password and returns the client
// and its token.
func abqLogin(t *testing.T, endpoint string) (*abiquo.Client, string) {
	t.Helper()
	c, err := abiquo.New(abiquo.Config{HTTP: httpx.Config{BaseURL: endpoint}, Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := c.Credential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c, cr.Token
}

// Without a terminal, the command says which flag gives what it cannot
// ask for, before it asks the API anything where it can know beforehand;
// a one-time code turns out to be needed only once the password alone
// is refused.
func TestAbiquoWithoutATerminal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  []string
		// logins is how many logins reach the API.
		logins int
	}{
		{"endpoint", emulator.AbiquoAdminPassword + "\n", []string{"--username", emulator.AbiquoAdmin, "--password-stdin"},
			[]string{"no endpoint: give it with --endpoint (or ABQ_ENDPOINT); standard input is not a terminal to ask on"}, 0},
		{"user name", emulator.AbiquoAdminPassword + "\n", []string{"--endpoint", "", "--password-stdin"},
			[]string{"no user name: give it with --username (or ABQ_USERNAME); standard input is not a terminal to ask on"}, 0},
		{"password", emulator.AbiquoAdminPassword + "\n", []string{"--endpoint", "", "--username", emulator.AbiquoAdmin},
			[]string{"standard input is not a terminal, so the password cannot be asked for: pass it on the first line of standard input with --password-stdin"}, 0},
		{"one-time code", emulator.AbiquoTwoFactorPassword + "\n" + emulator.AbiquoScratchCodes[1] + "\n",
			[]string{"--endpoint", "", "--username", emulator.AbiquoTwoFactorUser, "--password-stdin"},
			[]string{`refused the login of "sysadmin" (HTTP 401)`, "if sysadmin has two-factor authentication, give the one-time code with --code - (read from the next line of standard input",
				"or --code DIGITS: standard input is not a terminal to type it on"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, endpoint := abqEmulator(t)
			args := slices.Clone(tc.args)
			if i := slices.Index(args, "--endpoint"); i >= 0 {
				args[i+1] = endpoint
			}
			a, out, errb := testApp(t, tc.stdin)
			if rc := a.run(append([]string{"login", "abiquo"}, args...)); rc != 1 {
				t.Fatalf("exit %d: %s", rc, errb)
			}
			for _, w := range tc.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb)
				}
			}
			for _, prompt := range []string{"Abiquo API endpoint (", "User name: ", "Password for ", "One-time code ("} {
				if strings.Contains(errb.String(), prompt) {
					t.Errorf("asked %q without a terminal:\n%s", prompt, errb)
				}
			}
			if n := e.Requests("abiquo.login"); n != tc.logins {
				t.Errorf("%d logins reached the API, want %d", n, tc.logins)
			}
			if n := len(e.AbiquoScratchCodesLeft(emulator.AbiquoTwoFactorUser)); n != len(emulator.AbiquoScratchCodes) {
				t.Errorf("a scratch code on standard input was used without --code -: %d left", n)
			}
			notShown(t, out.String()+errb.String(), abqSecrets(e)...)
		})
	}
}
