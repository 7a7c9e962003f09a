package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// OpenStack Keystone v3, under /keystone (auth_url = <emulator>/keystone/v3).
// Shapes follow a real Keystone 22 (Zed) with fernet tokens: 201 with the
// token only in X-Subject-Token, the body's key order and timestamp format,
// {"error":{code,message,title}} errors, WWW-Authenticate on every 401, the
// same generic 401 text for every refused credential, 404 for an unknown
// application credential id or subject token, 400 for a body that is not
// JSON or lacks what the method needs, and ?nocatalog tested by presence.

// Keystone demo data. The application credential and the password belong to
// the user "demo" of the Default domain; the application credential is
// bound to project "demo".
const (
	KeystoneDomainID        = "default"
	KeystoneDomainName      = "Default"
	KeystoneUser            = "demo"
	KeystoneUserID          = "5b8e2f64c0d94b6e8d1a7f3c9e204b11"
	KeystonePassword        = "keystone-demo-password"
	KeystoneProject         = "demo"
	KeystoneProjectID       = "8f14e45fceea467a9e2c6d1b0a3f5c72"
	KeystoneOtherProject    = "analytics"
	KeystoneOtherProjectID  = "2c9d6a1e7b4f4e0d8a35c6b7d9e1f024"
	KeystoneAppCredID       = "a3c1e8f07b2d4c9e9f6a5b4d3c2e1f08"
	KeystoneAppCredName     = "demo-appcred"
	KeystoneAppCredSecret   = "kP3vQ9xW2mZ7rT5yL8nB4cF6hJ1dS0aG-Ue7Io2Xw9Rt3Yq5Zp8Lm4Nb6Vc1Kj0Hg7Df2Sa9Pq3Wx5Ez8Ty1Ui4Oc"
	KeystoneExpiredAppCred  = "e0d1c2b3a4954f8e8d7c6b5a49382716"
	KeystonePartnerDomain   = "Partners"
	KeystonePartnerDomainID = "7d3e9a0b1c2f4e5d8a6b4c3e2f1d0a9b"
	KeystonePartnerUser     = "ops"
	KeystonePartnerPassword = "partners-demo-password"
	KeystonePartnerProject  = "tools"
	// KeystoneRegion and KeystoneOtherRegion hold the catalog's endpoints;
	// object-store is only in the first, dns only in the second.
	KeystoneRegion      = "RegionOne"
	KeystoneOtherRegion = "RegionTwo"

	ksCT             = "application/json"
	ksUnauthorized   = "The request you have made requires authentication."
	ksMalformedJSON  = "Expecting to find valid JSON in request body. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error."
	ksNotRecognized  = "Could not recognize Fernet token"
	ksNotValidated   = "Failed to validate token"
	ksValidationTail = " The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error."
	ksTimeFormat     = "2006-01-02T15:04:05.000000Z"
)

type ksDomain struct{ id, name string }

type ksProject struct {
	id, name string
	domain   *ksDomain
}

type ksUser struct {
	id, name, password string
	domain             *ksDomain
	defaultProject     string
	// roles by project id, and on domains by "domain:" + domain id.
	roles map[string][]string
}

type ksAppCred struct {
	id, name, secret string
	user             *ksUser
	project          string
	roles            []string
	restricted       bool
	expiresAt        time.Time
}

// ksService is a catalog entry; its URLs may hold {project_id} and {base}.
type ksService struct {
	typ, name string
	regions   []string
	port      int
	path      string
	// identity endpoints point at the emulator itself.
	self bool
}

type keystoneState struct {
	domains  map[string]*ksDomain // by id
	projects map[string]*ksProject
	users    map[string]*ksUser // by id
	appcreds map[string]*ksAppCred
	roles    map[string]string // name -> id
	services []ksService
}

// ksTokenData is what the emulator keeps with each token it issues.
type ksTokenData struct {
	user    *ksUser
	methods []string
	project *ksProject
	domain  *ksDomain
	appcred *ksAppCred
	auditID string
}

func init() {
	register(registerKeystone)
	describe(CloudInfo{Cloud: "keystone", Path: "/keystone", Settings: [][2]string{
		{"auth_url", "<base>/keystone/v3"},
		{"application_credential_id", KeystoneAppCredID},
		{"application_credential_secret", KeystoneAppCredSecret},
		{"region", KeystoneRegion},
	}})
}

func newKeystoneState() *keystoneState {
	s := &keystoneState{
		domains:  map[string]*ksDomain{},
		projects: map[string]*ksProject{},
		users:    map[string]*ksUser{},
		appcreds: map[string]*ksAppCred{},
		roles: map[string]string{
			"admin":  "3a281018032341e6b3fd857b11c80e89",
			"member": "bb33c0fe2f604334ba733fc5c51dd0a8",
			"reader": "cd1967dba0ca4998a5da4d2d364a6ab3",
		},
	}
	def := &ksDomain{id: KeystoneDomainID, name: KeystoneDomainName}
	partners := &ksDomain{id: KeystonePartnerDomainID, name: KeystonePartnerDomain}
	s.domains[def.id], s.domains[partners.id] = def, partners
	demoProject := &ksProject{id: KeystoneProjectID, name: KeystoneProject, domain: def}
	analytics := &ksProject{id: KeystoneOtherProjectID, name: KeystoneOtherProject, domain: def}
	tools := &ksProject{id: stableID("keystone/project/tools"), name: KeystonePartnerProject, domain: partners}
	for _, p := range []*ksProject{demoProject, analytics, tools} {
		s.projects[p.id] = p
	}
	demo := &ksUser{id: KeystoneUserID, name: KeystoneUser, password: KeystonePassword, domain: def,
		roles: map[string][]string{
			demoProject.id:     {"member", "reader"},
			analytics.id:       {"reader"},
			"domain:" + def.id: {"reader"},
		}}
	// ops has a default project: a password login without a scope gets a
	// token scoped to it, as Keystone does, unless it asks for "unscoped".
	ops := &ksUser{id: stableID("keystone/user/ops"), name: KeystonePartnerUser, password: KeystonePartnerPassword,
		domain: partners, defaultProject: tools.id,
		roles: map[string][]string{tools.id: {"admin", "member", "reader"}}}
	s.users[demo.id], s.users[ops.id] = demo, ops
	s.appcreds[KeystoneAppCredID] = &ksAppCred{id: KeystoneAppCredID, name: KeystoneAppCredName, secret: KeystoneAppCredSecret,
		user: demo, project: demoProject.id, roles: []string{"member", "reader"}, restricted: true}
	s.appcreds[KeystoneExpiredAppCred] = &ksAppCred{id: KeystoneExpiredAppCred, name: "expired-appcred", secret: KeystoneAppCredSecret,
		user: demo, project: demoProject.id, roles: []string{"reader"}, restricted: true,
		expiresAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	both := []string{KeystoneRegion, KeystoneOtherRegion}
	s.services = []ksService{
		{typ: "identity", name: "keystone", regions: both, self: true},
		{typ: "compute", name: "nova", regions: both, port: 8774, path: "/v2.1"},
		{typ: "network", name: "neutron", regions: both, port: 9696},
		{typ: "image", name: "glance", regions: both, port: 9292},
		{typ: "volumev3", name: "cinderv3", regions: both, port: 8776, path: "/v3/{project_id}"},
		{typ: "object-store", name: "swift", regions: []string{KeystoneRegion}, port: 8080, path: "/v1/AUTH_{project_id}"},
		{typ: "dns", name: "designate", regions: []string{KeystoneOtherRegion}, port: 9001},
	}
	return s
}

func registerKeystone(e *Emulator) {
	s := stateOf(e, "keystone", newKeystoneState)
	version := func(w http.ResponseWriter, r *http.Request) {
		ksHeaders(w)
		writeJSON(w, http.StatusOK, ksCT, map[string]any{"version": map[string]any{
			"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
			"links":       []map[string]string{{"rel": "self", "href": ksBase(r) + "/"}},
			"media-types": []map[string]string{{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}},
		}})
	}
	e.handle("GET /keystone/v3", "keystone.version", version)
	e.handle("GET /keystone/v3/{$}", "keystone.version", version)
	e.handle("POST /keystone/v3/auth/tokens", "keystone.tokens.create", func(w http.ResponseWriter, r *http.Request) {
		s.create(e, w, r)
	})
	e.handle("GET /keystone/v3/auth/tokens", "keystone.tokens.get", func(w http.ResponseWriter, r *http.Request) {
		if t, ok := s.subject(e, w, r); ok {
			w.Header().Set("X-Subject-Token", t.Value)
			s.writeToken(w, r, http.StatusOK, t)
		}
	})
	e.handle("HEAD /keystone/v3/auth/tokens", "keystone.tokens.check", func(w http.ResponseWriter, r *http.Request) {
		if t, ok := s.subject(e, w, r); ok {
			w.Header().Set("X-Subject-Token", t.Value)
			w.Header().Set("Content-Type", ksCT)
			w.WriteHeader(http.StatusOK)
		}
	})
	e.handle("DELETE /keystone/v3/auth/tokens", "keystone.tokens.revoke", func(w http.ResponseWriter, r *http.Request) {
		if t, ok := s.subject(e, w, r); ok {
			e.mu.Lock()
			t.Revoked = true
			e.mu.Unlock()
			ksHeaders(w)
			w.WriteHeader(http.StatusNoContent)
		}
	})
	e.handle("/keystone/", "keystone.unknown", func(w http.ResponseWriter, r *http.Request) {
		ksError(w, r, http.StatusNotFound, "The resource could not be found.")
	})
}

// ksBase is the v3 endpoint as the client reached it.
func ksBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/keystone/v3"
}

func ksHeaders(w http.ResponseWriter) {
	w.Header().Set("Vary", "X-Auth-Token")
	w.Header().Set("x-openstack-request-id", "req-"+randomUUID())
}

func randomUUID() string {
	h := randomString(32, hexChars)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ksError answers in Keystone's error format; every 401 names the
// endpoint in WWW-Authenticate.
func ksError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	ksHeaders(w)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf("Keystone uri=%q", ksBase(r)))
	}
	writeJSON(w, status, ksCT, map[string]any{"error": map[string]any{
		"code": status, "message": msg, "title": http.StatusText(status),
	}})
}

// ksRef is {"id": ...} or {"name": ..., "domain": {...}}.
type ksRef struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain *ksRef `json:"domain"`
}

type ksUserRef struct {
	ksRef
	Password string `json:"password"`
}

type ksAuthRequest struct {
	Auth *struct {
		Identity *struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User *ksUserRef `json:"user"`
			} `json:"password"`
			ApplicationCredential *struct {
				ID     string     `json:"id"`
				Name   string     `json:"name"`
				Secret string     `json:"secret"`
				User   *ksUserRef `json:"user"`
			} `json:"application_credential"`
		} `json:"identity"`
		Scope json.RawMessage `json:"scope"`
	} `json:"auth"`
}

type ksScopeRequest struct {
	Project *ksRef `json:"project"`
	Domain  *ksRef `json:"domain"`
	System  *struct {
		All bool `json:"all"`
	} `json:"system"`
	Trust json.RawMessage `json:"OS-TRUST:trust"`
}

// badRequest is a 400 with Keystone's validation wording.
type badRequest string

func (s *keystoneState) create(e *Emulator, w http.ResponseWriter, r *http.Request) {
	var in ksAuthRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		ksError(w, r, http.StatusBadRequest, ksMalformedJSON)
		return
	}
	if in.Auth == nil || in.Auth.Identity == nil {
		ksError(w, r, http.StatusBadRequest, "Invalid input for field 'auth': 'identity' is a required property")
		return
	}
	id := in.Auth.Identity
	if len(id.Methods) == 0 {
		ksError(w, r, http.StatusBadRequest, "Invalid input for field 'identity': 'methods' is a required property")
		return
	}
	if len(id.Methods) != 1 {
		// Multi-factor rules are not emulated.
		ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
		return
	}
	data := &ksTokenData{methods: id.Methods, auditID: randomString(22, b64url)}
	switch id.Methods[0] {
	case "password":
		if id.Password == nil || id.Password.User == nil {
			ksError(w, r, http.StatusBadRequest, "Expecting to find password in identity."+ksValidationTail)
			return
		}
		u, bad := s.findUser(&id.Password.User.ksRef)
		if bad != "" {
			ksError(w, r, http.StatusBadRequest, string(bad))
			return
		}
		if u == nil || id.Password.User.Password == "" || u.password != id.Password.User.Password {
			ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
			return
		}
		data.user = u
		status, msg := s.scope(data, in.Auth.Scope)
		if status != 0 {
			ksError(w, r, status, msg)
			return
		}
	case "application_credential":
		ac := id.ApplicationCredential
		if ac == nil {
			ksError(w, r, http.StatusBadRequest, "Expecting to find application_credential in identity."+ksValidationTail)
			return
		}
		var cred *ksAppCred
		switch {
		case ac.ID != "":
			if cred = s.appcreds[ac.ID]; cred == nil {
				ksError(w, r, http.StatusNotFound, fmt.Sprintf("Could not find Application Credential: %s.", ac.ID))
				return
			}
		case ac.Name != "":
			if ac.User == nil {
				ksError(w, r, http.StatusBadRequest, "Expecting to find user in application_credential."+ksValidationTail)
				return
			}
			u, bad := s.findUser(&ac.User.ksRef)
			if bad != "" {
				ksError(w, r, http.StatusBadRequest, string(bad))
				return
			}
			if u == nil {
				ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
				return
			}
			for _, c := range s.appcreds {
				if c.user == u && c.name == ac.Name {
					cred = c
				}
			}
			if cred == nil {
				ksError(w, r, http.StatusNotFound, fmt.Sprintf("Could not find Application Credential: %s.", ac.Name))
				return
			}
		default:
			ksError(w, r, http.StatusBadRequest, "Expecting to find id or name in application_credential."+ksValidationTail)
			return
		}
		expired := !cred.expiresAt.IsZero() && !e.Now().Before(cred.expiresAt)
		if ac.Secret == "" || ac.Secret != cred.secret || expired {
			ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
			return
		}
		if len(bytes.TrimSpace(in.Auth.Scope)) > 0 && string(bytes.TrimSpace(in.Auth.Scope)) != "null" {
			// "Application credentials cannot request a scope."
			ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
			return
		}
		data.user, data.appcred, data.project = cred.user, cred, s.projects[cred.project]
	default:
		// Keystone answers an unsupported method with 401.
		ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
		return
	}
	e.countLogin("keystone")
	tok := e.issueToken("keystone", data.user.name, "gAAAAAB"+randomString(176, b64url), data)
	w.Header().Set("X-Subject-Token", tok.Value)
	s.writeToken(w, r, http.StatusCreated, tok)
}

// findUser resolves {"id"} or {"name","domain"}; a user named without a
// domain is a 400, an unknown user nil (a 401 for the caller).
func (s *keystoneState) findUser(ref *ksRef) (*ksUser, badRequest) {
	if ref.ID != "" {
		return s.users[ref.ID], ""
	}
	if ref.Name == "" {
		return nil, "Expecting to find id or name in user." + ksValidationTail
	}
	if ref.Domain == nil || (ref.Domain.ID == "" && ref.Domain.Name == "") {
		return nil, "Expecting to find domain in user." + ksValidationTail
	}
	d := s.findDomain(ref.Domain)
	if d == nil {
		return nil, ""
	}
	for _, u := range s.users {
		if u.domain == d && u.name == ref.Name {
			return u, ""
		}
	}
	return nil, ""
}

func (s *keystoneState) findDomain(ref *ksRef) *ksDomain {
	if ref.ID != "" {
		return s.domains[ref.ID]
	}
	for _, d := range s.domains {
		if d.name == ref.Name {
			return d
		}
	}
	return nil
}

// scope applies a password login's scope, or the user's default project
// when it names none. It returns a status and message on failure.
func (s *keystoneState) scope(data *ksTokenData, raw json.RawMessage) (int, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		if p := s.projects[data.user.defaultProject]; p != nil && len(data.user.roles[p.id]) > 0 {
			data.project = p
		}
		return 0, ""
	}
	if string(raw) == `"unscoped"` {
		return 0, ""
	}
	var sc ksScopeRequest
	if err := json.Unmarshal(raw, &sc); err != nil {
		return http.StatusBadRequest, "Invalid input for field 'auth': 'scope' is not valid under any of the given schemas"
	}
	switch {
	case sc.Project != nil:
		var p *ksProject
		switch {
		case sc.Project.ID != "":
			p = s.projects[sc.Project.ID]
		case sc.Project.Name != "":
			if sc.Project.Domain == nil || (sc.Project.Domain.ID == "" && sc.Project.Domain.Name == "") {
				return http.StatusBadRequest, "Expecting to find domain in project." + ksValidationTail
			}
			d := s.findDomain(sc.Project.Domain)
			for _, c := range s.projects {
				if c.domain == d && c.name == sc.Project.Name {
					p = c
				}
			}
		default:
			return http.StatusBadRequest, "Expecting to find id or name in project." + ksValidationTail
		}
		if p == nil || len(data.user.roles[p.id]) == 0 {
			return http.StatusUnauthorized, ksUnauthorized
		}
		data.project = p
	case sc.Domain != nil:
		d := s.findDomain(sc.Domain)
		if d == nil || len(data.user.roles["domain:"+d.id]) == 0 {
			return http.StatusUnauthorized, ksUnauthorized
		}
		data.domain = d
	default:
		// System and trust scopes need assignments the demo data lacks.
		return http.StatusUnauthorized, ksUnauthorized
	}
	return 0, ""
}

// subject checks X-Auth-Token (401) and X-Subject-Token (404) for
// GET, HEAD and DELETE /v3/auth/tokens.
func (s *keystoneState) subject(e *Emulator, w http.ResponseWriter, r *http.Request) (*Token, bool) {
	if _, ok := e.lookupToken("keystone", r.Header.Get("X-Auth-Token")); !ok {
		ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
		return nil, false
	}
	value := r.Header.Get("X-Subject-Token")
	if value == "" {
		ksError(w, r, http.StatusNotFound, "No token in the request")
		return nil, false
	}
	t, ok := e.lookupToken("keystone", value)
	if t == nil {
		ksError(w, r, http.StatusNotFound, ksNotRecognized)
		return nil, false
	}
	if !ok {
		// allow_expired=true accepts a token up to 48 hours past its
		// expiry (Keystone's default allow_expired_window), never a
		// revoked one.
		now := e.Now()
		e.mu.Lock()
		revoked := t.Revoked
		e.mu.Unlock()
		grace := !revoked && now.Before(t.ExpiresAt.Add(48*time.Hour))
		if r.Method == http.MethodDelete || !grace || r.URL.Query().Get("allow_expired") != "true" {
			ksError(w, r, http.StatusNotFound, ksNotValidated)
			return nil, false
		}
	}
	return t, true
}

// The token body, with Keystone's key order.
type ksTokenJSON struct {
	Methods               []string          `json:"methods"`
	User                  ksUserJSON        `json:"user"`
	AuditIDs              []string          `json:"audit_ids"`
	ExpiresAt             string            `json:"expires_at"`
	IssuedAt              string            `json:"issued_at"`
	Project               *ksProjectJSON    `json:"project,omitempty"`
	Domain                *ksNamed          `json:"domain,omitempty"`
	IsDomain              *bool             `json:"is_domain,omitempty"`
	Roles                 []ksNamed         `json:"roles,omitempty"`
	Catalog               []ksServiceJSON   `json:"catalog,omitempty"`
	ApplicationCredential *ksAppCredRefJSON `json:"application_credential,omitempty"`
}

type ksNamed struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type ksUserJSON struct {
	Domain            ksNamed `json:"domain"`
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	PasswordExpiresAt *string `json:"password_expires_at"`
}

type ksProjectJSON struct {
	Domain ksNamed `json:"domain"`
	ID     string  `json:"id"`
	Name   string  `json:"name"`
}

type ksServiceJSON struct {
	Endpoints []ksEndpointJSON `json:"endpoints"`
	ID        string           `json:"id"`
	Type      string           `json:"type"`
	Name      string           `json:"name"`
}

type ksEndpointJSON struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
	Region    string `json:"region"`
}

type ksAppCredRefJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Restricted bool   `json:"restricted"`
}

// writeToken answers with the token body; ?nocatalog (any value, even
// "false") leaves the catalog out, as Keystone tests only its presence.
func (s *keystoneState) writeToken(w http.ResponseWriter, r *http.Request, status int, t *Token) {
	d, _ := t.Data.(*ksTokenData)
	_, nocatalog := r.URL.Query()["nocatalog"]
	body := ksTokenJSON{
		Methods: d.methods,
		User: ksUserJSON{Domain: ksNamed{ID: d.user.domain.id, Name: d.user.domain.name},
			ID: d.user.id, Name: d.user.name},
		AuditIDs:  []string{d.auditID},
		ExpiresAt: t.ExpiresAt.UTC().Truncate(time.Second).Format(ksTimeFormat),
		IssuedAt:  t.IssuedAt.UTC().Truncate(time.Second).Format(ksTimeFormat),
	}
	var roles []string
	switch {
	case d.project != nil:
		p := d.project
		body.Project = &ksProjectJSON{Domain: ksNamed{ID: p.domain.id, Name: p.domain.name}, ID: p.id, Name: p.name}
		isDomain := false
		body.IsDomain = &isDomain
		roles = d.user.roles[p.id]
		if d.appcred != nil {
			roles = d.appcred.roles
		}
	case d.domain != nil:
		body.Domain = &ksNamed{ID: d.domain.id, Name: d.domain.name}
		roles = d.user.roles["domain:"+d.domain.id]
	}
	for _, name := range roles {
		body.Roles = append(body.Roles, ksNamed{ID: s.roles[name], Name: name})
	}
	if len(roles) > 0 && !nocatalog {
		projectID := ""
		if d.project != nil {
			projectID = d.project.id
		}
		body.Catalog = s.catalog(ksBase(r), projectID)
	}
	if ac := d.appcred; ac != nil {
		body.ApplicationCredential = &ksAppCredRefJSON{ID: ac.id, Name: ac.name, Restricted: ac.restricted}
	}
	ksHeaders(w)
	writeJSON(w, status, ksCT, map[string]any{"token": body})
}

// catalog renders the services for a token: every service in each of its
// regions with a public, an internal and an admin endpoint.
func (s *keystoneState) catalog(base, projectID string) []ksServiceJSON {
	out := make([]ksServiceJSON, 0, len(s.services))
	for _, svc := range s.services {
		entry := ksServiceJSON{ID: stableID("keystone/service/" + svc.typ), Type: svc.typ, Name: svc.name}
		for _, region := range svc.regions {
			for _, itf := range []string{"public", "internal", "admin"} {
				url := base
				if !svc.self {
					host := strings.ToLower(svc.typ + "." + region)
					switch itf {
					case "public":
						url = fmt.Sprintf("https://%s.cloudauth.test:%d", host, svc.port)
					case "internal":
						url = fmt.Sprintf("http://%s.internal:%d", host, svc.port)
					default:
						url = fmt.Sprintf("http://%s.admin.internal:%d", host, svc.port)
					}
					url += strings.ReplaceAll(svc.path, "{project_id}", projectID)
				}
				entry.Endpoints = append(entry.Endpoints, ksEndpointJSON{
					ID: stableID("keystone/endpoint/" + svc.typ + "/" + region + "/" + itf), Interface: itf,
					RegionID: region, URL: url, Region: region,
				})
			}
		}
		out = append(out, entry)
	}
	return out
}
