package httpx

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// Seeds for these targets live in testdata/fuzz (the documented error
// bodies of the four APIs and cut-off answers); `make fuzz` runs each
// target for a few seconds.

// FuzzParseErrorBody: any body, never a panic; a message is one line of
// what the body said.
func FuzzParseErrorBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		code, msg := ParseErrorBody(body)
		if (code != "" || msg != "") && len(body) == 0 {
			t.Fatalf("a message from an empty body: %q %q", code, msg)
		}
	})
}

// FuzzRedactSecretValue: whatever a password is, it never survives masking
// of a body that carries it under a secret key, whole or cut off.
func FuzzRedactSecretValue(f *testing.F) {
	f.Fuzz(func(t *testing.T, secret string, cut uint16) {
		if len(secret) < 4 || !utf8.ValidString(secret) {
			return
		}
		body, err := json.Marshal(map[string]any{"auth": map[string]string{"login": "demo", "password": secret}})
		if err != nil {
			return
		}
		escaped, _ := json.Marshal(secret)
		inner := string(escaped[1 : len(escaped)-1])
		if strings.Contains(`{"auth":{"login":"demo","password":"***"}}`, inner) {
			return // the secret is made of the masked text itself
		}
		r := NewRedactor()
		if out := r.JSON(body); strings.Contains(out, inner) {
			t.Fatalf("the password survived masking: %s", out)
		}
		// A body cut after the first half of the secret: the half must
		// not show either.
		n := len(body) - len(inner)/2 - 3
		if n > 0 && int(cut)%2 == 0 {
			half := inner[:len(inner)/2]
			if len(half) >= 4 && !strings.Contains(`{"auth":{"login":"demo","password":"`, half) {
				if out := r.JSON(body[:n]); strings.Contains(out, half) {
					t.Fatalf("half a password survived masking of a cut-off body: %s", out)
				}
			}
		}
	})
}

// FuzzSnippet: a snippet is short, valid UTF-8 and on one line.
func FuzzSnippet(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, max uint8) {
		limit := int(max) + 1
		s := NewRedactor().Snippet(body, limit)
		if len(s) > limit+len("…") {
			t.Fatalf("snippet of %d bytes for a limit of %d", len(s), limit)
		}
		if strings.ContainsAny(s, "\n\r") {
			t.Fatalf("snippet spans lines: %q", s)
		}
		if !utf8.ValidString(s) {
			t.Fatalf("snippet is not UTF-8: %q", s)
		}
	})
}

// FuzzDecodeJSON: any answer either decodes or gives a *DecodeError that
// names the status.
func FuzzDecodeJSON(f *testing.F) {
	c, err := New(Config{Name: "fuzz", BaseURL: "http://127.0.0.1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		resp := &Response{StatusCode: 200, Header: http.Header{"Content-Type": {contentType}}, Body: body, Method: "GET", URL: "http://127.0.0.1/x"}
		var v any
		err := c.DecodeJSON(resp, &v)
		if err == nil {
			return
		}
		var de *DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "HTTP 200") {
			t.Fatalf("unexpected error %T: %v", err, err)
		}
	})
}

// FuzzRedactorString: two secrets, which may overlap or contain each
// other, anywhere in a text: neither survives masking, in any of its
// forms, and a text without them comes back as it was.
func FuzzRedactorString(f *testing.F) {
	f.Add("abcd", "cdefghij", "x ", " y")
	f.Add("0123456789", "3456", "[", "]")
	f.Add("pä/ss+wörd", "tok/en+", "GET /?a=", "&b=1")
	f.Fuzz(func(t *testing.T, a, b, before, after string) {
		if len(a) < shortSecret || len(b) < shortSecret || strings.Contains(a+b+before+after, "*") {
			return
		}
		r := NewRedactor()
		r.Add(a)
		if err := r.AddIssued("token", b); err != nil {
			return
		}
		plain := "nothing to see here"
		if !strings.Contains(plain, a) && !strings.Contains(plain, b) && r.String(plain) != plain {
			t.Fatalf("a text without secrets changed: %q", r.String(plain))
		}
		for _, text := range []string{before + a + after, before + b + after, before + a + b + after, a + before + b} {
			got := r.String(text)
			for _, s := range []string{a, b} {
				if strings.Contains(got, s) {
					t.Fatalf("%q survives in %q (from %q)", s, got, text)
				}
			}
		}
	})
}
