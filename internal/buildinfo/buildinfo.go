// Package buildinfo says which version a binary is, for the provider and
// the cloudauth command alike: the one a release set with
// -ldflags "-X main.version=...", else the module version that
// `go install ...@vX.Y.Z` (or a build in a tagged checkout) records in the
// binary, else "dev".
//
//	var version = "dev"
//	fmt.Println(buildinfo.Version(version))
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Version is set unless it is empty or "dev"; then the main module's
// version from the build information, without its leading "v" (as a
// release names itself), when the build recorded one.
func Version(set string) string {
	bi, ok := debug.ReadBuildInfo()
	return fromBuild(set, bi, ok)
}

func fromBuild(set string, bi *debug.BuildInfo, ok bool) string {
	if set != "" && set != "dev" {
		return set
	}
	if !ok || bi == nil {
		return "dev"
	}
	switch v := bi.Main.Version; v {
	case "", "(devel)":
		return "dev"
	default:
		return strings.TrimPrefix(v, "v")
	}
}
