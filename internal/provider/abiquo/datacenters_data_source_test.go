package abiquo_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/cloudtest"
)

// abiquoProvider writes a provider block with an abiquo block of the given
// attributes (values quoted).
func abiquoProvider(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("provider \"cloudauth\" {\n  abiquo {\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s = %q\n", k, attrs[k])
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

func abqEndpoint(e *acctest.Emulator) string { return e.URL + "/abiquo/api" }

func abqAdmin(e *acctest.Emulator) map[string]string {
	return map[string]string{"endpoint": abqEndpoint(e), "username": emulator.AbiquoAdmin, "password": emulator.AbiquoAdminPassword}
}

const abqAll = "data.cloudauth_abiquo_datacenters.all"

// onePerRun checks the promise of one login and one read of the three
// pages per provider run, however many data sources there are, with each
// page sent with the token of the answer before it.
func onePerRun(e *acctest.Emulator) acctest.Check {
	return func() error {
		logins, pages := e.Logins("abiquo"), e.Requests("abiquo.datacenters.list")
		if logins == 0 || logins != e.Requests("abiquo.login") {
			return fmt.Errorf("%d logins in %d GET /login requests; want one login request per run", logins, e.Requests("abiquo.login"))
		}
		if pages != 3*logins {
			return fmt.Errorf("%d page requests in %d runs; want 3 per run", pages, logins)
		}
		if st := e.AbiquoTokenStats(); st.Stale != 0 || st.Distinct != st.Uses {
			return fmt.Errorf("token use %+v: every request should carry the newest token, a different one each time", st)
		}
		return nil
	}
}

func TestAccAbiquoDatacenters_basic(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(abiquoProvider(abqAdmin(e)), `data "cloudauth_abiquo_datacenters" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("total"), knownvalue.Int64Exact(emulator.AbiquoDatacenterCount)),
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("name"), knownvalue.Null()),
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("datacenters"), knownvalue.ListSizeExact(emulator.AbiquoDatacenterCount)),
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("datacenters").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":       knownvalue.Int64Exact(1003),
					"name":     knownvalue.StringExact("Amsterdam 1"),
					"location": knownvalue.StringExact("Amsterdam, Netherlands"),
					"uuid":     knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)),
				})),
				// In the API's order by name: the tenth created (Ashburn 1)
				// has no uuid; the last comes from the third page.
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("datacenters").AtSliceIndex(10), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":       knownvalue.Int64Exact(1010),
					"name":     knownvalue.StringExact("Ashburn 1"),
					"location": knownvalue.StringExact("Ashburn, United States"),
					"uuid":     knownvalue.Null(),
				})),
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("datacenters").AtSliceIndex(119).AtMapKey("name"), knownvalue.StringExact("Sydney 9")),
				onePerRun(e),
			},
		}},
	})
}

func TestAccAbiquoDatacenters_parallelDataSourcesFromEnv(t *testing.T) {
	e := acctest.StartEmulator(t)
	env := map[string]string{
		"ABQ_ENDPOINT": abqEndpoint(e),
		"ABQ_USERNAME": emulator.AbiquoAdmin,
		"ABQ_PASSWORD": emulator.AbiquoAdminPassword,
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			// Terraform reads these at once; they share one login, and the
			// pages are read once between them.
			Config: `
data "cloudauth_abiquo_datacenters" "all" {}
data "cloudauth_abiquo_datacenters" "again" {}
data "cloudauth_abiquo_datacenters" "madrid" { name = "Madrid 3" }
data "cloudauth_abiquo_datacenters" "last"   { name = "Sydney 10" }
data "cloudauth_abiquo_datacenters" "paris"  { name = "Paris 2" }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("total"), knownvalue.Int64Exact(emulator.AbiquoDatacenterCount)),
				statecheck.ExpectKnownValue("data.cloudauth_abiquo_datacenters.again", tfjsonpath.New("total"), knownvalue.Int64Exact(emulator.AbiquoDatacenterCount)),
				statecheck.ExpectKnownValue("data.cloudauth_abiquo_datacenters.madrid", tfjsonpath.New("datacenters"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.Int64Exact(1026), "name": knownvalue.StringExact("Madrid 3"),
						"location": knownvalue.StringExact("Madrid, Spain"), "uuid": knownvalue.NotNull(),
					}),
				})),
				statecheck.ExpectKnownValue("data.cloudauth_abiquo_datacenters.last", tfjsonpath.New("datacenters").AtSliceIndex(0).AtMapKey("id"), knownvalue.Int64Exact(1120)),
				statecheck.ExpectKnownValue("data.cloudauth_abiquo_datacenters.last", tfjsonpath.New("datacenters").AtSliceIndex(0).AtMapKey("uuid"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.cloudauth_abiquo_datacenters.paris", tfjsonpath.New("total"), knownvalue.Int64Exact(1)),
				onePerRun(e),
			},
		}},
	})
}

func TestAccAbiquoDatacenters_twoFactorSecret(t *testing.T) {
	cases := []struct {
		name     string
		user     string
		password string
		secret   string
		fromEnv  bool
	}{
		{"otpauth URL in the block", emulator.AbiquoTwoFactorUser, emulator.AbiquoTwoFactorPassword, emulator.AbiquoTOTPURL, false},
		{"base32 secret from the environment", emulator.AbiquoTwoFactorUser, emulator.AbiquoTwoFactorPassword, emulator.AbiquoTOTPSecret, true},
		{"SHA256, 8 digits, 60 s", emulator.AbiquoOpsUser, emulator.AbiquoOpsPassword, emulator.AbiquoOpsOTPURL, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := acctest.StartEmulator(t)
			attrs := map[string]string{"endpoint": abqEndpoint(e), "username": tc.user, "password": tc.password}
			env := map[string]string{}
			if tc.fromEnv {
				env["ABQ_OTP_SECRET"] = tc.secret
			} else {
				attrs["otp_secret"] = tc.secret
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(env),
				Steps: []resource.TestStep{{
					Config: acctest.HCL(abiquoProvider(attrs), `data "cloudauth_abiquo_datacenters" "all" {}`),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("total"), knownvalue.Int64Exact(emulator.AbiquoDatacenterCount)),
						onePerRun(e),
					},
				}},
			})
		})
	}
}

// abqToken logs in as a user outside Terraform and returns a fresh token.
func abqToken(t *testing.T, e *acctest.Emulator, cfg abiquo.Config) string {
	t.Helper()
	cfg.HTTP = httpx.Config{BaseURL: abqEndpoint(e)}
	c, err := abiquo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := c.Credential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cr.Token
}

func TestAccAbiquoDatacenters_givenToken(t *testing.T) {
	e := acctest.StartEmulator(t)
	token := abqToken(t, e, abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTPSecret: emulator.AbiquoTOTPSecret})
	// Token auth needs no one-time code: a two-factor user's token works
	// with no secret configured.
	env := map[string]string{"ABQ_ENDPOINT": abqEndpoint(e), "ABQ_TOKEN": token}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			Config: `data "cloudauth_abiquo_datacenters" "all" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("total"), knownvalue.Int64Exact(emulator.AbiquoDatacenterCount)),
				acctest.Check(func() error {
					if n := e.Logins("abiquo"); n != 1 {
						return fmt.Errorf("%d logins; the provider should have used the token, not logged in", n)
					}
					return nil
				}),
			},
		}},
	})
}

// storeToken writes an entry for the endpoint as `cloudauth login abiquo`
// would, into a private XDG_CONFIG_HOME, and returns the env to find it.
func storeToken(t *testing.T, e *acctest.Emulator, token string, storedAt time.Time) map[string]string {
	t.Helper()
	exp := storedAt.Add(abiquo.TokenLifetime)
	dir := cloudtest.StoreTokens(t, credstore.Entry{Cloud: "abiquo", URL: abqEndpoint(e), Login: emulator.AbiquoTwoFactorUser, Token: token, StoredAt: storedAt, ExpiresAt: &exp})
	return map[string]string{"XDG_CONFIG_HOME": dir}
}

func TestAccAbiquoDatacenters_credentialsFile(t *testing.T) {
	e := acctest.StartEmulator(t)
	// A scratch code, spent once to get the token that is stored.
	token := abqToken(t, e, abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTP: emulator.AbiquoScratchCodes[1]})
	env := storeToken(t, e, token, time.Now())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			// No password and no token: the stored token for this endpoint
			// and user is used.
			Config: acctest.HCL(abiquoProvider(map[string]string{"endpoint": abqEndpoint(e), "username": emulator.AbiquoTwoFactorUser}),
				`data "cloudauth_abiquo_datacenters" "dublin" { name = "Dublin 1" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cloudauth_abiquo_datacenters.dublin", tfjsonpath.New("datacenters").AtSliceIndex(0).AtMapKey("id"), knownvalue.Int64Exact(1008)),
				acctest.Check(func() error {
					if n := e.Logins("abiquo"); n != 1 {
						return fmt.Errorf("%d logins; the provider should have used the stored token", n)
					}
					if left := e.AbiquoScratchCodesLeft(emulator.AbiquoTwoFactorUser); len(left) != 4 {
						return fmt.Errorf("%d scratch codes left, want 4", len(left))
					}
					return nil
				}),
			},
		}},
	})
}

func TestAccAbiquoDatacenters_credentialsFileProblems(t *testing.T) {
	e := acctest.StartEmulator(t)
	token := abqToken(t, e, abiquo.Config{Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword})
	block := abiquoProvider(map[string]string{"endpoint": abqEndpoint(e), "username": emulator.AbiquoTwoFactorUser})
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"stored token expired", storeToken(t, e, token, time.Now().Add(-45*time.Minute)), []string{
			"Abiquo token expired", "from the credentials file", "cloudauth login abiquo --endpoint " + abqEndpoint(e) + " --username sysadmin",
		}},
		{"nothing stored", map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, []string{
			"Missing abiquo.password", "holds no single token for " + abqEndpoint(e) + " and user sysadmin",
			"abiquo.token", "cloudauth login abiquo --endpoint",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(tc.env),
				Steps: []resource.TestStep{{
					Config:      acctest.HCL(block, `data "cloudauth_abiquo_datacenters" "all" {}`),
					ExpectError: acctest.ExpectErr(tc.want...),
				}},
			})
		})
	}
}

func TestAccAbiquoDatacenters_errors(t *testing.T) {
	e := acctest.StartEmulator(t)
	// A scratch code that an earlier login already spent.
	spent := emulator.AbiquoScratchCodes[4]
	abqToken(t, e, abiquo.Config{Username: emulator.AbiquoTwoFactorUser, Password: emulator.AbiquoTwoFactorPassword, OTP: spent})
	with := func(extra map[string]string) string {
		attrs := map[string]string{"endpoint": abqEndpoint(e), "username": emulator.AbiquoTwoFactorUser, "password": emulator.AbiquoTwoFactorPassword}
		for k, v := range extra {
			attrs[k] = v
		}
		return acctest.HCL(abiquoProvider(attrs), `data "cloudauth_abiquo_datacenters" "all" {}`)
	}
	cases := []struct {
		name   string
		config string
		env    map[string]string
		want   []string
	}{
		{"wrong password", with(map[string]string{"username": emulator.AbiquoAdmin, "password": "not-the-password"}), nil,
			[]string{"Abiquo login refused", `refused the login of "admin"`, "GEN-5: Invalid credentials", "abiquo.password", "ABQ_PASSWORD"}},
		{"missing one-time code", with(nil), nil,
			[]string{"Abiquo login refused", "two-factor authentication is on", "abiquo.otp_secret", "cloudauth login abiquo --endpoint", "--oauth"}},
		{"wrong one-time code", with(map[string]string{"otp": "000000"}), nil,
			[]string{"Abiquo login with a one-time code refused", "with a one-time code (HTTP 401)", "good for about 30 seconds", "abiquo.otp_secret"}},
		{"secret of another user", with(map[string]string{"otp_secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}), nil,
			[]string{"Abiquo login with a one-time code refused", "clock", "abiquo.otp_secret"}},
		{"reused scratch code", with(map[string]string{"otp": spent}), nil,
			[]string{"Abiquo login with a one-time code refused", "a scratch code works only once", "unused scratch code"}},
		{"user without the privilege", with(map[string]string{"username": emulator.AbiquoUser, "password": emulator.AbiquoUserPassword}), nil,
			[]string{"Abiquo permission denied", `user "user" may not read admin/datacenters`, "GEN-4: Not enough permissions to perform this action", "cloud administrator"}},
		{"endpoint without /api", acctest.HCL(abiquoProvider(map[string]string{"endpoint": e.URL + "/abiquo", "username": "u", "password": "p"}), `data "cloudauth_abiquo_datacenters" "all" {}`), nil,
			[]string{"Invalid abiquo.endpoint", "does not end in /api", fmt.Sprintf("use %q", e.URL+"/abiquo/api")}},
		{"password without a user name", acctest.HCL(abiquoProvider(map[string]string{"endpoint": abqEndpoint(e), "password": "p"}), `data "cloudauth_abiquo_datacenters" "all" {}`), nil,
			[]string{"Missing abiquo.username", "ABQ_USERNAME"}},
		{"endpoint missing", acctest.HCL(abiquoProvider(map[string]string{"username": "u", "password": "p"}), `data "cloudauth_abiquo_datacenters" "all" {}`), nil,
			[]string{"Missing abiquo.endpoint", "ABQ_ENDPOINT"}},
		{"code and secret together", with(map[string]string{"otp": "123456", "otp_secret": emulator.AbiquoTOTPSecret}), nil,
			[]string{"Invalid Attribute Combination", `"abiquo.otp_secret" cannot be specified when "abiquo.otp"`}},
		{"secret that is not base32", with(map[string]string{"otp_secret": "88309169"}), nil,
			[]string{"Invalid abiquo.otp_secret", "looks like a one-time code"}},
		{"refused token from the environment", `data "cloudauth_abiquo_datacenters" "all" {}`,
			map[string]string{"ABQ_ENDPOINT": abqEndpoint(e), "ABQ_TOKEN": "0000000000000000000000000000000000ff"},
			[]string{"Abiquo token refused", "from ABQ_TOKEN", "cloudauth login abiquo", "ABQ_PASSWORD"}},
		{"a name no datacenter has lists the names", acctest.HCL(abiquoProvider(map[string]string{"endpoint": abqEndpoint(e),
			"username": emulator.AbiquoAdmin, "password": emulator.AbiquoAdminPassword}), `data "cloudauth_abiquo_datacenters" "all" { name = "Atlantis" }`), nil,
			[]string{"Unknown Abiquo datacenter", `None of the 120 datacenters this user may see is named "Atlantis" (names match exactly); it has: Amsterdam 1,`,
				" and 100 more.", "Set `name` to one of these"}},
		{"a name in the wrong case suggests the right one", acctest.HCL(abiquoProvider(map[string]string{"endpoint": abqEndpoint(e),
			"username": emulator.AbiquoAdmin, "password": emulator.AbiquoAdminPassword}), `data "cloudauth_abiquo_datacenters" "all" { name = "madrid 3" }`), nil,
			[]string{"Unknown Abiquo datacenter", `named "madrid 3"`, ` and 100 more (did you mean "Madrid 3"?).`}},
		{"not configured", `data "cloudauth_abiquo_datacenters" "all" {}`, nil,
			[]string{"Abiquo is not configured", "cloudauth_abiquo_datacenters needs Abiquo to be configured", "ABQ_ENDPOINT"}},
		{"media-type version not written as one", with(map[string]string{"otp_secret": emulator.AbiquoTOTPSecret, "api_version": "latest"}), nil,
			[]string{"api_version", `must be a version such as "6.1"`}},
		{"media-type version the API does not serve", with(map[string]string{"otp_secret": emulator.AbiquoTOTPSecret, "api_version": "3.0"}), nil,
			[]string{"Cannot read Abiquo datacenters", "HTTP 406", "Version 3.0"}},
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

func TestAccAbiquoDatacenters_fixedCodeServesOneRun(t *testing.T) {
	e := acctest.StartEmulator(t)
	code := emulator.AbiquoScratchCodes[3]
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			// The plan logs in with the scratch code; the next Terraform
			// command is a new run and cannot use it again.
			Config: acctest.HCL(abiquoProvider(map[string]string{
				"endpoint": abqEndpoint(e), "username": emulator.AbiquoTwoFactorUser,
				"password": emulator.AbiquoTwoFactorPassword, "otp": code,
			}), `data "cloudauth_abiquo_datacenters" "all" {}`),
			ExpectError: acctest.ExpectErr("Abiquo login with a one-time code refused", "a scratch code works only once", "serves a single Terraform command"),
		}},
	})
	if e.Logins("abiquo") != 1 || e.Requests("abiquo.datacenters.list") != 3 {
		t.Errorf("logins = %d, page requests = %d; want the first run to log in with the code and read", e.Logins("abiquo"), e.Requests("abiquo.datacenters.list"))
	}
	for _, left := range e.AbiquoScratchCodesLeft(emulator.AbiquoTwoFactorUser) {
		if left == code {
			t.Error("the scratch code was not spent")
		}
	}
}

func TestAccAbiquoDatacenters_reloginAfterRejectedToken(t *testing.T) {
	e := acctest.StartEmulator(t)
	// The first page request is refused as if the token had ended; the
	// provider logs in again, with a fresh code, and carries on.
	e.InjectFault(emulator.Fault{Route: "abiquo.datacenters.list", Status: 401})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(abiquoProvider(map[string]string{
				"endpoint": abqEndpoint(e), "username": emulator.AbiquoTwoFactorUser,
				"password": emulator.AbiquoTwoFactorPassword, "otp_secret": emulator.AbiquoTOTPURL,
			}), `data "cloudauth_abiquo_datacenters" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("total"), knownvalue.Int64Exact(emulator.AbiquoDatacenterCount)),
				acctest.Check(func() error {
					logins, pages := e.Logins("abiquo"), e.Requests("abiquo.datacenters.list")
					// Each run reads 3 pages; the first also had the refused one
					// and a second login.
					if runs := logins - 1; runs < 1 || pages != 3*runs+1 {
						return fmt.Errorf("%d logins and %d page requests; want one extra login for the refused page", logins, pages)
					}
					return nil
				}),
			},
		}},
	})
}
