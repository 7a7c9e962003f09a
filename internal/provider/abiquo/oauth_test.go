package abiquo_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/cloudtest"
)

// abqOAuth is the emulator's OAuth 1.0a application of its two-factor
// system administrator: OAuth is how to automate such an account.
func abqOAuth(e *acctest.Emulator) map[string]string {
	return map[string]string{
		"endpoint":            abqEndpoint(e),
		"consumer_key":        emulator.AbiquoOAuthConsumerKey,
		"consumer_secret":     emulator.AbiquoOAuthConsumerSecret,
		"access_token":        emulator.AbiquoOAuthAccessToken,
		"access_token_secret": emulator.AbiquoOAuthAccessTokenSecret,
	}
}

const abqTokenDS = `data "cloudauth_token" "abq" {
  cloud = "abiquo"
}`

// OAuth 1.0a signs every request; Abiquo answers with a token too, which
// cloudauth_token hands out.
func TestAccAbiquoOAuth_block(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(abiquoProvider(abqOAuth(e)), `data "cloudauth_abiquo_datacenters" "all" {}`, abqTokenDS),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("total"), knownvalue.Int64Exact(120)),
				statecheck.ExpectKnownValue("data.cloudauth_token.abq", tfjsonpath.New("principal"), knownvalue.StringExact(emulator.AbiquoTwoFactorUser)),
				statecheck.ExpectKnownValue("data.cloudauth_token.abq", tfjsonpath.New("headers").AtMapKey("Authorization"),
					knownvalue.StringRegexp(regexp.MustCompile(`^Token .+`))),
				acctest.Check(func() error {
					if n := len(e.AbiquoOAuthRejections()); n != 0 {
						return fmt.Errorf("the emulator refused %d signatures", n)
					}
					return nil
				}),
			},
		}},
	})
}

// `cloudauth login abiquo --oauth` stores the four values; the provider
// reads them when the block gives no credentials.
func TestAccAbiquoOAuth_credentialsFile(t *testing.T) {
	e := acctest.StartEmulator(t)
	o := abqOAuth(e)
	dir := cloudtest.StoreTokens(t, credstore.Entry{Cloud: "abiquo", URL: abqEndpoint(e), Login: emulator.AbiquoTwoFactorUser, StoredAt: time.Now(),
		OAuth1: &credstore.OAuth1{ConsumerKey: o["consumer_key"], ConsumerSecret: o["consumer_secret"],
			AccessToken: o["access_token"], AccessTokenSecret: o["access_token_secret"]}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(map[string]string{"XDG_CONFIG_HOME": dir, "ABQ_ENDPOINT": abqEndpoint(e)}),
		Steps: []resource.TestStep{{
			Config: `data "cloudauth_abiquo_datacenters" "all" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("total"), knownvalue.Int64Exact(120)),
			},
		}},
	})
}

func TestAccAbiquoOAuth_errors(t *testing.T) {
	e := acctest.StartEmulator(t)
	wrong := abqOAuth(e)
	wrong["access_token_secret"] = "not-the-access-token-secret"
	withPassword := abqOAuth(e)
	withPassword["password"] = "a-password-too"
	partial := map[string]string{"endpoint": abqEndpoint(e), "consumer_key": emulator.AbiquoOAuthConsumerKey}
	cases := map[string]struct {
		config string
		want   []string
	}{
		"a wrong secret": {acctest.HCL(abiquoProvider(wrong), `data "cloudauth_abiquo_datacenters" "all" {}`),
			[]string{"Abiquo OAuth signature refused", "abiquo.access_token_secret", "cloudauth login abiquo --endpoint", "--oauth"}},
		"OAuth and a password": {acctest.HCL(abiquoProvider(withPassword), `data "cloudauth_abiquo_datacenters" "all" {}`),
			[]string{"Invalid Attribute Combination", "abiquo.password", "cannot be specified when"}},
		"one OAuth value without the others": {acctest.HCL(abiquoProvider(partial), `data "cloudauth_abiquo_datacenters" "all" {}`),
			[]string{"Invalid Attribute Combination", "abiquo.consumer_secret", "must be specified when", "abiquo.consumer_key"}},
		// A user whose second factor is email cannot log in from a
		// Terraform run: the diagnostic says how to get around it.
		"email two-factor user": {acctest.HCL(abiquoProvider(map[string]string{"endpoint": abqEndpoint(e),
			"username": emulator.AbiquoEmailUser, "password": emulator.AbiquoEmailPassword}), `data "cloudauth_abiquo_datacenters" "all" {}`),
			[]string{"Abiquo login refused", "codes sent by email", "cloudauth login abiquo --endpoint", "--oauth"}},
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

// A password written in the block is used, not a token from the
// environment (another user's, perhaps).
func TestAccAbiquoDatacenters_blockPasswordBeatsEnvToken(t *testing.T) {
	e := acctest.StartEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(map[string]string{"ABQ_TOKEN": "a-token-from-the-environment-0123"}),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(abiquoProvider(abqAdmin(e)), `data "cloudauth_abiquo_datacenters" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(abqAll, tfjsonpath.New("total"), knownvalue.Int64Exact(120)),
				onePerRun(e),
			},
		}},
	})
}
