package cleura

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/cloudtest"
)

// configure runs the cloud's Configure in Go, where its warnings can be
// seen (terraform-plugin-testing does not show them). block holds the
// cleura block's attributes; nil leaves the block out. It returns the
// state and the diagnostics of the provider's Configure.
func configure(t *testing.T, env map[string]string, block map[string]any) *cloud.State {
	t.Helper()
	return cloudtest.Configure(t, Cloud{}, env, block)
}

// sessionOf returns the state's session, or the diagnostics a data source
// would get.
func sessionOf(st *cloud.State) (*session, string) {
	s, diags := cloudtest.Client[*session](Name, st)
	return s, cloudtest.Text(diags)
}

func TestCleuraConfigureWarnsAboutOldStoredToken(t *testing.T) {
	t.Parallel()
	url := "https://rest.cleura.cloud"
	cases := []struct {
		name     string
		age      time.Duration
		password string
		warn     bool
	}{
		{"fresh", time.Hour, "", false},
		{"just under 20 hours", 19*time.Hour + 50*time.Minute, "", false},
		{"older than 20 hours", 21 * time.Hour, "", true},
		// With a password the provider logs in by itself when the API
		// refuses the token, so there is nothing to warn about.
		{"older, with a password", 30 * time.Hour, "pw-for-relogin", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := cloudtest.StoreTokens(t, credstore.Entry{Cloud: "cleura", URL: url, Login: "alice",
				Token: "vahkie7EiDaij7chegaitee2zohsh1oh", StoredAt: time.Now().Add(-tc.age)})
			env := map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_PASSWORD": tc.password}
			st := configure(t, env, nil)
			if st.Diagnostics().HasError() {
				t.Fatal(cloudtest.Text(st.Diagnostics()))
			}
			s, use := sessionOf(st)
			if s == nil || s.token.Origin != cloud.FromFile || s.username != "alice" {
				t.Fatalf("session = %+v, %s", s, use)
			}
			text := cloudtest.Text(st.Diagnostics())
			if got := strings.Contains(text, "[Warning] Stored Cleura Cloud token may have expired"); got != tc.warn {
				t.Fatalf("warning shown = %v, want %v:\n%s", got, tc.warn, text)
			}
			if tc.warn {
				for _, want := range []string{`"alice"`, "stored 21h0m0s ago", filepath.Join(dir, "cloudauth", "credentials.json"),
					"cloudauth login cleura --url https://rest.cleura.cloud --username alice"} {
					if !strings.Contains(text, want) {
						t.Errorf("warning lacks %q:\n%s", want, text)
					}
				}
			}
			if strings.Contains(text, "vahkie7EiDaij7chegaitee2zohsh1oh") {
				t.Errorf("the token is in a diagnostic:\n%s", text)
			}
		})
	}
}

func TestCleuraConfigureOrder(t *testing.T) {
	t.Parallel()
	url := "https://rest.cleura.cloud"
	dir := cloudtest.StoreTokens(t,
		credstore.Entry{Cloud: "cleura", URL: url, Login: "alice", Token: "stored-token-of-alice", StoredAt: time.Now()},
		credstore.Entry{Cloud: "cleura", URL: "https://private.example", Login: "bob", Token: "stored-token-of-bob", StoredAt: time.Now()},
	)
	cases := []struct {
		name       string
		env        map[string]string
		block      map[string]any
		configured bool
		user       string
		origin     cloud.Origin
	}{
		{"nothing anywhere", map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, nil, false, "", cloud.Unset},
		{"the file alone configures the cloud", map[string]string{"XDG_CONFIG_HOME": dir}, nil, true, "alice", cloud.FromFile},
		{"the file's entry for the URL", map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_URL": "https://private.example/"}, nil, true, "bob", cloud.FromFile},
		{"env token before the file", map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_USERNAME": "alice", "CLEURA_API_TOKEN": "env-token"}, nil, true, "alice", cloud.FromEnv},
		{"block token before env", map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_TOKEN": "env-token"},
			map[string]any{"username": "carol", "token": "block-token"}, true, "carol", cloud.FromConfig},
		{"block username picks the file entry", map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_USERNAME": "bob"},
			map[string]any{"username": "ALICE"}, true, "ALICE", cloud.FromFile},
		{"password and no token anywhere", map[string]string{"XDG_CONFIG_HOME": t.TempDir()},
			map[string]any{"username": "dave", "password": "pw"}, true, "dave", cloud.Unset},
		// A password in the block chooses the way to log in: a token in the
		// environment (perhaps another user's) does not override it.
		{"block password beats env token", map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "CLEURA_API_TOKEN": "env-token"},
			map[string]any{"username": "erin", "password": "pw"}, true, "erin", cloud.Unset},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := configure(t, tc.env, tc.block)
			if st.Diagnostics().HasError() {
				t.Fatal(cloudtest.Text(st.Diagnostics()))
			}
			if st.IsConfigured() != tc.configured {
				t.Fatalf("configured = %v", st.IsConfigured())
			}
			if !tc.configured {
				return
			}
			s, use := sessionOf(st)
			if s == nil {
				t.Fatal(use)
			}
			if s.username != tc.user || s.token.Origin != tc.origin {
				t.Errorf("username %q origin %v, want %q %v", s.username, s.token.Origin, tc.user, tc.origin)
			}
		})
	}
}

func TestCleuraConfigureCredentialsFileProblems(t *testing.T) {
	t.Parallel()
	bad := t.TempDir()
	path := filepath.Join(bad, "cloudauth", "credentials.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Without a password the file is needed: an error, reported where
	// the cloud is used since no block is written.
	st := configure(t, map[string]string{"XDG_CONFIG_HOME": bad, "CLEURA_API_USERNAME": "alice"}, nil)
	if st.Diagnostics().HasError() {
		t.Fatalf("an env-only problem stopped Configure: %s", cloudtest.Text(st.Diagnostics()))
	}
	if _, text := sessionOf(st); !strings.Contains(text, "Cannot read the cloudauth credentials file") || !strings.Contains(text, "not a cloudauth credentials file") {
		t.Errorf("use: %s", text)
	}
	// With a password it is only a warning.
	st = configure(t, map[string]string{"XDG_CONFIG_HOME": bad}, map[string]any{"username": "alice", "password": "pw"})
	if text := cloudtest.Text(st.Diagnostics()); st.Diagnostics().HasError() || !strings.Contains(text, "[Warning] Cannot read the cloudauth credentials file") {
		t.Errorf("diags: %s", text)
	}
	if s, use := sessionOf(st); s == nil {
		t.Errorf("use: %s", use)
	}

	// A file other users can read still works, with a warning.
	open := cloudtest.StoreTokens(t, credstore.Entry{Cloud: "cleura", URL: "https://rest.cleura.cloud", Login: "alice", Token: "stored-token-1234", StoredAt: time.Now()})
	if err := os.Chmod(filepath.Join(open, "cloudauth", "credentials.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	st = configure(t, map[string]string{"XDG_CONFIG_HOME": open}, nil)
	if text := cloudtest.Text(st.Diagnostics()); st.Diagnostics().HasError() || !strings.Contains(text, "credentials file is not private") || !strings.Contains(text, "chmod 600") {
		t.Errorf("diags: %s", text)
	}
}

// TestCleuraDiagnosticsNeverEchoSecrets makes each failure for real against
// the emulator and checks the diagnostic: what happened, what to do, and
// no password, token, verification or code.
func TestCleuraDiagnosticsNeverEchoSecrets(t *testing.T) {
	t.Parallel()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	url := srv.URL + "/cleura"
	// A token the API does not accept, as one it revoked or never issued.
	tok := "a-token-the-api-does-not-know-0123"
	b := block.Blank()
	newSession := func(user, password, token string, origin cloud.Origin) *session {
		v := b.Token
		switch origin {
		case cloud.FromEnv:
			v = v.With(token, origin, "CLEURA_API_TOKEN")
		case cloud.FromFile:
			v = v.With(token, origin, "the credentials file")
		}
		from := ""
		if token != "" {
			from = v.From()
		}
		c, err := api.New(api.Config{HTTP: httpx.Config{BaseURL: url, MaxRetries: 0}, Username: user, Password: password, Token: token, TokenOrigin: from})
		if err != nil {
			t.Fatal(err)
		}
		return &session{api: c, username: user, token: v, filePath: "/home/x/.config/cloudauth/credentials.json"}
	}
	cases := []struct {
		name    string
		s       *session
		summary string
		detail  []string
	}{
		{"wrong password", newSession(emulator.CleuraUser, "wrong-password-1234", "", cloud.Unset),
			"Cleura Cloud login failed", []string{"Login failed", "Check `cleura.username` (or CLEURA_API_USERNAME) and `cleura.password`"}},
		{"two-factor account", newSession(emulator.CleuraSMSUser, emulator.CleuraSMSPassword, "", cloud.Unset),
			"Cleura Cloud account needs SMS two-factor authentication", []string{"two-factor authentication (sms)", "`cloudauth login cleura --url " + url}},
		{"revoked env token", newSession(emulator.CleuraSMSUser, "", tok, cloud.FromEnv),
			"Cleura Cloud token no longer accepted", []string{"from CLEURA_API_TOKEN", "set `cleura.token` (or CLEURA_API_TOKEN) to a fresh token"}},
		{"revoked stored token", newSession(emulator.CleuraSMSUser, "", tok, cloud.FromFile),
			"Stored Cleura Cloud token no longer accepted", []string{"from the credentials file", "again to store a new token in /home/x/.config/cloudauth/credentials.json"}},
		{"revoked stored token, wrong password", newSession(emulator.CleuraSMSUser, "wrong-password-1234", tok, cloud.FromFile),
			"Stored Cleura Cloud token no longer accepted", []string{"Login failed", "Check `cleura.password`"}},
		{"no access", newSession(emulator.CleuraLimitedUser, emulator.CleuraLimitedPassword, "", cloud.Unset),
			"No access in Cleura Cloud", []string{"may not list OpenStack domains", "Ask an administrator"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.s.api.Domains(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			d := tc.s.diagnose(err, "read the domains")
			summary, detail := d.Summary(), d.Detail()
			if summary != tc.summary {
				t.Errorf("summary = %q, want %q", summary, tc.summary)
			}
			for _, want := range tc.detail {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q:\n%s", want, detail)
				}
			}
			for _, secret := range append([]string{tok, "wrong-password-1234", emulator.CleuraPassword, emulator.CleuraSMSPassword, emulator.CleuraLimitedPassword},
				e.IssuedTokens("cleura")...) {
				if strings.Contains(summary+detail, secret) {
					t.Errorf("a secret is in the diagnostic:\n%s", detail)
				}
			}
		})
	}
	// An error the mapping does not know keeps a stable title and the
	// error's text.
	d := newSession(emulator.CleuraUser, "pw-unused", "", cloud.Unset).diagnose(errors.New("boom"), "read the domains")
	if summary, detail := d.Summary(), d.Detail(); summary != "Cannot read the domains in Cleura Cloud" || detail != "boom" {
		t.Errorf("%q %q", summary, detail)
	}
}

func TestCleuraConfigureWithoutHomeIsQuiet(t *testing.T) {
	t.Parallel()
	st := configure(t, map[string]string{}, map[string]any{"username": "alice", "password": "pw"})
	if len(st.Diagnostics()) != 0 {
		t.Errorf("diagnostics without HOME: %s", cloudtest.Text(st.Diagnostics()))
	}
}

func TestCleuraConfigureStoredTokenOfAnotherURL(t *testing.T) {
	t.Parallel()
	dir := cloudtest.StoreTokens(t, credstore.Entry{Cloud: "cleura", URL: "https://rest.compliant.cleura.cloud", Login: "alice", Token: "stored-token-1234", StoredAt: time.Now()})
	st := configure(t, map[string]string{"XDG_CONFIG_HOME": dir}, nil)
	if st.Diagnostics().HasError() || !st.IsConfigured() {
		t.Fatalf("configured=%v %s", st.IsConfigured(), cloudtest.Text(st.Diagnostics()))
	}
	_, text := sessionOf(st)
	// Nothing was set: the message is about the URL, and claims no
	// environment variable.
	for _, want := range []string{"No stored Cleura Cloud token for https://rest.cleura.cloud", "tokens for https://rest.compliant.cleura.cloud only", "CLEURA_API_URL"} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q: %s", want, text)
		}
	}
	for _, unwanted := range []string{"Missing cleura.username", "came from"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("says %q though nothing was set: %s", unwanted, text)
		}
	}
}
