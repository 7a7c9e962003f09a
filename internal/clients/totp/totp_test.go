package totp

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"
)

// The shared secrets of RFC 6238 Appendix B: ASCII digits, 20, 32 and 64
// bytes long for SHA1, SHA256 and SHA512.
var rfcSecrets = map[Algorithm]string{
	SHA1:   "12345678901234567890",
	SHA256: "12345678901234567890123456789012",
	SHA512: "1234567890123456789012345678901234567890123456789012345678901234",
}

func TestRFC6238Vectors(t *testing.T) {
	t.Parallel()
	// RFC 6238 Appendix B: 8 digits, 30-second steps.
	vectors := []struct {
		unix                 int64
		sha1, sha256, sha512 string
	}{
		{59, "94287082", "46119246", "90693936"},
		{1111111109, "07081804", "68084774", "25091201"},
		{1111111111, "14050471", "67062674", "99943326"},
		{1234567890, "89005924", "91819424", "93441116"},
		{2000000000, "69279037", "90698825", "38618901"},
		{20000000000, "65353130", "77737706", "47863826"},
	}
	for _, v := range vectors {
		for alg, want := range map[Algorithm]string{SHA1: v.sha1, SHA256: v.sha256, SHA512: v.sha512} {
			k, err := New([]byte(rfcSecrets[alg]), alg, 8, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if got := k.Code(time.Unix(v.unix, 0)); got != want {
				t.Errorf("%s at %d: code %s, want %s", alg, v.unix, got, want)
			}
		}
	}
}

func TestRFC4226Vectors(t *testing.T) {
	t.Parallel()
	// RFC 4226 Appendix D: the 6-digit HOTP values for counters 0 to 9.
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	k, err := New([]byte(rfcSecrets[SHA1]), SHA1, 6, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for c, w := range want {
		if got := k.CodeAt(uint64(c)); got != w {
			t.Errorf("counter %d: %s, want %s", c, got, w)
		}
	}
}

func TestParseURLHonoursParameters(t *testing.T) {
	t.Parallel()
	b32 := base32.StdEncoding.EncodeToString([]byte(rfcSecrets[SHA256]))
	k, err := ParseURL("otpauth://totp/ACME:ops?secret=" + strings.TrimRight(strings.ToLower(b32), "=") +
		"&issuer=Abiquo&algorithm=sha256&digits=8&period=60")
	if err != nil {
		t.Fatal(err)
	}
	if k.Algorithm != SHA256 || k.Digits != 8 || k.Period != time.Minute || k.Issuer != "Abiquo" || k.Account != "ops" {
		t.Fatalf("key = %+v", k)
	}
	// A 60-second period puts 1111111109 and 1111111111 (2 s apart, in
	// different 30-second steps) into the same step: 18518518.
	ref, _ := New([]byte(rfcSecrets[SHA256]), SHA256, 8, 30*time.Second)
	if got, want := k.Code(time.Unix(1111111109, 0)), ref.CodeAt(1111111109/60); got != want {
		t.Errorf("code %s, want %s", got, want)
	}
	if k.Code(time.Unix(1111111109, 0)) != k.Code(time.Unix(1111111111, 0)) {
		t.Error("the period was not honoured")
	}
}

func TestParseDocumentedURLs(t *testing.T) {
	t.Parallel()
	// The two authenticatorURL shapes Abiquo's docs show: issuer in the
	// label and as a parameter, or an enterprise id in the label.
	for _, tc := range []struct{ url, issuer, account string }{
		{"otpauth://totp/Abiquo:admin?secret=UXEHFMAX7RXAJHYE&issuer=Abiquo", "Abiquo", "admin"},
		{"otpauth://totp/288:sysadmin?secret=7MIE6RNE7ZC2YDQX&issuer=Abiquo", "Abiquo", "sysadmin"},
		{"otpauth://totp/plain?secret=7MIE6RNE7ZC2YDQX", "", "plain"},
	} {
		k, err := Parse(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		if k.Algorithm != SHA1 || k.Digits != 6 || k.Period != 30*time.Second || k.Issuer != tc.issuer || k.Account != tc.account {
			t.Errorf("%s: %+v", tc.url, k)
		}
		if c := k.Code(time.Now()); len(c) != 6 {
			t.Errorf("code %q", c)
		}
	}
}

func TestBareSecretMatchesURL(t *testing.T) {
	t.Parallel()
	a, err := Parse("7mie 6rne-7zc2 ydqx")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("otpauth://totp/x?secret=7MIE6RNE7ZC2YDQX")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	if a.Code(now) != b.Code(now) {
		t.Fatal("the same secret written two ways gives different codes")
	}
}

func TestParseErrorsNeverShowTheSecret(t *testing.T) {
	t.Parallel()
	const secret = "UXEHFMAX7RXAJHYE"
	cases := []struct{ in, want string }{
		{"", "empty"},
		{"123456", "looks like a one-time code"},
		{"UXEHFMAX7RXAJHY!", "character 16 is not base32"},
		{"otpauth://hotp/x?secret=" + secret + "&counter=1", "counter-based"},
		{"otpauth://totp/x?issuer=Abiquo", "exactly one secret"},
		{"otpauth://totp/x?secret=" + secret + "&secret=" + secret, "exactly one secret"},
		{"otpauth://totp/x?secret=" + secret + "&algorithm=MD5", "not one of SHA1, SHA256, SHA512"},
		{"otpauth://totp/x?secret=" + secret + "&digits=4", "from 6 to 10"},
		{"otpauth://totp/x?secret=" + secret + "&digits=" + secret, "from 6 to 10"},
		{"otpauth://totp/x?secret=" + secret + "&period=0", "number of seconds"},
		{"otpauth://totp/x?secret=" + secret + "%zz", "not valid URL query syntax"},
		{"otpauth://steam/x?secret=" + secret, "otpauth://totp/"},
		{"otpauth://totp/x?secret=1234" + secret, "not base32"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.in)
		if err == nil {
			t.Errorf("%q: no error", tc.in)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:8]) {
			t.Errorf("%q: the error shows the secret: %v", tc.in, err)
		}
	}
}

func TestVerifyAcceptsDriftWithinSkewOnly(t *testing.T) {
	t.Parallel()
	k, _ := New([]byte(rfcSecrets[SHA1]), SHA1, 6, 30*time.Second)
	now := time.Unix(1700000000, 0)
	for _, tc := range []struct {
		offset time.Duration
		ok     bool
	}{
		{0, true}, {-30 * time.Second, true}, {30 * time.Second, true},
		{-60 * time.Second, false}, {60 * time.Second, false},
	} {
		if got := k.Verify(k.Code(now.Add(tc.offset)), now, 1); got != tc.ok {
			t.Errorf("code from %s: Verify = %v, want %v", tc.offset, got, tc.ok)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if k.Verify(bad, now, 1) {
			t.Errorf("Verify(%q) = true", bad)
		}
	}
}

func TestKeyNeverPrintsItsSecret(t *testing.T) {
	t.Parallel()
	k, _ := New([]byte("a-very-recognisable-secret"), SHA1, 6, 30*time.Second)
	for _, s := range []string{k.String(), k.GoString(), sprint(k), sprint(*k)} {
		if strings.Contains(s, "recognisable") || strings.Contains(s, "97 45 118") {
			t.Errorf("the secret is printed: %s", s)
		}
	}
}
