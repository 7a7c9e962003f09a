package httpx

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// heldBytes is what the masker keeps: every form of every secret.
func heldBytes(r *Redactor) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := 0
	for _, f := range r.allForms() {
		n += len(f)
	}
	return n
}

// A server that hands out a new, very long token with every answer (an
// Abiquo that rotates 16 KiB tokens) cannot make the masker hold without
// bound, nor make each new token cost work for every token before it:
// what it holds stays under maxHeldBytes, and each add computes the forms
// of the new token and of at most a few it drops, not of all it holds.
func TestRedactorBoundsWhatItHolds(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add("the-configured-password")
	big := func(i int) string { return fmt.Sprintf("%06d", i) + strings.Repeat("t", MaxIssuedBytes-6) }
	const n = 540
	for i := range n {
		if err := r.AddIssued("token", big(i)); err != nil {
			t.Fatal(err)
		}
	}
	if held := heldBytes(r); held > maxHeldBytes {
		t.Errorf("the masker holds %d bytes, over its bound of %d", held, maxHeldBytes)
	}
	// Each add computes the new token's forms, once.
	if r.computed != n+1 {
		t.Errorf("%d adds computed the forms of %d secrets: adding grows with what is held", n+1, r.computed)
	}
	if got := r.String("pw the-configured-password"); got != "pw ***" {
		t.Errorf("the configured password was pushed out: %q", got)
	}
	if got := r.String("t " + big(n-1)); got != "t ***" {
		t.Errorf("the newest token is not masked")
	}
	// Whatever is held, the token just added, the one in use, stays.
	full := NewRedactor()
	full.Add(strings.Repeat("p", maxHeldBytes))
	for i := range keepFirst {
		full.Add(fmt.Sprintf("configured-%d", i))
	}
	if err := full.AddIssued("token", big(1)); err != nil {
		t.Fatal(err)
	}
	if got := full.String("t " + big(1)); got != "t ***" {
		t.Errorf("the token just added was dropped at once")
	}
}

// A token longer than MaxIssuedBytes is refused, not held: no API issues
// one, and holding it is what a hostile server would want.
func TestRedactorRefusesAnOversizeIssuedSecret(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	err := r.AddIssued("X-Abiquo-Token", strings.Repeat("x", MaxIssuedBytes+1))
	if err == nil {
		t.Fatal("no error for a token over the limit")
	}
	for _, want := range []string{"X-Abiquo-Token", "16 KiB", "points at the API"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if held := heldBytes(r); held != 0 {
		t.Errorf("the refused token is held (%d bytes)", held)
	}
	if err := r.AddIssued("X-Abiquo-Token", strings.Repeat("x", MaxIssuedBytes)); err != nil {
		t.Errorf("a token of exactly the limit is refused: %v", err)
	}
}

// The forms in which servers echo what they were sent, beyond those the
// masker always knew: base64 (both alphabets, padded or not, and inside a
// longer base64 text at any alignment), percent-encoding with lower-case
// hex, and JSON from encoders that escape "/" or non-ASCII.
func TestRedactorMasksMoreEchoedForms(t *testing.T) {
	t.Parallel()
	pw := "pä/ss+wörd?=~1"
	r := NewRedactor()
	r.Add(pw)
	b64 := func(enc *base64.Encoding, s string) string { return enc.EncodeToString([]byte(s)) }
	cases := map[string]string{
		"base64":                         b64(base64.StdEncoding, pw),
		"base64 without padding":         b64(base64.RawStdEncoding, pw),
		"base64url":                      b64(base64.URLEncoding, pw),
		"base64url without padding":      b64(base64.RawURLEncoding, pw),
		"base64 of user:password":        b64(base64.StdEncoding, "admin:"+pw),
		"base64 of user1:password":       b64(base64.StdEncoding, "admin1:"+pw),
		"base64 of a JSON body":          b64(base64.StdEncoding, `{"password":"`+pw+`","x":1}`),
		"base64url of a longer text":     b64(base64.RawURLEncoding, "ab"+pw+"cd"),
		"lower-case percent-encoding":    strings.ToLower(url.QueryEscape(pw)),
		"lower-case path encoding":       strings.ToLower(url.PathEscape(pw)),
		"JSON with \\/":                  strings.ReplaceAll(pw, "/", `\/`),
		"JSON with \\u escapes":          `p\u00e4\/ss+w\u00f6rd?=~1`,
		"JSON with upper-case \\u":       `p\u00E4/ss+w\u00F6rd?=~1`,
		"percent-encoding (upper, kept)": url.QueryEscape(pw),
	}
	for name, echoed := range cases {
		text := "server: [" + echoed + "] refused"
		got := r.String(text)
		if !strings.Contains(got, Mask) {
			t.Errorf("%s: %q not masked: %q", name, echoed, got)
			continue
		}
		if leaks(got, pw) {
			t.Errorf("%s: %q masked as %q still shows part of the secret", name, echoed, got)
		}
	}
}

// leaks reports whether what is left around the masks of text shows four
// bytes in a row of secret, as they are or in base64 at any alignment.
// (The one or two characters at the edges of a masked base64 text mix the
// secret's bits with its neighbours'; they may stay.)
func leaks(text, secret string) bool {
	for _, frag := range strings.Split(text, Mask) {
		var decoded []string
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			for off := range 4 {
				for end := len(frag); end > off; end-- {
					if d, err := enc.DecodeString(frag[off:end]); err == nil {
						decoded = append(decoded, string(d))
						break
					}
				}
			}
		}
		for i := 0; i+4 <= len(secret); i++ {
			w := secret[i : i+4]
			if strings.Contains(frag, w) {
				return true
			}
			for _, d := range decoded {
				if strings.Contains(d, w) {
					return true
				}
			}
		}
	}
	return false
}

// Query keys that name a credential in other APIs' conventions are masked
// in URLs and in the text a server sends (form bodies, messages).
func TestRedactorMasksSecretQueryKeys(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	keys := []string{"apikey", "api_key", "api-key", "key", "sig", "signature", "oauth_signature", "auth",
		"access_token", "secret", "client_secret", "sessionid", "credential", "X-Amz-Signature", "code"}
	for _, k := range keys {
		v := "v-" + strings.ToLower(k) + "-0001"
		u, err := url.Parse("https://api.example/x?limit=5&" + url.QueryEscape(k) + "=" + v)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.URL(u); strings.Contains(got, v) || !strings.Contains(got, "limit=5") {
			t.Errorf("URL with %s: %s", k, got)
		}
		for _, body := range []string{
			"limit=5&" + k + "=" + v,
			"GET /x?limit=5&" + k + "=" + v + " failed",
			`{"message":"bad request /x?` + k + "=" + v + `"}`,
		} {
			if got := r.JSON([]byte(body)); strings.Contains(got, v) {
				t.Errorf("body %q: %s", body, got)
			}
		}
	}
	// Keys that only contain those letters are not secrets.
	u, _ := url.Parse("https://api.example/x?keyword=a1&monkey=b2&authority=c3&design=d4")
	if got := r.URL(u); !strings.Contains(got, "a1") || !strings.Contains(got, "b2") || !strings.Contains(got, "c3") || !strings.Contains(got, "d4") {
		t.Errorf("URL = %s: keys that name no secret were masked", got)
	}
}

// Where secrets overlap in a text, every character of each is masked.
func TestRedactorMasksOverlappingSecretsWhole(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add("abcd", "cdefghij")
	if got := r.String("x abcdefghij y"); got != "x *** y" {
		t.Errorf("String = %q", got)
	}
	// A short secret inside a longer one is masked with it, and alone
	// where it stands alone.
	r.Add("0123456789", "345")
	if got := r.String("[0123456789] [345] [a345b]"); got != "[***] [***] [a345b]" {
		t.Errorf("String = %q", got)
	}
}
