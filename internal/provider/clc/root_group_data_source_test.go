package clc_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

func clcProvider(url, user, password, extra string) string {
	return fmt.Sprintf(`
provider "cloudauth" {
  clc {
    url      = %q
    username = %q
    password = %q
    %s
  }
}`, url+"/clc", user, password, extra)
}

const clcRoot = "data.cloudauth_clc_root_group.root"

// jwtWithoutAccount has the shape of a JWT ({"alg":"HS256","typ":"JWT"},
// {"unique_name":"someone"}) but names no account.
const jwtWithoutAccount = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1bmlxdWVfbmFtZSI6InNvbWVvbmUifQ.c2lnbmF0dXJl"

func TestAccCLCRootGroup_defaultDataCenter(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(clcProvider(e.URL, emulator.CLCUser, emulator.CLCPassword, ""),
				`data "cloudauth_clc_root_group" "root" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("data_center"), knownvalue.StringExact("WA1")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("account_alias"), knownvalue.StringExact("ACME")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("name"), knownvalue.StringExact("WA1 Hardware")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("data_center_name"), knownvalue.StringExact("US West (Seattle)")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("location_id"), knownvalue.StringExact("WA1")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("type"), knownvalue.StringExact("default")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("servers_count"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("groups"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("groups").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":            knownvalue.StringExact("2a5c0b9662cf4fc8bf6180f139facdc0"),
					"name":          knownvalue.StringExact("Web Applications"),
					"description":   knownvalue.StringExact("public facing web apps"),
					"type":          knownvalue.StringExact("default"),
					"status":        knownvalue.StringExact("active"),
					"servers_count": knownvalue.Int64Exact(2),
				})),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("groups").AtSliceIndex(1).AtMapKey("type"), knownvalue.StringExact("archive")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("change_info").AtMapKey("created_date"), knownvalue.StringExact("2012-12-17T01:17:17Z")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("custom_fields").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("Cost Center")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("links"), knownvalue.ListPartial(map[int]knownvalue.Check{
					2: knownvalue.ObjectExact(map[string]knownvalue.Check{
						"rel":  knownvalue.StringExact("self"),
						"href": knownvalue.StringRegexp(regexp.MustCompile(`^/v2/groups/acme/[0-9a-f]{32}$`)),
						"id":   knownvalue.Null(),
						"name": knownvalue.Null(),
					}),
				})),
			},
		}},
	})
}

func TestAccCLCRootGroup_explicitDataCenterAndEnv(t *testing.T) {
	e := acctest.StartEmulator(t)
	// Settings from the environment alone, no provider block; the legacy
	// CLC_V2_API_* names work too.
	env := map[string]string{
		"CLC_API_URL":         e.URL + "/clc",
		"CLC_V2_API_USERNAME": emulator.CLCUser,
		"CLC_V2_API_PASSWD":   emulator.CLCPassword,
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			Config: `
data "cloudauth_clc_root_group" "root" {
  data_center = "va1"
}
data "cloudauth_clc_root_group" "same" {
  data_center = "VA1"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("data_center"), knownvalue.StringExact("VA1")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("name"), knownvalue.StringExact("VA1 Hardware")),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("groups").AtSliceIndex(0).AtMapKey("servers_count"), knownvalue.Int64Exact(3)),
				statecheck.CompareValuePairs(clcRoot, tfjsonpath.New("id"), "data.cloudauth_clc_root_group.same", tfjsonpath.New("id"), compare.ValuesSame()),
			},
		}},
	})
}

func TestAccCLCRootGroup_configOverridesEnv(t *testing.T) {
	e := acctest.StartEmulator(t)
	env := map[string]string{
		"CLC_API_URL":  e.URL + "/clc",
		"CLC_USERNAME": emulator.CLCUser,
		"CLC_PASSWORD": "a-wrong-password-from-env",
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "cloudauth" {
  clc {
    password = %q
  }
}
data "cloudauth_clc_root_group" "root" {}`, emulator.CLCPassword),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("name"), knownvalue.StringExact("WA1 Hardware")),
			},
		}},
	})
}

func TestAccCLCRootGroup_errors(t *testing.T) {
	e := acctest.StartEmulator(t)
	// The refused token comes from an emulator of its own: the other cases
	// log in as the same user, and a login in the same second mints the
	// very same JWT again.
	refusing := acctest.StartEmulator(t)
	revoked := refusing.CLCBearerToken(emulator.CLCUser)
	refusing.RevokeAll("clc")
	cases := []struct {
		name   string
		config string
		env    map[string]string
		want   []string
	}{
		{"wrong password shows the API's message",
			acctest.HCL(clcProvider(e.URL, emulator.CLCUser, "not-the-password", ""), `data "cloudauth_clc_root_group" "root" {}`), nil,
			[]string{"CenturyLink Cloud login failed", "We didn't recognize the username or password you entered. Please try again.", "clc.password"}},
		{"unknown data center lists the account's",
			acctest.HCL(clcProvider(e.URL, emulator.CLCUser, emulator.CLCPassword, ""), `data "cloudauth_clc_root_group" "root" { data_center = "XX9" }`), nil,
			[]string{"Unknown CenturyLink Cloud data center", `account ACME has no data center "XX9"; it has: DE1, VA1, WA1`}},
		{"account alias the user cannot see",
			acctest.HCL(clcProvider(e.URL, emulator.CLCUser, emulator.CLCPassword, ""), `data "cloudauth_clc_root_group" "root" { account_alias = "BETA" }`), nil,
			[]string{"CenturyLink Cloud account not accessible", `may not read account "BETA"`}},
		{"not configured names the block and the variables",
			`data "cloudauth_clc_root_group" "root" {}`, nil,
			[]string{"CenturyLink Cloud is not configured", "cloudauth_clc_root_group needs CenturyLink Cloud to be configured", "CLC_USERNAME", "CLC_PASSWORD"}},
		{"missing password in the block",
			acctest.HCL(fmt.Sprintf(`provider "cloudauth" {
  clc {
    url      = %q
    username = "someone"
  }
}`, e.URL+"/clc"), `data "cloudauth_clc_root_group" "root" {}`), nil,
			[]string{"Missing clc.password", "clc.password", "CLC_PASSWORD"}},
		{"incomplete environment is reported where the cloud is used",
			`data "cloudauth_clc_root_group" "root" {}`, map[string]string{"CLC_USERNAME": "someone"},
			[]string{"Missing clc.password", "came from the environment: CLC_USERNAME."}},
		{"refused bearer token from the environment",
			`data "cloudauth_clc_root_group" "root" {}`, map[string]string{"CLC_API_URL": refusing.URL + "/clc", "CLC_BEARER_TOKEN": revoked},
			[]string{"CenturyLink Cloud token refused", "refused the bearer token from CLC_BEARER_TOKEN", "no password to log in again",
				"`cloudauth token clc`", "clc.password", "where the token is given"}},
		{"refused bearer token and a wrong password",
			`data "cloudauth_clc_root_group" "root" {}`, map[string]string{"CLC_API_URL": refusing.URL + "/clc", "CLC_BEARER_TOKEN": revoked,
				"CLC_USERNAME": emulator.CLCUser, "CLC_PASSWORD": "not-the-password"},
			[]string{"CenturyLink Cloud login failed", "refused the bearer token from CLC_BEARER_TOKEN",
				"logging in with the password did not work either", "We didn't recognize the username or password", "Check `clc.username`"}},
		{"token that is not a JWT says so",
			`data "cloudauth_clc_root_group" "root" {}`, map[string]string{"CLC_API_URL": e.URL + "/clc", "CLC_BEARER_TOKEN": "opaque-0123456789"},
			[]string{"Malformed CenturyLink Cloud token", "it is not a JWT", "`clc.token` (or CLC_BEARER_TOKEN)", "`cloudauth token clc`", "account_alias"}},
		{"JWT that names no account",
			`data "cloudauth_clc_root_group" "root" {}`, map[string]string{"CLC_API_URL": e.URL + "/clc", "CLC_BEARER_TOKEN": jwtWithoutAccount},
			[]string{"no account was given", "its JWT has no urn:tier3:account-alias claim", "account_alias", "CLC_ACCOUNT"}},
		{"url ending in /v2 proposes the base URL",
			acctest.HCL(fmt.Sprintf(`provider "cloudauth" {
  clc {
    url      = %q
    username = %q
    password = %q
  }
}`, e.URL+"/clc/v2/", emulator.CLCUser, emulator.CLCPassword), `data "cloudauth_clc_root_group" "root" {}`), nil,
			[]string{"Invalid clc.url", "has /v2 in its path", fmt.Sprintf("use %q", e.URL+"/clc")}},
		{"bad timeout",
			acctest.HCL(clcProvider(e.URL, emulator.CLCUser, emulator.CLCPassword, `timeout = "soon"`), `data "cloudauth_clc_root_group" "root" {}`), nil,
			[]string{"Invalid clc.timeout", `"soon" is not a positive duration`}},
		{"unknown value at plan time",
			acctest.HCL(`resource "terraform_data" "later" { input = "x" }`,
				clcProvider(e.URL, emulator.CLCUser, emulator.CLCPassword, "account_alias = terraform_data.later.output"),
				`data "cloudauth_clc_root_group" "root" {}`), nil,
			[]string{"Unknown value for clc.account_alias", "only known after apply", "CLC_ACCOUNT"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(tc.env),
				Steps: []resource.TestStep{{
					Config:      tc.config,
					ExpectError: acctest.ExpectErr(tc.want...),
				}},
			})
		})
	}
}

func TestAccCLCRootGroup_reloginAfterRejectedToken(t *testing.T) {
	e := acctest.StartEmulator(t)
	// The first group read is refused as if the token had expired; the
	// provider logs in once more and the read succeeds.
	e.InjectFault(emulator.Fault{Route: "clc.group.get", Status: 401})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(clcProvider(e.URL, emulator.CLCUser, emulator.CLCPassword, ""), `data "cloudauth_clc_root_group" "root" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("name"), knownvalue.StringExact("WA1 Hardware")),
				acctest.Check(func() error {
					// The refused read cost a second login in the first plan.
					if got := e.Requests("clc.group.get"); got < 2 {
						return fmt.Errorf("group reads = %d; the refused read was not repeated", got)
					}
					return nil
				}),
			},
		}},
	})
}

// A bearer token in CLC_BEARER_TOKEN (what `cloudauth token clc --format
// env` prints) configures the provider alone: the token's claims give the
// account and data center, and no login is made.
func TestAccCLCRootGroup_bearerTokenFromEnv(t *testing.T) {
	e := acctest.StartEmulator(t)
	env := map[string]string{"CLC_API_URL": e.URL + "/clc", "CLC_BEARER_TOKEN": e.CLCBearerToken(emulator.CLCUser)}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			Config: `data "cloudauth_clc_root_group" "root" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("account_alias"), knownvalue.StringExact(emulator.CLCAccount)),
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("name"), knownvalue.StringExact("WA1 Hardware")),
				acctest.Check(func() error {
					if n := e.Logins("clc"); n != 0 {
						return fmt.Errorf("logins = %d, want 0: the token was given", n)
					}
					return nil
				}),
			},
		}},
	})
}

// A password in the block beats a token in the environment (another
// user's, or stale): the provider logs in and never sends the token.
func TestAccCLCRootGroup_blockPasswordBeatsEnvToken(t *testing.T) {
	e := acctest.StartEmulator(t)
	stale := e.CLCBearerToken(emulator.CLCUser)
	e.RevokeAll("clc")
	env := map[string]string{"CLC_BEARER_TOKEN": stale}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(clcProvider(e.URL, emulator.CLCUser, emulator.CLCPassword, ""), `data "cloudauth_clc_root_group" "root" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(clcRoot, tfjsonpath.New("name"), knownvalue.StringExact("WA1 Hardware")),
				acctest.Check(func() error {
					// Each provider process logs in once and lists the data
					// centers once; a stale token sent first would show as a
					// refused list read more than logins.
					if n, lists := e.Logins("clc"), e.Requests("clc.datacenters.list"); n == 0 || lists != n {
						return fmt.Errorf("logins = %d, data center lists = %d: want one list per password login, none with the stale token", n, lists)
					}
					return nil
				}),
			},
		}},
	})
}
