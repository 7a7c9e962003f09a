package provider_test

import (
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
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
func configuredSecrets(s *acctest.Server, cloud string, settings map[string]any) []string {
	var out []string
	for k, v := range settings {
		if v, ok := v.(string); ok && s.IsSecret(cloud, k) {
			out = append(out, v)
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
				e := acctest.StartEmulator(t)
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
				s := acctest.NewServer(t, nil)
				s.Configure(map[string]any{c.name: settings})
				var err error
				if ec.read == "token" {
					_, err = s.Read("cloudauth_token", map[string]any{"cloud": c.name})
				} else {
					_, err = s.Read(c.dataType, c.dataCfg)
				}
				if err == nil {
					t.Fatalf("no error")
				}
				msg := err.Error()
				secrets := append(configuredSecrets(s, c.name, settings), e.IssuedTokens("")...)
				for _, sec := range secrets {
					if sec != "" && strings.Contains(msg, sec) {
						t.Fatalf("the error shows a secret %q:\n%s", sec[:min(4, len(sec))]+"...", msg)
					}
				}
			})
		}
	}
}
