package cleura

import (
	"encoding/json"
	"strings"
	"testing"
)

// The seeds are the documented answers; testdata/fuzz holds the inputs
// that found problems or widen the coverage.

func FuzzDecodeDomains(f *testing.F) {
	f.Add([]byte(docsDomains))
	f.Add([]byte(seedAvailable))
	f.Add([]byte(`[{"area":{"id":6,"regions":[{"zone_id":2}]},"enabled":"1"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		list, err := DecodeDomains(body)
		if err != nil {
			return
		}
		roundTrip(t, list)
		// Filtering never invents entries and keeps the API's order.
		got := FilterDomains(list, Filter{Status: StatusAvailable})
		i := 0
		for _, d := range got {
			for i < len(list) && list[i].Status != d.Status {
				i++
			}
			if i == len(list) {
				t.Fatalf("filter returned an entry that is not in the list: %+v", d)
			}
			i++
		}
	})
}

func FuzzDecodeTokenAnswer(f *testing.F) {
	f.Add([]byte(`{"result": "login_ok", "token": "vahkie7EiDaij7chegaitee2zohsh1oh"}`))
	f.Add([]byte(`{"result": "twofactor_required", "type": "sms", "verification": "ahb4en3cho"}`))
	f.Add([]byte(`{"result": "login_ok", "token": "fiushood9oraTiNa4ban3eemeezoeDae"}`))
	f.Add([]byte(`{"result": "twofactor_options", "options": ["sms","webauthn"]}`))
	f.Add([]byte(`{"error":{"code":400,"message":"Login failed"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := DecodeTokenAnswer(body)
		if err != nil {
			// An error may name the result but never carries a whole
			// token or verification id.
			var probe TokenAnswer
			_ = json.Unmarshal(body, &probe)
			for _, secret := range []string{probe.Token, probe.Verification} {
				if len(secret) > 24 && strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q carries a secret", err)
				}
			}
			return
		}
		switch a.Result {
		case ResultLoginOK:
			if a.Token == "" {
				t.Fatal("login_ok without a token accepted")
			}
		case ResultTwoFactorRequired:
			if a.Verification == "" {
				t.Fatal("twofactor_required without a verification accepted")
			}
		case ResultTwoFactorOptions:
		default:
			t.Fatalf("unknown result %q accepted", a.Result)
		}
	})
}
