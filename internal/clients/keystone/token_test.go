package keystone_test

import (
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
)

func TestDecodeRealSamples(t *testing.T) {
	t.Parallel()
	// Bodies a real Keystone 22 returned, kept as fuzz seeds.
	for _, name := range []string{"appcred", "password"} {
		body := readSeed(t, "testdata/fuzz/FuzzDecodeToken/"+name)
		tok, err := keystone.DecodeToken(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tok.User.Name != "admin" || tok.Project == nil || tok.Project.Name != "admin" || len(tok.Roles) != 3 || len(tok.Catalog) != 3 {
			t.Errorf("%s: %+v", name, tok)
		}
		if tok.ExpiresAt.Sub(tok.IssuedAt).Hours() != 1 || tok.Catalog[1].Endpoints[2].RegionID != "RegionOne" {
			t.Errorf("%s: times or endpoints not decoded: %+v", name, tok)
		}
		if (name == "appcred") != (tok.ApplicationCredential != nil) {
			t.Errorf("%s: application_credential = %+v", name, tok.ApplicationCredential)
		}
	}
	for _, body := range []string{`{}`, `{"token":{}}`, `{"error":{"code":401}}`, `{"token":{"user":{"id":"u"}}}`, `[]`, `nope`} {
		if _, err := keystone.DecodeToken([]byte(body)); err == nil {
			t.Errorf("DecodeToken(%s) accepted a body that is not a token", body)
		}
	}
}

// readSeed reads the []byte value of a fuzz corpus file.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(raw), "\n", 2)
	v := strings.TrimSpace(lines[1])
	v = strings.TrimSuffix(strings.TrimPrefix(v, "[]byte("), ")")
	s, err := strconv.Unquote(v)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}

func catalogToken() *keystone.Token {
	ep := func(id, itf, region, url string) keystone.Endpoint {
		return keystone.Endpoint{ID: id, Interface: itf, Region: region, RegionID: region, URL: url}
	}
	return &keystone.Token{Catalog: []keystone.Service{
		{ID: "s3", Name: "swift", Type: "object-store", Endpoints: []keystone.Endpoint{
			ep("e31", "public", "R1", "https://swift.r1/v1"), ep("e32", "internal", "R1", "http://swift.r1.int/v1"),
		}},
		{ID: "s1", Name: "nova", Type: "compute", Endpoints: []keystone.Endpoint{
			ep("e13", "public", "R2", "https://nova.r2"), ep("e11", "public", "R1", "https://nova.r1"),
			ep("e12", "admin", "R1", "http://nova.r1.adm"),
		}},
		{ID: "s2", Name: "keystone", Type: "identity", Endpoints: []keystone.Endpoint{
			ep("e21", "PUBLIC", "R2", "https://ks.r2/v3"),
		}},
	}}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	tok := catalogToken()
	cases := []struct {
		name     string
		sel      keystone.Selection
		services []string // type:endpoint ids
		urls     map[string]string
	}{
		{"public by default, every region, sorted", keystone.Selection{},
			[]string{"compute:e11,e13", "identity:e21", "object-store:e31"},
			map[string]string{"compute": "https://nova.r1", "identity": "https://ks.r2/v3", "object-store": "https://swift.r1/v1"}},
		{"region", keystone.Selection{Region: "R2"},
			[]string{"compute:e13", "identity:e21"},
			map[string]string{"compute": "https://nova.r2", "identity": "https://ks.r2/v3"}},
		{"interface", keystone.Selection{Interface: "internal"},
			[]string{"object-store:e32"}, map[string]string{"object-store": "http://swift.r1.int/v1"}},
		{"service type", keystone.Selection{ServiceType: "compute", Interface: "admin"},
			[]string{"compute:e12"}, map[string]string{"compute": "http://nova.r1.adm"}},
		{"unknown region is empty, not an error", keystone.Selection{Region: "R9"}, []string{}, map[string]string{}},
		{"unknown type is empty", keystone.Selection{ServiceType: "dns"}, []string{}, map[string]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			services, urls := tok.Select(tc.sel)
			got := []string{}
			for _, s := range services {
				ids := []string{}
				for _, e := range s.Endpoints {
					ids = append(ids, e.ID)
				}
				got = append(got, s.Type+":"+strings.Join(ids, ","))
			}
			if !reflect.DeepEqual(got, tc.services) {
				t.Errorf("services = %v, want %v", got, tc.services)
			}
			if !reflect.DeepEqual(urls, tc.urls) {
				t.Errorf("urls = %v, want %v", urls, tc.urls)
			}
		})
	}
	if n := len(tok.Catalog[1].Endpoints); n != 3 {
		t.Errorf("Select changed the token's catalog (%d endpoints left)", n)
	}
}

// Bodies recorded from a real Keystone 22 started by
// scripts/keystone-up.sh --totp: every scope, methods, the application
// credential, and a per-project service listed without endpoints.
func TestDecodeRealScopes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file    string
		scope   string
		methods []string
		check   func(t *testing.T, tok *keystone.Token)
	}{
		{"system-token", "system", []string{"password"}, func(t *testing.T, tok *keystone.Token) {
			if tok.System == nil || !tok.System.All || len(tok.Roles) != 3 || tok.Domain != nil || tok.Project != nil {
				t.Errorf("system = %+v, roles %d", tok.System, len(tok.Roles))
			}
		}},
		{"domain-token", "domain", []string{"password"}, func(t *testing.T, tok *keystone.Token) {
			if tok.Domain == nil || tok.Domain.ID != "default" || tok.Domain.Name != "Default" || len(tok.Roles) != 1 || tok.Roles[0].Name != "reader" {
				t.Errorf("domain = %+v, roles %+v", tok.Domain, tok.Roles)
			}
		}},
		{"mfa-token", "project", []string{"password", "totp"}, func(t *testing.T, tok *keystone.Token) {
			if tok.User.Name != "cloudauth-mfa" || tok.Project.Name != "admin" {
				t.Errorf("user %+v project %+v", tok.User, tok.Project)
			}
		}},
		{"appcred-token", "project", []string{"application_credential"}, func(t *testing.T, tok *keystone.Token) {
			ac := tok.ApplicationCredential
			if ac == nil || ac.ID != "02ecc440921047ab9658cfe70b8ec1ab" || ac.Name != "cloudauth-ci-1795534368" || !ac.Restricted {
				t.Errorf("application_credential = %+v", ac)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile("testdata/real/" + tc.file + ".json")
			if err != nil {
				t.Fatal(err)
			}
			tok, err := keystone.DecodeToken(body)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Scope() != tc.scope {
				t.Errorf("scope = %q, want %q", tok.Scope(), tc.scope)
			}
			methods := slices.Sorted(slices.Values(tok.Methods))
			if !slices.Equal(methods, tc.methods) {
				t.Errorf("methods = %v, want %v", tok.Methods, tc.methods)
			}
			tc.check(t, tok)
			// object-store's URLs hold the project: other scopes list it
			// without endpoints, and Select leaves it out.
			services, urls := tok.Select(keystone.Selection{})
			_, swift := urls["object-store"]
			if swift != (tc.scope == "project") || len(tok.Catalog) != 5 || len(services) != len(urls) || len(urls) != 4+btoi(swift) {
				t.Errorf("catalog %d services, %d selected; urls %v", len(tok.Catalog), len(services), urls)
			}
		})
	}
	// A receipt is not a token.
	body, err := os.ReadFile("testdata/real/receipt-401.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keystone.DecodeToken(body); err == nil {
		t.Errorf("a receipt body was decoded as a token")
	}
}

func TestSelectAllInterfacesAndOverrides(t *testing.T) {
	t.Parallel()
	tok := catalogToken()
	cases := []struct {
		name     string
		sel      keystone.Selection
		services []string
		urls     map[string]string
	}{
		{"all interfaces, the map from public", keystone.Selection{Interface: "all"},
			[]string{"compute:e12,e11,e13", "identity:e21", "object-store:e32,e31"},
			map[string]string{"compute": "https://nova.r1", "identity": "https://ks.r2/v3", "object-store": "https://swift.r1/v1"}},
		{"all interfaces, the map from internal", keystone.Selection{Interface: "ALL", URLInterface: "internal"},
			[]string{"compute:e12,e11,e13", "identity:e21", "object-store:e32,e31"},
			map[string]string{"object-store": "http://swift.r1.int/v1"}},
		{"all interfaces of a region and type", keystone.Selection{Interface: "all", Region: "R1", ServiceType: "compute"},
			[]string{"compute:e12,e11"}, map[string]string{"compute": "https://nova.r1"}},
		{"URLInterface is ignored for one interface", keystone.Selection{Interface: "admin", URLInterface: "public"},
			[]string{"compute:e12"}, map[string]string{"compute": "http://nova.r1.adm"}},
		{"overrides replace and add URLs, not services", keystone.Selection{EndpointOverrides: map[string]string{
			"compute": "https://nova.override/v2.1", "dns": "https://dns.override"}},
			[]string{"compute:e11,e13", "identity:e21", "object-store:e31"},
			map[string]string{"compute": "https://nova.override/v2.1", "dns": "https://dns.override", "identity": "https://ks.r2/v3", "object-store": "https://swift.r1/v1"}},
		{"overrides follow the service type filter", keystone.Selection{ServiceType: "identity", EndpointOverrides: map[string]string{
			"compute": "https://nova.override", "identity": "https://ks.override/v3"}},
			[]string{"identity:e21"}, map[string]string{"identity": "https://ks.override/v3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			services, urls := tok.Select(tc.sel)
			got := []string{}
			for _, s := range services {
				ids := []string{}
				for _, e := range s.Endpoints {
					ids = append(ids, e.ID)
				}
				got = append(got, s.Type+":"+strings.Join(ids, ","))
			}
			if !reflect.DeepEqual(got, tc.services) {
				t.Errorf("services = %v, want %v", got, tc.services)
			}
			if !reflect.DeepEqual(urls, tc.urls) {
				t.Errorf("urls = %v, want %v", urls, tc.urls)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestUnknownFilters(t *testing.T) {
	t.Parallel()
	tok := catalogToken()
	cases := []struct {
		name        string
		sel         keystone.Selection
		region, typ string // the errors' texts, "" for nil
	}{
		{"both known", keystone.Selection{Region: "R2", ServiceType: "object-store"}, "", ""},
		{"no filters", keystone.Selection{}, "", ""},
		{"region in the wrong case", keystone.Selection{Region: "r1"}, `the token's catalog has no region "r1"; it has: R1, R2 (did you mean "R1"?)`, ""},
		{"type with a hyphen missing", keystone.Selection{ServiceType: "objectstore"}, "",
			`the token's catalog has no service type "objectstore"; it has: compute, identity, object-store (did you mean "object-store"?)`},
		{"both unknown", keystone.Selection{Region: "Nowhere", ServiceType: "dns"},
			`the token's catalog has no region "Nowhere"; it has: R1, R2`, `the token's catalog has no service type "dns"; it has: compute, identity, object-store`},
	}
	for _, tc := range cases {
		region, typ := tok.Unknown(tc.sel)
		if got := errText(region); got != tc.region {
			t.Errorf("%s: region error %q, want %q", tc.name, got, tc.region)
		}
		if got := errText(typ); got != tc.typ {
			t.Errorf("%s: service type error %q, want %q", tc.name, got, tc.typ)
		}
	}
	// An unscoped token has no catalog to compare a filter with.
	if region, typ := (&keystone.Token{}).Unknown(keystone.Selection{Region: "R1", ServiceType: "compute"}); region != nil || typ != nil {
		t.Errorf("empty catalog: %v, %v; want nothing to report", region, typ)
	}
}

func errText(e *keystone.UnknownError) string {
	if e == nil {
		return ""
	}
	return e.Error()
}
