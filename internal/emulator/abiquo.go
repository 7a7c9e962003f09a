package emulator

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
)

// Abiquo API, under /abiquo/api (a provider's endpoint is
// <emulator>/abiquo/api). It follows the public Abiquo docs and the 3.10
// API examples (see the Abiquo section of the API notes, whose §5b wins):
//
//   - Basic auth works on every resource and is what counts as a login;
//     GET /api/login answers the user (application/vnd.abiquo.user+json).
//   - Every authenticated answer carries a new X-Abiquo-Token valid for 30
//     minutes from then (a sliding expiry); earlier tokens stay valid until
//     their own expiry. Clients send it back as "Authorization: Token <t>".
//   - Users with two-factor authentication must add X-Abiquo-OTP to a Basic
//     login. GOOGLE_AUTHENTICATOR users send a TOTP code or one of their
//     five 8-digit scratch codes, each of which works once. EMAIL users get
//     a fresh code by mail for every Basic login without one, valid for
//     AbiquoEmailCodeLifetime (abiquo.2fa.email.timestep=60); tests read it
//     with (*Emulator).AbiquoEmailCode. Token and OAuth auth skip the code.
//   - OAuth 1.0a (RFC 5849, HMAC-SHA1) as Abiquo's own Python client uses
//     it: applications registered through the user's "applications" link,
//     /api/oauth/request_token, /authorize and /access_token, then every
//     request signed with the four values (abiquo_oauth.go).
//   - Errors are {"collection":[{"code","message"}]} with Content-Type
//     application/vnd.abiquo.errors+json: GEN-5 (401) for bad credentials,
//     GEN-4 (403) for a user without the privilege. Such 401s carry
//     WWW-Authenticate: Token realm="Abiquo".
//   - GET /api/admin/datacenters pages with startwith/limit (0: all) and
//     answers {totalSize, links, collection}; the links look like the
//     3.10 examples': "first" has no startwith, and every link names the
//     sort ("by"), which the client did not ask for.
//   - GET /api/login/sessions and DELETE /api/login/sessions/{userId}/{key}
//     or /api/login/sessions/users/{userId} list and end sessions.
//
// Control routes besides those of control.go, for people and scripts:
// GET /_emulator/abiquo/email?user=NAME shows the latest mailed code, and
// POST /_emulator/abiquo/oauth/revoke?user=NAME revokes OAuth access
// tokens (every user's without user).
//
// Choices where the docs are silent ([INF] in the notes):
//   - A wrong or expired token gets the same 401 GEN-5 as a wrong password.
//     A request without credentials, or with a scheme the API does not
//     know, gets the servlet container's own page: Tomcat's text/html 401
//     with WWW-Authenticate: Basic realm="Abiquo API", as the 2010 docs
//     show. SetAbiquoHTMLErrors makes every 401 and 403 such a page.
//   - No public source shows how Abiquo refuses a two-factor login, so a
//     missing, wrong, expired or spent code gets a plain 401 (no body);
//     a client cannot tell it from a wrong password, and must not try.
//   - A TOTP code is accepted for one step (30 s) either side of the
//     current one, and may be used again within that time (as the common
//     Google Authenticator server libraries do), so that a plan and an
//     apply a few seconds apart can each log in; scratch codes are spent.
//     An email code is the latest one sent and may be used again while it
//     is valid, as a time-step code would.
//   - limit is capped at AbiquoMaxLimit (50), so that the 120 demo
//     datacenters take several pages and a client has to follow the next
//     links rather than assume the page size it asked for. limit=0 ("all"
//     in the docs) is not capped. A missing limit is the documented
//     default, 25. The list is sorted by name unless by=id is asked for:
//     the recorded links name by=name for requests that did not ask.
//   - Datacenters carry a uuid except every tenth, which stands for one
//     created before the API had the field.
//   - Media types: the Accept entity must match the resource (406
//     otherwise); a version parameter from 4.2 (when token auth came) to
//     6.1 is echoed in Content-Type, the newest (6.1) when none is asked.

// Abiquo demo users and data.
const (
	// AbiquoAdmin is a cloud administrator without two-factor auth.
	AbiquoAdmin         = "admin"
	AbiquoAdminPassword = "abiquo-admin-password"
	// AbiquoTwoFactorUser is a cloud administrator with Google
	// Authenticator codes (SHA1, 6 digits, 30 s) and scratch codes.
	AbiquoTwoFactorUser     = "sysadmin"
	AbiquoTwoFactorPassword = "abiquo-2fa-password"
	AbiquoTOTPSecret        = "MQENTMJDTNNY4SBF"
	AbiquoTOTPURL           = "otpauth://totp/1:sysadmin?secret=" + AbiquoTOTPSecret + "&issuer=Abiquo"
	// AbiquoOpsUser is a cloud administrator whose authenticator URL sets
	// every parameter: SHA256, 8 digits, 60-second steps.
	AbiquoOpsUser     = "ops"
	AbiquoOpsPassword = "abiquo-ops-password"
	AbiquoOpsOTPURL   = "otpauth://totp/1:ops?secret=YCOWXZJYY4YYF25D5ZZYWWBPT2Z4OO6Y&issuer=Abiquo&algorithm=SHA256&digits=8&period=60"
	// AbiquoUser may log in but not list datacenters (403 GEN-4).
	AbiquoUser         = "user"
	AbiquoUserPassword = "abiquo-user-password"
	// AbiquoEmailUser is a cloud administrator whose second factor is
	// EMAIL: every Basic login without a code mails a new one.
	AbiquoEmailUser     = "mailer"
	AbiquoEmailPassword = "abiquo-mail-password"
	// AbiquoEmailCodeLifetime is how long a mailed code is valid.
	AbiquoEmailCodeLifetime = 60 * time.Second

	// AbiquoDatacenterCount is how many datacenters the emulator starts with.
	AbiquoDatacenterCount = 120
	// AbiquoDefaultLimit is the page size when a request gives none.
	AbiquoDefaultLimit = 25
	// AbiquoMaxLimit caps the page size a request may ask for.
	AbiquoMaxLimit = 50
	// AbiquoNewestVersion is the media-type version answered by default.
	AbiquoNewestVersion = "6.1"
)

// AbiquoScratchCodes are the scratch codes of AbiquoTwoFactorUser. Each
// works once per emulator.
var AbiquoScratchCodes = []string{"78146079", "21211250", "21379084", "16500059", "14155547"}

// AbiquoTokenStats describes how clients used tokens.
type AbiquoTokenStats struct {
	// Uses is the number of requests authenticated with a token.
	Uses int
	// Stale counts token requests that did not carry the newest token of
	// their session: a client that keeps the rotated token and sends one
	// request at a time has none.
	Stale int
	// Distinct is the number of different tokens clients sent.
	Distinct int
}

const (
	abqErrorsCT = "application/vnd.abiquo.errors+json"
	abqRealm    = `Token realm="Abiquo"`
	abqBadLogin = "Invalid credentials"
	abqDenied   = "Not enough permissions to perform this action"
)

type abqUser struct {
	id                                         int
	nick, password, name, surname, email, role string
	admin                                      bool
	totp                                       *totp.Key
	scratch                                    []string // unused scratch codes
	// emailOTP: the second factor is EMAIL; mail is the latest code sent.
	emailOTP bool
	mail     abqMail
}

// abqMail is what the emulator "mailed" a user: the latest code, when,
// and how many mails so far.
type abqMail struct {
	code string
	sent time.Time
	n    int
}

type abqSession struct {
	id      int
	key     string
	user    *abqUser
	newest  string
	expires time.Time
	revoked bool
}

type abqDC struct {
	id             int
	name, location string
	uuid           string
}

type abqState struct {
	mu       sync.Mutex
	users    map[string]*abqUser
	dcs      []abqDC
	maxLimit int
	sessions []*abqSession
	stats    AbiquoTokenStats
	seen     map[string]bool
	// html answers every 401 and 403 as Tomcat's text/html page.
	html  bool
	oauth abqOAuth
}

func init() {
	register(registerAbiquo)
	describe(CloudInfo{Cloud: "abiquo", Path: "/abiquo/api", Settings: [][2]string{
		{"endpoint", "<base>/abiquo/api"},
		{"username", AbiquoTwoFactorUser},
		{"password", AbiquoTwoFactorPassword},
		{"otp_secret", AbiquoTOTPURL},
	}})
}

func newAbiquoState() *abqState {
	mustKey := func(s string) *totp.Key {
		k, err := totp.Parse(s)
		if err != nil {
			panic(err)
		}
		return k
	}
	s := &abqState{
		users:    map[string]*abqUser{},
		dcs:      abiquoDatacenters(AbiquoDatacenterCount),
		maxLimit: AbiquoMaxLimit,
		seen:     map[string]bool{},
		oauth:    newAbqOAuth(),
	}
	for _, u := range []*abqUser{
		{id: 1, nick: AbiquoAdmin, password: AbiquoAdminPassword, name: "Cloud", surname: "Administrator",
			email: "admin@abiquo.test", role: "CLOUD_ADMIN", admin: true},
		{id: 2, nick: AbiquoTwoFactorUser, password: AbiquoTwoFactorPassword, name: "System", surname: "Administrator",
			email: "sysadmin@abiquo.test", role: "CLOUD_ADMIN", admin: true,
			totp: mustKey(AbiquoTOTPURL), scratch: append([]string(nil), AbiquoScratchCodes...)},
		{id: 3, nick: AbiquoOpsUser, password: AbiquoOpsPassword, name: "Operations", surname: "Team",
			email: "ops@abiquo.test", role: "CLOUD_ADMIN", admin: true, totp: mustKey(AbiquoOpsOTPURL)},
		{id: 4, nick: AbiquoUser, password: AbiquoUserPassword, name: "Standard", surname: "User",
			email: "user@abiquo.test", role: "ENTERPRISE_USER"},
		{id: 5, nick: AbiquoEmailUser, password: AbiquoEmailPassword, name: "Mail", surname: "Administrator",
			email: "mailer@abiquo.test", role: "CLOUD_ADMIN", admin: true, emailOTP: true},
	} {
		s.users[u.nick] = u
	}
	s.seedOAuth()
	return s
}

var abqCities = []struct{ city, country string }{
	{"Barcelona", "Spain"}, {"Madrid", "Spain"}, {"Amsterdam", "Netherlands"}, {"Frankfurt", "Germany"},
	{"London", "United Kingdom"}, {"Paris", "France"}, {"Stockholm", "Sweden"}, {"Dublin", "Ireland"},
	{"Redwood City", "United States"}, {"Ashburn", "United States"}, {"Singapore", "Singapore"}, {"Sydney", "Australia"},
}

// abiquoDatacenters makes n datacenters: ids from 1001, names "<city> <n>",
// kept in the list's default order (by name) so that a page costs no sort.
func abiquoDatacenters(n int) []abqDC {
	out := make([]abqDC, n)
	for i := range out {
		c := abqCities[i%len(abqCities)]
		dc := abqDC{id: 1001 + i, name: fmt.Sprintf("%s %d", c.city, i/len(abqCities)+1), location: c.city + ", " + c.country}
		if (i+1)%10 != 0 {
			h := stableID("abiquo/" + dc.name)
			dc.uuid = h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		}
		out[i] = dc
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// SetAbiquoDatacenters replaces the datacenters with n generated ones.
func (e *Emulator) SetAbiquoDatacenters(n int) {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	s.dcs = abiquoDatacenters(n)
	s.mu.Unlock()
}

// SetAbiquoMaxLimit changes the largest page the datacenters list gives.
func (e *Emulator) SetAbiquoMaxLimit(n int) {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	s.maxLimit = n
	s.mu.Unlock()
}

// AbiquoTokenStats reports how clients used their tokens so far.
func (e *Emulator) AbiquoTokenStats() AbiquoTokenStats {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// AbiquoScratchCodesLeft returns the unused scratch codes of a user.
func (e *Emulator) AbiquoScratchCodesLeft(nick string) []string {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[nick]; u != nil {
		return append([]string(nil), u.scratch...)
	}
	return nil
}

// AbiquoEmailCode returns the latest code mailed to an EMAIL two-factor
// user, as their mailbox would show it.
func (e *Emulator) AbiquoEmailCode(nick string) (string, bool) {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[nick]; u != nil && u.mail.n > 0 {
		return u.mail.code, true
	}
	return "", false
}

// AbiquoEmailsSent returns how many codes were mailed to a user; tests
// wait for it to grow before they read the code.
func (e *Emulator) AbiquoEmailsSent(nick string) int {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[nick]; u != nil {
		return u.mail.n
	}
	return 0
}

// SetAbiquoHTMLErrors makes every 401 and 403 Tomcat's text/html page
// instead of Abiquo's JSON, as where the servlet container answers first.
func (e *Emulator) SetAbiquoHTMLErrors(on bool) {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	s.html = on
	s.mu.Unlock()
}

func registerAbiquo(e *Emulator) {
	s := stateOf(e, "abiquo", newAbiquoState)
	// The mailbox for people trying the emulator by hand (tests use
	// AbiquoEmailCode).
	e.mux.HandleFunc("GET /_emulator/abiquo/email", func(w http.ResponseWriter, r *http.Request) {
		code, ok := e.AbiquoEmailCode(r.URL.Query().Get("user"))
		if !ok {
			writeJSON(w, http.StatusNotFound, "", map[string]string{"message": "no code was mailed to that user"})
			return
		}
		writeJSON(w, http.StatusOK, "", map[string]string{"code": code})
	})
	e.handle("GET /abiquo/api/login", "abiquo.login", func(w http.ResponseWriter, r *http.Request) {
		u, _, ok := s.authenticate(e, w, r)
		if !ok {
			return
		}
		version, ok := abqNegotiate(w, r, "user")
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, abqCT("user", version), abqUserJSON(abqBase(r), u))
	})
	e.handle("GET /abiquo/api/admin/datacenters", "abiquo.datacenters.list", func(w http.ResponseWriter, r *http.Request) {
		u, _, ok := s.authenticate(e, w, r)
		if !ok {
			return
		}
		if !u.admin {
			s.forbidden(w)
			return
		}
		version, ok := abqNegotiate(w, r, "datacenters")
		if !ok {
			return
		}
		s.page(w, r, version)
	})
	e.handle("GET /abiquo/api/login/sessions", "abiquo.sessions.list", func(w http.ResponseWriter, r *http.Request) {
		u, _, ok := s.authenticate(e, w, r)
		if !ok {
			return
		}
		version, ok := abqNegotiate(w, r, "sessions")
		if !ok {
			return
		}
		base := abqBase(r)
		now := e.Now()
		list := []map[string]any{}
		s.mu.Lock()
		for _, ss := range s.sessions {
			if ss.user != u || ss.revoked || !now.Before(ss.expires) {
				continue
			}
			list = append(list, map[string]any{
				"id": ss.id, "key": ss.key, "nick": u.nick, "idUser": u.id, "authType": "ABIQUO",
				"expirationDate": ss.expires.UTC().Format("2006-01-02T15:04:05.000-0700"),
				"links": []map[string]any{
					{"rel": "user", "href": fmt.Sprintf("%s/admin/enterprises/1/users/%d", base, u.id), "type": "application/vnd.abiquo.user+json"},
					{"rel": "enterprise", "href": base + "/admin/enterprises/1", "type": "application/vnd.abiquo.enterprise+json"},
				},
			})
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, abqCT("sessions", version), map[string]any{"links": []any{}, "collection": list})
	})
	endSessions := func(w http.ResponseWriter, r *http.Request, key string) {
		u, _, ok := s.authenticate(e, w, r)
		if !ok {
			return
		}
		id, err := strconv.Atoi(r.PathValue("userId"))
		if err != nil {
			abqError(w, http.StatusNotFound, "", "The user id must be a number")
			return
		}
		if id != u.id && !u.admin {
			s.forbidden(w)
			return
		}
		var ended []*abqSession
		s.mu.Lock()
		for _, ss := range s.sessions {
			if ss.user.id == id && !ss.revoked && (key == "" || ss.key == key) {
				ss.revoked = true
				ended = append(ended, ss)
			}
		}
		s.mu.Unlock()
		if key != "" && len(ended) == 0 {
			abqError(w, http.StatusNotFound, "", "There is no session "+key+" for that user")
			return
		}
		e.revokeTokens(func(t *Token) bool {
			for _, ss := range ended {
				if t.Data == ss {
					return true
				}
			}
			return false
		})
		w.WriteHeader(http.StatusNoContent)
	}
	e.handle("DELETE /abiquo/api/login/sessions/users/{userId}", "abiquo.sessions.delete", func(w http.ResponseWriter, r *http.Request) {
		endSessions(w, r, "")
	})
	e.handle("DELETE /abiquo/api/login/sessions/{userId}/{key}", "abiquo.sessions.delete", func(w http.ResponseWriter, r *http.Request) {
		endSessions(w, r, r.PathValue("key"))
	})
	registerAbiquoOAuth(e, s)
	e.handle("/abiquo/", "abiquo.unknown", func(w http.ResponseWriter, r *http.Request) {
		abqError(w, http.StatusNotFound, "", "There is no resource at "+r.URL.Path)
	})
}

// authenticate checks Basic, Token or OAuth credentials and, when they are
// good, sets a new X-Abiquo-Token on the answer. It answers failures
// itself.
func (s *abqState) authenticate(e *Emulator, w http.ResponseWriter, r *http.Request) (*abqUser, *abqSession, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	var sess *abqSession
	switch strings.ToLower(scheme) {
	case "basic":
		u, ok := s.basic(e, w, r, cred)
		if !ok {
			return nil, nil, false
		}
		e.countLogin("abiquo")
		sess = s.newSession(u)
	case "token":
		tok, ok := e.lookupToken("abiquo", cred)
		if !ok {
			s.unauthorized(w, "GEN-5", abqBadLogin)
			return nil, nil, false
		}
		sess, _ = tok.Data.(*abqSession)
		if sess == nil {
			s.unauthorized(w, "GEN-5", abqBadLogin)
			return nil, nil, false
		}
		s.mu.Lock()
		s.stats.Uses++
		if cred != sess.newest {
			s.stats.Stale++
		}
		if !s.seen[cred] {
			s.seen[cred] = true
			s.stats.Distinct++
		}
		s.mu.Unlock()
	case "oauth":
		// Each signed request stands on its own, like a Basic one.
		u, ok := s.oauthResource(e, w, r)
		if !ok {
			return nil, nil, false
		}
		e.countLogin("abiquo")
		sess = s.newSession(u)
	default:
		// Spring Security's entry point: no credentials it knows.
		abqTomcat(w, http.StatusUnauthorized, `Basic realm="Abiquo API"`, "Full authentication is required to access this resource")
		return nil, nil, false
	}
	tok := e.issueToken("abiquo", sess.user.nick, randomString(36, hexChars), sess)
	s.mu.Lock()
	sess.newest, sess.expires = tok.Value, tok.ExpiresAt
	s.mu.Unlock()
	w.Header().Set("X-Abiquo-Token", tok.Value)
	return sess.user, sess, true
}

// basic checks Basic credentials and the one-time code of a two-factor
// user, mailing a new code to an EMAIL user whose login has none.
func (s *abqState) basic(e *Emulator, w http.ResponseWriter, r *http.Request, cred string) (*abqUser, bool) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	nick, pass, found := strings.Cut(string(raw), ":")
	s.mu.Lock()
	u := s.users[nick]
	s.mu.Unlock()
	if err != nil || !found || u == nil || subtle.ConstantTimeCompare([]byte(pass), []byte(u.password)) != 1 {
		s.unauthorized(w, "GEN-5", abqBadLogin)
		return nil, false
	}
	if u.totp == nil && !u.emailOTP {
		return u, true
	}
	code := strings.TrimSpace(r.Header.Get("X-Abiquo-OTP"))
	switch {
	case code == "" && u.emailOTP:
		s.mail(u, e.Now())
		s.plainUnauthorized(w)
		return nil, false
	case code == "" || !s.spendCode(u, code, e.Now()):
		s.plainUnauthorized(w)
		return nil, false
	}
	return u, true
}

// mail "sends" an EMAIL user a new code.
func (s *abqState) mail(u *abqUser, now time.Time) {
	code := randomString(6, "0123456789")
	s.mu.Lock()
	u.mail = abqMail{code: code, sent: now, n: u.mail.n + 1}
	s.mu.Unlock()
}

// spendCode accepts a TOTP code near now, an unused scratch code, which
// it then marks used, or the latest mailed code while it is valid.
func (s *abqState) spendCode(u *abqUser, code string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.emailOTP {
		m := u.mail
		return m.n > 0 && now.Sub(m.sent) < AbiquoEmailCodeLifetime && !now.Before(m.sent) &&
			subtle.ConstantTimeCompare([]byte(m.code), []byte(code)) == 1
	}
	if u.totp.Verify(code, now, 1) {
		return true
	}
	for i, c := range u.scratch {
		if subtle.ConstantTimeCompare([]byte(c), []byte(code)) == 1 {
			u.scratch = append(u.scratch[:i], u.scratch[i+1:]...)
			return true
		}
	}
	return false
}

func (s *abqState) newSession(u *abqUser) *abqSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := &abqSession{id: 6000 + len(s.sessions) + 1, key: randomString(16, hexChars), user: u}
	s.sessions = append(s.sessions, ss)
	return ss
}

// revokeTokens marks every token that match selects as revoked.
func (e *Emulator) revokeTokens(match func(*Token) bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.tokens {
		if match(t) {
			t.Revoked = true
		}
	}
}

// page answers one page of the datacenter list. The links are shaped like
// those of the 3.10 examples: "first" without startwith, each naming the
// sort, whether or not the request did.
func (s *abqState) page(w http.ResponseWriter, r *http.Request, version string) {
	q := r.URL.Query()
	num := func(name string, def int) (int, bool) {
		v := q.Get(name)
		if v == "" {
			return def, true
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			abqError(w, http.StatusBadRequest, "", fmt.Sprintf("Invalid value %q for the query parameter %s", v, name))
			return 0, false
		}
		return n, true
	}
	start, ok := num("startwith", 0)
	if !ok {
		return
	}
	limit, ok := num("limit", AbiquoDefaultLimit)
	if !ok {
		return
	}
	by := q.Get("by")
	switch by {
	case "":
		by = "name"
	case "id", "name":
	default:
		abqError(w, http.StatusBadRequest, "", fmt.Sprintf("Invalid value %q for the query parameter by: datacenters sort by id or name", by))
		return
	}
	s.mu.Lock()
	maxLimit := s.maxLimit
	all := s.dcs
	s.mu.Unlock()
	if by == "id" {
		all = append([]abqDC(nil), all...)
		sort.SliceStable(all, func(i, j int) bool { return all[i].id < all[j].id })
	}
	total := len(all)
	size := limit
	switch {
	case limit == 0:
		size = total // "0 means all"
	case limit > maxLimit:
		limit, size = maxLimit, maxLimit
	}
	from, to := min(start, total), min(start+size, total)
	base := abqBase(r) + "/admin/datacenters"
	href := func(sw int) string { return fmt.Sprintf("%s?startwith=%d&limit=%d&by=%s", base, sw, limit, by) }
	links := []map[string]string{{"rel": "first", "href": fmt.Sprintf("%s?limit=%d&by=%s", base, limit, by)}}
	if start > 0 {
		links = append(links, map[string]string{"rel": "previous", "href": href(max(0, min(start, total)-size))})
	}
	if to < total {
		links = append(links, map[string]string{"rel": "next", "href": href(to)})
	}
	links = append(links, map[string]string{"rel": "last", "href": href(max(0, total-size))})
	items := make([]abqDCJSON, 0, to-from)
	for _, dc := range all[from:to] {
		items = append(items, abqDatacenterJSON(abqBase(r), dc))
	}
	writeJSON(w, http.StatusOK, abqCT("datacenters", version), map[string]any{
		"totalSize": total, "links": links, "collection": items,
	})
}

type abqLink struct {
	Rel   string `json:"rel"`
	Title string `json:"title"`
	Type  string `json:"type"`
	Href  string `json:"href"`
}

// abqDCJSON is a datacenter as the list sends it. A struct rather than a
// map keeps the emulator cheap when a benchmark pages through thousands.
type abqDCJSON struct {
	ID       int       `json:"id"`
	Name     string    `json:"name"`
	Location string    `json:"location"`
	UUID     string    `json:"uuid,omitempty"`
	Links    []abqLink `json:"links"`
}

func abqDatacenterJSON(base string, dc abqDC) abqDCJSON {
	self := fmt.Sprintf("%s/admin/datacenters/%d", base, dc.id)
	return abqDCJSON{
		ID: dc.id, Name: dc.name, Location: dc.location, UUID: dc.uuid,
		Links: []abqLink{
			{"edit", dc.name, "application/vnd.abiquo.datacenter+json", self},
			{"racks", "racks", "application/vnd.abiquo.racks+json", self + "/racks"},
			{"remoteservices", "remote services", "application/vnd.abiquo.remoteservices+json", self + "/remoteservices"},
			{"datastores", "datastores", "application/vnd.abiquo.datastores+json", self + "/datastores"},
			{"hypervisors", "hypervisors", "application/vnd.abiquo.hypervisortypes+json", self + "/hypervisors"},
			{"enterprises", "enterprises", "application/vnd.abiquo.enterprises+json", self + "/action/enterprises"},
			{"tiers", "tiers", "application/vnd.abiquo.tiers+json", self + "/storage/tiers"},
			{"network", "public networks", "application/vnd.abiquo.vlans+json", self + "/network"},
			{"getLimits", "limits", "application/vnd.abiquo.limits+json", self + "/action/getlimits"},
			{"location", dc.name, "application/vnd.abiquo.datacenter+json", fmt.Sprintf("%s/cloud/locations/%d", base, dc.id)},
		},
	}
}

func abqUserJSON(base string, u *abqUser) map[string]any {
	self := fmt.Sprintf("%s/admin/enterprises/1/users/%d", base, u.id)
	roleID := 2
	if u.admin {
		roleID = 1
	}
	return map[string]any{
		"id": u.id, "nick": u.nick, "name": u.name, "surname": u.surname, "email": u.email,
		"description": u.role, "locale": "en_US", "authType": "ABIQUO",
		"active": true, "locked": false, "firstLogin": false,
		"links": []map[string]string{
			{"rel": "enterprise", "title": "Abiquo", "type": "application/vnd.abiquo.enterprise+json", "href": base + "/admin/enterprises/1"},
			{"rel": "role", "title": u.role, "type": "application/vnd.abiquo.role+json", "href": fmt.Sprintf("%s/admin/roles/%d", base, roleID)},
			{"rel": "edit", "title": u.nick, "type": "application/vnd.abiquo.user+json", "href": self},
			{"rel": "virtualmachines", "title": "virtual machines", "type": "application/vnd.abiquo.virtualmachines+json", "href": self + "/action/virtualmachines"},
			{"rel": "pendingtasks", "title": "pending tasks", "type": "application/vnd.abiquo.tasks+json", "href": self + "/action/pendingtasks"},
			{"rel": "applications", "title": "applications", "type": "application/vnd.abiquo.applications+json", "href": self + "/applications"},
		},
	}
}

// abqBase is the API's own URL as the client reached it, for links.
func abqBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/abiquo/api"
}

func abqCT(entity, version string) string {
	return "application/vnd.abiquo." + entity + "+json; version=" + version
}

// abqNegotiate checks the Accept header against the resource's media type
// and returns the version to answer in.
func abqNegotiate(w http.ResponseWriter, r *http.Request, entity string) (string, bool) {
	accept := strings.TrimSpace(r.Header.Get("Accept"))
	if accept == "" || accept == "*/*" {
		return AbiquoNewestVersion, true
	}
	want := "application/vnd.abiquo." + entity
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || (mt != want && mt != want+"+json") {
			continue
		}
		v := params["version"]
		if v == "" {
			return AbiquoNewestVersion, true
		}
		if !abqSupported(v) {
			abqError(w, http.StatusNotAcceptable, "", fmt.Sprintf("Version %s of %s+json is not supported; this API serves versions 4.2 to %s", v, want, AbiquoNewestVersion))
			return "", false
		}
		return v, true
	}
	abqError(w, http.StatusNotAcceptable, "", fmt.Sprintf("This resource is served as %s+json, not %s", want, accept))
	return "", false
}

func abqSupported(v string) bool {
	var major, minor int
	if n, err := fmt.Sscanf(v, "%d.%d", &major, &minor); n != 2 || err != nil || fmt.Sprintf("%d.%d", major, minor) != v {
		return false
	}
	n := major*100 + minor
	return n >= 402 && n <= 601
}

func abqError(w http.ResponseWriter, status int, code, message string) {
	entry := map[string]string{"message": message}
	if code != "" {
		entry["code"] = code
	}
	writeJSON(w, status, abqErrorsCT, map[string]any{"collection": []map[string]string{entry}})
}

// unauthorized answers a 401 in Abiquo's documented shape, or as Tomcat's
// page when SetAbiquoHTMLErrors is on.
func (s *abqState) unauthorized(w http.ResponseWriter, code, message string) {
	if s.htmlErrors() {
		abqTomcat(w, http.StatusUnauthorized, abqRealm, "Bad credentials")
		return
	}
	w.Header().Set("WWW-Authenticate", abqRealm)
	abqError(w, http.StatusUnauthorized, code, message)
}

// plainUnauthorized is a refused two-factor login: no public source shows
// its body, so there is none.
func (s *abqState) plainUnauthorized(w http.ResponseWriter) {
	if s.htmlErrors() {
		abqTomcat(w, http.StatusUnauthorized, abqRealm, "Bad credentials")
		return
	}
	w.Header().Set("WWW-Authenticate", abqRealm)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}

// forbidden is GEN-4, or Tomcat's page.
func (s *abqState) forbidden(w http.ResponseWriter) {
	if s.htmlErrors() {
		abqTomcat(w, http.StatusForbidden, "", "Access is denied")
		return
	}
	abqError(w, http.StatusForbidden, "GEN-4", abqDenied)
}

func (s *abqState) htmlErrors() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.html
}

// abqTomcat answers Tomcat's own error page, as a servlet container sends
// it for sendError: no Abiquo error body, a message only people read.
func abqTomcat(w http.ResponseWriter, status int, challenge, message string) {
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	text := http.StatusText(status)
	description := "The request has not been applied because it lacks valid authentication credentials for the target resource."
	if status == http.StatusForbidden {
		description = "The server understood the request but refuses to authorize it."
	}
	body := fmt.Sprintf(`<!doctype html><html lang="en"><head><title>HTTP Status %d – %s</title>`+
		`<style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1 {font-size:22px;}</style></head>`+
		`<body><h1>HTTP Status %d – %s</h1><hr class="line" /><p><b>Type</b> Status Report</p>`+
		`<p><b>Message</b> %s</p><p><b>Description</b> %s</p><hr class="line" /><h3>Apache Tomcat</h3></body></html>`,
		status, text, status, text, html.EscapeString(message), description)
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.Header().Set("Content-Language", "en")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
