package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// A misspelled key of the clouds.yaml entry the provider reads is a
// warning that names it and the key meant.
func TestCloudsYAMLMisspelledKeyWarns(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "clouds.yaml")
	yaml := fmt.Sprintf(`clouds:
  emu:
    auth_type: v3applicationcredential
    regon_name: RegionTwo
    auth:
      auth_url: https://keystone.example.com:5000/v3
      application_credential_id: %s
      application_credential_secret: %s
`, emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret)
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	s := acctest.NewServer(t, map[string]string{"OS_CLIENT_CONFIG_FILE": file, "OS_CLOUD": "emu"})
	resp := s.ConfigureRaw(map[string]any{})
	if errs := errorsOf(resp.Diagnostics); errs != "" {
		t.Fatalf("errors:\n%s", errs)
	}
	var found bool
	for _, d := range resp.Diagnostics {
		found = found || (d.Severity == tfprotov6.DiagnosticSeverityWarning && strings.Contains(d.Detail, `"regon_name" (did you mean "region_name"?)`) &&
			strings.Contains(d.Detail, file))
	}
	if !found {
		t.Errorf("no warning names regon_name and region_name: %v", resp.Diagnostics)
	}
}

// A setting missing from a clouds.yaml entry that the environment chose
// (OS_CLOUD) is reported as coming from the environment and the file, and
// a value the file gave as coming from the file: not as "environment
// variables" alone.
func TestCloudsYAMLErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "clouds.yaml")
	yaml := `clouds:
  nosecret:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      application_credential_id: an-id
  plain:
    auth:
      auth_url: http://keystone.example.com:5000/v3
      application_credential_id: an-id
      application_credential_secret: a-secret
`
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for cloud, want := range map[string]string{
		"nosecret": "(These settings came from the environment (OS_CLOUD) and from clouds.yaml " + file + ".)",
		"plain":    "`keystone.auth_url` (from clouds.yaml " + file + "): http://keystone.example.com:5000/v3 is a plain http:// URL",
	} {
		s := acctest.NewServer(t, map[string]string{"OS_CLIENT_CONFIG_FILE": file, "OS_CLOUD": cloud})
		s.Configure(map[string]any{})
		_, err := s.Read("cloudauth_keystone_catalog", nil)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "came from environment variables.)") {
			t.Errorf("%s: err = %v\nwant it to say %q, and not environment variables alone", cloud, err, want)
		}
	}
}
