package keystone_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// The login paths the OpenStack provider has, and multi-factor logins,
// which none of the providers we are compared with has.

// mfaUser is the emulator's user whose rule wants password and totp.
func mfaUser(e *acctest.Emulator, extra ...string) string {
	return ksBlock(append([]string{
		fmt.Sprintf("auth_url = %q", ksURL(e)),
		fmt.Sprintf("user_name = %q", emulator.KeystoneMFAUser),
		`user_domain_name = "Default"`,
		fmt.Sprintf("password = %q", emulator.KeystoneMFAPassword),
		`project_name = "demo"`,
		`project_domain_id = "default"`,
	}, extra...)...)
}

// postsPerLogin checks the number of POST /v3/auth/tokens per login, over
// the Terraform commands of a step: each is a new provider process that
// logs in once.
func postsPerLogin(e *acctest.Emulator, want int) acctest.Check {
	return func() error {
		posts, logins := e.Requests("keystone.tokens.create"), e.Logins("keystone")
		if logins == 0 || posts != want*logins {
			return fmt.Errorf("%d POSTs for %d logins, want %d each", posts, logins, want)
		}
		return nil
	}
}

func TestAccKeystoneTOTP_secretSendsPasswordAndCodeTogether(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(mfaUser(e, fmt.Sprintf("totp_secret = %q", emulator.KeystoneTOTPSecret)), ksCatalogDS),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("user").AtMapKey("name"), knownvalue.StringExact(emulator.KeystoneMFAUser)),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("methods"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("password"), knownvalue.StringExact("totp")})),
				postsPerLogin(e, 1),
			},
		}},
	})
}

func TestAccKeystoneTOTP_passcodeAnswersTheReceipt(t *testing.T) {
	e := acctest.StartEmulator(t)
	code, ok := e.KeystoneTOTPCode(emulator.KeystoneMFAUser)
	if !ok {
		t.Fatal("the emulator has no TOTP secret for the MFA user")
	}
	resource.ParallelTest(t, resource.TestCase{
		// OS_PASSCODE, as the OpenStack tools read it.
		ProtoV6ProviderFactories: acctest.Factories(map[string]string{"OS_PASSCODE": code}),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(mfaUser(e), ksCatalogDS),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("methods"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("password"), knownvalue.StringExact("totp")})),
				// The password first; Keystone answers with a receipt
				// asking for totp; then the code with the receipt.
				postsPerLogin(e, 2),
			},
		}},
	})
}

func TestAccKeystoneTOTP_errors(t *testing.T) {
	e := acctest.StartEmulator(t)
	cases := map[string]struct {
		config string
		env    map[string]string
		want   []string
	}{
		"rule wants a code the configuration lacks": {acctest.HCL(mfaUser(e), ksCatalogDS), nil,
			[]string{"Keystone wants a second factor", "a login needs", "password + totp", "keystone.totp_secret", "OS_TOTP_SECRET"}},
		// The password was accepted (the receipt says so): only the code
		// is left to check, not the ten settings of a password login.
		"a wrong code": {acctest.HCL(mfaUser(e, `passcode = "000000"`), ksCatalogDS), nil,
			[]string{"Keystone login failed", "passcode was refused", "Check `keystone.passcode`."}},
		"a wrong code from the environment": {acctest.HCL(mfaUser(e), ksCatalogDS), map[string]string{"OS_PASSCODE": "000000"},
			[]string{"Keystone login failed", "passcode was refused", "Check `keystone.passcode` (from OS_PASSCODE)."}},
		"passcode and totp_secret together": {acctest.HCL(mfaUser(e, `passcode = "123456"`, fmt.Sprintf("totp_secret = %q", emulator.KeystoneTOTPSecret)), ksCatalogDS), nil,
			[]string{"Invalid Attribute Combination", "keystone.totp_secret"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(tc.env),
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: acctest.ExpectErr(tc.want...)}},
			})
		})
	}
}

// A token's scope and origin are in the catalog data source: a domain, the
// system, or the application credential it was issued for.
func TestAccKeystoneCatalog_scopeAndOrigin(t *testing.T) {
	e := acctest.StartEmulator(t)
	demo := func(extra ...string) string {
		return ksBlock(append([]string{
			fmt.Sprintf("auth_url = %q", ksURL(e)),
			fmt.Sprintf("user_name = %q", emulator.KeystoneUser),
			fmt.Sprintf("password = %q", emulator.KeystonePassword),
		}, extra...)...)
	}
	cases := map[string]struct {
		config string
		checks map[string]knownvalue.Check
	}{
		"system scope, user domain from default_domain": {demo(`system_scope = "all"`, `default_domain = "default"`), map[string]knownvalue.Check{
			"system":                 knownvalue.ObjectExact(map[string]knownvalue.Check{"all": knownvalue.Bool(true)}),
			"project":                knownvalue.Null(),
			"domain":                 knownvalue.Null(),
			"application_credential": knownvalue.Null(),
			"methods":                knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("password")}),
		}},
		"domain scope": {demo(`user_domain_name = "Default"`, `domain_name = "Default"`), map[string]knownvalue.Check{
			"domain": knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id": knownvalue.StringExact(emulator.KeystoneDomainID), "name": knownvalue.StringExact(emulator.KeystoneDomainName)}),
			"system":  knownvalue.Null(),
			"project": knownvalue.Null(),
		}},
		"application credential": {ksAppCred(e), map[string]knownvalue.Check{
			"application_credential": knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id":         knownvalue.StringExact(emulator.KeystoneAppCredID),
				"name":       knownvalue.StringExact(emulator.KeystoneAppCredName),
				"restricted": knownvalue.Bool(true),
			}),
			"methods": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("application_credential")}),
			"domain":  knownvalue.Null(),
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var checks []statecheck.StateCheck
			for attr, c := range tc.checks {
				checks = append(checks, statecheck.ExpectKnownValue(ksCat, tfjsonpath.New(attr), c))
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(nil),
				Steps:                    []resource.TestStep{{Config: acctest.HCL(tc.config, ksCatalogDS), ConfigStateChecks: checks}},
			})
		})
	}
}

// interface = "all" keeps public and internal URLs together; the endpoints
// map keeps the provider's interface, with the configured overrides.
func TestAccKeystoneCatalog_allInterfacesAndOverrides(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksAppCred(e, `interface = "internal"`, `endpoint_overrides = { compute = "https://nova.override.test/v2.1", dns = "https://designate.override.test" }`), `
data "cloudauth_keystone_catalog" "this" {
  service_type = "compute"
  region       = "RegionOne"
  interface    = "all"
}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("interface"), knownvalue.StringExact("all")),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("catalog").AtSliceIndex(0).AtMapKey("endpoints"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"interface": knownvalue.StringExact("admin"), "url": knownvalue.StringExact(ksURLFor(e, "compute", "RegionOne", "admin"))}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"interface": knownvalue.StringExact("internal"), "url": knownvalue.StringExact(ksURLFor(e, "compute", "RegionOne", "internal"))}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"interface": knownvalue.StringExact("public"), "url": knownvalue.StringExact(ksURLFor(e, "compute", "RegionOne", "public"))}),
				})),
				// The map has the override for compute; dns is overridden
				// too but not of the selected type.
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints"), knownvalue.MapExact(map[string]knownvalue.Check{
					"compute": knownvalue.StringExact("https://nova.override.test/v2.1"),
				})),
			},
		}},
	})
}

// The environment names the OpenStack tools also accept.
func TestAccKeystoneCatalog_olderEnvironmentNames(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(map[string]string{
			"OS_AUTH_URL":         ksURL(e),
			"OS_USERNAME":         emulator.KeystoneUser,
			"OS_USER_DOMAIN_NAME": "Default",
			"OS_PASSWORD":         emulator.KeystonePassword,
			"OS_TENANT_NAME":      emulator.KeystoneOtherProject,
			"OS_DEFAULT_DOMAIN":   "default",
			"OS_ENDPOINT_TYPE":    "internalURL",
		}),
		Steps: []resource.TestStep{{
			Config: ksCatalogDS,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("project").AtMapKey("name"), knownvalue.StringExact(emulator.KeystoneOtherProject)),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("interface"), knownvalue.StringExact("internal")),
			},
		}},
	})
}

// An application credential written in the block is used, not a token from
// the environment (another user's, perhaps): the provider warns and
// ignores OS_TOKEN.
func TestAccKeystoneCatalog_blockCredentialBeatsEnvToken(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(map[string]string{"OS_TOKEN": "a-token-from-the-environment-0123"}),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksAppCred(e), ksCatalogDS),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("methods"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("application_credential")})),
				onlyLogins(e),
			},
		}},
	})
}
