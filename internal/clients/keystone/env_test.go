package keystone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// What each hand-off removes from the user's shell, written out rather
// than taken from the package, so that a change to the lists shows here.
var (
	// Next to OS_AUTH_TYPE=v3token, keystoneauth refuses every login
	// setting but the token's, and a scope other than the token's would
	// change it.
	unsetForToken = []string{"OS_CLOUD", "OS_USERNAME", "OS_USER_ID", "OS_PASSWORD", "OS_USER_DOMAIN_NAME", "OS_USER_DOMAIN_ID",
		"OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_NAME", "OS_APPLICATION_CREDENTIAL_SECRET", "OS_PASSCODE",
		"OS_TOTP_SECRET", "OS_AUTH_TOKEN", "OS_PROJECT_NAME", "OS_TENANT_NAME", "OS_TENANT_ID", "OS_PROJECT_DOMAIN_NAME",
		"OS_PROJECT_DOMAIN_ID", "OS_DOMAIN_NAME", "OS_PROJECT_ID", "OS_DOMAIN_ID", "OS_SYSTEM_SCOPE"}
	// Keystone refuses any scope next to an application credential, and
	// keystoneauth's v3applicationcredential plugin a token or passcode.
	unsetScopes = []string{"OS_PROJECT_NAME", "OS_TENANT_NAME", "OS_TENANT_ID", "OS_PROJECT_DOMAIN_NAME", "OS_PROJECT_DOMAIN_ID",
		"OS_DOMAIN_NAME", "OS_PROJECT_ID", "OS_DOMAIN_ID", "OS_SYSTEM_SCOPE"}
	unsetForAppCred = slices.Concat([]string{"OS_TOKEN", "OS_AUTH_TOKEN", "OS_PASSCODE", "OS_TOTP_SECRET"}, unsetScopes)
)

func without(list []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return slices.Contains(drop, s) })
}

// TestCredentialEnv checks how a login is handed to the openstack CLI:
// a password token with its scope (project, domain or system) and every
// other login setting unset; an application credential, whose token
// Keystone does not re-issue, as the variables it came in or the
// clouds.yaml entry that holds it, with a note. Then it does with the
// variables what the CLI does (a token re-issued with the scope, or an
// application credential login) against the emulator.
func TestCredentialEnv(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	demo := func(c keystone.Config) keystone.Config {
		c.AuthURL = f.URL
		c.UserName, c.UserDomainName, c.Password = emulator.KeystoneUser, emulator.KeystoneDomainName, emulator.KeystonePassword
		return c
	}
	withHandoff := func(c keystone.Config, h keystone.Handoff) keystone.Config { c.Handoff = h; return c }
	fromEnv := keystone.Handoff{From: keystone.CredentialsFromEnv}
	fromCloud := keystone.Handoff{From: keystone.CredentialsFromCloud, Cloud: "emu", CloudsFile: "/home/me/.config/openstack/clouds.yaml",
		SecureFile: "/home/me/.config/openstack/secure.yaml"}
	const token = "\x00token" // stands for the token issued
	type kv = [2]string
	for _, tc := range []struct {
		name string
		cfg  keystone.Config
		// set is what is exported, in order; unset what is removed.
		set   []kv
		unset []string
		// note is a part of the note; "" for none.
		note string
		// cli is how the openstack CLI logs in with the variables:
		// "v3token" or "v3applicationcredential"; "" for not at all
		// (clouds.yaml).
		cli string
	}{
		{name: "project scope", cfg: demo(keystone.Config{ProjectID: emulator.KeystoneOtherProjectID}),
			set:   []kv{{"OS_AUTH_TYPE", "v3token"}, {"OS_AUTH_URL", f.URL}, {"OS_TOKEN", token}, {"OS_PROJECT_ID", emulator.KeystoneOtherProjectID}},
			unset: without(unsetForToken, "OS_PROJECT_ID"), cli: "v3token"},
		{name: "domain scope, region and interface", cfg: demo(keystone.Config{DomainName: emulator.KeystoneDomainName, Region: emulator.KeystoneRegion, Interface: "internal"}),
			set: []kv{{"OS_AUTH_TYPE", "v3token"}, {"OS_AUTH_URL", f.URL}, {"OS_TOKEN", token}, {"OS_DOMAIN_ID", emulator.KeystoneDomainID},
				{"OS_REGION_NAME", emulator.KeystoneRegion}, {"OS_INTERFACE", "internal"}},
			unset: without(unsetForToken, "OS_DOMAIN_ID"), cli: "v3token"},
		{name: "system scope", cfg: demo(keystone.Config{SystemScope: "all"}),
			set:   []kv{{"OS_AUTH_TYPE", "v3token"}, {"OS_AUTH_URL", f.URL}, {"OS_TOKEN", token}, {"OS_SYSTEM_SCOPE", "all"}},
			unset: without(unsetForToken, "OS_SYSTEM_SCOPE"), cli: "v3token"},
		{name: "unscoped", cfg: demo(keystone.Config{}),
			set:   []kv{{"OS_AUTH_TYPE", "v3token"}, {"OS_AUTH_URL", f.URL}, {"OS_TOKEN", token}},
			unset: unsetForToken, cli: "v3token"},
		{name: "password from a clouds.yaml entry with TLS settings", cfg: withHandoff(demo(keystone.Config{ProjectID: emulator.KeystoneProjectID}),
			keystone.Handoff{Cloud: "emu", CloudsFile: "/etc/openstack/clouds.yaml", CloudTLS: true}),
			set:   []kv{{"OS_AUTH_TYPE", "v3token"}, {"OS_AUTH_URL", f.URL}, {"OS_TOKEN", token}, {"OS_PROJECT_ID", emulator.KeystoneProjectID}},
			unset: without(unsetForToken, "OS_PROJECT_ID"), note: `TLS settings of clouds.yaml entry "emu"`, cli: "v3token"},
		{name: "application credential by id from the environment", cfg: withHandoff(appCred(f.URL), fromEnv),
			set: []kv{{"OS_AUTH_TYPE", "v3applicationcredential"}, {"OS_AUTH_URL", f.URL}, {"OS_APPLICATION_CREDENTIAL_ID", emulator.KeystoneAppCredID},
				{"OS_APPLICATION_CREDENTIAL_SECRET", emulator.KeystoneAppCredSecret}},
			unset: slices.Concat([]string{"OS_CLOUD"}, unsetForAppCred, []string{"OS_APPLICATION_CREDENTIAL_NAME"}),
			note:  "log in with the application credential itself", cli: "v3applicationcredential"},
		{name: "application credential by name from the environment", cfg: withHandoff(keystone.Config{AuthURL: f.URL, ApplicationCredentialName: emulator.KeystoneAppCredName,
			ApplicationCredentialSecret: emulator.KeystoneAppCredSecret, UserName: emulator.KeystoneUser, DefaultDomain: emulator.KeystoneDomainID, Region: emulator.KeystoneOtherRegion}, fromEnv),
			set: []kv{{"OS_AUTH_TYPE", "v3applicationcredential"}, {"OS_AUTH_URL", f.URL}, {"OS_APPLICATION_CREDENTIAL_NAME", emulator.KeystoneAppCredName},
				{"OS_USERNAME", emulator.KeystoneUser}, {"OS_USER_DOMAIN_ID", emulator.KeystoneDomainID},
				{"OS_APPLICATION_CREDENTIAL_SECRET", emulator.KeystoneAppCredSecret}, {"OS_REGION_NAME", emulator.KeystoneOtherRegion}},
			unset: slices.Concat([]string{"OS_CLOUD"}, unsetForAppCred, []string{"OS_APPLICATION_CREDENTIAL_ID", "OS_USER_ID", "OS_USER_DOMAIN_NAME"}),
			note:  "OS_APPLICATION_CREDENTIAL_NAME, the user and OS_APPLICATION_CREDENTIAL_SECRET you set", cli: "v3applicationcredential"},
		{name: "application credential from clouds.yaml", cfg: withHandoff(func() keystone.Config {
			c := appCred(f.URL)
			c.Region = emulator.KeystoneRegion
			return c
		}(), fromCloud),
			set: []kv{{"OS_AUTH_TYPE", "v3applicationcredential"}, {"OS_CLOUD", "emu"}, {"OS_CLIENT_CONFIG_FILE", fromCloud.CloudsFile},
				{"OS_CLIENT_SECURE_FILE", fromCloud.SecureFile}, {"OS_REGION_NAME", emulator.KeystoneRegion}},
			unset: unsetForAppCred, note: `clouds.yaml entry "emu" (OS_CLOUD)`},
		{name: "application credential from the provider configuration", cfg: appCred(f.URL),
			set:   []kv{{"OS_AUTH_TYPE", "v3token"}, {"OS_AUTH_URL", f.URL}, {"OS_TOKEN", token}, {"OS_PROJECT_ID", emulator.KeystoneProjectID}},
			unset: without(unsetForToken, "OS_PROJECT_ID"), note: "the openstack CLI cannot use these variables"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := newClient(t, tc.cfg).Credential(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var set []kv
			var unset []string
			for _, v := range c.Env {
				if v.Unset {
					unset = append(unset, v.Name)
					if v.Value != "" || v.Secret {
						t.Errorf("%s is unset with a value %q or as a secret", v.Name, v.Value)
					}
					continue
				}
				value := v.Value
				if value == c.Token {
					value = token
				}
				set = append(set, kv{v.Name, value})
				// Only the secret the user gave in this variable comes
				// back, and is marked so that no cache keeps it.
				if secret := v.Value == emulator.KeystoneAppCredSecret; secret != v.Secret || (secret && tc.cfg.Handoff.From != keystone.CredentialsFromEnv) {
					t.Errorf("%s: secret %v, marked %v, from %v", v.Name, secret, v.Secret, tc.cfg.Handoff.From)
				}
				if v.Value == emulator.KeystonePassword {
					t.Errorf("%s holds the password", v.Name)
				}
				if slices.Contains(unset, v.Name) {
					t.Errorf("%s is both unset and set", v.Name)
				}
			}
			if !slices.Equal(set, tc.set) {
				t.Errorf("set %v\nwant %v", set, tc.set)
			}
			if slices.Sort(unset); !slices.Equal(unset, slices.Sorted(slices.Values(tc.unset))) {
				t.Errorf("unset %v\nwant %v", unset, slices.Sorted(slices.Values(tc.unset)))
			}
			if (c.EnvNote == "") != (tc.note == "") || !strings.Contains(c.EnvNote, tc.note) {
				t.Errorf("note %q, want one with %q", c.EnvNote, tc.note)
			}
			if strings.Contains(c.EnvNote, emulator.KeystoneAppCredSecret) || strings.Contains(c.EnvNote, c.Token) {
				t.Errorf("the note shows a secret: %q", c.EnvNote)
			}

			vars := map[string]string{}
			for _, v := range c.Env {
				vars[v.Name] = v.Value
			}
			// What the token's owner sees of it, to compare with what the
			// openstack CLI gets.
			mine := showToken(t, f.URL, c.Token)
			switch tc.cli {
			case "v3token":
				got, status := openstackToken(t, vars)
				if status != http.StatusCreated || got.Scope() != mine.Scope() || scopeID(got) != scopeID(mine) || len(got.Catalog) != len(mine.Catalog) {
					t.Errorf("the CLI's re-issued token: HTTP %d, scope %s %s with %d services; cloudauth's: %s %s with %d",
						status, got.Scope(), scopeID(got), len(got.Catalog), mine.Scope(), scopeID(mine), len(mine.Catalog))
				}
				// The variables alone configure a client that uses the
				// token as it is (a login would bring another) and says
				// the same of it, less what was configured.
				again := newClient(t, keystone.Config{AuthURL: vars["OS_AUTH_URL"], Token: vars["OS_TOKEN"], ProjectID: vars["OS_PROJECT_ID"],
					DomainID: vars["OS_DOMAIN_ID"], SystemScope: vars["OS_SYSTEM_SCOPE"]})
				got2, err := again.Credential(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if got2.Token != c.Token || !slices.Equal(exported(got2.Env), exported(c.Env, "OS_REGION_NAME", "OS_INTERFACE")) {
					t.Errorf("from the variables: same token %v, Env %v", got2.Token == c.Token, got2.Env)
				}
			case "v3applicationcredential":
				// Why the token is not handed over: Keystone refuses it.
				if _, status := openstackToken(t, map[string]string{"OS_AUTH_URL": f.URL, "OS_TOKEN": c.Token}); status != http.StatusForbidden {
					t.Errorf("re-issuing the application credential's token: HTTP %d, want 403", status)
				}
				got := openstackAppCred(t, vars)
				if got.Scope() != "project" || got.Project.ID != mine.Project.ID || got.ApplicationCredential == nil {
					t.Errorf("the CLI's login with the variables: scope %s %s, want project %s", got.Scope(), scopeID(got), mine.Project.ID)
				}
			}
		})
	}
}

// TestCredentialEnvGivenToken: a token given as it is goes on as it is;
// one issued for an application credential is handed over too (other
// tools can send it), with a note that the openstack CLI cannot use it.
func TestCredentialEnvGivenToken(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	for _, tc := range []struct {
		name  string
		login keystone.Config
		note  string
	}{
		{"password token", keystone.Config{AuthURL: f.URL, UserID: emulator.KeystoneUserID, Password: emulator.KeystonePassword, DomainID: emulator.KeystoneDomainID}, ""},
		{"application credential token", appCred(f.URL), `issued for application credential "` + emulator.KeystoneAppCredName + `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			first, err := newClient(t, tc.login).Credential(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			c, err := newClient(t, keystone.Config{AuthURL: f.URL, Token: first.Token, Handoff: keystone.Handoff{From: keystone.CredentialsFromEnv}}).Credential(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			vars := map[string]string{}
			for _, v := range c.Env {
				if !v.Unset {
					vars[v.Name] = v.Value
				}
			}
			if vars["OS_AUTH_TYPE"] != "v3token" || vars["OS_TOKEN"] != first.Token {
				t.Errorf("Env = %v", c.Env)
			}
			if (c.EnvNote == "") != (tc.note == "") || !strings.Contains(c.EnvNote, tc.note) {
				t.Errorf("note %q, want one with %q", c.EnvNote, tc.note)
			}
		})
	}
}

// exported lists NAME=value of the variables set, less those named.
func exported(env []cred.EnvVar, less ...string) []string {
	var out []string
	for _, v := range env {
		if !v.Unset && !slices.Contains(less, v.Name) {
			out = append(out, v.Name+"="+v.Value)
		}
	}
	return out
}

func scopeID(t *keystone.Token) string {
	switch {
	case t.Project != nil:
		return t.Project.ID
	case t.Domain != nil:
		return t.Domain.ID
	case t.System != nil:
		return "all"
	}
	return ""
}

// showToken is GET /v3/auth/tokens of a token by itself.
func showToken(t *testing.T, authURL, token string) *keystone.Token {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, authURL+"/auth/tokens", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("X-Subject-Token", token)
	tok, status := do(t, req)
	if status != http.StatusOK {
		t.Fatalf("GET /v3/auth/tokens: HTTP %d", status)
	}
	return tok
}

// openstackToken is the request keystoneauth's v3token plugin makes: the
// token method, with the scope its variables name.
func openstackToken(t *testing.T, vars map[string]string) (*keystone.Token, int) {
	t.Helper()
	body := map[string]any{"identity": map[string]any{"methods": []string{"token"}, "token": map[string]string{"id": vars["OS_TOKEN"]}}}
	switch {
	case vars["OS_PROJECT_ID"] != "":
		body["scope"] = map[string]any{"project": map[string]string{"id": vars["OS_PROJECT_ID"]}}
	case vars["OS_DOMAIN_ID"] != "":
		body["scope"] = map[string]any{"domain": map[string]string{"id": vars["OS_DOMAIN_ID"]}}
	case vars["OS_SYSTEM_SCOPE"] != "":
		body["scope"] = map[string]any{"system": map[string]bool{vars["OS_SYSTEM_SCOPE"]: true}}
	}
	return post(t, vars["OS_AUTH_URL"], body)
}

// openstackAppCred is the request of keystoneauth's
// v3applicationcredential plugin.
func openstackAppCred(t *testing.T, vars map[string]string) *keystone.Token {
	t.Helper()
	ac := map[string]any{"secret": vars["OS_APPLICATION_CREDENTIAL_SECRET"]}
	if id := vars["OS_APPLICATION_CREDENTIAL_ID"]; id != "" {
		ac["id"] = id
	} else {
		ac["name"] = vars["OS_APPLICATION_CREDENTIAL_NAME"]
		ac["user"] = map[string]any{"name": vars["OS_USERNAME"], "domain": map[string]string{"id": vars["OS_USER_DOMAIN_ID"]}}
	}
	tok, status := post(t, vars["OS_AUTH_URL"], map[string]any{"identity": map[string]any{"methods": []string{"application_credential"}, "application_credential": ac}})
	if status != http.StatusCreated {
		t.Fatalf("application credential login: HTTP %d", status)
	}
	return tok
}

func post(t *testing.T, authURL string, auth map[string]any) (*keystone.Token, int) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"auth": auth})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, authURL+"/auth/tokens", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*keystone.Token, int) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 300 {
		return &keystone.Token{}, resp.StatusCode
	}
	tok, err := keystone.DecodeToken(b)
	if err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return tok, resp.StatusCode
}
