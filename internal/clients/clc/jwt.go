package clc

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxExp bounds a usable exp: the start of the year 10000, where RFC 3339
// times end.
const maxExp = 253402300800

// tokenExpiry reads the expiry of a bearer token from the exp claim of its
// JWT payload. The API signs the token with a key of its own, so the
// signature is not checked: the expiry only tells the client when to log
// in again, and the API still judges every request. ok is false for a
// token that is not a JWT (three base64url parts, the first two JSON
// objects) or whose exp is missing, not a number, or out of range.
func tokenExpiry(token string) (exp time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	if _, ok := jwtObject(parts[0]); !ok {
		return time.Time{}, false
	}
	claims, ok := jwtObject(parts[1])
	if !ok {
		return time.Time{}, false
	}
	raw := bytes.TrimSpace(claims["exp"])
	// A NumericDate is a JSON number of seconds, possibly with a fraction;
	// a quoted number is not one.
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return time.Time{}, false
	}
	secs, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(secs) || secs <= 0 || secs >= maxExp {
		return time.Time{}, false
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC(), true
}

// jwtObject decodes one base64url part of a JWT (padding tolerated) as a
// JSON object.
func jwtObject(part string) (map[string]json.RawMessage, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(part, "="))
	if err != nil {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// tokenClaims reads who a bearer token belongs to from its JWT claims:
// the user, account, default data center and roles, as a login would
// answer them. A token that is not a JWT gives an empty result.
func tokenClaims(token string) *LoginResult {
	lr := &LoginResult{}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return lr
	}
	claims, ok := jwtObject(parts[1])
	if !ok {
		return lr
	}
	str := func(names ...string) string {
		for _, n := range names {
			var v string
			if json.Unmarshal(claims[n], &v) == nil && v != "" {
				return v
			}
		}
		return ""
	}
	// The names real tokens carry: unique_name for the user, role for the
	// roles (an array; a lone string is taken as one role, as JWT writers
	// may emit a single value so).
	lr.UserName = str("unique_name")
	lr.AccountAlias = str("urn:tier3:account-alias")
	lr.LocationAlias = str("urn:tier3:location-alias")
	if r := str("role"); r != "" {
		lr.Roles = []string{r}
	} else {
		_ = json.Unmarshal(claims["role"], &lr.Roles)
	}
	return lr
}
