package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	info := func(v string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/cloudauth/terraform-provider-cloudauth", Version: v}}
	}
	for _, tc := range []struct {
		set  string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"1.4.0", info("v1.3.0"), true, "1.4.0"}, // a release's -X wins
		{"dev", info("v1.3.0"), true, "1.3.0"},   // go install ...@v1.3.0
		{"", info("v1.3.0"), true, "1.3.0"},      // -X main.version= with nothing
		{"dev", info("v0.0.0-20261206194500-0123456789ab"), true, "0.0.0-20261206194500-0123456789ab"},
		{"dev", info("v1.3.1-0.20261206194500-0123456789ab+dirty"), true, "1.3.1-0.20261206194500-0123456789ab+dirty"},
		{"dev", info("(devel)"), true, "dev"}, // go build without version control
		{"dev", info(""), true, "dev"},
		{"dev", nil, false, "dev"}, // no build information
	} {
		if got := fromBuild(tc.set, tc.bi, tc.ok); got != tc.want {
			t.Errorf("fromBuild(%q, %v) = %q, want %q", tc.set, tc.bi, got, tc.want)
		}
	}
}

// A test binary records its main module; Version reads it and never
// returns an empty string.
func TestVersionOfThisBinary(t *testing.T) {
	t.Parallel()
	if Version("dev") == "" {
		t.Fatal("empty version")
	}
	if got := Version("2.0.0"); got != "2.0.0" {
		t.Fatalf("Version(2.0.0) = %q", got)
	}
}
