package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

const ksCat = "data.cloudauth_keystone_catalog.this"

// ksBlock is a provider block with a keystone block of the given lines.
func ksBlock(lines ...string) string {
	return "provider \"cloudauth\" {\n  keystone {\n    " + strings.Join(lines, "\n    ") + "\n  }\n}\n"
}

func ksURL(e *acctest.Emulator) string { return e.URL + "/keystone/v3" }

// ksAppCred is the emulator's application credential, plus extra lines.
func ksAppCred(e *acctest.Emulator, extra ...string) string {
	return ksBlock(append([]string{
		fmt.Sprintf("auth_url = %q", ksURL(e)),
		fmt.Sprintf("application_credential_id = %q", emulator.KeystoneAppCredID),
		fmt.Sprintf("application_credential_secret = %q", emulator.KeystoneAppCredSecret),
	}, extra...)...)
}

const ksCatalogDS = `data "cloudauth_keystone_catalog" "this" {}`

var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// ksURLFor is the demo catalog's URL of a service type in a region.
func ksURLFor(e *acctest.Emulator, typ, region, itf string) string {
	if typ == "identity" {
		return ksURL(e)
	}
	ports := map[string]string{"compute": "8774/v2.1", "network": "9696", "image": "9292", "dns": "9001",
		"volumev3": "8776/v3/" + emulator.KeystoneProjectID, "object-store": "8080/v1/AUTH_" + emulator.KeystoneProjectID}
	host := strings.ToLower(typ + "." + region)
	switch itf {
	case "public":
		return "https://" + host + ".cloudauth.test:" + ports[typ]
	case "internal":
		return "http://" + host + ".internal:" + ports[typ]
	}
	return "http://" + host + ".admin.internal:" + ports[typ]
}

// onlyLogins checks that Keystone saw nothing but logins: the data sources
// read what the login returned.
func onlyLogins(e *acctest.Emulator) acctest.Check {
	return func() error {
		if all, logins := e.Requests("keystone"), e.Requests("keystone.tokens.create"); all != logins || logins == 0 {
			return fmt.Errorf("Keystone saw %d requests of which %d logins; the catalog must come from the login alone", all, logins)
		}
		if n := e.Requests("keystone.version"); n != 0 {
			return fmt.Errorf("GET /v3 was asked %d times; there is no version discovery", n)
		}
		return nil
	}
}

func TestAccKeystoneCatalog_applicationCredential(t *testing.T) {
	e := acctest.StartEmulator(t)
	member := map[string]knownvalue.Check{"id": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`)), "name": knownvalue.StringExact("member")}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksAppCred(e, `region = "RegionOne"`), ksCatalogDS),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("interface"), knownvalue.StringExact("public")),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("region"), knownvalue.StringExact("RegionOne")),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("service_type"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("user"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id": knownvalue.StringExact(emulator.KeystoneUserID), "name": knownvalue.StringExact(emulator.KeystoneUser),
					"domain_id": knownvalue.StringExact("default"), "domain_name": knownvalue.StringExact("Default"),
				})),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("project"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id": knownvalue.StringExact(emulator.KeystoneProjectID), "name": knownvalue.StringExact(emulator.KeystoneProject),
					"domain_id": knownvalue.StringExact("default"), "domain_name": knownvalue.StringExact("Default"),
				})),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("roles"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(member),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("reader")}),
				})),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("issued_at"), knownvalue.StringRegexp(rfc3339)),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("expires_at"), knownvalue.StringRegexp(rfc3339)),
				// RegionOne has six services; dns is only in RegionTwo.
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("catalog"), knownvalue.ListSizeExact(6)),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("catalog").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`)), "name": knownvalue.StringExact("nova"), "type": knownvalue.StringExact("compute"),
					"endpoints": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":        knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`)),
						"interface": knownvalue.StringExact("public"), "region": knownvalue.StringExact("RegionOne"),
						"region_id": knownvalue.StringExact("RegionOne"), "url": knownvalue.StringExact(ksURLFor(e, "compute", "RegionOne", "public")),
					})}),
				})),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints"), knownvalue.MapExact(map[string]knownvalue.Check{
					"compute":      knownvalue.StringExact(ksURLFor(e, "compute", "RegionOne", "public")),
					"identity":     knownvalue.StringExact(ksURL(e)),
					"image":        knownvalue.StringExact(ksURLFor(e, "image", "RegionOne", "public")),
					"network":      knownvalue.StringExact(ksURLFor(e, "network", "RegionOne", "public")),
					"object-store": knownvalue.StringExact(ksURLFor(e, "object-store", "RegionOne", "public")),
					"volumev3":     knownvalue.StringExact(ksURLFor(e, "volumev3", "RegionOne", "public")),
				})),
				onlyLogins(e),
			},
		}},
	})
}

func TestAccKeystoneCatalog_environmentOnly(t *testing.T) {
	e := acctest.StartEmulator(t)
	// No provider block; the auth URL without /v3 and the old
	// "internalURL" spelling of the interface work too.
	env := map[string]string{
		"OS_AUTH_URL":                      e.URL + "/keystone",
		"OS_APPLICATION_CREDENTIAL_ID":     emulator.KeystoneAppCredID,
		"OS_APPLICATION_CREDENTIAL_SECRET": emulator.KeystoneAppCredSecret,
		"OS_REGION_NAME":                   "RegionTwo",
		"OS_INTERFACE":                     "internalURL",
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(env),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksCatalogDS, `data "cloudauth_keystone_catalog" "public" { interface = "public" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("interface"), knownvalue.StringExact("internal")),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("region"), knownvalue.StringExact("RegionTwo")),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints"), knownvalue.MapExact(map[string]knownvalue.Check{
					"compute":  knownvalue.StringExact(ksURLFor(e, "compute", "RegionTwo", "internal")),
					"dns":      knownvalue.StringExact(ksURLFor(e, "dns", "RegionTwo", "internal")),
					"identity": knownvalue.StringExact(ksURL(e)),
					"image":    knownvalue.StringExact(ksURLFor(e, "image", "RegionTwo", "internal")),
					"network":  knownvalue.StringExact(ksURLFor(e, "network", "RegionTwo", "internal")),
					"volumev3": knownvalue.StringExact(ksURLFor(e, "volumev3", "RegionTwo", "internal")),
				})),
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.public", tfjsonpath.New("endpoints").AtMapKey("compute"),
					knownvalue.StringExact(ksURLFor(e, "compute", "RegionTwo", "public"))),
				onlyLogins(e),
			},
		}},
	})
}

func TestAccKeystoneCatalog_applicationCredentialByName(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksBlock(
				fmt.Sprintf("auth_url = %q", ksURL(e)),
				fmt.Sprintf("application_credential_name = %q", emulator.KeystoneAppCredName),
				fmt.Sprintf("application_credential_secret = %q", emulator.KeystoneAppCredSecret),
				fmt.Sprintf("user_name = %q", emulator.KeystoneUser),
				`user_domain_name = "Default"`,
			), ksCatalogDS),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("project").AtMapKey("id"), knownvalue.StringExact(emulator.KeystoneProjectID)),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints").AtMapKey("identity"), knownvalue.StringExact(ksURL(e))),
			},
		}},
	})
}

func TestAccKeystoneCatalog_passwordScopes(t *testing.T) {
	e := acctest.StartEmulator(t)
	user := func(name, domain, password string, extra ...string) string {
		return ksBlock(append([]string{
			fmt.Sprintf("auth_url = %q", ksURL(e)), fmt.Sprintf("user_name = %q", name),
			fmt.Sprintf("user_domain_name = %q", domain), fmt.Sprintf("password = %q", password),
		}, extra...)...)
	}
	demo := func(extra ...string) string {
		return user(emulator.KeystoneUser, emulator.KeystoneDomainName, emulator.KeystonePassword, extra...)
	}
	projectNamed := func(name string) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(name)})
	}
	cases := []struct {
		name     string
		provider string
		project  knownvalue.Check
		roles    int
		services int
	}{
		{"project by name", demo(`project_name = "demo"`, `project_domain_id = "default"`), projectNamed(emulator.KeystoneProject), 2, 7},
		{"project by id", demo(fmt.Sprintf("project_id = %q", emulator.KeystoneOtherProjectID)), projectNamed(emulator.KeystoneOtherProject), 1, 7},
		// A domain-scoped token lists the services that need a project
		// (object-store, volumev3) without endpoints, as a real one does.
		{"domain scope", demo(`domain_name = "Default"`), knownvalue.Null(), 1, 5},
		{"unscoped", demo(), knownvalue.Null(), 0, 0},
		{"the user's default project", user(emulator.KeystonePartnerUser, emulator.KeystonePartnerDomain, emulator.KeystonePartnerPassword),
			projectNamed(emulator.KeystonePartnerProject), 3, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(nil),
				Steps: []resource.TestStep{{
					Config: acctest.HCL(tc.provider, ksCatalogDS),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("project"), tc.project),
						statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("roles"), knownvalue.ListSizeExact(tc.roles)),
						statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("catalog"), knownvalue.ListSizeExact(tc.services)),
						statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints"), knownvalue.MapSizeExact(tc.services)),
						statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("user").AtMapKey("name"), knownvalue.NotNull()),
					},
				}},
			})
		})
	}
}

func TestAccKeystoneCatalog_existingToken(t *testing.T) {
	e := acctest.StartEmulator(t)
	kc, err := keystone.New(keystone.Config{AuthURL: ksURL(e),
		ApplicationCredentialID: emulator.KeystoneAppCredID, ApplicationCredentialSecret: emulator.KeystoneAppCredSecret})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := kc.Login(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(map[string]string{"OS_AUTH_URL": ksURL(e), "OS_TOKEN": tok.ID}),
		Steps: []resource.TestStep{{
			Config: ksCatalogDS,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("project").AtMapKey("id"), knownvalue.StringExact(emulator.KeystoneProjectID)),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("expires_at"), knownvalue.StringExact(tok.ExpiresAt.UTC().Format(time.RFC3339))),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints").AtMapKey("compute"), knownvalue.NotNull()),
				acctest.Check(func() error {
					// The token is shown (GET), never exchanged for another.
					if n := e.Logins("keystone"); n != 1 {
						return fmt.Errorf("logins = %d, want only the test's own", n)
					}
					if n := e.Requests("keystone.tokens.get"); n == 0 {
						return errors.New("the token was never validated")
					}
					return nil
				}),
			},
		}},
	})
}

// writeCloudsYAML writes clouds.yaml and secure.yaml for the emulator.
func writeCloudsYAML(t *testing.T, e *acctest.Emulator) string {
	t.Helper()
	dir := t.TempDir()
	clouds := fmt.Sprintf(`clouds:
  emu:
    auth_type: v3applicationcredential
    auth:
      auth_url: %s
      application_credential_id: %s
    region_name: RegionTwo
    interface: admin
  emu-password:
    auth:
      auth_url: %s
      username: %s
      user_domain_name: Default
      project_name: %s
      project_domain_name: Default
`, e.URL+"/keystone", emulator.KeystoneAppCredID, ksURL(e), emulator.KeystoneUser, emulator.KeystoneOtherProject)
	secure := fmt.Sprintf(`clouds:
  emu:
    auth:
      application_credential_secret: %s
  emu-password:
    auth:
      password: %s
`, emulator.KeystoneAppCredSecret, emulator.KeystonePassword)
	for name, body := range map[string]string{"clouds.yaml": clouds, "secure.yaml": secure} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "clouds.yaml")
}

func TestAccKeystoneCatalog_cloudsYAML(t *testing.T) {
	e := acctest.StartEmulator(t)
	file := writeCloudsYAML(t, e)
	t.Run("OS_CLOUD, with the block and the environment over the file", func(t *testing.T) {
		// clouds.yaml says RegionTwo and admin; the block's region and the
		// environment's interface win.
		env := map[string]string{"OS_CLIENT_CONFIG_FILE": file, "OS_CLOUD": "emu", "OS_INTERFACE": "internal"}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.Factories(env),
			Steps: []resource.TestStep{{
				Config: acctest.HCL(ksBlock(`region = "RegionOne"`), ksCatalogDS),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("region"), knownvalue.StringExact("RegionOne")),
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("interface"), knownvalue.StringExact("internal")),
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("project").AtMapKey("id"), knownvalue.StringExact(emulator.KeystoneProjectID)),
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints").AtMapKey("compute"),
						knownvalue.StringExact(ksURLFor(e, "compute", "RegionOne", "internal"))),
				},
			}},
		})
	})
	t.Run("cloud in the block, the file's region and interface", func(t *testing.T) {
		env := map[string]string{"OS_CLIENT_CONFIG_FILE": file}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.Factories(env),
			Steps: []resource.TestStep{{
				Config: acctest.HCL(ksBlock(`cloud = "emu"`), ksCatalogDS),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("region"), knownvalue.StringExact("RegionTwo")),
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("interface"), knownvalue.StringExact("admin")),
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints").AtMapKey("dns"),
						knownvalue.StringExact(ksURLFor(e, "dns", "RegionTwo", "admin"))),
				},
			}},
		})
	})
	t.Run("password entry with a project scope", func(t *testing.T) {
		env := map[string]string{"OS_CLIENT_CONFIG_FILE": file, "OS_CLOUD": "emu-password"}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.Factories(env),
			Steps: []resource.TestStep{{
				Config: ksCatalogDS,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("project").AtMapKey("name"), knownvalue.StringExact(emulator.KeystoneOtherProject)),
					statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("roles"), knownvalue.ListSizeExact(1)),
				},
			}},
		})
	})
}

func TestAccKeystoneCatalog_filters(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksAppCred(e), `
data "cloudauth_keystone_catalog" "this" {
  service_type = "compute"
  interface    = "admin"
  region       = "RegionTwo"
}
data "cloudauth_keystone_catalog" "dns_in_one" {
  service_type = "dns"
  region       = "RegionOne"
}
data "cloudauth_keystone_catalog" "all_regions" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("catalog"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("catalog").AtSliceIndex(0).AtMapKey("endpoints"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue(ksCat, tfjsonpath.New("endpoints"), knownvalue.MapExact(map[string]knownvalue.Check{
					"compute": knownvalue.StringExact(ksURLFor(e, "compute", "RegionTwo", "admin")),
				})),
				// dns and RegionOne are both in the catalog, but not
				// together: an empty result, without a word.
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.dns_in_one", tfjsonpath.New("catalog"), knownvalue.ListSizeExact(0)),
				// Without a region: every region's endpoints, and the URL of
				// the first region in alphabetical order.
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.all_regions", tfjsonpath.New("region"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.all_regions", tfjsonpath.New("catalog").AtSliceIndex(0).AtMapKey("endpoints"),
					knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.all_regions", tfjsonpath.New("endpoints"), knownvalue.MapSizeExact(7)),
				statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.all_regions", tfjsonpath.New("endpoints").AtMapKey("compute"),
					knownvalue.StringExact(ksURLFor(e, "compute", "RegionOne", "public"))),
				onlyLogins(e),
			},
		}},
	})
}

// TestAccKeystoneCatalog_oneLoginForManyDataSources runs the same plan with
// one and with five data sources: Keystone must see exactly the same
// requests, all of them logins.
func TestAccKeystoneCatalog_oneLoginForManyDataSources(t *testing.T) {
	acctest.SkipUnlessAcc(t)
	t.Parallel()
	var mu sync.Mutex
	counts := map[int]int{}
	t.Run("runs", func(t *testing.T) {
		for _, n := range []int{1, 5} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				e := acctest.StartEmulator(t)
				var ds []string
				for i := range n {
					ds = append(ds, fmt.Sprintf(`data "cloudauth_keystone_catalog" "c%d" { region = "RegionOne" }`, i))
				}
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: acctest.Factories(nil),
					Steps: []resource.TestStep{{
						Config:            acctest.HCL(append([]string{ksAppCred(e)}, ds...)...),
						ConfigStateChecks: []statecheck.StateCheck{onlyLogins(e)},
					}},
				})
				mu.Lock()
				counts[n] = e.Requests("keystone")
				mu.Unlock()
			})
		}
	})
	if counts[1] == 0 || counts[5] != counts[1] {
		t.Errorf("Keystone requests: %d with one data source, %d with five; extra data sources must cost nothing", counts[1], counts[5])
	}
}

func TestAccKeystoneCatalog_errors(t *testing.T) {
	e := acctest.StartEmulator(t)
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + refused.Addr().String() + "/v3"
	refused.Close()
	revoked := func() string {
		kc, err := keystone.New(keystone.Config{AuthURL: ksURL(e), HTTP: httpx.Config{MaxRetries: 0},
			ApplicationCredentialID: emulator.KeystoneAppCredID, ApplicationCredentialSecret: emulator.KeystoneAppCredSecret})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := kc.Login(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := kc.Revoke(context.Background(), tok.ID); err != nil {
			t.Fatal(err)
		}
		return tok.ID
	}()
	url := fmt.Sprintf("auth_url = %q", ksURL(e))
	cases := []struct {
		name   string
		config string
		env    map[string]string
		want   []string
	}{
		{"wrong password names the method and Keystone's answer",
			acctest.HCL(ksBlock(url, `user_name = "demo"`, `user_domain_name = "Default"`, `password = "not-the-password"`), ksCatalogDS), nil,
			[]string{"Keystone login failed", "refused the password login", "HTTP 401", "The request you have made requires authentication.",
				"Check `keystone.user_name`, `keystone.user_domain_name`, `keystone.password`."}},
		{"wrong password from the environment names each variable used",
			ksCatalogDS, map[string]string{"OS_AUTH_URL": ksURL(e), "OS_USERNAME": "demo", "OS_USER_DOMAIN_NAME": "Default", "OS_PASSWORD": "not-the-password"},
			[]string{"Keystone login failed", "refused the password login",
				"Check `keystone.user_name` (from OS_USERNAME), `keystone.user_domain_name` (from OS_USER_DOMAIN_NAME), `keystone.password` (from OS_PASSWORD)."}},
		{"unknown application credential",
			acctest.HCL(ksBlock(url, `application_credential_id = "0000000000000000000000000000dead"`, `application_credential_secret = "x"`), ksCatalogDS), nil,
			[]string{"Keystone login failed", "application credential (by id)", "HTTP 404", "Could not find Application Credential: 0000000000000000000000000000dead."}},
		{"revoked token",
			acctest.HCL(ksBlock(url, fmt.Sprintf("token = %q", revoked)), ksCatalogDS), nil,
			[]string{"Keystone token not accepted", "refused the configured token", "HTTP 401", "expired or was revoked",
				"Issue a new token (for example `openstack token issue`) and put it in `keystone.token`, or remove `keystone.token`"}},
		{"revoked OS_TOKEN says to issue a new one or unset the variable",
			ksCatalogDS, map[string]string{"OS_AUTH_URL": ksURL(e), "OS_TOKEN": revoked},
			[]string{"Keystone token not accepted", "refused the configured token", "HTTP 401", "expired or was revoked",
				"`openstack token issue`", "put it in `keystone.token` (from OS_TOKEN), or remove OS_TOKEN and give credentials"}},
		{"user name without a domain",
			acctest.HCL(ksBlock(url, `user_name = "demo"`, `password = "x"`), ksCatalogDS), nil,
			[]string{"Missing keystone.user_domain_name", "keystone.user_domain_name", "OS_USER_DOMAIN_NAME", `user "demo" is named without a domain`}},
		{"project name without a domain",
			acctest.HCL(ksBlock(url, `user_id = "u"`, `password = "x"`, `project_name = "demo"`), ksCatalogDS), nil,
			[]string{"Missing keystone.project_domain_name", "OS_PROJECT_DOMAIN_NAME", `project "demo" is named without a domain`}},
		{"secret without a credential",
			acctest.HCL(ksBlock(url, `application_credential_secret = "x"`), ksCatalogDS), nil,
			[]string{"Missing keystone.application_credential_id", "OS_APPLICATION_CREDENTIAL_ID"}},
		{"named credential without a user",
			acctest.HCL(ksBlock(url, `application_credential_name = "demo-appcred"`, `application_credential_secret = "x"`), ksCatalogDS), nil,
			[]string{"Missing keystone.user_id", "OS_USER_ID", `application credential "demo-appcred" (given by name) needs the user`}},
		{"incomplete environment is reported where the cloud is used",
			ksCatalogDS, map[string]string{"OS_AUTH_URL": ksURL(e), "OS_USERNAME": "demo", "OS_USER_DOMAIN_NAME": "Default"},
			[]string{"Missing keystone.password", "OS_PASSWORD", "came from the environment: OS_AUTH_URL, OS_USERNAME, OS_USER_DOMAIN_NAME."}},
		{"unreachable auth_url shows the URL and the network error",
			acctest.HCL(ksBlock(fmt.Sprintf("auth_url = %q", deadURL), `application_credential_id = "x"`, `application_credential_secret = "y"`, `max_retries = 0`), ksCatalogDS), nil,
			[]string{"Cannot reach Keystone", deadURL + "/auth/tokens", "connection refused", "keystone.auth_url"}},
		{"Identity v2.0 auth_url",
			acctest.HCL(ksBlock(`auth_url = "https://keystone.example:5000/v2.0"`, `token = "abcdef"`), ksCatalogDS), nil,
			[]string{"Invalid keystone.auth_url", "OS_AUTH_URL", "Identity API v2.0"}},
		{"clouds.yaml entry that does not exist",
			acctest.HCL(ksBlock(`cloud = "nope"`), ksCatalogDS), map[string]string{"OS_CLIENT_CONFIG_FILE": writeCloudsYAML(t, e)},
			[]string{"Cannot read clouds.yaml", "OS_CLOUD", `cloud "nope" not found`}},
		{"not configured names the block and the variables",
			ksCatalogDS, nil,
			[]string{"OpenStack Keystone is not configured", "cloudauth_keystone_catalog needs OpenStack Keystone to be configured", "OS_AUTH_URL", "OS_CLOUD"}},
		{"region the catalog lacks lists the catalog's regions",
			acctest.HCL(ksAppCred(e), `data "cloudauth_keystone_catalog" "this" { region = "RegionX" }`), nil,
			[]string{"Unknown Keystone region", `the token's catalog has no region "RegionX"; it has: RegionOne, RegionTwo.`,
				"Set `region` to one of these"}},
		{"the provider's region in the wrong case suggests the right one and names its variable",
			ksCatalogDS, map[string]string{"OS_AUTH_URL": ksURL(e), "OS_APPLICATION_CREDENTIAL_ID": emulator.KeystoneAppCredID,
				"OS_APPLICATION_CREDENTIAL_SECRET": emulator.KeystoneAppCredSecret, "OS_REGION_NAME": "regionone"},
			[]string{"Unknown Keystone region", `no region "regionone"; it has: RegionOne, RegionTwo (did you mean "RegionOne"?)`,
				"`keystone.region` (from OS_REGION_NAME)", "set `region` on the data source"}},
		{"the provider block's region",
			acctest.HCL(ksAppCred(e, `region = "regionone"`), ksCatalogDS), nil,
			[]string{"Unknown Keystone region", `(did you mean "RegionOne"?)`, "The region is `keystone.region`, which"}},
		{"interface outside the three",
			acctest.HCL(ksAppCred(e), `data "cloudauth_keystone_catalog" "this" { interface = "private" }`), nil,
			[]string{"Invalid Attribute Value Match", "public", "internal", "admin"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(tc.env),
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: acctest.ExpectErr(tc.want...)}},
			})
		})
	}
}

// TestAccKeystoneCatalog_wrongSecretIsNotEchoed checks the whole error
// text Terraform shows: Keystone's answer and the method are there, the
// secret is not.
func TestAccKeystoneCatalog_wrongSecretIsNotEchoed(t *testing.T) {
	e := acctest.StartEmulator(t)
	const secret = "wrong-secret-7f3a9c1e"
	var shown error
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		// ErrorCheck sees the error instead of ExpectError, so that the
		// test can also look for what must not be in it.
		ErrorCheck: func(err error) error {
			shown = err
			if !acctest.ExpectErr("Keystone login failed", "application credential (by id)", "HTTP 401",
				"The request you have made requires authentication.", "keystone.application_credential_secret").MatchString(err.Error()) {
				return err
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: acctest.HCL(ksBlock(fmt.Sprintf("auth_url = %q", ksURL(e)),
				fmt.Sprintf("application_credential_id = %q", emulator.KeystoneAppCredID),
				fmt.Sprintf("application_credential_secret = %q", secret)), ksCatalogDS),
		}},
	})
	if shown == nil {
		t.Fatal("the login with a wrong secret did not fail")
	}
	if strings.Contains(shown.Error(), secret) {
		t.Errorf("the error shows the secret:\n%s", shown)
	}
	if n := e.Requests("keystone.tokens.create"); n != 1 {
		t.Errorf("logins tried = %d, want 1: a refused login is not repeated", n)
	}
}

// TestKeystoneCatalogUnknownServiceTypeWarns reads the data source in
// process, where warnings can be seen (terraform-plugin-testing does not
// show them): a service type the catalog lacks is a warning that lists the
// catalog's types and the near one, and the result is empty; a known type
// that is not in the chosen region gives no warning.
func TestKeystoneCatalogUnknownServiceTypeWarns(t *testing.T) {
	e := acctest.StartEmulator(t)
	s := acctest.NewServer(t, nil)
	s.Configure(map[string]any{"keystone": map[string]any{"auth_url": ksURL(e),
		"application_credential_id": emulator.KeystoneAppCredID, "application_credential_secret": emulator.KeystoneAppCredSecret}})
	warnings := func(cfg map[string]any) (string, map[string]tftypes.Value) {
		t.Helper()
		out, resp, err := s.ReadRaw("cloudauth_keystone_catalog", cfg)
		if err == nil {
			err = acctest.DiagsErr(resp.Diagnostics)
		}
		if err != nil {
			t.Fatal(err)
		}
		var text []string
		for _, d := range resp.Diagnostics {
			path := ""
			if d.Attribute != nil {
				path = d.Attribute.String()
			}
			text = append(text, fmt.Sprintf("[%s] %s: %s: %s", d.Severity, path, d.Summary, d.Detail))
		}
		return strings.Join(text, "\n"), out
	}
	text, out := warnings(map[string]any{"service_type": "objectstore"})
	want := regexp.MustCompile(`^\[WARNING\] AttributeName\("service_type"\): Unknown Keystone service type: ` +
		regexp.QuoteMeta(`the token's catalog has no service type "objectstore"; it has: compute, dns, identity, image, network, object-store, volumev3 (did you mean "object-store"?). The `+"`catalog`"+` and `+"`endpoints`"+` are empty.`) +
		`\s+If this cloud does not offer the service, that is expected`)
	if !want.MatchString(text) {
		t.Errorf("diagnostics:\n%s\nwant to match %s", text, want)
	}
	var catalog []tftypes.Value
	if err := out["catalog"].As(&catalog); err != nil || len(catalog) != 0 {
		t.Errorf("catalog = %v (%v), want empty", catalog, err)
	}
	if text, _ := warnings(map[string]any{"service_type": "dns", "region": "RegionOne"}); text != "" {
		t.Errorf("a type and region that exist but not together: %s", text)
	}
}
