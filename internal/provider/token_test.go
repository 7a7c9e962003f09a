package provider_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// withEcho adds the echo provider, which copies its configuration into a
// resource's state: the way to see what an ephemeral value looked like.
func withEcho(f map[string]func() (tfprotov6.ProviderServer, error)) map[string]func() (tfprotov6.ProviderServer, error) {
	f["echo"] = echoprovider.NewProviderServer()
	return f
}

// stateValues finds a resource's values in the state.
func stateValues(state *tfjson.State, address string) (map[string]any, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil, fmt.Errorf("no state")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r.AttributeValues, nil
		}
	}
	return nil, fmt.Errorf("%s is not in the state", address)
}

// jwtExp reads the exp claim of a JWT's payload, without checking its
// signature, as a client does.
func jwtExp(token string) (time.Time, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, fmt.Errorf("the token is not a JWT (%d parts)", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, err
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Exp == 0 {
		return time.Time{}, fmt.Errorf("the JWT has no exp: %w", err)
	}
	return time.Unix(claims.Exp, 0), nil
}

var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// stateCheck is a state check made of a function of the state.
type stateCheck func(*tfjson.State) error

func (f stateCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if err := f(req.State); err != nil {
		resp.Error = err
	}
}

// tokensInState counts how many tokens the emulator issued for a cloud
// appear anywhere in the state.
func tokensInState(e *acctest.Emulator, cloud string, state *tfjson.State) (int, error) {
	b, err := json.Marshal(state)
	if err != nil {
		return 0, err
	}
	issued := e.IssuedTokens(cloud)
	if len(issued) == 0 {
		return 0, fmt.Errorf("the emulator issued no %s token: the test did not log in", cloud)
	}
	n := 0
	for _, t := range issued {
		if strings.Contains(string(b), t) {
			n++
		}
	}
	return n, nil
}

func noTokenInState(e *acctest.Emulator, cloud string) statecheck.StateCheck {
	return stateCheck(func(s *tfjson.State) error {
		n, err := tokensInState(e, cloud, s)
		if err == nil && n > 0 {
			err = fmt.Errorf("the state holds %d issued %s token(s)", n, cloud)
		}
		return err
	})
}

// headersWork sends a request to the emulator with the headers a token
// data source or echoed ephemeral token produced, and expects success.
func headersWork(address string, headersAt []string, url string) statecheck.StateCheck {
	return headersWorkWith(address, headersAt, url, nil)
}

// headersWorkWith adds headers that are not about authentication (an
// Accept media type the API insists on).
func headersWorkWith(address string, headersAt []string, url string, extra map[string]string) statecheck.StateCheck {
	return stateCheck(func(s *tfjson.State) error {
		v, err := stateValues(s, address)
		if err != nil {
			return err
		}
		var raw any = v
		for _, k := range headersAt {
			m, ok := raw.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: no %s", address, k)
			}
			raw = m[k]
		}
		headers, ok := raw.(map[string]any)
		if !ok || len(headers) == 0 {
			return fmt.Errorf("%s: no headers in the state: %v", address, raw)
		}
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		for k, val := range headers {
			req.Header.Set(k, fmt.Sprint(val))
		}
		// A Keystone token is checked by asking Keystone about itself.
		if tok := req.Header.Get("X-Auth-Token"); tok != "" {
			req.Header.Set("X-Subject-Token", tok)
		}
		for k, v := range extra {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s with the token's headers: HTTP %d", url, resp.StatusCode)
		}
		// Without the headers the same request must fail, or the check
		// proves nothing.
		breq, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		for k, v := range extra {
			breq.Header.Set(k, v)
		}
		bare, err := http.DefaultClient.Do(breq)
		if err != nil {
			return err
		}
		bare.Body.Close()
		if bare.StatusCode == http.StatusOK {
			return fmt.Errorf("GET %s succeeds without credentials; the check proves nothing", url)
		}
		return nil
	})
}

func TestAccToken_dataSourceCLC(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(clcUnderTest.provider(e.URL, ""), `
data "cloudauth_token" "clc" {
  cloud = "clc"
}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudauth_token.clc", tfjsonpath.New("principal"), knownvalue.StringExact(emulator.CLCUser)),
				statecheck.ExpectKnownValue("data.cloudauth_token.clc", tfjsonpath.New("endpoint"), knownvalue.StringExact(e.URL+"/clc")),
				// The bearer token is a JWT: expires_at is its exp.
				stateCheck(func(s *tfjson.State) error {
					v, err := stateValues(s, "data.cloudauth_token.clc")
					if err != nil {
						return err
					}
					token, _ := v["token"].(string)
					exp, err := jwtExp(token)
					if err != nil {
						return err
					}
					if got := v["expires_at"]; got != exp.UTC().Format(time.RFC3339) {
						return fmt.Errorf("expires_at = %v, want the JWT's exp %s", got, exp.UTC().Format(time.RFC3339))
					}
					if d := time.Until(exp); d < 13*24*time.Hour || d > 15*24*time.Hour {
						return fmt.Errorf("the JWT expires in %s, want about 14 days", d)
					}
					return nil
				}),
				statecheck.ExpectKnownValue("data.cloudauth_token.clc", tfjsonpath.New("headers"), knownvalue.MapExact(map[string]knownvalue.Check{
					"Authorization": knownvalue.StringRegexp(regexp.MustCompile(`^Bearer eyJ`)),
				})),
				headersWork("data.cloudauth_token.clc", []string{"headers"}, e.URL+"/clc/v2/datacenters/ACME"),
				// The data source stores the token: the reason the
				// ephemeral resource exists, and the control that shows
				// noTokenInState can fail.
				stateCheck(func(s *tfjson.State) error {
					if n, err := tokensInState(e, "clc", s); err != nil || n != 1 {
						return fmt.Errorf("want the data source's token in the state once: n=%d err=%w", n, err)
					}
					return nil
				}),
			},
		}},
	})
}

func TestAccToken_ephemeralCLCReachesConfigNotState(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: withEcho(acctest.Factories(nil)),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(clcUnderTest.provider(e.URL, ""), `
ephemeral "cloudauth_token" "clc" {
  cloud = "clc"
}

# The echo provider is configured with what the ephemeral token gave; only a
# hash of the token and the header names reach the echo resource's state.
provider "echo" {
  data = {
    token_sha256 = sha256(ephemeral.cloudauth_token.clc.token)
    header_names = nonsensitive(keys(ephemeral.cloudauth_token.clc.headers))
    principal    = ephemeral.cloudauth_token.clc.principal
    expires_at   = ephemeral.cloudauth_token.clc.expires_at
  }
}

resource "echo" "seen" {}

data "cloudauth_clc_root_group" "root" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.seen", tfjsonpath.New("data").AtMapKey("principal"), knownvalue.StringExact(emulator.CLCUser)),
				statecheck.ExpectKnownValue("echo.seen", tfjsonpath.New("data").AtMapKey("header_names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("Authorization")})),
				statecheck.ExpectKnownValue("echo.seen", tfjsonpath.New("data").AtMapKey("expires_at"), knownvalue.StringRegexp(rfc3339)),
				stateCheck(func(s *tfjson.State) error {
					_, err := echoedToken(e, "clc", s)
					return err
				}),
				noTokenInState(e, "clc"),
			},
		}},
	})
}

func TestAccToken_badCloud(t *testing.T) {
	e := acctest.StartEmulator(t)
	cases := map[string]struct {
		config string
		want   []string
	}{
		"unknown cloud name": {`data "cloudauth_token" "x" { cloud = "aws" }`,
			[]string{`Attribute cloud value must be one of`, `"keystone"`, `"clc"`, `got: "aws"`}},
		"refused login": {acctest.HCL(fmt.Sprintf("provider \"cloudauth\" {\n  clc {\n    url = %q\n    username = %q\n    password = \"wrong-password\"\n  }\n}\n", e.URL+"/clc", emulator.CLCUser), `data "cloudauth_token" "x" { cloud = "clc" }`),
			[]string{"CenturyLink Cloud login failed", "We didn't recognize the username or password", "clc.password"}},
		"cloud not configured": {`data "cloudauth_token" "x" { cloud = "clc" }`,
			[]string{"CenturyLink Cloud is not configured", "data.cloudauth_token needs CenturyLink Cloud to be configured", "CLC_USERNAME"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(nil),
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: acctest.ExpectErr(tc.want...)}},
			})
		})
	}
}

// echoedToken finds the issued token whose hash the echo resource holds.
func echoedToken(e *acctest.Emulator, cloud string, s *tfjson.State) (string, error) {
	v, err := stateValues(s, "echo.seen")
	if err != nil {
		return "", err
	}
	got := v["data"].(map[string]any)["token_sha256"]
	for _, tok := range e.IssuedTokens(cloud) {
		sum := sha256.Sum256([]byte(tok))
		if got == hex.EncodeToString(sum[:]) {
			return tok, nil
		}
	}
	return "", fmt.Errorf("the echoed hash %v matches no issued %s token", got, cloud)
}

func TestAccToken_dataSourceCleura(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(cleuraUnderTest.provider(e.URL, ""), `data "cloudauth_token" "c" { cloud = "cleura" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudauth_token.c", tfjsonpath.New("principal"), knownvalue.StringExact(emulator.CleuraUser)),
				statecheck.ExpectKnownValue("data.cloudauth_token.c", tfjsonpath.New("endpoint"), knownvalue.StringExact(e.URL+"/cleura")),
				statecheck.ExpectKnownValue("data.cloudauth_token.c", tfjsonpath.New("expires_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.cloudauth_token.c", tfjsonpath.New("headers"), knownvalue.MapExact(map[string]knownvalue.Check{
					"X-AUTH-LOGIN": knownvalue.StringExact(emulator.CleuraUser),
					"X-AUTH-TOKEN": knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{32}$`)),
				})),
				headersWork("data.cloudauth_token.c", []string{"headers"}, e.URL+"/cleura/accesscontrol/v1/openstack/domains"),
			},
		}},
	})
}

// cleuraTokenValid asks the emulator whether a Cleura token is still good.
func cleuraTokenValid(base, token string) (bool, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/cleura/auth/v1/tokens/validate", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("X-AUTH-LOGIN", emulator.CleuraUser)
	req.Header.Set("X-AUTH-TOKEN", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusNoContent, nil
}

func TestAccToken_ephemeralRevokeOnClose(t *testing.T) {
	for _, revoke := range []bool{true, false} {
		t.Run(fmt.Sprint("revoke_on_close=", revoke), func(t *testing.T) {
			e := acctest.StartEmulator(t)
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
				ProtoV6ProviderFactories: withEcho(acctest.Factories(nil)),
				Steps: []resource.TestStep{{
					Config: acctest.HCL(cleuraUnderTest.provider(e.URL, ""), fmt.Sprintf(`
ephemeral "cloudauth_token" "c" {
  cloud           = "cleura"
  revoke_on_close = %t
}

provider "echo" {
  data = { token_sha256 = sha256(ephemeral.cloudauth_token.c.token) }
}

resource "echo" "seen" {}`, revoke)),
					ConfigStateChecks: []statecheck.StateCheck{
						stateCheck(func(s *tfjson.State) error {
							tok, err := echoedToken(e, "cleura", s)
							if err != nil {
								return err
							}
							valid, err := cleuraTokenValid(e.URL, tok)
							if err != nil {
								return err
							}
							if valid == revoke {
								return fmt.Errorf("with revoke_on_close = %t the token is valid = %t after the run", revoke, valid)
							}
							return nil
						}),
						noTokenInState(e, "cleura"),
					},
				}},
			})
		})
	}
}

var keystoneUnderTestBlock = func(base string) string {
	return fmt.Sprintf(`
provider "cloudauth" {
  keystone {
    auth_url                      = %q
    application_credential_id     = %q
    application_credential_secret = %q
  }
}`, base+"/keystone/v3", emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret)
}

func TestAccToken_dataSourceKeystone(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(keystoneUnderTestBlock(e.URL), `data "cloudauth_token" "k" { cloud = "keystone" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudauth_token.k", tfjsonpath.New("principal"), knownvalue.StringExact(emulator.KeystoneUser)),
				statecheck.ExpectKnownValue("data.cloudauth_token.k", tfjsonpath.New("endpoint"), knownvalue.StringExact(e.URL+"/keystone/v3")),
				statecheck.ExpectKnownValue("data.cloudauth_token.k", tfjsonpath.New("expires_at"),
					knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				statecheck.ExpectKnownValue("data.cloudauth_token.k", tfjsonpath.New("headers"), knownvalue.MapExact(map[string]knownvalue.Check{
					"X-Auth-Token": knownvalue.StringRegexp(regexp.MustCompile(`^gAAAAA`)),
				})),
				headersWork("data.cloudauth_token.k", []string{"headers"}, e.URL+"/keystone/v3/auth/tokens"),
			},
		}},
	})
}

// The use the ephemeral resource exists for: a token configures another
// provider (here a second cloudauth, which then logs in with the token
// alone) and never reaches the state.
func TestAccToken_ephemeralConfiguresAnotherProvider(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(keystoneUnderTestBlock(e.URL), fmt.Sprintf(`
ephemeral "cloudauth_token" "k" {
  cloud = "keystone"
}

provider "cloudauth" {
  alias = "by_token"
  keystone {
    auth_url = ephemeral.cloudauth_token.k.endpoint
    token    = ephemeral.cloudauth_token.k.token
  }
}

data "cloudauth_keystone_catalog" "via_token" {
  provider = cloudauth.by_token
}

data "cloudauth_keystone_catalog" "direct" {}

output "same_user" {
  value = data.cloudauth_keystone_catalog.via_token.user.id == data.cloudauth_keystone_catalog.direct.user.id
}
# %s`, "the token's catalog matches the application credential's")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.via_token", tfjsonpath.New("user").AtMapKey("name"), knownvalue.StringExact(emulator.KeystoneUser)),
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.via_token", tfjsonpath.New("project").AtMapKey("id"), knownvalue.StringExact(emulator.KeystoneProjectID)),
				statecheck.ExpectKnownOutputValue("same_user", knownvalue.Bool(true)),
				noTokenInState(e, "keystone"),
			},
		}},
	})
}

// Renew and Close at the protocol level, where the exact calls can be
// counted.
func TestTokenEphemeralRenewAndRevoke(t *testing.T) {
	t.Parallel()
	e := acctest.StartEmulator(t)
	s := acctest.NewServer(t, nil)
	s.Configure(map[string]any{"keystone": map[string]any{
		"auth_url":                      e.URL + "/keystone/v3",
		"application_credential_id":     emulator.KeystoneAppCredID,
		"application_credential_secret": emulator.KeystoneAppCredSecret,
	}})
	str := func(v map[string]tftypes.Value, k string) string {
		var out string
		_ = v[k].As(&out)
		return out
	}

	// The shared token: RenewAt five minutes before Keystone's expiry;
	// Renew logs in again and the provider's reads use the new token.
	vals, resp, err := s.OpenEphemeralRaw("cloudauth_token", map[string]any{"cloud": "keystone"})
	if err != nil {
		t.Fatal(err)
	}
	shared := str(vals, "token")
	exp, err := time.Parse(time.RFC3339, str(vals, "expires_at"))
	if err != nil {
		t.Fatal(err)
	}
	// RenewAt is on this machine's clock (the login's time plus the
	// token's lifetime), expires_at on Keystone's, to the second; here both
	// clocks are the same.
	if d := resp.RenewAt.Sub(exp.Add(-5 * time.Minute)); d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("RenewAt = %v, want five minutes before %v", resp.RenewAt, exp)
	}
	if _, err := s.RenewEphemeral("cloudauth_token", resp.Private); err != nil {
		t.Fatal(err)
	}
	if e.Logins("keystone") != 2 {
		t.Errorf("Renew did not log in again: logins = %d", e.Logins("keystone"))
	}
	cur, err := s.Read("cloudauth_token", map[string]any{"cloud": "keystone"})
	if err != nil {
		t.Fatal(err)
	}
	renewed := str(cur, "token")
	if renewed == shared || !keystoneTokenValid(t, e.URL, renewed) {
		t.Fatal("after Renew the provider does not hold a new, valid token")
	}

	// Two revoking resources: each gets a token of its own, never the
	// shared one, and is not renewed; closing one revokes only its own.
	a, ra, err := s.OpenEphemeralRaw("cloudauth_token", map[string]any{"cloud": "keystone", "revoke_on_close": true})
	if err != nil {
		t.Fatal(err)
	}
	b, rb, err := s.OpenEphemeralRaw("cloudauth_token", map[string]any{"cloud": "keystone", "revoke_on_close": true})
	if err != nil {
		t.Fatal(err)
	}
	ta, tb := str(a, "token"), str(b, "token")
	if ta == renewed || tb == renewed || ta == tb {
		t.Fatal("a revoking resource got a token that someone else holds")
	}
	if !ra.RenewAt.IsZero() || !rb.RenewAt.IsZero() {
		t.Error("a token of the resource's own asks for renewal")
	}
	if _, err := s.CloseEphemeral("cloudauth_token", ra.Private); err != nil {
		t.Fatal(err)
	}
	if keystoneTokenValid(t, e.URL, ta) {
		t.Error("Close with revoke_on_close left its token valid")
	}
	if !keystoneTokenValid(t, e.URL, tb) || !keystoneTokenValid(t, e.URL, renewed) {
		t.Error("closing one resource revoked another's token or the shared one")
	}
	if _, err := s.CloseEphemeral("cloudauth_token", resp.Private); err != nil {
		t.Fatal(err)
	}
	if !keystoneTokenValid(t, e.URL, renewed) {
		t.Error("closing a resource without revoke_on_close revoked the shared token")
	}
	if _, err := s.Read("cloudauth_keystone_catalog", map[string]any{}); err != nil {
		t.Fatalf("the provider's reads fail after the closes: %v", err)
	}
}

// With only a fixed token there is nothing to renew with and nothing that
// may be revoked: the token is the user's only credential.
func TestTokenEphemeralFixedTokenIsNeitherRenewedNorRevoked(t *testing.T) {
	t.Parallel()
	e := acctest.StartEmulator(t)
	issuer := acctest.NewServer(t, nil)
	issuer.Configure(map[string]any{"keystone": keystoneUnderTest.settings(e.URL)})
	v, err := issuer.Read("cloudauth_token", map[string]any{"cloud": "keystone"})
	if err != nil {
		t.Fatal(err)
	}
	var fixed string
	_ = v["token"].As(&fixed)

	s := acctest.NewServer(t, nil)
	s.Configure(map[string]any{"keystone": map[string]any{"auth_url": e.URL + "/keystone/v3", "token": fixed}})
	_, resp, err := s.OpenEphemeralRaw("cloudauth_token", map[string]any{"cloud": "keystone", "revoke_on_close": true})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.RenewAt.IsZero() {
		t.Errorf("a fixed token asks for renewal at %v", resp.RenewAt)
	}
	var warned bool
	for _, d := range resp.Diagnostics {
		warned = warned || (d.Severity == tfprotov6.DiagnosticSeverityWarning && strings.Contains(d.Summary, "fixed"))
	}
	if !warned {
		t.Errorf("no warning that revoke_on_close does nothing: %v", resp.Diagnostics)
	}
	if _, err := s.RenewEphemeral("cloudauth_token", resp.Private); err != nil {
		t.Fatalf("Renew failed: %v", err)
	}
	if _, err := s.CloseEphemeral("cloudauth_token", resp.Private); err != nil {
		t.Fatal(err)
	}
	if !keystoneTokenValid(t, e.URL, fixed) {
		t.Fatal("the user's only token was revoked")
	}
	if _, err := s.Read("cloudauth_keystone_catalog", map[string]any{}); err != nil {
		t.Fatalf("reads fail after Renew and Close: %v", err)
	}
}

func keystoneTokenValid(t *testing.T, base, token string) bool {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/keystone/v3/auth/tokens", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("X-Subject-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func TestAccToken_dataSourceAbiquo(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(abiquoUnderTest.provider(e.URL, ""), `data "cloudauth_token" "a" { cloud = "abiquo" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudauth_token.a", tfjsonpath.New("principal"), knownvalue.StringExact(emulator.AbiquoAdmin)),
				statecheck.ExpectKnownValue("data.cloudauth_token.a", tfjsonpath.New("endpoint"), knownvalue.StringExact(e.URL+"/abiquo/api")),
				statecheck.ExpectKnownValue("data.cloudauth_token.a", tfjsonpath.New("expires_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.cloudauth_token.a", tfjsonpath.New("headers"), knownvalue.MapExact(map[string]knownvalue.Check{
					"Authorization": knownvalue.StringRegexp(regexp.MustCompile(`^Token \S+$`)),
				})),
				headersWorkWith("data.cloudauth_token.a", []string{"headers"}, e.URL+"/abiquo/api/admin/datacenters",
					map[string]string{"Accept": "application/vnd.abiquo.datacenters+json"}),
			},
		}},
	})
}

// A Keystone token that lives less than the renewal margin, or comes from
// a Keystone whose clock is behind ours, used to make Terraform renew the
// ephemeral token without pause, each renewal a login: thousands in a run.
// Here the token goes to a second provider instance whose read takes 6 s,
// long enough for a renewal loop to show. The step runs two plans, each
// needing one login; together they may cost at most 3 (before the fix:
// 5 to 7 here, and thousands in a longer run).
func TestAccToken_ephemeralShortLivedKeystoneTokenDoesNotStorm(t *testing.T) {
	cases := []struct {
		name     string
		lifetime time.Duration
		clock    time.Duration // Keystone's clock against ours
	}{
		{"4-minute token", 4 * time.Minute, 0},
		{"30-second token", 30 * time.Second, 0},
		{"Keystone's clock 2 hours behind", time.Hour, -2 * time.Hour},
	}
	acctest.SkipUnlessAcc(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := acctest.StartEmulator(t)
			e.SetTokenLifetime("keystone", tc.lifetime)
			e.Advance(tc.clock)
			e.InjectFault(emulator.Fault{Route: "keystone.tokens.get", Delay: 6 * time.Second, Times: 100})
			const commands = 2
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
				ProtoV6ProviderFactories: acctest.Factories(nil),
				Steps: []resource.TestStep{{
					PlanOnly: true,
					Config: acctest.HCL(keystoneUnderTestBlock(e.URL), `
ephemeral "cloudauth_token" "k" {
  cloud = "keystone"
}

provider "cloudauth" {
  alias = "by_token"
  keystone {
    auth_url = ephemeral.cloudauth_token.k.endpoint
    token    = ephemeral.cloudauth_token.k.token
  }
}

data "cloudauth_keystone_catalog" "via_token" {
  provider = cloudauth.by_token
}`),
				}},
			})
			logins, reads := e.Logins("keystone"), e.Requests("keystone.tokens.get")
			t.Logf("%d Keystone logins, %d token reads", logins, reads)
			if logins > 3 || reads < commands {
				t.Errorf("%d Keystone logins and %d token reads in %d Terraform commands; want at most 3 logins",
					logins, reads, commands)
			}
		})
	}
}
