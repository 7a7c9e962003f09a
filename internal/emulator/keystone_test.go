package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The Keystone fake is checked at the HTTP level here, against what a real
// Keystone 22 answered (shared/reference/keystone-samples); the client's
// tests check it through gophercloud.

type ksReply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func ksDo(t *testing.T, srv *httptest.Server, method, path string, header map[string]string, body string) ksReply {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := ksReply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
		}
	}
	return r
}

func appCredBody(id, secret string) string {
	return `{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"` + id + `","secret":"` + secret + `"}}}}`
}

func passwordBody(user, domain, password, scope string) string {
	s := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + user + `","domain":{"name":"` + domain + `"},"password":"` + password + `"}}}`
	if scope != "" {
		s += `,"scope":` + scope
	}
	return s + `}}`
}

// get walks a decoded JSON document: keys for objects, "0" for arrays.
func get(v any, path ...string) any {
	for _, p := range path {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			if p != "0" || len(t) == 0 {
				return nil
			}
			v = t[0]
		default:
			return nil
		}
	}
	return v
}

func TestKeystoneIssue(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	cases := []struct {
		name, path, body string
		status           int
		scope            string // "project", "domain" or "" (unscoped)
		project          string
		catalog          bool
		message          string
	}{
		{"application credential by id", "/keystone/v3/auth/tokens", appCredBody(KeystoneAppCredID, KeystoneAppCredSecret),
			201, "project", KeystoneProject, true, ""},
		{"application credential by name", "/keystone/v3/auth/tokens",
			`{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"name":"` + KeystoneAppCredName +
				`","secret":"` + KeystoneAppCredSecret + `","user":{"id":"` + KeystoneUserID + `"}}}}}`,
			201, "project", KeystoneProject, true, ""},
		{"password, project by name", "/keystone/v3/auth/tokens",
			passwordBody(KeystoneUser, KeystoneDomainName, KeystonePassword, `{"project":{"name":"analytics","domain":{"id":"default"}}}`),
			201, "project", KeystoneOtherProject, true, ""},
		{"password, project by id", "/keystone/v3/auth/tokens",
			passwordBody(KeystoneUser, KeystoneDomainName, KeystonePassword, `{"project":{"id":"`+KeystoneProjectID+`"}}`),
			201, "project", KeystoneProject, true, ""},
		{"password, domain scope", "/keystone/v3/auth/tokens",
			passwordBody(KeystoneUser, KeystoneDomainName, KeystonePassword, `{"domain":{"name":"Default"}}`),
			201, "domain", "", true, ""},
		{"password, no scope and no default project", "/keystone/v3/auth/tokens",
			passwordBody(KeystoneUser, KeystoneDomainName, KeystonePassword, ""), 201, "", "", false, ""},
		{"password, no scope takes the default project", "/keystone/v3/auth/tokens",
			passwordBody(KeystonePartnerUser, KeystonePartnerDomain, KeystonePartnerPassword, ""), 201, "project", KeystonePartnerProject, true, ""},
		{"password, explicit unscoped", "/keystone/v3/auth/tokens",
			passwordBody(KeystonePartnerUser, KeystonePartnerDomain, KeystonePartnerPassword, `"unscoped"`), 201, "", "", false, ""},
		{"nocatalog by presence, even =false", "/keystone/v3/auth/tokens?nocatalog=false",
			appCredBody(KeystoneAppCredID, KeystoneAppCredSecret), 201, "project", KeystoneProject, false, ""},
		{"wrong secret", "/keystone/v3/auth/tokens", appCredBody(KeystoneAppCredID, "wrong"), 401, "", "", false, ksUnauthorized},
		{"missing secret", "/keystone/v3/auth/tokens", appCredBody(KeystoneAppCredID, ""), 401, "", "", false, ksUnauthorized},
		{"expired application credential", "/keystone/v3/auth/tokens", appCredBody(KeystoneExpiredAppCred, KeystoneAppCredSecret), 401, "", "", false, ksUnauthorized},
		{"unknown application credential", "/keystone/v3/auth/tokens", appCredBody("0000000000000000000000000000dead", "x"),
			404, "", "", false, "Could not find Application Credential: 0000000000000000000000000000dead."},
		{"application credential with a scope", "/keystone/v3/auth/tokens",
			`{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"` + KeystoneAppCredID + `","secret":"` +
				KeystoneAppCredSecret + `"}},"scope":{"project":{"id":"` + KeystoneProjectID + `"}}}}`, 401, "", "", false, ksAppCredScope},
		// Keystone checks the scope before it looks at the credential.
		{"unknown application credential with a scope", "/keystone/v3/auth/tokens",
			`{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"0000000000000000000000000000dead","secret":"x"}},` +
				`"scope":{"system":{"all":true}}}}`, 401, "", "", false, ksAppCredScope},
		{"wrong password", "/keystone/v3/auth/tokens", passwordBody(KeystoneUser, KeystoneDomainName, "nope", ""), 401, "", "", false, ksUnauthorized},
		{"unknown user", "/keystone/v3/auth/tokens", passwordBody("nobody", KeystoneDomainName, "x", ""), 401, "", "", false, ksUnauthorized},
		{"project without a role", "/keystone/v3/auth/tokens",
			passwordBody(KeystoneUser, KeystoneDomainName, KeystonePassword, `{"project":{"name":"tools","domain":{"name":"Partners"}}}`), 401, "", "", false, ksUnauthorized},
		{"user name without a domain", "/keystone/v3/auth/tokens",
			`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","password":"x"}}}}}`, 400, "", "", false, "Expecting to find domain in user."},
		{"not JSON", "/keystone/v3/auth/tokens", `{"auth":`, 400, "", "", false, ksMalformedJSON},
		{"no methods", "/keystone/v3/auth/tokens", `{"auth":{"identity":{}}}`, 400, "", "", false, "'methods' is a required property"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := ksDo(t, srv, http.MethodPost, tc.path, map[string]string{"Content-Type": "application/json"}, tc.body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status != 201 {
				if get(r.body, "error", "title") != http.StatusText(tc.status) || !strings.Contains(get(r.body, "error", "message").(string), tc.message) {
					t.Errorf("error body = %s, want title %q and message %q", r.raw, http.StatusText(tc.status), tc.message)
				}
				if tc.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Keystone uri="http://`) {
					t.Errorf("a 401 must carry WWW-Authenticate: %v", r.header)
				}
				if r.header.Get("X-Subject-Token") != "" {
					t.Errorf("a refusal carries a token")
				}
				return
			}
			tok := r.header.Get("X-Subject-Token")
			if !strings.HasPrefix(tok, "gAAAAAB") || strings.Contains(r.raw, tok) {
				t.Errorf("X-Subject-Token = %q; the token must be in the header only", tok)
			}
			if got := get(r.body, "token", "project", "name"); tc.scope == "project" && got != tc.project {
				t.Errorf("project = %v, want %s", got, tc.project)
			}
			if tc.scope != "project" && get(r.body, "token", "project") != nil {
				t.Errorf("a %q token has a project: %s", tc.scope, r.raw)
			}
			if got := get(r.body, "token", "domain", "name"); (tc.scope == "domain") != (got != nil) {
				t.Errorf("domain = %v for a %q token", got, tc.scope)
			}
			if got := get(r.body, "token", "roles"); (tc.scope != "") != (got != nil) {
				t.Errorf("roles = %v for a %q token", got, tc.scope)
			}
			if got := get(r.body, "token", "catalog"); tc.catalog != (got != nil) {
				t.Errorf("catalog present = %v, want %v", got != nil, tc.catalog)
			}
			exp, err := time.Parse(ksTimeFormat, get(r.body, "token", "expires_at").(string))
			if err != nil {
				t.Fatal(err)
			}
			iss, _ := time.Parse(ksTimeFormat, get(r.body, "token", "issued_at").(string))
			if exp.Sub(iss) != time.Hour {
				t.Errorf("lifetime = %s, want the default 1h", exp.Sub(iss))
			}
		})
	}
}

func TestKeystoneShowCheckRevoke(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	issue := func() string {
		r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, appCredBody(KeystoneAppCredID, KeystoneAppCredSecret))
		return r.header.Get("X-Subject-Token")
	}
	tok := issue()
	both := map[string]string{"X-Auth-Token": tok, "X-Subject-Token": tok}

	r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/tokens", both, "")
	if r.status != 200 || r.header.Get("X-Subject-Token") != tok || get(r.body, "token", "catalog", "0", "type") != "identity" {
		t.Fatalf("GET = %d %s", r.status, r.raw)
	}
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/tokens?nocatalog", both, ""); get(r.body, "token", "catalog") != nil {
		t.Errorf("GET ?nocatalog has a catalog")
	}
	if r := ksDo(t, srv, http.MethodHead, "/keystone/v3/auth/tokens", both, ""); r.status != 200 || r.raw != "" {
		t.Errorf("HEAD = %d %q", r.status, r.raw)
	}
	bad := map[string]string{"X-Auth-Token": "not-a-token", "X-Subject-Token": tok}
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/tokens", bad, ""); r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("bad X-Auth-Token: %d %v", r.status, r.header)
	}
	unknown := map[string]string{"X-Auth-Token": tok, "X-Subject-Token": "gAAAAABunknown"}
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/tokens", unknown, ""); r.status != 404 || get(r.body, "error", "message") != ksNotRecognized {
		t.Errorf("unknown subject: %d %s", r.status, r.raw)
	}

	// A token revokes itself; afterwards it is refused as caller (401)
	// and unknown as subject (404).
	if r := ksDo(t, srv, http.MethodDelete, "/keystone/v3/auth/tokens", both, ""); r.status != 204 {
		t.Fatalf("DELETE = %d %s", r.status, r.raw)
	}
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/tokens", both, ""); r.status != 401 {
		t.Errorf("revoked token as caller: %d", r.status)
	}
	other := issue()
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/tokens", map[string]string{"X-Auth-Token": other, "X-Subject-Token": tok}, ""); r.status != 404 {
		t.Errorf("revoked token as subject: %d", r.status)
	}

	// Expired tokens: 404, or shown within 48 hours with allow_expired=true.
	e.Advance(2 * time.Hour)
	fresh := issue()
	h := map[string]string{"X-Auth-Token": fresh, "X-Subject-Token": other}
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/tokens", h, ""); r.status != 404 {
		t.Errorf("expired subject: %d", r.status)
	}
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/tokens?allow_expired=true", h, ""); r.status != 200 {
		t.Errorf("expired subject with allow_expired: %d %s", r.status, r.raw)
	}
	if got := e.Logins("keystone"); got != 3 {
		t.Errorf("logins = %d, want 3", got)
	}
}

func TestKeystoneVersionAndCatalog(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New())
	t.Cleanup(srv.Close)
	for _, p := range []string{"/keystone/v3", "/keystone/v3/"} {
		r := ksDo(t, srv, http.MethodGet, p, nil, "")
		if r.status != 200 || get(r.body, "version", "id") != "v3.14" || get(r.body, "version", "links", "0", "href") != srv.URL+"/keystone/v3/" {
			t.Errorf("GET %s = %d %s", p, r.status, r.raw)
		}
	}
	r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, appCredBody(KeystoneAppCredID, KeystoneAppCredSecret))
	catalog := get(r.body, "token", "catalog").([]any)
	regions := map[string]bool{}
	interfaces := map[string]bool{}
	var swift string
	for _, s := range catalog {
		for _, ep := range get(s, "endpoints").([]any) {
			regions[get(ep, "region_id").(string)] = true
			interfaces[get(ep, "interface").(string)] = true
			if get(s, "type") == "object-store" && get(ep, "interface") == "public" {
				swift = get(ep, "url").(string)
			}
		}
	}
	if len(catalog) < 5 || len(regions) != 2 || len(interfaces) != 3 {
		t.Errorf("catalog has %d services, regions %v, interfaces %v", len(catalog), regions, interfaces)
	}
	if !strings.HasSuffix(swift, "/v1/AUTH_"+KeystoneProjectID) {
		t.Errorf("object-store URL %q does not carry the project", swift)
	}
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/projects", nil, ""); r.status != 404 || get(r.body, "error", "code") != float64(404) {
		t.Errorf("unknown path: %d %s", r.status, r.raw)
	}
}

func TestKeystoneAuthProjects(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	tok := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, appCredBody(KeystoneAppCredID, KeystoneAppCredSecret)).header.Get("X-Subject-Token")
	r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/projects", map[string]string{"X-Auth-Token": tok}, "")
	if r.status != 200 || get(r.body, "projects", "0", "id") == nil || get(r.body, "links", "self") != srv.URL+"/keystone/v3/auth/projects" {
		t.Fatalf("GET /v3/auth/projects = %d %s", r.status, r.raw)
	}
	e.RevokeAll("keystone")
	if r := ksDo(t, srv, http.MethodGet, "/keystone/v3/auth/projects", map[string]string{"X-Auth-Token": tok}, ""); r.status != 401 {
		t.Fatalf("with a revoked token: %d %s", r.status, r.raw)
	}
}
