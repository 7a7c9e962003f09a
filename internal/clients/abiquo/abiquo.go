// Package abiquo is a typed client for the Abiquo API: HTTP Basic login
// (with a one-time code when two-factor authentication is on), the
// X-Abiquo-Token that every answer renews, and the datacenter list.
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
}

// Client talks to one Abiquo API as one user.
type Client struct {
	cfg    Config
	http   *httpx.Client
	tokens *httpx.TokenSource[struct{}]
	auth   *httpx.Session[struct{}]
	otp    *totp.Key

	otpSpent atomic.Bool
	userMu   sync.Mutex
	user     *User
	users    httpx.Memo[*User]
	dcs      httpx.Memo[[]Datacenter]
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
		return nil, &httpx.ConfigError{Attribute: "endpoint", Msg: err.Error()}
	}
	cfg.HTTP.BaseURL = endpoint
	cfg.OTP = strings.TrimSpace(cfg.OTP)
	switch {
	case cfg.Password == "" && cfg.Token == "":
		return nil, &httpx.ConfigError{Attribute: "password", Msg: "there is neither a password nor a token to authenticate with"}
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
		return nil, &httpx.ConfigError{Attribute: "otp", Msg: "a one-time code is digits only (6 from an authenticator app, 8 for a scratch code)"}
	}
	hc, err := httpx.New(cfg.HTTP)
	if err != nil {
		return nil, err
	}
	// The long-lived secrets first: the redactor keeps its first entries
	// when rotated tokens fill it.
	hc.Redactor().Add(cfg.Password, cfg.OTPSecret, cfg.OTP, cfg.Token)
	if cfg.Password != "" {
		hc.Redactor().Add(basicValue(cfg.Username, cfg.Password))
	}
	c := &Client{cfg: cfg, http: hc}
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
	c.auth = &httpx.Session[struct{}]{
		HTTP:   hc,
		Tokens: c.tokens,
		Apply: func(h http.Header, t token) {
			h.Set("Authorization", "Token "+t.Value)
		},
		Observe: c.observe,
	}
	return c, nil
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
func (c *Client) observe(resp *httpx.Response) {
	t := resp.Header.Get("X-Abiquo-Token")
	if t == "" {
		return
	}
	c.http.Redactor().Add(t)
	c.tokens.Offer(token{Value: t}, resp.ReceivedAt)
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

// login is the TokenSource's LoginFunc: a given token first (once, and
// only while it has not expired), then Basic credentials.
func (c *Client) login(ctx context.Context, why httpx.LoginReason) (token, error) {
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
		var ae *httpx.APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
			return token{}, c.loginError(ae, code)
		}
		return token{}, err
	}
	tok := resp.Header.Get("X-Abiquo-Token")
	if tok == "" {
		return token{}, fmt.Errorf("GET %s: the login was accepted but the answer has no X-Abiquo-Token header; "+
			"token authentication needs Abiquo 4.2 or later", resp.URL)
	}
	c.http.Redactor().Add(tok)
	var u User
	if err := c.http.DecodeJSON(resp, &u); err != nil {
		return token{}, err
	}
	c.setUser(&u)
	return token{Value: tok, Principal: u.Nick}, nil
}

func (c *Client) loginError(ae *httpx.APIError, code CodeSource) error {
	le := &LoginError{User: c.cfg.Username, Code: code, Err: ae}
	switch {
	case strings.Contains(ae.Code, "GEN-5"):
		le.Kind = BadCredentials
	case ae.Code == "":
		le.Kind = Refused
	case code == CodeNone:
		le.Kind = CodeRequired
	default:
		le.Kind = CodeRefused
		le.LooksLikeScratch = code == CodeFixed && len(c.cfg.OTP) == 8
	}
	return le
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
	}, nil
}

// CanLogin reports whether the client can get a new token by itself (it
// has a password).
func (c *Client) CanLogin() bool { return c.cfg.Password != "" }

// Relogin drops the kept token and authenticates again.
func (c *Client) Relogin(ctx context.Context) (cred.Credential, error) {
	c.tokens.InvalidateCurrent()
	return c.Credential(ctx)
}

// Get reads path (below the endpoint) as the given entity's media type.
// A 403 becomes an *AccessError.
func (c *Client) Get(ctx context.Context, path string, query url.Values, entity string, v any) error {
	h := http.Header{}
	h.Set("Accept", c.MediaType(entity))
	err := c.auth.GetJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Query: query, Header: h}, v)
	var ae *httpx.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden {
		return &AccessError{User: c.principal(), Path: path, Err: ae}
	}
	return err
}

// Delete sends DELETE to path (below the endpoint).
func (c *Client) Delete(ctx context.Context, path string) error {
	_, err := c.auth.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: path})
	var ae *httpx.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden {
		return &AccessError{User: c.principal(), Path: path, Err: ae}
	}
	return err
}

func (c *Client) principal() string {
	c.userMu.Lock()
	defer c.userMu.Unlock()
	if c.user != nil && c.user.Nick != "" {
		return c.user.Nick
	}
	return c.cfg.Username
}
