package main

import (
	"bytes"
	"path/filepath"
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
	f, err := a.store()
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
	for _, args := range [][]string{nil, {"login"}, {"login", "nowhere"}, {"frobnicate"}} {
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
