package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

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
	f, err := a.store()
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
		name  string
		stdin string
		args  []string
	}{
		{"password and scratch code from stdin", emulator.AbiquoTwoFactorPassword + "\n" + code + "\n", nil},
		{"code as a flag", emulator.AbiquoTwoFactorPassword + "\n", []string{"--code", code}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, endpoint := abqEmulator(t)
			a, out, errb := testApp(t, tc.stdin)
			args := append([]string{"login", "abiquo", "--endpoint", endpoint + "/", "--username", emulator.AbiquoTwoFactorUser, "--password-stdin"}, tc.args...)
			if rc := a.run(args); rc != 0 {
				t.Fatalf("exit %d: %s", rc, errb)
			}
			entries := storedAbiquo(t, a)
			if len(entries) != 1 {
				t.Fatalf("entries = %+v", entries)
			}
			got := entries[0]
			now := a.now()
			if got.URL != endpoint || got.Login != emulator.AbiquoTwoFactorUser || !got.StoredAt.Equal(now) ||
				got.ExpiresAt == nil || !got.ExpiresAt.Equal(now.Add(30*time.Minute)) {
				t.Errorf("entry = %+v", got)
			}
			if err := tokenWorks(endpoint, got.Token); err != nil {
				t.Errorf("the stored token does not work: %v", err)
			}
			if left := e.AbiquoScratchCodesLeft(emulator.AbiquoTwoFactorUser); len(left) != 4 {
				t.Errorf("%d scratch codes left, want 4", len(left))
			}
			st, err := os.Stat(storedPath(t, a))
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("credentials file: %v %v", st, err)
			}
			all := out.String() + errb.String()
			if !strings.Contains(out.String(), "Logged in to "+endpoint+" as sysadmin") || !strings.Contains(out.String(), "30 minutes from their last use") {
				t.Errorf("stdout = %s", out)
			}
			notShown(t, all, emulator.AbiquoTwoFactorPassword, code, got.Token)
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
	if rc := a.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoOpsUser, "--password-stdin"}); rc != 0 {
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
		return a.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoTwoFactorUser, "--password-stdin"})
	}(); rc != 0 {
		t.Fatal("could not spend the scratch code")
	}
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  []string
	}{
		{"wrong password", []string{"--username", emulator.AbiquoAdmin}, "not-the-password-7\n\n",
			[]string{"refused the user name or password", "GEN-5", "check the user name and password"}},
		{"no code for a two-factor user", []string{"--username", emulator.AbiquoTwoFactorUser}, emulator.AbiquoTwoFactorPassword + "\n\n",
			[]string{"asks \"sysadmin\" for a one-time code", "enter the code from your authenticator app"}},
		{"wrong code", []string{"--username", emulator.AbiquoTwoFactorUser, "--code", "123456"}, emulator.AbiquoTwoFactorPassword + "\n",
			[]string{"refused the one-time code", "run the command again with a current code"}},
		{"reused scratch code", []string{"--username", emulator.AbiquoTwoFactorUser}, emulator.AbiquoTwoFactorPassword + "\n" + spent + "\n",
			[]string{"a scratch code works only once", "an unused scratch code"}},
		{"code with letters", []string{"--username", emulator.AbiquoTwoFactorUser, "--code", "12ab56"}, emulator.AbiquoTwoFactorPassword + "\n",
			[]string{"the one-time code: a one-time code is digits only"}},
		{"no input", []string{"--username", emulator.AbiquoTwoFactorUser}, "",
			[]string{"reading the password: no input"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, out, errb := testApp(t, tc.stdin)
			args := append([]string{"login", "abiquo", "--endpoint", endpoint, "--password-stdin"}, tc.args...)
			if rc := a.run(args); rc != 1 {
				t.Fatalf("exit %d, want 1", rc)
			}
			for _, w := range tc.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("%q missing from %s", w, errb)
				}
			}
			notShown(t, out.String()+errb.String(), "not-the-password-7", emulator.AbiquoTwoFactorPassword, spent, "123456", "12ab56")
			if n := len(storedAbiquo(t, a)); n != 0 {
				t.Errorf("%d entries stored after a failed login", n)
			}
		})
	}
	if n := len(e.AbiquoScratchCodesLeft(emulator.AbiquoTwoFactorUser)); n != 4 {
		t.Errorf("%d scratch codes left, want 4", n)
	}
}

func TestAbiquoLoginEndpointWithoutAPI(t *testing.T) {
	t.Parallel()
	a, _, errb := testApp(t, "pw\n")
	rc := a.run([]string{"login", "abiquo", "--endpoint", "https://abq.example.com/abiquo", "--username", "u", "--password-stdin"})
	if rc != 1 || !strings.Contains(errb.String(), `--endpoint: "https://abq.example.com/abiquo" does not end in /api`) ||
		!strings.Contains(errb.String(), `use "https://abq.example.com/abiquo/api"`) {
		t.Fatalf("exit %d: %s", rc, errb)
	}
}

// lockedBuffer collects a terminal's output from another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor polls until cond holds or fails the test after a while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAbiquoLoginOnATerminalDoesNotEcho(t *testing.T) {
	t.Parallel()
	_, endpoint := abqEmulator(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	screen := &lockedBuffer{}
	go func() { _, _ = io.Copy(screen, ptmx) }()

	fd := int(tty.Fd())
	a, out, _ := testApp(t, "")
	a.stdin, a.stderr = tty, tty
	done := make(chan int, 1)
	go func() {
		done <- a.run([]string{"login", "abiquo", "--endpoint", endpoint, "--username", emulator.AbiquoTwoFactorUser})
	}()
	echoOff := func() bool {
		st, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		return err == nil && st.Lflag&unix.ECHO == 0
	}
	// Type only once the prompt is up and the terminal stopped echoing,
	// as a person would.
	code := emulator.AbiquoScratchCodes[4]
	for _, step := range []struct{ prompt, input string }{
		{"Password for sysadmin: ", emulator.AbiquoTwoFactorPassword},
		{"or a scratch code (empty if two-factor authentication is off): ", code},
	} {
		waitFor(t, "the prompt "+step.prompt, func() bool { return strings.Contains(screen.String(), step.prompt) })
		waitFor(t, "echo off", echoOff)
		if _, err := ptmx.Write([]byte(step.input + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case rc := <-done:
		if rc != 0 {
			t.Fatalf("exit %d; terminal:\n%s", rc, screen)
		}
		// Echo is back on once the code is read.
		if echoOff() {
			t.Error("the terminal was left without echo")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("login did not finish")
	}
	if !strings.Contains(out.String(), "Logged in to "+endpoint+" as sysadmin") {
		t.Errorf("stdout = %s", out)
	}
	notShown(t, screen.String(), emulator.AbiquoTwoFactorPassword, code)
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
			f, _ := a.store()
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
