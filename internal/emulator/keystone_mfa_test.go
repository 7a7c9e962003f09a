package emulator

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
)

// Multi-factor login and system scope, checked against what a real
// Keystone 22 answered (scripts/keystone-up.sh --totp).

func mfaPassword(user, password string) string {
	return `{"methods":["password"],"password":{"user":{"name":"` + user + `","domain":{"id":"default"},"password":"` + password + `"}}}`
}

func mfaTOTP(user, code string) string {
	return `{"methods":["totp"],"totp":{"user":{"name":"` + user + `","domain":{"id":"default"},"passcode":"` + code + `"}}}`
}

func mfaBoth(user, password, code string) string {
	return `{"methods":["password","totp"],"password":{"user":{"name":"` + user + `","domain":{"id":"default"},"password":"` + password +
		`"}},"totp":{"user":{"name":"` + user + `","domain":{"id":"default"},"passcode":"` + code + `"}}}`
}

func authBody(identity, scope string) string {
	if scope != "" {
		return `{"auth":{"identity":` + identity + `,"scope":` + scope + `}}`
	}
	return `{"auth":{"identity":` + identity + `}}`
}

// codeAt is the MFA user's code for the emulator's time moved by d.
func codeAt(t *testing.T, e *Emulator, d time.Duration) string {
	t.Helper()
	k, err := totp.Parse(KeystoneTOTPSecret)
	if err != nil {
		t.Fatal(err)
	}
	return k.Code(e.Now().Add(d))
}

// midStep moves the emulator's clock to the middle of a 30-second TOTP
// step, so that codes made for "now", the step before or after, do not
// change step while a test runs.
func midStep(e *Emulator) {
	into := e.Now().Sub(e.Now().Truncate(30 * time.Second))
	e.Advance(15*time.Second - into)
}

func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestKeystoneReceiptShape(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, authBody(mfaPassword(KeystoneMFAUser, KeystoneMFAPassword), ""))
	if r.status != 401 {
		t.Fatalf("status = %d: %s", r.status, r.raw)
	}
	rc := r.header.Get("Openstack-Auth-Receipt")
	if !strings.HasPrefix(rc, "gAAAAAB") || len(rc) < 100 {
		t.Errorf("Openstack-Auth-Receipt = %q, want a fernet-like receipt", rc)
	}
	if r.header.Get("WWW-Authenticate") != "" || r.header.Get("X-Subject-Token") != "" {
		t.Errorf("a receipt answer has no WWW-Authenticate and no token: %v", r.header)
	}
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("Vary") != "X-Auth-Token" || r.header.Get("x-openstack-request-id") == "" {
		t.Errorf("headers = %v", r.header)
	}
	// Keystone's key order: receipt{methods, user{id, name, domain}, expires_at, issued_at}, required_auth_methods.
	wantPrefix := `{"receipt":{"methods":["password"],"user":{"id":"` + KeystoneMFAUserID + `","name":"` + KeystoneMFAUser +
		`","domain":{"id":"default","name":"Default"}},"expires_at":"`
	if !strings.HasPrefix(r.raw, wantPrefix) || !strings.HasSuffix(r.raw, `"required_auth_methods":[["password","totp"]]}`) {
		t.Errorf("body = %s", r.raw)
	}
	exp, err1 := time.Parse(ksTimeFormat, get(r.body, "receipt", "expires_at").(string))
	iss, err2 := time.Parse(ksTimeFormat, get(r.body, "receipt", "issued_at").(string))
	if err1 != nil || err2 != nil || exp.Sub(iss) != 5*time.Minute {
		t.Errorf("receipt lifetime = %s (%v, %v), want 5m", exp.Sub(iss), err1, err2)
	}
	if e.Logins("keystone") != 0 {
		t.Errorf("a receipt counted as a login")
	}
}

func TestKeystoneMultiFactorLogins(t *testing.T) {
	t.Parallel()
	e := New()
	midStep(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	post := func(header map[string]string, body string) ksReply {
		return ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", header, body)
	}
	receiptFor := func(identity string) string {
		r := post(nil, authBody(identity, ""))
		if r.status != 401 || r.header.Get("Openstack-Auth-Receipt") == "" {
			t.Fatalf("no receipt: %d %s", r.status, r.raw)
		}
		return r.header.Get("Openstack-Auth-Receipt")
	}
	now := func() string { return codeAt(t, e, 0) }
	project := `{"project":{"id":"` + KeystoneProjectID + `"}}`

	cases := []struct {
		name    string
		header  func() map[string]string
		body    func() string
		status  int
		methods []string // of the token, any order
		scope   string   // "project" or "" for unscoped
		message string   // of a refusal
	}{
		{"password and code in one request", nil,
			func() string { return authBody(mfaBoth(KeystoneMFAUser, KeystoneMFAPassword, now()), project) },
			201, []string{"password", "totp"}, "project", ""},
		{"receipt of the password, then the code", func() map[string]string {
			return map[string]string{"Openstack-Auth-Receipt": receiptFor(mfaPassword(KeystoneMFAUser, KeystoneMFAPassword))}
		}, func() string { return authBody(mfaTOTP(KeystoneMFAUser, now()), project) }, 201, []string{"password", "totp"}, "project", ""},
		{"receipt of the code, then the password", func() map[string]string {
			return map[string]string{"Openstack-Auth-Receipt": receiptFor(mfaTOTP(KeystoneMFAUser, now()))}
		}, func() string { return authBody(mfaPassword(KeystoneMFAUser, KeystoneMFAPassword), "") }, 201, []string{"password", "totp"}, "", ""},
		{"the code of the step before is accepted", nil,
			func() string {
				return authBody(mfaBoth(KeystoneMFAUser, KeystoneMFAPassword, codeAt(t, e, -30*time.Second)), project)
			}, 201, []string{"password", "totp"}, "project", ""},
		{"a code two steps old is refused", nil,
			func() string {
				return authBody(mfaBoth(KeystoneMFAUser, KeystoneMFAPassword, codeAt(t, e, -60*time.Second)), project)
			}, 401, nil, "", ksUnauthorized},
		{"the next step's code is refused", nil,
			func() string {
				return authBody(mfaBoth(KeystoneMFAUser, KeystoneMFAPassword, codeAt(t, e, 30*time.Second)), project)
			}, 401, nil, "", ksUnauthorized},
		{"right password, wrong code", nil,
			func() string { return authBody(mfaBoth(KeystoneMFAUser, KeystoneMFAPassword, "000000"), "") }, 401, nil, "", ksUnauthorized},
		{"wrong password, right code", nil,
			func() string { return authBody(mfaBoth(KeystoneMFAUser, "nope", now()), "") }, 401, nil, "", ksUnauthorized},
		{"a code without a passcode", nil,
			func() string { return authBody(mfaTOTP(KeystoneMFAUser, ""), "") }, 401, nil, "", ksUnauthorized},
		{"totp named without its object", nil,
			func() string {
				return authBody(`{"methods":["password","totp"],"password":{"user":{"id":"`+KeystoneMFAUserID+`","password":"`+KeystoneMFAPassword+`"}}}`, "")
			}, 400, nil, "", "Expecting to find totp in identity."},
		{"a code for a user without TOTP", nil,
			func() string { return authBody(mfaBoth(KeystoneUser, KeystonePassword, now()), "") }, 401, nil, "", ksUnauthorized},
		{"an unknown receipt", func() map[string]string { return map[string]string{"Openstack-Auth-Receipt": "gAAAAABnot-a-receipt"} },
			func() string { return authBody(mfaTOTP(KeystoneMFAUser, now()), "") }, 401, nil, "", "Could not find auth receipt: gAAAAABnot-a-receipt."},
		{"another user's receipt", func() map[string]string {
			return map[string]string{"Openstack-Auth-Receipt": receiptFor(mfaPassword(KeystoneMFAUser, KeystoneMFAPassword))}
		}, func() string { return authBody(mfaPassword(KeystoneUser, KeystonePassword), "") }, 401, nil, "", "Could not find auth receipt: gAAAAAB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var header map[string]string
			if tc.header != nil {
				header = tc.header()
			}
			header = mapWith(header, "Content-Type", "application/json")
			r := post(header, tc.body())
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status != 201 {
				if msg, _ := get(r.body, "error", "message").(string); !strings.HasPrefix(msg, tc.message) {
					t.Errorf("message = %q, want %q", msg, tc.message)
				}
				if r.header.Get("Openstack-Auth-Receipt") != "" {
					t.Errorf("a refusal carries a receipt")
				}
				if tc.status == 401 && r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("a refusal without WWW-Authenticate")
				}
				return
			}
			got := strs(get(r.body, "token", "methods"))
			slices.Sort(got)
			if !slices.Equal(got, tc.methods) {
				t.Errorf("methods = %v, want %v", got, tc.methods)
			}
			if (get(r.body, "token", "project") != nil) != (tc.scope == "project") {
				t.Errorf("project = %v, want scope %q", get(r.body, "token", "project"), tc.scope)
			}
		})
	}

	t.Run("a receipt ends after five minutes", func(t *testing.T) {
		rc := receiptFor(mfaPassword(KeystoneMFAUser, KeystoneMFAPassword))
		e.Advance(5*time.Minute + time.Second)
		r := post(map[string]string{"Openstack-Auth-Receipt": rc}, authBody(mfaTOTP(KeystoneMFAUser, now()), ""))
		if r.status != 401 || !strings.HasPrefix(get(r.body, "error", "message").(string), "Could not find auth receipt") {
			t.Errorf("expired receipt: %d %s", r.status, r.raw)
		}
	})
}

func mapWith(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

func TestKeystoneMFARuleChecks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		rules    [][]string
		body     string
		status   int
		required string // raw required_auth_methods of the receipt
	}{
		{"a rule's disabled method does not count", [][]string{{"password", "kerberos"}},
			authBody(mfaPassword(KeystoneUser, KeystonePassword), ""), 201, ""},
		{"only rules that include a method done are listed", [][]string{{"password", "totp"}, {"totp", "mapped"}, {"mapped", "external"}},
			authBody(mfaPassword(KeystoneUser, KeystonePassword), ""), 401, `[["password","totp"]]`},
		{"an application credential of a user with rules", [][]string{{"password", "totp"}},
			appCredBody(KeystoneAppCredID, KeystoneAppCredSecret), 401, `[]`},
		{"the rules come before the scope", [][]string{{"password", "totp"}},
			authBody(mfaPassword(KeystoneUser, KeystonePassword), `{"project":{"name":"tools","domain":{"name":"Partners"}}}`), 401, `[["password","totp"]]`},
		{"no rules", nil, authBody(mfaPassword(KeystoneUser, KeystonePassword), ""), 201, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := New()
			srv := httptest.NewServer(e)
			t.Cleanup(srv.Close)
			if err := e.SetKeystoneMFARules(KeystoneUser, tc.rules); err != nil {
				t.Fatal(err)
			}
			r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, tc.body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status == 401 && !strings.HasSuffix(r.raw, `"required_auth_methods":`+tc.required+`}`) {
				t.Errorf("body = %s, want required_auth_methods %s", r.raw, tc.required)
			}
		})
	}
}

func TestKeystoneTOTPKnobs(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	for _, user := range []string{KeystoneMFAUser, KeystoneMFAUserID} {
		if s, ok := e.KeystoneTOTPSecret(user); !ok || s != KeystoneTOTPSecret {
			t.Errorf("KeystoneTOTPSecret(%s) = %q, %v", user, s, ok)
		}
	}
	if _, ok := e.KeystoneTOTPSecret(KeystoneUser); ok {
		t.Errorf("demo has no TOTP credential")
	}
	if _, ok := e.KeystoneTOTPCode("nobody"); ok {
		t.Errorf("a code for an unknown user")
	}
	// The code follows the emulator's clock.
	e.Advance(24 * time.Hour)
	midStep(e)
	code, ok := e.KeystoneTOTPCode(KeystoneMFAUser)
	if !ok || code != codeAt(t, e, 0) {
		t.Errorf("KeystoneTOTPCode = %q, want %q", code, codeAt(t, e, 0))
	}
	r := ksDo(t, srv, http.MethodGet, "/_emulator/keystone/totp?user="+KeystoneMFAUser, nil, "")
	if r.status != 200 || get(r.body, "code") != code {
		t.Errorf("control API: %d %s", r.status, r.raw)
	}

	// A new secret for demo: a TOTP-only login works (demo has no rules).
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if err := e.SetKeystoneTOTPSecret(KeystoneUser, secret); err != nil {
		t.Fatal(err)
	}
	k, _ := totp.Parse(secret)
	r = ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, authBody(mfaTOTP(KeystoneUser, k.Code(e.Now())), ""))
	if r.status != 201 || !slices.Equal(strs(get(r.body, "token", "methods")), []string{"totp"}) {
		t.Errorf("TOTP-only login: %d %s", r.status, r.raw)
	}
	if err := e.SetKeystoneTOTPSecret(KeystoneUser, "not base32!"); err == nil {
		t.Errorf("a bad secret was taken")
	}
	if err := e.SetKeystoneMFARules("nobody", nil); err == nil {
		t.Errorf("rules for an unknown user")
	}
}

func TestKeystoneSystemScope(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New())
	t.Cleanup(srv.Close)
	system := `{"system":{"all":true}}`
	r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil, passwordBody(KeystoneUser, KeystoneDomainName, KeystonePassword, system))
	if r.status != 201 {
		t.Fatalf("status = %d: %s", r.status, r.raw)
	}
	if get(r.body, "token", "system", "all") != true || get(r.body, "token", "project") != nil || get(r.body, "token", "roles", "0", "name") != "reader" {
		t.Errorf("body = %s", r.raw)
	}
	// Keystone's order: ..., roles, system, catalog.
	if i, j, k := strings.Index(r.raw, `"roles":`), strings.Index(r.raw, `"system":`), strings.Index(r.raw, `"catalog":`); i < 0 || i > j || j > k {
		t.Errorf("key order: roles %d, system %d, catalog %d", i, j, k)
	}
	// A service whose URLs need a project is listed without endpoints.
	perProject := map[any]bool{"object-store": true, "volumev3": true}
	for _, s := range get(r.body, "token", "catalog").([]any) {
		eps := get(s, "endpoints").([]any)
		if perProject[get(s, "type")] != (len(eps) == 0) {
			t.Errorf("%v has %d endpoints in a system token", get(s, "type"), len(eps))
		}
	}
	if r := ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil,
		passwordBody(KeystonePartnerUser, KeystonePartnerDomain, KeystonePartnerPassword, system)); r.status != 401 {
		t.Errorf("a user without a system role: %d %s", r.status, r.raw)
	}
	r = ksDo(t, srv, http.MethodPost, "/keystone/v3/auth/tokens", nil,
		`{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"`+KeystoneAppCredID+`","secret":"`+KeystoneAppCredSecret+`"}},"scope":`+system+`}}`)
	if r.status != 401 || get(r.body, "error", "message") != ksAppCredScope || get(r.body, "error", "identity") == nil {
		t.Errorf("application credential with a system scope: %d %s", r.status, r.raw)
	}
}
