package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
)

// OpenStack Keystone v3, under /keystone (auth_url = <emulator>/keystone/v3).
// Shapes follow a real Keystone 22 (Zed) with fernet tokens: 201 with the
// token only in X-Subject-Token, the body's key order and timestamp format,
// {"error":{code,message,title}} errors, WWW-Authenticate on every 401, the
// same generic 401 text for every refused credential, 404 for an unknown
// application credential id or subject token, 400 for a body that is not
// JSON or lacks what the method needs, and ?nocatalog tested by presence.
//
// Multi-factor login as Keystone 22 does it (checked against a real one
// started by scripts/keystone-up.sh --totp): the totp method checks a
// user's TOTP credentials (HMAC-SHA1, 6 digits, 30 s) against the
// emulator's clock, accepting the current and the previous step
// ([totp] included_previous_windows = 1). A user with multi-factor rules
// whose login satisfies none of them gets 401 with an
// Openstack-Auth-Receipt header (and no WWW-Authenticate) and a body
// listing the methods done and the rules that include one of them; the
// same request with the missing methods and that header gets the token.
// Receipts last 5 minutes ([receipt] expiration = 300).
//
// The token method re-issues a token, as the OpenStack CLI does with
// OS_AUTH_TYPE=v3token (checked against the same real Keystone): the new
// token keeps the old one's expiry, its methods plus "token", and the
// first audit id of the chain; it gets the scope the request asks for,
// checked like a password login's (with none asked, the user's default
// project if any, else no scope and no catalog). A token issued for an
// application credential is delegated, and a system-scoped token cannot
// become a project- or domain-scoped one: both are refused with 403.

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
	// KeystoneMFAUser (Default domain, member of project demo) has a TOTP
	// credential and the multi-factor rule [["password", "totp"]].
	KeystoneMFAUser     = "mfa-demo"
	KeystoneMFAUserID   = "9d2f5c7a1e3b4d6f8a0c2e4b6d8f0a1c"
	KeystoneMFAPassword = "keystone-mfa-password"
	KeystoneTOTPSecret  = "JG55QDQ6B767GY7G2WRBYZHACWE2G3M4"
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
	ksAppCredScope   = "Error authenticating with application credential: Application credentials cannot request a scope."
	// Keystone's ForbiddenAction adds its own period to these, hence "..".
	ksForbidden      = "You are not authorized to perform the requested action: "
	ksDelegated      = ksForbidden + "Using a delegated token to create another token is not allowed.."
	ksSystemRescope  = ksForbidden + "Using a system-scoped token to create a project-scoped or domain-scoped token is not allowed.."
	ksTokenIDMissing = "Invalid input for field 'identity/token': 'id' is a required property\n\nFailed validating 'required' in schema['properties']['identity']['properties']['token']:\n    {'properties': {'id': {'type': 'string'}},\n     'required': ['id'],\n     'type': 'object'}\n\nOn instance['identity']['token']:\n    {}"
	ksReceiptHeader  = "Openstack-Auth-Receipt"
	ksReceiptLife    = 5 * time.Minute
	// ksTOTPWindows is how many steps before the current one a code may
	// be from.
	ksTOTPWindows = 1
)

// ksAuthMethods are the methods of Keystone's default [auth] methods,
// plus totp. Rules are checked against these only, as Keystone does.
var ksAuthMethods = []string{"external", "password", "token", "oauth1", "mapped", "application_credential", "totp"}

type ksDomain struct{ id, name string }

type ksProject struct {
	id, name string
	domain   *ksDomain
}

type ksUser struct {
	id, name, password string
	domain             *ksDomain
	defaultProject     string
	// roles by project id, on domains by "domain:" + domain id, and on
	// the system by "system".
	roles map[string][]string
	// totp are the user's TOTP credentials (base32 secrets) and mfaRules
	// its multi_factor_auth_rules; keystoneState.mu guards both.
	totp     []string
	mfaRules [][]string
}

// ksReceipt is what the emulator keeps with an auth receipt.
type ksReceipt struct {
	user      *ksUser
	methods   []string
	issuedAt  time.Time
	expiresAt time.Time
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
	// mu guards the users' TOTP credentials and rules, and the receipts.
	mu       sync.Mutex
	receipts map[string]*ksReceipt
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
	system  bool
	appcred *ksAppCred
	auditID string
	// chain is the audit id of the token a re-issued one descends from
	// (Keystone's second audit id); "" for a token from credentials.
	chain string
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
		receipts: map[string]*ksReceipt{},
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
			"system":           {"reader"},
		}}
	// ops has a default project: a password login without a scope gets a
	// token scoped to it, as Keystone does, unless it asks for "unscoped".
	ops := &ksUser{id: stableID("keystone/user/ops"), name: KeystonePartnerUser, password: KeystonePartnerPassword,
		domain: partners, defaultProject: tools.id,
		roles: map[string][]string{tools.id: {"admin", "member", "reader"}}}
	mfa := &ksUser{id: KeystoneMFAUserID, name: KeystoneMFAUser, password: KeystoneMFAPassword, domain: def,
		roles:    map[string][]string{demoProject.id: {"member", "reader"}},
		totp:     []string{KeystoneTOTPSecret},
		mfaRules: [][]string{{"password", "totp"}}}
	s.users[demo.id], s.users[ops.id], s.users[mfa.id] = demo, ops, mfa
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
	// GET /v3/auth/projects lists the projects the token's user has a
	// role on (the projects a token could be scoped to), sorted by id.
	e.handle("GET /keystone/v3/auth/projects", "keystone.auth.projects", func(w http.ResponseWriter, r *http.Request) {
		t, ok := e.lookupToken("keystone", r.Header.Get("X-Auth-Token"))
		if !ok {
			ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
			return
		}
		data, _ := t.Data.(*ksTokenData)
		projects := []map[string]any{}
		if data != nil {
			for _, id := range slices.Sorted(maps.Keys(data.user.roles)) {
				if p := s.projects[id]; p != nil {
					projects = append(projects, map[string]any{"id": p.id, "name": p.name, "domain_id": p.domain.id,
						"enabled": true, "is_domain": false, "links": map[string]string{"self": ksBase(r) + "/projects/" + p.id}})
				}
			}
		}
		ksHeaders(w)
		writeJSON(w, http.StatusOK, ksCT, map[string]any{"projects": projects,
			"links": map[string]any{"self": ksBase(r) + "/auth/projects", "previous": nil, "next": nil}})
	})
	e.handle("/keystone/", "keystone.unknown", func(w http.ResponseWriter, r *http.Request) {
		ksError(w, r, http.StatusNotFound, "The resource could not be found.")
	})
	e.mux.HandleFunc("GET /_emulator/keystone/totp", func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("user")
		code, ok := e.KeystoneTOTPCode(user)
		if !ok {
			writeJSON(w, http.StatusNotFound, "", map[string]string{"message": "no Keystone user " + user + " with a TOTP credential"})
			return
		}
		writeJSON(w, http.StatusOK, "", map[string]string{"user": user, "code": code})
	})
}

// ksUser finds a user by id, or by name in any domain.
func (s *keystoneState) user(ref string) *ksUser {
	if u := s.users[ref]; u != nil {
		return u
	}
	for _, u := range s.users {
		if u.name == ref {
			return u
		}
	}
	return nil
}

// KeystoneTOTPSecret returns the base32 secret of a Keystone user's TOTP
// credential (user is a name or an id), as an authenticator app was given.
func (e *Emulator) KeystoneTOTPSecret(user string) (string, bool) {
	s := stateOf(e, "keystone", newKeystoneState)
	u := s.user(user)
	if u == nil {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(u.totp) == 0 {
		return "", false
	}
	return u.totp[0], true
}

// KeystoneReceipts returns every auth receipt the emulator's Keystone
// issued, so that tests can look for them where no secret may show.
func (e *Emulator) KeystoneReceipts() []string {
	s := stateOf(e, "keystone", newKeystoneState)
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.receipts))
}

// KeystoneTOTPCode returns the code a Keystone user's authenticator app
// shows now, by the emulator's clock. Other processes (the demo) read it
// with GET /_emulator/keystone/totp?user=NAME.
func (e *Emulator) KeystoneTOTPCode(user string) (string, bool) {
	secret, ok := e.KeystoneTOTPSecret(user)
	if !ok {
		return "", false
	}
	k, err := totp.Parse(secret)
	if err != nil {
		return "", false
	}
	return k.Code(e.Now()), true
}

// SetKeystoneTOTPSecret replaces a Keystone user's TOTP credentials with
// one for secret (base32); "" removes them.
func (e *Emulator) SetKeystoneTOTPSecret(user, secret string) error {
	s := stateOf(e, "keystone", newKeystoneState)
	u := s.user(user)
	if u == nil {
		return fmt.Errorf("no Keystone user %q", user)
	}
	var secrets []string
	if secret != "" {
		if _, err := totp.Parse(secret); err != nil {
			return err
		}
		secrets = []string{secret}
	}
	s.mu.Lock()
	u.totp = secrets
	s.mu.Unlock()
	return nil
}

// SetKeystoneMFARules sets a Keystone user's multi_factor_auth_rules, each
// rule a set of methods that together log in; nil or empty removes them.
func (e *Emulator) SetKeystoneMFARules(user string, rules [][]string) error {
	s := stateOf(e, "keystone", newKeystoneState)
	u := s.user(user)
	if u == nil {
		return fmt.Errorf("no Keystone user %q", user)
	}
	cp := make([][]string, 0, len(rules))
	for _, r := range rules {
		cp = append(cp, slices.Clone(r))
	}
	s.mu.Lock()
	u.mfaRules = cp
	s.mu.Unlock()
	return nil
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

// ksErrorIdentity is the error of an auth plugin, which carries an
// "identity" object (empty for the application credential's scope error).
func ksErrorIdentity(w http.ResponseWriter, r *http.Request, status int, msg string) {
	ksHeaders(w)
	w.Header().Set("WWW-Authenticate", fmt.Sprintf("Keystone uri=%q", ksBase(r)))
	writeJSON(w, status, ksCT, map[string]any{"error": map[string]any{
		"code": status, "identity": map[string]any{}, "message": msg, "title": http.StatusText(status),
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
	Passcode string `json:"passcode"`
}

type ksPasswordAuth struct {
	User *ksUserRef `json:"user"`
}

type ksTOTPAuth struct {
	User *ksUserRef `json:"user"`
}

type ksAppCredAuth struct {
	ID     string     `json:"id"`
	Name   string     `json:"name"`
	Secret string     `json:"secret"`
	User   *ksUserRef `json:"user"`
}

type ksTokenAuth struct {
	ID *string `json:"id"`
}

type ksAuthRequest struct {
	Auth *struct {
		Identity *struct {
			Methods               []string        `json:"methods"`
			Password              *ksPasswordAuth `json:"password"`
			TOTP                  *ksTOTPAuth     `json:"totp"`
			ApplicationCredential *ksAppCredAuth  `json:"application_credential"`
			Token                 *ksTokenAuth    `json:"token"`
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
	now := e.Now()
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
	// Keystone refuses a scope next to an application credential before
	// it looks at the credential.
	if raw := bytes.TrimSpace(in.Auth.Scope); slices.Contains(id.Methods, "application_credential") && len(raw) > 0 && string(raw) != "null" {
		ksErrorIdentity(w, r, http.StatusUnauthorized, ksAppCredScope)
		return
	}
	data := &ksTokenData{auditID: randomString(22, b64url)}
	// reissued is the token the token method presents.
	var reissued *Token
	for _, m := range id.Methods {
		if slices.Contains(data.methods, m) {
			continue
		}
		var u *ksUser
		ok := false
		switch m {
		case "password":
			u, ok = s.password(w, r, id.Password)
		case "totp":
			u, ok = s.totpLogin(w, r, id.TOTP, now)
		case "application_credential":
			var cred *ksAppCred
			if cred, ok = s.appCred(w, r, id.ApplicationCredential, now); ok {
				u, data.appcred, data.project = cred.user, cred, s.projects[cred.project]
			}
		case "token":
			if reissued, ok = s.tokenAuth(e, w, r, id.Token, in.Auth.Scope); ok {
				old := reissued.Data.(*ksTokenData)
				u, data.chain = old.user, old.chain
				if data.chain == "" {
					data.chain = old.auditID
				}
				// The new token was authenticated by every method the
				// old one was, and by the token.
				for _, om := range old.methods {
					if !slices.Contains(data.methods, om) {
						data.methods = append(data.methods, om)
					}
				}
			}
		default:
			// Keystone answers an unsupported method with 401.
			ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
		}
		if !ok {
			return
		}
		if data.user != nil && data.user != u {
			ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
			return
		}
		data.user = u
		data.methods = append(data.methods, m)
	}
	if v := r.Header.Get(ksReceiptHeader); v != "" {
		rc := s.takeReceipt(v, now)
		if rc == nil || rc.user != data.user {
			ksError(w, r, http.StatusUnauthorized, "Could not find auth receipt: "+v+".")
			return
		}
		for _, m := range rc.methods {
			if !slices.Contains(data.methods, m) {
				data.methods = append(data.methods, m)
			}
		}
	}
	// The rules are checked before the scope: a user who lacks a role on
	// the scope still gets a receipt first.
	if rules, ok := s.mfaCheck(data.user, data.methods); !ok {
		s.writeReceipt(w, data.user, data.methods, rules, now)
		return
	}
	if data.appcred == nil {
		if status, msg := s.scope(data, in.Auth.Scope); status != 0 {
			ksError(w, r, status, msg)
			return
		}
	}
	e.countLogin("keystone")
	value := "gAAAAAB" + randomString(176, b64url)
	var tok *Token
	if reissued != nil {
		tok = e.issueTokenUntil("keystone", data.user.name, value, data, reissued.ExpiresAt)
	} else {
		tok = e.issueToken("keystone", data.user.name, value, data)
	}
	w.Header().Set("X-Subject-Token", tok.Value)
	s.writeToken(w, r, http.StatusCreated, tok)
}

// password checks the password method; on failure it has answered.
func (s *keystoneState) password(w http.ResponseWriter, r *http.Request, pw *ksPasswordAuth) (*ksUser, bool) {
	if pw == nil || pw.User == nil {
		ksError(w, r, http.StatusBadRequest, "Expecting to find password in identity."+ksValidationTail)
		return nil, false
	}
	u, bad := s.findUser(&pw.User.ksRef)
	if bad != "" {
		ksError(w, r, http.StatusBadRequest, string(bad))
		return nil, false
	}
	if u == nil || pw.User.Password == "" || u.password != pw.User.Password {
		ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
		return nil, false
	}
	return u, true
}

// tokenAuth checks the token method: the token must be valid and not
// delegated, and a system-scoped token cannot ask for a project or a
// domain. On failure it has answered, with Keystone's status and text.
func (s *keystoneState) tokenAuth(e *Emulator, w http.ResponseWriter, r *http.Request, ta *ksTokenAuth, scope json.RawMessage) (*Token, bool) {
	switch {
	case ta == nil:
		ksError(w, r, http.StatusBadRequest, "Expecting to find token in identity."+ksValidationTail)
		return nil, false
	case ta.ID == nil:
		ksError(w, r, http.StatusBadRequest, ksTokenIDMissing)
		return nil, false
	}
	t, ok := e.lookupToken("keystone", *ta.ID)
	switch {
	case t == nil:
		ksError(w, r, http.StatusNotFound, ksNotRecognized)
		return nil, false
	case !ok:
		ksError(w, r, http.StatusNotFound, ksNotValidated)
		return nil, false
	}
	old := t.Data.(*ksTokenData)
	if old.appcred != nil {
		ksError(w, r, http.StatusForbidden, ksDelegated)
		return nil, false
	}
	if old.system {
		var sc ksScopeRequest
		if json.Unmarshal(scope, &sc) == nil && (sc.Project != nil || sc.Domain != nil) {
			ksError(w, r, http.StatusForbidden, ksSystemRescope)
			return nil, false
		}
	}
	return t, true
}

// totpLogin checks the totp method: the passcode must be the code of one
// of the user's TOTP credentials for now or the step before.
func (s *keystoneState) totpLogin(w http.ResponseWriter, r *http.Request, t *ksTOTPAuth, now time.Time) (*ksUser, bool) {
	if t == nil {
		ksError(w, r, http.StatusBadRequest, "Expecting to find totp in identity."+ksValidationTail)
		return nil, false
	}
	if t.User == nil {
		ksError(w, r, http.StatusBadRequest, "Expecting to find user in totp."+ksValidationTail)
		return nil, false
	}
	u, bad := s.findUser(&t.User.ksRef)
	if bad != "" {
		ksError(w, r, http.StatusBadRequest, string(bad))
		return nil, false
	}
	if u == nil || !s.validCode(u, t.User.Passcode, now) {
		ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
		return nil, false
	}
	return u, true
}

func (s *keystoneState) validCode(u *ksUser, code string, now time.Time) bool {
	s.mu.Lock()
	secrets := slices.Clone(u.totp)
	s.mu.Unlock()
	if code == "" {
		return false
	}
	for _, secret := range secrets {
		k, err := totp.Parse(secret)
		if err != nil {
			continue
		}
		step := k.Counter(now)
		for i := uint64(0); i <= ksTOTPWindows && i <= step; i++ {
			if k.CodeAt(step-i) == code {
				return true
			}
		}
	}
	return false
}

// appCred checks the application_credential method.
func (s *keystoneState) appCred(w http.ResponseWriter, r *http.Request, ac *ksAppCredAuth, now time.Time) (*ksAppCred, bool) {
	if ac == nil {
		ksError(w, r, http.StatusBadRequest, "Expecting to find application_credential in identity."+ksValidationTail)
		return nil, false
	}
	var cred *ksAppCred
	switch {
	case ac.ID != "":
		if cred = s.appcreds[ac.ID]; cred == nil {
			ksError(w, r, http.StatusNotFound, fmt.Sprintf("Could not find Application Credential: %s.", ac.ID))
			return nil, false
		}
	case ac.Name != "":
		if ac.User == nil {
			ksError(w, r, http.StatusBadRequest, "Expecting to find user in application_credential."+ksValidationTail)
			return nil, false
		}
		u, bad := s.findUser(&ac.User.ksRef)
		if bad != "" {
			ksError(w, r, http.StatusBadRequest, string(bad))
			return nil, false
		}
		if u == nil {
			ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
			return nil, false
		}
		for _, c := range s.appcreds {
			if c.user == u && c.name == ac.Name {
				cred = c
			}
		}
		if cred == nil {
			ksError(w, r, http.StatusNotFound, fmt.Sprintf("Could not find Application Credential: %s.", ac.Name))
			return nil, false
		}
	default:
		ksError(w, r, http.StatusBadRequest, "Expecting to find id or name in application_credential."+ksValidationTail)
		return nil, false
	}
	expired := !cred.expiresAt.IsZero() && !now.Before(cred.expiresAt)
	if ac.Secret == "" || ac.Secret != cred.secret || expired {
		ksError(w, r, http.StatusUnauthorized, ksUnauthorized)
		return nil, false
	}
	return cred, true
}

// mfaCheck reports whether the methods done satisfy one of the user's
// rules (each taken as far as its methods are enabled), and the rules.
func (s *keystoneState) mfaCheck(u *ksUser, done []string) ([][]string, bool) {
	s.mu.Lock()
	rules := slices.Clone(u.mfaRules)
	s.mu.Unlock()
	if len(rules) == 0 {
		return nil, true
	}
	for _, rule := range rules {
		if all(rule, func(m string) bool { return slices.Contains(done, m) || !slices.Contains(ksAuthMethods, m) }) {
			return rules, true
		}
	}
	return rules, false
}

func all(list []string, f func(string) bool) bool {
	for _, v := range list {
		if !f(v) {
			return false
		}
	}
	return true
}

// writeReceipt answers a login that satisfied no rule: 401 with a receipt
// for the methods done, and the rules (enabled methods only) that include
// one of them. Unlike Keystone's other 401s it has no WWW-Authenticate.
func (s *keystoneState) writeReceipt(w http.ResponseWriter, u *ksUser, done []string, rules [][]string, now time.Time) {
	value := "gAAAAAB" + randomString(112, b64url)
	rc := &ksReceipt{user: u, methods: slices.Clone(done), issuedAt: now, expiresAt: now.Add(ksReceiptLife)}
	s.mu.Lock()
	s.receipts[value] = rc
	s.mu.Unlock()
	required := [][]string{}
	for _, rule := range rules {
		var enabled []string
		for _, m := range rule {
			if slices.Contains(ksAuthMethods, m) && !slices.Contains(enabled, m) {
				enabled = append(enabled, m)
			}
		}
		if slices.ContainsFunc(enabled, func(m string) bool { return slices.Contains(done, m) }) {
			required = append(required, enabled)
		}
	}
	body := ksReceiptBody{
		Receipt: ksReceiptJSON{
			Methods: rc.methods,
			User: ksReceiptUserJSON{ID: u.id, Name: u.name,
				Domain: ksNamed{ID: u.domain.id, Name: u.domain.name}},
			ExpiresAt: rc.expiresAt.UTC().Truncate(time.Second).Format(ksTimeFormat),
			IssuedAt:  rc.issuedAt.UTC().Truncate(time.Second).Format(ksTimeFormat),
		},
		RequiredAuthMethods: required,
	}
	w.Header().Set(ksReceiptHeader, value)
	ksHeaders(w)
	writeJSON(w, http.StatusUnauthorized, ksCT, body)
}

// takeReceipt returns a receipt that is known and not expired. A receipt
// may be used again until it expires, as Keystone's fernet receipts can.
func (s *keystoneState) takeReceipt(value string, now time.Time) *ksReceipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	rc := s.receipts[value]
	if rc == nil || !now.Before(rc.expiresAt) {
		return nil
	}
	return rc
}

// The receipt body, with Keystone's key order.
type ksReceiptBody struct {
	Receipt             ksReceiptJSON `json:"receipt"`
	RequiredAuthMethods [][]string    `json:"required_auth_methods"`
}

type ksReceiptJSON struct {
	Methods   []string          `json:"methods"`
	User      ksReceiptUserJSON `json:"user"`
	ExpiresAt string            `json:"expires_at"`
	IssuedAt  string            `json:"issued_at"`
}

type ksReceiptUserJSON struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Domain ksNamed `json:"domain"`
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
	case sc.System != nil:
		if !sc.System.All || len(data.user.roles["system"]) == 0 {
			return http.StatusUnauthorized, ksUnauthorized
		}
		data.system = true
	default:
		// Trusts need assignments the demo data lacks.
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
	System                *ksSystemJSON     `json:"system,omitempty"`
	Catalog               []ksServiceJSON   `json:"catalog,omitempty"`
	ApplicationCredential *ksAppCredRefJSON `json:"application_credential,omitempty"`
}

type ksSystemJSON struct {
	All bool `json:"all"`
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
		AuditIDs:  slices.DeleteFunc([]string{d.auditID, d.chain}, func(id string) bool { return id == "" }),
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
	case d.system:
		body.System = &ksSystemJSON{All: true}
		roles = d.user.roles["system"]
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
// regions with a public, an internal and an admin endpoint. A token without
// a project lists a service whose URLs need one with no endpoints, as
// Keystone does.
func (s *keystoneState) catalog(base, projectID string) []ksServiceJSON {
	out := make([]ksServiceJSON, 0, len(s.services))
	for _, svc := range s.services {
		entry := ksServiceJSON{ID: stableID("keystone/service/" + svc.typ), Type: svc.typ, Name: svc.name, Endpoints: []ksEndpointJSON{}}
		if projectID == "" && strings.Contains(svc.path, "{project_id}") {
			out = append(out, entry)
			continue
		}
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
