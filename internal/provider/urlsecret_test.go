package provider_test

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// A URL setting with a user name and password in it is refused, and the
// password must not reach the output: Terraform prints the source line of
// a setting under an error that points at it, so these errors point at
// none and name the setting in their text. Each case runs `terraform plan`
// (which validates first) with the built provider, as a user would.
func TestAccURLWithPasswordNeverShown(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("needs TF_ACC and TF_ACC_TERRAFORM_PATH (make test sets both)")
	}
	t.Parallel()
	dir := t.TempDir()
	cli := builtProvider(t, dir)
	e := acctest.StartEmulator(t)
	const secret = "Pw4url-s3cret"
	// withPassword puts bob:secret into an emulator URL.
	withPassword := func(path string) string {
		u, err := url.Parse(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword("bob", secret)
		return u.String()
	}
	clc := func(u string) string {
		return fmt.Sprintf("clc {\n    url = %s\n    username = %q\n    password = %q\n  }", u, emulator.CLCUser, emulator.CLCPassword)
	}
	keystone := func(authURL, extra string) string {
		return fmt.Sprintf("keystone {\n    auth_url = %s\n    application_credential_id = %q\n    application_credential_secret = %q\n    %s\n  }",
			authURL, emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret, extra)
	}
	const rootGroup = `data "cloudauth_clc_root_group" "x" {}`
	cases := []struct {
		name     string
		provider string // the provider block's content
		extra    string // variables and data sources
		env      []string
		setting  string // the setting the error must name
	}{
		{name: "clc.url", provider: clc(fmt.Sprintf("%q", withPassword("/clc"))), extra: rootGroup, setting: "clc.url"},
		{name: "clc.url from a variable", provider: clc("var.u"),
			extra: fmt.Sprintf("variable \"u\" {\n  default = %q\n}\n%s", withPassword("/clc"), rootGroup), setting: "clc.url"},
		{name: "clc.url that does not parse", provider: clc(fmt.Sprintf("%q", "http://bob:"+secret+"@[::1")), extra: rootGroup, setting: "clc.url"},
		{name: "keystone.auth_url without its scheme", provider: keystone(fmt.Sprintf("%q", strings.TrimPrefix(withPassword("/keystone/v3"), "http://")), ""),
			extra: `data "cloudauth_keystone_catalog" "x" {}`, setting: "keystone.auth_url"},
		{name: "cloudauth_request.url without its scheme", provider: clc(fmt.Sprintf("%q", e.URL+"/clc")),
			extra:   fmt.Sprintf("data \"cloudauth_request\" \"x\" {\n  cloud = \"clc\"\n  url   = %q\n}", strings.TrimPrefix(withPassword("/clc/v2/x"), "http://")),
			setting: "url"},
		{name: "cleura.url", provider: fmt.Sprintf("cleura {\n    url = %q\n    username = \"u\"\n    password = \"p\"\n  }", withPassword("/cleura")),
			extra: `data "cloudauth_cleura_domains" "x" {}`, setting: "cleura.url"},
		{name: "abiquo.endpoint", provider: fmt.Sprintf("abiquo {\n    endpoint = %q\n    username = %q\n    password = %q\n  }",
			withPassword("/abiquo/api"), emulator.AbiquoAdmin, emulator.AbiquoAdminPassword),
			extra: `data "cloudauth_abiquo_datacenters" "x" {}`, setting: "abiquo.endpoint"},
		{name: "keystone.auth_url", provider: keystone(fmt.Sprintf("%q", withPassword("/keystone/v3")), ""),
			extra: `data "cloudauth_keystone_catalog" "x" {}`, setting: "keystone.auth_url"},
		{name: "keystone.endpoint_overrides", provider: keystone(fmt.Sprintf("%q", e.URL+"/keystone/v3"),
			fmt.Sprintf("endpoint_overrides = { compute = %q }", withPassword("/nova"))),
			extra: `data "cloudauth_keystone_catalog" "x" {}`, setting: "keystone.endpoint_overrides"},
		{name: "cloudauth_request.url", provider: clc(fmt.Sprintf("%q", e.URL+"/clc")),
			extra:   fmt.Sprintf("data \"cloudauth_request\" \"x\" {\n  cloud = \"clc\"\n  url   = %q\n}", withPassword("/clc/v2/datacenters/ACME")),
			setting: "url"},
		{name: "CLC_API_URL", extra: rootGroup, setting: "CLC_API_URL",
			env: []string{"CLC_API_URL=" + withPassword("/clc"), "CLC_USERNAME=" + emulator.CLCUser, "CLC_PASSWORD=" + emulator.CLCPassword}},
	}
	// The forms a password may take in text: as written and URL-encoded.
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			cfg := "terraform {\n  required_providers {\n    cloudauth = { source = \"registry.terraform.io/cloudauth/cloudauth\" }\n  }\n}\n" +
				"provider \"cloudauth\" {\n  " + tc.provider + "\n}\n" + tc.extra + "\n"
			if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(tf, "plan", "-input=false", "-no-color")
			cmd.Dir = work
			// Only what the case sets: no cloud variable of the developer's shell.
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + work,
				"TF_CLI_CONFIG_FILE=" + cli, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}, tc.env...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err == nil {
				t.Fatalf("terraform plan succeeded with a password in %s:\n%s", tc.setting, out.String())
			}
			text := out.String()
			// The error must be this one, naming the setting, or the
			// absence of the password below proves nothing.
			want := regexp.MustCompile(`(?s)Error: Invalid .*` + regexp.QuoteMeta(tc.setting) + `.*user\s+name\s+or\s+password|(?s)Error: Invalid .*` +
				regexp.QuoteMeta(tc.setting) + `.*not\s+shown\s+here`)
			if !want.MatchString(text) {
				t.Fatalf("the output does not name %s and the password in it:\n%s", tc.setting, text)
			}
			for _, f := range forms {
				if i := strings.Index(text, f); i >= 0 {
					lo, hi := max(0, i-200), min(len(text), i+len(f)+40)
					t.Errorf("the password shows in the output: ...%s...", text[lo:hi])
				}
			}
		})
	}
}
