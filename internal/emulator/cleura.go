package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Cleura Cloud REST API, under /cleura. Shapes follow the public docs
// (docs.cleura.cloud "Accessing the Cleura Cloud REST API"), the v1 clients
// and, for the v2 auth API, the official tools (cleura-cli and the
// OpenAPI-generated cleura-client-go):
//   - v1: {"auth":{...}} logins answered with 200 and a "result"; SMS
//     two-factor in three steps (request2facode, verify2fa);
//   - v2: flat {"login","password","two_factor_method"} logins answered
//     with 201; request-sms-code (204) and tokens-by-sms-code (200
//     {"token"}); validate and revoke refuse a bad token with 401;
//   - both: the code as a JSON integer, X-AUTH-LOGIN and X-AUTH-TOKEN
//     checked as a pair, 403 {"error":{"code":403,"message":"Invalid
//     token"}} on the data endpoints for a token that is missing, unknown,
//     expired, revoked or belongs to another login, and PHP-style escaped
//     slashes ("Sweden \/ Stockholm") in the domains list.
//
// Both generations are served unless SetCleuraAuthAPI (or the control
// endpoint POST /_emulator/cleura/auth?api=v1|v2|both) switches one off.
// They share route names ("cleura.login" is either token call), so that
// counters and faults mean the same whichever a client speaks;
// CleuraAuthRequests tells them apart.
//
// Where the sources are silent the emulator picks one answer [INF]:
//   - a refused login is 400 {"error":{"code":400,"message":"Login failed"}}
//     (the v2 spec declares only 400 for bad requests to its token call);
//   - an account with SMS two-factor that logs in without a method gets
//     "twofactor_required" with a verification anyway on v1, as the
//     official provider's v1 helper script (scripts/cleura_token.sh)
//     expects, and "twofactor_options" ["sms"] on v2; a method is ignored
//     for accounts without two-factor;
//   - an SMS code lives CleuraCodeLifetime and allows CleuraCodeAttempts
//     wrong tries; after that the verification is gone;
//   - a malformed body, a missing field or a quoted code is 400 with a
//     message naming the problem.
//
// Tests read the last SMS code with (*Emulator).CleuraSMSCode; other
// processes (the demo) with GET /_emulator/cleura/sms?login=NAME.

// Cleura demo accounts.
const (
	// CleuraUser has no two-factor authentication.
	CleuraUser     = "cloudauth-demo"
	CleuraPassword = "cleura-demo-password"
	// CleuraSMSUser has SMS two-factor authentication.
	CleuraSMSUser     = "cloudauth-sms"
	CleuraSMSPassword = "cleura-sms-password"
	// CleuraLimitedUser may log in but not list domains.
	CleuraLimitedUser     = "cloudauth-limited"
	CleuraLimitedPassword = "cleura-limited-password"
)

// SMS code rules [INF].
const (
	CleuraCodeLifetime = 5 * time.Minute
	CleuraCodeAttempts = 3
)

// Messages of the error answers.
const (
	cleuraInvalidToken = "Invalid token"
	cleuraNoAccess     = "No access: Your user does not have access to this method."
	cleuraLoginFailed  = "Login failed"
	cleuraBadVerify    = "Invalid verification"
	cleuraBadCode      = "Invalid code"
	cleuraCodeExpired  = "Code expired"
)

type cleuraUser struct {
	password string
	sms      bool
	domains  bool // may list domains
	data     []cleuraDomain
}

// cleuraVerification is one SMS login in progress.
type cleuraVerification struct {
	login    string
	code     string // "" until request2facode
	sentAt   time.Time
	attempts int
}

type cleuraState struct {
	// api is the auth API generation served: CleuraAuthBoth, V1 or V2.
	api string
	// served counts the auth requests each generation served.
	served map[string]int
	users  map[string]*cleuraUser // lower-case login
	// verifications by verification id.
	verifications map[string]*cleuraVerification
	// lastCode by lower-case login, for tests and the demo.
	lastCode map[string]string
	// smsSent counts the SMS codes sent, by lower-case login.
	smsSent map[string]int
}

// cleuraDomain is an entry of GET /accesscontrol/v1/openstack/domains, in
// the field order of the docs' example. "available" areas have no id,
// name or enabled.
type cleuraDomain struct {
	Area    cleuraArea `json:"area"`
	ID      string     `json:"id,omitempty"`
	Status  string     `json:"status"`
	Name    string     `json:"name,omitempty"`
	Enabled *bool      `json:"enabled,omitempty"`
}

type cleuraArea struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Tag     string         `json:"tag"`
	Regions []cleuraRegion `json:"regions"`
}

type cleuraRegion struct {
	ZoneID string `json:"zone_id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Region string `json:"region"`
}

func init() {
	register(registerCleura)
	describe(CloudInfo{Cloud: "cleura", Path: "/cleura", Settings: [][2]string{
		{"url", "<base>/cleura"}, {"username", CleuraUser}, {"password", CleuraPassword},
	}})
}

const cleuraCT = "application/json"

// Generations of the auth API the emulator can serve.
const (
	CleuraAuthBoth = "both"
	CleuraAuthV1   = "v1"
	CleuraAuthV2   = "v2"
)

// SetCleuraAuthAPI makes the emulator serve only one generation of the
// auth API ("v1" or "v2"), or both ("both", the default): the other one
// answers 404 like any path the API does not have. The domains endpoint
// is served either way.
func (e *Emulator) SetCleuraAuthAPI(api string) error {
	if api == "" {
		api = CleuraAuthBoth
	}
	if api != CleuraAuthBoth && api != CleuraAuthV1 && api != CleuraAuthV2 {
		return fmt.Errorf("unknown Cleura auth API %q: use v1, v2 or both", api)
	}
	s := stateOf(e, "cleura", newCleuraState)
	e.mu.Lock()
	s.api = api
	e.mu.Unlock()
	return nil
}

// CleuraAuthRequests returns how many requests the auth API of one
// generation ("v1" or "v2") served since the emulator started
// (ResetCounters leaves it); requests to a generation switched off are not
// among them (they count as route cleura.unknown).
func (e *Emulator) CleuraAuthRequests(gen string) int {
	s := stateOf(e, "cleura", newCleuraState)
	e.mu.Lock()
	defer e.mu.Unlock()
	return s.served[gen]
}

// cleuraGen is what differs between the two auth API generations.
type cleuraGen struct {
	name string
	// created is the status of a token answer (v1 200, v2 201).
	created int
	// denied is the status for a bad token on validate and revoke: v1 403
	// like the data endpoints, v2 401 as its spec declares.
	denied int
	// method is the login's field for the second factor.
	method string
	// field names a request field in error messages.
	field func(wrapper, name string) string
}

var (
	cleuraV1 = cleuraGen{name: CleuraAuthV1, created: http.StatusOK, denied: http.StatusForbidden, method: "twofa_method",
		field: func(wrapper, name string) string { return wrapper + "." + name }}
	cleuraV2 = cleuraGen{name: CleuraAuthV2, created: http.StatusCreated, denied: http.StatusUnauthorized, method: "two_factor_method",
		field: func(_, name string) string { return name }}
)

func registerCleura(e *Emulator) {
	s := stateOf(e, "cleura", newCleuraState)
	unknown := e.route("cleura.unknown", func(w http.ResponseWriter, r *http.Request) {
		cleuraError(w, http.StatusNotFound, "not found")
	})
	// auth registers an auth API route of one generation; while that
	// generation is switched off the path is unknown.
	auth := func(g cleuraGen, pattern, name string, h http.HandlerFunc) {
		served := e.route(name, func(w http.ResponseWriter, r *http.Request) {
			e.mu.Lock()
			s.served[g.name]++
			e.mu.Unlock()
			h(w, r)
		})
		e.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			e.mu.Lock()
			on := s.api == CleuraAuthBoth || s.api == g.name
			e.mu.Unlock()
			if !on {
				unknown(w, r)
				return
			}
			served(w, r)
		})
	}

	auth(cleuraV1, "POST /cleura/auth/v1/tokens", "cleura.login", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Auth *cleuraLoginRequest `json:"auth"`
		}
		if !cleuraDecode(w, r, &in) {
			return
		}
		if in.Auth == nil {
			in.Auth = &cleuraLoginRequest{}
		}
		s.createToken(e, w, cleuraV1, *in.Auth, in.Auth.TwofaMethod)
	})
	auth(cleuraV2, "POST /cleura/auth/v2/tokens", "cleura.login", func(w http.ResponseWriter, r *http.Request) {
		var in cleuraLoginRequest
		if !cleuraDecode(w, r, &in) {
			return
		}
		s.createToken(e, w, cleuraV2, in, in.TwoFactorMethod)
	})
	auth(cleuraV1, "POST /cleura/auth/v1/tokens/request2facode", "cleura.request2facode", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Request2FA *cleuraCodeRequest `json:"request2fa"`
		}
		if !cleuraDecode(w, r, &in) {
			return
		}
		if in.Request2FA == nil {
			in.Request2FA = &cleuraCodeRequest{}
		}
		s.requestCode(e, w, cleuraV1, "request2fa", *in.Request2FA)
	})
	auth(cleuraV2, "POST /cleura/auth/v2/request-sms-code", "cleura.request2facode", func(w http.ResponseWriter, r *http.Request) {
		var in cleuraCodeRequest
		if !cleuraDecode(w, r, &in) {
			return
		}
		s.requestCode(e, w, cleuraV2, "", in)
	})
	auth(cleuraV1, "POST /cleura/auth/v1/tokens/verify2fa", "cleura.verify2fa", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Verify2FA *cleuraCodeRequest `json:"verify2fa"`
		}
		if !cleuraDecode(w, r, &in) {
			return
		}
		if in.Verify2FA == nil {
			in.Verify2FA = &cleuraCodeRequest{}
		}
		if tok, ok := s.verifyCode(e, w, cleuraV1, "verify2fa", *in.Verify2FA); ok {
			writeJSON(w, http.StatusOK, cleuraCT, map[string]string{"result": "login_ok", "token": tok})
		}
	})
	auth(cleuraV2, "POST /cleura/auth/v2/tokens-by-sms-code", "cleura.verify2fa", func(w http.ResponseWriter, r *http.Request) {
		var in cleuraCodeRequest
		if !cleuraDecode(w, r, &in) {
			return
		}
		if tok, ok := s.verifyCode(e, w, cleuraV2, "", in); ok {
			writeJSON(w, http.StatusOK, cleuraCT, map[string]string{"token": tok})
		}
	})
	for _, g := range []cleuraGen{cleuraV1, cleuraV2} {
		prefix := "/cleura/auth/" + g.name
		auth(g, "POST "+prefix+"/tokens/validate", "cleura.validate", func(w http.ResponseWriter, r *http.Request) {
			if _, ok := s.authorize(e, w, r, g.denied); !ok {
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
		auth(g, "DELETE "+prefix+"/tokens", "cleura.revoke", func(w http.ResponseWriter, r *http.Request) {
			if _, ok := s.authorize(e, w, r, g.denied); !ok {
				return
			}
			e.mu.Lock()
			if t := e.tokens["cleura\x00"+r.Header.Get("X-AUTH-TOKEN")]; t != nil {
				t.Revoked = true
			}
			e.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		})
	}
	e.handle("GET /cleura/accesscontrol/v1/openstack/domains", "cleura.domains", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.authorize(e, w, r, http.StatusForbidden)
		if !ok {
			return
		}
		if !u.domains {
			cleuraError(w, http.StatusForbidden, cleuraNoAccess)
			return
		}
		b, err := json.Marshal(u.data)
		if err != nil {
			cleuraError(w, http.StatusInternalServerError, err.Error())
			return
		}
		// The real API's encoder escapes every slash; slashes only occur
		// inside strings, so this keeps the JSON valid.
		b = bytes.ReplaceAll(b, []byte("/"), []byte(`\/`))
		w.Header().Set("Content-Type", cleuraCT)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	})
	e.mux.HandleFunc("/cleura/", unknown)
	e.mux.HandleFunc("GET /_emulator/cleura/sms", func(w http.ResponseWriter, r *http.Request) {
		login := r.URL.Query().Get("login")
		code, ok := e.CleuraSMSCode(login)
		if !ok {
			writeJSON(w, http.StatusNotFound, "", map[string]string{"message": "no SMS code was sent to " + login})
			return
		}
		writeJSON(w, http.StatusOK, "", map[string]string{"login": login, "code": code})
	})
	e.mux.HandleFunc("POST /_emulator/cleura/auth", func(w http.ResponseWriter, r *http.Request) {
		if err := e.SetCleuraAuthAPI(r.URL.Query().Get("api")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// cleuraLoginRequest is a password login: v1 wraps it in "auth" and names
// the second factor twofa_method, v2 sends it flat as two_factor_method.
type cleuraLoginRequest struct {
	Login           string `json:"login"`
	Password        string `json:"password"`
	TwofaMethod     string `json:"twofa_method"`
	TwoFactorMethod string `json:"two_factor_method"`
}

// cleuraCodeRequest is a step of the SMS login: v1 wraps it in
// "request2fa" or "verify2fa", v2 sends it flat.
type cleuraCodeRequest struct {
	Login        string          `json:"login"`
	Verification string          `json:"verification"`
	Code         json.RawMessage `json:"code"`
	LanguageCode string          `json:"language_code"`
}

// createToken answers a password login.
func (s *cleuraState) createToken(e *Emulator, w http.ResponseWriter, g cleuraGen, in cleuraLoginRequest, method string) {
	if in.Login == "" || in.Password == "" {
		cleuraError(w, http.StatusBadRequest, "Missing "+g.field("auth", "login")+" or "+g.field("auth", "password"))
		return
	}
	if method != "" && method != "sms" {
		cleuraError(w, http.StatusBadRequest, "Unsupported "+g.field("auth", g.method)+": only sms can be used with the REST API")
		return
	}
	key := strings.ToLower(in.Login)
	e.mu.Lock()
	u := s.users[key]
	e.mu.Unlock()
	if u == nil || u.password != in.Password {
		cleuraError(w, http.StatusBadRequest, cleuraLoginFailed)
		return
	}
	if u.sms {
		// v2 lists the second factors when none was named, and the
		// client asks again with one; v1 goes straight to SMS [INF].
		if g.name == CleuraAuthV2 && method == "" {
			writeJSON(w, g.created, cleuraCT, map[string]any{"result": "twofactor_options", "options": []string{"sms"}})
			return
		}
		v := randomString(10, lowerNum)
		e.mu.Lock()
		s.verifications[v] = &cleuraVerification{login: key}
		e.mu.Unlock()
		writeJSON(w, g.created, cleuraCT, map[string]string{
			"result": "twofactor_required", "type": "sms", "verification": v,
		})
		return
	}
	e.countLogin("cleura")
	tok := e.issueToken("cleura", key, randomString(32, alnum), nil)
	writeJSON(w, g.created, cleuraCT, map[string]string{"result": "login_ok", "token": tok.Value})
}

// requestCode "sends" a new SMS code for a verification.
func (s *cleuraState) requestCode(e *Emulator, w http.ResponseWriter, g cleuraGen, wrapper string, in cleuraCodeRequest) {
	if in.Login == "" || in.Verification == "" {
		cleuraError(w, http.StatusBadRequest, "Missing "+g.field(wrapper, "login")+" or "+g.field(wrapper, "verification"))
		return
	}
	key := strings.ToLower(in.Login)
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	v := s.verifications[in.Verification]
	if v == nil || v.login != key {
		cleuraError(w, http.StatusBadRequest, cleuraBadVerify)
		return
	}
	// Each request sends a new SMS; only the newest code counts.
	v.code = randomString(6, "0123456789")
	if v.code[0] == '0' {
		v.code = "1" + v.code[1:] // a JSON integer has no leading zero
	}
	v.sentAt, v.attempts = now, 0
	s.lastCode[key] = v.code
	s.smsSent[key]++
	w.WriteHeader(http.StatusNoContent)
}

// verifyCode checks an SMS code and issues the token; on failure it has
// answered already.
func (s *cleuraState) verifyCode(e *Emulator, w http.ResponseWriter, g cleuraGen, wrapper string, f cleuraCodeRequest) (string, bool) {
	if f.Login == "" || f.Verification == "" || len(f.Code) == 0 {
		cleuraError(w, http.StatusBadRequest, "Missing "+g.field(wrapper, "login")+", "+g.field(wrapper, "verification")+" or "+g.field(wrapper, "code"))
		return "", false
	}
	// The docs: "Make sure not to put the code in quotes, for it is of
	// type integer".
	var code int64
	if err := json.Unmarshal(f.Code, &code); err != nil || bytes.ContainsAny(f.Code, ".eE") {
		cleuraError(w, http.StatusBadRequest, g.field(wrapper, "code")+" must be an integer")
		return "", false
	}
	key := strings.ToLower(f.Login)
	now := e.Now()
	e.mu.Lock()
	v := s.verifications[f.Verification]
	if v == nil || v.login != key || v.code == "" {
		e.mu.Unlock()
		cleuraError(w, http.StatusBadRequest, cleuraBadVerify)
		return "", false
	}
	if !now.Before(v.sentAt.Add(CleuraCodeLifetime)) {
		delete(s.verifications, f.Verification)
		e.mu.Unlock()
		cleuraError(w, http.StatusBadRequest, cleuraCodeExpired)
		return "", false
	}
	if strconv.FormatInt(code, 10) != v.code {
		v.attempts++
		if v.attempts >= CleuraCodeAttempts {
			delete(s.verifications, f.Verification)
		}
		e.mu.Unlock()
		cleuraError(w, http.StatusBadRequest, cleuraBadCode)
		return "", false
	}
	delete(s.verifications, f.Verification)
	e.mu.Unlock()
	e.countLogin("cleura")
	return e.issueToken("cleura", key, randomString(32, alnum), nil).Value, true
}

// CleuraSMSCode returns the last SMS code sent to a login, as the phone
// would show it.
func (e *Emulator) CleuraSMSCode(login string) (string, bool) {
	s := stateOf(e, "cleura", newCleuraState)
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := s.lastCode[strings.ToLower(login)]
	return c, ok
}

// CleuraSMSSent returns how many SMS codes were sent to a login; a test
// waits for the next one with WaitUntil, then reads it with CleuraSMSCode.
func (e *Emulator) CleuraSMSSent(login string) int {
	s := stateOf(e, "cleura", newCleuraState)
	e.mu.Lock()
	defer e.mu.Unlock()
	return s.smsSent[strings.ToLower(login)]
}

// cleuraDecode reads a JSON body whatever its Content-Type (the docs' curl
// examples send form-encoded content types) and answers 400 itself when
// it is not a JSON object.
func cleuraDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		msg := "Invalid JSON in the request body"
		if errors.As(err, &te) && te.Field != "" {
			msg = "Invalid value for " + te.Field
		}
		cleuraError(w, http.StatusBadRequest, msg)
		return false
	}
	return true
}

func cleuraError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, cleuraCT, map[string]any{"error": map[string]any{"code": status, "message": msg}})
}

// authorize checks X-AUTH-LOGIN and X-AUTH-TOKEN as a pair and answers
// denied (the documented 403, or v2's 401) itself when they do not match a
// live token.
func (s *cleuraState) authorize(e *Emulator, w http.ResponseWriter, r *http.Request, denied int) (*cleuraUser, bool) {
	login := strings.ToLower(r.Header.Get("X-AUTH-LOGIN"))
	tok, ok := e.lookupToken("cleura", r.Header.Get("X-AUTH-TOKEN"))
	if !ok || login == "" || tok.Principal != login {
		cleuraError(w, denied, cleuraInvalidToken)
		return nil, false
	}
	e.mu.Lock()
	u := s.users[login]
	e.mu.Unlock()
	return u, u != nil
}

func newCleuraState() *cleuraState {
	yes := true
	area := func(id, name, tag string, regions ...cleuraRegion) cleuraArea {
		return cleuraArea{ID: id, Name: name, Tag: tag, Regions: regions}
	}
	region := func(zone, name, tag string) cleuraRegion {
		return cleuraRegion{ZoneID: zone, Name: name, Status: "active", Region: tag}
	}
	provisioned := func(a cleuraArea, id, name string) cleuraDomain {
		return cleuraDomain{Area: a, ID: id, Status: "provisioned", Name: name, Enabled: &yes}
	}
	available := func(a cleuraArea) cleuraDomain { return cleuraDomain{Area: a, Status: "available"} }
	// The seed document's list, with two areas not yet provisioned.
	seed := []cleuraDomain{
		provisioned(area("6", "Sweden / Stockholm", "SE_STO2", region("2", "Stockholm / Sweden", "Sto2")),
			"79b0cef45b504586ad0bf057dc4cb8b8", "CCP_Domain_43597"),
		available(area("3", "Japan", "JP", region("7", "Tokyo / Japan", "tky1"))),
		provisioned(area("7", "Germany / Frankfurt", "DE", region("6", "Frankfurt / Germany", "Fra1")),
			"08db589d04f442e19c272f2cd1a02906", "CCP_Domain_43597"),
		available(area("2", "United Arab Emirates", "AE", region("8", "Dubai / UAE", "dx1"))),
		provisioned(area("1", "Europe", "EU", region("1", "Karlskrona / Sweden", "Kna1")),
			"a018123218f5428ba96d7fb212d90cf2", "CCP_Domain_43597"),
	}
	// The docs' three-entry example, for the two-factor account.
	docs := []cleuraDomain{
		provisioned(area("6", "Sweden / Stockholm", "SE_STO2", region("2", "Stockholm / Sweden", "Sto2")),
			"b7c3998142f0496aa3582d8a3ae9ae1e", "CCP_Domain_123P456"),
		provisioned(area("7", "Germany / Frankfurt", "DE", region("6", "Frankfurt / Germany", "Fra1")),
			"2d04a791db0e4a799b65c3794eda09bf", "CCP_Domain_123P456"),
		provisioned(area("1", "Europe", "EU", region("1", "Karlskrona / Sweden", "Kna1")),
			"989d137c832c42eb9a6c6839a5c28675", "CCP_Domain_123P456"),
	}
	return &cleuraState{
		api:    CleuraAuthBoth,
		served: map[string]int{},
		users: map[string]*cleuraUser{
			CleuraUser:        {password: CleuraPassword, domains: true, data: seed},
			CleuraSMSUser:     {password: CleuraSMSPassword, sms: true, domains: true, data: docs},
			CleuraLimitedUser: {password: CleuraLimitedPassword},
		},
		verifications: map[string]*cleuraVerification{},
		lastCode:      map[string]string{},
		smsSent:       map[string]int{},
	}
}
