package httpx

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The forms in which a server may echo a secret it was sent. Each is
// computed once, when the secret is added; masking then looks for all of
// them at once (see matcher).

// minBase64Core is the shortest secret whose base64 is looked for inside
// longer base64 text: below it, the part of the encoding that depends on
// the secret alone is too short to tell from other text.
const minBase64Core = 6

// secretForms returns the distinct forms of v: as it is, percent-encoded
// for a query or a path (with upper- or lower-case hex), HTML-escaped, and
// JSON-escaped as the common encoders write it. A credential the user
// configured (withBase64) is also looked for in base64, both alphabets,
// with or without padding, alone or inside longer base64 text (Basic
// credentials, an encoded body): a server may echo what it decoded.
func secretForms(v string, withBase64 bool) []string {
	var out []string
	seen := make(map[string]bool, 16)
	add := func(f string) {
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	add(v)
	for _, esc := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		add(esc)
		add(lowerHex(esc))
	}
	h := html.EscapeString(v)
	add(h)
	if strings.ContainsAny(v, `"'`) {
		add(strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;").Replace(h))
		add(strings.NewReplacer("&#34;", "&quot;", "&#39;", "&apos;").Replace(h))
	}
	if b, err := json.Marshal(v); err == nil && len(b) >= 2 {
		add(string(b[1 : len(b)-1]))
	}
	for _, o := range jsonOptions(v) {
		add(jsonEscape(v, o))
	}
	if withBase64 {
		for _, f := range base64Forms([]byte(v)) {
			add(f)
		}
	}
	return out
}

// lowerHex is percent-encoded text with its hex digits in lower case.
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if b[j] >= 'A' && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
			i += 2
		}
	}
	return string(b)
}

// jsonOpts are the ways JSON encoders differ in escaping a string.
type jsonOpts struct {
	html  bool // <, > and & as \u003c... (Go's default)
	slash bool // / as \/ (PHP's default, and others)
	ascii bool // everything outside ASCII as \uXXXX (Python's default)
	upper bool // hex digits in upper case
}

// jsonOptions are the combinations that can change how v is written.
func jsonOptions(v string) []jsonOpts {
	hasHTML, hasSlash, hasWide, hasCtl := strings.ContainsAny(v, "<>&"), strings.Contains(v, "/"), false, false
	for _, r := range v {
		switch {
		case r >= utf8.RuneSelf:
			hasWide = true
		case r < 0x20:
			hasCtl = true
		}
	}
	var out []jsonOpts
	for _, h := range []bool{false, true} {
		for _, s := range []bool{false, true} {
			for _, a := range []bool{false, true} {
				for _, u := range []bool{false, true} {
					if (h && !hasHTML) || (s && !hasSlash) || (a && !hasWide) || (u && !hasHTML && !hasWide && !hasCtl) {
						continue
					}
					out = append(out, jsonOpts{html: h, slash: s, ascii: a, upper: u})
				}
			}
		}
	}
	return out
}

// jsonEscape writes v as the inside of a JSON string.
func jsonEscape(v string, o jsonOpts) string {
	hex := "0123456789abcdef"
	if o.upper {
		hex = "0123456789ABCDEF"
	}
	var b strings.Builder
	u := func(r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[(r>>shift)&0xf])
		}
	}
	for _, r := range v {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			u(r)
		case r == '/' && o.slash:
			b.WriteString(`\/`)
		case (r == '<' || r == '>' || r == '&') && o.html:
			u(r)
		case r >= utf8.RuneSelf && o.ascii:
			if r > 0xffff {
				r -= 0x10000
				u(0xd800 + (r>>10)&0x3ff)
				u(0xdc00 + r&0x3ff)
				continue
			}
			u(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// base64Forms are the base64 texts of b, in both alphabets: whole, with
// and without padding; and, for a secret long enough, the characters that
// depend on b alone at each of the three alignments it can have inside a
// longer text ("user:password" in a Basic header, a password in an encoded
// body). At most the one or two characters at either end, which mix b's
// bits with its neighbours', stay visible there.
func base64Forms(b []byte) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		raw := enc.WithPadding(base64.NoPadding)
		out = append(out, enc.EncodeToString(b), raw.EncodeToString(b))
		if len(b) < minBase64Core {
			continue
		}
		for k := range 3 {
			full := raw.EncodeToString(append(make([]byte, k, k+len(b)), b...))
			// Character i holds bits [6i, 6i+6); b's bits are [8k, 8k+8n).
			start, end := (8*k+5)/6, (8*k+8*len(b))/6
			out = append(out, full[start:end])
		}
	}
	return out
}
