package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// CenturyLink Cloud API v2, under /clc. Shapes follow the public APIDocs
// (Authentication/login.md, Data Centers/get-data-center*.md,
// Groups/get-group.md): camelCase fields, "serversCount", links with
// rel/href/id/name/verbs, {"message": ...} errors, 400 for a bad login and
// 401 for a missing or bad bearer token. Where recordings of real answers
// (clc-java-sdk's WireMock files) differ from the docs, they win:
//   - the bearer token is an HS256 JWT whose nbf and exp span the token's
//     lifetime (14 days), with the claims urn:tier3:account-alias,
//     urn:tier3:location-alias, unique_name (the user), role (an array),
//     iss and aud; the emulator signs it with a key of its own;
//   - serversCount counts the servers of the group's whole subtree;
//   - the data center list answers ids and hrefs in lower case, and with
//     ?groupLinks=true each entry's root group link; paths are accepted in
//     either case;
//   - the Templates group has type "templates", and system groups
//     (archive, templates) carry no createGroup/createServer links;
//   - a resource that does not exist is 404 {"message":"The requested
//     resource does not exist."}.
//
// [INF] The values of iss and aud are not in the sources; the single data
// center answer keeps the docs' upper-case id.

// CLC demo credentials.
const (
	CLCUser         = "demo@cloudauth.test"
	CLCPassword     = "clc-demo-password"
	CLCAccount      = "ACME"
	CLCLocation     = "WA1"
	CLCOtherUser    = "viewer@cloudauth.test" // can see BETA only
	CLCOtherAccount = "BETA"
	clcBadLogin     = "We didn't recognize the username or password you entered. Please try again."
	clcDenied       = "Authorization has been denied for this request."
	clcNotFound     = "The requested resource does not exist."
	// [INF] issuer and audience of the bearer token.
	clcIssuer   = "urn:api-tier3"
	clcAudience = "urn:tier3-users"
)

// Group types; the system groups are archive and templates.
const (
	clcTypeDefault   = "default"
	clcTypeArchive   = "archive"
	clcTypeTemplates = "templates"
)

type clcUser struct {
	password, account, location string
	roles                       []string
}

type clcGroup struct {
	ID, Name, Description, Location, Type, Status string
	Servers                                       []string
	Children                                      []*clcGroup
	Parent                                        string
}

type clcDC struct {
	ID, Name string
	Root     *clcGroup
}

type clcState struct {
	users  map[string]clcUser
	dcs    map[string][]*clcDC // account -> data centers
	groups map[string]*clcGroup
	// key signs the bearer tokens (HS256).
	key []byte
}

// servers counts the servers of g's whole subtree, as serversCount does.
func (g *clcGroup) servers() int {
	n := len(g.Servers)
	for _, c := range g.Children {
		n += c.servers()
	}
	return n
}

// system reports whether g is a group the account cannot add to.
func (g *clcGroup) system() bool { return g.Type == clcTypeArchive || g.Type == clcTypeTemplates }

func init() {
	register(registerCLC)
	describe(CloudInfo{Cloud: "clc", Path: "/clc", Settings: [][2]string{
		{"url", "<base>/clc"}, {"username", CLCUser}, {"password", CLCPassword}, {"account_alias", CLCAccount},
	}})
}

func registerCLC(e *Emulator) {
	s := stateOf(e, "clc", newCLCState)
	e.handle("POST /clc/v2/authentication/login", "clc.login", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, clcCT, map[string]string{"message": "The request is invalid."})
			return
		}
		u, ok := s.users[strings.ToLower(in.Username)]
		if !ok || u.password != in.Password {
			writeJSON(w, http.StatusBadRequest, clcCT, map[string]string{"message": clcBadLogin})
			return
		}
		e.countLogin("clc")
		tok := e.mintToken("clc", in.Username, u.account, func(nbf, exp time.Time) string {
			return s.bearer(in.Username, u, nbf, exp)
		})
		w.Header().Set("Cache-Control", "no-cache")
		writeJSON(w, http.StatusOK, clcCT, map[string]any{
			"userName":      in.Username,
			"accountAlias":  u.account,
			"locationAlias": u.location,
			"roles":         u.roles,
			"bearerToken":   tok.Value,
		})
	})
	e.handle("GET /clc/v2/datacenters/{alias}", "clc.datacenters.list", func(w http.ResponseWriter, r *http.Request) {
		alias, ok := s.authorize(e, w, r)
		if !ok {
			return
		}
		groupLinks := strings.EqualFold(r.URL.Query().Get("groupLinks"), "true")
		out := []map[string]any{}
		for _, dc := range s.dcs[alias] {
			id := strings.ToLower(dc.ID)
			links := []map[string]any{{"rel": "self", "href": fmt.Sprintf("/v2/datacenters/%s/%s", strings.ToLower(alias), id)}}
			if groupLinks {
				links = append(links, clcRootLink(alias, dc))
			}
			out = append(out, map[string]any{"id": id, "name": dc.Name, "links": links})
		}
		writeJSON(w, http.StatusOK, clcCT, out)
	})
	e.handle("GET /clc/v2/datacenters/{alias}/{dc}", "clc.datacenter.get", func(w http.ResponseWriter, r *http.Request) {
		alias, ok := s.authorize(e, w, r)
		if !ok {
			return
		}
		dc := s.dc(alias, r.PathValue("dc"))
		if dc == nil {
			writeJSON(w, http.StatusNotFound, clcCT, map[string]string{"message": clcNotFound})
			return
		}
		self := fmt.Sprintf("/v2/datacenters/%s/%s", strings.ToLower(alias), strings.ToLower(dc.ID))
		links := []map[string]any{{"rel": "self", "href": self}}
		if strings.EqualFold(r.URL.Query().Get("groupLinks"), "true") {
			links = append(links, clcRootLink(alias, dc))
		}
		for _, rel := range []string{"availableOvfs", "computeLimits", "deploymentCapabilities", "loadBalancers", "networkLimits"} {
			links = append(links, map[string]any{"rel": rel, "href": self + "/" + rel})
		}
		writeJSON(w, http.StatusOK, clcCT, map[string]any{"id": dc.ID, "name": dc.Name, "links": links})
	})
	e.handle("GET /clc/v2/groups/{alias}/{id}", "clc.group.get", func(w http.ResponseWriter, r *http.Request) {
		alias, ok := s.authorize(e, w, r)
		if !ok {
			return
		}
		g := s.groups[strings.ToLower(r.PathValue("id"))]
		if g == nil || !s.owns(alias, g) {
			writeJSON(w, http.StatusNotFound, clcCT, map[string]string{"message": clcNotFound})
			return
		}
		writeJSON(w, http.StatusOK, clcCT, groupJSON(alias, g, true))
	})
	e.handle("/clc/", "clc.unknown", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, clcCT, map[string]string{"message": "No HTTP resource was found that matches the request URI."})
	})
}

// CLCBearerToken issues a bearer token for a known user, as an earlier
// login in another process would have (for tests of a configured token):
// no request is made and no login counted. It panics for an unknown user.
func (e *Emulator) CLCBearerToken(username string) string {
	s := stateOf(e, "clc", newCLCState)
	u, ok := s.users[strings.ToLower(username)]
	if !ok {
		panic("emulator: no CenturyLink Cloud user " + username)
	}
	return e.mintToken("clc", username, u.account, func(nbf, exp time.Time) string {
		return s.bearer(username, u, nbf, exp)
	}).Value
}

const clcCT = "application/json; charset=utf-8"

// clcRootLink is a data center's link to its root hardware group.
func clcRootLink(alias string, dc *clcDC) map[string]any {
	return map[string]any{
		"rel": "group", "href": fmt.Sprintf("/v2/groups/%s/%s", strings.ToLower(alias), dc.Root.ID),
		"id": dc.Root.ID, "name": dc.Root.Name,
	}
}

// bearer mints the JWT a login answers: HS256 over the claims the
// recorded real tokens carry, by their recorded names: the user name in
// unique_name and the roles in role, always an array.
func (s *clcState) bearer(username string, u clcUser, nbf, exp time.Time) string {
	claims, err := json.Marshal(map[string]any{
		"urn:tier3:account-alias":  u.account,
		"urn:tier3:location-alias": u.location,
		"unique_name":              username,
		"role":                     u.roles,
		"iss":                      clcIssuer,
		"aud":                      clcAudience,
		"nbf":                      nbf.Unix(),
		"exp":                      exp.Unix(),
	})
	if err != nil {
		panic(err) // strings and numbers only
	}
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`)) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

// authorize checks the bearer token and that it may see the account alias
// in the path; it answers the failure itself.
func (s *clcState) authorize(e *Emulator, w http.ResponseWriter, r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if !strings.HasPrefix(h, prefix) {
		writeJSON(w, http.StatusUnauthorized, clcCT, map[string]string{"message": clcDenied})
		return "", false
	}
	tok, ok := e.lookupToken("clc", strings.TrimPrefix(h, prefix))
	if !ok {
		writeJSON(w, http.StatusUnauthorized, clcCT, map[string]string{"message": clcDenied})
		return "", false
	}
	alias := strings.ToUpper(r.PathValue("alias"))
	if own, _ := tok.Data.(string); own != alias {
		writeJSON(w, http.StatusForbidden, clcCT, map[string]string{
			"message": fmt.Sprintf("Access to account '%s' is denied.", r.PathValue("alias")),
		})
		return "", false
	}
	return alias, true
}

func (s *clcState) dc(alias, id string) *clcDC {
	for _, dc := range s.dcs[alias] {
		if strings.EqualFold(dc.ID, id) {
			return dc
		}
	}
	return nil
}

func (s *clcState) owns(alias string, g *clcGroup) bool {
	for _, dc := range s.dcs[alias] {
		if strings.EqualFold(dc.ID, g.Location) {
			return true
		}
	}
	return false
}

func groupJSON(alias string, g *clcGroup, withChildren bool) map[string]any {
	self := fmt.Sprintf("/v2/groups/%s/%s", strings.ToLower(alias), g.ID)
	var links []map[string]any
	if !g.system() {
		links = append(links,
			map[string]any{"rel": "createGroup", "href": "/v2/groups/" + strings.ToLower(alias), "verbs": []string{"POST"}},
			map[string]any{"rel": "createServer", "href": "/v2/servers/" + strings.ToLower(alias), "verbs": []string{"POST"}})
	}
	links = append(links, map[string]any{"rel": "self", "href": self, "verbs": []string{"GET", "PATCH", "DELETE"}})
	if g.Parent != "" {
		links = append(links, map[string]any{"rel": "parentGroup", "href": fmt.Sprintf("/v2/groups/%s/%s", strings.ToLower(alias), g.Parent), "id": g.Parent})
	}
	links = append(links,
		map[string]any{"rel": "defaults", "href": self + "/defaults", "verbs": []string{"GET", "POST"}},
		map[string]any{"rel": "billing", "href": self + "/billing"},
		map[string]any{"rel": "archiveGroupAction", "href": self + "/archive"},
		map[string]any{"rel": "statistics", "href": self + "/statistics"},
		map[string]any{"rel": "scheduledActivities", "href": self + "/scheduledActivities", "verbs": []string{"GET", "POST"}},
	)
	for _, srv := range g.Servers {
		links = append(links, map[string]any{"rel": "server", "href": fmt.Sprintf("/v2/servers/%s/%s", strings.ToLower(alias), strings.ToLower(srv)), "id": srv})
	}
	children := []map[string]any{}
	if withChildren {
		for _, c := range g.Children {
			children = append(children, groupJSON(alias, c, true))
		}
	}
	return map[string]any{
		"id": g.ID, "name": g.Name, "description": g.Description, "locationId": g.Location,
		"type": g.Type, "status": g.Status, "serversCount": g.servers(),
		"groups": children, "links": links,
		"changeInfo": map[string]string{
			"createdDate": "2012-12-17T01:17:17Z", "createdBy": "admin@acme.example",
			"modifiedDate": "2014-05-16T23:49:25Z", "modifiedBy": "ops@acme.example",
		},
		"customFields": []map[string]string{
			{"id": "22f002123e3b46d9a8b38ecd4c6df7f9", "name": "Cost Center", "value": "IT-DEV", "displayValue": "IT-DEV"},
		},
	}
}

func newCLCState() *clcState {
	s := &clcState{
		users: map[string]clcUser{
			strings.ToLower(CLCUser):      {password: CLCPassword, account: CLCAccount, location: CLCLocation, roles: []string{"ServerAdmin", "AccountAdmin"}},
			strings.ToLower(CLCOtherUser): {password: CLCPassword, account: CLCOtherAccount, location: "VA1", roles: []string{"AccountViewer"}},
		},
		dcs:    map[string][]*clcDC{},
		groups: map[string]*clcGroup{},
		key:    make([]byte, 32),
	}
	if _, err := rand.Read(s.key); err != nil {
		panic(err)
	}
	add := func(account, id, name string, children ...*clcGroup) {
		root := &clcGroup{
			ID: stableID(account + "/" + id + "/root"), Name: id + " Hardware",
			Description: id + " Hardware", Location: id, Type: clcTypeDefault, Status: "active",
		}
		for _, c := range children {
			c.Parent, c.Location = root.ID, id
			s.groups[strings.ToLower(c.ID)] = c
			for _, gc := range c.Children {
				gc.Parent, gc.Location = c.ID, id
				s.groups[strings.ToLower(gc.ID)] = gc
			}
		}
		root.Children = children
		s.groups[strings.ToLower(root.ID)] = root
		s.dcs[account] = append(s.dcs[account], &clcDC{ID: id, Name: name, Root: root})
	}
	grp := func(id, name, desc, typ string, servers []string, children ...*clcGroup) *clcGroup {
		return &clcGroup{ID: id, Name: name, Description: desc, Type: typ, Status: "active", Servers: servers, Children: children}
	}
	add(CLCAccount, "WA1", "US West (Seattle)",
		grp("2a5c0b9662cf4fc8bf6180f139facdc0", "Web Applications", "public facing web apps", clcTypeDefault,
			[]string{"WA1ACMEWEB01", "WA1ACMEWEB02"},
			grp("31d13f501459411ba59304f3d47486eb", "Training Environment", "Temporary servers", clcTypeDefault, nil)),
		grp("6ee2c3a87b1f4b09a3c4ad0a86bb7ae1", "Archive", "Archived servers", clcTypeArchive, nil),
		grp("a8b2e01f57c54c3f9b4d6e2f10c9d7b3", "Templates", "Templates", clcTypeTemplates, []string{"WA1ACMETPL01"}),
	)
	add(CLCAccount, "VA1", "US East (Sterling)",
		grp("0c0e1f6a9e5b4d3c8f7a6b5c4d3e2f10", "Databases", "database servers", clcTypeDefault, []string{"VA1ACMEDB01", "VA1ACMEDB02", "VA1ACMEDB03"}),
		grp("1d1f2a7bafc65e4d9a8b7c6d5e4f3a21", "Archive", "Archived servers", clcTypeArchive, nil),
	)
	add(CLCAccount, "DE1", "Germany (Frankfurt)")
	add(CLCOtherAccount, "VA1", "US East (Sterling)",
		grp("5f4e3d2c1b0a49f8e7d6c5b4a3928170", "Reports", "reporting", clcTypeDefault, []string{"VA1BETARPT01"}),
	)
	for _, list := range s.dcs {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	return s
}
