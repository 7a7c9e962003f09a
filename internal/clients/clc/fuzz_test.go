package clc

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// fuzzAPI answers the login and then whatever the fuzzer chose for the
// data center and group reads. Seeds (the documented answers) live in
// testdata/fuzz.
type fuzzAPI struct {
	mu              sync.Mutex
	login, dc, grp  []byte
	dcStatus, grpSt int
}

func (a *fuzzAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case strings.HasSuffix(r.URL.Path, "/authentication/login"):
		w.Write(a.login)
	case strings.HasPrefix(r.URL.Path, "/v2/datacenters/"):
		w.WriteHeader(a.dcStatus)
		w.Write(a.dc)
	default:
		w.WriteHeader(a.grpSt)
		w.Write(a.grp)
	}
}

func statusOf(b byte) int {
	return []int{200, 200, 200, 401, 403, 404, 400, 500}[int(b)%8]
}

// FuzzRootGroup: whatever the data center and group answers are, the
// client returns a group or an error, never panics, and never shows the
// password or the token in an error.
func FuzzRootGroup(f *testing.F) {
	api := &fuzzAPI{login: []byte(`{"userName":"u@x","accountAlias":"ACME","locationAlias":"WA1","roles":[],"bearerToken":"fuzz-bearer-token-0001"}`)}
	srv := httptest.NewServer(api)
	f.Cleanup(srv.Close)
	// One client for every input, so connections are reused; its
	// remembered reads are forgotten before each input.
	c, err := New(Config{
		HTTP:     httpx.Config{BaseURL: srv.URL, MaxRetries: 0},
		Username: "u@x", Password: "fuzz-password-0002",
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, dc, grp []byte, dcStatus, grpStatus byte) {
		api.mu.Lock()
		api.dc, api.grp, api.dcStatus, api.grpSt = dc, grp, statusOf(dcStatus), statusOf(grpStatus)
		api.mu.Unlock()
		c.roots.Forget()
		c.dcs.Forget()
		if statusOf(dcStatus) == http.StatusUnauthorized || statusOf(grpStatus) == http.StatusUnauthorized {
			// A refused token makes the client log in again, and the
			// token source allows 3 logins a minute: without a fresh one
			// for such inputs, the fuzzer would stall on the limit.
			c.tokens = httpx.NewTokenSource(c.login)
			c.auth.Tokens = c.tokens
		}
		g, err := c.RootGroup(context.Background(), "", "")
		if err != nil {
			if s := err.Error(); strings.Contains(s, "fuzz-password-0002") || strings.Contains(s, "fuzz-bearer-token-0001") {
				t.Fatalf("error shows a secret: %v", err)
			}
			var nf *NotFoundError
			if errors.As(err, &nf) && nf.DataCenter != "WA1" {
				t.Fatalf("not-found names %q", nf.DataCenter)
			}
			return
		}
		if g.AccountAlias != "ACME" {
			t.Fatalf("the account alias is %q, not the login's", g.AccountAlias)
		}
	})
}

// FuzzTokenExpiry: whatever the JWT payload holds, the decoder never
// panics, and it finds an expiry exactly when the payload is a JSON object
// whose exp is a number of seconds in range (encoding/json is the
// reference). Seeds live in testdata/fuzz.
func FuzzTokenExpiry(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		_, _ = tokenExpiry(string(payload)) // as a whole token, too
		got, ok := tokenExpiry(jwt(string(payload)))
		_ = tokenClaims(jwt(string(payload))) // never panics either

		var claims map[string]any
		err := json.Unmarshal(payload, &claims)
		exp, isNum := claims["exp"].(float64)
		usable := err == nil && claims != nil && isNum && exp > 0 && exp < maxExp
		if ok != usable {
			t.Fatalf("payload %q: decoder says %v (%v), reference says %v", payload, ok, got, usable)
		}
		if !ok {
			if !got.IsZero() {
				t.Fatalf("no expiry, but a time %v", got)
			}
			return
		}
		secs := float64(got.Unix()) + float64(got.Nanosecond())/1e9
		if d := secs - exp; math.Abs(d) > 1e-3*math.Max(1, exp/1e9) {
			t.Fatalf("payload %q: expiry %v is %vs off exp %v", payload, got, d, exp)
		}
	})
}
