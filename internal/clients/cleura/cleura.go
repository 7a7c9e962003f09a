package cleura

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// DefaultURL is the public cloud's REST API.
const DefaultURL = "https://rest.cleura.cloud"

// TwoFactorSMS is the only second factor the REST API supports.
const TwoFactorSMS = "sms"

// Results of a password login. "twofactor_options" is documented for v2
// only; it is understood here in case v1 answers it too.
const (
	ResultLoginOK           = "login_ok"
	ResultTwoFactorRequired = "twofactor_required"
	ResultTwoFactorOptions  = "twofactor_options"
)

// Generations of the auth API, for Config.AuthAPI.
const (
	// AuthV2 is /auth/v2, which the official tools use.
	AuthV2 = "v2"
	// AuthV1 is /auth/v1, which the docs' curl examples use.
	AuthV1 = "v1"
	// AuthAuto is v2, falling back to v1 for good when the server answers
	// the first auth call with 404.
	AuthAuto = ""
)

// Config for New.
type Config struct {
	HTTP     httpx.Config
	Username string
	// Password logs in with POST /auth/v2/tokens or /auth/v1/tokens
	// (accounts without two-factor authentication).
	Password string
	// AuthAPI is the generation of the auth API: AuthV2, AuthV1 or
	// AuthAuto (the default). The domains endpoint is the same for both.
	AuthAPI string
	// Token is a token issued earlier, used before any login. With a
	// Password too, a token the API refuses is replaced by a login.
	Token string
	// TokenOrigin says where Token came from ("the credentials file"); the
	// error for a refused token repeats it.
	TokenOrigin string
}

// Client talks to one Cleura Cloud login.
type Client struct {
	cfg     Config
	http    *httpx.Client
	tokens  *httpx.TokenSource[struct{}]
	auth    *httpx.Session[struct{}]
	domains httpx.Memo[[]Domain]
	reads   httpx.Reads

	// checked records that the configured Token passed validation once, so
	// that Credential never hands out a dead token.
	checked httpx.Memo[struct{}]

	// gen is the auth API generation in use; genAuto until the first auth
	// call has settled it.
	gen atomic.Int32
}

type generation int32

const (
	genAuto generation = iota
	genV1
	genV2
)

func (g generation) String() string {
	switch g {
	case genV1:
		return AuthV1
	case genV2:
		return AuthV2
	}
	return AuthAuto
}

// New builds a client; it makes no network call.
func New(cfg Config) (*Client, error) {
	if cfg.HTTP.Name == "" {
		cfg.HTTP.Name = "cleura"
	}
	if cfg.HTTP.BaseURL == "" {
		cfg.HTTP.BaseURL = DefaultURL
	}
	cfg.Username = strings.TrimSpace(cfg.Username)
	if cfg.Username == "" {
		return nil, &httpx.ConfigError{Attribute: "username", Msg: "the Cleura Cloud username is empty (the API checks it together with every token)"}
	}
	if strings.ContainsFunc(cfg.Username, unicode.IsControl) {
		return nil, &httpx.ConfigError{Attribute: "username", Msg: "the Cleura Cloud username holds a line break or another control character, which cannot go in the X-AUTH-LOGIN header"}
	}
	if cfg.Password == "" && cfg.Token == "" {
		return nil, &httpx.ConfigError{Attribute: "password", Msg: "neither a password nor a token is set for Cleura Cloud"}
	}
	api, err := ParseAuthAPI(cfg.AuthAPI)
	if err != nil {
		return nil, err
	}
	gen := map[string]generation{AuthAuto: genAuto, AuthV1: genV1, AuthV2: genV2}[api]
	hc, err := httpx.New(cfg.HTTP)
	if err != nil {
		return nil, err
	}
	hc.Redactor().Add(cfg.Password, cfg.Token)
	c := &Client{cfg: cfg, http: hc}
	c.gen.Store(int32(gen))
	c.tokens = httpx.NewTokenSource(c.login)
	c.auth = &httpx.Session[struct{}]{
		HTTP:     hc,
		Tokens:   c.tokens,
		Apply:    func(h http.Header, t token) { c.setAuth(h, t.Value) },
		Rejected: IsInvalidToken,
	}
	c.reads = httpx.Reads{HTTP: hc, Auth: []string{"X-AUTH-LOGIN", "X-AUTH-TOKEN"}}
	return c, nil
}

func (c *Client) setAuth(h http.Header, token string) {
	h.Set("X-AUTH-LOGIN", c.cfg.Username)
	h.Set("X-AUTH-TOKEN", token)
}

// Username is the login the client uses.
func (c *Client) Username() string { return c.cfg.Username }

// Endpoint returns the API base URL.
func (c *Client) Endpoint() string { return c.http.BaseURL() }

// ParseAuthAPI reads an auth API setting as a person may write it ("V2",
// " v1") and returns AuthV2, AuthV1 or AuthAuto (for ""), or a
// *httpx.ConfigError for attribute auth_api.
func ParseAuthAPI(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case AuthAuto, AuthV1, AuthV2:
		return v, nil
	}
	return "", &httpx.ConfigError{Attribute: "auth_api", Msg: fmt.Sprintf(
		"the Cleura Cloud auth API %q is not one of \"v2\" (what the official tools use) and \"v1\"; leave it unset to use v2, or v1 where the server lacks v2", s)}
}

// AuthAPI returns the auth API generation the client speaks, AuthV2 or
// AuthV1, or AuthAuto while no auth call has settled it.
func (c *Client) AuthAPI() string { return generation(c.gen.Load()).String() }

// authCall sends an auth API request in the client's generation; build
// makes it for a generation. With AuthAuto the first call that gets an
// answer settles the generation for the client's life: a 404 from v2
// means the server has only v1, and the call is repeated there (one extra
// request per client); any other answer of v2's own (2xx, 4xx) means v2.
// A passing failure (5xx, network) settles nothing.
func (c *Client) authCall(ctx context.Context, build func(generation) (*httpx.Request, error)) (*httpx.Response, generation, error) {
	g := generation(c.gen.Load())
	probing := g == genAuto
	if probing {
		g = genV2
	}
	resp, err := c.sendAuth(ctx, g, build)
	if !probing {
		if httpx.StatusIs(err, http.StatusNotFound) {
			err = &AuthAPIMissingError{URL: c.Endpoint(), Tried: []string{g.String()}, Err: asAPIError(err)}
		}
		return resp, g, err
	}
	ae := asAPIError(err)
	switch {
	case ae != nil && ae.StatusCode == http.StatusNotFound:
		c.gen.CompareAndSwap(int32(genAuto), int32(genV1))
		g = genV1
		resp, err = c.sendAuth(ctx, g, build)
		if httpx.StatusIs(err, http.StatusNotFound) {
			err = &AuthAPIMissingError{URL: c.Endpoint(), Tried: []string{AuthV2, AuthV1}, Err: asAPIError(err)}
		}
	case err == nil || (ae != nil && ae.StatusCode < 500):
		c.gen.CompareAndSwap(int32(genAuto), int32(genV2))
	}
	return resp, g, err
}

func (c *Client) sendAuth(ctx context.Context, g generation, build func(generation) (*httpx.Request, error)) (*httpx.Response, error) {
	req, err := build(g)
	if err != nil {
		return nil, err
	}
	return c.http.Do(ctx, req)
}

// asAPIError is the answer err carries, or nil.
func asAPIError(err error) *httpx.APIError {
	var ae *httpx.APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// jsonRequest is a POST of v as JSON.
func jsonRequest(path string, v any) (*httpx.Request, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &httpx.Request{Method: http.MethodPost, Path: path, Body: body}, nil
}

// token is a Cleura token; the login returns nothing else.
type token = httpx.Token[struct{}]

// login is the token source's LoginFunc: the configured token first, then
// the password; without a password a refused token needs the user.
func (c *Client) login(ctx context.Context, why httpx.LoginReason) (token, error) {
	// A login of several requests (a receipt, a second factor, a check
	// of a given token) has the deadline of a read as a whole.
	ctx, cancel := c.http.ReadDeadline(ctx, "the login")
	defer cancel()
	if why == httpx.LoginFirst && c.cfg.Token != "" {
		return token{Value: c.cfg.Token, Principal: c.cfg.Username}, nil
	}
	refusedOwn := false
	if cur, _ := c.tokens.Current(); c.cfg.Token != "" && cur.Value == c.cfg.Token {
		refusedOwn = true
	}
	if c.cfg.Password == "" {
		return token{}, &TokenRejectedError{Login: c.cfg.Username, Origin: c.cfg.TokenOrigin}
	}
	t, err := c.passwordLogin(ctx)
	if err != nil && refusedOwn && why == httpx.LoginRejected {
		return t, &TokenRejectedError{Login: c.cfg.Username, Origin: c.cfg.TokenOrigin, Cause: err}
	}
	return t, err
}

func (c *Client) passwordLogin(ctx context.Context) (token, error) {
	ans, err := c.CreateToken(ctx, "")
	if err != nil {
		return token{}, err
	}
	if ans.Result != ResultLoginOK {
		return token{}, &TwoFactorRequiredError{Login: c.cfg.Username, Type: ans.Type, Options: ans.Options}
	}
	return token{Value: ans.Token, Principal: c.cfg.Username}, nil
}

// TokenAnswer is the answer of a password login (POST /auth/v2/tokens or
// /auth/v1/tokens).
type TokenAnswer struct {
	Result       string   `json:"result"`
	Token        string   `json:"token,omitempty"`
	Type         string   `json:"type,omitempty"`
	Verification string   `json:"verification,omitempty"`
	Options      []string `json:"options,omitempty"`
}

// DecodeTokenAnswer reads a token answer and checks that it holds what its
// result promises: a token for login_ok, a verification for
// twofactor_required. Its errors never quote the token or verification.
func DecodeTokenAnswer(body []byte) (*TokenAnswer, error) {
	var a TokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("the answer is not valid JSON (at byte %d)", se.Offset)
		}
		return nil, errors.New("the answer is not the expected JSON object {\"result\": ...}")
	}
	if err := a.check(); err != nil {
		return nil, err
	}
	return &a, nil
}

func (a *TokenAnswer) check() error {
	switch a.Result {
	case ResultLoginOK:
		if a.Token == "" {
			return errors.New(`the answer says "login_ok" but holds no token`)
		}
	case ResultTwoFactorRequired:
		if a.Verification == "" {
			return errors.New(`the answer says "twofactor_required" but holds no verification`)
		}
	case ResultTwoFactorOptions:
	case "":
		return errors.New(`the answer has no "result"`)
	default:
		return fmt.Errorf("the answer has an unknown result %s", shortQuote(a.Result))
	}
	return nil
}

// shortQuote quotes a value the server chose, cut to a length that can
// not carry a whole token.
func shortQuote(s string) string {
	if len(s) > 24 {
		s = s[:16] + "…"
	}
	return strconv.Quote(s)
}

// CreateToken posts the login and password. twoFactor is "" or
// TwoFactorSMS. The answer is login_ok with a token, or a two-factor
// result: twofactor_required with the verification that RequestSMSCode
// needs, or (v2, when no method was named) twofactor_options.
func (c *Client) CreateToken(ctx context.Context, twoFactor string) (*TokenAnswer, error) {
	if c.cfg.Password == "" {
		return nil, &httpx.ConfigError{Attribute: "password", Msg: "no password is set for Cleura Cloud"}
	}
	resp, _, err := c.authCall(ctx, func(g generation) (*httpx.Request, error) {
		if g == genV1 {
			auth := map[string]string{"login": c.cfg.Username, "password": c.cfg.Password}
			if twoFactor != "" {
				auth["twofa_method"] = twoFactor
			}
			return jsonRequest("/auth/v1/tokens", map[string]any{"auth": auth})
		}
		in := map[string]string{"login": c.cfg.Username, "password": c.cfg.Password}
		if twoFactor != "" {
			in["two_factor_method"] = twoFactor
		}
		return jsonRequest("/auth/v2/tokens", in)
	})
	if err != nil {
		var ae *httpx.APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest {
			return nil, &LoginError{Login: c.cfg.Username, Message: ae.Message, Err: ae}
		}
		return nil, err
	}
	// Through DecodeJSON for its handling of HTML pages and empty bodies;
	// then the checks of DecodeTokenAnswer.
	var ans TokenAnswer
	if err := c.http.DecodeJSON(resp, &ans); err != nil {
		return nil, err
	}
	for _, s := range []struct{ what, v string }{{"a token", ans.Token}, {"a verification id", ans.Verification}} {
		if err := c.http.Redactor().AddIssued(s.what, s.v); err != nil {
			return nil, fmt.Errorf("%s %s: %w", resp.Method, resp.URL, err)
		}
	}
	if err := ans.check(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", resp.Method, resp.URL, err)
	}
	return &ans, nil
}

// RequestSMSCode makes the API send the six-digit code to the account's
// phone.
func (c *Client) RequestSMSCode(ctx context.Context, verification string) error {
	c.http.Redactor().Add(verification)
	_, _, err := c.authCall(ctx, func(g generation) (*httpx.Request, error) {
		in := map[string]string{"login": c.cfg.Username, "verification": verification}
		if g == genV1 {
			return jsonRequest("/auth/v1/tokens/request2facode", map[string]any{"request2fa": in})
		}
		return jsonRequest("/auth/v2/request-sms-code", in)
	})
	var ae *httpx.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest {
		return &VerificationError{Login: c.cfg.Username, Message: ae.Message, Err: ae}
	}
	return err
}

// ParseCode checks an SMS code as a person typed it ("123 456") and returns
// it as the integer the API wants. Its error never repeats the input.
func ParseCode(s string) (int64, error) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return 0, errors.New("the SMS code is empty")
	}
	if len(s) < 4 || len(s) > 10 {
		return 0, errors.New("the SMS code has the wrong length; it has six digits")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, errors.New("the SMS code may hold digits only")
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

// VerifySMSCode completes the SMS login and returns the token.
func (c *Client) VerifySMSCode(ctx context.Context, verification string, code int64) (string, error) {
	// Also the six-digit form, in case the code began with a zero.
	c.http.Redactor().Add(verification, strconv.FormatInt(code, 10), fmt.Sprintf("%06d", code))
	// The docs: the code is a JSON integer; in quotes the API refuses it.
	resp, g, err := c.authCall(ctx, func(g generation) (*httpx.Request, error) {
		in := map[string]any{"login": c.cfg.Username, "verification": verification, "code": code}
		if g == genV1 {
			return jsonRequest("/auth/v1/tokens/verify2fa", map[string]any{"verify2fa": in})
		}
		return jsonRequest("/auth/v2/tokens-by-sms-code", in)
	})
	if err != nil {
		var ae *httpx.APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest {
			msg := strings.ToLower(ae.Message)
			if strings.Contains(msg, "verification") {
				return "", &VerificationError{Login: c.cfg.Username, Message: ae.Message, Err: ae}
			}
			return "", &CodeRejectedError{Login: c.cfg.Username, Message: ae.Message, Expired: strings.Contains(msg, "expire"), Err: ae}
		}
		return "", err
	}
	// v1 answers {"result":"login_ok","token":...}, v2 only {"token":...}.
	var ans TokenAnswer
	if err := c.http.DecodeJSON(resp, &ans); err != nil {
		return "", err
	}
	if err := c.http.Redactor().AddIssued("a token", ans.Token); err != nil {
		return "", fmt.Errorf("%s %s: %w", resp.Method, resp.URL, err)
	}
	switch {
	case g == genV1 && ans.Result != ResultLoginOK:
		return "", fmt.Errorf("%s %s: the answer says %s instead of login_ok", resp.Method, resp.URL, shortQuote(ans.Result))
	case ans.Token == "":
		return "", fmt.Errorf("%s %s: the answer holds no token", resp.Method, resp.URL)
	}
	return ans.Token, nil
}

// Validate asks the API whether token (with the client's login) is good:
// nil for 204; an error for which IsInvalidToken holds when it is not.
func (c *Client) Validate(ctx context.Context, token string) error {
	c.http.Redactor().Add(token)
	_, _, err := c.authCall(ctx, func(g generation) (*httpx.Request, error) {
		req := &httpx.Request{Method: http.MethodPost, Path: "/auth/" + g.String() + "/tokens/validate", Header: http.Header{}}
		c.setAuth(req.Header, token)
		return req, nil
	})
	return err
}

// Revoke ends token on the server (DELETE /auth/v2/tokens or
// /auth/v1/tokens); an empty token means the client's current one. A
// revoked token that the client holds is dropped, so that its next call
// logs in again instead of being refused.
func (c *Client) Revoke(ctx context.Context, token string) error {
	if token == "" {
		cur, ok := c.tokens.Current()
		if !ok {
			return errors.New("there is no Cleura Cloud token to revoke")
		}
		token = cur.Value
	}
	c.http.Redactor().Add(token)
	_, _, err := c.authCall(ctx, func(g generation) (*httpx.Request, error) {
		req := &httpx.Request{Method: http.MethodDelete, Path: "/auth/" + g.String() + "/tokens", Header: http.Header{}}
		c.setAuth(req.Header, token)
		return req, nil
	})
	if IsInvalidToken(err) {
		err = nil // no longer valid: as good as revoked
	}
	if err == nil {
		c.tokens.Invalidate(token)
	}
	return err
}

// Credential returns the client's token with the headers the API expects.
// A configured token is validated once first, so that a dead one is
// replaced by a login (with a password) or reported, not handed out.
func (c *Client) Credential(ctx context.Context) (cred.Credential, error) {
	if c.cfg.Token != "" {
		// Once per client, shared by concurrent callers.
		_, err := c.checked.Get(ctx, "token", func(ctx context.Context) (struct{}, error) {
			return struct{}{}, c.tokens.WithToken(ctx, IsInvalidToken, func(ctx context.Context, t token) error {
				return c.Validate(ctx, t.Value)
			})
		})
		if err != nil {
			return cred.Credential{}, err
		}
	}
	t, err := c.tokens.Token(ctx)
	if err != nil {
		return cred.Credential{}, err
	}
	return cred.Credential{
		Token:     t.Value,
		Principal: c.cfg.Username,
		Endpoint:  c.Endpoint(),
		// The API does not say when a token ends.
		Headers: map[string]string{"X-AUTH-LOGIN": c.cfg.Username, "X-AUTH-TOKEN": t.Value},
		Env:     c.tokenEnv(t.Value),
	}, nil
}

// CanLogin reports whether the client can get a new token by itself (it
// has a password).
func (c *Client) CanLogin() bool { return c.cfg.Password != "" }

// IssueToken logs in with the password for a token of the caller's own,
// outside the cache: one that can be revoked without ending the token the
// client's other callers use.
func (c *Client) IssueToken(ctx context.Context) (cred.Credential, error) {
	if !c.CanLogin() {
		return cred.Credential{}, fmt.Errorf("cleura: %w", cred.ErrCannotLogin)
	}
	t, err := c.passwordLogin(ctx)
	if err != nil {
		return cred.Credential{}, err
	}
	return cred.Credential{
		Token: t.Value, Principal: c.cfg.Username, Endpoint: c.Endpoint(),
		Headers: map[string]string{"X-AUTH-LOGIN": c.cfg.Username, "X-AUTH-TOKEN": t.Value},
		Env:     c.tokenEnv(t.Value),
	}, nil
}

// Relogin drops the cached token and logs in again; with only a
// configured token and no password it fails with *TokenRejectedError.
func (c *Client) Relogin(ctx context.Context) (cred.Credential, error) {
	c.tokens.InvalidateCurrent()
	return c.Credential(ctx)
}

// Domains lists the account's domains and areas (GET
// /accesscontrol/v1/openstack/domains), read once per client.
func (c *Client) Domains(ctx context.Context) ([]Domain, error) {
	return c.domains.Get(ctx, "domains", func(ctx context.Context) ([]Domain, error) {
		ctx, cancel := c.http.ReadDeadline(ctx, "reading the domains")
		defer cancel()
		resp, err := c.auth.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/accesscontrol/v1/openstack/domains"})
		if err != nil {
			var ae *httpx.APIError
			if errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden && !IsInvalidToken(err) {
				return nil, &AccessError{Login: c.cfg.Username, What: "list OpenStack domains", Message: ae.Message, Err: ae}
			}
			return nil, err
		}
		// DecodeJSON first for its errors on HTML pages and empty bodies.
		var raw json.RawMessage
		if err := c.http.DecodeJSON(resp, &raw); err != nil {
			return nil, err
		}
		list, err := DecodeDomains(raw)
		if err != nil {
			return nil, fmt.Errorf("GET %s: the domains list is not in the documented shape: %w", resp.URL, err)
		}
		return list, nil
	})
}

// Read reads any path of the API with the client's login (the
// cloudauth_request data source): below the base URL, or a URL on its
// origin.
func (c *Client) Read(ctx context.Context, req httpx.RawRequest) (*httpx.RawResponse, error) {
	return c.reads.Read(ctx, req, httpx.At(c.Endpoint()), c.auth.Do)
}
