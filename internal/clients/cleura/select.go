package cleura

import (
	"fmt"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/suggest"
)

// UnknownAreaError is an area tag that no entry of the account has.
type UnknownAreaError struct {
	Tag string
	// Known are the account's area tags, sorted.
	Known []string
}

func (e *UnknownAreaError) Error() string {
	return fmt.Sprintf("the account has no area with the tag %q; %s", e.Tag, suggest.Known(e.Tag, e.Known))
}

// Select returns the entries of list that match f, in the API's order. An
// area tag that no entry has, whatever its status, is an *UnknownAreaError
// (a typo, unlike a status filter that leaves nothing).
func Select(list []Domain, f Filter) ([]Domain, error) {
	if f.AreaTag != "" && len(FilterDomains(list, Filter{AreaTag: f.AreaTag})) == 0 {
		return nil, &UnknownAreaError{Tag: f.AreaTag, Known: AreaTags(list)}
	}
	return FilterDomains(list, f), nil
}
