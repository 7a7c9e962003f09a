package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// cloudauth token, like the provider, sends no password over plain
// http:// but to the exact name localhost or a loopback IP literal, and a
// clouds.yaml entry's verify: false does not change that; the error says
// where the value came from (the file, not "environment variables").
func TestTokenPlainHTTPOnlyToLoopbackAsSpelled(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	port := strings.TrimPrefix(w.base, "http://127.0.0.1:")
	appCred := func(authURL string) map[string]string {
		return map[string]string{"OS_AUTH_URL": authURL, "OS_APPLICATION_CREDENTIAL_ID": emulator.KeystoneAppCredID,
			"OS_APPLICATION_CREDENTIAL_SECRET": emulator.KeystoneAppCredSecret}
	}
	for _, host := range []string{"LocalHost", "localhost.", "evil.localhost", "127.0.0.1."} {
		code, out, errb := w.run(appCred(fmt.Sprintf("http://%s:%s/keystone/v3", host, port)), "token", "keystone", "--no-cache")
		if code != 1 || out != "" || !strings.Contains(errb, "is a plain http:// URL to "+host) || !strings.Contains(errb, "set OS_INSECURE to true") {
			t.Errorf("%s: exit %d, stdout %q, stderr:\n%s", host, code, out, errb)
		}
	}
	if n := w.e.Logins("keystone"); n != 0 {
		t.Fatalf("%d logins reached the emulator", n)
	}
	// The control: the same with localhost logs in.
	if code, _, errb := w.run(appCred("http://localhost:"+port+"/keystone/v3"), "token", "keystone", "--no-cache"); code != 0 {
		t.Fatalf("localhost: exit %d: %s", code, errb)
	}

	file := filepath.Join(t.TempDir(), "clouds.yaml")
	yaml := fmt.Sprintf("clouds:\n  plain:\n    auth_type: v3applicationcredential\n    verify: false\n    auth:\n"+
		"      auth_url: http://keystone.example.com:5000/v3\n      application_credential_id: %s\n      application_credential_secret: %s\n",
		emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret)
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errb := w.run(map[string]string{"OS_CLIENT_CONFIG_FILE": file}, "token", "keystone", "--cloud", "plain")
	if code != 1 || !strings.Contains(errb, "plain http://") || !strings.Contains(errb, "the verify: false of clouds.yaml "+file) {
		t.Errorf("verify: false: exit %d, stderr:\n%s", code, errb)
	}
	for _, wrong := range []string{"came from environment variables", "keystone.insecure", "keystone.ca_cert"} {
		if strings.Contains(errb, wrong) {
			t.Errorf("verify: false: stderr says %q:\n%s", wrong, errb)
		}
	}
}
