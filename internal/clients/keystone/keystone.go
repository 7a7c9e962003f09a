package keystone

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
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

	// Passcode is one code from an authenticator app for Keystone's totp
	// method. A code works once, so the client sends it only when
	// Keystone's multi-factor rules ask for it (answering the password
	// with a receipt), and for one login at most: a later login that
	// needs it fails with *PasscodeSpentError.
	Passcode string
	// TOTPSecret is the user's TOTP secret (base32, or an otpauth://totp/
	// URL): the client makes a fresh code for every login and sends it
	// with the password.
	TOTPSecret string

	// Scope of a password token: a project (by id, or by name with its
	// domain), else a domain, else the system (SystemScope "all"), else
	// none.
	ProjectID         string
	ProjectName       string
	ProjectDomainID   string
	ProjectDomainName string
	DomainID          string
	DomainName        string
	SystemScope       string

	// DefaultDomain is a domain ID (OpenStack's default_domain, such as
	// "default") for a user or project named without its domain.
	DefaultDomain string

	// EndpointOverrides maps a service type to the URL to use instead of
	// the catalog's, in the endpoints map of Client.Selection and
	// Token.Select.
	EndpointOverrides map[string]string

	// Token is an existing token to use as it is.
	Token string

	// Handoff says where the credentials came from, which decides how
	// Credential.Env hands the login to the OpenStack command line tools
	// when the token itself cannot be (see tokenEnv).
	Handoff Handoff

	// Now is the clock for one-time codes (tests); default time.Now.
	Now func() time.Time
}

// Method is how a client authenticates.
type Method int

// Authentication methods, in the order New picks them when several are
// configured.
const (
	MethodToken Method = iota + 1
	MethodAppCredID
	MethodAppCredName
	// MethodPassword: user and password, with a one-time code (totp) when
	// Passcode or TOTPSecret is set.
	MethodPassword
	// MethodTOTP: user and one-time code, without a password.
	MethodTOTP
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
	case MethodTOTP:
		return "TOTP"
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
	// opts hold the user and the scope; the password and the code are
	// added per request (a receipt's second request carries only what is
	// missing).
	opts tokens.AuthOptions
	// otp makes a code per login (TOTPSecret); passcodeSpent is set once
	// the fixed Passcode went out.
	otp           *totp.Key
	passcodeSpent atomic.Bool
	// auth sends a read with the cached token; reads are those of any path.
	auth  *httpx.Session[*Token]
	reads httpx.Reads
}

// New checks the settings and builds a client; it makes no network call.
// Every problem is reported: the error joins one *httpx.ConfigError per
// attribute at fault.
func New(cfg Config) (*Client, error) {
	if cfg.HTTP.Name == "" {
		cfg.HTTP.Name = "keystone"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// OpenStack clients also accept the old "publicURL" spelling.
	cfg.Interface = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(cfg.Interface)), "url")
	// Authenticator apps show "123 456"; Keystone wants the digits.
	cfg.Passcode = strings.ReplaceAll(strings.TrimSpace(cfg.Passcode), " ", "")
	cfg.SystemScope = strings.TrimSpace(cfg.SystemScope)
	cfg.EndpointOverrides = maps.Clone(cfg.EndpointOverrides)
	method, opts, errs := plan(&cfg)
	authURL, err := NormalizeAuthURL(cfg.AuthURL)
	if err != nil {
		errs = append(errs, &httpx.ConfigError{Attribute: "auth_url", Msg: err.Error(), Err: err})
	}
	if cfg.Interface != "" && !slices.Contains(Interfaces, cfg.Interface) {
		errs = append(errs, &httpx.ConfigError{Attribute: "interface",
			Msg: fmt.Sprintf("%q is not an endpoint interface; use public, internal or admin", cfg.Interface)})
	}
	errs = append(errs, checkOverrides(cfg.EndpointOverrides)...)
	key, keyErr := totpKey(cfg.TOTPSecret)
	if keyErr != nil {
		errs = append(errs, keyErr)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg.HTTP.BaseURL = authURL
	hc, err := httpx.New(cfg.HTTP)
	if err != nil {
		return nil, err
	}
	hc.Redactor().Add(cfg.Password, cfg.ApplicationCredentialSecret, cfg.Token, cfg.Passcode, cfg.TOTPSecret)
	if u, err := url.Parse(cfg.TOTPSecret); err == nil && u.Scheme != "" {
		hc.Redactor().Add(u.Query().Get("secret"))
	}
	c := &Client{
		cfg:     cfg,
		method:  method,
		authURL: authURL,
		http:    hc,
		opts:    opts,
		otp:     key,
	}
	c.tokens = httpx.NewTokenSource(c.login)
	c.auth = &httpx.Session[*Token]{HTTP: hc, Tokens: c.tokens,
		Apply: func(h http.Header, t httpx.Token[*Token]) { h.Set("X-Auth-Token", t.Value) }}
	c.reads = httpx.Reads{HTTP: hc, Auth: []string{"X-Auth-Token"}, Catalog: true}
	return c, nil
}

// totpKey reads TOTPSecret. Keystone's totp method always uses HMAC-SHA1,
// 6 digits and 30-second steps, so an otpauth URL asking for anything else
// cannot work.
func totpKey(secret string) (*totp.Key, error) {
	if strings.TrimSpace(secret) == "" {
		return nil, nil
	}
	k, err := totp.Parse(secret)
	if err != nil {
		return nil, &httpx.ConfigError{Attribute: "totp_secret", Msg: "not a base32 TOTP secret or otpauth://totp/ URL: " + err.Error()}
	}
	if k.Algorithm != totp.SHA1 || k.Digits != 6 || k.Period != 30*time.Second {
		return nil, &httpx.ConfigError{Attribute: "totp_secret", Msg: fmt.Sprintf(
			"Keystone's TOTP codes are HMAC-SHA1, 6 digits, 30 seconds; the otpauth URL asks for %s, %d digits, %s", k.Algorithm, k.Digits, k.Period)}
	}
	return k, nil
}

// checkOverrides checks that every endpoint override is a service type
// with an absolute http(s) URL.
func checkOverrides(m map[string]string) []error {
	var errs []error
	for _, typ := range slices.Sorted(maps.Keys(m)) {
		if strings.TrimSpace(typ) == "" {
			errs = append(errs, &httpx.ConfigError{Attribute: "endpoint_overrides", Msg: "an endpoint override has an empty service type"})
			continue
		}
		if _, err := httpx.ParseBaseURL(m[typ]); err != nil {
			errs = append(errs, &httpx.ConfigError{Attribute: "endpoint_overrides",
				Msg: fmt.Sprintf("the override for %q: %v", typ, err), Err: err})
		}
	}
	return errs
}

// plan picks the authentication method and builds gophercloud's options
// for it, reporting each missing or contradictory piece on its attribute.
func plan(cfg *Config) (Method, tokens.AuthOptions, []error) {
	var errs []error
	fail := func(attr, format string, args ...any) {
		errs = append(errs, &httpx.ConfigError{Attribute: attr, Msg: fmt.Sprintf(format, args...)})
	}
	if d := strings.TrimSpace(cfg.DefaultDomain); d != "" {
		// OpenStack's default_domain fills what a name needs and lacks.
		if cfg.UserName != "" && cfg.UserID == "" && cfg.UserDomainID == "" && cfg.UserDomainName == "" {
			cfg.UserDomainID = d
		}
		if cfg.ProjectName != "" && cfg.ProjectID == "" && cfg.ProjectDomainID == "" && cfg.ProjectDomainName == "" {
			cfg.ProjectDomainID = d
		}
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
				fail("user_domain_name", "user %q is named without a domain: set user_domain_name or user_domain_id, or default_domain (or give user_id instead)", cfg.UserName)
			}
		default:
			fail("user_id", "%s needs the user: set user_id, or user_name with user_domain_name or user_domain_id", why)
		}
	}
	code := cfg.Passcode != "" || strings.TrimSpace(cfg.TOTPSecret) != ""
	switch {
	case cfg.Passcode != "" && strings.TrimSpace(cfg.TOTPSecret) != "":
		fail("passcode", "set either passcode (one code, for one login) or totp_secret (a code is made for every login), not both")
	case cfg.Passcode != "" && !onlyDigits(cfg.Passcode):
		fail("passcode", "a one-time code is the 6 digits an authenticator app shows")
	}
	switch cfg.SystemScope {
	case "", "all":
	default:
		fail("system_scope", "%q is not a system scope; Keystone has one, \"all\"", cfg.SystemScope)
	}
	// noCode and noScope report settings a login without a user cannot use.
	noCode := func(why string) {
		switch {
		case cfg.Passcode != "":
			fail("passcode", "%s: a one-time code goes with a user's password login", why)
		case strings.TrimSpace(cfg.TOTPSecret) != "":
			fail("totp_secret", "%s: a one-time code goes with a user's password login", why)
		}
	}
	noScope := func(why string) {
		if cfg.SystemScope != "" {
			fail("system_scope", "%s: remove system_scope", why)
		}
	}
	var opts tokens.AuthOptions
	var m Method
	switch {
	case cfg.Token != "":
		m = MethodToken
		noCode("a token is used as it is")
		// A scope next to a token is not refused: the client uses the
		// token as it is, and the scope is what the OpenStack tools need
		// to re-issue it with the same scope. `cloudauth token --format
		// env` writes OS_SYSTEM_SCOPE beside OS_TOKEN for a system-scoped
		// token, and must be able to read its own output back.
	case cfg.ApplicationCredentialID != "":
		m = MethodAppCredID
		opts.ApplicationCredentialID = cfg.ApplicationCredentialID
		opts.ApplicationCredentialSecret = cfg.ApplicationCredentialSecret
		if cfg.ApplicationCredentialSecret == "" {
			fail("application_credential_secret", "application credential %s has no secret: set application_credential_secret", cfg.ApplicationCredentialID)
		}
		noCode("an application credential logs in without a one-time code")
		noScope("an application credential carries its own project and Keystone refuses a scope next to it")
	case cfg.ApplicationCredentialName != "":
		m = MethodAppCredName
		opts.ApplicationCredentialName = cfg.ApplicationCredentialName
		opts.ApplicationCredentialSecret = cfg.ApplicationCredentialSecret
		if cfg.ApplicationCredentialSecret == "" {
			fail("application_credential_secret", "application credential %q has no secret: set application_credential_secret", cfg.ApplicationCredentialName)
		}
		user(&opts, fmt.Sprintf("application credential %q (given by name)", cfg.ApplicationCredentialName))
		noCode("an application credential logs in without a one-time code")
		noScope("an application credential carries its own project and Keystone refuses a scope next to it")
	case cfg.ApplicationCredentialSecret != "":
		fail("application_credential_id", "an application credential secret is set but not which credential: set application_credential_id (or application_credential_name with the user)")
	case cfg.Password != "" || code:
		m = MethodPassword
		if cfg.Password == "" {
			m = MethodTOTP
		}
		user(&opts, m.String()+" login")
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
				fail("project_domain_name", "project %q is named without a domain: set project_domain_name or project_domain_id, or default_domain (or give project_id instead)", cfg.ProjectName)
			}
		case cfg.DomainID != "":
			opts.Scope.DomainID = cfg.DomainID
		case cfg.DomainName != "":
			opts.Scope.DomainName = cfg.DomainName
		case cfg.SystemScope != "":
			opts.Scope.System = true
		}
		if cfg.SystemScope != "" && !opts.Scope.System {
			fail("system_scope", "system_scope asks for a system-scoped token and %s for another scope: set only one", scopeSetting(cfg))
		}
	case cfg.UserID != "" || cfg.UserName != "":
		fail("password", "a user is set but no password: set password, or use an application credential")
	default:
		fail("application_credential_id", "no credentials: set application_credential_id and application_credential_secret, "+
			"or a user with password, or token, or cloud (a clouds.yaml entry)")
	}
	return m, opts, errs
}

// scopeSetting names the setting that chose a project or domain scope.
func scopeSetting(cfg *Config) string {
	switch {
	case cfg.ProjectID != "":
		return "project_id"
	case cfg.ProjectName != "":
		return "project_name"
	case cfg.DomainID != "":
		return "domain_id"
	}
	return "domain_name"
}

func onlyDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
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

// Selection fills what s leaves empty from the configuration: the
// interface and region, and the endpoint overrides (which s's own, when
// set, replace).
func (c *Client) Selection(s Selection) Selection {
	if s.Interface == "" {
		s.Interface = c.Interface()
	}
	if s.Region == "" {
		s.Region = c.cfg.Region
	}
	if s.EndpointOverrides == nil {
		s.EndpointOverrides = c.EndpointOverrides()
	}
	return s
}

// EndpointOverrides returns a copy of the configured overrides (service
// type -> URL), nil when there are none.
func (c *Client) EndpointOverrides() map[string]string {
	if len(c.cfg.EndpointOverrides) == 0 {
		return nil
	}
	return maps.Clone(c.cfg.EndpointOverrides)
}

// ErrTokenRejected is returned when a configured token that was accepted
// earlier is refused: the client has no credentials to get another.
var ErrTokenRejected = fmt.Errorf("keystone no longer accepts the configured token and has no credentials to log in again: %w", httpx.ErrNeedsNewCredential)

// login gets a token for the token source: POST /v3/auth/tokens with the
// credentials, or, for a configured token, GET /v3/auth/tokens on itself
// (which returns its catalog without minting another token).
func (c *Client) login(ctx context.Context, why httpx.LoginReason) (httpx.Token[*Token], error) {
	// A login of several requests (a receipt, a second factor, a check
	// of a given token) has the deadline of a read as a whole.
	ctx, cancel := c.http.ReadDeadline(ctx, "the login")
	defer cancel()
	var (
		t   *Token
		err error
	)
	if c.method == MethodToken {
		if why == httpx.LoginRejected {
			return httpx.Token[*Token]{}, ErrTokenRejected
		}
		t, err = c.show(ctx, c.cfg.Token, c.cfg.Token)
		if err != nil {
			err = c.loginError(err, nil)
		}
	} else {
		t, err = c.issue(ctx)
	}
	if err != nil {
		return httpx.Token[*Token]{}, err
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
		return cred.Credential{}, err
	}
	return c.credential(t), nil
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
	if err := c.http.Redactor().AddIssued("an X-Subject-Token", id); err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.URL, err)
	}
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
	env, note := c.tokenEnv(t)
	return cred.Credential{
		Token:     t.ID,
		ExpiresAt: t.ExpiresAt,
		Principal: t.User.Name,
		Endpoint:  c.authURL,
		Headers:   map[string]string{"X-Auth-Token": t.ID},
		Env:       env,
		EnvNote:   note,
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
