package provider

import (
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// Every error path of every cloud, in one provider process each: the
// faults of the fault matrix and refused credentials. Whatever the error
// says, it never contains a configured secret or an issued token.

// refusedLogins replaces a cloud's secret with a wrong one.
var refusedLogins = map[string]map[string]any{
	"keystone": {"application_credential_secret": "wrong-keystone-secret-0001"},
	"cleura":   {"password": "wrong-cleura-password-0002"},
	"abiquo":   {"password": "wrong-abiquo-password-0003"},
	"clc":      {"password": "wrong-clc-password-0004"},
}

// configuredSecrets are the secret values a cloud's settings hold.
func configuredSecrets(settings map[string]any) []string {
	var out []string
	for k, v := range settings {
		if s, ok := v.(string); ok && isSecretSetting(k) {
			out = append(out, s)
		}
	}
	return out
}

func TestErrorsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	type errCase struct {
		name     string
		settings func(c cloudUnderTest, base string) map[string]any
		fault    func(c cloudUnderTest) *emulator.Fault
		read     string // "data" (the cloud's data source) or "token"
	}
	var cases []errCase
	for _, fc := range faultCases() {
		if len(fc.want) == 0 || fc.base != nil {
			continue // successes, and unreachable hosts (no answer to leak)
		}
		for _, read := range []string{"data", "token"} {
			cases = append(cases, errCase{
				name: fc.name + "/" + read,
				settings: func(c cloudUnderTest, base string) map[string]any {
					s := c.settings(base)
					s["max_retries"] = 1
					s["timeout"] = "1s"
					return s
				},
				fault: fc.fault, read: read,
			})
		}
	}
	for _, read := range []string{"data", "token"} {
		cases = append(cases, errCase{
			name: "refused login/" + read,
			settings: func(c cloudUnderTest, base string) map[string]any {
				s := c.settings(base)
				for k, v := range refusedLogins[c.name] {
					s[k] = v
				}
				return s
			},
			read: read,
		})
	}
	for _, c := range cloudsUnderTest {
		for _, ec := range cases {
			t.Run(c.name+"/"+ec.name, func(t *testing.T) {
				t.Parallel()
				e := startEmulator(t)
				if ec.fault != nil {
					f := ec.fault(c)
					if ec.read == "token" {
						f.Route = c.loginRoute // a token read only logs in
					}
					if f.Delay > 0 {
						f.Times = 10
					}
					if f.Kind != "" {
						f.Status = c.ok()
					}
					e.InjectFault(*f)
				}
				settings := ec.settings(c, e.URL)
				s := newServer(t, nil)
				s.configure(map[string]any{c.name: settings})
				var err error
				if ec.read == "token" {
					_, err = s.read("cloudauth_token", map[string]any{"cloud": c.name})
				} else {
					_, err = s.read(c.dataType, c.dataCfg)
				}
				if err == nil {
					t.Fatalf("no error")
				}
				msg := err.Error()
				secrets := append(configuredSecrets(settings), e.IssuedTokens("")...)
				for _, sec := range secrets {
					if sec != "" && strings.Contains(msg, sec) {
						t.Fatalf("the error shows a secret %q:\n%s", sec[:min(4, len(sec))]+"...", msg)
					}
				}
			})
		}
	}
}

// isSecretSetting reports whether a block attribute holds a secret, from
// the schema's own Sensitive flags.
func isSecretSetting(name string) bool {
	for _, b := range blocks {
		for _, a := range b.attrs {
			if a.name == name && a.sensitive {
				return true
			}
		}
	}
	return false
}
