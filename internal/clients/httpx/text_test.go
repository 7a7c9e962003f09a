package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// terminalTricks are what a hostile server may put in its text to act on
// the terminal that shows it.
var terminalTricks = map[string]string{
	"window title (OSC 0, BEL)":    "\x1b]0;owned\x07",
	"clipboard (OSC 52, ST)":       "\x1b]52;c;cm0gLXJmIH4=\x1b\\",
	"clear screen (CSI)":           "\x1b[2J\x1b[H",
	"C1 CSI as a character":        "\u009b2J",
	"C1 CSI as a raw byte":         "\x9b2J",
	"carriage return":              "real\rfake",
	"backspace":                    "abc\b\b\b",
	"right-to-left override":       "\u202egnp.exe",
	"left-to-right embedding":      "\u202aembedded\u202c",
	"isolates":                     "\u2066a\u2067b\u2068c\u2069",
	"marks":                        "\u200ex\u200fy\u061cz",
	"zero width and BOM":           "a\u200bb\u200dc\ufeff",
	"line and paragraph separator": "one\u2028two\u2029three",
	"DEL and NUL":                  "a\x7fb\x00c",
}

// unprintableIn returns the first character of s a terminal would act on.
func unprintableIn(s string) (string, bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unprintable(r, size) {
			return fmt.Sprintf("%q at %d", s[i:i+size], i), true
		}
		i += size
	}
	return "", false
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	for name, trick := range terminalTricks {
		got := Printable("before " + trick + " after")
		if bad, found := unprintableIn(got); found {
			t.Errorf("%s: %s survives in %q", name, bad, got)
		}
		if !strings.HasPrefix(got, "before ") || !strings.HasSuffix(got, " after") {
			t.Errorf("%s: the text around it changed: %q", name, got)
		}
	}
	for _, keep := range []string{"", "plain ASCII, with: punctuation!", "line one\nline two\tand a tab",
		"Ünïcödé, 日本語, emoji 🙂, and the replacement character \ufffd"} {
		if got := Printable(keep); got != keep {
			t.Errorf("Printable(%q) = %q, want it unchanged", keep, got)
		}
	}
}

// An API's error, whether a message the parser understands, a code, or a
// body shown as a snippet, reaches the error's text without a character
// a terminal would act on; so does a success answer that is not JSON.
func TestAPIErrorsQuoteNoTerminalControls(t *testing.T) {
	t.Parallel()
	trick := strings.Join(mapValues(terminalTricks), " ")
	bodyJSON, _ := jsonString(trick)
	bodies := map[string]string{
		"message":         `{"error":{"code":400,"message":` + bodyJSON + `}}`,
		"Abiquo code":     `{"collection":[{"code":` + bodyJSON + `,"message":"m"}]}`,
		"snippet":         "<html>" + trick + "</html>",
		"not JSON at 200": trick,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status := http.StatusBadRequest
			if name == "not JSON at 200" {
				status = http.StatusOK
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			c := newClient(t, fastConfig(srv.URL))
			resp, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/"})
			if err == nil {
				var v map[string]any
				err = c.DecodeJSON(resp, &v)
			}
			var ae *APIError
			var de *DecodeError
			if !errors.As(err, &ae) && !errors.As(err, &de) {
				t.Fatalf("err = %v", err)
			}
			if bad, found := unprintableIn(err.Error()); found {
				t.Errorf("%s in %q", bad, err)
			}
			if !strings.Contains(err.Error(), "owned") {
				t.Errorf("the server's text is not shown at all: %q", err)
			}
		})
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func jsonString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}
