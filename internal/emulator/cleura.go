package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Cleura Cloud REST API v1, under /cleura. Shapes follow the public docs
// (docs.cleura.cloud "Accessing the Cleura Cloud REST API") and the v1
// clients: {"auth":{...}} logins answered with 200 and a "result", SMS
// two-factor in three steps with the code as a JSON integer, X-AUTH-LOGIN
// and X-AUTH-TOKEN checked as a pair, 403 {"error":{"code":403,"message":
// "Invalid token"}} for a token that is missing, unknown, expired, revoked
// or belongs to another login, and PHP-style escaped slashes ("Sweden \/
// Stockholm") in the domains list.
//
// Where the docs are silent the emulator picks one answer [INF]:
//   - a refused login is 400 {"error":{"code":400,"message":"Login failed"}}
//     (the v2 spec declares only 400 for bad requests to its token call);
//   - an account with SMS two-factor that logs in without "twofa_method"
//     gets "twofactor_required" with a verification anyway, as the official
//     provider's v1 helper script (scripts/cleura_token.sh) expects; a
//     "twofa_method" is ignored for accounts without two-factor;
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
	users map[string]*cleuraUser // lower-case login
	// verifications by verification id.
	verifications map[string]*cleuraVerification
	// lastCode by lower-case login, for tests and the demo.
	lastCode map[string]string
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

func registerCleura(e *Emulator) {
	s := stateOf(e, "cleura", newCleuraState)
	e.handle("POST /cleura/auth/v1/tokens", "cleura.login", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Auth *struct {
				Login       string `json:"login"`
				Password    string `json:"password"`
				TwofaMethod string `json:"twofa_method"`
			} `json:"auth"`
		}
		if !cleuraDecode(w, r, &in) {
			return
		}
		if in.Auth == nil || in.Auth.Login == "" || in.Auth.Password == "" {
			cleuraError(w, http.StatusBadRequest, "Missing auth.login or auth.password")
			return
		}
		if m := in.Auth.TwofaMethod; m != "" && m != "sms" {
			cleuraError(w, http.StatusBadRequest, "Unsupported twofa_method: only sms can be used with the REST API")
			return
		}
		key := strings.ToLower(in.Auth.Login)
		e.mu.Lock()
		u := s.users[key]
		e.mu.Unlock()
		if u == nil || u.password != in.Auth.Password {
			cleuraError(w, http.StatusBadRequest, cleuraLoginFailed)
			return
		}
		if u.sms {
			v := randomString(10, lowerNum)
			e.mu.Lock()
			s.verifications[v] = &cleuraVerification{login: key}
			e.mu.Unlock()
			writeJSON(w, http.StatusOK, cleuraCT, map[string]string{
				"result": "twofactor_required", "type": "sms", "verification": v,
			})
			return
		}
		e.countLogin("cleura")
		tok := e.issueToken("cleura", key, randomString(32, alnum), nil)
		writeJSON(w, http.StatusOK, cleuraCT, map[string]string{"result": "login_ok", "token": tok.Value})
	})
	e.handle("POST /cleura/auth/v1/tokens/request2facode", "cleura.request2facode", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Request2FA *struct {
				Login        string `json:"login"`
				Verification string `json:"verification"`
			} `json:"request2fa"`
		}
		if !cleuraDecode(w, r, &in) {
			return
		}
		if in.Request2FA == nil || in.Request2FA.Login == "" || in.Request2FA.Verification == "" {
			cleuraError(w, http.StatusBadRequest, "Missing request2fa.login or request2fa.verification")
			return
		}
		key := strings.ToLower(in.Request2FA.Login)
		now := e.Now()
		e.mu.Lock()
		defer e.mu.Unlock()
		v := s.verifications[in.Request2FA.Verification]
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
		w.WriteHeader(http.StatusNoContent)
	})
	e.handle("POST /cleura/auth/v1/tokens/verify2fa", "cleura.verify2fa", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Verify2FA *struct {
				Login        string          `json:"login"`
				Verification string          `json:"verification"`
				Code         json.RawMessage `json:"code"`
			} `json:"verify2fa"`
		}
		if !cleuraDecode(w, r, &in) {
			return
		}
		f := in.Verify2FA
		if f == nil || f.Login == "" || f.Verification == "" || len(f.Code) == 0 {
			cleuraError(w, http.StatusBadRequest, "Missing verify2fa.login, verify2fa.verification or verify2fa.code")
			return
		}
		// The docs: "Make sure not to put the code in quotes, for it is of
		// type integer".
		var code int64
		if err := json.Unmarshal(f.Code, &code); err != nil || bytes.ContainsAny(f.Code, ".eE") {
			cleuraError(w, http.StatusBadRequest, "verify2fa.code must be an integer")
			return
		}
		key := strings.ToLower(f.Login)
		now := e.Now()
		e.mu.Lock()
		v := s.verifications[f.Verification]
		if v == nil || v.login != key || v.code == "" {
			e.mu.Unlock()
			cleuraError(w, http.StatusBadRequest, cleuraBadVerify)
			return
		}
		if !now.Before(v.sentAt.Add(CleuraCodeLifetime)) {
			delete(s.verifications, f.Verification)
			e.mu.Unlock()
			cleuraError(w, http.StatusBadRequest, cleuraCodeExpired)
			return
		}
		if strconv.FormatInt(code, 10) != v.code {
			v.attempts++
			if v.attempts >= CleuraCodeAttempts {
				delete(s.verifications, f.Verification)
			}
			e.mu.Unlock()
			cleuraError(w, http.StatusBadRequest, cleuraBadCode)
			return
		}
		delete(s.verifications, f.Verification)
		e.mu.Unlock()
		e.countLogin("cleura")
		tok := e.issueToken("cleura", key, randomString(32, alnum), nil)
		writeJSON(w, http.StatusOK, cleuraCT, map[string]string{"result": "login_ok", "token": tok.Value})
	})
	e.handle("POST /cleura/auth/v1/tokens/validate", "cleura.validate", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.authorize(e, w, r); !ok {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	e.handle("DELETE /cleura/auth/v1/tokens", "cleura.revoke", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.authorize(e, w, r); !ok {
			return
		}
		e.mu.Lock()
		if t := e.tokens["cleura\x00"+r.Header.Get("X-AUTH-TOKEN")]; t != nil {
			t.Revoked = true
		}
		e.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	e.handle("GET /cleura/accesscontrol/v1/openstack/domains", "cleura.domains", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.authorize(e, w, r)
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
	e.handle("/cleura/", "cleura.unknown", func(w http.ResponseWriter, r *http.Request) {
		cleuraError(w, http.StatusNotFound, "not found")
	})
	e.mux.HandleFunc("GET /_emulator/cleura/sms", func(w http.ResponseWriter, r *http.Request) {
		login := r.URL.Query().Get("login")
		code, ok := e.CleuraSMSCode(login)
		if !ok {
			writeJSON(w, http.StatusNotFound, "", map[string]string{"message": "no SMS code was sent to " + login})
			return
		}
		writeJSON(w, http.StatusOK, "", map[string]string{"login": login, "code": code})
	})
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

// authorize checks X-AUTH-LOGIN and X-AUTH-TOKEN as a pair and answers the
// documented 403 itself when they do not match a live token.
func (s *cleuraState) authorize(e *Emulator, w http.ResponseWriter, r *http.Request) (*cleuraUser, bool) {
	login := strings.ToLower(r.Header.Get("X-AUTH-LOGIN"))
	tok, ok := e.lookupToken("cleura", r.Header.Get("X-AUTH-TOKEN"))
	if !ok || login == "" || tok.Principal != login {
		cleuraError(w, http.StatusForbidden, cleuraInvalidToken)
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
		users: map[string]*cleuraUser{
			CleuraUser:        {password: CleuraPassword, domains: true, data: seed},
			CleuraSMSUser:     {password: CleuraSMSPassword, sms: true, domains: true, data: docs},
			CleuraLimitedUser: {password: CleuraLimitedPassword},
		},
		verifications: map[string]*cleuraVerification{},
		lastCode:      map[string]string{},
	}
}
