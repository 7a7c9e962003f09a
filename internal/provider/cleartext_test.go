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

// errorsOf is the text of the error diagnostics.
func errorsOf(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			fmt.Fprintf(&b, "%s: %s\n", d.Summary, d.Detail)
		}
	}
	return b.String()
}

// Plain http:// is allowed to this machine only as Go's proxy bypass
// spells it (localhost, a loopback IP literal); other spellings of it may
// reach another machine (by DNS, or a proxy), and are refused at
// Configure, before any password is sent, for every cloud.
func TestPlainHTTPOnlyToLoopbackAsSpelled(t *testing.T) {
	t.Parallel()
	for _, c := range cloudsUnderTest {
		for base, ok := range map[string]bool{
			"http://localhost:1": true, "http://127.0.0.1:1": true, "http://[::1]:1": true,
			"http://LocalHost:1": false, "http://localhost.:1": false, "http://evil.localhost:1": false, "http://127.0.0.1.:1": false,
		} {
			t.Run(c.name+"/"+base, func(t *testing.T) {
				t.Parallel()
				s := acctest.NewServer(t, nil)
				errs := errorsOf(s.ConfigureRaw(map[string]any{c.name: c.settings(base)}).Diagnostics)
				refused := strings.Contains(errs, "plain http://")
				if refused == ok {
					t.Errorf("refused %v, want %v:\n%s", refused, !ok, errs)
				}
			})
		}
	}
}

// clouds.yaml's verify: false turns off TLS verification; it does not
// also allow plain http:// to another machine, as insecure = true does.
func TestCloudsYAMLVerifyFalseIsNoPlainHTTP(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "clouds.yaml")
	yaml := fmt.Sprintf(`clouds:
  plain:
    auth_type: v3applicationcredential
    verify: false
    auth:
      auth_url: http://keystone.example.com:5000/v3
      application_credential_id: %[1]s
      application_credential_secret: %[2]s
  tls:
    auth_type: v3applicationcredential
    verify: false
    auth:
      auth_url: https://keystone.example.com:5000/v3
      application_credential_id: %[1]s
      application_credential_secret: %[2]s
`, emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret)
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, cloud string
		block       map[string]any
		refused     bool
	}{
		{"verify: false with http", "plain", map[string]any{}, true},
		{"verify: false with https", "tls", map[string]any{}, false},
		{"insecure in the block with http", "plain", map[string]any{"insecure": true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := acctest.NewServer(t, map[string]string{"OS_CLIENT_CONFIG_FILE": file})
			block := map[string]any{"cloud": tc.cloud}
			for k, v := range tc.block {
				block[k] = v
			}
			resp := s.ConfigureRaw(map[string]any{"keystone": block})
			errs := errorsOf(resp.Diagnostics)
			if refused := strings.Contains(errs, "plain http://"); refused != tc.refused {
				t.Fatalf("refused %v, want %v:\n%s", refused, tc.refused, errs)
			}
			if tc.refused {
				if !strings.Contains(errs, "verify: false") {
					t.Errorf("the error does not say that verify: false is about TLS only:\n%s", errs)
				}
				return
			}
			if errs != "" {
				t.Errorf("errors:\n%s", errs)
			}
			warned := false
			for _, d := range resp.Diagnostics {
				warned = warned || strings.Contains(d.Summary, "TLS verification is off")
			}
			if !warned {
				t.Errorf("no warning that TLS verification is off")
			}
		})
	}
}
