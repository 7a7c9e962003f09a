package cleura_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// With the default setting every call works against a server of either
// generation, and a v1-only server costs one extra request per client,
// however many auth calls the client makes.
func TestEveryCallWorksWithEitherServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			v := start(t, srv.api)
			c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Password: emulator.CleuraSMSPassword})
			ans, err := c.CreateToken(ctx, cleura.TwoFactorSMS)
			if err != nil || ans.Result != cleura.ResultTwoFactorRequired {
				t.Fatalf("create token: %+v, %v", ans, err)
			}
			if err := c.RequestSMSCode(ctx, ans.Verification); err != nil {
				t.Fatal(err)
			}
			code, _ := v.e.CleuraSMSCode(emulator.CleuraSMSUser)
			n, _ := cleura.ParseCode(code)
			tok, err := c.VerifySMSCode(ctx, ans.Verification, n)
			if err != nil || len(tok) != 32 {
				t.Fatalf("verify: %v", err)
			}
			if err := c.Validate(ctx, tok); err != nil {
				t.Fatalf("validate: %v", err)
			}
			// The token, given to a client of its own, reads the domains.
			reader := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Token: tok})
			if list, err := reader.Domains(ctx); err != nil || len(list) != 3 {
				t.Fatalf("domains: %d, %v", len(list), err)
			}
			if err := c.Revoke(ctx, tok); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			if err := c.Validate(ctx, tok); !cleura.IsInvalidToken(err) {
				t.Errorf("validate after revoke: %v", err)
			}
			if c.AuthAPI() != srv.speaks {
				t.Errorf("speaks %q, want %q", c.AuthAPI(), srv.speaks)
			}
			// create, request, verify, validate, revoke, validate
			if got := v.e.CleuraAuthRequests(srv.speaks); got != 6 {
				t.Errorf("%s requests = %d, want 6", srv.speaks, got)
			}
			if got := v.e.Requests("cleura.unknown"); got != srv.probe {
				t.Errorf("requests to the missing generation = %d, want %d", got, srv.probe)
			}
		})
	}
}

func TestChosenAuthAPI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, setting, server string
		want                  []string // AuthAPIMissingError.Tried; nil: works
		msg                   string
	}{
		{"v1 on a server with both", "v1", emulator.CleuraAuthBoth, nil, ""},
		{"v2 spelled loosely", " V2 ", emulator.CleuraAuthV2, nil, ""},
		{"v2 on a v1-only server", "v2", emulator.CleuraAuthV1, []string{"v2"},
			"has no Cleura Cloud auth API v2 (/auth/v2 answers HTTP 404). Choose the auth API v1, or leave the choice unset"},
		{"v1 on a v2-only server", "v1", emulator.CleuraAuthV2, []string{"v1"},
			"has no Cleura Cloud auth API v1 (/auth/v1 answers HTTP 404). Choose the auth API v2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := start(t, tc.server)
			c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword, AuthAPI: tc.setting})
			_, err := c.Domains(context.Background())
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if gen := strings.ToLower(strings.TrimSpace(tc.setting)); v.e.CleuraAuthRequests(gen) != 1 || v.e.Requests("cleura.unknown") != 0 {
					t.Errorf("requests = %v", v.e.Counters().Requests)
				}
				return
			}
			var missing *cleura.AuthAPIMissingError
			if !errors.As(err, &missing) || !reflect.DeepEqual(missing.Tried, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v", err)
			}
			// A chosen generation is never left, and the refusal is remembered.
			_, _ = c.Domains(context.Background())
			if v.e.Requests("cleura") != 1 {
				t.Errorf("requests = %v, want the one refused login", v.e.Counters().Requests)
			}
		})
	}
}

// A URL that is not the REST API answers 404 to both generations.
func TestNoAuthAPIAtTheURL(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := cleura.New(cleura.Config{HTTP: httpx.Config{BaseURL: srv.URL}, Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Domains(context.Background())
	var missing *cleura.AuthAPIMissingError
	if !errors.As(err, &missing) || !reflect.DeepEqual(missing.Tried, []string{"v2", "v1"}) ||
		!strings.Contains(err.Error(), "/auth/v2 and /auth/v1 both answer HTTP 404. Check the URL") || !httpx.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	_, _ = c.Domains(context.Background())
	if hits.Load() != 2 {
		t.Errorf("requests = %d, want 2 (v2, v1; then remembered)", hits.Load())
	}
}

// A failure that may pass (a 502 from a proxy) does not decide the
// generation; the next call asks v2 again.
func TestPassingFailureDecidesNothing(t *testing.T) {
	t.Parallel()
	v := start(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
	v.e.InjectFault(emulator.Fault{Route: "cleura.login", Status: http.StatusBadGateway, Times: 3})
	if _, err := c.Domains(context.Background()); !httpx.StatusIs(err, http.StatusBadGateway) {
		t.Fatalf("err = %v", err)
	}
	if c.AuthAPI() != cleura.AuthAuto || v.e.CleuraAuthRequests("v1") != 0 {
		t.Fatalf("a 502 settled the generation: %q", c.AuthAPI())
	}
	v.e.ClearFaults()
	if _, err := c.Domains(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.AuthAPI() != cleura.AuthV2 {
		t.Errorf("speaks %q", c.AuthAPI())
	}
}

// A 403 without a readable message (here a proxy's HTML page) is a bad
// token: the client logs in once more and reads again.
func TestForbiddenWithoutMessageIsABadToken(t *testing.T) {
	t.Parallel()
	v := start(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
	v.e.InjectFault(emulator.Fault{Route: "cleura.domains", Kind: "html", Status: http.StatusForbidden})
	if _, err := c.Domains(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v.e.Logins("cleura") != 2 || v.e.Requests("cleura.domains") != 2 {
		t.Errorf("logins = %d, domain reads = %d; want 2 and 2", v.e.Logins("cleura"), v.e.Requests("cleura.domains"))
	}
}

func TestAuthAPISetting(t *testing.T) {
	t.Parallel()
	_, err := cleura.New(cleura.Config{Username: "u", Password: "p", AuthAPI: "v3"})
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) || ce.Attribute != "auth_api" || !strings.Contains(ce.Msg, `"v3"`) {
		t.Fatalf("err = %v", err)
	}
	for in, want := range map[string]string{"": cleura.AuthAuto, "v1": cleura.AuthV1, "V2": cleura.AuthV2} {
		c, err := cleura.New(cleura.Config{Username: "u", Password: "p", AuthAPI: in})
		if err != nil || c.AuthAPI() != want {
			t.Errorf("%q: %v, %v", in, c, err)
		}
	}
}
