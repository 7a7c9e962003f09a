package cloud

import (
	"fmt"
	"strings"
)

// Method is one way of logging in: its name for messages and the settings
// that choose it.
type Method struct {
	Name     string
	Settings []*Value[string]
}

// rank orders the sources of a value: the block, the environment, a file.
func rank(o Origin) int {
	switch o {
	case FromConfig:
		return 0
	case FromEnv:
		return 1
	case FromFile:
		return 2
	}
	return 3
}

var sourceNames = [...]string{"the provider block", "the environment", "a file", "defaults"}

// KeepOneSource lets the highest source that names a way of logging in
// (the block, then the environment, then a file) choose it: the settings
// of methods that only a lower source names are dropped, with a warning.
// So an OS_TOKEN in the environment does not override a password written in
// the block, nor a token in the environment the password of a clouds.yaml
// entry. Methods named by that same source are all kept; the client
// decides among them. It returns the index of the first kept method that
// has a value, or -1 when none has.
func (r *Resolver) KeepOneSource(methods ...Method) int {
	best := len(sourceNames)
	methodRank := make([]int, len(methods))
	for i, m := range methods {
		methodRank[i] = len(sourceNames)
		for _, v := range m.Settings {
			if v.V != "" {
				methodRank[i] = min(methodRank[i], rank(v.Origin))
			}
		}
		best = min(best, methodRank[i])
	}
	first := -1
	for i, m := range methods {
		switch {
		case methodRank[i] == best && best < len(sourceNames):
			if first < 0 {
				first = i
			}
		case methodRank[i] < len(sourceNames):
			var dropped []string
			for _, v := range m.Settings {
				if v.V != "" {
					dropped = append(dropped, v.Name()+" (from "+v.From()+")")
					*v = v.With("", Unset, "")
				}
			}
			verb, pronoun := "is", "it"
			if len(dropped) > 1 {
				verb, pronoun = "are", "them"
			}
			r.Warn(fmt.Sprintf("%s settings not used", r.title),
				fmt.Sprintf("The provider logs in to %s with the credentials given in %s, so %s %s not used. Unset %s to silence this warning.",
					r.title, sourceNames[best], strings.Join(dropped, " and "), verb, pronoun))
		}
	}
	return first
}
