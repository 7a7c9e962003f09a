package clc

import (
	"encoding/base64"
	"testing"
	"time"
)

// jwt builds a token with the given payload; header and signature are
// what the API's look like, not checked.
func jwt(payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`)) + "." + enc.EncodeToString([]byte(payload)) + ".c2lnbmF0dXJl"
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	enc := base64.URLEncoding // padded, as some encoders write it
	padded := enc.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + enc.EncodeToString([]byte(`{"exp":1700000000}`)) + ".x"
	cases := []struct {
		name, token string
		want        time.Time
	}{
		{"claims of a real token", jwt(`{"urn:tier3:account-alias":"ACME","unique_name":"u@x","role":["AccountAdmin"],` +
			`"iss":"urn:api-tier3","aud":"urn:tier3-users","nbf":1431340000,"exp":1432549600}`), time.Unix(1432549600, 0)},
		{"fractional seconds", jwt(`{"exp":1700000000.5}`), time.Unix(1700000000, 5e8)},
		{"exponent", jwt(`{"exp":1.7e9}`), time.Unix(1700000000, 0)},
		{"padded base64", padded, time.Unix(1700000000, 0)},
		{"opaque token", "3b0f4a8c9d2e4f6a8b0c1d2e3f4a5b6c", time.Time{}},
		{"two parts", "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9", time.Time{}},
		{"four parts", jwt(`{"exp":1700000000}`) + ".x", time.Time{}},
		{"header not JSON", "bm90LWpzb24." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1700000000}`)) + ".x", time.Time{}},
		{"payload not base64", "eyJhbGciOiJIUzI1NiJ9.***.x", time.Time{}},
		{"payload an array", jwt(`[1700000000]`), time.Time{}},
		{"payload null", jwt(`null`), time.Time{}},
		{"no exp", jwt(`{"nbf":1700000000}`), time.Time{}},
		{"exp null", jwt(`{"exp":null}`), time.Time{}},
		{"exp a string", jwt(`{"exp":"1700000000"}`), time.Time{}},
		{"exp zero", jwt(`{"exp":0}`), time.Time{}},
		{"exp negative", jwt(`{"exp":-5}`), time.Time{}},
		{"exp past the year 9999", jwt(`{"exp":253402300800}`), time.Time{}},
		{"exp beyond float", jwt(`{"exp":1e400}`), time.Time{}},
		{"exp an object", jwt(`{"exp":{"s":1}}`), time.Time{}},
	}
	for _, tc := range cases {
		got, ok := tokenExpiry(tc.token)
		if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, ok, tc.want)
		}
	}
}

func TestTokenClaims(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, token          string
		user, account, place string
		roles                int
	}{
		{"claims of a real token", jwt(`{"urn:tier3:account-alias":"ACME","urn:tier3:location-alias":"WA1",` +
			`"unique_name":"u@x","role":["ServerAdmin","AccountAdmin"],"iss":"urn:api-tier3","aud":"urn:tier3-users",` +
			`"nbf":1431340000,"exp":1432549600}`), "u@x", "ACME", "WA1", 2},
		{"one role as a string", jwt(`{"unique_name":"v@x","role":"AccountAdmin"}`), "v@x", "", "", 1},
		{"names real tokens do not carry", jwt(`{"urn:tier3:username":"u@x","urn:tier3:role":["AccountAdmin"]}`), "", "", "", 0},
		{"claims of the wrong type", jwt(`{"unique_name":7,"urn:tier3:account-alias":["ACME"],"role":{"r":1}}`), "", "", "", 0},
		{"opaque token", "3b0f4a8c9d2e4f6a8b0c1d2e3f4a5b6c", "", "", "", 0},
		{"payload not JSON", "eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.x", "", "", "", 0},
	}
	for _, tc := range cases {
		lr := tokenClaims(tc.token)
		if lr.UserName != tc.user || lr.AccountAlias != tc.account || lr.LocationAlias != tc.place || len(lr.Roles) != tc.roles {
			t.Errorf("%s: %+v", tc.name, lr)
		}
	}
}
