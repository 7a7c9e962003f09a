package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// cleuraCall sends a raw request the way the docs' curl examples do: a
// JSON body with curl -d's form Content-Type.
func cleuraCall(t *testing.T, srv *httptest.Server, method, path, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCleuraSMSFlowIsStrict(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	defer srv.Close()

	status, body := cleuraCall(t, srv, "POST", "/cleura/auth/v1/tokens",
		`{"auth": {"login": "`+CleuraSMSUser+`", "password": "`+CleuraSMSPassword+`", "twofa_method": "sms"}}`, nil)
	var ans struct{ Result, Type, Verification string }
	if err := json.Unmarshal([]byte(body), &ans); err != nil || status != 200 || ans.Result != "twofactor_required" || ans.Type != "sms" || len(ans.Verification) != 10 {
		t.Fatalf("%d %s", status, body)
	}
	status, body = cleuraCall(t, srv, "POST", "/cleura/auth/v1/tokens/request2facode",
		`{"request2fa": {"login": "`+CleuraSMSUser+`", "verification": "`+ans.Verification+`"}}`, nil)
	if status != 204 || body != "" {
		t.Fatalf("request2facode: %d %q", status, body)
	}
	code, ok := e.CleuraSMSCode(CleuraSMSUser)
	if !ok || len(code) != 6 {
		t.Fatalf("code %q %v", code, ok)
	}
	// Counted per login, whatever its case.
	if n := e.CleuraSMSSent(strings.ToUpper(CleuraSMSUser)); n != 1 {
		t.Errorf("SMS sent = %d, want 1", n)
	}
	// The control endpoint shows the same code to other processes.
	status, body = cleuraCall(t, srv, "GET", "/_emulator/cleura/sms?login="+CleuraSMSUser, "", nil)
	if status != 200 || !strings.Contains(body, `"code":"`+code+`"`) {
		t.Fatalf("control: %d %s", status, body)
	}
	verify := func(code string) (int, string) {
		return cleuraCall(t, srv, "POST", "/cleura/auth/v1/tokens/verify2fa",
			`{"verify2fa": {"login": "`+CleuraSMSUser+`", "verification": "`+ans.Verification+`", "code": `+code+`}}`, nil)
	}
	if status, body = verify(`"` + code + `"`); status != 400 || !strings.Contains(body, `"code":400`) || !strings.Contains(body, "must be an integer") {
		t.Fatalf("quoted code: %d %s", status, body)
	}
	if status, body = verify(code + ".0"); status != 400 {
		t.Fatalf("decimal code: %d %s", status, body)
	}
	status, body = verify(code)
	var tok struct{ Result, Token string }
	if err := json.Unmarshal([]byte(body), &tok); err != nil || status != 200 || tok.Result != "login_ok" || len(tok.Token) != 32 {
		t.Fatalf("verify: %d %s", status, body)
	}
	if e.Logins("cleura") != 1 {
		t.Errorf("logins = %d", e.Logins("cleura"))
	}
	// The verification is used up.
	if status, _ = verify(code); status != 400 {
		t.Errorf("a verification served twice: %d", status)
	}

	auth := map[string]string{"X-AUTH-LOGIN": CleuraSMSUser, "X-AUTH-TOKEN": tok.Token}
	status, body = cleuraCall(t, srv, "GET", "/cleura/accesscontrol/v1/openstack/domains", "", auth)
	if status != 200 || !strings.Contains(body, `"name":"Sweden \/ Stockholm"`) || strings.Contains(body, `Sweden / Stockholm`) {
		t.Fatalf("domains without escaped slashes: %d %s", status, body)
	}
	if status, _ = cleuraCall(t, srv, "POST", "/cleura/auth/v1/tokens/validate", "", auth); status != 204 {
		t.Errorf("validate: %d", status)
	}
	if status, _ = cleuraCall(t, srv, "DELETE", "/cleura/auth/v1/tokens", "", auth); status != 204 {
		t.Errorf("revoke: %d", status)
	}
	status, body = cleuraCall(t, srv, "POST", "/cleura/auth/v1/tokens/validate", "", auth)
	if status != 403 || body != `{"error":{"code":403,"message":"Invalid token"}}` {
		t.Errorf("validate after revoke: %d %s", status, body)
	}
}

func TestCleuraAnswers(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	defer srv.Close()
	_, body := cleuraCall(t, srv, "POST", "/cleura/auth/v1/tokens",
		`{"auth": {"login": "`+CleuraUser+`", "password": "`+CleuraPassword+`"}}`, nil)
	var tok struct{ Token string }
	_ = json.Unmarshal([]byte(body), &tok)
	cases := []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		want                     string
	}{
		{"wrong password", "POST", "/cleura/auth/v1/tokens", `{"auth": {"login": "` + CleuraUser + `", "password": "nope"}}`, nil,
			400, `{"error":{"code":400,"message":"Login failed"}}`},
		{"unknown user", "POST", "/cleura/auth/v1/tokens", `{"auth": {"login": "nobody", "password": "nope"}}`, nil,
			400, "Login failed"},
		{"not JSON", "POST", "/cleura/auth/v1/tokens", `auth[login]=x`, nil, 400, "Invalid JSON"},
		{"webauthn", "POST", "/cleura/auth/v1/tokens", `{"auth": {"login": "` + CleuraSMSUser + `", "password": "` + CleuraSMSPassword + `", "twofa_method": "webauthn"}}`, nil,
			400, "only sms"},
		{"unknown verification", "POST", "/cleura/auth/v1/tokens/request2facode", `{"request2fa": {"login": "` + CleuraSMSUser + `", "verification": "ahb4en3cho"}}`, nil,
			400, "Invalid verification"},
		{"no token", "GET", "/cleura/accesscontrol/v1/openstack/domains", "", nil,
			403, `{"error":{"code":403,"message":"Invalid token"}}`},
		{"token of another login", "GET", "/cleura/accesscontrol/v1/openstack/domains", "",
			map[string]string{"X-AUTH-LOGIN": CleuraSMSUser, "X-AUTH-TOKEN": tok.Token}, 403, "Invalid token"},
		{"token without login", "POST", "/cleura/auth/v1/tokens/validate", "",
			map[string]string{"X-AUTH-TOKEN": tok.Token}, 403, "Invalid token"},
		{"login header is case-insensitive", "POST", "/cleura/auth/v1/tokens/validate", "",
			map[string]string{"X-Auth-Login": strings.ToUpper(CleuraUser), "X-Auth-Token": tok.Token}, 204, ""},
		{"unknown path", "GET", "/cleura/accesscontrol/v1/nothing", "", nil, 404, `{"error":{"code":404,"message":"not found"}}`},
		{"no SMS sent", "GET", "/_emulator/cleura/sms?login=" + CleuraUser, "", nil, 404, "no SMS code"},
	}
	for _, tc := range cases {
		status, body := cleuraCall(t, srv, tc.method, tc.path, tc.body, tc.hdr)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	if e.Requests("cleura.login") != 5 {
		t.Errorf("login route count = %d", e.Requests("cleura.login"))
	}
}

func TestCleuraV2Flow(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	defer srv.Close()

	// Without a method, v2 lists the second factors.
	status, body := cleuraCall(t, srv, "POST", "/cleura/auth/v2/tokens",
		`{"login": "`+CleuraSMSUser+`", "password": "`+CleuraSMSPassword+`"}`, nil)
	if status != 201 || body != `{"options":["sms"],"result":"twofactor_options"}` {
		t.Fatalf("no method: %d %s", status, body)
	}
	status, body = cleuraCall(t, srv, "POST", "/cleura/auth/v2/tokens",
		`{"login": "`+CleuraSMSUser+`", "password": "`+CleuraSMSPassword+`", "two_factor_method": "sms"}`, nil)
	var ans struct{ Result, Type, Verification string }
	if err := json.Unmarshal([]byte(body), &ans); err != nil || status != 201 || ans.Result != "twofactor_required" || ans.Type != "sms" || len(ans.Verification) != 10 {
		t.Fatalf("sms: %d %s", status, body)
	}
	status, body = cleuraCall(t, srv, "POST", "/cleura/auth/v2/request-sms-code",
		`{"login": "`+CleuraSMSUser+`", "verification": "`+ans.Verification+`", "language_code": "sv"}`, nil)
	if status != 204 || body != "" {
		t.Fatalf("request-sms-code: %d %q", status, body)
	}
	code, _ := e.CleuraSMSCode(CleuraSMSUser)
	verify := func(code string) (int, string) {
		return cleuraCall(t, srv, "POST", "/cleura/auth/v2/tokens-by-sms-code",
			`{"login": "`+CleuraSMSUser+`", "verification": "`+ans.Verification+`", "code": `+code+`}`, nil)
	}
	if status, body = verify(`"` + code + `"`); status != 400 || !strings.Contains(body, `"message":"code must be an integer"`) {
		t.Fatalf("quoted code: %d %s", status, body)
	}
	status, body = verify(code)
	var tok map[string]string
	if err := json.Unmarshal([]byte(body), &tok); err != nil || status != 200 || len(tok) != 1 || len(tok["token"]) != 32 {
		t.Fatalf("tokens-by-sms-code: %d %s", status, body)
	}
	auth := map[string]string{"X-Auth-Login": CleuraSMSUser, "X-Auth-Token": tok["token"]}
	if status, _ = cleuraCall(t, srv, "POST", "/cleura/auth/v2/tokens/validate", "", auth); status != 204 {
		t.Errorf("validate: %d", status)
	}
	// A token from v2 is a token: the v1 and data endpoints take it too.
	if status, _ = cleuraCall(t, srv, "GET", "/cleura/accesscontrol/v1/openstack/domains", "", auth); status != 200 {
		t.Errorf("domains: %d", status)
	}
	if status, _ = cleuraCall(t, srv, "DELETE", "/cleura/auth/v2/tokens", "", auth); status != 204 {
		t.Errorf("revoke: %d", status)
	}
	status, body = cleuraCall(t, srv, "POST", "/cleura/auth/v2/tokens/validate", "", auth)
	if status != 401 || body != `{"error":{"code":401,"message":"Invalid token"}}` {
		t.Errorf("validate after revoke: %d %s", status, body)
	}
	if e.CleuraAuthRequests("v2") != 8 || e.CleuraAuthRequests("v1") != 0 || e.Requests("cleura.login") != 2 || e.Logins("cleura") != 1 {
		t.Errorf("counted v2 %d, v1 %d, cleura.login %d, logins %d", e.CleuraAuthRequests("v2"), e.CleuraAuthRequests("v1"),
			e.Requests("cleura.login"), e.Logins("cleura"))
	}
}

func TestCleuraV2Answers(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	defer srv.Close()
	cases := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"password login", "/cleura/auth/v2/tokens", `{"login": "` + CleuraUser + `", "password": "` + CleuraPassword + `", "two_factor_method": "sms"}`,
			201, `"result":"login_ok"`},
		{"wrong password", "/cleura/auth/v2/tokens", `{"login": "` + CleuraUser + `", "password": "nope"}`,
			400, `{"error":{"code":400,"message":"Login failed"}}`},
		{"v1 body", "/cleura/auth/v2/tokens", `{"auth": {"login": "` + CleuraUser + `", "password": "` + CleuraPassword + `"}}`,
			400, "Missing login or password"},
		{"webauthn", "/cleura/auth/v2/tokens", `{"login": "` + CleuraSMSUser + `", "password": "` + CleuraSMSPassword + `", "two_factor_method": "webauthn"}`,
			400, "Unsupported two_factor_method"},
		{"unknown verification", "/cleura/auth/v2/request-sms-code", `{"login": "` + CleuraSMSUser + `", "verification": "ahb4en3cho"}`,
			400, "Invalid verification"},
		{"missing code", "/cleura/auth/v2/tokens-by-sms-code", `{"login": "` + CleuraSMSUser + `", "verification": "ahb4en3cho"}`,
			400, "Missing login, verification or code"},
		{"validate without a token", "/cleura/auth/v2/tokens/validate", "", 401, "Invalid token"},
	}
	for _, tc := range cases {
		status, body := cleuraCall(t, srv, "POST", tc.path, tc.body, nil)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	// A refused request for a code sends none.
	if n := e.CleuraSMSSent(CleuraSMSUser); n != 0 {
		t.Errorf("SMS sent = %d, want 0", n)
	}
}

// One generation switched off answers like a path the API lacks; the
// other, and the domains endpoint, are served as before.
func TestCleuraAuthAPIKnob(t *testing.T) {
	t.Parallel()
	logins := map[string]string{
		"v1": `{"auth": {"login": "` + CleuraUser + `", "password": "` + CleuraPassword + `"}}`,
		"v2": `{"login": "` + CleuraUser + `", "password": "` + CleuraPassword + `"}`,
	}
	for _, mode := range []string{"both", "v1", "v2"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			e := New()
			srv := httptest.NewServer(e)
			defer srv.Close()
			// Through the control endpoint, as another process would.
			if status, body := cleuraCall(t, srv, "POST", "/_emulator/cleura/auth?api="+mode, "", nil); status != 204 {
				t.Fatalf("control: %d %s", status, body)
			}
			off := 0
			for _, gen := range []string{"v1", "v2"} {
				on := mode == "both" || mode == gen
				status, body := cleuraCall(t, srv, "POST", "/cleura/auth/"+gen+"/tokens", logins[gen], nil)
				var tok struct{ Token string }
				_ = json.Unmarshal([]byte(body), &tok)
				switch {
				case on && tok.Token == "":
					t.Errorf("%s login: %d %s", gen, status, body)
				case !on && (status != 404 || body != `{"error":{"code":404,"message":"not found"}}`):
					t.Errorf("%s login while off: %d %s", gen, status, body)
				}
				if !on {
					off++
					continue
				}
				hdr := map[string]string{"X-AUTH-LOGIN": CleuraUser, "X-AUTH-TOKEN": tok.Token}
				if status, _ := cleuraCall(t, srv, "GET", "/cleura/accesscontrol/v1/openstack/domains", "", hdr); status != 200 {
					t.Errorf("domains with a %s token: %d", gen, status)
				}
			}
			if e.Requests("cleura.unknown") != off || e.Requests("cleura.login") != 2-off {
				t.Errorf("unknown = %d, login = %d; want %d and %d", e.Requests("cleura.unknown"), e.Requests("cleura.login"), off, 2-off)
			}
		})
	}
	if err := New().SetCleuraAuthAPI("v3"); err == nil || !strings.Contains(err.Error(), "use v1, v2 or both") {
		t.Errorf("v3: %v", err)
	}
}
