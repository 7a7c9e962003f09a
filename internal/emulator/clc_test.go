package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// clcWorld is an emulator with a logged-in CLC demo user.
type clcWorld struct {
	e     *Emulator
	srv   *httptest.Server
	token string
}

func newCLCWorld(t *testing.T) *clcWorld {
	t.Helper()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	w := &clcWorld{e: e, srv: srv}
	status, body := w.call(t, "POST", "/clc/v2/authentication/login", `{"username":"`+CLCUser+`","password":"`+CLCPassword+`"}`)
	var lr struct{ BearerToken string }
	if err := json.Unmarshal([]byte(body), &lr); err != nil || status != 200 || lr.BearerToken == "" {
		t.Fatalf("login: %d %s", status, body)
	}
	w.token = lr.BearerToken
	return w
}

func (w *clcWorld) call(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *clcWorld) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	status, body := w.call(t, "GET", path, "")
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

type clcTestLink struct{ Rel, Href, ID, Name string }

type clcTestGroup struct {
	ID, Name, Type string
	ServersCount   int
	Groups         []clcTestGroup
	Links          []clcTestLink
}

func rels(links []clcTestLink) map[string]clcTestLink {
	out := map[string]clcTestLink{}
	for _, l := range links {
		out[l.Rel] = l
	}
	return out
}

func TestCLCBearerTokenIsASignedJWT(t *testing.T) {
	t.Parallel()
	for _, lifetime := range []time.Duration{0, time.Hour} {
		w := &clcWorld{e: New()}
		w.srv = httptest.NewServer(w.e)
		defer w.srv.Close()
		want := DefaultLifetimes["clc"]
		if lifetime != 0 {
			w.e.SetTokenLifetime("clc", lifetime)
			want = lifetime
		}
		status, body := w.call(t, "POST", "/clc/v2/authentication/login", `{"username":"`+CLCUser+`","password":"`+CLCPassword+`"}`)
		var lr struct{ BearerToken string }
		if err := json.Unmarshal([]byte(body), &lr); err != nil || status != 200 {
			t.Fatalf("login: %d %s", status, body)
		}
		parts := strings.Split(lr.BearerToken, ".")
		if len(parts) != 3 {
			t.Fatalf("token has %d parts", len(parts))
		}
		enc := base64.RawURLEncoding
		header, err1 := enc.DecodeString(parts[0])
		payload, err2 := enc.DecodeString(parts[1])
		sig, err3 := enc.DecodeString(parts[2])
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("not base64url: %v %v %v", err1, err2, err3)
		}
		var h struct{ Alg, Typ string }
		if err := json.Unmarshal(header, &h); err != nil || h.Alg != "HS256" || h.Typ != "JWT" {
			t.Errorf("header = %s", header)
		}
		mac := hmac.New(sha256.New, stateOf(w.e, "clc", newCLCState).key)
		mac.Write([]byte(parts[0] + "." + parts[1]))
		if !hmac.Equal(sig, mac.Sum(nil)) {
			t.Error("the signature does not verify with the emulator's key")
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]any{
			"urn:tier3:account-alias": CLCAccount, "urn:tier3:location-alias": CLCLocation,
			"unique_name": CLCUser, "iss": clcIssuer, "aud": clcAudience,
		} {
			if claims[k] != v {
				t.Errorf("claim %s = %v, want %v", k, claims[k], v)
			}
		}
		if roles, ok := claims["role"].([]any); !ok || len(roles) != 2 || roles[0] != "ServerAdmin" || roles[1] != "AccountAdmin" {
			t.Errorf("role = %v, want the array [ServerAdmin AccountAdmin]", claims["role"])
		}
		for _, k := range []string{"urn:tier3:username", "urn:tier3:role"} {
			if v, ok := claims[k]; ok {
				t.Errorf("claim %s = %v: real tokens carry no such claim", k, v)
			}
		}
		nbf, _ := claims["nbf"].(float64)
		exp, _ := claims["exp"].(float64)
		if time.Duration(exp-nbf)*time.Second != want {
			t.Errorf("exp - nbf = %vs, want %v", exp-nbf, want)
		}
		if d := time.Since(time.Unix(int64(nbf), 0)); d < -time.Second || d > time.Minute {
			t.Errorf("nbf is %v away from now", d)
		}
	}
}

func TestCLCDataCenterListAsRecorded(t *testing.T) {
	t.Parallel()
	w := newCLCWorld(t)
	type dc struct {
		ID, Name string
		Links    []clcTestLink
	}
	var plain, withGroups []dc
	w.getJSON(t, "/clc/v2/datacenters/ACME", &plain)
	w.getJSON(t, "/clc/v2/datacenters/acme?groupLinks=true", &withGroups)
	if len(plain) != 3 || len(withGroups) != 3 {
		t.Fatalf("lists: %+v %+v", plain, withGroups)
	}
	for i, d := range plain {
		if d.ID != strings.ToLower(d.ID) || d.Links[0].Href != "/v2/datacenters/acme/"+d.ID {
			t.Errorf("entry %d not in lower case: %+v", i, d)
		}
		if _, ok := rels(d.Links)["group"]; ok {
			t.Errorf("%s: group link without groupLinks=true", d.ID)
		}
		g, ok := rels(withGroups[i].Links)["group"]
		if !ok || g.ID == "" || g.Href != "/v2/groups/acme/"+g.ID || g.Name != strings.ToUpper(d.ID)+" Hardware" {
			t.Errorf("%s: root group link = %+v", d.ID, g)
		}
		// The link leads to the same group as the data center's own answer.
		var one dc
		w.getJSON(t, "/clc/v2/datacenters/ACME/"+strings.ToUpper(d.ID)+"?groupLinks=true", &one)
		if rels(one.Links)["group"].ID != g.ID {
			t.Errorf("%s: list and data center disagree on the root group", d.ID)
		}
	}
}

func TestCLCGroupsAsRecorded(t *testing.T) {
	t.Parallel()
	w := newCLCWorld(t)
	var one struct{ Links []clcTestLink }
	w.getJSON(t, "/clc/v2/datacenters/acme/wa1?groupLinks=true", &one)
	rootID := rels(one.Links)["group"].ID
	var root clcTestGroup
	w.getJSON(t, "/clc/v2/groups/ACME/"+strings.ToUpper(rootID), &root)
	// WA1: Web Applications 2 (Training Environment 0), Archive 0, Templates 1.
	if root.ID != rootID || root.ServersCount != 3 {
		t.Errorf("root %s serversCount = %d, want 3 (its subtree)", root.Name, root.ServersCount)
	}
	cases := []struct {
		name, typ string
		servers   int
		system    bool
	}{
		{"Web Applications", "default", 2, false},
		{"Archive", "archive", 0, true},
		{"Templates", "templates", 1, true},
	}
	if len(root.Groups) != len(cases) {
		t.Fatalf("children = %+v", root.Groups)
	}
	for i, tc := range cases {
		g := root.Groups[i]
		l := rels(g.Links)
		_, create := l["createGroup"]
		_, createServer := l["createServer"]
		if g.Name != tc.name || g.Type != tc.typ || g.ServersCount != tc.servers || create == tc.system || createServer == tc.system {
			t.Errorf("group %d = %s type %s servers %d createGroup %v createServer %v; want %+v", i, g.Name, g.Type, g.ServersCount, create, createServer, tc)
		}
		if l["parentGroup"].ID != rootID {
			t.Errorf("%s: parent = %+v", g.Name, l["parentGroup"])
		}
	}
}

func TestCLCNotFound(t *testing.T) {
	t.Parallel()
	w := newCLCWorld(t)
	for _, path := range []string{"/clc/v2/datacenters/acme/xx9", "/clc/v2/groups/acme/00000000000000000000000000000000"} {
		status, body := w.call(t, "GET", path, "")
		if status != 404 || body != `{"message":"The requested resource does not exist."}` {
			t.Errorf("%s: %d %s", path, status, body)
		}
	}
}
