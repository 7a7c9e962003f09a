package provider_test

import (
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// An API whose error message holds terminal controls (a window title, the
// clipboard by OSC 52, a cleared screen) and a right-to-left override:
// whether the login or the read gets it, the diagnostics Terraform shows
// quote the message without them.
func TestDiagnosticsQuoteNoTerminalControls(t *testing.T) {
	t.Parallel()
	for _, c := range cloudsUnderTest {
		for _, tc := range []struct{ name, route, read string }{
			{"login/data", c.loginRoute, "data"},
			{"login/token", c.loginRoute, "token"},
			{"read/data", c.readRoute, "data"},
		} {
			t.Run(c.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				e := acctest.StartEmulator(t)
				e.InjectFault(emulator.Fault{Route: tc.route, Kind: "escapes", Times: 10})
				s := acctest.NewServer(t, nil)
				settings := c.settings(e.URL)
				settings["max_retries"] = 0
				s.Configure(map[string]any{c.name: settings})
				var err error
				if tc.read == "token" {
					_, err = s.Read("cloudauth_token", map[string]any{"cloud": c.name})
				} else {
					_, err = s.Read(c.dataType, c.dataCfg)
				}
				if err == nil {
					t.Fatal("no error")
				}
				msg := err.Error()
				if !strings.Contains(msg, "denied") || !strings.Contains(msg, "owned") {
					t.Fatalf("the API's message is not quoted, so this proves nothing:\n%s", msg)
				}
				if p := httpx.Printable(msg); p != msg {
					t.Errorf("the diagnostics carry terminal controls: %q", msg)
				}
			})
		}
	}
}
