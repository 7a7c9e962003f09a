package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// A misspelled setting in any cloud's block is an error that names it:
// the blocks are nested blocks, which Terraform checks, not object
// attributes, whose unknown keys it would drop without a word.
func TestAccProvider_misspelledSettingIsRejected(t *testing.T) {
	t.Parallel()
	for cloud, typo := range map[string]string{
		"keystone": "cacert_file",
		"cleura":   "user_name",
		"abiquo":   "otpsecret",
		"clc":      "user_name",
	} {
		t.Run(cloud, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(nil),
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf("provider \"cloudauth\" {\n  %s {\n    %s = \"x\"\n  }\n}\n"+
						"data \"cloudauth_token\" \"t\" {\n  cloud = %q\n}\n", cloud, typo, cloud),
					ExpectError: regexp.MustCompile(`(?s)Unsupported argument.*An argument named "` + typo + `" is not expected here`),
				}},
			})
		})
	}
}

// Settings that cannot work together, or a value that cannot work, are
// refused when Terraform validates the configuration, before any Configure
// or network call, and the error names the attribute.
func TestValidateRefusesConflictsAndBadValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cloud string
		block map[string]any
		want  []string
	}{
		{"keystone token with a password", "keystone",
			map[string]any{"auth_url": "https://ks.example:5000", "token": "tok-123456", "password": "pw-123456", "user_name": "u"},
			[]string{"Invalid Attribute Combination", "keystone.password"}},
		{"keystone two application credentials", "keystone",
			map[string]any{"application_credential_id": "id1", "application_credential_name": "name1", "application_credential_secret": "s"},
			[]string{"Invalid Attribute Combination", "application_credential_name"}},
		{"abiquo endpoint without /api", "abiquo",
			map[string]any{"endpoint": "https://abiquo.example.com/", "username": "u", "password": "p"},
			[]string{"Invalid abiquo.endpoint", "does not end in /api", "https://abiquo.example.com/api"}},
		{"abiquo otp with otp_secret", "abiquo",
			map[string]any{"endpoint": "https://abiquo.example.com/api", "otp": "123456", "otp_secret": "JBSWY3DPEHPK3PXP"},
			[]string{"Invalid Attribute Combination", "abiquo.otp_secret"}},
		{"clc timeout that is not a duration", "clc",
			map[string]any{"username": "u", "password": "p", "timeout": "30"},
			[]string{"Invalid clc.timeout", `"30" is not a positive duration`}},
		{"plain http to another machine", "cleura",
			map[string]any{"url": "http://rest.cleura.example", "username": "alice", "password": "pw"},
			[]string{"Invalid cleura.url", "plain http:// URL to rest.cleura.example", "use https://, or set insecure = true"}},
		{"keystone auth_url over plain http", "keystone",
			map[string]any{"auth_url": "http://keystone.example:5000", "token": "tok-123456"},
			[]string{"Invalid keystone.auth_url", "plain http://"}},
		{"plain http allowed with insecure", "clc",
			map[string]any{"url": "http://api.clc.example", "username": "u", "password": "p", "insecure": true}, nil},
		{"plain http allowed to this machine", "clc",
			map[string]any{"url": "http://127.0.0.1:8080", "username": "u", "password": "p"}, nil},
		{"cleura URL with a password in it", "cleura",
			map[string]any{"url": "https://alice:url-secret-99@rest.cleura.cloud", "username": "alice"},
			[]string{"Invalid cleura.url", "The setting `cleura.url`", "holds a user name or password"}},
		{"abiquo endpoint with a password in it", "abiquo",
			map[string]any{"endpoint": "https://alice:url-secret-99@abiquo.example.com/api", "username": "alice"},
			[]string{"Invalid abiquo.endpoint", "The setting `abiquo.endpoint`", "holds a user name or password"}},
		{"keystone auth_url with a password in it that does not parse", "keystone",
			map[string]any{"auth_url": "https://alice:url-secret-99@[::1", "token": "tok-123456"},
			[]string{"Invalid keystone.auth_url", "The setting `keystone.auth_url`", "not shown here"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := acctest.NewServer(t, nil)
			diags := s.Validate(map[string]any{tc.cloud: tc.block})
			if len(tc.want) == 0 {
				for _, d := range diags {
					if d.Severity == tfprotov6.DiagnosticSeverityError {
						t.Errorf("want no error, got %s: %s", d.Summary, d.Detail)
					}
				}
				return
			}
			var text strings.Builder
			for _, d := range diags {
				fmt.Fprintf(&text, "%s: %s: %s [%v]\n", d.Severity, d.Summary, d.Detail, d.Attribute)
				// Terraform prints the source line of an attribute's error:
				// one about a URL's password must point at none.
				if strings.Contains(d.Detail, "user name or password") && d.Attribute != nil {
					t.Errorf("%s points at %v, whose source line holds the password", d.Summary, d.Attribute)
				}
			}
			for _, want := range tc.want {
				if !strings.Contains(text.String(), want) {
					t.Errorf("validation lacks %q:\n%s", want, text.String())
				}
			}
			if strings.Contains(text.String(), "url-secret-99") {
				t.Errorf("validation echoes a password:\n%s", text.String())
			}
		})
	}
}

// A value known only after apply in one cloud's block does not fail a
// plan that reads only another cloud; the cloud that has it reports it
// when something uses it.
func TestAccProvider_unknownValueOfAnUnusedCloud(t *testing.T) {
	e := acctest.StartEmulator(t)
	clcWithUnknown := `
resource "terraform_data" "later" {
  input = "a password from another resource"
}

provider "cloudauth" {
  clc {
    url      = "` + e.URL + `/clc"
    username = "u"
    password = terraform_data.later.output
  }
  keystone {
    auth_url                      = "` + e.URL + `/keystone/v3"
    application_credential_id     = "` + emulator.KeystoneAppCredID + `"
    application_credential_secret = "` + emulator.KeystoneAppCredSecret + `"
  }
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(nil),
		Steps: []resource.TestStep{
			{
				Config: clcWithUnknown + `data "cloudauth_keystone_catalog" "k" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.cloudauth_keystone_catalog.k", tfjsonpath.New("user").AtMapKey("name"), knownvalue.StringExact(emulator.KeystoneUser)),
				},
			},
			{
				// Once CenturyLink Cloud is used while its password is not
				// known, the error names the setting.
				Config:      clcWithUnknown + `data "cloudauth_clc_root_group" "r" {}`,
				ExpectError: acctest.ExpectErr("Unknown value for clc.password", "only known after apply"),
				Taint:       []string{"terraform_data.later"},
			},
		},
	})
}
