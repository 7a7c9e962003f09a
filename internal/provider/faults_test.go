package provider_test

import (
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/testcert"
)

// The fault matrix: every cloud against the same faults, through real
// Terraform. A cloud is described once; each fault is one table row.

// cloudUnderTest describes how to make one cloud log in and read.
type cloudUnderTest struct {
	name string
	// block returns the provider block's attributes for an emulator at
	// base (without the braces), plus extra attribute lines.
	block func(base, extra string) string
	// settings is the same block for the in-process harness.
	settings func(base string) map[string]any
	// read is a data source that logs in and reads; readAddr its address.
	read     string
	dataType string
	dataCfg  map[string]any
	// loginRoute and readRoute are emulator route names.
	loginRoute, readRoute string
	// okStatus is the read route's success status (default 200).
	okStatus int
	// expire makes the next token expire: before the login where the
	// client learns the expiry from the API (Keystone), after it where
	// only the API knows (default: move the emulator's clock past it).
	expireBefore, expireAfter func(e *acctest.Emulator)
	// revokedLogins is how many logins a read makes after the token was
	// revoked behind the provider's back (default 1; 0 where the read
	// makes no call that could notice).
	revokedLogins *int
}

func (c cloudUnderTest) ok() int {
	if c.okStatus == 0 {
		return 200
	}
	return c.okStatus
}

func (c cloudUnderTest) provider(base, extra string) string {
	return fmt.Sprintf("provider \"cloudauth\" {\n  %s {\n%s\n  }\n}\n", c.name, c.block(base, extra))
}

var clcUnderTest = cloudUnderTest{
	name: "clc",
	block: func(base, extra string) string {
		return fmt.Sprintf("url = %q\nusername = %q\npassword = %q\n%s", base+"/clc", emulator.CLCUser, emulator.CLCPassword, extra)
	},
	settings: func(base string) map[string]any {
		return map[string]any{"url": base + "/clc", "username": emulator.CLCUser, "password": emulator.CLCPassword}
	},
	read:       `data "cloudauth_clc_root_group" "f" {}`,
	dataType:   "cloudauth_clc_root_group",
	dataCfg:    map[string]any{"data_center": "WA1"},
	loginRoute: "clc.login",
	readRoute:  "clc.datacenters.list",
}

var cleuraUnderTest = cloudUnderTest{
	name: "cleura",
	block: func(base, extra string) string {
		return fmt.Sprintf("url = %q\nusername = %q\npassword = %q\n%s", base+"/cleura", emulator.CleuraUser, emulator.CleuraPassword, extra)
	},
	settings: func(base string) map[string]any {
		return map[string]any{"url": base + "/cleura", "username": emulator.CleuraUser, "password": emulator.CleuraPassword}
	},
	read:       `data "cloudauth_cleura_domains" "f" {}`,
	dataType:   "cloudauth_cleura_domains",
	loginRoute: "cleura.login",
	readRoute:  "cleura.domains",
}

var zero = 0

var keystoneUnderTest = cloudUnderTest{
	name: "keystone",
	block: func(base, extra string) string {
		return fmt.Sprintf("auth_url = %q\napplication_credential_id = %q\napplication_credential_secret = %q\n%s",
			base+"/keystone/v3", emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret, extra)
	},
	settings: func(base string) map[string]any {
		return map[string]any{"auth_url": base + "/keystone/v3", "application_credential_id": emulator.KeystoneAppCredID,
			"application_credential_secret": emulator.KeystoneAppCredSecret}
	},
	read:     `data "cloudauth_keystone_catalog" "f" {}`,
	dataType: "cloudauth_keystone_catalog",
	// The catalog comes from the login's answer: the login is the read.
	loginRoute: "keystone.tokens.create",
	readRoute:  "keystone.tokens.create",
	okStatus:   201,
	// Keystone says when a token expires, and the provider keeps that
	// expiry on its own clock; a token found expired at its next use is
	// replaced. A token that expires an hour before it is issued makes
	// that happen at once, without waiting for real time to pass.
	expireBefore: func(e *acctest.Emulator) { e.SetTokenLifetime("keystone", -time.Hour) },
	expireAfter:  func(*acctest.Emulator) {},
	// A revoked token goes unnoticed by a catalog read, which makes no call.
	revokedLogins: &zero,
}

var abiquoUnderTest = cloudUnderTest{
	name: "abiquo",
	block: func(base, extra string) string {
		return fmt.Sprintf("endpoint = %q\nusername = %q\npassword = %q\n%s", base+"/abiquo/api", emulator.AbiquoAdmin, emulator.AbiquoAdminPassword, extra)
	},
	settings: func(base string) map[string]any {
		return map[string]any{"endpoint": base + "/abiquo/api", "username": emulator.AbiquoAdmin, "password": emulator.AbiquoAdminPassword}
	},
	read:       `data "cloudauth_abiquo_datacenters" "f" {}`,
	dataType:   "cloudauth_abiquo_datacenters",
	loginRoute: "abiquo.login",
	readRoute:  "abiquo.datacenters.list",
}

var cloudsUnderTest = []cloudUnderTest{keystoneUnderTest, cleuraUnderTest, abiquoUnderTest, clcUnderTest}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

type faultCase struct {
	name string
	// fault is queued on the emulator before the step (nil: none).
	fault func(c cloudUnderTest) *emulator.Fault
	// base overrides the emulator URL (unreachable hosts).
	base func(t *testing.T, e *acctest.Emulator) string
	// extra provider attributes.
	extra string
	// want: phrases of the expected error; empty means success. "%ok"
	// stands for the cloud's success status.
	want []string
}

var retries2 = `max_retries = 2`

func faultCases() []faultCase {
	return []faultCase{
		{name: "429 Retry-After seconds then success",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.readRoute, Status: 429, RetryAfter: "1"}
			}},
		{name: "429 Retry-After date then success",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.readRoute, Status: 429, RetryAfter: time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)}
			}},
		{name: "503 burst on the login shorter than max_retries",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.loginRoute, Status: 503, Times: 2}
			}, extra: retries2},
		{name: "503 burst longer than max_retries",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.readRoute, Status: 503, Times: 10}
			}, extra: retries2, want: []string{"HTTP 503", "after 3 attempts"}},
		{name: "connection refused",
			base: func(t *testing.T, _ *acctest.Emulator) string { return closedPort(t) }, extra: retries2,
			want: []string{"connection refused after 3 attempts", "check the URL"}},
		{name: "unknown host",
			base: func(*testing.T, *acctest.Emulator) string { return "https://cloudauth-test.invalid" },
			want: []string{"the host name does not resolve"}},
		{name: "server slower than timeout",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.loginRoute, Delay: 20 * time.Second}
			}, extra: `timeout = "1s"`, want: []string{"no complete answer within 1s", "timeout"}},
		{name: "malformed JSON",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.readRoute, Kind: "malformed", Times: 5, Status: c.ok()}
			}, want: []string{"HTTP %ok", "not the expected JSON"}},
		{name: "truncated body",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.readRoute, Kind: "truncated", Times: 5, Status: c.ok()}
			}, extra: retries2, want: []string{"cut off"}},
		{name: "body over the cap",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.readRoute, Kind: "oversize", Times: 5, Status: c.ok()}
			}, want: []string{"Answer from", "too large", "larger than 8 MiB, the most this client reads of one", "points at the API itself"}},
		{name: "HTML error page from a proxy",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.readRoute, Kind: "html", Times: 10}
			}, extra: retries2, want: []string{"HTTP 502", "502 Bad Gateway"}},
		{name: "wrong content type",
			fault: func(c cloudUnderTest) *emulator.Fault {
				return &emulator.Fault{Route: c.readRoute, Kind: "wrong-type", Times: 5, Status: c.ok()}
			}, want: []string{"HTTP %ok", "text/plain", "maintenance mode"}},
	}
}

func TestAccFaults(t *testing.T) {
	for _, c := range cloudsUnderTest {
		for _, fc := range faultCases() {
			t.Run(c.name+"/"+fc.name, func(t *testing.T) {
				e := acctest.StartEmulator(t)
				base := e.URL
				if fc.base != nil {
					base = fc.base(t, e)
				}
				if fc.fault != nil {
					e.InjectFault(*fc.fault(c))
				}
				step := resource.TestStep{Config: acctest.HCL(c.provider(base, fc.extra), c.read)}
				if len(fc.want) > 0 {
					want := make([]string, len(fc.want))
					for i, w := range fc.want {
						want[i] = strings.ReplaceAll(w, "%ok", fmt.Sprint(c.ok()))
					}
					step.ExpectError = acctest.ExpectErr(want...)
				}
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: acctest.Factories(nil),
					Steps:                    []resource.TestStep{step},
				})
			})
		}
	}
}

// tlsEmulator serves the emulator over TLS with a self-signed certificate
// and returns its URL, the certificate's PEM and a file holding it.
func tlsEmulator(t *testing.T) (*acctest.Emulator, string, string) {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewTLSServer(e)
	t.Cleanup(srv.Close)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, []byte(certPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	return &acctest.Emulator{Emulator: e, URL: srv.URL}, certPEM, path
}

func TestAccFaultsTLS(t *testing.T) {
	for _, c := range cloudsUnderTest {
		e, certPEM, path := tlsEmulator(t)
		cases := map[string]struct {
			extra string
			want  []string
		}{
			"self-signed is rejected": {"", []string{"not trusted", c.name + ".ca_cert"}},
			"ca_cert as PEM":          {fmt.Sprintf("ca_cert = <<-EOT\n%sEOT", certPEM), nil},
			"ca_cert as path":         {fmt.Sprintf("ca_cert = %q", path), nil},
			"insecure":                {"insecure = true", nil},
		}
		for name, tc := range cases {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				step := resource.TestStep{Config: acctest.HCL(c.provider(e.URL, tc.extra), c.read)}
				if len(tc.want) > 0 {
					step.ExpectError = acctest.ExpectErr(tc.want...)
				}
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: acctest.Factories(nil),
					Steps:                    []resource.TestStep{step},
				})
			})
		}
	}
}

// In one provider process: the cloud logs in (the token data source), the
// token is revoked or expires, and then a data source reads. Exactly one
// more login follows and the read succeeds.
func TestFaultsTokenLostBetweenReads(t *testing.T) {
	t.Parallel()
	for _, c := range cloudsUnderTest {
		for _, how := range []string{"revoked", "expired"} {
			t.Run(c.name+"/"+how, func(t *testing.T) {
				t.Parallel()
				e := acctest.StartEmulator(t)
				s := acctest.NewServer(t, nil)
				s.Configure(map[string]any{c.name: c.settings(e.URL)})
				want := 1
				if how == "expired" && c.expireBefore != nil {
					c.expireBefore(e)
				}
				if _, err := s.Read("cloudauth_token", map[string]any{"cloud": c.name}); err != nil {
					t.Fatal(err)
				}
				switch {
				case how == "revoked":
					e.RevokeAll(c.name)
					if c.revokedLogins != nil {
						want = *c.revokedLogins
					}
				case c.expireAfter != nil:
					c.expireAfter(e)
				default:
					e.Advance(emulator.DefaultLifetimes[c.name] + time.Minute)
				}
				e.ResetCounters()
				if _, err := s.Read(c.dataType, c.dataCfg); err != nil {
					t.Fatalf("read after the token was %s: %v", how, err)
				}
				if got := e.Logins(c.name); got != want {
					t.Errorf("logins after the token was %s = %d, want exactly %d", how, got, want)
				}
			})
		}
	}
}

func TestFaultsInsecureWarns(t *testing.T) {
	t.Parallel()
	for _, c := range cloudsUnderTest {
		e, _, _ := tlsEmulator(t)
		s := acctest.NewServer(t, nil)
		settings := c.settings(e.URL)
		settings["insecure"] = true
		resp := s.ConfigureRaw(map[string]any{c.name: settings})
		var warned bool
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning && strings.Contains(d.Summary, "TLS verification is off") {
				warned = true
			}
		}
		if !warned {
			t.Errorf("%s: insecure = true gave no warning: %v", c.name, resp.Diagnostics)
		}
		if _, err := s.Read(c.dataType, c.dataCfg); err != nil {
			t.Errorf("%s: insecure read failed: %v", c.name, err)
		}
	}
}

func TestFaultsSlowServerFailsWithinTimeout(t *testing.T) {
	t.Parallel()
	for _, c := range cloudsUnderTest {
		e := acctest.StartEmulator(t)
		e.InjectFault(emulator.Fault{Route: c.loginRoute, Delay: 60 * time.Second, Times: 10})
		s := acctest.NewServer(t, nil)
		settings := c.settings(e.URL)
		settings["timeout"] = "1s"
		s.Configure(map[string]any{c.name: settings})
		start := time.Now()
		_, err := s.Read(c.dataType, c.dataCfg)
		if err == nil || !strings.Contains(err.Error(), "within 1s") {
			t.Errorf("%s: err = %v", c.name, err)
		}
		// A generous bound: the point is that the 60 s server is not
		// waited for, and that the attempt is not repeated.
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s: the error came after %s", c.name, d)
		}
	}
}

// Every cloud's transport presents client_cert and client_key, given as
// PEM or as file paths, to an API behind mutual TLS; without them the
// error says which settings to give.
func TestAccFaultsClientCertificate(t *testing.T) {
	ca := testcert.NewCA(t, "client CA")
	cert, key := ca.Issue(t, "terraform", time.Now().Add(time.Hour))
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	for p, content := range map[string]string{certPath: cert, keyPath: key} {
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cloudsUnderTest {
		e := emulator.New()
		srv, serverCA := testcert.MTLSServer(t, ca, e)
		caLine := fmt.Sprintf("ca_cert = <<-EOT\n%sEOT", serverCA)
		cases := map[string]struct {
			extra string
			want  []string
		}{
			"as PEM":   {caLine + fmt.Sprintf("\nclient_cert = <<-EOT\n%sEOT\nclient_key = <<-EOT\n%sEOT", cert, key), nil},
			"as paths": {caLine + fmt.Sprintf("\nclient_cert = %q\nclient_key = %q", certPath, keyPath), nil},
			"missing":  {caLine, []string{"asks for a client certificate", c.name + ".client_cert"}},
		}
		for name, tc := range cases {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				step := resource.TestStep{Config: acctest.HCL(c.provider(srv.URL, tc.extra), c.read)}
				if len(tc.want) > 0 {
					step.ExpectError = acctest.ExpectErr(tc.want...)
				}
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: acctest.Factories(nil),
					Steps:                    []resource.TestStep{step},
				})
			})
		}
	}
}
