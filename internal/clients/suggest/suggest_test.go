package suggest

import (
	"fmt"
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	t.Parallel()
	regions := []string{"RegionOne", "RegionTwo"}
	cases := []struct {
		v     string
		names []string
		want  string
	}{
		{"regionone", regions, "RegionOne"}, // case only
		{"RegionOen", regions, "RegionOne"}, // two edits, nine runes
		{"RegionX", regions, ""},            // three edits from both
		{"RegionOne", regions, ""},          // exact: nothing to suggest
		{"objectstore", []string{"compute", "object-store", "identity"}, "object-store"},
		{"va1", []string{"DE1", "VA1", "WA1"}, "VA1"}, // case beats the one-edit WA1
		{"XX9", []string{"DE1", "VA1", "WA1"}, ""},
		{"CA1", []string{"DE1", "VA1", "WA1"}, ""}, // one edit from two: a tie
		{"Atlantis", []string{"Madrid", "Barcelona"}, ""},
		{"", regions, ""},
		{"x", nil, ""},
	}
	for _, tc := range cases {
		if got := Nearest(tc.v, tc.names); got != tc.want {
			t.Errorf("Nearest(%q, %v) = %q, want %q", tc.v, tc.names, got, tc.want)
		}
	}
}

func TestKnown(t *testing.T) {
	t.Parallel()
	if got, want := Known("regionone", []string{"RegionOne", "RegionTwo"}), `it has: RegionOne, RegionTwo (did you mean "RegionOne"?)`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := Known("x", nil), "it has: none"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var many []string
	for i := range MaxListed + 5 {
		many = append(many, fmt.Sprintf("dc-%02d", i))
	}
	got := Known("dc-24x", many)
	want := "it has: dc-00, dc-01, dc-02, dc-03, dc-04, dc-05, dc-06, dc-07, dc-08, dc-09, dc-10, dc-11, dc-12, dc-13, dc-14, " +
		`dc-15, dc-16, dc-17, dc-18, dc-19 and 5 more (did you mean "dc-24"?)`
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"é", "e", 1}, {"", "abc", 3},
	}
	for _, tc := range cases {
		if got := distance(tc.a, tc.b, 100); got != tc.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	if got := distance("aaaaaaaa", "bbbbbbbb", 2); got < 2 {
		t.Errorf("capped distance = %d, want at least the limit", got)
	}
}

// The names come from a server: one that holds terminal controls or a
// right-to-left override is listed without them.
func TestKnownListsNamesWithoutTerminalControls(t *testing.T) {
	t.Parallel()
	got := Known("dc", []string{"dc1\x1b]0;owned\x07", "\u202egnp.exe", "dc\u009b2J"})
	if want := `it has: dc1]0;owned, gnp.exe, dc2J`; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want it to start with %q", got, want)
	}
}
