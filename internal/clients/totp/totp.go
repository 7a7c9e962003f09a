// Package totp makes time-based one-time codes (RFC 6238, built on the
// HOTP truncation of RFC 4226) from the secret an authenticator app is
// given: a bare base32 secret or an otpauth://totp/... URL (Abiquo returns
// one when two-factor authentication is enabled; Keystone's TOTP
// credentials hold the base32 secret).
//
//	k, err := totp.Parse("otpauth://totp/Abiquo:admin?secret=...&issuer=Abiquo")
//	code := k.Code(time.Now()) // "123456"
//
// A Key never prints its secret: String and GoString show only the
// algorithm, digits and period, so a Key in a log line or an error is safe.
package totp

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238's default algorithm; HMAC-SHA1 is not broken for this use.
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the HMAC hash of a Key.
type Algorithm string

// The algorithms RFC 6238 names.
const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
)

// Defaults of the otpauth URL format (and of Abiquo's GOOGLE_AUTHENTICATOR
// provider, whose URLs carry none of these parameters).
const (
	DefaultDigits = 6
	DefaultPeriod = 30 * time.Second
)

// Limits on the parameters a Key accepts. A 31-bit HOTP value has at most
// ten decimal digits, so more cannot add anything.
const (
	MinDigits = 6
	MaxDigits = 10
	MaxPeriod = 24 * time.Hour
)

// Key is a TOTP secret with its parameters.
type Key struct {
	secret    []byte
	Algorithm Algorithm
	Digits    int
	Period    time.Duration
	// Issuer and Account come from an otpauth URL's label and issuer
	// parameter; they are empty for a bare secret.
	Issuer  string
	Account string
}

// New returns a key for a raw secret. Zero digits or period take the
// defaults; an empty algorithm is SHA1.
func New(secret []byte, alg Algorithm, digits int, period time.Duration) (*Key, error) {
	if len(secret) == 0 {
		return nil, errors.New("the secret is empty")
	}
	if alg == "" {
		alg = SHA1
	}
	if hashFor(alg) == nil {
		return nil, fmt.Errorf("algorithm %q is not one of SHA1, SHA256, SHA512", alg)
	}
	if digits == 0 {
		digits = DefaultDigits
	}
	if digits < MinDigits || digits > MaxDigits {
		return nil, fmt.Errorf("digits must be between %d and %d, not %d", MinDigits, MaxDigits, digits)
	}
	if period == 0 {
		period = DefaultPeriod
	}
	if period < time.Second || period > MaxPeriod || period%time.Second != 0 {
		return nil, fmt.Errorf("the period must be a whole number of seconds between 1 and %d, not %s", int(MaxPeriod.Seconds()), period)
	}
	return &Key{secret: append([]byte(nil), secret...), Algorithm: alg, Digits: digits, Period: period}, nil
}

// Parse reads a bare base32 secret or an otpauth://totp/ URL.
func Parse(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	if len(s) >= len("otpauth:") && strings.EqualFold(s[:len("otpauth:")], "otpauth:") {
		return ParseURL(s)
	}
	secret, err := DecodeSecret(s)
	if err != nil {
		return nil, err
	}
	return New(secret, SHA1, DefaultDigits, DefaultPeriod)
}

// DecodeSecret decodes a base32 secret as authenticator apps accept it:
// any case, with or without padding, spaces and dashes ignored. Errors
// never quote the secret.
func DecodeSecret(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '-':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	clean = strings.TrimRight(clean, "=")
	if clean == "" {
		return nil, errors.New("the secret is empty")
	}
	if isDigits(clean) {
		// Digits 0, 1, 8 and 9 are not base32: this is a code, not a secret.
		return nil, fmt.Errorf("the value is %d digits, which looks like a one-time code rather than the secret the codes are made from", len(clean))
	}
	for i, r := range clean {
		if (r < 'A' || r > 'Z') && (r < '2' || r > '7') {
			return nil, fmt.Errorf("character %d is not base32 (A-Z, 2-7)", i+1)
		}
	}
	if n := len(clean) % 8; n != 0 {
		clean += strings.Repeat("=", 8-n)
	}
	b, err := base32.StdEncoding.DecodeString(clean)
	if err != nil {
		// The library's message quotes no input, only an offset.
		return nil, fmt.Errorf("the secret is not valid base32: %w", err)
	}
	if len(b) == 0 {
		return nil, errors.New("the secret is empty")
	}
	return b, nil
}

// ParseURL reads the Key URI format: otpauth://totp/[issuer:]account
// ?secret=BASE32[&issuer=...][&algorithm=SHA1|SHA256|SHA512][&digits=N]
// [&period=SECONDS]. Errors never quote the secret.
func ParseURL(raw string) (*Key, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Error quotes the whole URL, secret included: say less.
		return nil, errors.New("not a valid otpauth:// URL")
	}
	if !strings.EqualFold(u.Scheme, "otpauth") {
		return nil, errors.New("the URL must start with otpauth://")
	}
	switch strings.ToLower(u.Host) {
	case "totp":
	case "hotp":
		return nil, errors.New("otpauth://hotp/ (counter-based) codes are not supported; the login needs a time-based secret (otpauth://totp/)")
	default:
		return nil, errors.New("the URL must start with otpauth://totp/")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errors.New("the otpauth URL's parameters are not valid URL query syntax")
	}
	if len(q["secret"]) != 1 {
		return nil, errors.New("the otpauth URL must have exactly one secret parameter")
	}
	secret, err := DecodeSecret(q.Get("secret"))
	if err != nil {
		return nil, fmt.Errorf("the otpauth URL's secret: %w", err)
	}
	alg := SHA1
	if v := q.Get("algorithm"); v != "" {
		alg = Algorithm(strings.ToUpper(v))
		if hashFor(alg) == nil {
			return nil, fmt.Errorf("the otpauth URL's algorithm %q is not one of SHA1, SHA256, SHA512", safeParam(v))
		}
	}
	digits := DefaultDigits
	if v := q.Get("digits"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < MinDigits || n > MaxDigits {
			return nil, fmt.Errorf("the otpauth URL's digits must be a number from %d to %d, not %q", MinDigits, MaxDigits, safeParam(v))
		}
		digits = n
	}
	period := DefaultPeriod
	if v := q.Get("period"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || time.Duration(n)*time.Second > MaxPeriod {
			return nil, fmt.Errorf("the otpauth URL's period must be a number of seconds from 1 to %d, not %q", int(MaxPeriod.Seconds()), safeParam(v))
		}
		period = time.Duration(n) * time.Second
	}
	k, err := New(secret, alg, digits, period)
	if err != nil {
		return nil, err
	}
	label := strings.TrimPrefix(u.Path, "/")
	if i := strings.IndexByte(label, ':'); i >= 0 {
		k.Issuer, k.Account = strings.TrimSpace(label[:i]), strings.TrimSpace(label[i+1:])
	} else {
		k.Account = strings.TrimSpace(label)
	}
	if v := q.Get("issuer"); v != "" {
		k.Issuer = v
	}
	return k, nil
}

// safeParam shortens a parameter value quoted in an error, so that a
// secret pasted into the wrong parameter is not shown whole.
func safeParam(v string) string {
	if len(v) > 12 {
		return v[:4] + "…"
	}
	return v
}

func hashFor(a Algorithm) func() hash.Hash {
	switch a {
	case SHA1:
		return sha1.New
	case SHA256:
		return sha256.New
	case SHA512:
		return sha512.New
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Counter is the RFC 6238 time step of t: whole periods since the Unix
// epoch. Times before the epoch count as step 0.
func (k *Key) Counter(t time.Time) uint64 {
	sec := t.Unix()
	if sec < 0 {
		return 0
	}
	return uint64(sec) / uint64(k.Period/time.Second)
}

// Code returns the code for the time step that contains t.
func (k *Key) Code(t time.Time) string { return k.CodeAt(k.Counter(t)) }

// CodeAt returns the HOTP value (RFC 4226 section 5.3) for a counter,
// zero-padded to the key's digits.
func (k *Key) CodeAt(counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(hashFor(k.Algorithm), k.secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := int(sum[len(sum)-1] & 0x0f)
	v := uint64(binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff)
	mod := uint64(1)
	for i := 0; i < k.Digits; i++ {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", k.Digits, v%mod)
}

// Verify reports whether code is the code of t's time step or of up to
// skew steps before or after it (clock drift between the two sides). It
// compares in constant time.
func (k *Key) Verify(code string, t time.Time, skew int) bool {
	if len(code) != k.Digits || !isDigits(code) {
		return false
	}
	c := int64(k.Counter(t))
	ok := 0
	for d := -int64(skew); d <= int64(skew); d++ {
		if c+d < 0 {
			continue
		}
		ok |= subtle.ConstantTimeCompare([]byte(k.CodeAt(uint64(c+d))), []byte(code))
	}
	return ok == 1
}

// String describes the key without its secret.
func (k Key) String() string {
	return fmt.Sprintf("TOTP(%s, %d digits, %s)", k.Algorithm, k.Digits, k.Period)
}

// GoString keeps %#v from printing the secret.
func (k Key) GoString() string { return k.String() }
