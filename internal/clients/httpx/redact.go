package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every secret in logs and messages.
const Mask = "***"

// secretHeaders are masked whatever their value.
var secretHeaders = map[string]bool{
	"Authorization":       true,
	"X-Auth-Token":        true,
	"X-Subject-Token":     true,
	"X-Abiquo-Token":      true,
	"X-Abiquo-Otp":        true,
	"Cookie":              true,
	"Set-Cookie":          true,
	"Proxy-Authorization": true,
}

// IsSecretHeader reports whether a header's value must never be shown.
// X-AUTH-TOKEN (Cleura) canonicalises to X-Auth-Token.
func IsSecretHeader(name string) bool {
	return secretHeaders[http.CanonicalHeaderKey(name)]
}

// IsSecretKey reports whether a JSON or query key names a secret:
// passwords, secrets, tokens, one-time codes and Cleura's verification id.
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	switch k {
	case "code", "otp", "verification", "scratchcodes", "authenticatorurl":
		return true
	}
	for _, s := range []string{"password", "passwd", "secret", "token"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// Redactor removes known secret values from text. Clients add their
// password, application credential secret, OTP secret and every token they
// are issued, so that a server echoing one back (an error that quotes the
// token, say) never shows it.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// NewRedactor returns an empty Redactor.
func NewRedactor() *Redactor { return &Redactor{} }

// maxSecrets bounds memory for clients whose token rotates on every answer.
const maxSecrets = 256

// minSecretLen keeps short values (a region, "1") from being masked
// everywhere; one-time codes have six digits.
const minSecretLen = 6

// Add registers secret values. Empty and very short values are ignored.
func (r *Redactor) Add(values ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < minSecretLen {
			continue
		}
		known := false
		for _, s := range r.secrets {
			if s == v {
				known = true
				break
			}
		}
		if known {
			continue
		}
		r.secrets = append(r.secrets, v)
		if len(r.secrets) > maxSecrets {
			// Keep the long-lived credentials (added first) and the newest
			// tokens; drop the oldest rotated token.
			r.secrets = append(r.secrets[:8], r.secrets[9:]...)
		}
	}
	// Longest first, so that a secret containing another is masked whole.
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// String masks every registered secret in s.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mask)
		}
	}
	return s
}

// Headers returns a loggable copy of h with secret headers masked.
func (r *Redactor) Headers(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if IsSecretHeader(k) {
			out[k] = Mask
			continue
		}
		out[k] = r.String(strings.Join(vs, ", "))
	}
	return out
}

// URL returns u as text without user info and with secret query values
// masked.
func (r *Redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			if IsSecretKey(k) {
				q[k] = []string{Mask}
			}
		}
		c.RawQuery = q.Encode()
	}
	return r.String(c.String())
}

// JSON returns body with the values of secret keys masked. Bodies that are
// not JSON are returned with known secret values masked.
func (r *Redactor) JSON(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return ""
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return r.String(maskSecretPairs(string(body)))
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		// Truncated or malformed: mask what looks like a secret field, so
		// that half a token in a cut-off login answer is not shown either.
		return r.String(maskSecretPairs(string(body)))
	}
	maskJSON(v)
	out, err := json.Marshal(v)
	if err != nil {
		return Mask
	}
	return r.String(string(out))
}

// secretPair finds "key": "value" and "key": 123 pairs in text that is not
// valid JSON; the value may be cut off.
var secretPair = regexp.MustCompile(`(?i)("[a-z0-9_]*(?:password|passwd|secret|token|otp|verification|code)[a-z0-9_]*"\s*:\s*)("(?:[^"\\]|\\.)*"?|[0-9]+)`)

func maskSecretPairs(s string) string {
	return secretPair.ReplaceAllString(s, `${1}"`+Mask+`"`)
}

func maskJSON(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if IsSecretKey(k) {
				switch val.(type) {
				case map[string]any:
					maskJSON(val)
				case nil:
				default:
					t[k] = Mask
				}
				continue
			}
			maskJSON(val)
		}
	case []any:
		for _, e := range t {
			maskJSON(e)
		}
	}
}

// Snippet returns a short, single-line, secret-free excerpt of a body for
// error messages.
func (r *Redactor) Snippet(body []byte, max int) string {
	s := r.JSON(body)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f || c == 0xfffd {
			return -1
		}
		return c
	}, s)
	// Removing characters and folding white space can join the parts of a
	// secret that the body had split; mask once more on the final text.
	s = r.String(s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
