package keystone_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
)

// Tests against a real Keystone, started by scripts/keystone-up.sh (`make
// testacc-keystone` runs them). They skip unless KS_AUTH_URL is set; the
// other KS_* variables come from the same env file.

// realKeystone returns the KS_* settings, or skips the test.
func realKeystone(t *testing.T) map[string]string {
	t.Helper()
	if os.Getenv("KS_AUTH_URL") == "" {
		t.Skip("KS_AUTH_URL is not set; `make testacc-keystone` starts a real Keystone and sets it")
	}
	ks := map[string]string{}
	for _, k := range []string{"KS_AUTH_URL", "KS_USER", "KS_USER_ID", "KS_PASSWORD", "KS_USER_DOMAIN_NAME", "KS_PROJECT",
		"KS_PROJECT_ID", "KS_PROJECT_DOMAIN_NAME", "KS_REGION", "KS_SERVICES", "KS_APPCRED_ID", "KS_APPCRED_SECRET"} {
		if ks[k] = os.Getenv(k); ks[k] == "" {
			t.Fatalf("KS_AUTH_URL is set but %s is not; source the env file scripts/keystone-up.sh writes", k)
		}
	}
	return ks
}

// realCatalogChecks are what every project-scoped login of the test user
// must show: the user, the project, and the catalog keystone-up.sh built.
func realCatalogChecks(ks map[string]string) []statecheck.StateCheck {
	services := strings.Split(ks["KS_SERVICES"], ",")
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("user").AtMapKey("id"), knownvalue.StringExact(ks["KS_USER_ID"])),
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("user").AtMapKey("name"), knownvalue.StringExact(ks["KS_USER"])),
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("project"), knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id": knownvalue.StringExact(ks["KS_PROJECT_ID"]), "name": knownvalue.StringExact(ks["KS_PROJECT"]),
			"domain_id": knownvalue.StringExact("default"), "domain_name": knownvalue.StringExact(ks["KS_PROJECT_DOMAIN_NAME"]),
		})),
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("roles"), knownvalue.SetPartial([]knownvalue.Check{
			knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("admin")}),
		})),
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("expires_at"), knownvalue.StringRegexp(rfc3339)),
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("region"), knownvalue.StringExact(ks["KS_REGION"])),
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("catalog"), knownvalue.ListSizeExact(len(services))),
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints"), knownvalue.MapSizeExact(len(services))),
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints").AtMapKey("identity"), knownvalue.StringExact(ks["KS_AUTH_URL"])),
		// Keystone fills in the project of the token.
		statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints").AtMapKey("object-store"),
			knownvalue.StringRegexp(regexp.MustCompile(`/v1/AUTH_`+ks["KS_PROJECT_ID"]+`$`))),
	}
}

func TestAccKeystoneReal_applicationCredential(t *testing.T) {
	ks := realKeystone(t)
	// From the environment alone, as a CI job would set it, with the auth
	// URL given without /v3.
	env := map[string]string{
		"OS_AUTH_URL":                      strings.TrimSuffix(ks["KS_AUTH_URL"], "/v3"),
		"OS_APPLICATION_CREDENTIAL_ID":     ks["KS_APPCRED_ID"],
		"OS_APPLICATION_CREDENTIAL_SECRET": ks["KS_APPCRED_SECRET"],
		"OS_REGION_NAME":                   ks["KS_REGION"],
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksCatalogDS, `
data "cloudauth_keystone_catalog" "compute_internal" {
  service_type = "compute"
  interface    = "internal"
  region       = "RegionTwo"
}`),
			ConfigStateChecks: append(realCatalogChecks(ks),
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.compute_internal", tfjsonpath.New("endpoints"),
					knownvalue.MapExact(map[string]knownvalue.Check{
						"compute": knownvalue.StringExact("http://internal.regiontwo.compute.test:8774/v2.1"),
					})),
			),
		}},
	})
}

func TestAccKeystoneReal_passwordProjectScope(t *testing.T) {
	ks := realKeystone(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksBlock(
				fmt.Sprintf("auth_url = %q", ks["KS_AUTH_URL"]),
				fmt.Sprintf("user_name = %q", ks["KS_USER"]),
				fmt.Sprintf("user_domain_name = %q", ks["KS_USER_DOMAIN_NAME"]),
				fmt.Sprintf("password = %q", ks["KS_PASSWORD"]),
				fmt.Sprintf("project_name = %q", ks["KS_PROJECT"]),
				fmt.Sprintf("project_domain_name = %q", ks["KS_PROJECT_DOMAIN_NAME"]),
				fmt.Sprintf("region = %q", ks["KS_REGION"]),
			), ksCatalogDS),
			ConfigStateChecks: realCatalogChecks(ks),
		}},
	})
}

func TestAccKeystoneReal_cloudsYAML(t *testing.T) {
	ks := realKeystone(t)
	dir := t.TempDir()
	files := map[string]string{
		"clouds.yaml": fmt.Sprintf(`clouds:
  ci:
    auth_type: v3applicationcredential
    auth:
      auth_url: %s
      application_credential_id: %s
    region_name: %s
    interface: public
`, ks["KS_AUTH_URL"], ks["KS_APPCRED_ID"], ks["KS_REGION"]),
		"secure.yaml": fmt.Sprintf("clouds:\n  ci:\n    auth:\n      application_credential_secret: %s\n", ks["KS_APPCRED_SECRET"]),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"OS_CLIENT_CONFIG_FILE": filepath.Join(dir, "clouds.yaml"), "OS_CLOUD": "ci"}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			Config:            ksCatalogDS,
			ConfigStateChecks: realCatalogChecks(ks),
		}},
	})
}

func TestAccKeystoneReal_wrongSecret(t *testing.T) {
	ks := realKeystone(t)
	const secret = "not-the-secret-5c2e81"
	var shown error
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		ErrorCheck: func(err error) error {
			shown = err
			if !acctest.ExpectErr("Keystone login failed", "application credential (by id)", "HTTP 401",
				"The request you have made requires authentication.", "keystone.application_credential_secret").MatchString(err.Error()) {
				return err
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksBlock(
				fmt.Sprintf("auth_url = %q", ks["KS_AUTH_URL"]),
				fmt.Sprintf("application_credential_id = %q", ks["KS_APPCRED_ID"]),
				fmt.Sprintf("application_credential_secret = %q", secret),
			), ksCatalogDS),
		}},
	})
	if shown == nil {
		t.Fatal("a wrong secret was accepted")
	}
	if strings.Contains(shown.Error(), secret) {
		t.Errorf("the error shows the secret:\n%s", shown)
	}
}

func TestAccKeystoneReal_existingTokenAndRevoke(t *testing.T) {
	ks := realKeystone(t)
	kc, err := keystone.New(keystone.Config{AuthURL: ks["KS_AUTH_URL"],
		ApplicationCredentialID: ks["KS_APPCRED_ID"], ApplicationCredentialSecret: ks["KS_APPCRED_SECRET"]})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := kc.Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OS_AUTH_URL": ks["KS_AUTH_URL"], "OS_TOKEN": tok.ID, "OS_REGION_NAME": ks["KS_REGION"]}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{
			{Config: ksCatalogDS, ConfigStateChecks: realCatalogChecks(ks)},
			{
				// Once revoked, the token is refused, and the user is told
				// to get a new one.
				PreConfig: func() {
					if err := kc.Revoke(context.Background(), tok.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: ksCatalogDS,
				ExpectError: acctest.ExpectErr("Keystone token not accepted", "refused the configured token", "HTTP 401",
					"expired or was revoked", "Issue a new token", "`keystone.token` (from OS_TOKEN), or remove OS_TOKEN"),
			},
		},
	})
}

// realTOTP returns the multi-factor user that `keystone-up.sh --totp`
// made (its rule wants password and totp), or skips.
func realTOTP(t *testing.T) (ks map[string]string, user string) {
	t.Helper()
	ks = realKeystone(t)
	for _, k := range []string{"KS_TOTP_USER", "KS_TOTP_PASSWORD", "KS_TOTP_SECRET"} {
		if ks[k] = os.Getenv(k); ks[k] == "" {
			t.Skipf("%s is not set: the Keystone was started without --totp", k)
		}
	}
	return ks, ksBlock(
		fmt.Sprintf("auth_url = %q", ks["KS_AUTH_URL"]),
		fmt.Sprintf("user_name = %q", ks["KS_TOTP_USER"]),
		`user_domain_name = "Default"`,
		fmt.Sprintf("password = %q", ks["KS_TOTP_PASSWORD"]))
}

// Keystone's multi-factor rule wants a password and a TOTP code; the
// provider sends both at once when it has the secret.
func TestAccKeystoneReal_passwordAndTOTP(t *testing.T) {
	ks, block := realTOTP(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(map[string]string{"OS_TOTP_SECRET": ks["KS_TOTP_SECRET"]}),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(block, ksCatalogDS),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("user").AtMapKey("name"), knownvalue.StringExact(ks["KS_TOTP_USER"])),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("methods"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("password"), knownvalue.StringExact("totp")})),
			},
		}},
	})
}

// With a single code (passcode), the provider sends the password alone,
// Keystone answers 401 with an auth receipt asking for totp, and the
// provider completes the login with the code and the receipt.
func TestAccKeystoneReal_receiptCompletedWithPasscode(t *testing.T) {
	ks, block := realTOTP(t)
	key, err := totp.Parse(ks["KS_TOTP_SECRET"])
	if err != nil {
		t.Fatal(err)
	}
	// Keystone accepts the code of the current and the previous 30 s step,
	// more than the few seconds the step's commands take.
	code := key.Code(time.Now())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(strings.Replace(block, "  }\n}", fmt.Sprintf("    passcode = %q\n  }\n}", code), 1), ksCatalogDS),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("methods"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("password"), knownvalue.StringExact("totp")})),
			},
		}},
	})
}

// Without a code, the error says which method the rule wants and what to
// set.
func TestAccKeystoneReal_receiptWithoutCode(t *testing.T) {
	_, block := realTOTP(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config:      acctest.HCL(block, ksCatalogDS),
			ExpectError: acctest.ExpectErr("Keystone wants a second factor", "password + totp", "keystone.totp_secret"),
		}},
	})
}
