package keystone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// Config for New. Field names follow the provider block's attributes, and
// ConfigError.Attribute uses the same names.
type Config struct {
	HTTP httpx.Config
	// AuthURL is the Identity endpoint, with or without the trailing /v3.
	AuthURL string
	// Region and Interface are the defaults for choosing endpoints from
	// the catalog (Interface defaults to "public").
	Region    string
	Interface string

	ApplicationCredentialID     string
	ApplicationCredentialName   string
	ApplicationCredentialSecret string

	UserID         string
	UserName       string
	UserDomainID   string
	UserDomainName string
	Password       string

	// Scope of a password token: a project (by id, or by name with its
	// domain), else a domain, else none.
	ProjectID         string
	ProjectName       string
	ProjectDomainID   string
	ProjectDomainName string
	DomainID          string
	DomainName        string

	// Token is an existing token to use as it is.
	Token string
}

// Method is how a client authenticates.
type Method int

// Authentication methods, in the order New picks them when several are
// configured.
const (
	MethodToken Method = iota + 1
	MethodAppCredID
	MethodAppCredName
	MethodPassword
)

func (m Method) String() string {
	switch m {
	case MethodToken:
		return "token"
	case MethodAppCredID:
		return "application credential (by id)"
	case MethodAppCredName:
		return "application credential (by name)"
	case MethodPassword:
		return "password"
	}
	return "unknown"
}

// Client logs in to one Keystone and keeps the token for the life of the
// process. gophercloud builds the login bodies from its validated options;
// the requests go through the shared HTTP stack like every other cloud's.
type Client struct {
	cfg     Config
	method  Method
	authURL string // normalised, ending in /v3
	http    *httpx.Client
	tokens  *httpx.TokenSource[*Token]
	opts    tokens.AuthOptions
}

// New checks the settings and builds a client; it makes no network call.
// Every problem is reported: the error joins one *httpx.ConfigError per
// attribute at fault.
func New(cfg Config) (*Client, error) {
	if cfg.HTTP.Name == "" {
		cfg.HTTP.Name = "keystone"
	}
	// OpenStack clients also accept the old "publicURL" spelling.
	cfg.Interface = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(cfg.Interface)), "url")
	method, opts, errs := plan(&cfg)
	authURL, err := NormalizeAuthURL(cfg.AuthURL)
	if err != nil {
		errs = append(errs, &httpx.ConfigError{Attribute: "auth_url", Msg: err.Error()})
	}
	if cfg.Interface != "" && !slices.Contains(Interfaces, cfg.Interface) {
		errs = append(errs, &httpx.ConfigError{Attribute: "interface",
			Msg: fmt.Sprintf("%q is not an endpoint interface; use public, internal or admin", cfg.Interface)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg.HTTP.BaseURL = authURL
	hc, err := httpx.New(cfg.HTTP)
	if err != nil {
		return nil, err
	}
	hc.Redactor().Add(cfg.Password, cfg.ApplicationCredentialSecret, cfg.Token)
	c := &Client{
		cfg:     cfg,
		method:  method,
		authURL: authURL,
		http:    hc,
		opts:    opts,
	}
	c.tokens = httpx.NewTokenSource(c.login)
	return c, nil
}

// plan picks the authentication method and builds gophercloud's options
// for it, reporting each missing or contradictory piece on its attribute.
func plan(cfg *Config) (Method, tokens.AuthOptions, []error) {
	var errs []error
	fail := func(attr, format string, args ...any) {
		errs = append(errs, &httpx.ConfigError{Attribute: attr, Msg: fmt.Sprintf(format, args...)})
	}
	// user adds the user to opts: by id, or by name with its domain.
	user := func(opts *tokens.AuthOptions, why string) {
		switch {
		case cfg.UserID != "":
			opts.UserID = cfg.UserID
		case cfg.UserName != "":
			opts.Username = cfg.UserName
			switch {
			case cfg.UserDomainID != "":
				opts.DomainID = cfg.UserDomainID
			case cfg.UserDomainName != "":
				opts.DomainName = cfg.UserDomainName
			default:
				fail("user_domain_name", "user %q is named without a domain: set user_domain_name or user_domain_id (or give user_id instead)", cfg.UserName)
			}
		default:
			fail("user_id", "%s needs the user: set user_id, or user_name with user_domain_name or user_domain_id", why)
		}
	}
	var opts tokens.AuthOptions
	var m Method
	switch {
	case cfg.Token != "":
		m = MethodToken
	case cfg.ApplicationCredentialID != "":
		m = MethodAppCredID
		opts.ApplicationCredentialID = cfg.ApplicationCredentialID
		opts.ApplicationCredentialSecret = cfg.ApplicationCredentialSecret
		if cfg.ApplicationCredentialSecret == "" {
			fail("application_credential_secret", "application credential %s has no secret: set application_credential_secret", cfg.ApplicationCredentialID)
		}
	case cfg.ApplicationCredentialName != "":
		m = MethodAppCredName
		opts.ApplicationCredentialName = cfg.ApplicationCredentialName
		opts.ApplicationCredentialSecret = cfg.ApplicationCredentialSecret
		if cfg.ApplicationCredentialSecret == "" {
			fail("application_credential_secret", "application credential %q has no secret: set application_credential_secret", cfg.ApplicationCredentialName)
		}
		user(&opts, fmt.Sprintf("application credential %q (given by name)", cfg.ApplicationCredentialName))
	case cfg.ApplicationCredentialSecret != "":
		fail("application_credential_id", "an application credential secret is set but not which credential: set application_credential_id (or application_credential_name with the user)")
	case cfg.Password != "":
		m = MethodPassword
		opts.Password = cfg.Password
		user(&opts, "password login")
		switch {
		case cfg.ProjectID != "":
			opts.Scope.ProjectID = cfg.ProjectID
		case cfg.ProjectName != "":
			opts.Scope.ProjectName = cfg.ProjectName
			switch {
			case cfg.ProjectDomainID != "":
				opts.Scope.DomainID = cfg.ProjectDomainID
			case cfg.ProjectDomainName != "":
				opts.Scope.DomainName = cfg.ProjectDomainName
			default:
				fail("project_domain_name", "project %q is named without a domain: set project_domain_name or project_domain_id (or give project_id instead)", cfg.ProjectName)
			}
		case cfg.DomainID != "":
			opts.Scope.DomainID = cfg.DomainID
		case cfg.DomainName != "":
			opts.Scope.DomainName = cfg.DomainName
		}
	case cfg.UserID != "" || cfg.UserName != "":
		fail("password", "a user is set but no password: set password, or use an application credential")
	default:
		fail("application_credential_id", "no credentials: set application_credential_id and application_credential_secret, "+
			"or a user with password, or token, or cloud (a clouds.yaml entry)")
	}
	return m, opts, errs
}

var versionSegment = regexp.MustCompile(`^v[0-9]+(\.[0-9]+)?$`)

// NormalizeAuthURL returns the v3 Identity endpoint for an auth URL given
// with or without the trailing /v3, without asking the server (there is no
// version discovery request).
func NormalizeAuthURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("the Identity endpoint is not set")
	}
	u, err := httpx.ParseBaseURL(raw)
	if err != nil {
		return "", err
	}
	u.RawQuery, u.Fragment = "", ""
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	last := segs[len(segs)-1]
	switch {
	case last == "v3" || strings.HasPrefix(last, "v3."):
		u.Path = "/" + strings.Join(segs[:len(segs)-1], "/") + "/v3"
	case versionSegment.MatchString(last):
		return "", fmt.Errorf("%q points at Identity API %s; this provider speaks v3: use the URL with /v3 (or without a version)", raw, last)
	default:
		u.Path = strings.TrimSuffix(u.Path, "/") + "/v3"
	}
	u.Path = strings.ReplaceAll(u.Path, "//", "/")
	return u.String(), nil
}

// Method returns how the client authenticates.
func (c *Client) Method() Method { return c.method }

// AuthURL returns the v3 Identity endpoint.
func (c *Client) AuthURL() string { return c.authURL }

// Region returns the configured default region ("" for any).
func (c *Client) Region() string { return c.cfg.Region }

// Interface returns the configured default interface ("public" if unset).
func (c *Client) Interface() string {
	if c.cfg.Interface == "" {
		return "public"
	}
	return c.cfg.Interface
}

// LoginError is a login Keystone refused. Message is Keystone's own text
// (for a 401 always "The request you have made requires authentication.").
type LoginError struct {
	Method  Method
	AuthURL string
	Err     *httpx.APIError
}

func (e *LoginError) Error() string {
	what := "the " + e.Method.String() + " login"
	if e.Method == MethodToken {
		what = "the configured token"
	}
	msg := e.Err.Message
	if msg == "" {
		msg = e.Err.Snippet
	}
	return fmt.Sprintf("Keystone at %s refused %s: HTTP %d %s: %s",
		e.AuthURL, what, e.Err.StatusCode, http.StatusText(e.Err.StatusCode), msg)
}

func (e *LoginError) Unwrap() error { return e.Err }

// ErrTokenRejected is returned when a configured token that was accepted
// earlier is refused: the client has no credentials to get another.
var ErrTokenRejected = fmt.Errorf("keystone no longer accepts the configured token and has no credentials to log in again: %w", httpx.ErrNeedsNewCredential)

// login gets a token for the token source: POST /v3/auth/tokens with the
// credentials, or, for a configured token, GET /v3/auth/tokens on itself
// (which returns its catalog without minting another token).
func (c *Client) login(ctx context.Context, why httpx.LoginReason) (httpx.Token[*Token], error) {
	var (
		t   *Token
		err error
	)
	if c.method == MethodToken {
		if why == httpx.LoginRejected {
			return httpx.Token[*Token]{}, ErrTokenRejected
		}
		t, err = c.show(ctx, c.cfg.Token, c.cfg.Token)
	} else {
		t, err = c.issue(ctx)
	}
	if err != nil {
		return httpx.Token[*Token]{}, c.loginError(err)
	}
	expires := t.ExpiresAt
	if c.method == MethodToken {
		// A configured token cannot be renewed: it is used until Keystone
		// refuses it, not re-checked over and over near its expiry.
		expires = time.Time{}
	}
	return httpx.Token[*Token]{
		Value:     t.ID,
		ExpiresAt: expires,
		IssuedAt:  t.IssuedAt,
		Principal: t.User.Name,
		Data:      t,
	}, nil
}

// loginError sorts a failed login: a refusal by Keystone (400, 401, 403,
// and 404 with Keystone's own message, as for an unknown application
// credential) names the credentials; any other answer means auth_url does
// not point at Keystone's identity API.
func (c *Client) loginError(err error) error {
	var ae *httpx.APIError
	if !errors.As(err, &ae) || ae.StatusCode < 400 || ae.StatusCode >= 500 {
		return err
	}
	switch {
	case ae.StatusCode == http.StatusBadRequest, ae.StatusCode == http.StatusUnauthorized, ae.StatusCode == http.StatusForbidden,
		ae.StatusCode == http.StatusNotFound && ae.Message != "":
		return &LoginError{Method: c.method, AuthURL: c.authURL, Err: ae}
	}
	return &EndpointError{AuthURL: c.authURL, Err: ae}
}

// EndpointError is an answer that shows auth_url is not Keystone's v3
// identity API (a 404 web page, a 405 from another service).
type EndpointError struct {
	AuthURL string
	Err     *httpx.APIError
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("%s does not answer like the Keystone v3 identity API: %v", e.AuthURL, e.Err)
}

func (e *EndpointError) Unwrap() error { return e.Err }

// CanLogin reports whether the client can get a new token by itself; with
// a configured token it cannot.
func (c *Client) CanLogin() bool { return c.method != MethodToken }

// IssueToken logs in for a token of the caller's own, outside the cache:
// one that can be revoked without ending the token the client's other
// callers use.
func (c *Client) IssueToken(ctx context.Context) (cred.Credential, error) {
	if !c.CanLogin() {
		return cred.Credential{}, fmt.Errorf("keystone: %w", cred.ErrCannotLogin)
	}
	t, err := c.issue(ctx)
	if err != nil {
		return cred.Credential{}, c.loginError(err)
	}
	return c.credential(t), nil
}

// tokensPath is below the v3 endpoint.
const tokensPath = "/auth/tokens"

// issue asks for a new token with the configured credentials.
func (c *Client) issue(ctx context.Context) (*Token, error) {
	scope, err := c.opts.ToTokenV3ScopeMap()
	if err != nil {
		return nil, err
	}
	if c.method != MethodPassword {
		// Application credentials carry their project; Keystone refuses
		// a scope next to them.
		scope = nil
	}
	m, err := c.opts.ToTokenV3CreateMap(scope)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	r, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: tokensPath, Body: body})
	if err != nil {
		return nil, err
	}
	return c.decode(r)
}

// show asks Keystone about subject, authenticating with auth.
func (c *Client) show(ctx context.Context, auth, subject string) (*Token, error) {
	r, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: tokensPath, Header: tokenHeaders(auth, subject)})
	if err != nil {
		return nil, err
	}
	return c.decode(r)
}

func tokenHeaders(auth, subject string) http.Header {
	h := http.Header{}
	h.Set("X-Auth-Token", auth)
	h.Set("X-Subject-Token", subject)
	return h
}

// decode reads a token answer once into Token and registers the token
// with the redactor before anything can log it.
func (c *Client) decode(r *httpx.Response) (*Token, error) {
	id := r.Header.Get("X-Subject-Token")
	c.http.Redactor().Add(id)
	var env tokenEnvelope
	if err := c.http.DecodeJSON(r, &env); err != nil {
		return nil, err
	}
	t, err := env.token()
	if err != nil {
		return nil, c.http.DecodeFailure(r, err)
	}
	if id == "" {
		return nil, fmt.Errorf("%s %s: HTTP %d without the X-Subject-Token header that carries the token", r.Method, r.URL, r.StatusCode)
	}
	t.ID = id
	return t, nil
}

// Login returns the cached token, logging in on first use. It makes no
// request while the token is valid.
func (c *Client) Login(ctx context.Context) (*Token, error) {
	t, err := c.tokens.Token(ctx)
	return t.Data, err
}

// Credential returns the cached token with the header Keystone-protected
// APIs expect.
func (c *Client) Credential(ctx context.Context) (cred.Credential, error) {
	t, err := c.Login(ctx)
	if err != nil {
		return cred.Credential{}, err
	}
	cr := c.credential(t)
	cr.RenewAt = c.tokens.RenewAt()
	return cr, nil
}

func (c *Client) credential(t *Token) cred.Credential {
	return cred.Credential{
		Token:     t.ID,
		ExpiresAt: t.ExpiresAt,
		Principal: t.User.Name,
		Endpoint:  c.authURL,
		Headers:   map[string]string{"X-Auth-Token": t.ID},
	}
}

// Relogin drops the cached token and logs in again. With a configured
// token there is nothing to log in with: it fails with ErrTokenRejected.
func (c *Client) Relogin(ctx context.Context) (cred.Credential, error) {
	c.tokens.InvalidateCurrent()
	return c.Credential(ctx)
}

// Verify asks Keystone about the cached token (GET /v3/auth/tokens) and
// returns its answer. When Keystone refuses the token (401: revoked, or
// expired early), the client logs in once more, shared with every caller
// that saw the same refusal, and asks again.
func (c *Client) Verify(ctx context.Context) (*Token, error) {
	var out *Token
	err := c.authed(ctx, func(ctx context.Context, token string) error {
		t, err := c.show(ctx, token, token)
		out = t
		return err
	})
	return out, err
}

// authed runs call with the cached token and repeats it once with a new
// one when Keystone answers 401 (the shared re-login policy).
func (c *Client) authed(ctx context.Context, call func(ctx context.Context, token string) error) error {
	return c.tokens.WithToken(ctx, httpx.Unauthorized, func(ctx context.Context, t httpx.Token[*Token]) error {
		return call(ctx, t.Value)
	})
}

// Revoke revokes token (DELETE /v3/auth/tokens), authenticating with the
// token itself, which Keystone allows for its own subject. A token that is
// already invalid (401 or 404) counts as revoked. When it is the cached
// token, the next call logs in again.
func (c *Client) Revoke(ctx context.Context, token string) error {
	if token == "" {
		return errors.New("keystone: no token to revoke")
	}
	c.http.Redactor().Add(token)
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: tokensPath, Header: tokenHeaders(token, token)})
	if err != nil && !httpx.StatusIs(err, http.StatusUnauthorized, http.StatusNotFound) {
		return err
	}
	c.tokens.Invalidate(token)
	return nil
}
