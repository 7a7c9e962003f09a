package keystone

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/suggest"
)

// Token is what Keystone says about a token: the body of
// POST/GET /v3/auth/tokens, with the token itself from X-Subject-Token.
// Fields follow Keystone's JSON names; Project, Domain and System are set
// only for a token with that scope.
type Token struct {
	// ID is the token (from the X-Subject-Token header, never the body).
	ID                    string                 `json:"-"`
	Methods               []string               `json:"methods"`
	ExpiresAt             time.Time              `json:"expires_at"`
	IssuedAt              time.Time              `json:"issued_at"`
	AuditIDs              []string               `json:"audit_ids"`
	User                  User                   `json:"user"`
	Project               *Project               `json:"project"`
	Domain                *Domain                `json:"domain"`
	System                *System                `json:"system"`
	Roles                 []Role                 `json:"roles"`
	Catalog               []Service              `json:"catalog"`
	ApplicationCredential *ApplicationCredential `json:"application_credential"`
}

// Domain is a Keystone domain.
type Domain struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// User is the token's owner.
type User struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain Domain `json:"domain"`
}

// Project is the project a token is scoped to.
type Project struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain Domain `json:"domain"`
}

// System is the system scope ({"all": true}).
type System struct {
	All bool `json:"all"`
}

// Role is a role the token carries on its scope.
type Role struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Service is a catalog entry.
type Service struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Type      string     `json:"type"`
	Endpoints []Endpoint `json:"endpoints"`
}

// Endpoint is one URL of a service. Keystone sends the region twice:
// region_id and the older region (the same value).
type Endpoint struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	Region    string `json:"region"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
}

// ApplicationCredential names the credential a token was issued for.
type ApplicationCredential struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Restricted bool   `json:"restricted"`
}

// Scope says what a token is scoped to: "project", "domain", "system" or
// "unscoped".
func (t *Token) Scope() string {
	switch {
	case t.Project != nil:
		return "project"
	case t.Domain != nil:
		return "domain"
	case t.System != nil:
		return "system"
	}
	return "unscoped"
}

// errNotAToken is a body that parses but is not a token document.
var errNotAToken = errors.New(`the body has no "token" object with a user and an expiry`)

// DecodeToken reads the body of POST or GET /v3/auth/tokens. The token id
// travels in a header, so the returned Token's ID is empty.
func DecodeToken(body []byte) (*Token, error) {
	var env tokenEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	return env.token()
}

type tokenEnvelope struct {
	Token *Token `json:"token"`
}

// token checks the fields every Keystone token has, so that a proxy's or
// another service's JSON is not taken for a login.
func (e *tokenEnvelope) token() (*Token, error) {
	t := e.Token
	if t == nil || t.ExpiresAt.IsZero() || (t.User.ID == "" && t.User.Name == "") {
		return nil, errNotAToken
	}
	return t, nil
}

// Selection filters a catalog. Empty fields match everything, except
// Interface, which defaults to "public" (as OpenStack clients do).
type Selection struct {
	ServiceType string
	// Interface is public, internal or admin, or InterfaceAll for every
	// endpoint of the region and type.
	Interface string
	Region    string
	// URLInterface is the interface of the URLs in the map Select returns
	// when Interface is InterfaceAll (default public); otherwise the map
	// has Interface's URLs.
	URLInterface string
	// EndpointOverrides replaces the map's URL of a service type (and adds
	// types the catalog lacks). The service list is left as Keystone sent
	// it.
	EndpointOverrides map[string]string
}

// InterfaceAll selects the endpoints of every interface.
const InterfaceAll = "all"

// Interfaces are the endpoint interfaces Keystone knows.
var Interfaces = []string{"public", "internal", "admin"}

// Select returns the services of the catalog that match s, each with only
// its matching endpoints, and for every service type the URL to use. A
// service without a matching endpoint is left out, so a region or interface
// the catalog lacks gives an empty result rather than an error.
//
// Keystone does not promise an order, so the result is sorted (services by
// type, name and id; endpoints by region, interface and id) to keep plans
// stable. When no region is chosen and a service has several, the URL is
// that of the first region in that order; when two services share a type,
// the first one's.
func (t *Token) Select(s Selection) ([]Service, map[string]string) {
	itf := strings.ToLower(strings.TrimSpace(s.Interface))
	if itf == "" {
		itf = "public"
	}
	urlItf := itf
	if itf == InterfaceAll {
		urlItf = strings.ToLower(strings.TrimSpace(s.URLInterface))
		if urlItf == "" {
			urlItf = "public"
		}
	}
	out := make([]Service, 0, len(t.Catalog))
	for _, svc := range t.Catalog {
		if s.ServiceType != "" && svc.Type != s.ServiceType {
			continue
		}
		var eps []Endpoint
		for _, ep := range svc.Endpoints {
			if itf != InterfaceAll && strings.ToLower(ep.Interface) != itf {
				continue
			}
			if s.Region != "" && ep.RegionID != s.Region && ep.Region != s.Region {
				continue
			}
			eps = append(eps, ep)
		}
		if len(eps) == 0 {
			continue
		}
		sort.Slice(eps, func(i, j int) bool {
			a, b := eps[i], eps[j]
			if a.region() != b.region() {
				return a.region() < b.region()
			}
			if a.Interface != b.Interface {
				return a.Interface < b.Interface
			}
			return a.ID < b.ID
		})
		svc.Endpoints = eps
		out = append(out, svc)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	urls := make(map[string]string, len(out))
	for _, svc := range out {
		if _, seen := urls[svc.Type]; seen {
			continue
		}
		for _, ep := range svc.Endpoints {
			if strings.ToLower(ep.Interface) == urlItf {
				urls[svc.Type] = ep.URL
				break
			}
		}
	}
	for typ, u := range s.EndpointOverrides {
		if s.ServiceType == "" || typ == s.ServiceType {
			urls[typ] = u
		}
	}
	return out, urls
}

// UnknownError is a filter value that nothing in the token's catalog has:
// a region no endpoint is in, or a service type no service has.
type UnknownError struct {
	// What is "region" or "service type".
	What  string
	Value string
	// Known are the catalog's values, sorted.
	Known []string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("the token's catalog has no %s %q; %s", e.What, e.Value, suggest.Known(e.Value, e.Known))
}

// Unknown says which filters of s match nothing in the whole catalog: a
// region that no endpoint of any service or interface is in, and a service
// type that no service has. Each is nil when it matches something, when it
// is not set, or when the catalog has nothing to compare it with (an
// unscoped token's empty catalog). Region names are compared exactly, as
// OpenStack clients do. It walks the catalog, so callers ask only when
// Select found nothing: a filter that selects anything is known.
func (t *Token) Unknown(s Selection) (region, serviceType *UnknownError) {
	var regions, types []string
	for _, svc := range t.Catalog {
		types = append(types, svc.Type)
		for _, ep := range svc.Endpoints {
			regions = append(regions, ep.region())
			if ep.Region != "" && ep.Region != ep.RegionID {
				regions = append(regions, ep.Region)
			}
		}
	}
	unknown := func(what, v string, known []string) *UnknownError {
		known = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(known))), func(k string) bool { return k == "" })
		if v == "" || len(known) == 0 || slices.Contains(known, v) {
			return nil
		}
		return &UnknownError{What: what, Value: v, Known: known}
	}
	return unknown("region", s.Region, regions), unknown("service type", s.ServiceType, types)
}

// region is the endpoint's region, whichever of the two fields is set.
func (e Endpoint) region() string {
	if e.RegionID != "" {
		return e.RegionID
	}
	return e.Region
}
