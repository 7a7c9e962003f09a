package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
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
		// links as rel:startwith, "-" where the link has none (the real
		// "first" link), each with the page size and the sort.
		links, limit, by string
	}{
		// No limit: the documented default of 25, sorted by name as the
		// recorded links say.
		{"", 25, "first:- next:25 last:95", "25", "name"},
		// limit=0 is "all" in the docs.
		{"?limit=0", AbiquoDatacenterCount, "first:- last:0", "0", "name"},
		// Anything above the cap gets the cap.
		{"?limit=100&startwith=50", 50, "first:- previous:0 next:100 last:70", "50", "name"},
		{"?limit=50&startwith=100", 20, "first:- previous:50 last:70", "50", "name"},
		{"?limit=10&startwith=500", 0, "first:- previous:110 last:110", "10", "name"},
		{"?limit=3&by=name", 3, "first:- next:3 last:117", "3", "name"},
		{"?limit=3&by=id", 3, "first:- next:3 last:117", "3", "id"},
	}
	for _, tc := range cases {
		status, header, body := abqGet(t, base+tc.query, accept)
		if status != 200 || header.Get("X-Abiquo-Token") == "" ||
			header.Get("Content-Type") != "application/vnd.abiquo.datacenters+json; version="+AbiquoNewestVersion {
			t.Fatalf("%s: %d %v", tc.query, status, header)
		}
		items := body["collection"].([]any)
		if n := len(items); n != tc.size || body["totalSize"] != float64(AbiquoDatacenterCount) {
			t.Errorf("%s: %d items of %v, want %d", tc.query, n, body["totalSize"], tc.size)
		}
		links := ""
		for _, l := range body["links"].([]any) {
			m := l.(map[string]any)
			u, err := url.Parse(m["href"].(string))
			if err != nil || srv.URL+u.Path != base {
				t.Fatalf("%s: link %v: %v", tc.query, m, err)
			}
			q := u.Query()
			start := q.Get("startwith")
			if start == "" {
				start = "-"
			}
			if q.Get("limit") != tc.limit || q.Get("by") != tc.by {
				t.Errorf("%s: link %v: want limit=%s by=%s", tc.query, m["href"], tc.limit, tc.by)
			}
			links += fmt.Sprintf(" %s:%s", m["rel"], start)
		}
		if links[1:] != tc.links {
			t.Errorf("%s: links %q, want %q", tc.query, links[1:], tc.links)
		}
		// Each page is in the order asked for (name by default); a page
		// from the start begins with the first of that order.
		var names []string
		var ids []float64
		for _, it := range items {
			names = append(names, it.(map[string]any)["name"].(string))
			ids = append(ids, it.(map[string]any)["id"].(float64))
		}
		fromStart := tc.size > 0 && !strings.Contains(tc.query, "startwith")
		switch tc.by {
		case "name":
			if !sort.StringsAreSorted(names) || (fromStart && names[0] != "Amsterdam 1") {
				t.Errorf("%s: by name: %v", tc.query, names)
			}
		case "id":
			if !sort.Float64sAreSorted(ids) || (fromStart && ids[0] != 1001) {
				t.Errorf("%s: by id: %v", tc.query, ids)
			}
		}
	}
	for _, tc := range []struct {
		query, accept string
		status        int
	}{
		{"?limit=-1", "application/vnd.abiquo.datacenters+json", 400},
		{"?startwith=x", "application/vnd.abiquo.datacenters+json", 400},
		{"?by=colour", "application/vnd.abiquo.datacenters+json", 400},
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
	const (
		gen5   = "GEN-5 json"
		plain  = "plain"
		tomcat = "tomcat"
	)
	for _, tc := range []struct {
		name, auth, otp, shape string
		html                   bool
	}{
		{"no credentials", "", "", tomcat, false},
		{"unknown scheme", "Bearer abc", "", tomcat, false},
		{"wrong password", "Basic " + basic(AbiquoAdmin, "wrong"), "", gen5, false},
		{"unknown token", "Token 0000", "", gen5, false},
		// No public source shows a two-factor refusal: a plain 401.
		{"two-factor user without a code", "Basic " + basic(AbiquoTwoFactorUser, AbiquoTwoFactorPassword), "", plain, false},
		{"two-factor user with a wrong code", "Basic " + basic(AbiquoTwoFactorUser, AbiquoTwoFactorPassword), "000000", plain, false},
		{"email user with a wrong code", "Basic " + basic(AbiquoEmailUser, AbiquoEmailPassword), "000000", plain, false},
		{"wrong password as a Tomcat page", "Basic " + basic(AbiquoAdmin, "wrong"), "", tomcat, true},
		{"two-factor refusal as a Tomcat page", "Basic " + basic(AbiquoTwoFactorUser, AbiquoTwoFactorPassword), "", tomcat, true},
	} {
		e.SetAbiquoHTMLErrors(tc.html)
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
		raw := new(strings.Builder)
		_, _ = io.Copy(raw, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("X-Abiquo-Token") != "" || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %v", tc.name, resp.StatusCode, resp.Header)
			continue
		}
		ct := resp.Header.Get("Content-Type")
		switch tc.shape {
		case gen5:
			if ct != abqErrorsCT || raw.String() != `{"collection":[{"code":"GEN-5","message":"Invalid credentials"}]}` {
				t.Errorf("%s: %s %s", tc.name, ct, raw)
			}
		case plain:
			if raw.Len() != 0 || resp.Header.Get("WWW-Authenticate") != `Token realm="Abiquo"` {
				t.Errorf("%s: want a plain 401, got %s %q", tc.name, ct, raw)
			}
		case tomcat:
			if !strings.HasPrefix(ct, "text/html") || !strings.Contains(raw.String(), "<title>HTTP Status 401 – Unauthorized</title>") ||
				!strings.Contains(raw.String(), "Apache Tomcat") {
				t.Errorf("%s: want Tomcat's page, got %s %q", tc.name, ct, raw)
			}
		}
	}
	if e.Logins("abiquo") != 0 {
		t.Errorf("refused requests counted as logins: %d", e.Logins("abiquo"))
	}
	// A 403 as Tomcat's page, too.
	e.SetAbiquoHTMLErrors(true)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/abiquo/api/admin/datacenters", nil)
	req.SetBasicAuth(AbiquoUser, AbiquoUserPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("403: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestAbiquoEmailCodes(t *testing.T) {
	t.Parallel()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	login := func(code string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/abiquo/api/login", nil)
		req.SetBasicAuth(AbiquoEmailUser, AbiquoEmailPassword)
		if code != "" {
			req.Header.Set("X-Abiquo-OTP", code)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if _, ok := e.AbiquoEmailCode(AbiquoEmailUser); ok || e.AbiquoEmailsSent(AbiquoEmailUser) != 0 {
		t.Fatal("a code before any login")
	}
	// A login without a code mails one and is refused.
	if s := login(""); s != 401 || e.AbiquoEmailsSent(AbiquoEmailUser) != 1 {
		t.Fatalf("first login: %d, %d mails", s, e.AbiquoEmailsSent(AbiquoEmailUser))
	}
	first, _ := e.AbiquoEmailCode(AbiquoEmailUser)
	if len(first) != 6 {
		t.Fatalf("code %q", first)
	}
	// Each login without a code mails a new one; only the newest counts.
	login("")
	second, _ := e.AbiquoEmailCode(AbiquoEmailUser)
	if e.AbiquoEmailsSent(AbiquoEmailUser) != 2 {
		t.Fatalf("%d mails", e.AbiquoEmailsSent(AbiquoEmailUser))
	}
	if first != second {
		if s := login(first); s != 401 {
			t.Errorf("an older code: %d, want 401", s)
		}
	}
	// A wrong code mails nothing.
	if s := login("999999x"); s != 401 || e.AbiquoEmailsSent(AbiquoEmailUser) != 2 {
		t.Errorf("wrong code: %d, %d mails", s, e.AbiquoEmailsSent(AbiquoEmailUser))
	}
	if s := login(second); s != 200 {
		t.Fatalf("the newest code: %d", s)
	}
	// Valid again within its minute, as a time-step code is.
	e.Advance(AbiquoEmailCodeLifetime - 5*time.Second)
	if s := login(second); s != 200 {
		t.Errorf("the code again within its minute: %d", s)
	}
	e.Advance(10 * time.Second)
	if s := login(second); s != 401 {
		t.Errorf("an expired code: %d", s)
	}
	if e.Logins("abiquo") != 2 {
		t.Errorf("logins = %d, want 2", e.Logins("abiquo"))
	}
	// The mailbox over HTTP, for people.
	resp, err := http.Get(srv.URL + "/_emulator/abiquo/email?user=" + AbiquoEmailUser)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Code string }
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got.Code != second {
		t.Errorf("mailbox shows %q", got.Code)
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
