package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 5849's HMAC-SHA1, which Abiquo's OAuth provider speaks.
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Abiquo's OAuth 1.0a, as Abiquo's own Python client uses it (API notes
// §5b). The emulator checks signatures with its own implementation of RFC
// 5849 §3.4 (HMAC-SHA1), independent of the client's library:
//
//	POST /api/admin/enterprises/1/users/{u}/applications   {"name": ...} -> apiKey, apiSecret
//	POST /api/oauth/request_token   consumer-signed, oauth_callback=oob
//	GET  /api/oauth/authorize?oauth_token=...   as the user (Basic or Token): 302, Location has oauth_verifier
//	POST /api/oauth/access_token    signed with the request token and the verifier
//	any resource                    signed with the access token: like a Basic login, no one-time code
//
// Rules [INF where RFC 5849 leaves them to the server]:
//   - oauth_timestamp must be within AbiquoOAuthWindow of the emulator's
//     clock, and a nonce is accepted once per consumer, token and
//     timestamp (remembered for the window);
//   - a request token lives AbiquoRequestTokenLifetime and is exchanged
//     once; its verifier works once;
//   - access tokens do not expire; RevokeAbiquoOAuthTokens, or deleting
//     the application, revokes them.
//
// A refused request is answered as Spring Security's OAuth filter does:
// the servlet container's text/html page (401, or 400 for a malformed
// one), with WWW-Authenticate: OAuth realm="Abiquo" on a 401. Why it was
// refused is not in any documented shape, so tests read it with
// AbiquoOAuthRejections.

// OAuth settings and the demo application.
const (
	// AbiquoOAuthWindow is how far an oauth_timestamp may be from the
	// emulator's clock.
	AbiquoOAuthWindow = 5 * time.Minute
	// AbiquoRequestTokenLifetime bounds the three-legged dance.
	AbiquoRequestTokenLifetime = 10 * time.Minute

	// A registered application with an access token for
	// AbiquoTwoFactorUser, whose Basic logins need a one-time code: OAuth
	// needs none.
	AbiquoOAuthConsumerKey       = "9f2c7e1a-5b3d-4c8e-a6f0-1d2e3f4a5b6c"
	AbiquoOAuthConsumerSecret    = "abiquo-demo-consumer-secret-7Qx2"
	AbiquoOAuthAccessToken       = "3e8d9c2b-1a0f-4e7d-8c6b-5a4f3e2d1c0b"
	AbiquoOAuthAccessTokenSecret = "abiquo-demo-token-secret-Lm93"
)

// AbiquoOAuthProblem names why the emulator refused an OAuth request, in
// the words of the OAuth Problem Reporting extension.
type AbiquoOAuthProblem string

// Reasons for refusing an OAuth request.
const (
	OAuthParameterAbsent   AbiquoOAuthProblem = "parameter_absent"
	OAuthParameterRejected AbiquoOAuthProblem = "parameter_rejected"
	OAuthVersionRejected   AbiquoOAuthProblem = "version_rejected"
	OAuthMethodRejected    AbiquoOAuthProblem = "signature_method_rejected"
	OAuthConsumerUnknown   AbiquoOAuthProblem = "consumer_key_unknown"
	OAuthTimestampRefused  AbiquoOAuthProblem = "timestamp_refused"
	OAuthSignatureInvalid  AbiquoOAuthProblem = "signature_invalid"
	OAuthNonceUsed         AbiquoOAuthProblem = "nonce_used"
	OAuthTokenRejected     AbiquoOAuthProblem = "token_rejected"
	OAuthTokenUsed         AbiquoOAuthProblem = "token_used"
	OAuthTokenExpired      AbiquoOAuthProblem = "token_expired"
	OAuthTokenRevoked      AbiquoOAuthProblem = "token_revoked"
	OAuthVerifierInvalid   AbiquoOAuthProblem = "verifier_invalid"
)

var oauthProblemText = map[AbiquoOAuthProblem]string{
	OAuthParameterAbsent:   "A required OAuth parameter is missing",
	OAuthParameterRejected: "An OAuth parameter is malformed",
	OAuthVersionRejected:   "Unsupported OAuth version",
	OAuthMethodRejected:    "Unsupported signature method",
	OAuthConsumerUnknown:   "Unknown consumer key",
	OAuthTimestampRefused:  "The timestamp is too far from the server's time",
	OAuthSignatureInvalid:  "Invalid signature for signature method HMAC-SHA1",
	OAuthNonceUsed:         "Nonce already used",
	OAuthTokenRejected:     "Invalid token",
	OAuthTokenUsed:         "The request token was already exchanged",
	OAuthTokenExpired:      "The request token has expired",
	OAuthTokenRevoked:      "The access token was revoked",
	OAuthVerifierInvalid:   "Invalid verifier",
}

type abqApp struct {
	id          int
	name        string
	key, secret string
	user        *abqUser
	deleted     bool
}

type abqRequestToken struct {
	token, secret string
	app           *abqApp
	callback      string
	created       time.Time
	user          *abqUser // set by /authorize
	verifier      string
	used          bool
}

type abqAccessToken struct {
	token, secret string
	app           *abqApp
	user          *abqUser
	revoked       bool
}

// abqOAuth is the OAuth part of abqState, under its lock.
type abqOAuth struct {
	appSeq     int
	apps       map[string]*abqApp // by consumer key
	reqTokens  map[string]*abqRequestToken
	accTokens  map[string]*abqAccessToken
	nonces     map[string]time.Time // consumer&token&timestamp&nonce -> timestamp
	rejections map[AbiquoOAuthProblem]int
}

func newAbqOAuth() abqOAuth {
	return abqOAuth{
		apps:       map[string]*abqApp{},
		reqTokens:  map[string]*abqRequestToken{},
		accTokens:  map[string]*abqAccessToken{},
		nonces:     map[string]time.Time{},
		rejections: map[AbiquoOAuthProblem]int{},
	}
}

// seedOAuth registers the demo application; the caller owns s.
func (s *abqState) seedOAuth() {
	u := s.users[AbiquoTwoFactorUser]
	s.oauth.appSeq++
	app := &abqApp{id: s.oauth.appSeq, name: "cloudauth demo", key: AbiquoOAuthConsumerKey, secret: AbiquoOAuthConsumerSecret, user: u}
	s.oauth.apps[app.key] = app
	s.oauth.accTokens[AbiquoOAuthAccessToken] = &abqAccessToken{token: AbiquoOAuthAccessToken, secret: AbiquoOAuthAccessTokenSecret, app: app, user: u}
}

// RevokeAbiquoOAuthTokens revokes every OAuth access token of a user (""
// for every user), as the user or an administrator would in Abiquo.
func (e *Emulator) RevokeAbiquoOAuthTokens(nick string) {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.oauth.accTokens {
		if nick == "" || t.user.nick == nick {
			t.revoked = true
		}
	}
}

// AbiquoOAuthRejections counts the OAuth requests refused so far, by
// reason.
func (e *Emulator) AbiquoOAuthRejections() map[AbiquoOAuthProblem]int {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[AbiquoOAuthProblem]int, len(s.oauth.rejections))
	for k, v := range s.oauth.rejections {
		out[k] = v
	}
	return out
}

// AbiquoOAuthSecrets returns every OAuth secret and token the emulator
// issued or knows, so that tests can check that none of them leaked.
func (e *Emulator) AbiquoOAuthSecrets() []string {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.oauth.apps {
		out = append(out, a.secret)
	}
	for _, t := range s.oauth.reqTokens {
		out = append(out, t.token, t.secret)
		if t.verifier != "" {
			out = append(out, t.verifier)
		}
	}
	for _, t := range s.oauth.accTokens {
		out = append(out, t.token, t.secret)
	}
	sort.Strings(out)
	return out
}

// AbiquoOAuthApplications returns the names of a user's registered
// applications.
func (e *Emulator) AbiquoOAuthApplications(nick string) []string {
	s := stateOf(e, "abiquo", newAbiquoState)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.oauth.apps {
		if a.user.nick == nick && !a.deleted {
			out = append(out, a.name)
		}
	}
	sort.Strings(out)
	return out
}

func registerAbiquoOAuth(e *Emulator, s *abqState) {
	e.mux.HandleFunc("POST /_emulator/abiquo/oauth/revoke", func(w http.ResponseWriter, r *http.Request) {
		e.RevokeAbiquoOAuthTokens(r.URL.Query().Get("user"))
		w.WriteHeader(http.StatusNoContent)
	})
	apps := "/abiquo/api/admin/enterprises/{e}/users/{u}/applications"
	e.handle("POST "+apps, "abiquo.applications.create", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.applicationsOwner(e, w, r)
		if !ok {
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != "application/vnd.abiquo.application+json" && mt != "application/vnd.abiquo.application") {
			abqError(w, http.StatusUnsupportedMediaType, "", "An application is sent as application/vnd.abiquo.application+json")
			return
		}
		version, ok := abqNegotiate(w, r, "application")
		if !ok {
			return
		}
		var in struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil || strings.TrimSpace(in.Name) == "" {
			abqError(w, http.StatusBadRequest, "", "An application needs a name")
			return
		}
		s.mu.Lock()
		s.oauth.appSeq++
		app := &abqApp{id: s.oauth.appSeq, name: strings.TrimSpace(in.Name), key: randomString(36, lowerNum), secret: randomString(40, alnum), user: u}
		s.oauth.apps[app.key] = app
		s.mu.Unlock()
		writeJSON(w, http.StatusCreated, abqCT("application", version), abqAppJSON(abqBase(r), app))
	})
	e.handle("GET "+apps, "abiquo.applications.list", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.applicationsOwner(e, w, r)
		if !ok {
			return
		}
		version, ok := abqNegotiate(w, r, "applications")
		if !ok {
			return
		}
		list := []map[string]any{}
		s.mu.Lock()
		for _, a := range s.oauth.apps {
			if a.user == u && !a.deleted {
				list = append(list, abqAppJSON(abqBase(r), a))
			}
		}
		s.mu.Unlock()
		sort.Slice(list, func(i, j int) bool { return list[i]["id"].(int) < list[j]["id"].(int) })
		writeJSON(w, http.StatusOK, abqCT("applications", version), map[string]any{"links": []any{}, "collection": list})
	})
	e.handle("DELETE "+apps+"/{id}", "abiquo.applications.delete", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.applicationsOwner(e, w, r)
		if !ok {
			return
		}
		id, _ := strconv.Atoi(r.PathValue("id"))
		s.mu.Lock()
		var found *abqApp
		for _, a := range s.oauth.apps {
			if a.id == id && a.user == u && !a.deleted {
				found = a
			}
		}
		if found != nil {
			found.deleted = true
			for _, t := range s.oauth.accTokens {
				if t.app == found {
					t.revoked = true
				}
			}
		}
		s.mu.Unlock()
		if found == nil {
			abqError(w, http.StatusNotFound, "", "There is no such application")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	e.handle("POST /abiquo/api/oauth/request_token", "abiquo.oauth.request_token", func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.checkOAuth(e, w, r, oauthConsumerOnly)
		if !ok {
			return
		}
		rt := &abqRequestToken{token: randomString(36, lowerNum), secret: randomString(40, alnum), app: c.app, callback: c.params["oauth_callback"], created: e.Now()}
		s.mu.Lock()
		s.oauth.reqTokens[rt.token] = rt
		s.mu.Unlock()
		writeForm(w, url.Values{"oauth_token": {rt.token}, "oauth_token_secret": {rt.secret}, "oauth_callback_confirmed": {"true"}})
	})
	e.handle("GET /abiquo/api/oauth/authorize", "abiquo.oauth.authorize", func(w http.ResponseWriter, r *http.Request) {
		// The user grants access as themselves, not as an application.
		if scheme, _, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " "); strings.EqualFold(scheme, "oauth") {
			abqError(w, http.StatusBadRequest, "", "The user authorizes an application with their own credentials, not with OAuth")
			return
		}
		u, _, ok := s.authenticate(e, w, r)
		if !ok {
			return
		}
		s.mu.Lock()
		rt := s.oauth.reqTokens[r.URL.Query().Get("oauth_token")]
		var problem string
		switch {
		case rt == nil:
			problem = "Unknown request token"
		case rt.used || rt.user != nil:
			problem = "The request token was already authorized"
		case e.Now().Sub(rt.created) > AbiquoRequestTokenLifetime:
			problem = "The request token has expired"
		default:
			rt.user = u
			rt.verifier = randomString(20, alnum)
		}
		s.mu.Unlock()
		if problem != "" {
			abqError(w, http.StatusBadRequest, "", problem)
			return
		}
		// Spring Security's handler: the callback, or for "oob" the
		// default target, with the token and the verifier.
		target := rt.callback
		if target == "" || target == "oob" {
			target = strings.TrimSuffix(abqBase(r), "/abiquo/api") + "/"
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		q := url.Values{"oauth_token": {rt.token}, "oauth_verifier": {rt.verifier}}
		w.Header().Set("Location", target+sep+q.Encode())
		w.WriteHeader(http.StatusFound)
	})
	e.handle("POST /abiquo/api/oauth/access_token", "abiquo.oauth.access_token", func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.checkOAuth(e, w, r, oauthRequestToken)
		if !ok {
			return
		}
		at := &abqAccessToken{token: randomString(36, lowerNum), secret: randomString(40, alnum), app: c.app, user: c.req.user}
		s.mu.Lock()
		s.oauth.accTokens[at.token] = at
		s.mu.Unlock()
		writeForm(w, url.Values{"oauth_token": {at.token}, "oauth_token_secret": {at.secret}})
	})
}

// applicationsOwner authenticates the request and checks that it is the
// path's user asking.
func (s *abqState) applicationsOwner(e *Emulator, w http.ResponseWriter, r *http.Request) (*abqUser, bool) {
	u, _, ok := s.authenticate(e, w, r)
	if !ok {
		return nil, false
	}
	if r.PathValue("e") != "1" {
		abqError(w, http.StatusNotFound, "", "There is no enterprise "+r.PathValue("e"))
		return nil, false
	}
	if id, err := strconv.Atoi(r.PathValue("u")); err != nil || id != u.id {
		s.forbidden(w)
		return nil, false
	}
	return u, true
}

// abqAppJSON is an application as the API answers it, secret included
// (register.py reads apiSecret from the answer to its POST).
func abqAppJSON(base string, a *abqApp) map[string]any {
	self := fmt.Sprintf("%s/admin/enterprises/1/users/%d/applications/%d", base, a.user.id, a.id)
	return map[string]any{
		"id": a.id, "name": a.name, "apiKey": a.key, "apiSecret": a.secret,
		"links": []map[string]string{
			{"rel": "edit", "title": a.name, "type": "application/vnd.abiquo.application+json", "href": self},
			{"rel": "user", "title": a.user.nick, "type": "application/vnd.abiquo.user+json", "href": fmt.Sprintf("%s/admin/enterprises/1/users/%d", base, a.user.id)},
		},
	}
}

func writeForm(w http.ResponseWriter, v url.Values) {
	b := v.Encode()
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, b)
}

// oauthStage is which kind of token a signed request must carry.
type oauthStage int

const (
	oauthConsumerOnly oauthStage = iota // request_token: none
	oauthRequestToken                   // access_token: the authorized request token
	oauthAccessToken                    // a resource: an access token
)

// oauthCheck is a request whose signature was accepted.
type oauthCheck struct {
	app    *abqApp
	params map[string]string // the oauth_* parameters
	req    *abqRequestToken
	acc    *abqAccessToken
}

// oauthResource authenticates a request signed with an access token.
func (s *abqState) oauthResource(e *Emulator, w http.ResponseWriter, r *http.Request) (*abqUser, bool) {
	c, ok := s.checkOAuth(e, w, r, oauthAccessToken)
	if !ok {
		return nil, false
	}
	return c.acc.user, true
}

// checkOAuth verifies a signed request for stage and answers a refusal
// itself.
func (s *abqState) checkOAuth(e *Emulator, w http.ResponseWriter, r *http.Request, stage oauthStage) (*oauthCheck, bool) {
	c, problem := s.verifyOAuth(e.Now(), r, stage)
	if problem == "" {
		return c, true
	}
	s.mu.Lock()
	s.oauth.rejections[problem]++
	s.mu.Unlock()
	status := http.StatusUnauthorized
	challenge := `OAuth realm="Abiquo"`
	switch problem {
	case OAuthParameterAbsent, OAuthParameterRejected, OAuthVersionRejected, OAuthMethodRejected:
		status, challenge = http.StatusBadRequest, ""
	}
	abqTomcat(w, status, challenge, oauthProblemText[problem])
	return nil, false
}

func (s *abqState) verifyOAuth(now time.Time, r *http.Request, stage oauthStage) (*oauthCheck, AbiquoOAuthProblem) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "oauth") {
		return nil, OAuthParameterAbsent
	}
	p, err := parseOAuthHeader(rest)
	if err != nil {
		return nil, OAuthParameterRejected
	}
	for _, name := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"} {
		if p[name] == "" {
			return nil, OAuthParameterAbsent
		}
	}
	if v, ok := p["oauth_version"]; ok && v != "1.0" {
		return nil, OAuthVersionRejected
	}
	if p["oauth_signature_method"] != "HMAC-SHA1" {
		return nil, OAuthMethodRejected
	}
	ts, err := strconv.ParseInt(p["oauth_timestamp"], 10, 64)
	if err != nil {
		return nil, OAuthParameterRejected
	}
	switch stage {
	case oauthConsumerOnly:
		if p["oauth_callback"] == "" {
			return nil, OAuthParameterAbsent
		}
	case oauthRequestToken:
		if p["oauth_token"] == "" || p["oauth_verifier"] == "" {
			return nil, OAuthParameterAbsent
		}
	case oauthAccessToken:
		if p["oauth_token"] == "" {
			return nil, OAuthParameterAbsent
		}
	}
	params, err := oauthSignedParams(r, p)
	if err != nil {
		return nil, OAuthParameterRejected
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c := &oauthCheck{app: s.oauth.apps[p["oauth_consumer_key"]], params: p}
	if c.app == nil || c.app.deleted {
		return nil, OAuthConsumerUnknown
	}
	if d := now.Sub(time.Unix(ts, 0)); d > AbiquoOAuthWindow || d < -AbiquoOAuthWindow {
		return nil, OAuthTimestampRefused
	}
	tokenSecret := ""
	switch stage {
	case oauthRequestToken:
		c.req = s.oauth.reqTokens[p["oauth_token"]]
		if c.req == nil || c.req.app != c.app {
			return nil, OAuthTokenRejected
		}
		tokenSecret = c.req.secret
	case oauthAccessToken:
		c.acc = s.oauth.accTokens[p["oauth_token"]]
		if c.acc == nil || c.acc.app != c.app {
			return nil, OAuthTokenRejected
		}
		tokenSecret = c.acc.secret
	}
	want := oauthSignature(oauthBaseString(r, params), c.app.secret, tokenSecret)
	if subtle.ConstantTimeCompare([]byte(want), []byte(p["oauth_signature"])) != 1 {
		return nil, OAuthSignatureInvalid
	}
	// A nonce counts once the signature shows it came from the consumer.
	nonce := strings.Join([]string{c.app.key, p["oauth_token"], p["oauth_timestamp"], p["oauth_nonce"]}, "&")
	if _, seen := s.oauth.nonces[nonce]; seen {
		return nil, OAuthNonceUsed
	}
	for k, t := range s.oauth.nonces {
		if now.Sub(t) > AbiquoOAuthWindow {
			delete(s.oauth.nonces, k)
		}
	}
	s.oauth.nonces[nonce] = time.Unix(ts, 0)
	switch stage {
	case oauthRequestToken:
		switch {
		case c.req.used:
			return nil, OAuthTokenUsed
		case now.Sub(c.req.created) > AbiquoRequestTokenLifetime:
			return nil, OAuthTokenExpired
		case c.req.user == nil || subtle.ConstantTimeCompare([]byte(c.req.verifier), []byte(p["oauth_verifier"])) != 1:
			return nil, OAuthVerifierInvalid
		}
		c.req.used = true
	case oauthAccessToken:
		if c.acc.revoked {
			return nil, OAuthTokenRevoked
		}
	}
	return c, ""
}

// parseOAuthHeader reads the parameters of "Authorization: OAuth k="v",
// ..." (RFC 5849 §3.5.1), percent-decoded.
func parseOAuthHeader(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("malformed parameter %q", part)
		}
		key, err1 := url.PathUnescape(strings.TrimSpace(k))
		val, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("malformed parameter %q", part)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("parameter %q given twice", key)
		}
		out[key] = val
	}
	return out, nil
}

// oauthSignedParams collects what the signature covers (RFC 5849
// §3.4.1.3.1): the query, a form body, and the header's parameters but
// realm and the signature itself.
func oauthSignedParams(r *http.Request, header map[string]string) ([][2]string, error) {
	var out [][2]string
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	for k, vs := range q {
		for _, v := range vs {
			out = append(out, [2]string{k, v})
		}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, err
		}
		for k, vs := range form {
			for _, v := range vs {
				out = append(out, [2]string{k, v})
			}
		}
	}
	for k, v := range header {
		if k != "realm" && k != "oauth_signature" {
			out = append(out, [2]string{k, v})
		}
	}
	return out, nil
}

// oauthBaseString is RFC 5849 §3.4.1: METHOD&URI&parameters, each part
// percent-encoded.
func oauthBaseString(r *http.Request, params [][2]string) string {
	enc := make([]string, len(params))
	sorted := make([][2]string, len(params))
	for i, p := range params {
		sorted[i] = [2]string{oauthEncode(p[0]), oauthEncode(p[1])}
	}
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i][0] != sorted[j][0] {
			return sorted[i][0] < sorted[j][0]
		}
		return sorted[i][1] < sorted[j][1]
	})
	for i, p := range sorted {
		enc[i] = p[0] + "=" + p[1]
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if h, port, ok := strings.Cut(host, ":"); ok && ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) {
		host = h
	}
	uri := scheme + "://" + host + r.URL.EscapedPath()
	return strings.ToUpper(r.Method) + "&" + oauthEncode(uri) + "&" + oauthEncode(strings.Join(enc, "&"))
}

// oauthSignature is HMAC-SHA1 keyed with the two secrets (§3.4.2).
func oauthSignature(base, consumerSecret, tokenSecret string) string {
	mac := hmac.New(sha1.New, []byte(oauthEncode(consumerSecret)+"&"+oauthEncode(tokenSecret)))
	_, _ = mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// oauthEncode is RFC 5849 §3.6: every byte but the unreserved characters
// as %XX, in upper case.
func oauthEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
