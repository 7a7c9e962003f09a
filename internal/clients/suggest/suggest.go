// Package suggest words the answer to a name that matches nothing: the
// names that exist, and the one the user probably meant. Every filter of
// the provider and the CLI that can miss says it the same way:
//
//	fmt.Sprintf("no region %q; %s", region, suggest.Known(region, regions))
//	// no region "regionone"; it has: RegionOne, RegionTwo (did you mean "RegionOne"?)
package suggest

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// MaxListed is how many names Known lists before it says how many more
// there are: a list of thousands helps no one.
const MaxListed = 20

// Known is "it has: A, B, C", "it has: none", or the first MaxListed names
// and "and N more", followed by the name nearest to v when one is near
// enough to be a likely slip. names are listed in the order given.
// The names come from a server, so each is shown as httpx.Printable makes
// it.
func Known(v string, names []string) string {
	shown := make([]string, 0, min(len(names), MaxListed))
	for _, n := range names[:min(len(names), MaxListed)] {
		shown = append(shown, httpx.Printable(n))
	}
	var b strings.Builder
	b.WriteString("it has: ")
	switch {
	case len(names) == 0:
		b.WriteString("none")
	case len(names) > MaxListed:
		b.WriteString(strings.Join(shown, ", "))
		fmt.Fprintf(&b, " and %d more", len(names)-MaxListed)
	default:
		b.WriteString(strings.Join(shown, ", "))
	}
	if near := Nearest(v, names); near != "" {
		fmt.Fprintf(&b, " (did you mean %q?)", near)
	}
	return b.String()
}

// Nearest returns the name of names that v most likely meant: one that
// differs only in case, else the only one within a small edit distance
// (ignoring case): one edit for names of up to four characters, two up to
// ten, three beyond. It returns "" when none is that near, when several
// are equally near, or when v is itself one of names.
func Nearest(v string, names []string) string {
	lv := strings.ToLower(v)
	limit := 3
	switch n := utf8.RuneCountInString(lv); {
	case n == 0:
		return ""
	case n <= 4:
		limit = 1
	case n <= 10:
		limit = 2
	}
	best, bestDist, tie := "", limit+1, false
	for _, name := range names {
		if name == v {
			return ""
		}
		d := distance(lv, strings.ToLower(name), bestDist+1)
		switch {
		case d < bestDist:
			best, bestDist, tie = name, d, false
		case d == bestDist && name != best:
			tie = true
		}
	}
	if tie || bestDist > limit {
		return ""
	}
	return best
}

// distance is the Levenshtein distance of a and b (in runes) when it is
// below limit; otherwise some value of at least limit, found without
// finishing the table.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			low = min(low, cur[j])
		}
		if low >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
