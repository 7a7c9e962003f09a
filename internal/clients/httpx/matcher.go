package httpx

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// matcher finds every form of every held secret in a text in one pass,
// however many there are. A form of longForm bytes or more is filed under
// four consecutive four-byte windows of it; any occurrence of it then
// holds one of them ending at an offset of the text that is 3 modulo 4,
// so only every fourth window of the text is looked up, in a bit set
// first: a text holding no secret (nearly all) costs about an instruction
// a byte. Of the first, middle and last four windows, those shared with
// the fewest other forms are used: tokens of one API often have the same
// first or last bytes. Forms of 4 to 6 bytes are looked for one by one
// (there are few: one-time codes, short passwords); shorter ones are
// masked only where they stand alone. Every occurrence is masked,
// overlapping ones as one.
type matcher struct {
	byWindow map[uint32][]windowEntry
	// at is, for each form filed by windows, the end of its first one.
	at map[string]int
	// bits has the bit windowBit(k) set for each key k of byWindow; stale
	// counts the keys removed since it was built, whose bits may remain.
	bits   [1 << 10]uint64
	stale  int
	medium []string
	short  []string
}

// longForm is the shortest form filed by its windows: four of them then
// lie within it.
const longForm = 7

type windowEntry struct {
	form string
	// end is the offset in form of the window's last byte.
	end int
}

func window(s string, end int) uint32 {
	return uint32(s[end-3]) | uint32(s[end-2])<<8 | uint32(s[end-1])<<16 | uint32(s[end])<<24
}

func windowBit(k uint32) uint32 { return (k * 0x9E3779B1) >> 16 }

func (m *matcher) add(f string) {
	switch {
	case len(f) < shortSecret:
		m.short = append(m.short, f)
		// Longest first, so that "ab" in "abc" does not leave "***c".
		slices.SortStableFunc(m.short, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
		return
	case len(f) < longForm:
		m.medium = append(m.medium, f)
		return
	}
	if m.byWindow == nil {
		m.byWindow, m.at = map[uint32][]windowEntry{}, map[string]int{}
	}
	first, best := 3, -1
	for _, e := range []int{len(f) - 4, 3, len(f) / 2} {
		if e < 3 || e+3 >= len(f) {
			continue
		}
		load := 0
		for end := e; end < e+4; end++ {
			load = max(load, len(m.byWindow[window(f, end)]))
		}
		if best < 0 || load < best {
			first, best = e, load
		}
	}
	m.at[f] = first
	for end := first; end < first+4; end++ {
		k := window(f, end)
		m.byWindow[k] = append(m.byWindow[k], windowEntry{form: f, end: end})
		h := windowBit(k)
		m.bits[h>>6] |= 1 << (h & 63)
	}
}

func (m *matcher) remove(f string) {
	switch {
	case len(f) < shortSecret:
		if i := slices.Index(m.short, f); i >= 0 {
			m.short = slices.Delete(m.short, i, i+1)
		}
		return
	case len(f) < longForm:
		if i := slices.Index(m.medium, f); i >= 0 {
			m.medium = slices.Delete(m.medium, i, i+1)
		}
		return
	}
	first, ok := m.at[f]
	if !ok {
		return
	}
	delete(m.at, f)
	for end := first; end < first+4; end++ {
		k := window(f, end)
		list := slices.DeleteFunc(m.byWindow[k], func(e windowEntry) bool { return e.form == f && e.end == end })
		if len(list) > 0 {
			m.byWindow[k] = list
			continue
		}
		delete(m.byWindow, k)
		m.stale++
	}
	// A stale bit only costs a map lookup when a text has its window;
	// rebuild once enough have gathered.
	if m.stale > 256 {
		m.bits = [len(m.bits)]uint64{}
		for k := range m.byWindow {
			h := windowBit(k)
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
	if len(m.byWindow) > 0 {
		for i := 3; i < len(s); i += 4 {
			w := window(s, i)
			if h := windowBit(w); m.bits[h>>6]&(1<<(h&63)) == 0 {
				continue
			}
			for _, e := range m.byWindow[w] {
				if start := i - e.end; start >= 0 && start+len(e.form) <= len(s) && s[start:start+len(e.form)] == e.form {
					spans = append(spans, span{start, start + len(e.form)})
				}
			}
		}
	}
	for _, f := range m.medium {
		for at := 0; ; {
			j := strings.Index(s[at:], f)
			if j < 0 {
				break
			}
			spans = append(spans, span{at + j, at + j + len(f)})
			at += j + 1
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
