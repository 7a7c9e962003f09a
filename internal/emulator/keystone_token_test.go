package emulator

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// The token method, as a real Keystone 22 answered it (scripts/keystone-up.sh;
// the OpenStack CLI's OS_AUTH_TYPE=v3token sends exactly these requests).

func tokenBody(token, scope string) string {
	s := `{"auth":{"identity":{"methods":["token"],"token":{"id":"` + token + `"}}`
	if scope != "" {
		s += `,"scope":` + scope
	}
	return s + `}}`
}

// issued logs in and returns the token and its body.
func issued(t *testing.T, srv *httptest.Server, body string) (string, ksReply) {
	t.Helper()
	r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, body)
	if r.status != http.StatusCreated {
		t.Fatalf("login: HTTP %d %s", r.status, r.raw)
	}
	return r.header.Get("X-Subject-Token"), r
}

func TestKeystoneTokenMethod(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	demo := func(scope string) string {
		return passwordBody(KeystoneUser, KeystoneDomainName, KeystonePassword, scope)
	}
	// The re-issued tokens are asked for a little later, so that a new
	// expiry would show.
	tokens := map[string]string{}
	bodies := map[string]ksReply{}
	for name, body := range map[string]string{
		"project": demo(`{"project":{"id":"` + KeystoneProjectID + `"}}`),
		"domain":  demo(`{"domain":{"id":"default"}}`),
		"system":  demo(`{"system":{"all":true}}`),
		"ops":     passwordBody(KeystonePartnerUser, KeystonePartnerDomain, KeystonePartnerPassword, `"unscoped"`),
		"appcred": appCredBody(KeystoneAppCredID, KeystoneAppCredSecret),
		"revoked": demo(""),
	} {
		tokens[name], bodies[name] = issued(t, srv, body)
	}
	revoke := map[string]string{"X-Auth-Token": tokens["revoked"], "X-Subject-Token": tokens["revoked"]}
	if r := ksDo(t, srv, http.MethodDelete, "/keystone/v3/auth/tokens", revoke, ""); r.status != http.StatusNoContent {
		t.Fatalf("revoke: HTTP %d", r.status)
	}
	e.Advance(10 * time.Minute)

	for _, tc := range []struct {
		name, from, body string
		status           int
		message          string
		scope            string // "project", "domain", "system" or "" (unscoped)
		project          string
		catalog          bool
	}{
		{name: "no scope asked: unscoped, no catalog", from: "project", status: 201},
		{name: "explicitly unscoped", from: "project", body: `"unscoped"`, status: 201},
		{name: "to another project", from: "project", body: `{"project":{"id":"` + KeystoneOtherProjectID + `"}}`,
			status: 201, scope: "project", project: KeystoneOtherProject, catalog: true},
		{name: "to a project by name", from: "domain", body: `{"project":{"name":"` + KeystoneProject + `","domain":{"name":"Default"}}}`,
			status: 201, scope: "project", project: KeystoneProject, catalog: true},
		{name: "to the domain", from: "project", body: `{"domain":{"id":"default"}}`, status: 201, scope: "domain", catalog: true},
		{name: "to the system", from: "project", body: `{"system":{"all":true}}`, status: 201, scope: "system", catalog: true},
		{name: "the user's default project when none is asked", from: "ops", status: 201, scope: "project", project: KeystonePartnerProject, catalog: true},
		{name: "a project without a role", from: "project", body: `{"project":{"id":"` + stableID("keystone/project/tools") + `"}}`,
			status: 401, message: ksUnauthorized},
		{name: "system token to a project", from: "system", body: `{"project":{"id":"` + KeystoneProjectID + `"}}`, status: 403, message: ksSystemRescope},
		{name: "system token to a domain", from: "system", body: `{"domain":{"id":"default"}}`, status: 403, message: ksSystemRescope},
		{name: "system token unscoped", from: "system", status: 201},
		{name: "application credential token: delegated", from: "appcred", status: 403, message: ksDelegated},
		{name: "application credential token with a scope", from: "appcred", body: `{"project":{"id":"` + KeystoneProjectID + `"}}`,
			status: 403, message: ksDelegated},
		{name: "revoked token", from: "revoked", status: 404, message: ksNotValidated},
		{name: "unknown token", from: "", status: 404, message: ksNotRecognized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			subject := tokens[tc.from]
			if tc.from == "" {
				subject = "gAAAAABunknown"
			}
			r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, tokenBody(subject, tc.body))
			if r.status != tc.status {
				t.Fatalf("HTTP %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status != 201 {
				if get(r.body, "error", "message") != tc.message || get(r.body, "error", "code") != float64(tc.status) {
					t.Errorf("error = %s, want %q", r.raw, tc.message)
				}
				if (tc.status == 401) != (r.header.Get("WWW-Authenticate") != "") {
					t.Errorf("WWW-Authenticate = %q on a %d", r.header.Get("WWW-Authenticate"), tc.status)
				}
				return
			}
			tok := get(r.body, "token")
			if r.header.Get("X-Subject-Token") == "" || r.header.Get("X-Subject-Token") == subject {
				t.Errorf("X-Subject-Token = %q, want a new token", r.header.Get("X-Subject-Token"))
			}
			scope := ""
			for _, k := range []string{"project", "domain", "system"} {
				if get(tok, k) != nil {
					scope = k
				}
			}
			if scope != tc.scope || (tc.project != "" && get(tok, "project", "name") != tc.project) {
				t.Errorf("scope %q project %v, want %q %q", scope, get(tok, "project", "name"), tc.scope, tc.project)
			}
			if (get(tok, "catalog") != nil) != tc.catalog || (get(tok, "roles") != nil) != tc.catalog {
				t.Errorf("catalog %v roles %v, want them: %v", get(tok, "catalog") != nil, get(tok, "roles") != nil, tc.catalog)
			}
			old := get(bodies[tc.from].body, "token")
			if got := strs(get(tok, "methods")); !slices.Equal(got, []string{"password", "token"}) {
				t.Errorf("methods = %v, want [password token]", got)
			}
			if get(tok, "expires_at") != get(old, "expires_at") || get(tok, "issued_at") == get(old, "issued_at") {
				t.Errorf("expires_at %v issued_at %v; the old token's %v %v: want the same expiry, a new issue time",
					get(tok, "expires_at"), get(tok, "issued_at"), get(old, "expires_at"), get(old, "issued_at"))
			}
			audit, oldAudit := strs(get(tok, "audit_ids")), strs(get(old, "audit_ids"))
			if len(audit) != 2 || len(oldAudit) != 1 || audit[1] != oldAudit[0] || audit[0] == oldAudit[0] {
				t.Errorf("audit_ids = %v, want a new one and the old token's %v", audit, oldAudit)
			}
		})
	}
}

// TestKeystoneTokenMethodChain re-issues a re-issued token (the audit
// chain keeps the first token's id), a multi-factor token (no second
// factor is asked again: the token carries both methods), and malformed
// requests.
func TestKeystoneTokenMethodChain(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	first, firstBody := issued(t, srv, passwordBody(KeystoneUser, KeystoneDomainName, KeystonePassword, `{"domain":{"id":"default"}}`))
	second, _ := issued(t, srv, tokenBody(first, `{"system":{"all":true}}`))
	_, third := issued(t, srv, tokenBody(second, ""))
	root := strs(get(firstBody.body, "token", "audit_ids"))[0]
	if audit := strs(get(third.body, "token", "audit_ids")); len(audit) != 2 || audit[1] != root {
		t.Errorf("audit_ids of a re-issued re-issued token = %v, want the first token's %q second", audit, root)
	}

	code, ok := e.KeystoneTOTPCode(KeystoneMFAUser)
	if !ok {
		t.Fatal("no TOTP code for the MFA user")
	}
	mfa, _ := issued(t, srv, `{"auth":{"identity":{"methods":["password","totp"],"password":{"user":{"id":"`+KeystoneMFAUserID+
		`","password":"`+KeystoneMFAPassword+`"}},"totp":{"user":{"id":"`+KeystoneMFAUserID+`","passcode":"`+code+`"}}}}}`)
	_, again := issued(t, srv, tokenBody(mfa, `{"project":{"id":"`+KeystoneProjectID+`"}}`))
	if got := strs(get(again.body, "token", "methods")); !slices.Equal(got, []string{"password", "totp", "token"}) {
		t.Errorf("methods of a re-issued multi-factor token = %v", got)
	}

	for _, tc := range []struct{ name, body, message string }{
		{"no token object", `{"auth":{"identity":{"methods":["token"]}}}`, "Expecting to find token in identity." + ksValidationTail},
		{"a token object without an id", `{"auth":{"identity":{"methods":["token"],"token":{}}}}`, ksTokenIDMissing},
	} {
		r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, tc.body)
		if r.status != 400 || get(r.body, "error", "message") != tc.message {
			t.Errorf("%s: HTTP %d %s", tc.name, r.status, r.raw)
		}
	}
}
