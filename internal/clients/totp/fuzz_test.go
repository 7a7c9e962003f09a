package totp

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func sprint(v any) string { return fmt.Sprintf("%v %+v %#v %s", v, v, v, v) }

// FuzzParse feeds the otpauth URL and base32 parser arbitrary text. Seeds
// are the URL shapes from Abiquo's docs plus the parameters of the Key URI
// format; testdata/fuzz/FuzzParse holds more.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"otpauth://totp/Abiquo:admin?secret=UXEHFMAX7RXAJHYE&issuer=Abiquo",
		"otpauth://totp/288:sysadmin?secret=7MIE6RNE7ZC2YDQX&issuer=Abiquo",
		"otpauth://totp/ACME:ops?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60",
		"otpauth://hotp/x?secret=UXEHFMAX7RXAJHYE&counter=3",
		"UXEH FMAX 7RXA JHYE",
		"uxehfmax7rxajhye====",
		"123456",
		"otpauth://totp/%ZZ?secret=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		k, err := Parse(in)
		if err != nil {
			if k != nil {
				t.Fatal("a key together with an error")
			}
			// An error may name a parameter but must not quote a long
			// value from the input (where a secret would be).
			for _, field := range strings.FieldsFunc(in, func(r rune) bool { return r == '=' || r == '&' || r == '?' || r == '/' }) {
				if len(field) >= 16 && strings.Contains(err.Error(), field) {
					t.Fatalf("the error quotes input %q: %v", field, err)
				}
			}
			return
		}
		if k.Digits < MinDigits || k.Digits > MaxDigits || k.Period < time.Second || k.Period > MaxPeriod {
			t.Fatalf("out-of-range key accepted: %v", k)
		}
		code := k.Code(time.Unix(1700000000, 0))
		if len(code) != k.Digits || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("code %q for %v", code, k)
		}
		if !k.Verify(code, time.Unix(1700000000, 0), 0) {
			t.Fatal("a key rejects its own code")
		}
	})
}
