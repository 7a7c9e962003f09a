package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
)

// testApp runs commands with a private credentials file and the given input.
func testApp(t *testing.T, stdin string) (*app, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}
	var out, errb bytes.Buffer
	return &app{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return env[k] },
		now:    func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) },
	}, &out, &errb
}

func TestStatusNeverShowsTokens(t *testing.T) {
	t.Parallel()
	a, out, _ := testApp(t, "")
	if code := a.run([]string{"status"}); code != 0 || !strings.Contains(out.String(), "no stored tokens") {
		t.Fatalf("code=%d out=%s", code, out)
	}
	f, err := a.load()
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2026, 11, 22, 11, 30, 0, 0, time.UTC)
	f.Put(credstore.Entry{Cloud: "cleura", URL: "https://rest.cleura.cloud", Login: "alice",
		Token: "vahkie7EiDaij7chegaitee2zohsh1oh", StoredAt: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)})
	f.Put(credstore.Entry{Cloud: "abiquo", URL: "https://abq.example/api", Login: "bob",
		Token: "YWRtaW46MTQ0MzcxMDM3NDgxMw", StoredAt: time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC), ExpiresAt: &exp})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := a.run([]string{"status"}); code != 0 {
		t.Fatalf("code = %d", code)
	}
	s := out.String()
	for _, want := range []string{"cleura", "alice", "3h0m0s", "abiquo", "bob", "(expired)", filepath.Join("cloudauth", "credentials.json")} {
		if !strings.Contains(s, want) {
			t.Errorf("status lacks %q:\n%s", want, s)
		}
	}
	for _, secret := range []string{"vahkie7EiDaij7chegaitee2zohsh1oh", "YWRtaW46MTQ0MzcxMDM3NDgxMw"} {
		if strings.Contains(s, secret) {
			t.Errorf("status shows a token:\n%s", s)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"login"}, {"login", "nowhere"}, {"frobnicate"}, {"version", "now"}} {
		a, _, errb := testApp(t, "")
		if code := a.run(args); code != 2 || !strings.Contains(errb.String(), "usage:") {
			t.Errorf("%v: code=%d stderr=%s", args, code, errb)
		}
	}
}

func TestLineInput(t *testing.T) {
	t.Parallel()
	a, _, errb := testApp(t, "first\r\nsecret\n")
	v, err := a.prompt("Login: ")
	if err != nil || v != "first" {
		t.Fatalf("%q %v", v, err)
	}
	v, err = a.promptSecret("Password: ")
	if err != nil || v != "secret" {
		t.Fatalf("%q %v", v, err)
	}
	if _, err := a.prompt("More: "); err == nil {
		t.Fatal("want an error at end of input")
	}
	if !strings.Contains(errb.String(), "Password: ") {
		t.Errorf("prompts go to stderr: %q", errb)
	}
}

// Every command and subcommand answers -h, --help and help with its usage
// and exit code 0, and changes nothing.
func TestHelp(t *testing.T) {
	t.Parallel()
	// forms are the ways to ask for a command's usage.
	forms := func(cmd ...string) [][]string {
		out := [][]string{append([]string{"help"}, cmd...)}
		for _, h := range []string{"-h", "--help", "-help", "help"} {
			out = append(out, append(slices.Clone(cmd), h))
		}
		return out
	}
	cases := []struct {
		cmd  []string
		want string
	}{
		{nil, "cloudauth logout <cloud> [flags]   revoke the stored token"},
		{[]string{"status"}, "usage: cloudauth status\n"},
		{[]string{"login"}, "usage: cloudauth login <cloud> [flags]"},
		{[]string{"logout"}, "usage: cloudauth logout <cloud> [flags]"},
		{[]string{"login", "cleura"}, "usage: cloudauth login cleura [flags]"},
		{[]string{"logout", "cleura"}, "usage: cloudauth logout cleura [flags]"},
		{[]string{"login", "abiquo"}, "usage: cloudauth login abiquo [flags]"},
		{[]string{"logout", "abiquo"}, "usage: cloudauth logout abiquo [flags]"},
		{[]string{"version"}, "usage: cloudauth version\n"},
	}
	for _, tc := range cases {
		for _, args := range forms(tc.cmd...) {
			a, out, errb := testApp(t, "")
			if rc := a.run(args); rc != 0 || !strings.Contains(errb.String(), tc.want) || out.Len() != 0 {
				t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", args, rc, out, errb)
			}
			if strings.Contains(errb.String(), "unknown") || strings.Contains(errb.String(), "unexpected") {
				t.Errorf("%v: %s", args, errb)
			}
			if _, err := os.Stat(storedPath(t, a)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%v wrote the credentials file: %v", args, err)
			}
		}
	}
	for _, args := range [][]string{{"help"}, {"help", "help"}, {"help", "-h"}} {
		a, _, errb := testApp(t, "")
		if rc := a.run(args); rc != 0 || !strings.Contains(errb.String(), "cloudauth status                   list stored tokens") {
			t.Errorf("%v: exit %d: %s", args, rc, errb)
		}
	}
	for _, lists := range []string{"login", "logout"} {
		a, _, errb := testApp(t, "")
		if a.run([]string{lists, "-h"}); !strings.Contains(errb.String(), "clouds: abiquo, cleura") {
			t.Errorf("%s -h does not list the clouds: %s", lists, errb)
		}
	}
}

func TestUsageErrorsOfStatusAndHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"status", "extra"}, {"help", "frobnicate"}, {"help", "login", "nowhere"}} {
		a, _, errb := testApp(t, "")
		if code := a.run(args); code != 2 || !strings.Contains(errb.String(), "usage:") {
			t.Errorf("%v: code=%d stderr=%s", args, code, errb)
		}
	}
}

// status only reads: a file others can read gets the warning that says
// what to do, and stays as it is. A command that writes the file writes
// it private, and says so.
func TestOpenFile(t *testing.T) {
	t.Parallel()
	a, out, errb := testApp(t, "")
	path := storedPath(t, a)
	f, err := credstore.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Put(credstore.Entry{Cloud: "abiquo", URL: "https://abq.example/api", Login: "bob", Token: "token-of-bob-0123", StoredAt: a.now()})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	open, err := credstore.Load(path)
	if err != nil || open.Warning() == "" {
		t.Fatalf("no warning for an open file: %v", err)
	}
	if rc := a.run([]string{"status"}); rc != 0 || !strings.Contains(out.String(), "bob") {
		t.Fatalf("status: exit %d: %s%s", rc, out, errb)
	}
	if want := "warning: " + open.Warning() + "\n"; errb.String() != want {
		t.Errorf("status stderr = %q, want %q", errb, want)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("status changed the file: %v %v", st.Mode(), err)
	}

	errb.Reset()
	out.Reset()
	if rc := a.run([]string{"logout", "abiquo"}); rc != 0 {
		t.Fatalf("logout: exit %d: %s", rc, errb)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("after logout the file is %v (%v), want 0600", st.Mode(), err)
	}
	if want := "note: other users could read " + path + "; it is now written with mode 0600.\n"; errb.String() != want {
		t.Errorf("logout stderr = %q, want %q", errb, want)
	}
}

// A directory others can change gets a warning from every command, as
// the provider gives it: rewriting the file does not help.
func TestOpenDirectory(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no mode checks on Windows")
	}
	a, _, errb := testApp(t, "")
	path := storedPath(t, a)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	f, err := credstore.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Put(credstore.Entry{Cloud: "abiquo", URL: "https://abq.example/api", Login: "bob", Token: "token-of-bob-0123", StoredAt: a.now()})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	want := "warning: " + f.Warning() + "\n"
	if !strings.Contains(want, "Run `chmod go-w "+filepath.Dir(path)) {
		t.Fatalf("warning: %q", want)
	}
	for _, args := range [][]string{{"status"}, {"logout", "abiquo"}} {
		errb.Reset()
		if rc := a.run(args); rc != 0 || errb.String() != want {
			t.Errorf("%v: exit %d, stderr %q, want %q", args, rc, errb, want)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"version", "--version", "-version"} {
		a, out, errb := testApp(t, "")
		if rc := a.run([]string{arg}); rc != 0 || out.String() != "cloudauth "+buildVersion()+"\n" || errb.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", arg, rc, out, errb)
		}
	}
}
