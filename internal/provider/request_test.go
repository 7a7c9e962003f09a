package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// requestUnderTest is a read of any path of one cloud of the emulator.
type requestUnderTest struct {
	cloud   cloudUnderTest
	path    string
	headers map[string]string
	// route is the emulator's name of the path's route; body a text the
	// answer holds.
	route, body string
}

var requestsUnderTest = []requestUnderTest{
	{cloud: keystoneUnderTest, path: "auth/projects", route: "keystone.auth.projects", body: `"projects"`},
	{cloud: cleuraUnderTest, path: "/accesscontrol/v1/openstack/domains", route: "cleura.domains", body: `"area"`},
	{cloud: abiquoUnderTest, path: "admin/datacenters?limit=25", route: "abiquo.datacenters.list", body: `"collection"`,
		headers: map[string]string{"Accept": "application/vnd.abiquo.datacenters+json"}},
	{cloud: clcUnderTest, path: "v2/datacenters/" + emulator.CLCAccount, route: "clc.datacenters.list", body: `"wa1"`},
}

func (r requestUnderTest) cfg(extra map[string]any) map[string]any {
	cfg := map[string]any{"cloud": r.cloud.name, "path": r.path}
	if r.headers != nil {
		cfg["request_headers"] = r.headers
	}
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

func (r requestUnderTest) hcl(kind, name string) string {
	var h []string
	for k, v := range r.headers {
		h = append(h, fmt.Sprintf("%q = %q", k, v))
	}
	headers := ""
	if len(h) > 0 {
		headers = "\n  request_headers = { " + strings.Join(h, ", ") + " }"
	}
	return fmt.Sprintf("%s \"cloudauth_request\" %q {\n  cloud = %q\n  path  = %q%s\n}\n", kind, name, r.cloud.name, r.path, headers)
}

// Through Terraform, for every cloud: the read answers, with the status
// and body; nothing the emulator issued as a token is in the state, even
// where the API echoes its token (Abiquo's X-Abiquo-Token).
func TestAccRequest_eachCloud(t *testing.T) {
	for _, r := range requestsUnderTest {
		t.Run(r.cloud.name, func(t *testing.T) {
			e := acctest.StartEmulator(t)
			addr := "data.cloudauth_request.r"
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(nil),
				Steps: []resource.TestStep{{
					Config: acctest.HCL(r.cloud.provider(e.URL, ""), r.hcl("data", "r")),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("status_code"), knownvalue.Int64Exact(200)),
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("method"), knownvalue.StringExact("GET")),
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("response_body"), knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(r.body)))),
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("response_body_base64"), knownvalue.Null()),
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("response_headers").AtMapKey("Content-Type"), knownvalue.StringRegexp(regexp.MustCompile(`json`))),
						noTokenInState(e, r.cloud.name),
					},
				}},
			})
		})
	}
}

// In one provider process, for every cloud: the token expires between
// reads; the request logs in once more and succeeds. An identical read
// after it is not sent again; a url on another origin is refused with
// nothing sent, there or to the cloud.
func TestRequestExpiryMidRunMemoAndOrigin(t *testing.T) {
	t.Parallel()
	for _, r := range requestsUnderTest {
		t.Run(r.cloud.name, func(t *testing.T) {
			t.Parallel()
			c := r.cloud
			e := acctest.StartEmulator(t)
			s := acctest.NewServer(t, nil)
			s.Configure(map[string]any{c.name: c.settings(e.URL)})
			if c.expireBefore != nil {
				c.expireBefore(e)
			}
			if _, err := s.Read("cloudauth_token", map[string]any{"cloud": c.name}); err != nil {
				t.Fatal(err)
			}
			switch {
			case c.expireBefore != nil:
				// The token the provider holds was born expired; the next
				// ones live as long as usual.
				e.SetTokenLifetime(c.name, emulator.DefaultLifetimes[c.name])
			case c.expireAfter != nil:
				c.expireAfter(e)
			default:
				e.Advance(emulator.DefaultLifetimes[c.name] + time.Minute)
			}
			e.ResetCounters()
			v, err := s.Read("cloudauth_request", r.cfg(nil))
			if err != nil {
				t.Fatalf("read after the token expired: %v", err)
			}
			var body string
			if err := v["response_body"].As(&body); err != nil || !strings.Contains(body, r.body) {
				t.Fatalf("body = %q (%v)", body, err)
			}
			if got := e.Logins(c.name); got != 1 {
				t.Errorf("logins after the token expired = %d, want exactly 1", got)
			}
			reads := e.Requests(r.route)
			if _, err := s.Read("cloudauth_request", r.cfg(nil)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.OpenEphemeral("cloudauth_request", r.cfg(nil)); err != nil {
				t.Fatal(err)
			}
			if got := e.Requests(r.route); got != reads {
				t.Errorf("identical reads sent %d more requests, want none", got-reads)
			}

			var hits atomic.Int32
			other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
			t.Cleanup(other.Close)
			before := e.Counters()
			cfg := r.cfg(map[string]any{"path": nil, "url": other.URL + "/" + r.path})
			_, err = s.Read("cloudauth_request", cfg)
			if err == nil || !strings.Contains(err.Error(), "URL outside") || !strings.Contains(err.Error(), other.URL+"/") || !strings.Contains(err.Error(), "Nothing was sent") {
				t.Errorf("url on another origin: err = %v", err)
			}
			if hits.Load() != 0 || fmt.Sprint(e.Counters()) != fmt.Sprint(before) {
				t.Errorf("a refused url sent requests: %d to the other server; emulator %v -> %v", hits.Load(), before, e.Counters())
			}
		})
	}
}

// The ephemeral resource gives the answer to configuration, and nothing of
// it reaches the state; the data source's answer, the control, does.
func TestAccRequest_ephemeralKeptOutOfState(t *testing.T) {
	e := acctest.StartEmulator(t)
	r := requestsUnderTest[3] // clc: the body names the data centers
	inState := func(want bool) statecheck.StateCheck {
		return stateCheck(func(s *tfjson.State) error {
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			if got := strings.Contains(string(b), "Seattle"); got != want {
				return fmt.Errorf("the answer's data center name in the state: %v, want %v", got, want)
			}
			return nil
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: withEcho(acctest.Factories(nil)),
		Steps: []resource.TestStep{{
			Config: acctest.HCL(r.cloud.provider(e.URL, ""), r.hcl("ephemeral", "r"), `
provider "echo" {
  data = {
    status = ephemeral.cloudauth_request.r.status_code
    found  = strcontains(ephemeral.cloudauth_request.r.response_body, "wa1")
  }
}

resource "echo" "seen" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.seen", tfjsonpath.New("data").AtMapKey("status"), knownvalue.Int64Exact(200)),
				statecheck.ExpectKnownValue("echo.seen", tfjsonpath.New("data").AtMapKey("found"), knownvalue.Bool(true)),
				inState(false),
				noTokenInState(e, "clc"),
			},
		}, {
			Config:            acctest.HCL(r.cloud.provider(e.URL, ""), r.hcl("data", "r")),
			ConfigStateChecks: []statecheck.StateCheck{inState(true)},
		}},
	})
}

func TestAccRequest_errors(t *testing.T) {
	e := acctest.StartEmulator(t)
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	clc := clcUnderTest.provider(e.URL, "")
	cases := map[string]struct {
		config string
		want   []string
	}{
		"other origin": {acctest.HCL(clc, fmt.Sprintf(`data "cloudauth_request" "x" {
  cloud = "clc"
  url   = %q
}`, other.URL+"/v2/datacenters/ACME")),
			[]string{"URL outside CenturyLink Cloud", other.URL + "/v2/datacenters/ACME", "is not on an address of this cloud", e.URL, "Nothing was sent"}},
		"auth header": {acctest.HCL(clc, `data "cloudauth_request" "x" {
  cloud           = "clc"
  path            = "v2/datacenters/ACME"
  request_headers = { authorization = "Bearer mine" }
}`),
			[]string{"Header set by the provider", "authorization", "remove it from request_headers"}},
		"unexpected status": {acctest.HCL(clc, `data "cloudauth_request" "x" {
  cloud = "clc"
  path  = "v2/datacenters/NOPE"
}`),
			[]string{"Unexpected HTTP status from CenturyLink Cloud", "/clc/v2/datacenters/NOPE", "HTTP 40", "expected status 2xx", "expected_status"}},
		"path and url": {acctest.HCL(clc, `data "cloudauth_request" "x" {
  cloud = "clc"
  path  = "a"
  url   = "https://example.com/a"
}`),
			[]string{"Invalid Attribute Combination", "path", "url"}},
		"catalog choice outside Keystone": {acctest.HCL(clc, `data "cloudauth_request" "x" {
  cloud  = "clc"
  path   = "a"
  region = "WA1"
}`),
			[]string{"Invalid region", "service catalog"}},
		"post": {acctest.HCL(clc, `data "cloudauth_request" "x" {
  cloud  = "clc"
  path   = "a"
  method = "POST"
}`),
			[]string{"Attribute method value must be one of"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(nil),
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: acctest.ExpectErr(tc.want...)}},
			})
		})
	}
	t.Cleanup(func() {
		if hits.Load() != 0 {
			t.Errorf("%d requests reached the other server", hits.Load())
		}
	})
}
