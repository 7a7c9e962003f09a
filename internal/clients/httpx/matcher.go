package httpx

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// matcher finds every form of every held secret in a text in one pass,
// however many there are: each form of shortSecret bytes or more is filed
// under its last four bytes, and the text's four-byte windows are looked up
// in a bit set first, so that a text holding no secret (nearly all) costs a
// few instructions a byte. Every occurrence is masked, overlapping ones as
// one. Shorter forms are masked only where they stand alone.
type matcher struct {
	byTail map[uint32][]string
	// bits has the bit tailBit(k) set for each key k of byTail; stale
	// counts the keys removed since it was built, whose bits may remain.
	bits  [1 << 10]uint64
	stale int
	short []string
}

func tailKey(f string) uint32 {
	n := len(f)
	return uint32(f[n-4]) | uint32(f[n-3])<<8 | uint32(f[n-2])<<16 | uint32(f[n-1])<<24
}

func tailBit(k uint32) uint32 { return (k * 0x9E3779B1) >> 16 }

func (m *matcher) add(f string) {
	if len(f) < shortSecret {
		m.short = append(m.short, f)
		// Longest first, so that "ab" in "abc" does not leave "***c".
		slices.SortStableFunc(m.short, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
		return
	}
	if m.byTail == nil {
		m.byTail = map[uint32][]string{}
	}
	k := tailKey(f)
	m.byTail[k] = append(m.byTail[k], f)
	h := tailBit(k)
	m.bits[h>>6] |= 1 << (h & 63)
}

func (m *matcher) remove(f string) {
	if len(f) < shortSecret {
		if i := slices.Index(m.short, f); i >= 0 {
			m.short = slices.Delete(m.short, i, i+1)
		}
		return
	}
	k := tailKey(f)
	list := m.byTail[k]
	i := slices.Index(list, f)
	if i < 0 {
		return
	}
	if list = slices.Delete(list, i, i+1); len(list) > 0 {
		m.byTail[k] = list
		return
	}
	delete(m.byTail, k)
	// A stale bit only costs a map lookup when a text has its window;
	// rebuild once enough have gathered.
	if m.stale++; m.stale > 64 {
		m.bits = [len(m.bits)]uint64{}
		for k := range m.byTail {
			h := tailBit(k)
			m.bits[h>>6] |= 1 << (h & 63)
		}
		m.stale = 0
	}
}

type span struct{ start, end int }

// mask returns s with every held form masked.
func (m *matcher) mask(s string) string {
	var buf [8]span
	spans := buf[:0]
	if len(m.byTail) > 0 {
		var w uint32
		for i := 0; i < len(s); i++ {
			w = w>>8 | uint32(s[i])<<24
			if i < 3 {
				continue
			}
			if h := tailBit(w); m.bits[h>>6]&(1<<(h&63)) == 0 {
				continue
			}
			for _, f := range m.byTail[w] {
				if start := i + 1 - len(f); start >= 0 && s[start:i+1] == f {
					spans = append(spans, span{start, i + 1})
				}
			}
		}
	}
	if len(spans) > 0 {
		s = maskSpans(s, spans)
	}
	for _, f := range m.short {
		if strings.Contains(s, f) {
			s = replaceWhole(s, f)
		}
	}
	return s
}

// maskSpans replaces the spans of s, merged where they overlap, by Mask.
func maskSpans(s string, spans []span) string {
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	var b strings.Builder
	b.Grow(len(s))
	at := 0
	for i := 0; i < len(spans); {
		start, end := spans[i].start, spans[i].end
		for i++; i < len(spans) && spans[i].start <= end; i++ {
			end = max(end, spans[i].end)
		}
		b.WriteString(s[at:start])
		b.WriteString(Mask)
		at = end
	}
	b.WriteString(s[at:])
	return b.String()
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
