package httpx

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Mask replaces every secret in logs and messages.
const Mask = "***"

// knownHeaders says for the headers the four APIs and HTTP itself use
// whether their value is a credential, without looking at their words.
// X-Auth-Login (Cleura) is a user name; WWW-Authenticate is a challenge.
var knownHeaders = map[string]bool{
	"Authorization":          true,
	"Proxy-Authorization":    true,
	"Cookie":                 true,
	"Set-Cookie":             true,
	"X-Auth-Token":           true,
	"X-Subject-Token":        true,
	"X-Service-Token":        true,
	"Openstack-Auth-Receipt": true,
	"X-Abiquo-Token":         true,
	"X-Abiquo-Otp":           true,
	"X-Auth-Login":           false,
	"Www-Authenticate":       false,
	"Proxy-Authenticate":     false,
	"Accept":                 false,
	"Accept-Encoding":        false,
	"Content-Type":           false,
	"Content-Length":         false,
	"Date":                   false,
	"Server":                 false,
	"User-Agent":             false,
	"Vary":                   false,
	"Retry-After":            false,
	"Location":               false,
	"Connection":             false,
	"Keep-Alive":             false,
	"X-Openstack-Request-Id": false,
}

// secretHeaderParts are what, within a header's name, says that it
// carries a credential: any other API's token, key or session header
// ("X-Api-Key", "X-Amz-Security-Token") is masked too.
var secretHeaderParts = []string{"authorization", "token", "secret", "password", "passwd", "cookie", "session",
	"receipt", "apikey", "api-key", "api_key", "auth-key", "signature", "credential"}

// IsSecretHeader reports whether a header's value must never be shown.
// X-AUTH-TOKEN (Cleura) canonicalises to X-Auth-Token.
func IsSecretHeader(name string) bool {
	if secret, ok := knownHeaders[http.CanonicalHeaderKey(name)]; ok {
		return secret
	}
	n := strings.ToLower(name)
	for _, p := range secretHeaderParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	// Short words only as a whole part of the name: "X-Auth-Key", but
	// not "Keep-Alive".
	for part := range strings.FieldsFuncSeq(n, func(r rune) bool { return r == '-' || r == '_' }) {
		if part == "key" || part == "otp" {
			return true
		}
	}
	return false
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
// token, say) never shows it, nor its URL-encoded, JSON-escaped or
// HTML-escaped form.
type Redactor struct {
	mu sync.RWMutex
	// added are the secrets in the order they came: the long-lived
	// credentials first, then issued tokens.
	added []string
	// forms are every form of every secret, longest first, so that a
	// secret containing another is masked whole.
	forms []secretForm
}

type secretForm struct {
	text string
	// whole: mask only where it stands alone, not inside a longer word
	// (for very short secrets).
	whole bool
}

// NewRedactor returns an empty Redactor.
func NewRedactor() *Redactor { return &Redactor{} }

// maxSecrets bounds memory for clients whose token rotates on every answer.
const maxSecrets = 256

// keepFirst are the first secrets added (the configured credentials),
// which a flood of rotated tokens never pushes out.
const keepFirst = 8

// shortSecret is the length below which a secret is masked only where it
// stands alone (between characters that are not letters or digits): a
// two-letter password must not be shown, but neither should every word
// that contains its letters be blanked out.
const shortSecret = 4

// Add registers secret values, whatever their length. Empty values are
// ignored.
func (r *Redactor) Add(values ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, v := range values {
		if v == "" || slices.Contains(r.added, v) {
			continue
		}
		r.added = append(r.added, v)
		changed = true
		if len(r.added) > maxSecrets {
			// Drop the oldest rotated token.
			r.added = append(r.added[:keepFirst], r.added[keepFirst+1:]...)
		}
	}
	if !changed {
		return
	}
	seen := map[string]bool{}
	r.forms = r.forms[:0]
	for _, v := range r.added {
		for _, f := range secretForms(v) {
			if !seen[f] {
				seen[f] = true
				r.forms = append(r.forms, secretForm{text: f, whole: len(f) < shortSecret})
			}
		}
	}
	sort.SliceStable(r.forms, func(i, j int) bool { return len(r.forms[i].text) > len(r.forms[j].text) })
}

// secretForms are the ways a secret shows in what servers and logs echo:
// as it is, URL-encoded (query and path), JSON-escaped and HTML-escaped.
func secretForms(v string) []string {
	out := []string{v, url.QueryEscape(v), url.PathEscape(v), html.EscapeString(v)}
	if b, err := json.Marshal(v); err == nil && len(b) >= 2 {
		out = append(out, string(b[1:len(b)-1]))
	}
	return out
}

// String masks every registered secret in s.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, f := range r.forms {
		if !strings.Contains(s, f.text) {
			continue
		}
		if f.whole {
			s = replaceWhole(s, f.text)
			continue
		}
		s = strings.ReplaceAll(s, f.text, Mask)
	}
	return s
}

// replaceWhole masks the occurrences of v in s that no letter or digit
// touches on either side.
func replaceWhole(s, v string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, v)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(v)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[end:])
		b.WriteString(s[:i])
		if (i > 0 && isWordRune(before)) || (end < len(s) && isWordRune(after)) {
			b.WriteString(v)
		} else {
			b.WriteString(Mask)
		}
		s = s[end:]
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

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
