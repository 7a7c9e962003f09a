package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// configure runs the provider's Configure in Go, where its warnings can be
// seen (terraform-plugin-testing does not show them). block holds the
// cleura block's string attributes; nil leaves the block out.
func configure(t *testing.T, env map[string]string, block map[string]string) (*providerData, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	p := New("test", WithEnv(env))()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	if block != nil {
		bt := typ.AttributeTypes["cleura"].(tftypes.Object)
		attrs := map[string]tftypes.Value{}
		for name, at := range bt.AttributeTypes {
			if v, ok := block[name]; ok {
				attrs[name] = tftypes.NewValue(tftypes.String, v)
			} else {
				attrs[name] = tftypes.NewValue(at, nil)
			}
		}
		vals["cleura"] = tftypes.NewValue(bt, attrs)
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}}, &resp)
	data, _ := resp.DataSourceData.(*providerData)
	return data, resp.Diagnostics
}

func diagText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "[%s] %s: %s\n", d.Severity(), d.Summary(), d.Detail())
	}
	return b.String()
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
			dir := storeTokens(t, credstore.Entry{Cloud: "cleura", URL: url, Login: "alice",
				Token: "vahkie7EiDaij7chegaitee2zohsh1oh", StoredAt: time.Now().Add(-tc.age)})
			env := map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_PASSWORD": tc.password}
			data, diags := configure(t, env, nil)
			if diags.HasError() {
				t.Fatal(diagText(diags))
			}
			s, use := data.cleura.use("test")
			if use.HasError() || s.origin != tokenFile || s.username != "alice" {
				t.Fatalf("session = %+v, %s", s, diagText(use))
			}
			text := diagText(diags)
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
	dir := storeTokens(t,
		credstore.Entry{Cloud: "cleura", URL: url, Login: "alice", Token: "stored-token-of-alice", StoredAt: time.Now()},
		credstore.Entry{Cloud: "cleura", URL: "https://private.example", Login: "bob", Token: "stored-token-of-bob", StoredAt: time.Now()},
	)
	cases := []struct {
		name       string
		env        map[string]string
		block      map[string]string
		configured bool
		user       string
		origin     tokenOrigin
	}{
		{"nothing anywhere", map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, nil, false, "", tokenNone},
		{"the file alone configures the cloud", map[string]string{"XDG_CONFIG_HOME": dir}, nil, true, "alice", tokenFile},
		{"the file's entry for the URL", map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_URL": "https://private.example/"}, nil, true, "bob", tokenFile},
		{"env token before the file", map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_USERNAME": "alice", "CLEURA_API_TOKEN": "env-token"}, nil, true, "alice", tokenEnv},
		{"block token before env", map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_TOKEN": "env-token"},
			map[string]string{"username": "carol", "token": "block-token"}, true, "carol", tokenConfig},
		{"block username picks the file entry", map[string]string{"XDG_CONFIG_HOME": dir, "CLEURA_API_USERNAME": "bob"},
			map[string]string{"username": "ALICE"}, true, "ALICE", tokenFile},
		{"password and no token anywhere", map[string]string{"XDG_CONFIG_HOME": t.TempDir()},
			map[string]string{"username": "dave", "password": "pw"}, true, "dave", tokenNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data, diags := configure(t, tc.env, tc.block)
			if diags.HasError() {
				t.Fatal(diagText(diags))
			}
			if data.cleura.configured != tc.configured {
				t.Fatalf("configured = %v", data.cleura.configured)
			}
			if !tc.configured {
				return
			}
			s, use := data.cleura.use("test")
			if use.HasError() {
				t.Fatal(diagText(use))
			}
			if s.username != tc.user || s.origin != tc.origin {
				t.Errorf("username %q origin %v, want %q %v", s.username, s.origin, tc.user, tc.origin)
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
	data, diags := configure(t, map[string]string{"XDG_CONFIG_HOME": bad, "CLEURA_API_USERNAME": "alice"}, nil)
	if diags.HasError() {
		t.Fatalf("an env-only problem stopped Configure: %s", diagText(diags))
	}
	_, use := data.cleura.use("test")
	if text := diagText(use); !strings.Contains(text, "Cannot read the cloudauth credentials file") || !strings.Contains(text, "not a cloudauth credentials file") {
		t.Errorf("use: %s", text)
	}
	// With a password it is only a warning.
	data, diags = configure(t, map[string]string{"XDG_CONFIG_HOME": bad}, map[string]string{"username": "alice", "password": "pw"})
	if diags.HasError() || !strings.Contains(diagText(diags), "[Warning] Cannot read the cloudauth credentials file") {
		t.Errorf("diags: %s", diagText(diags))
	}
	if _, use := data.cleura.use("test"); use.HasError() {
		t.Errorf("use: %s", diagText(use))
	}

	// A file other users can read still works, with a warning.
	open := storeTokens(t, credstore.Entry{Cloud: "cleura", URL: "https://rest.cleura.cloud", Login: "alice", Token: "stored-token-1234", StoredAt: time.Now()})
	if err := os.Chmod(filepath.Join(open, "cloudauth", "credentials.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags = configure(t, map[string]string{"XDG_CONFIG_HOME": open}, nil)
	if text := diagText(diags); diags.HasError() || !strings.Contains(text, "readable by others") || !strings.Contains(text, "chmod 600") {
		t.Errorf("diags: %s", text)
	}
}

// TestCleuraDiagnosticsNeverEchoSecrets makes each failure for real against
// the emulator and checks the diagnostic: what happened, what to do, and
// no password, token, verification or code.
func TestCleuraDiagnosticsNeverEchoSecrets(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	url := e.URL + "/cleura"
	tok := e.smsToken(t)
	e.RevokeAll("cleura")
	session := func(user, password, token string, origin tokenOrigin) *cleuraSession {
		c, err := cleura.New(cleura.Config{HTTP: httpx.Config{BaseURL: url, MaxRetries: 0}, Username: user, Password: password, Token: token,
			TokenOrigin: map[tokenOrigin]string{tokenEnv: "CLEURA_API_TOKEN", tokenFile: "the credentials file"}[origin]})
		if err != nil {
			t.Fatal(err)
		}
		return &cleuraSession{api: c, username: user, origin: origin, filePath: "/home/x/.config/cloudauth/credentials.json"}
	}
	cases := []struct {
		name    string
		s       *cleuraSession
		summary string
		detail  []string
	}{
		{"wrong password", session(emulator.CleuraUser, "wrong-password-1234", "", tokenNone),
			"Cleura Cloud login failed", []string{"Login failed", "Check `cleura.username` and `cleura.password`"}},
		{"two-factor account", session(emulator.CleuraSMSUser, emulator.CleuraSMSPassword, "", tokenNone),
			"Cleura Cloud account needs SMS two-factor authentication", []string{"two-factor authentication (sms)", "`cloudauth login cleura --url " + url}},
		{"revoked env token", session(emulator.CleuraSMSUser, "", tok, tokenEnv),
			"Cleura Cloud token no longer accepted", []string{"from CLEURA_API_TOKEN", "set `cleura.token` (or CLEURA_API_TOKEN) to a fresh token"}},
		{"revoked stored token", session(emulator.CleuraSMSUser, "", tok, tokenFile),
			"Stored Cleura Cloud token no longer accepted", []string{"from the credentials file", "again to store a new token in /home/x/.config/cloudauth/credentials.json"}},
		{"revoked stored token, wrong password", session(emulator.CleuraSMSUser, "wrong-password-1234", tok, tokenFile),
			"Stored Cleura Cloud token no longer accepted", []string{"Login failed", "Check `cleura.password`"}},
		{"no access", session(emulator.CleuraLimitedUser, emulator.CleuraLimitedPassword, "", tokenNone),
			"No access in Cleura Cloud", []string{"may not list OpenStack domains", "Ask an administrator"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.s.api.Domains(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			summary, detail := tc.s.diagnose(err, "read the domains")
			if summary != tc.summary {
				t.Errorf("summary = %q, want %q", summary, tc.summary)
			}
			for _, want := range tc.detail {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q:\n%s", want, detail)
				}
			}
			for _, secret := range append([]string{"wrong-password-1234", emulator.CleuraPassword, emulator.CleuraSMSPassword, emulator.CleuraLimitedPassword},
				e.IssuedTokens("cleura")...) {
				if strings.Contains(summary+detail, secret) {
					t.Errorf("a secret is in the diagnostic:\n%s", detail)
				}
			}
		})
	}
	// An error the mapping does not know keeps a stable title and the
	// error's text.
	summary, detail := session(emulator.CleuraUser, "pw-unused", "", tokenNone).diagnose(errors.New("boom"), "read the domains")
	if summary != "Cannot read the domains in Cleura Cloud" || detail != "boom" {
		t.Errorf("%q %q", summary, detail)
	}
}

// BenchmarkCleuraDomains1000 decodes an answer of 1,000 domains and builds
// the data source's state from it, as one read does.
func BenchmarkCleuraDomains1000(b *testing.B) {
	ctx := context.Background()
	yes := true
	type region struct {
		ZoneID string `json:"zone_id"`
		Name   string `json:"name"`
		Status string `json:"status"`
		Region string `json:"region"`
	}
	type entry struct {
		Area struct {
			ID      string   `json:"id"`
			Name    string   `json:"name"`
			Tag     string   `json:"tag"`
			Regions []region `json:"regions"`
		} `json:"area"`
		ID      string `json:"id,omitempty"`
		Status  string `json:"status"`
		Name    string `json:"name,omitempty"`
		Enabled *bool  `json:"enabled,omitempty"`
	}
	list := make([]entry, 1000)
	for i := range list {
		e := &list[i]
		e.Area.ID, e.Area.Name, e.Area.Tag = fmt.Sprint(i), fmt.Sprintf("Area %d / Somewhere", i), fmt.Sprintf("A%d", i)
		e.Area.Regions = []region{{fmt.Sprint(i), fmt.Sprintf("City %d / Country", i), "active", fmt.Sprintf("Reg%d", i)}}
		e.Status = "available"
		if i%3 != 0 {
			e.ID, e.Status, e.Name, e.Enabled = fmt.Sprintf("%032x", i), "provisioned", "CCP_Domain_43597", &yes
		}
	}
	body, err := json.Marshal(list)
	if err != nil {
		b.Fatal(err)
	}
	body = []byte(strings.ReplaceAll(string(body), "/", `\/`))

	var sresp datasource.SchemaResponse
	newCleuraDomainsDataSource().Schema(ctx, datasource.SchemaRequest{}, &sresp)
	decode := func(b *testing.B) []cleura.Domain {
		domains, err := cleura.DecodeDomains(body)
		if err != nil || len(domains) != 1000 {
			b.Fatal(len(domains), err)
		}
		return domains
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			decode(b)
		}
	})
	b.Run("decode+state", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var m cleuraDomainsModel
			m.Status, m.AreaTag = optString(""), optString("")
			var diags diag.Diagnostics
			if m.Domains, m.Regions, diags = cleuraDomainValues(decode(b)); diags.HasError() {
				b.Fatal(diags)
			}
			state := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
			if diags := state.Set(ctx, &m); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
}

func TestCleuraConfigureWithoutHomeIsQuiet(t *testing.T) {
	t.Parallel()
	_, diags := configure(t, map[string]string{}, map[string]string{"username": "alice", "password": "pw"})
	if len(diags) != 0 {
		t.Errorf("diagnostics without HOME: %s", diagText(diags))
	}
}

func TestCleuraConfigureStoredTokenOfAnotherURL(t *testing.T) {
	t.Parallel()
	dir := storeTokens(t, credstore.Entry{Cloud: "cleura", URL: "https://rest.compliant.cleura.cloud", Login: "alice", Token: "stored-token-1234", StoredAt: time.Now()})
	data, diags := configure(t, map[string]string{"XDG_CONFIG_HOME": dir}, nil)
	if diags.HasError() || !data.cleura.configured {
		t.Fatalf("configured=%v %s", data.cleura.configured, diagText(diags))
	}
	_, use := data.cleura.use("test")
	text := diagText(use)
	for _, want := range []string{"Missing cleura.username", "tokens for https://rest.compliant.cleura.cloud only", "CLEURA_API_URL"} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q: %s", want, text)
		}
	}
}
