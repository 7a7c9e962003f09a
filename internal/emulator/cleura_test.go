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
