package credstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultPath(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/cloudauth/credentials.json"},
		{map[string]string{"HOME": "/h"}, "/h/.config/cloudauth/credentials.json"},
		{map[string]string{"CLOUDAUTH_CREDENTIALS_FILE": "/c.json", "HOME": "/h"}, "/c.json"},
	}
	for _, tc := range cases {
		got, err := DefaultPath(env(tc.env))
		if err != nil || got != tc.want {
			t.Errorf("%v: got %q, %v", tc.env, got, err)
		}
	}
	if _, err := DefaultPath(env(nil)); err == nil {
		t.Error("want an error without HOME")
	}
}

func TestSaveLoadFindRemove(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cfg", "cloudauth", "credentials.json")
	f, err := Load(path)
	if err != nil || len(f.Entries) != 0 {
		t.Fatalf("missing file: %v %v", f, err)
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	f.Put(Entry{Cloud: "cleura", URL: "https://rest.cleura.cloud/", Login: "alice", Token: "t1", StoredAt: now})
	f.Put(Entry{Cloud: "cleura", URL: "https://rest.cleura.cloud", Login: "bob", Token: "t2", StoredAt: now})
	f.Put(Entry{Cloud: "cleura", URL: "https://rest.cleura.cloud", Login: "ALICE", Token: "t3", StoredAt: now})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v", st.Mode(), err)
	}
	dst, _ := os.Stat(filepath.Dir(path))
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %v", dst.Mode())
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".credentials-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	g, err := Load(path)
	if err != nil || g.TooOpen {
		t.Fatal(err, g.TooOpen)
	}
	if len(g.Entries) != 2 {
		t.Fatalf("entries = %+v (alice was replaced, not added)", g.Entries)
	}
	if e, ok := g.Find("cleura", "https://rest.cleura.cloud", "alice"); !ok || e.Token != "t3" {
		t.Errorf("find alice = %+v %v", e, ok)
	}
	if _, ok := g.Find("cleura", "https://rest.cleura.cloud", ""); ok {
		t.Error("an empty login must not pick one of two entries")
	}
	if got := g.Logins("cleura", "https://rest.cleura.cloud/"); len(got) != 2 || got[0] != "ALICE" || got[1] != "bob" {
		t.Errorf("Logins = %v", got)
	}
	if !g.Has("cleura") || g.Has("abiquo") {
		t.Error("Has is wrong")
	}
	if gone := g.Remove("cleura", "https://rest.cleura.cloud", "bob"); len(gone) != 1 {
		t.Errorf("removed %v", gone)
	}
	if e, ok := g.Find("cleura", "https://rest.cleura.cloud", ""); !ok || e.Login != "ALICE" {
		t.Errorf("the only entry should be found without a login: %+v", e)
	}
	if _, ok := g.Find("abiquo", "https://rest.cleura.cloud", "ALICE"); ok {
		t.Error("found an entry of another cloud")
	}
}

func TestLoadFlagsOpenFileAndRejectsGarbage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := filepath.Join(dir, "open.json")
	if err := os.WriteFile(open, []byte(`{"version":1,"entries":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(open)
	if err != nil || !f.TooOpen {
		t.Fatalf("TooOpen = %v, err = %v", f.TooOpen, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`not json`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "not a cloudauth credentials file") {
		t.Fatalf("err = %v", err)
	}
}

func TestOAuth1Entries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A file written before OAuth 1.0a entries existed reads as before.
	old := filepath.Join(dir, "old.json")
	const before = `{"version":1,"entries":[{"cloud":"abiquo","url":"https://abq.example.com/api","login":"bob",` +
		`"token":"tok-0123456789","stored_at":"2026-11-22T11:00:00Z","expires_at":"2026-11-22T11:30:00Z"}]}`
	if err := os.WriteFile(old, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(old)
	if err != nil {
		t.Fatal(err)
	}
	e, ok := f.Find("abiquo", "https://abq.example.com/api", "bob")
	if !ok || e.Token != "tok-0123456789" || e.ExpiresAt == nil || e.OAuth1 != nil {
		t.Fatalf("old entry = %+v", e)
	}
	// Saved again without OAuth, the file has no oauth1 key.
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(old); strings.Contains(string(b), "oauth1") {
		t.Errorf("an entry without OAuth wrote an oauth1 key:\n%s", b)
	}

	// An OAuth entry replaces the token entry of the same user and
	// round-trips all four values.
	creds := OAuth1{ConsumerKey: "ck-1", ConsumerSecret: "cs-2", AccessToken: "at-3", AccessTokenSecret: "as-4"}
	f.Put(Entry{Cloud: "abiquo", URL: "https://abq.example.com/api/", Login: "BOB", StoredAt: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), OAuth1: &creds})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	g, err := Load(old)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Entries) != 1 || g.Entries[0].OAuth1 == nil || *g.Entries[0].OAuth1 != creds ||
		g.Entries[0].Token != "" || g.Entries[0].ExpiresAt != nil {
		t.Fatalf("entries = %+v", g.Entries)
	}
}
