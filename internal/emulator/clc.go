package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// CenturyLink Cloud API v2, under /clc. Shapes follow the public APIDocs
// (Authentication/login.md, Data Centers/get-data-center*.md,
// Groups/get-group.md): camelCase fields, "serversCount", links with
// rel/href/id/name/verbs, {"message": ...} errors, 400 for a bad login and
// 401 for a missing or bad bearer token.

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
}

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
		tok := e.issueToken("clc", in.Username, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."+randomString(120, b64url), u.account)
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
		out := []map[string]any{}
		for _, dc := range s.dcs[alias] {
			out = append(out, map[string]any{
				"id": dc.ID, "name": dc.Name,
				"links": []map[string]any{{"rel": "self", "href": fmt.Sprintf("/v2/datacenters/%s/%s", alias, dc.ID)}},
			})
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
			writeJSON(w, http.StatusNotFound, clcCT, map[string]string{
				"message": fmt.Sprintf("The data center '%s' could not be found.", r.PathValue("dc")),
			})
			return
		}
		links := []map[string]any{{"rel": "self", "href": fmt.Sprintf("/v2/datacenters/%s/%s", alias, dc.ID)}}
		if strings.EqualFold(r.URL.Query().Get("groupLinks"), "true") {
			links = append(links, map[string]any{
				"rel": "group", "href": fmt.Sprintf("/v2/groups/%s/%s", alias, dc.Root.ID),
				"id": dc.Root.ID, "name": dc.Root.Name,
			})
		}
		for _, rel := range []string{"availableOvfs", "computeLimits", "deploymentCapabilities", "loadBalancers", "networkLimits"} {
			links = append(links, map[string]any{"rel": rel, "href": fmt.Sprintf("/v2/datacenters/%s/%s/%s", alias, dc.ID, rel)})
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
			writeJSON(w, http.StatusNotFound, clcCT, map[string]string{
				"message": fmt.Sprintf("The group '%s' could not be found.", r.PathValue("id")),
			})
			return
		}
		writeJSON(w, http.StatusOK, clcCT, groupJSON(alias, g, true))
	})
	e.handle("/clc/", "clc.unknown", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, clcCT, map[string]string{"message": "No HTTP resource was found that matches the request URI."})
	})
}

const clcCT = "application/json; charset=utf-8"

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
	links := []map[string]any{
		{"rel": "createGroup", "href": "/v2/groups/" + strings.ToLower(alias), "verbs": []string{"POST"}},
		{"rel": "createServer", "href": "/v2/servers/" + strings.ToLower(alias), "verbs": []string{"POST"}},
		{"rel": "self", "href": self, "verbs": []string{"GET", "PATCH", "DELETE"}},
	}
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
		"type": g.Type, "status": g.Status, "serversCount": len(g.Servers),
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
	}
	add := func(account, id, name string, children ...*clcGroup) {
		root := &clcGroup{
			ID: stableID(account + "/" + id + "/root"), Name: id + " Hardware",
			Description: id + " Hardware", Location: id, Type: "default", Status: "active",
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
		grp("2a5c0b9662cf4fc8bf6180f139facdc0", "Web Applications", "public facing web apps", "default",
			[]string{"WA1ACMEWEB01", "WA1ACMEWEB02"},
			grp("31d13f501459411ba59304f3d47486eb", "Training Environment", "Temporary servers", "default", nil)),
		grp("6ee2c3a87b1f4b09a3c4ad0a86bb7ae1", "Archive", "Archived servers", "archive", nil),
		grp("a8b2e01f57c54c3f9b4d6e2f10c9d7b3", "Templates", "Templates", "default", []string{"WA1ACMETPL01"}),
	)
	add(CLCAccount, "VA1", "US East (Sterling)",
		grp("0c0e1f6a9e5b4d3c8f7a6b5c4d3e2f10", "Databases", "database servers", "default", []string{"VA1ACMEDB01", "VA1ACMEDB02", "VA1ACMEDB03"}),
		grp("1d1f2a7bafc65e4d9a8b7c6d5e4f3a21", "Archive", "Archived servers", "archive", nil),
	)
	add(CLCAccount, "DE1", "Germany (Frankfurt)")
	add(CLCOtherAccount, "VA1", "US East (Sterling)",
		grp("5f4e3d2c1b0a49f8e7d6c5b4a3928170", "Reports", "reporting", "default", []string{"VA1BETARPT01"}),
	)
	for _, list := range s.dcs {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	return s
}
