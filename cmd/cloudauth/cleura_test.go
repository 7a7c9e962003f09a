package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// cleuraWorld is an emulator and a private config directory for one test.
type cleuraWorld struct {
	e   *emulator.Emulator
	url string
	env map[string]string
}

func newCleuraWorld(t *testing.T) *cleuraWorld {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	return &cleuraWorld{e: e, url: srv.URL + "/cleura", env: map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}}
}

func (w *cleuraWorld) app(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: func(k string) string { return w.env[k] }, now: time.Now}
}

func (w *cleuraWorld) path() string {
	return filepath.Join(w.env["XDG_CONFIG_HOME"], "cloudauth", "credentials.json")
}

// stored checks the file's mode and returns the Cleura entries.
func (w *cleuraWorld) stored(t *testing.T) []credstore.Entry {
	t.Helper()
	st, err := os.Stat(w.path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode = %v, want 0600", st.Mode().Perm())
	}
	f, err := credstore.Load(w.path())
	if err != nil {
		t.Fatal(err)
	}
	return f.Entries
}

// valid reports whether the API accepts token for login.
func (w *cleuraWorld) valid(t *testing.T, login, token string) bool {
	t.Helper()
	c, err := cleura.New(cleura.Config{HTTP: httpx.Config{BaseURL: w.url}, Username: login, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate(context.Background(), token)
	if err != nil && !cleura.IsInvalidToken(err) {
		t.Fatal(err)
	}
	return err == nil
}

// noSecrets fails when any password, token or SMS code shows in out.
func (w *cleuraWorld) noSecrets(t *testing.T, out string) {
	t.Helper()
	secrets := append([]string{emulator.CleuraPassword, emulator.CleuraSMSPassword}, w.e.IssuedTokens("cleura")...)
	if code, ok := w.e.CleuraSMSCode(emulator.CleuraSMSUser); ok {
		secrets = append(secrets, code)
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("a secret (%d characters) was printed:\n%s", len(s), out)
		}
	}
}

// waitForCode waits until SMS number sent+1 has come to the emulator's
// "phone", and returns its code.
func (w *cleuraWorld) waitForCode(t *testing.T, login string, sent int) string {
	t.Helper()
	waitEmulator(t, w.e, "the SMS code", func() bool { return w.e.CleuraSMSSent(login) > sent })
	code, _ := w.e.CleuraSMSCode(login)
	return code
}

func TestCleuraLoginOnATerminal(t *testing.T) {
	t.Parallel()
	w := newCleuraWorld(t)
	term := openTerminal(t)
	var out bytes.Buffer
	a := w.app(term.tty, &out, term.tty)
	done := make(chan int, 1)
	go func() { done <- a.run([]string{"login", "cleura", "--url", w.url}) }()

	term.waitFor(t, "Cleura Cloud username: ", 1)
	term.typeLine(t, emulator.CleuraSMSUser)
	term.waitFor(t, "Password for "+emulator.CleuraSMSUser, 1)
	term.typeSecret(t, emulator.CleuraSMSPassword)
	term.waitFor(t, "SMS code: ", 1)
	code := w.waitForCode(t, emulator.CleuraSMSUser, 0)
	// A mistyped code may be typed again.
	term.typeSecret(t, "12345x")
	term.waitFor(t, "SMS code: ", 2)
	term.typeSecret(t, code)

	select {
	case rc := <-done:
		if rc != 0 {
			t.Fatalf("exit code %d; terminal:\n%s", rc, term.screen())
		}
	case <-time.After(waitLimit):
		t.Fatalf("the command did not finish; terminal:\n%s", term.screen())
	}
	screen := term.screen()
	if !strings.Contains(screen, emulator.CleuraSMSUser) || !strings.Contains(screen, "has sent a six-digit code by SMS") ||
		!strings.Contains(screen, "may hold digits only; try again") {
		t.Errorf("terminal:\n%s", screen)
	}
	if strings.Contains(screen, "12345x") {
		t.Errorf("the mistyped code was echoed:\n%s", screen)
	}
	w.noSecrets(t, screen+out.String())
	entries := w.stored(t)
	if len(entries) != 1 || entries[0].Cloud != "cleura" || entries[0].URL != w.url || entries[0].Login != emulator.CleuraSMSUser ||
		time.Since(entries[0].StoredAt) > time.Minute {
		t.Fatalf("stored %+v", entries)
	}
	if !w.valid(t, emulator.CleuraSMSUser, entries[0].Token) {
		t.Error("the stored token is not valid")
	}
	if !strings.Contains(out.String(), "stored in "+w.path()) {
		t.Errorf("stdout: %s", out.String())
	}
}

// scripted runs the login with the password and the code on standard
// input, the code written only once the SMS has come, as a script that
// reads an SMS gateway does.
func scripted(t *testing.T, w *cleuraWorld, user, password string, args ...string) (int, string, string) {
	t.Helper()
	pr, pw := io.Pipe()
	var out, errb bytes.Buffer
	a := w.app(pr, &out, &errb)
	sent := w.e.CleuraSMSSent(user)
	done := make(chan int, 1)
	go func() {
		done <- a.run(append([]string{"login", "cleura", "--url", w.url, "--username", user, "--password-stdin"}, args...))
		pr.Close()
	}()
	fmt.Fprintln(pw, password)
	if len(args) > 1 && args[len(args)-1] == "-" {
		code := w.waitForCode(t, user, sent)
		_, _ = fmt.Fprintln(pw, code)
	}
	rc := <-done
	pw.Close()
	return rc, out.String(), errb.String()
}

func TestCleuraLoginScripted(t *testing.T) {
	t.Parallel()
	w := newCleuraWorld(t)
	rc, out, errs := scripted(t, w, emulator.CleuraSMSUser, emulator.CleuraSMSPassword, "--code", "-")
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, errs)
	}
	w.noSecrets(t, out+errs)
	entries := w.stored(t)
	if len(entries) != 1 || !w.valid(t, emulator.CleuraSMSUser, entries[0].Token) {
		t.Fatalf("stored %+v", entries)
	}
	// Logging in again replaces the entry.
	if rc, _, errs = scripted(t, w, emulator.CleuraSMSUser, emulator.CleuraSMSPassword, "--code", "-"); rc != 0 {
		t.Fatalf("second login: %s", errs)
	}
	again := w.stored(t)
	if len(again) != 1 || again[0].Token == entries[0].Token {
		t.Errorf("the second login did not replace the token: %d entries", len(again))
	}
}

func TestCleuraLoginWithoutTwoFactor(t *testing.T) {
	t.Parallel()
	w := newCleuraWorld(t)
	w.env["CLEURA_API_USERNAME"] = emulator.CleuraUser
	var out, errb bytes.Buffer
	a := w.app(strings.NewReader(emulator.CleuraPassword+"\n"), &out, &errb)
	w.env["CLEURA_API_URL"] = w.url
	if rc := a.run([]string{"login", "cleura", "--password-stdin"}); rc != 0 {
		t.Fatalf("exit %d: %s", rc, errb.String())
	}
	if !strings.Contains(errb.String(), "no two-factor authentication") {
		t.Errorf("stderr: %s", errb.String())
	}
	if w.e.Requests("cleura.request2facode") != 0 {
		t.Error("an SMS was requested for an account without two-factor")
	}
	w.noSecrets(t, out.String()+errb.String())
	entries := w.stored(t)
	if len(entries) != 1 || entries[0].Login != emulator.CleuraUser || !w.valid(t, emulator.CleuraUser, entries[0].Token) {
		t.Fatalf("stored %+v", entries)
	}
}

func TestCleuraLoginFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		user, pw string
		args     []string
		before   func(w *cleuraWorld) // between the SMS and the code
		want     []string
	}{
		{"wrong password", emulator.CleuraUser, "not-the-password", nil, nil,
			[]string{`refused the login of "cloudauth-demo"`, "Login failed", "check the username and the password"}},
		{"wrong code", emulator.CleuraSMSUser, emulator.CleuraSMSPassword, []string{"--code", "100000"}, nil,
			[]string{"refused the SMS code", "as wrong", "Invalid code", "run `cloudauth login cleura --url"}},
		{"expired code", emulator.CleuraSMSUser, emulator.CleuraSMSPassword, []string{"--code", "-"},
			func(w *cleuraWorld) { w.e.Advance(emulator.CleuraCodeLifetime + time.Minute) },
			[]string{"as expired", "Code expired", "valid for a few minutes only", "again for a new SMS"}},

		{"empty password", emulator.CleuraUser, "", nil, nil, []string{"the password is empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCleuraWorld(t)
			stdin := tc.pw + "\n"
			pr, pw := io.Pipe()
			var out, errb bytes.Buffer
			a := w.app(pr, &out, &errb)
			done := make(chan int, 1)
			go func() {
				done <- a.run(append([]string{"login", "cleura", "--url", w.url, "--username", tc.user, "--password-stdin"}, tc.args...))
				pr.Close()
			}()
			_, _ = io.WriteString(pw, stdin)
			if tc.before != nil {
				code := w.waitForCode(t, tc.user, 0)
				tc.before(w)
				_, _ = fmt.Fprintln(pw, code)
			}
			rc := <-done
			pw.Close()
			if rc != 1 {
				t.Fatalf("exit %d, want 1: %s", rc, errb.String())
			}
			for _, want := range tc.want {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errb.String())
				}
			}
			w.noSecrets(t, out.String()+errb.String())
			if strings.Contains(errb.String(), "not-the-password") {
				t.Errorf("the password was printed: %s", errb.String())
			}
			if _, err := os.Stat(w.path()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed login wrote the credentials file: %v", err)
			}
		})
	}
}

func TestCleuraLoginErrorAdvice(t *testing.T) {
	t.Parallel()
	target := cleuraTarget{url: "https://rest.cleura.cloud", username: "alice"}
	ae := &httpx.APIError{StatusCode: 400, Message: "Invalid verification"}
	err := cleuraLoginError(target, &cleura.VerificationError{Login: "alice", Message: ae.Message, Err: ae})
	for _, want := range []string{"does not know the SMS login in progress", "too many wrong codes", "`cloudauth login cleura --url https://rest.cleura.cloud --username alice` again to start over"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("lacks %q: %v", want, err)
		}
	}
	if !errors.As(err, new(*cleura.VerificationError)) {
		t.Error("the typed error is lost")
	}
}

func TestCleuraLogout(t *testing.T) {
	t.Parallel()
	w := newCleuraWorld(t)
	if rc, _, errs := scripted(t, w, emulator.CleuraSMSUser, emulator.CleuraSMSPassword, "--code", "-"); rc != 0 {
		t.Fatal(errs)
	}
	token := w.stored(t)[0].Token
	var out, errb bytes.Buffer
	a := w.app(strings.NewReader(""), &out, &errb)
	if rc := a.run([]string{"logout", "cleura", "--url", w.url}); rc != 0 {
		t.Fatalf("exit %d: %s", rc, errb.String())
	}
	if w.valid(t, emulator.CleuraSMSUser, token) {
		t.Error("the token is still valid after logout")
	}
	if entries := w.stored(t); len(entries) != 0 {
		t.Errorf("entries left: %d", len(entries))
	}
	if !strings.Contains(out.String(), "Revoked the token of "+emulator.CleuraSMSUser) {
		t.Errorf("stdout: %s", out.String())
	}
	w.noSecrets(t, out.String()+errb.String())

	errb.Reset()
	if rc := a.run([]string{"logout", "cleura", "--url", w.url}); rc != 1 || !strings.Contains(errb.String(), "holds no Cleura Cloud token for "+w.url) {
		t.Errorf("second logout: %d %s", rc, errb.String())
	}
}

func TestCleuraLogoutOfADeadToken(t *testing.T) {
	t.Parallel()
	w := newCleuraWorld(t)
	if rc, _, errs := scripted(t, w, emulator.CleuraSMSUser, emulator.CleuraSMSPassword, "--code", "-"); rc != 0 {
		t.Fatal(errs)
	}
	w.e.RevokeAll("cleura")
	var out, errb bytes.Buffer
	a := w.app(strings.NewReader(""), &out, &errb)
	if rc := a.run([]string{"logout", "cleura", "--url", w.url, "--username", strings.ToUpper(emulator.CleuraSMSUser)}); rc != 0 {
		t.Fatalf("exit %d: %s", rc, errb.String())
	}
	if !strings.Contains(out.String(), "was no longer valid") || len(w.stored(t)) != 0 {
		t.Errorf("stdout: %s", out.String())
	}
}

func TestCleuraLogoutPicksALogin(t *testing.T) {
	t.Parallel()
	w := newCleuraWorld(t)
	f, err := credstore.Load(w.path())
	if err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"alice", "bob"} {
		f.Put(credstore.Entry{Cloud: "cleura", URL: w.url, Login: login, Token: "token-of-" + login + "-0123456789", StoredAt: time.Now()})
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	a := w.app(strings.NewReader(""), &out, &errb)
	if rc := a.run([]string{"logout", "cleura", "--url", w.url}); rc != 1 || !strings.Contains(errb.String(), "several logins for "+w.url+" (alice, bob); pick one with --username") {
		t.Fatalf("%d %s", rc, errb.String())
	}
	if len(w.stored(t)) != 2 {
		t.Error("an ambiguous logout removed something")
	}
}

func TestCleuraHelp(t *testing.T) {
	t.Parallel()
	w := newCleuraWorld(t)
	var out, errb bytes.Buffer
	a := w.app(strings.NewReader(""), &out, &errb)
	if rc := a.run([]string{"login", "cleura", "-h"}); rc != 0 {
		t.Fatalf("exit %d", rc)
	}
	for _, want := range []string{"-password-stdin", "-code", "-username", "-url", "CLEURA_API_URL", "-auth-api", "CLEURA_API_AUTH", "-ca-cert", "-insecure"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, errb.String())
		}
	}
}

// run runs the command with stdin and returns the exit code and outputs.
func (w *cleuraWorld) run(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	rc := w.app(strings.NewReader(stdin), &out, &errb).run(args)
	return rc, out.String(), errb.String()
}

// With the default setting, login and logout work against a server of
// either auth API generation; a v1-only one costs one extra request per
// command.
func TestCleuraLoginAndLogoutWithEitherServer(t *testing.T) {
	t.Parallel()
	servers := []struct {
		api, speaks string
		probe       int
	}{
		{emulator.CleuraAuthBoth, "v2", 0},
		{emulator.CleuraAuthV2, "v2", 0},
		{emulator.CleuraAuthV1, "v1", 1},
	}
	for _, srv := range servers {
		t.Run(srv.api, func(t *testing.T) {
			t.Parallel()
			w := newCleuraWorld(t)
			if err := w.e.SetCleuraAuthAPI(srv.api); err != nil {
				t.Fatal(err)
			}
			// SMS login: the login and (v2) the second one naming sms,
			// the SMS, the code, the validation.
			if rc, _, errs := scripted(t, w, emulator.CleuraSMSUser, emulator.CleuraSMSPassword, "--code", "-"); rc != 0 {
				t.Fatalf("SMS login: %s", errs)
			}
			logins := map[string]int{"v1": 1, "v2": 2}[srv.speaks]
			if got := w.e.CleuraAuthRequests(srv.speaks); got != logins+3 || w.e.Requests("cleura.unknown") != srv.probe {
				t.Errorf("%s requests = %d, want %d; to the missing generation %d, want %d",
					srv.speaks, got, logins+3, w.e.Requests("cleura.unknown"), srv.probe)
			}
			// Password login of the account without two-factor.
			if rc, _, errs := w.run(emulator.CleuraPassword+"\n", "login", "cleura", "--url", w.url, "--username", emulator.CleuraUser, "--password-stdin"); rc != 0 {
				t.Fatalf("password login: %s", errs)
			}
			entries := w.stored(t)
			if len(entries) != 2 {
				t.Fatalf("stored %d entries", len(entries))
			}
			for _, e := range entries {
				if !w.valid(t, e.Login, e.Token) {
					t.Errorf("the token of %s is not valid", e.Login)
				}
				rc, out, errs := w.run("", "logout", "cleura", "--url", w.url, "--username", e.Login)
				if rc != 0 || !strings.Contains(out, "Revoked the token of "+e.Login) {
					t.Fatalf("logout of %s: %d %s %s", e.Login, rc, out, errs)
				}
				if w.valid(t, e.Login, e.Token) {
					t.Errorf("the token of %s is still valid after logout", e.Login)
				}
			}
			if w.e.CleuraAuthRequests(map[string]string{"v1": "v2", "v2": "v1"}[srv.speaks]) != 0 {
				t.Errorf("the generation the server lacks served requests")
			}
		})
	}
}

func TestCleuraAuthAPISetting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		server string
		env    string
		args   []string
		rc     int
		want   string
		probes int
	}{
		{"flag picks v1", emulator.CleuraAuthV1, "", []string{"--auth-api", "v1"}, 0, "", 0},
		{"env picks v1", emulator.CleuraAuthV1, "v1", nil, 0, "", 0},
		{"flag beats env", emulator.CleuraAuthV2, "v1", []string{"--auth-api", "V2"}, 0, "", 0},
		{"v1 where the server has only v2", emulator.CleuraAuthV2, "", []string{"--auth-api", "v1"}, 1,
			"has no Cleura Cloud auth API v1 (/auth/v1 answers HTTP 404). Choose the auth API v2, or leave the choice unset so that the client finds the one the server has (the URL is --url or CLEURA_API_URL; the auth API --auth-api or CLEURA_API_AUTH)", 1},
		{"unknown generation", emulator.CleuraAuthBoth, "v3", nil, 2,
			`--auth-api (or CLEURA_API_AUTH): the Cleura Cloud auth API "v3" is not one of "v2"`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCleuraWorld(t)
			if err := w.e.SetCleuraAuthAPI(tc.server); err != nil {
				t.Fatal(err)
			}
			w.env["CLEURA_API_AUTH"] = tc.env
			args := append([]string{"login", "cleura", "--url", w.url, "--username", emulator.CleuraUser, "--password-stdin"}, tc.args...)
			rc, _, errs := w.run(emulator.CleuraPassword+"\n", args...)
			if rc != tc.rc || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, want %d; stderr %s", rc, tc.rc, errs)
			}
			if got := w.e.Requests("cleura.unknown"); got != tc.probes {
				t.Errorf("404 answers = %d, want %d", got, tc.probes)
			}
			if tc.rc != 0 && w.e.Requests("cleura")-w.e.Requests("cleura.unknown") != 0 {
				t.Errorf("requests = %v", w.e.Counters().Requests)
			}
		})
	}
}

// TLS settings like `login abiquo`: a private CA, or no verification.
func TestCleuraTLSFlags(t *testing.T) {
	t.Parallel()
	e := emulator.New()
	srv := httptest.NewTLSServer(e)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	w := &cleuraWorld{e: e, url: srv.URL + "/cleura", env: map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	login := []string{"login", "cleura", "--url", w.url, "--username", emulator.CleuraUser, "--password-stdin"}
	cases := []struct {
		name string
		args []string
		rc   int
		want string
	}{
		// The advice names the command's flags, not the provider's
		// cleura.ca_cert and cleura.insecure.
		{"unknown CA", login, 1, "set --ca-cert to the PEM of the CA that signed it (inline or a file path), or --insecure for a test system only"},
		{"not a PEM file", append(login, "--ca-cert", notPEM), 2, "--ca-cert: the CA bundle holds no PEM certificate"},
		{"the server's CA", append(login, "--ca-cert", ca), 0, "Logged in to " + w.url},
		{"no verification", append(login, "--insecure"), 0, "Logged in to " + w.url},
		{"logout with the CA", []string{"logout", "cleura", "--ca-cert", ca}, 0, "Revoked the token of " + emulator.CleuraUser},
	}
	// In order: the logout revokes what the logins stored.
	for _, tc := range cases {
		before := e.Requests("cleura")
		rc, out, errs := w.run(emulator.CleuraPassword+"\n", tc.args...)
		if rc != tc.rc || !strings.Contains(out+errs, tc.want) {
			t.Fatalf("%s: exit %d, want %d; %s%s", tc.name, rc, tc.rc, out, errs)
		}
		if tc.rc != 0 && e.Requests("cleura") != before {
			t.Errorf("%s: the API was asked although the TLS check failed", tc.name)
		}
	}
}

// Without --url (and CLEURA_API_URL), logout acts on the only stored
// Cleura Cloud token, whatever URL it is for.
func TestCleuraLogoutWithoutURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		stored   []string // logins at the emulator; "other" is a login at another URL
		username string
		rc       int
		want     string
		left     int
	}{
		{"the only token", []string{emulator.CleuraUser}, "", 0, "Revoked the token of " + emulator.CleuraUser, 0},
		{"one login of two", []string{emulator.CleuraUser, "other"}, emulator.CleuraUser, 0, "Revoked the token of " + emulator.CleuraUser, 1},
		{"two tokens", []string{emulator.CleuraUser, "other"}, "", 1, "holds several Cleura Cloud tokens (", 2},
		{"none of that login", []string{emulator.CleuraUser}, "nobody", 1, "holds no Cleura Cloud token of nobody", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCleuraWorld(t)
			for _, login := range tc.stored {
				if login == "other" {
					f, err := credstore.Load(w.path())
					if err != nil {
						t.Fatal(err)
					}
					f.Put(credstore.Entry{Cloud: "cleura", URL: "https://rest.example.net", Login: "other", Token: "token-of-other-0123456789", StoredAt: time.Now()})
					if err := f.Save(); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if rc, _, errs := w.run(emulator.CleuraPassword+"\n", "login", "cleura", "--url", w.url, "--username", login, "--password-stdin"); rc != 0 {
					t.Fatal(errs)
				}
			}
			args := []string{"logout", "cleura"}
			if tc.username != "" {
				args = append(args, "--username", tc.username)
			}
			rc, out, errs := w.run("", args...)
			if rc != tc.rc || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("exit %d, want %d: %s%s", rc, tc.rc, out, errs)
			}
			if len(w.stored(t)) != tc.left {
				t.Errorf("entries left = %d, want %d", len(w.stored(t)), tc.left)
			}
		})
	}
}

// Without a terminal, the command says which flag gives what it cannot
// ask for, before it asks the API anything (and before any SMS).
func TestCleuraWithoutATerminal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"password", emulator.CleuraPassword + "\n", []string{"--username", emulator.CleuraUser},
			"standard input is not a terminal, so the password cannot be asked for: pass it on the first line of standard input with --password-stdin"},
		{"username", emulator.CleuraPassword + "\n", []string{"--password-stdin"}, "no username: give it with --username (or CLEURA_API_USERNAME)"},
		{"SMS code", emulator.CleuraSMSPassword + "\n", []string{"--username", emulator.CleuraSMSUser, "--password-stdin"},
			"has SMS two-factor authentication, and standard input is not a terminal to type the code on: give it with --code -"},
		{"empty input", "", []string{"--username", emulator.CleuraUser, "--password-stdin"}, "--password-stdin: reading the password from standard input: no input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCleuraWorld(t)
			rc, _, errs := w.run(tc.stdin, append([]string{"login", "cleura", "--url", w.url}, tc.args...)...)
			if rc != 1 || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d: %s", rc, errs)
			}
			if w.e.Requests("cleura.request2facode") != 0 || w.e.Requests("cleura.verify2fa") != 0 {
				t.Errorf("an SMS was sent that nobody could type: %v", w.e.Counters().Requests)
			}
			if tc.name != "SMS code" && w.e.Requests("cleura") != 0 {
				t.Errorf("the API was asked: %v", w.e.Counters().Requests)
			}
		})
	}
}
