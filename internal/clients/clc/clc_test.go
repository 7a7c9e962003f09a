package clc_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/clc"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

func setup(t *testing.T, user, password, alias string) (*clc.Client, *emulator.Emulator) {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	c, err := clc.New(clc.Config{
		HTTP:         httpx.Config{BaseURL: srv.URL + "/clc", MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond},
		Username:     user,
		Password:     password,
		AccountAlias: alias,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, e
}

func TestRootGroupDefaultsToLoginLocation(t *testing.T) {
	t.Parallel()
	c, e := setup(t, emulator.CLCUser, emulator.CLCPassword, "")
	g, err := c.RootGroup(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "WA1 Hardware" || g.LocationID != "WA1" || g.DataCenterName != "US West (Seattle)" || g.AccountAlias != "ACME" {
		t.Fatalf("root group = %+v", g)
	}
	if len(g.Groups) != 3 || g.Groups[0].Name != "Web Applications" || g.Groups[0].ServersCount != 2 || len(g.Groups[0].Groups) != 1 {
		t.Fatalf("children = %+v", g.Groups)
	}
	if g.ChangeInfo.CreatedBy == "" || len(g.CustomFields) != 1 {
		t.Fatalf("changeInfo/customFields not decoded: %+v", g)
	}
	if e.Requests("clc") != 3 || e.Requests("clc.datacenters.list") != 1 || e.Requests("clc.group.get") != 1 {
		t.Errorf("requests = %v, want 3 (login, data center list, group)", e.Counters().Requests)
	}
}

func TestIdenticalReadsAreMadeOnce(t *testing.T) {
	t.Parallel()
	c, e := setup(t, emulator.CLCUser, emulator.CLCPassword, "")
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			dc := []string{"wa1", "VA1"}[i%2]
			if _, err := c.RootGroup(context.Background(), "", dc); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if e.Logins("clc") != 1 {
		t.Errorf("logins = %d, want 1", e.Logins("clc"))
	}
	if got := e.Requests("clc.datacenters.list"); got != 1 {
		t.Errorf("data center list reads = %d, want 1 (shared by both data centers)", got)
	}
	if got := e.Requests("clc.group.get"); got != 2 {
		t.Errorf("group reads = %d, want 2", got)
	}
	if got := e.Requests("clc"); got != 4 {
		t.Errorf("requests = %v, want 4", e.Counters().Requests)
	}
}

// The minimum per plan: the login, one data center list for the account,
// and one group read per data center (BENCHMARKS.md).
func TestRootGroupsOfOneAccountShareTheList(t *testing.T) {
	t.Parallel()
	c, e := setup(t, emulator.CLCUser, emulator.CLCPassword, "")
	want := map[string]struct {
		name    string
		servers int64
	}{
		"WA1": {"US West (Seattle)", 3}, "va1": {"US East (Sterling)", 3}, "De1": {"Germany (Frankfurt)", 0},
	}
	var wg sync.WaitGroup
	for dc, w := range want {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := c.RootGroup(context.Background(), "", dc)
			if err != nil {
				t.Error(err)
				return
			}
			id := strings.ToUpper(dc)
			if g.DataCenterID != id || g.DataCenterName != w.name || g.Name != id+" Hardware" || g.LocationID != id || g.ServersCount != w.servers {
				t.Errorf("%s: %+v", dc, g)
			}
		}()
	}
	wg.Wait()
	got := e.Counters().Requests
	if e.Requests("clc") != 5 || got["clc.login"] != 1 || got["clc.datacenters.list"] != 1 || got["clc.group.get"] != 3 {
		t.Errorf("requests = %v, want 5: login, list, three groups", got)
	}
}

// A list that carries no group links (an API that ignores groupLinks
// there) costs one data center read more, not a failure.
func TestListWithoutGroupLinks(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v2/authentication/login":
			fmt.Fprint(w, `{"userName":"u@x","accountAlias":"ACME","locationAlias":"WA1","roles":[],"bearerToken":"t"}`)
		case "/v2/datacenters/ACME":
			fmt.Fprint(w, `[{"id":"wa1","name":"Seattle","links":[{"rel":"self","href":"/v2/datacenters/acme/wa1"}]}]`)
		case "/v2/datacenters/ACME/wa1":
			fmt.Fprint(w, `{"id":"WA1","name":"Seattle","links":[{"rel":"group","href":"/v2/groups/acme/root1","name":"WA1 Hardware"}]}`)
		case "/v2/groups/ACME/root1":
			fmt.Fprint(w, `{"id":"root1","name":"WA1 Hardware","locationId":"WA1","serversCount":27}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"The requested resource does not exist."}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := clc.New(clc.Config{HTTP: httpx.Config{BaseURL: srv.URL}, Username: "u@x", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.RootGroup(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != "root1" || g.ServersCount != 27 || g.DataCenterID != "WA1" || g.DataCenterName != "Seattle" {
		t.Errorf("root group = %+v", g)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen["/v2/datacenters/ACME"] != 1 || seen["/v2/datacenters/ACME/wa1"] != 1 || seen["/v2/groups/ACME/root1"] != 1 {
		t.Errorf("requests = %v", seen)
	}
}

func TestWrongPasswordShowsTheAPIMessage(t *testing.T) {
	t.Parallel()
	c, e := setup(t, emulator.CLCUser, "wrong-password-123", "")
	_, err := c.RootGroup(context.Background(), "", "")
	var le *clc.LoginError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "We didn't recognize the username or password you entered. Please try again.") {
		t.Errorf("the API's message is missing: %v", err)
	}
	if strings.Contains(err.Error(), "wrong-password-123") {
		t.Errorf("the password leaked: %v", err)
	}
	_, _ = c.RootGroup(context.Background(), "", "VA1")
	if got := e.Requests("clc.login"); got != 1 {
		t.Errorf("a refused login was repeated: %d", got)
	}
}

func TestUnknownDataCenterListsTheAccountsOnes(t *testing.T) {
	t.Parallel()
	c, e := setup(t, emulator.CLCUser, emulator.CLCPassword, "")
	_, err := c.RootGroup(context.Background(), "", "XX9")
	var nf *clc.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v", err)
	}
	if want := `account ACME has no data center "XX9"; it has: DE1, VA1, WA1`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if e.Requests("clc") != 2 || e.Requests("clc.datacenters.list") != 1 {
		t.Errorf("requests = %v, want the login and the list", e.Counters().Requests)
	}
}

func TestForeignAccountAlias(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, emulator.CLCUser, emulator.CLCPassword, "BETA")
	_, err := c.RootGroup(context.Background(), "", "VA1")
	var ae *clc.AccessError
	if !errors.As(err, &ae) || ae.AccountAlias != "BETA" {
		t.Fatalf("err = %v", err)
	}
}

func TestExpiredTokenLogsInOnceMore(t *testing.T) {
	t.Parallel()
	c, e := setup(t, emulator.CLCUser, emulator.CLCPassword, "")
	if _, err := c.RootGroup(context.Background(), "", "WA1"); err != nil {
		t.Fatal(err)
	}
	e.Advance(15 * 24 * time.Hour) // past the two weeks
	if _, err := c.RootGroup(context.Background(), "", "VA1"); err != nil {
		t.Fatal(err)
	}
	if e.Logins("clc") != 2 {
		t.Errorf("logins = %d, want 2", e.Logins("clc"))
	}
}

// The bearer token is a JWT: its exp is the token's expiry, for the token
// source (renewal) and for Credential.
func TestCredentialExpiresAtFromTheJWT(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		lifetime time.Duration
	}{
		{"the API's two weeks", 0},
		{"a shorter lifetime", 2 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, e := setup(t, emulator.CLCUser, emulator.CLCPassword, "")
			want := clc.TokenLifetime
			if tc.lifetime != 0 {
				e.SetTokenLifetime("clc", tc.lifetime)
				want = tc.lifetime
			}
			before := time.Now()
			cr, err := c.Credential(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if lo, hi := before.Add(want-time.Second), time.Now().Add(want); cr.ExpiresAt.Before(lo) || cr.ExpiresAt.After(hi) {
				t.Errorf("ExpiresAt = %v, want between %v and %v", cr.ExpiresAt, lo, hi)
			}
		})
	}
}

// The JWT's expiry is used, not only shown: it sets when the token is
// renewed. A 30-second token is to be renewed a third of its lifetime
// before its exp, and handed out again until then (one login).
func TestShortLivedTokenIsRenewedBeforeItExpires(t *testing.T) {
	t.Parallel()
	c, e := setup(t, emulator.CLCUser, emulator.CLCPassword, "")
	e.SetTokenLifetime("clc", 30*time.Second)
	var cr cred.Credential
	for i := 0; i < 2; i++ {
		var err error
		if cr, err = c.Credential(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if e.Logins("clc") != 1 {
		t.Errorf("logins = %d, want 1: a token with 30 s left is good for the next read", e.Logins("clc"))
	}
	// exp is whole seconds; the login's own time is not.
	if d := cr.ExpiresAt.Sub(cr.RenewAt); d < 9*time.Second || d > 11*time.Second {
		t.Errorf("RenewAt = %v, ExpiresAt = %v: want renewal a third of the 30 s lifetime (10 s) before the JWT's exp", cr.RenewAt, cr.ExpiresAt)
	}
}

// A token that is not a JWT, or whose exp is unusable, has no known
// expiry; it is used until the API refuses it.
func TestTokenWithoutUsableExpiry(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding
	jwt := func(payload string) string {
		return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload)) + ".c2ln"
	}
	for name, token := range map[string]string{
		"opaque":       "a5c0b9662cf4fc8bf6180f139facdc0a5c0b9662cf4fc8bf",
		"no exp":       jwt(`{"unique_name":"u@x","nbf":1431340000}`),
		"exp past":     jwt(`{"unique_name":"u@x","exp":1432549600}`),
		"exp a string": jwt(`{"exp":"4102444800"}`),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"userName":"u@x","accountAlias":"ACME","locationAlias":"WA1","roles":[],"bearerToken":%q}`, token)
			}))
			t.Cleanup(srv.Close)
			c, err := clc.New(clc.Config{HTTP: httpx.Config{BaseURL: srv.URL}, Username: "u@x", Password: "p"})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				cr, err := c.Credential(context.Background())
				if err != nil || cr.Token != token || !cr.ExpiresAt.IsZero() {
					t.Fatalf("credential = %v, expires %v, %v", cr.Token == token, cr.ExpiresAt, err)
				}
			}
		})
	}
}
