// Package abiquo is a typed client for the Abiquo API: HTTP Basic login
// (with a one-time code when two-factor authentication is on) or OAuth
// 1.0a, the X-Abiquo-Token that every answer renews, and the datacenter
// list.
//
//	c, err := abiquo.New(abiquo.Config{
//		HTTP:      httpx.Config{Name: "abiquo", BaseURL: "https://abiquo.example.com/api"},
//		Username:  "admin",
//		Password:  pw,
//		OTPSecret: "otpauth://totp/Abiquo:admin?secret=...&issuer=Abiquo",
//	})
//	dcs, err := c.Datacenters(ctx) // every page, read once per client
//
// The first call logs in with GET /login, Basic credentials and, for a
// two-factor user, a code in X-Abiquo-OTP: made fresh from OTPSecret for
// every login, or the fixed OTP, which is used at most once. Later calls
// send "Authorization: Token <t>"; each answer's X-Abiquo-Token replaces
// the kept token unless a newer answer already did. A refused token (401)
// leads to one new Basic login.
//
// With OAuth 1.0a credentials instead of a password (ConsumerKey and the
// three others), every request is signed (RFC 5849, HMAC-SHA1) and no
// one-time code is needed, which is how a two-factor account is automated;
// the "login" is a signed GET /login, whose X-Abiquo-Token is the token
// Credential returns. RegisterApplication and AuthorizeApplication make
// such credentials once, for `cloudauth login abiquo --oauth`.
package abiquo

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
)

// TokenLifetime is how long a token lives after the answer that carried
// it, unless the administrator changed it ("By default the authentication
// token has a lifetime of 30 minutes"). The API does not say, so it is
// used only for tokens stored by `cloudauth login abiquo`.
const TokenLifetime = 30 * time.Minute

// DefaultPageSize is the page size asked for when reading lists: large
// enough that most installations need one request, small enough that a
// page of datacenters with their links stays far below the body cap.
const DefaultPageSize = 100

// Config for New.
type Config struct {
	// HTTP.BaseURL is the API endpoint, ending in /api.
	HTTP     httpx.Config
	Username string
	Password string
	// Token is a token issued earlier (configured, or stored by `cloudauth
	// login abiquo`). It is used before any Basic login; when the API
	// refuses it, the client logs in with Password if it has one.
	Token string
	// TokenOrigin names where Token came from, for error messages
	// ("abiquo.token", "the credentials file ...").
	TokenOrigin string
	// TokenExpiresAt, when set, is when Token ends. After it the client
	// does not send it and says that a new one is needed.
	TokenExpiresAt time.Time
	// OTPSecret is the TOTP secret of a two-factor user: base32, or the
	// otpauth://totp/ URL Abiquo returned when 2FA was enabled.
	OTPSecret string
	// OTP is a fixed one-time code or scratch code, used at most once.
	OTP string
	// Version is the media-type version to ask for ("6.1"); empty asks
	// for the API's newest.
	Version string
	// PageSize is the limit asked for per list page (DefaultPageSize).
	PageSize int
	// Now is the clock for one-time codes and token expiry (tests).
	Now func() time.Time

	// ConsumerKey, ConsumerSecret, AccessToken and AccessTokenSecret are
	// OAuth 1.0a credentials: an application the user registered and the
	// access token the user granted it (`cloudauth login abiquo --oauth`
	// makes them). With them every request is signed and no password or
	// one-time code is used; all four are needed.
	ConsumerKey       string
	ConsumerSecret    string
	AccessToken       string
	AccessTokenSecret string
}

// oauthSet reports whether any OAuth 1.0a value is configured.
func (c *Config) oauthSet() bool {
	return c.ConsumerKey != "" || c.ConsumerSecret != "" || c.AccessToken != "" || c.AccessTokenSecret != ""
}

// Client talks to one Abiquo API as one user.
type Client struct {
	cfg    Config
	http   *httpx.Client
	tokens *httpx.TokenSource[struct{}]
	otp    *totp.Key
	// oauth signs every request when OAuth 1.0a credentials are set.
	oauth *signer

	otpSpent atomic.Bool
	userMu   sync.Mutex
	user     *User
	users    httpx.Memo[*User]
	dcs      httpx.Memo[[]Datacenter]
	reads    httpx.Reads
}

var versionRe = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// CheckEndpoint checks that raw is an http(s) URL whose path ends in /api
// and returns it without a trailing slash. The error proposes the fix.
func CheckEndpoint(raw string) (string, error) {
	u, err := httpx.ParseBaseURL(raw)
	if err != nil {
		return "", err
	}
	if strings.HasSuffix(u.Path, "/api") {
		return u.String(), nil
	}
	fix := *u
	fix.RawQuery, fix.Fragment = "", ""
	if i := strings.Index(u.Path+"/", "/api/"); i >= 0 {
		fix.Path = u.Path[:i] + "/api"
	} else {
		fix.Path = u.Path + "/api"
	}
	return "", fmt.Errorf("%q does not end in /api, where the Abiquo API lives; use %q", u.String(), fix.String())
}

// New builds a client; it makes no network call.
func New(cfg Config) (*Client, error) {
	if cfg.HTTP.Name == "" {
		cfg.HTTP.Name = "abiquo"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	endpoint, err := CheckEndpoint(cfg.HTTP.BaseURL)
	if err != nil {
		return nil, &httpx.ConfigError{Attribute: "endpoint", Msg: err.Error(), Err: err}
	}
	cfg.HTTP.BaseURL = endpoint
	cfg.OTP = strings.TrimSpace(cfg.OTP)
	if err := checkOAuthConfig(&cfg); err != nil {
		return nil, err
	}
	switch {
	case cfg.Password == "" && cfg.Token == "" && !cfg.oauthSet():
		return nil, &httpx.ConfigError{Attribute: "password", Msg: "there is no password, token or OAuth 1.0a credentials to authenticate with"}
	case cfg.Password != "" && strings.TrimSpace(cfg.Username) == "":
		return nil, &httpx.ConfigError{Attribute: "username", Msg: "a password needs the user name it belongs to"}
	case strings.ContainsRune(cfg.Username, ':'):
		return nil, &httpx.ConfigError{Attribute: "username", Msg: "a user name for HTTP Basic cannot contain ':'"}
	case cfg.OTPSecret != "" && cfg.OTP != "":
		return nil, &httpx.ConfigError{Attribute: "otp", Msg: "set either otp_secret (a code is made for every login) or otp (one fixed code), not both"}
	case cfg.Version != "" && !versionRe.MatchString(cfg.Version):
		return nil, &httpx.ConfigError{Attribute: "api_version", Msg: fmt.Sprintf("%q is not a media-type version such as \"6.1\"", cfg.Version)}
	}
	if cfg.OTP != "" && !onlyDigits(cfg.OTP) {
		return nil, &httpx.ConfigError{Attribute: "otp", Msg: "a one-time code is digits only (6 from an authenticator app or a mail, 8 for a scratch code)"}
	}
	hc, err := httpx.New(cfg.HTTP)
	if err != nil {
		return nil, err
	}
	// The long-lived secrets first: the redactor keeps its first entries
	// when rotated tokens fill it.
	hc.Redactor().Add(cfg.Password, cfg.OTPSecret, cfg.OTP, cfg.Token, cfg.ConsumerSecret, cfg.AccessToken, cfg.AccessTokenSecret)
	if cfg.Password != "" {
		hc.Redactor().Add(basicValue(cfg.Username, cfg.Password))
	}
	c := &Client{cfg: cfg, http: hc}
	c.reads = httpx.Reads{HTTP: hc, Auth: []string{"Authorization"}}
	if cfg.oauthSet() {
		c.oauth = newSigner(cfg.ConsumerKey, cfg.ConsumerSecret, hc.Redactor())
	}
	if cfg.OTPSecret != "" {
		k, err := totp.Parse(cfg.OTPSecret)
		if err != nil {
			return nil, &httpx.ConfigError{Attribute: "otp_secret", Msg: "not a base32 TOTP secret or otpauth://totp/ URL: " + err.Error()}
		}
		if u, err := url.Parse(cfg.OTPSecret); err == nil {
			hc.Redactor().Add(u.Query().Get("secret"))
		}
		c.otp = k
	}
	c.tokens = httpx.NewTokenSource(c.login)
	return c, nil
}

// oauthAttributes are the OAuth 1.0a settings, in the provider's names.
var oauthAttributes = []string{"consumer_key", "consumer_secret", "access_token", "access_token_secret"}

// checkOAuthConfig rejects half a set of OAuth 1.0a credentials, and OAuth
// together with what only a Basic login uses.
func checkOAuthConfig(cfg *Config) error {
	if !cfg.oauthSet() {
		return nil
	}
	values := []string{cfg.ConsumerKey, cfg.ConsumerSecret, cfg.AccessToken, cfg.AccessTokenSecret}
	for i, v := range values {
		if strings.TrimSpace(v) == "" {
			return &httpx.ConfigError{Attribute: oauthAttributes[i], Msg: fmt.Sprintf(
				"OAuth 1.0a needs all four of consumer_key, consumer_secret, access_token and access_token_secret; %s is missing", oauthAttributes[i])}
		}
	}
	both := func(attr, what string) error {
		return &httpx.ConfigError{Attribute: attr, Msg: fmt.Sprintf(
			"%s is for HTTP Basic logins, and OAuth 1.0a credentials (consumer_key and the others) are set too: use one way to log in, not both%s", attr, what)}
	}
	switch {
	case cfg.Password != "":
		return both("password", "")
	case cfg.Token != "":
		return both("token", "")
	case cfg.OTPSecret != "":
		return both("otp_secret", "; OAuth needs no one-time code")
	case cfg.OTP != "":
		return both("otp", "; OAuth needs no one-time code")
	}
	return nil
}

func onlyDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func basicValue(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// observe keeps the token that every answer carries. Offer orders answers
// by arrival, so an answer that is handled late does not replace the
// token of one that arrived after it.
// A token over httpx.MaxIssuedBytes is an error, and is not kept.
func (c *Client) observe(resp *httpx.Response) error {
	t := resp.Header.Get("X-Abiquo-Token")
	if t == "" {
		return nil
	}
	if err := c.http.Redactor().AddIssued("an X-Abiquo-Token", t); err != nil {
		return fmt.Errorf("%s %s: %w", resp.Method, resp.URL, err)
	}
	c.tokens.Offer(token{Value: t}, resp.ReceivedAt)
	return nil
}

// MediaType is the Abiquo media type of an entity, with the configured
// version: application/vnd.abiquo.<entity>+json[; version=X.Y].
func (c *Client) MediaType(entity string) string {
	mt := "application/vnd.abiquo." + entity + "+json"
	if c.cfg.Version != "" {
		mt += "; version=" + c.cfg.Version
	}
	return mt
}

// token is an Abiquo token; the login's user is kept apart (setUser).
type token = httpx.Token[struct{}]

// login is the TokenSource's LoginFunc: with OAuth 1.0a a signed GET
// /login; otherwise a given token first (once, and only while it has not
// expired), then Basic credentials.
func (c *Client) login(ctx context.Context, why httpx.LoginReason) (token, error) {
	// A login of several requests (a receipt, a second factor, a check
	// of a given token) has the deadline of a read as a whole.
	ctx, cancel := c.http.ReadDeadline(ctx, "the login")
	defer cancel()
	if c.oauth != nil {
		return c.oauthLogin(ctx)
	}
	// The token source asks for the first login once; later logins follow
	// a refused or expired token and go to Basic.
	if c.cfg.Token != "" && why == httpx.LoginFirst {
		if c.cfg.TokenExpiresAt.IsZero() || c.cfg.Now().Before(c.cfg.TokenExpiresAt) {
			return token{Value: c.cfg.Token, Principal: c.cfg.Username}, nil
		}
		if c.cfg.Password == "" {
			return token{}, &TokenError{Origin: c.origin(), ExpiredAt: c.cfg.TokenExpiresAt, Expired: true}
		}
	}
	if c.cfg.Password == "" {
		// New accepts no password only with a token: it was refused.
		return token{}, &TokenError{Origin: c.origin(), ExpiredAt: c.cfg.TokenExpiresAt}
	}
	return c.basicLogin(ctx)
}

func (c *Client) origin() string {
	if c.cfg.TokenOrigin != "" {
		return c.cfg.TokenOrigin
	}
	return "the configuration"
}

// basicLogin is GET /login with Basic credentials and, for two-factor
// users, a one-time code.
func (c *Client) basicLogin(ctx context.Context) (token, error) {
	h := http.Header{}
	h.Set("Authorization", "Basic "+basicValue(c.cfg.Username, c.cfg.Password))
	h.Set("Accept", c.MediaType("user"))
	req := &httpx.Request{Method: http.MethodGet, Path: "/login", Header: h}
	code := CodeNone
	switch {
	case c.otp != nil:
		fresh := func(h http.Header) {
			otp := c.otp.Code(c.cfg.Now())
			c.http.Redactor().Add(otp)
			h.Set("X-Abiquo-OTP", otp)
		}
		fresh(h)
		// The API may refuse a code it has seen; a retry goes only where
		// the first attempt cannot have arrived, with the code of its time.
		req.SingleUse = true
		req.Refresh = fresh
		code = CodeFromSecret
	case c.cfg.OTP != "":
		if c.otpSpent.Swap(true) {
			return token{}, &CodeSpentError{User: c.cfg.Username}
		}
		h.Set("X-Abiquo-OTP", c.cfg.OTP)
		// A repeat after a lost answer would find the code spent.
		req.SingleUse = true
		code = CodeFixed
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		err = cleanHTML(err, c.http.Redactor())
		var ae *httpx.APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
			return token{}, c.loginError(ae, code)
		}
		return token{}, err
	}
	return c.loggedIn(resp)
}

// loggedIn takes the token and the user from a login's answer.
func (c *Client) loggedIn(resp *httpx.Response) (token, error) {
	tok := resp.Header.Get("X-Abiquo-Token")
	if err := c.http.Redactor().AddIssued("an X-Abiquo-Token", tok); err != nil {
		return token{}, fmt.Errorf("%s %s: %w", resp.Method, resp.URL, err)
	}
	// The user first: an answer that is not Abiquo's (an empty body, a
	// proxy's page) says so, rather than being taken for an old Abiquo.
	var u User
	if err := c.http.DecodeJSON(resp, &u); err != nil {
		return token{}, err
	}
	if tok == "" {
		return token{}, fmt.Errorf("GET %s: the login was accepted but the answer has no X-Abiquo-Token header; "+
			"token authentication needs Abiquo 4.2 or later", resp.URL)
	}
	c.setUser(&u)
	return token{Value: tok, Principal: u.Nick}, nil
}

// loginError describes a refused Basic login by what it carried: the
// answer does not say whether the password or the code was wrong.
func (c *Client) loginError(ae *httpx.APIError, code CodeSource) error {
	le := &LoginError{User: c.cfg.Username, Code: code, Err: ae, Kind: RefusedWithCode}
	if code == CodeNone {
		le.Kind = RefusedWithoutCode
	}
	le.LooksLikeScratch = code == CodeFixed && len(c.cfg.OTP) == 8
	return le
}

// oauthLogin is a signed GET /login: Abiquo answers OAuth requests with a
// token as well, which Credential hands out.
func (c *Client) oauthLogin(ctx context.Context) (token, error) {
	h := http.Header{}
	h.Set("Accept", c.MediaType("user"))
	req := &httpx.Request{Method: http.MethodGet, Path: c.url("/login", ""), Header: h}
	if err := c.oauth.signResource(req, c.cfg.AccessToken, c.cfg.AccessTokenSecret); err != nil {
		return token{}, err
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return token{}, c.oauthError(cleanHTML(err, c.http.Redactor()), OAuthSigned)
	}
	return c.loggedIn(resp)
}

// oauthError types a refused OAuth request signed with the access token.
func (c *Client) oauthError(err error, step OAuthStep) error {
	return c.oauthStepError(err, step, c.consumerKey())
}

func (c *Client) consumerKey() string {
	if c.oauth != nil {
		return c.oauth.consumerKey
	}
	return ""
}

// url is the absolute URL of path below the endpoint, with its query as
// given: what is sent is what an OAuth signature covers.
func (c *Client) url(path, rawQuery string) string {
	u := c.http.BaseURL() + path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	return u
}

// Endpoint returns the API endpoint, ending in /api.
func (c *Client) Endpoint() string { return c.http.BaseURL() }

// Username returns the configured user name.
func (c *Client) Username() string { return c.cfg.Username }

// Link is an entry of a "links" array.
type Link struct {
	Rel   string `json:"rel"`
	Href  string `json:"href"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// User is the answer of GET /login. Fields the client does not use are
// not decoded.
type User struct {
	ID       int64  `json:"id"`
	Nick     string `json:"nick"`
	Name     string `json:"name"`
	Surname  string `json:"surname"`
	Email    string `json:"email"`
	AuthType string `json:"authType"`
	Active   bool   `json:"active"`
	Locked   bool   `json:"locked"`
	Links    []Link `json:"links"`
}

func (c *Client) setUser(u *User) {
	c.userMu.Lock()
	c.user = u
	c.userMu.Unlock()
}

// User returns the logged-in user: from the Basic login's answer, or, for
// a client that started from a token, from GET /login with that token
// (which also shows that the token is good).
func (c *Client) User(ctx context.Context) (*User, error) {
	if _, err := c.tokens.Token(ctx); err != nil {
		return nil, err
	}
	c.userMu.Lock()
	u := c.user
	c.userMu.Unlock()
	if u != nil {
		return u, nil
	}
	return c.users.Get(ctx, "login", func(ctx context.Context) (*User, error) {
		var u User
		if err := c.Get(ctx, "/login", nil, "user", &u); err != nil {
			return nil, err
		}
		c.setUser(&u)
		return &u, nil
	})
}

// Credential returns the newest token with the header the API expects.
// Abiquo does not say when a token ends (30 minutes after its last use by
// default), so ExpiresAt is zero.
func (c *Client) Credential(ctx context.Context) (cred.Credential, error) {
	u, err := c.User(ctx)
	if err != nil {
		return cred.Credential{}, err
	}
	t, err := c.tokens.Token(ctx)
	if err != nil {
		return cred.Credential{}, err
	}
	return cred.Credential{
		Token:     t.Value,
		Principal: u.Nick,
		Endpoint:  c.Endpoint(),
		Headers:   map[string]string{"Authorization": "Token " + t.Value},
		Env:       c.tokenEnv(u.Nick, t.Value),
	}, nil
}

// CanLogin reports whether the client can get a new token by itself (it
// has a password or OAuth 1.0a credentials).
func (c *Client) CanLogin() bool { return c.cfg.Password != "" || c.oauth != nil }

// Relogin drops the kept token and authenticates again.
func (c *Client) Relogin(ctx context.Context) (cred.Credential, error) {
	c.tokens.InvalidateCurrent()
	return c.Credential(ctx)
}

// Get reads path (below the endpoint) as the given entity's media type.
// A 403 becomes an *AccessError.
func (c *Client) Get(ctx context.Context, path string, query url.Values, entity string, v any) error {
	return c.get(ctx, path, query.Encode(), entity, v)
}

func (c *Client) get(ctx context.Context, path, rawQuery, entity string, v any) error {
	h := http.Header{}
	h.Set("Accept", c.MediaType(entity))
	resp, err := c.send(ctx, http.MethodGet, path, rawQuery, h, nil)
	if err != nil {
		return err
	}
	return c.http.DecodeJSON(resp, v)
}

// Delete sends DELETE to path (below the endpoint).
func (c *Client) Delete(ctx context.Context, path string) error {
	_, err := c.send(ctx, http.MethodDelete, path, "", http.Header{}, nil)
	return err
}

// send makes an authenticated request to path below the endpoint: with
// the kept token, or signed with OAuth 1.0a. A refused token (401) leads
// to one new login; every answer's token is kept. A 403 becomes an
// *AccessError, and an HTML error page is not quoted.
func (c *Client) send(ctx context.Context, method, path, rawQuery string, h http.Header, body []byte) (*httpx.Response, error) {
	resp, err := c.do(ctx, &httpx.Request{Method: method, Path: c.url(path, rawQuery), Header: h, Body: body})
	var ae *httpx.APIError
	switch {
	case errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden:
		return nil, &AccessError{User: c.principal(), Path: path, Err: ae}
	case err != nil && c.oauth != nil:
		return nil, c.oauthError(err, OAuthSigned)
	case err != nil:
		return nil, err
	}
	return resp, nil
}

// do sends req (an absolute URL) with the kept token, or signed with
// OAuth 1.0a, logging in once more on 401 and keeping every answer's
// token. An error answer comes with the *httpx.APIError.
func (c *Client) do(ctx context.Context, r *httpx.Request) (*httpx.Response, error) {
	var (
		resp    *httpx.Response
		callErr error
	)
	err := c.tokens.WithToken(ctx, httpx.Unauthorized, func(ctx context.Context, t token) error {
		req := &httpx.Request{Method: r.Method, Path: r.Path, Header: r.Header.Clone(), Body: r.Body}
		if req.Header == nil {
			req.Header = http.Header{}
		}
		if c.oauth != nil {
			if err := c.oauth.signResource(req, c.cfg.AccessToken, c.cfg.AccessTokenSecret); err != nil {
				callErr = err
				return err
			}
		} else {
			req.Header.Set("Authorization", "Token "+t.Value)
		}
		resp, callErr = c.http.Do(ctx, req)
		if resp != nil {
			if err := c.observe(resp); err != nil {
				resp, callErr = nil, err
				return err
			}
		}
		callErr = cleanHTML(callErr, c.http.Redactor())
		return callErr
	})
	if err != callErr { //nolint:errorlint // identity: did the error come from the answer or from a login?
		return nil, err
	}
	return resp, err
}

// Read reads any path of the API with the client's login (the
// cloudauth_request data source): below the endpoint, or a URL on its
// origin. The token each answer carries is kept, as for every read.
func (c *Client) Read(ctx context.Context, req httpx.RawRequest) (*httpx.RawResponse, error) {
	return c.reads.Read(ctx, req, httpx.At(c.Endpoint()), func(ctx context.Context, r *httpx.Request) (*httpx.Response, error) {
		resp, err := c.do(ctx, r)
		if resp == nil && err != nil && c.oauth != nil {
			err = c.oauthError(err, OAuthSigned)
		}
		return resp, err
	})
}

func (c *Client) principal() string {
	c.userMu.Lock()
	defer c.userMu.Unlock()
	if c.user != nil && c.user.Nick != "" {
		return c.user.Nick
	}
	return c.cfg.Username
}
