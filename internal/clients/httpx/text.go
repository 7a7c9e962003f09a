package httpx

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns text that came from a server (an error message, a
// name, a header) fit to print: without what a terminal acts on instead of
// showing, which a hostile server could use to retitle the window, clear
// the screen, write to the clipboard (OSC 52) or make text read backwards.
// It drops C0 and C1 controls (ESC, BEL, CSI...) but line feeds and tabs,
// DEL, format characters (the bidirectional overrides and isolates
// U+202A-U+202E and U+2066-U+2069, the marks U+200E, U+200F and U+061C,
// zero-width characters), line and paragraph separators, and bytes that
// are not UTF-8. Every message that quotes a server goes through it.
func Printable(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c == 0x7f || (c < 0x20 && c != '\n' && c != '\t') {
			return printableSlow(s, i)
		}
	}
	return s
}

func printableSlow(s string, from int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:from])
	for i := from; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unprintable(r, size) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func unprintable(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size <= 1:
		return true
	case r == '\n' || r == '\t':
		return false
	case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r):
		return true
	}
	return false
}
