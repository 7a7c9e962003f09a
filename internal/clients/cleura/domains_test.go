package cleura

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// docsDomains is the docs' example answer, verbatim: escaped slashes and
// string ids.
const docsDomains = `[
  {
    "area": {
      "id": "6",
      "name": "Sweden \/ Stockholm",
      "tag": "SE_STO2",
      "regions": [
        {"zone_id": "2", "name": "Stockholm \/ Sweden", "status": "active", "region": "Sto2"}
      ]
    },
    "id": "b7c3998142f0496aa3582d8a3ae9ae1e",
    "status": "provisioned",
    "name": "CCP_Domain_123P456",
    "enabled": true
  },
  {
    "area": {"id": "7", "name": "Germany \/ Frankfurt", "tag": "DE",
             "regions": [{"zone_id": "6", "name": "Frankfurt \/ Germany", "status": "active", "region": "Fra1"}]},
    "id": "2d04a791db0e4a799b65c3794eda09bf", "status": "provisioned", "name": "CCP_Domain_123P456", "enabled": true
  },
  {
    "area": {"id": "1", "name": "Europe", "tag": "EU",
             "regions": [{"zone_id": "1", "name": "Karlskrona \/ Sweden", "status": "active", "region": "Kna1"}]},
    "id": "989d137c832c42eb9a6c6839a5c28675", "status": "provisioned", "name": "CCP_Domain_123P456", "enabled": true
  }
]`

// seedAvailable is an "available" entry of the seed document: no id, name
// or enabled.
const seedAvailable = `[{"area": {"id": "3", "name": "Japan", "tag": "JP",
  "regions": [{"zone_id": "7", "name": "Tokyo \/ Japan", "status": "active", "region": "tky1"}]},
  "status": "available"}]`

func TestDecodeDocsExample(t *testing.T) {
	t.Parallel()
	list, err := DecodeDomains([]byte(docsDomains))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("len = %d", len(list))
	}
	yes := true
	want := Domain{ID: "2d04a791db0e4a799b65c3794eda09bf", Name: "CCP_Domain_123P456", Status: "provisioned", Enabled: &yes,
		Area: Area{ID: "7", Name: "Germany / Frankfurt", Tag: "DE", Regions: []Region{
			{ZoneID: "6", Name: "Frankfurt / Germany", Status: "active", Region: "Fra1"}}}}
	if !reflect.DeepEqual(list[1], want) {
		t.Errorf("got  %+v\nwant %+v", list[1], want)
	}
}

func TestDecodeQuirks(t *testing.T) {
	t.Parallel()
	no := false
	yes := true
	cases := []struct {
		name, in string
		want     []Domain
	}{
		{"available area without id, name, enabled", seedAvailable, []Domain{{Status: "available",
			Area: Area{ID: "3", Name: "Japan", Tag: "JP", Regions: []Region{{ZoneID: "7", Name: "Tokyo / Japan", Status: "active", Region: "tky1"}}}}}},
		{"numeric ids as in the v2 model", `[{"area":{"id":6,"tag":"SE_STO2","regions":[{"zone_id":2,"region":"Sto2"}]},"id":"x","status":"provisioned"}]`,
			[]Domain{{ID: "x", Status: "provisioned", Area: Area{ID: "6", Tag: "SE_STO2", Regions: []Region{{ZoneID: "2", Region: "Sto2"}}}}}},
		{"enabled as PHP sends it", `[{"status":"provisioned","enabled":"0","area":null},{"status":"provisioned","enabled":1}]`,
			[]Domain{{Status: "provisioned", Enabled: &no}, {Status: "provisioned", Enabled: &yes}}},
		{"nulls and unknown fields", `[{"status":"available","id":null,"name":null,"enabled":null,"error":"not provisioned","area":{"regions":null,"extra":{}}}, null]`,
			[]Domain{{Status: "available"}, {}}},
		{"empty list", `[]`, []Domain{}},
		{"null list", `null`, nil},
	}
	for _, tc := range cases {
		got, err := DecodeDomains([]byte(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestDecodeRefusesOtherShapes(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		``,
		`{"error":{"code":403,"message":"Invalid token"}}`,
		`[{"id":{"nested":true}}]`,
		`[{"enabled":"maybe"}]`,
		`[{"area":{"regions":{"zone_id":"1"}}}]`,
		`[{"status": "provisioned"`,
	} {
		if list, err := DecodeDomains([]byte(in)); err == nil {
			t.Errorf("%s: accepted as %+v", in, list)
		}
	}
}

func TestFilterDomains(t *testing.T) {
	t.Parallel()
	list, err := DecodeDomains([]byte(docsDomains))
	if err != nil {
		t.Fatal(err)
	}
	extra, _ := DecodeDomains([]byte(seedAvailable))
	list = append(list, extra...)
	names := func(ds []Domain) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Area.Tag+":"+d.Status)
		}
		return out
	}
	cases := []struct {
		f    Filter
		want []string
	}{
		{Filter{}, []string{"SE_STO2:provisioned", "DE:provisioned", "EU:provisioned", "JP:available"}},
		{Filter{Status: "available"}, []string{"JP:available"}},
		{Filter{AreaTag: "se_sto2"}, []string{"SE_STO2:provisioned"}},
		{Filter{Status: "available", AreaTag: "DE"}, nil},
	}
	for _, tc := range cases {
		if got := names(FilterDomains(list, tc.f)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.f, got, tc.want)
		}
	}
	if got := AreaTags(list); !reflect.DeepEqual(got, []string{"DE", "EU", "JP", "SE_STO2"}) {
		t.Errorf("tags = %v", got)
	}
}

func TestDecodeTokenAnswer(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in   string
		want TokenAnswer
	}{
		{`{"result": "login_ok", "token": "vahkie7EiDaij7chegaitee2zohsh1oh"}`, TokenAnswer{Result: "login_ok", Token: "vahkie7EiDaij7chegaitee2zohsh1oh"}},
		{`{"result": "twofactor_required", "type": "sms", "verification": "ahb4en3cho"}`, TokenAnswer{Result: "twofactor_required", Type: "sms", Verification: "ahb4en3cho"}},
		{`{"result": "twofactor_options", "options": ["sms", "webauthn"]}`, TokenAnswer{Result: "twofactor_options", Options: []string{"sms", "webauthn"}}},
	}
	for _, tc := range ok {
		got, err := DecodeTokenAnswer([]byte(tc.in))
		if err != nil || !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s: %+v, %v", tc.in, got, err)
		}
	}
	bad := map[string]string{
		`{"result": "login_ok"}`:                          "no token",
		`{"result": "twofactor_required", "type": "sms"}`: "no verification",
		`{"token": "vahkie7EiDaij7chegaitee2zohsh1oh"}`:   `no "result"`,
		`{"result": "vahkie7EiDaij7chegaitee2zohsh1ohXYZ", "token": "vahkie7EiDaij7chegaitee2zohsh1ohXYZ"}`: "unknown result",
		`["login_ok"]`:                     "not the expected JSON object",
		`{"result": "login_ok", "token": `: "not valid JSON",
	}
	for in, want := range bad {
		_, err := DecodeTokenAnswer([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
			continue
		}
		if strings.Contains(err.Error(), "vahkie7EiDaij7chegaitee2zohsh1oh") {
			t.Errorf("%s: the token is in the error %q", in, err)
		}
	}
}

// roundTrip encodes decoded domains and decodes them again; the result must
// be the same, or the decoder lost or invented something.
func roundTrip(t *testing.T, list []Domain) {
	t.Helper()
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	again, err := DecodeDomains(b)
	if err != nil {
		t.Fatalf("decode of own encoding %s: %v", b, err)
	}
	if !reflect.DeepEqual(list, again) {
		t.Fatalf("round trip changed the domains:\n%+v\n%+v", list, again)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, in := range []string{docsDomains, seedAvailable} {
		list, err := DecodeDomains([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, list)
	}
}
