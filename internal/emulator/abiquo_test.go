package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// abqGet answers the status, headers and JSON body of an admin GET.
func abqGet(t *testing.T, url string, h map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth(AbiquoAdmin, AbiquoAdminPassword)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, resp.Header, body
}

func TestAbiquoPageLinksAndLimits(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New())
	t.Cleanup(srv.Close)
	base := srv.URL + "/abiquo/api/admin/datacenters"
	accept := map[string]string{"Accept": "application/vnd.abiquo.datacenters+json"}
	cases := []struct {
		query string
		size  int
		links string
	}{
		// No limit: the documented default of 25.
		{"", 25, "first:0 next:25 last:95"},
		// limit=0 ("all") and anything above the cap get the cap.
		{"?limit=0", 50, "first:0 next:50 last:70"},
		{"?limit=100&startwith=50", 50, "first:0 previous:0 next:100 last:70"},
		{"?limit=50&startwith=100", 20, "first:0 previous:50 last:70"},
		{"?limit=10&startwith=500", 0, "first:0 previous:490 last:110"},
	}
	for _, tc := range cases {
		status, header, body := abqGet(t, base+tc.query, accept)
		if status != 200 || header.Get("X-Abiquo-Token") == "" ||
			header.Get("Content-Type") != "application/vnd.abiquo.datacenters+json; version="+AbiquoNewestVersion {
			t.Fatalf("%s: %d %v", tc.query, status, header)
		}
		if n := len(body["collection"].([]any)); n != tc.size || body["totalSize"] != float64(AbiquoDatacenterCount) {
			t.Errorf("%s: %d items of %v, want %d", tc.query, n, body["totalSize"], tc.size)
		}
		links := ""
		for _, l := range body["links"].([]any) {
			m := l.(map[string]any)
			var start, limit int
			if _, err := fmt.Sscanf(m["href"].(string), base+"?startwith=%d&limit=%d", &start, &limit); err != nil {
				t.Fatalf("%s: link %v: %v", tc.query, m, err)
			}
			links += fmt.Sprintf(" %s:%d", m["rel"], start)
		}
		if links[1:] != tc.links {
			t.Errorf("%s: links %q, want %q", tc.query, links[1:], tc.links)
		}
	}
	for _, tc := range []struct {
		query, accept string
		status        int
	}{
		{"?limit=-1", "application/vnd.abiquo.datacenters+json", 400},
		{"?startwith=x", "application/vnd.abiquo.datacenters+json", 400},
		{"", "application/vnd.abiquo.user+json", 406},
		{"", "application/vnd.abiquo.datacenters+json; version=4.1", 406},
		{"", "application/vnd.abiquo.datacenters+json; version=4.2", 200},
		{"", "application/vnd.abiquo.datacenters; version=6.1", 200},
	} {
		status, header, body := abqGet(t, base+tc.query, map[string]string{"Accept": tc.accept})
		if status != tc.status {
			t.Errorf("%s %s: status %d, want %d (%v)", tc.query, tc.accept, status, tc.status, body)
		}
		if tc.status != 200 && header.Get("Content-Type") != abqErrorsCT {
			t.Errorf("%s %s: error Content-Type %q", tc.query, tc.accept, header.Get("Content-Type"))
		}
	}
}

func TestAbiquoUnauthorizedAnswers(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name, auth, otp, code string
	}{
		{"no credentials", "", "", "GEN-5"},
		{"unknown token", "Token 0000", "", "GEN-5"},
		{"two-factor user without a code", "Basic " + basic(AbiquoTwoFactorUser, AbiquoTwoFactorPassword), "", "2FA-REQUIRED"},
		{"two-factor user with a wrong code", "Basic " + basic(AbiquoTwoFactorUser, AbiquoTwoFactorPassword), "000000", "2FA-INVALID"},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/abiquo/api/login", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		if tc.otp != "" {
			req.Header.Set("X-Abiquo-OTP", tc.otp)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Collection []struct{ Code, Message string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Token realm="Abiquo"` || resp.Header.Get("X-Abiquo-Token") != "" ||
			len(body.Collection) != 1 || body.Collection[0].Code != tc.code {
			t.Errorf("%s: %d %v %+v", tc.name, resp.StatusCode, resp.Header, body)
		}
	}
	if e.Logins("abiquo") != 0 {
		t.Errorf("refused requests counted as logins: %d", e.Logins("abiquo"))
	}
}

func basic(user, password string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(user, password)
	return req.Header.Get("Authorization")[len("Basic "):]
}

// abqDo sends one request and answers the status, the new token and the
// JSON body.
func abqDo(t *testing.T, method, url, auth string) (int, string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, resp.Header.Get("X-Abiquo-Token"), body
}

func TestAbiquoSessions(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New())
	t.Cleanup(srv.Close)
	api := srv.URL + "/abiquo/api"
	adminBasic := "Basic " + basic(AbiquoAdmin, AbiquoAdminPassword)
	_, first, _ := abqDo(t, http.MethodGet, api+"/login", adminBasic)
	_, second, _ := abqDo(t, http.MethodGet, api+"/login", adminBasic)
	status, _, body := abqDo(t, http.MethodGet, api+"/login/sessions", "Token "+second)
	list, _ := body["collection"].([]any)
	if status != 200 || len(list) != 2 {
		t.Fatalf("sessions: %d %v", status, body)
	}
	key := list[0].(map[string]any)["key"].(string)
	if s, _, _ := abqDo(t, http.MethodDelete, api+"/login/sessions/1/"+key, "Token "+second); s != 204 {
		t.Fatalf("delete one session: %d", s)
	}
	// The first login's session is gone with every token of it; the second
	// still works.
	if s, _, _ := abqDo(t, http.MethodGet, api+"/login", "Token "+first); s != 401 {
		t.Errorf("token of the ended session: %d, want 401", s)
	}
	if s, _, _ := abqDo(t, http.MethodGet, api+"/login", "Token "+second); s != 200 {
		t.Errorf("token of the other session: %d, want 200", s)
	}
	if s, _, _ := abqDo(t, http.MethodDelete, api+"/login/sessions/1/"+key, "Token "+second); s != 404 {
		t.Errorf("deleting it again: %d, want 404", s)
	}
	// A user without privileges may end only their own sessions.
	_, userToken, _ := abqDo(t, http.MethodGet, api+"/login", "Basic "+basic(AbiquoUser, AbiquoUserPassword))
	if s, _, _ := abqDo(t, http.MethodDelete, api+"/login/sessions/users/1", "Token "+userToken); s != 403 {
		t.Errorf("ending another user's sessions: %d, want 403", s)
	}
	if s, _, _ := abqDo(t, http.MethodDelete, api+"/login/sessions/users/4", "Token "+userToken); s != 204 {
		t.Errorf("ending one's own sessions: %d, want 204", s)
	}
	if s, _, _ := abqDo(t, http.MethodGet, api+"/login", "Token "+userToken); s != 401 {
		t.Errorf("token after ending one's sessions: %d, want 401", s)
	}
}
