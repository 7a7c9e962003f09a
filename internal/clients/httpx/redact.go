package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
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
	return hasPart(n, "key") || hasPart(n, "otp")
}

// IsSecretKey reports whether a JSON or query key names a secret:
// passwords, secrets, tokens, one-time codes, Cleura's verification id,
// and the API keys, signatures, sessions and credentials of other APIs'
// URLs ("apikey", "api_key", "key", "sig", "oauth_signature",
// "X-Amz-Credential").
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	switch k {
	case "code", "otp", "verification", "scratchcodes", "authenticatorurl", "auth", "sig", "key", "pin":
		return true
	}
	for _, s := range []string{"password", "passwd", "secret", "token", "apikey", "signature", "credential", "session"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	// Short words only as a whole part of the key: "api_key", "X-Amz-Sig",
	// but not "keyword" or "design".
	return hasPart(k, "key") || hasPart(k, "sig") || hasPart(k, "otp")
}

// hasPart reports whether w is one of the parts of k that '-', '_' and
// '.' separate.
func hasPart(k, w string) bool {
	sep := func(i int) bool { return i < 0 || i >= len(k) || k[i] == '-' || k[i] == '_' || k[i] == '.' }
	for i := 0; i+len(w) <= len(k); {
		j := strings.Index(k[i:], w)
		if j < 0 {
			return false
		}
		j += i
		if sep(j-1) && sep(j+len(w)) {
			return true
		}
		i = j + 1
	}
	return false
}

// Redactor removes known secret values from text. Clients add their
// password, application credential secret, OTP secret and every token they
// are issued, so that a server echoing one back (an error that quotes the
// token, say) never shows it, in any of the forms of secretForms.
//
// What it holds is bounded: a secret a server issues may be at most
// MaxIssuedBytes long (AddIssued refuses a longer one), it keeps at most
// maxSecrets secrets and maxHeldBytes of their forms (dropping the oldest
// issued ones, never the first keepFirst, which are the configured
// credentials), and adding one computes the forms of that one alone.
type Redactor struct {
	mu sync.RWMutex
	// added are the secrets in the order they came: the long-lived
	// credentials first, then issued tokens; index holds the same.
	added []heldSecret
	index map[string]bool
	// refs counts, for each form, the secrets that have it; held is the
	// length of all forms.
	refs map[string]int
	held int
	m    matcher
	// computed counts the secrets whose forms were computed (tests).
	computed int
}

type heldSecret struct {
	v     string
	forms []string
}

// NewRedactor returns an empty Redactor.
func NewRedactor() *Redactor { return &Redactor{} }

// Bounds of what a Redactor holds.
const (
	// MaxIssuedBytes is the longest token, receipt or other secret a
	// client takes from a server. Real ones are a few hundred bytes (a
	// JWT with many claims a few KiB); a longer one is refused rather
	// than kept and searched for in every log line.
	MaxIssuedBytes = 16 << 10
	// maxSecrets bounds how many secrets are held, for clients whose
	// token rotates on every answer.
	maxSecrets = 256
	// maxHeldBytes bounds the length of all forms of all secrets.
	maxHeldBytes = 1 << 20
	// keepFirst are the first secrets added (the configured credentials),
	// which a flood of rotated tokens never pushes out.
	keepFirst = 8
	// shortSecret is the length below which a form is masked only where
	// it stands alone (between characters that are not letters or
	// digits): a two-letter password must not be shown, but neither
	// should every word that contains its letters be blanked out.
	shortSecret = 4
)

// OversizeSecretError is a token (or receipt, or id) a server sent that is
// longer than MaxIssuedBytes.
type OversizeSecretError struct {
	// What names it: "an X-Abiquo-Token", "a bearerToken".
	What string
	Size int
}

func (e *OversizeSecretError) Error() string {
	return fmt.Sprintf("the server sent %s of %s, more than the %s a client takes of one; the APIs issue far shorter ones, "+
		"so check that the URL points at the API itself and not at something that pretends to be it",
		e.What, byteSize(int64(e.Size)), byteSize(MaxIssuedBytes))
}

// Add registers secrets the user configured (passwords, secrets, codes),
// whatever their length; empty values are ignored. Each is also masked in
// base64.
func (r *Redactor) Add(values ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		r.add(v, true)
	}
}

// AddIssued registers a secret a server issued (a token, a receipt, a
// verification id). One longer than MaxIssuedBytes is not held and is an
// *OversizeSecretError, which the client returns instead of using it;
// what names it in the error.
func (r *Redactor) AddIssued(what, v string) error {
	if len(v) > MaxIssuedBytes {
		return &OversizeSecretError{What: what, Size: len(v)}
	}
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(v, false)
	return nil
}

// add holds v and its forms; r.mu is held.
func (r *Redactor) add(v string, configured bool) {
	if v == "" || r.index[v] {
		return
	}
	if r.index == nil {
		r.index, r.refs = map[string]bool{}, map[string]int{}
	}
	r.index[v] = true
	forms := secretForms(v, configured)
	r.computed++
	r.added = append(r.added, heldSecret{v: v, forms: forms})
	for _, f := range forms {
		if r.refs[f]++; r.refs[f] == 1 {
			r.held += len(f)
			r.m.add(f)
		}
	}
	// Drop the oldest rotated tokens, but never the one just added: it is
	// the one in use.
	for len(r.added) > keepFirst+1 && (len(r.added) > maxSecrets || r.held > maxHeldBytes) {
		old := r.added[keepFirst]
		r.added = slices.Delete(r.added, keepFirst, keepFirst+1)
		delete(r.index, old.v)
		for _, f := range old.forms {
			if r.refs[f]--; r.refs[f] == 0 {
				delete(r.refs, f)
				r.held -= len(f)
				r.m.remove(f)
			}
		}
	}
}

// allForms are every form held (tests).
func (r *Redactor) allForms() []string { return slices.Collect(maps.Keys(r.refs)) }

// String masks every registered secret in s.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.m.mask(s)
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
// not JSON are returned with known secret values masked, and the values of
// what looks like a secret field or query parameter.
func (r *Redactor) JSON(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return ""
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return r.String(maskQueryPairs(maskSecretPairs(string(body))))
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		// Truncated or malformed: mask what looks like a secret field, so
		// that half a token in a cut-off login answer is not shown either.
		return r.String(maskQueryPairs(maskSecretPairs(string(body))))
	}
	v = r.maskJSON(v)
	out, err := json.Marshal(v)
	if err != nil {
		return Mask
	}
	return r.String(string(out))
}

// Text returns text a server sent (an error message, an error code) fit
// for a message: known secrets masked, the values of query parameters
// that name a secret ("...?apikey=..." quoted in an error), and nothing a
// terminal would act on (Printable).
func (r *Redactor) Text(s string) string { return r.String(maskQueryPairs(Printable(s))) }

// secretPair finds "key": "value" and "key": 123 pairs in text that is not
// valid JSON; the value may be cut off.
var secretPair = regexp.MustCompile(`(?i)("[a-z0-9_-]*(?:password|passwd|secret|token|otp|verification|code|apikey|api_key|signature|credential|session|key|sig|auth)[a-z0-9_-]*"\s*:\s*)("(?:[^"\\]|\\.)*"?|[0-9]+)`)

func maskSecretPairs(s string) string {
	return secretPair.ReplaceAllString(s, `${1}"`+Mask+`"`)
}

// queryPair finds name=value pairs of a query string or a form, in a URL
// or quoted in text.
var queryPair = regexp.MustCompile(`(?:^|[?&;\s"'(,])([A-Za-z0-9_.\-]+)=([^&\s"'<>;),]*)`)

// maskQueryPairs masks the values of the pairs whose name is a secret key.
func maskQueryPairs(s string) string {
	if !strings.Contains(s, "=") {
		return s
	}
	var b strings.Builder
	at := 0
	for _, m := range queryPair.FindAllStringSubmatchIndex(s, -1) {
		if m[5] == m[4] || !IsSecretKey(s[m[2]:m[3]]) {
			continue
		}
		b.WriteString(s[at:m[4]])
		b.WriteString(Mask)
		at = m[5]
	}
	if at == 0 {
		return s
	}
	b.WriteString(s[at:])
	return b.String()
}

// maskJSON masks the values of secret keys, and in the other strings
// what Text masks (a secret a server quotes in a message, already escaped
// once, would be escaped again when v is written), and returns v.
func (r *Redactor) maskJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if IsSecretKey(k) {
				switch val.(type) {
				case map[string]any:
					t[k] = r.maskJSON(val)
				case nil:
				default:
					t[k] = Mask
				}
				continue
			}
			t[k] = r.maskJSON(val)
		}
	case []any:
		for i, e := range t {
			t[i] = r.maskJSON(e)
		}
	case string:
		return r.Text(t)
	}
	return v
}

// Snippet returns a short, single-line, secret-free excerpt of a body for
// error messages.
func (r *Redactor) Snippet(body []byte, max int) string {
	s := r.JSON(body)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(Printable(s), "\ufffd", "")
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
