package cleura

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Domain is an entry of GET /accesscontrol/v1/openstack/domains: one area
// (a group of regions) and, once the account has it provisioned, the
// OpenStack domain there. Fields the API leaves out are empty (nil for
// Enabled): "available" areas come without id, name and enabled.
type Domain struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Status  string `json:"status"`
	Enabled *bool  `json:"enabled,omitempty"`
	Area    Area   `json:"area"`
}

// Area is a domain's area.
type Area struct {
	ID      string   `json:"id,omitempty"`
	Name    string   `json:"name,omitempty"`
	Tag     string   `json:"tag,omitempty"`
	Regions []Region `json:"regions"`
}

// Region is a region of an area. Its Region tag is case-sensitive as the
// API returns it ("Sto2", "Fra1", "Kna1").
type Region struct {
	ZoneID string `json:"zone_id,omitempty"`
	Name   string `json:"name,omitempty"`
	Status string `json:"status,omitempty"`
	Region string `json:"region,omitempty"`
}

// Domain statuses the API documents.
const (
	StatusProvisioned = "provisioned"
	StatusAvailable   = "available"
)

// The v1 docs show ids as strings ("id": "6", "zone_id": "2") while the v2
// model has integers, so every scalar is read from either; a PHP backend
// may also send enabled as 0/1 or "1". Anything else (an object where a
// string belongs) is a real change of the API and fails loudly.

// UnmarshalJSON implements json.Unmarshaler.
func (d *Domain) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var raw struct {
		ID      flexString `json:"id"`
		Name    flexString `json:"name"`
		Status  flexString `json:"status"`
		Enabled flexBool   `json:"enabled"`
		Area    *Area      `json:"area"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*d = Domain{ID: string(raw.ID), Name: string(raw.Name), Status: string(raw.Status), Enabled: raw.Enabled.v}
	if raw.Area != nil {
		d.Area = *raw.Area
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *Area) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var raw struct {
		ID      flexString `json:"id"`
		Name    flexString `json:"name"`
		Tag     flexString `json:"tag"`
		Regions []Region   `json:"regions"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = Area{ID: string(raw.ID), Name: string(raw.Name), Tag: string(raw.Tag), Regions: raw.Regions}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *Region) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var raw struct {
		ZoneID flexString `json:"zone_id"`
		Name   flexString `json:"name"`
		Status flexString `json:"status"`
		Region flexString `json:"region"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = Region{ZoneID: string(raw.ZoneID), Name: string(raw.Name), Status: string(raw.Status), Region: string(raw.Region)}
	return nil
}

func isNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

// flexString reads a JSON string or number as text; null is "".
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || isNull(b):
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*s = flexString(n.String())
	default:
		return fmt.Errorf("expected a string or a number, got %s", jsonKind(b))
	}
	return nil
}

// flexBool reads true/false, 0/1 or their string forms; null is unset.
type flexBool struct{ v *bool }

func (f *flexBool) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || isNull(b) {
		f.v = nil
		return nil
	}
	text := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
	} else if b[0] != 't' && b[0] != 'f' && b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return fmt.Errorf("expected true or false, got %s", jsonKind(b))
	}
	v, err := strconv.ParseBool(strings.TrimSpace(text))
	if err != nil {
		return fmt.Errorf("expected true or false, got %q", text)
	}
	f.v = &v
	return nil
}

func jsonKind(b []byte) string {
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "an invalid value"
}

// DecodeDomains decodes the answer of GET
// /accesscontrol/v1/openstack/domains: a JSON array, with escaped slashes
// ("Sweden \/ Stockholm"), string or numeric ids, and "available" entries
// that lack id, name and enabled.
func DecodeDomains(body []byte) ([]Domain, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("the body is empty")
	}
	if body[0] != '[' && !isNull(body) {
		return nil, fmt.Errorf("expected a JSON array of domains, got %s", jsonKind(body))
	}
	var out []Domain
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Filter selects domains; empty fields match everything.
type Filter struct {
	// Status is "provisioned" or "available".
	Status string
	// AreaTag matches Area.Tag without regard to case ("SE_STO2").
	AreaTag string
}

// FilterDomains returns the domains that match f, in the API's order.
func FilterDomains(list []Domain, f Filter) []Domain {
	out := make([]Domain, 0, len(list))
	for _, d := range list {
		if f.Status != "" && d.Status != f.Status {
			continue
		}
		if f.AreaTag != "" && !strings.EqualFold(d.Area.Tag, f.AreaTag) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// AreaTags lists the distinct area tags, sorted, for error messages.
func AreaTags(list []Domain) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range list {
		if t := d.Area.Tag; t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}
