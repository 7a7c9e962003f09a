// Package clc is a typed client for the CenturyLink Cloud API v2: bearer
// login and the read calls that find a data center's root hardware group.
//
//	c, err := clc.New(clc.Config{
//		HTTP:     httpx.Config{Name: "clc", BaseURL: "https://api.ctl.io"},
//		Username: "user@example.com",
//		Password: pw,
//	})
//	root, err := c.RootGroup(ctx, "", "") // the login's account and data center
//
// The bearer token is a JWT whose exp claim is its real expiry (14 days
// after nbf): the client reads it, without checking the signature, so that
// the token is renewed in time and Credential reports when it ends.
package clc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/suggest"
)

// TokenLifetime is how long a bearer token can be reused ("up to 2 weeks").
// The client does not assume it: the token is a JWT whose exp claim says
// when it ends, and a token that is not one has no known expiry.
const TokenLifetime = 14 * 24 * time.Hour

// Config for New: a username and password, or a bearer token from an
// earlier login, or both.
type Config struct {
	HTTP     httpx.Config
	Username string
	Password string
	// Token is a bearer token issued earlier (`cloudauth token clc`), used
	// before any login. Its JWT claims name the user, the account and the
	// default data center. With a password as well, the client logs in
	// when the token ends or the API refuses it; without one, a refused
	// token is a *TokenRejectedError.
	Token string
	// TokenOrigin says where Token came from (for example "env
	// CLC_BEARER_TOKEN"); errors name it.
	TokenOrigin string
	// AccountAlias overrides the login's account for reads.
	AccountAlias string
}

// Client talks to one CenturyLink Cloud account.
type Client struct {
	cfg    Config
	http   *httpx.Client
	tokens *httpx.TokenSource[*LoginResult]
	auth   *httpx.Session[*LoginResult]
	roots  httpx.Memo[*RootGroup]
	dcs    httpx.Memo[[]DataCenter]
	reads  httpx.Reads
}

// CheckURL checks that raw is an http(s) URL that does not end in the /v2
// that every path of the API starts with, and returns it without a
// trailing slash. A base URL ending in /v2 would send
// /v2/v2/authentication/login, which the API answers with a bare 404; the
// error proposes the URL without it.
func CheckURL(raw string) (string, error) {
	u, err := httpx.ParseBaseURL(raw)
	if err != nil {
		return "", err
	}
	i := strings.Index(u.Path+"/", "/v2/")
	if i < 0 {
		return u.String(), nil
	}
	fix := *u
	fix.Path, fix.RawQuery, fix.Fragment = u.Path[:i], "", ""
	return "", fmt.Errorf("%q has /v2 in its path, which the client adds to every path of the API itself; use %q", u.String(), fix.String())
}

// New builds a client; it makes no network call.
func New(cfg Config) (*Client, error) {
	if cfg.HTTP.Name == "" {
		cfg.HTTP.Name = "clc"
	}
	if cfg.HTTP.BaseURL != "" {
		base, err := CheckURL(cfg.HTTP.BaseURL)
		if err != nil {
			return nil, &httpx.ConfigError{Attribute: "url", Msg: err.Error(), Err: err}
		}
		cfg.HTTP.BaseURL = base
	}
	if cfg.Token == "" || cfg.Password != "" {
		if strings.TrimSpace(cfg.Username) == "" {
			return nil, &httpx.ConfigError{Attribute: "username", Msg: "the CenturyLink Cloud username is empty"}
		}
		if cfg.Password == "" {
			return nil, &httpx.ConfigError{Attribute: "password", Msg: "the CenturyLink Cloud password is empty"}
		}
	}
	hc, err := httpx.New(cfg.HTTP)
	if err != nil {
		return nil, err
	}
	hc.Redactor().Add(cfg.Password, cfg.Token)
	c := &Client{cfg: cfg, http: hc}
	c.tokens = httpx.NewTokenSource(c.login)
	c.auth = &httpx.Session[*LoginResult]{
		HTTP:   hc,
		Tokens: c.tokens,
		Apply: func(h http.Header, t httpx.Token[*LoginResult]) {
			h.Set("Authorization", "Bearer "+t.Value)
		},
	}
	c.reads = httpx.Reads{HTTP: hc, Auth: []string{"Authorization"}}
	return c, nil
}

// LoginResult is the answer of POST /v2/authentication/login.
type LoginResult struct {
	UserName      string   `json:"userName"`
	AccountAlias  string   `json:"accountAlias"`
	LocationAlias string   `json:"locationAlias"`
	Roles         []string `json:"roles"`
	BearerToken   string   `json:"bearerToken"`

	// expiresAt is a configured token's exp, for Credential.
	expiresAt time.Time
}

// LoginError is a refused login; Message is the API's own text.
type LoginError struct {
	Username string
	Message  string
	Err      *httpx.APIError
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("CenturyLink Cloud refused the login of %q (HTTP %d): %s", e.Username, e.Err.StatusCode, e.Message)
}

func (e *LoginError) Unwrap() error { return e.Err }

// TokenRejectedError is a configured token the API refused (revoked or
// expired) when no password can replace it, or the password login that
// should have replaced it failed.
type TokenRejectedError struct {
	Origin string
	// Expired is the token's exp when it has passed on this machine's clock.
	Expired time.Time
	// Cause is the failed password login, if there was one.
	Cause error
}

func (e *TokenRejectedError) Error() string {
	msg := "CenturyLink Cloud refused the bearer token"
	if e.Origin != "" {
		msg += " from " + e.Origin
	}
	if !e.Expired.IsZero() {
		msg += fmt.Sprintf(", whose exp claim says it ended %s", e.Expired.Format(time.RFC3339))
	} else {
		msg += " (revoked, expired, or not a token of this API)"
	}
	if e.Cause != nil {
		return fmt.Sprintf("%s, and logging in with the password did not work either: %v", msg, e.Cause)
	}
	return msg + ", and there is no password to log in again"
}

// Unwrap marks a refused token with nothing to replace it as needing the
// user, and keeps a failed password login reachable.
func (e *TokenRejectedError) Unwrap() []error {
	if e.Cause == nil {
		return []error{httpx.ErrNeedsNewCredential}
	}
	return []error{e.Cause}
}

// login is the token source's LoginFunc: the configured token first, once
// the API has accepted it, then the password.
func (c *Client) login(ctx context.Context, why httpx.LoginReason) (httpx.Token[*LoginResult], error) {
	// A login of several requests (a receipt, a second factor, a check
	// of a given token) has the deadline of a read as a whole.
	ctx, cancel := c.http.ReadDeadline(ctx, "the login")
	defer cancel()
	var refused *TokenRejectedError
	switch {
	case why == httpx.LoginFirst && c.cfg.Token != "":
		t := c.givenToken()
		expired := !t.Data.expiresAt.IsZero() && !t.Data.expiresAt.After(time.Now())
		if !expired || c.cfg.Password == "" {
			// Without a password the API judges even a token that has
			// ended by this machine's clock: the clocks may disagree.
			err := c.checkGiven(ctx, t.Data)
			if err == nil {
				return t, nil
			}
			if !errors.Is(err, errRefused) {
				return httpx.Token[*LoginResult]{}, err
			}
		}
		refused = &TokenRejectedError{Origin: c.cfg.TokenOrigin}
		if expired {
			refused.Expired = t.Data.expiresAt
		}
	case c.cfg.Token != "":
		if cur, _ := c.tokens.Current(); cur.Value == c.cfg.Token {
			refused = &TokenRejectedError{Origin: c.cfg.TokenOrigin}
			if exp := cur.Data.expiresAt; !exp.IsZero() && !exp.After(time.Now()) {
				refused.Expired = exp
			}
		}
	}
	if c.cfg.Password == "" {
		if refused == nil {
			refused = &TokenRejectedError{Origin: c.cfg.TokenOrigin}
		}
		return httpx.Token[*LoginResult]{}, refused
	}
	t, err := c.passwordLogin(ctx)
	if err != nil && refused != nil {
		refused.Cause = err
		return t, refused
	}
	return t, err
}

// errRefused marks the API's 401 to a configured token in checkGiven.
var errRefused = errors.New("the API refused the token")

// checkGiven shows a configured token to the API before anyone uses it, as
// a login would: with the account's data center list, which the reads of
// root groups need anyway and which is remembered for them. A 403 (the
// account is not the token's) is a valid token; the read that needs the
// account reports it. A token that names no account, with none
// configured, cannot be shown and is used as it is.
func (c *Client) checkGiven(ctx context.Context, lr *LoginResult) error {
	alias := c.cfg.AccountAlias
	if alias == "" {
		alias = lr.AccountAlias
	}
	if alias == "" {
		return nil
	}
	alias = strings.ToUpper(alias)
	_, err := c.dcs.Get(ctx, alias, func(ctx context.Context) ([]DataCenter, error) {
		return c.listDataCenters(ctx, alias, func(ctx context.Context, req *httpx.Request) (*httpx.Response, error) {
			req.Header = http.Header{"Authorization": {"Bearer " + c.cfg.Token}}
			return c.http.Do(ctx, req)
		})
	})
	var ae *httpx.APIError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized:
		return errRefused
	case errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden:
		return nil
	}
	return err
}

// givenToken is the configured token with what its claims say. Without a
// password it cannot be renewed, so the token source is not told its
// expiry (it is used until the API refuses it); Credential still reports
// it.
func (c *Client) givenToken() httpx.Token[*LoginResult] {
	lr := tokenClaims(c.cfg.Token)
	lr.BearerToken = c.cfg.Token
	t := httpx.Token[*LoginResult]{Value: c.cfg.Token, Principal: lr.UserName, Data: lr}
	if exp, ok := tokenExpiry(c.cfg.Token); ok {
		lr.expiresAt = exp
		if c.cfg.Password != "" && exp.After(time.Now()) {
			t.ExpiresAt = exp
		}
	}
	return t
}

func (c *Client) passwordLogin(ctx context.Context) (httpx.Token[*LoginResult], error) {
	var none httpx.Token[*LoginResult]
	body, err := json.Marshal(map[string]string{"username": c.cfg.Username, "password": c.cfg.Password})
	if err != nil {
		return none, err
	}
	resp, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: "/v2/authentication/login", Body: body})
	if err != nil {
		var ae *httpx.APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest {
			return none, &LoginError{Username: c.cfg.Username, Message: ae.Message, Err: ae}
		}
		return none, err
	}
	var lr LoginResult
	if err := c.http.DecodeJSON(resp, &lr); err != nil {
		return none, err
	}
	if lr.BearerToken == "" {
		return none, fmt.Errorf("POST %s: the login answer has no bearerToken", resp.URL)
	}
	if err := c.http.Redactor().AddIssued("a bearerToken", lr.BearerToken); err != nil {
		return none, fmt.Errorf("%s %s: %w", resp.Method, resp.URL, err)
	}
	t := httpx.Token[*LoginResult]{Value: lr.BearerToken, Principal: lr.UserName, Data: &lr}
	// An exp already past on arrival means the clocks disagree: the token
	// is then used until the API refuses it, not renewed on every call.
	if exp, ok := tokenExpiry(lr.BearerToken); ok && exp.After(time.Now()) {
		t.ExpiresAt = exp
	}
	return t, nil
}

// Login returns the cached login, logging in on first use.
func (c *Client) Login(ctx context.Context) (*LoginResult, httpx.Token[*LoginResult], error) {
	t, err := c.tokens.Token(ctx)
	return t.Data, t, err
}

// Endpoint returns the API base URL.
func (c *Client) Endpoint() string { return c.http.BaseURL() }

// Credential returns the cached token with the headers the API expects.
func (c *Client) Credential(ctx context.Context) (cred.Credential, error) {
	lr, t, err := c.Login(ctx)
	if err != nil {
		return cred.Credential{}, err
	}
	expires := t.ExpiresAt
	if expires.IsZero() {
		expires = lr.expiresAt
	}
	return cred.Credential{
		Token:     t.Value,
		ExpiresAt: expires,
		RenewAt:   c.tokens.RenewAt(),
		Principal: lr.UserName,
		Endpoint:  c.Endpoint(),
		Headers:   map[string]string{"Authorization": "Bearer " + t.Value},
		Env:       c.tokenEnv(lr, t.Value),
	}, nil
}

// CanLogin reports whether the client can get a new token by itself (it
// has a password).
func (c *Client) CanLogin() bool { return c.cfg.Password != "" }

// Relogin drops the cached token and logs in again.
func (c *Client) Relogin(ctx context.Context) (cred.Credential, error) {
	c.tokens.InvalidateCurrent()
	return c.Credential(ctx)
}

// Link is an entry of a "links" array.
type Link struct {
	Rel   string   `json:"rel"`
	Href  string   `json:"href"`
	ID    string   `json:"id,omitempty"`
	Name  string   `json:"name,omitempty"`
	Verbs []string `json:"verbs,omitempty"`
}

// DataCenter is an entry of GET /v2/datacenters/{alias} or the answer of
// GET /v2/datacenters/{alias}/{dc}.
type DataCenter struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Links []Link `json:"links"`
}

// ChangeInfo records who created and changed a group.
type ChangeInfo struct {
	CreatedBy    string `json:"createdBy"`
	CreatedDate  string `json:"createdDate"`
	ModifiedBy   string `json:"modifiedBy"`
	ModifiedDate string `json:"modifiedDate"`
}

// CustomField is a user-defined field on a group.
type CustomField struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Value        string `json:"value"`
	DisplayValue string `json:"displayValue"`
}

// Group is the answer of GET /v2/groups/{alias}/{id}. Fields the docs do
// not list are ignored.
type Group struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	LocationID   string        `json:"locationId"`
	Type         string        `json:"type"`
	Status       string        `json:"status"`
	ServersCount int64         `json:"serversCount"`
	Groups       []Group       `json:"groups"`
	Links        []Link        `json:"links"`
	ChangeInfo   ChangeInfo    `json:"changeInfo"`
	CustomFields []CustomField `json:"customFields"`
}

// RootGroup is a data center's root hardware group.
type RootGroup struct {
	Group
	AccountAlias   string
	DataCenterID   string
	DataCenterName string
}

// NotFoundError is a data center the account does not have.
type NotFoundError struct {
	DataCenter   string
	AccountAlias string
	Available    []string
}

func (e *NotFoundError) Error() string {
	// The alias may come from the login's answer.
	return fmt.Sprintf("account %s has no data center %q; %s", httpx.Printable(e.AccountAlias), e.DataCenter, suggest.Known(e.DataCenter, e.Available))
}

// UnnamedError is a default that a configured bearer token does not give:
// a login names the user's account and data center, a token only through
// its JWT claims.
type UnnamedError struct {
	What  string // "account" or "data center"
	Claim string
	// NotJWT says the token is not a JWT at all, as every token the API
	// issues is: most likely it was cut short, quoted or taken from
	// somewhere else.
	NotJWT bool
}

func (e *UnnamedError) Error() string {
	if e.NotJWT {
		return fmt.Sprintf("no %s was given, and the bearer token cannot name one: it is not a JWT "+
			"(three base64url parts joined by dots), as every token the API issues is", e.What)
	}
	return fmt.Sprintf("no %s was given, and the bearer token does not name one (its JWT has no %s claim)", e.What, e.Claim)
}

// isJWT says whether token has the shape of a JWT: three parts, the first
// two base64url JSON objects.
func isJWT(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	_, head := jwtObject(parts[0])
	_, claims := jwtObject(parts[1])
	return head && claims
}

// AccessError is an account alias the user may not read.
type AccessError struct {
	AccountAlias string
	User         string
	Err          *httpx.APIError
}

func (e *AccessError) Error() string {
	return fmt.Sprintf("user %q may not read account %q (HTTP %d: %s)", e.User, e.AccountAlias, e.Err.StatusCode, e.Err.Message)
}

func (e *AccessError) Unwrap() error { return e.Err }

func (c *Client) get(ctx context.Context, path string, query url.Values, v any) error {
	return c.auth.GetJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Query: query}, v)
}

// resolve fills in the account alias: the argument, else the configured
// one, else the login's.
func (c *Client) resolve(ctx context.Context, alias string) (string, *LoginResult, error) {
	lr, _, err := c.Login(ctx)
	if err != nil {
		return "", nil, err
	}
	switch {
	case alias != "":
	case c.cfg.AccountAlias != "":
		alias = c.cfg.AccountAlias
	default:
		alias = lr.AccountAlias
	}
	if alias == "" {
		return "", nil, c.unnamed("account", "urn:tier3:account-alias")
	}
	return strings.ToUpper(alias), lr, nil
}

func (c *Client) accessErr(err error, alias string, lr *LoginResult) error {
	var ae *httpx.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden {
		return &AccessError{AccountAlias: alias, User: lr.UserName, Err: ae}
	}
	return err
}

// DataCenters lists the account's data centers with each one's root group
// link (GET /v2/datacenters/{alias}?groupLinks=true), read once per
// process. The API answers the ids in lower case.
func (c *Client) DataCenters(ctx context.Context, alias string) ([]DataCenter, error) {
	alias, lr, err := c.resolve(ctx, alias)
	if err != nil {
		return nil, err
	}
	return c.dataCenters(ctx, alias, lr)
}

func (c *Client) dataCenters(ctx context.Context, alias string, lr *LoginResult) ([]DataCenter, error) {
	return c.dcs.Get(ctx, alias, func(ctx context.Context) ([]DataCenter, error) {
		out, err := c.listDataCenters(ctx, alias, c.auth.Do)
		if err != nil {
			return nil, c.accessErr(err, alias, lr)
		}
		return out, nil
	})
}

// listDataCenters sends GET /v2/datacenters/{alias}?groupLinks=true with
// send: the session (the cached token), or checkGiven's configured token.
func (c *Client) listDataCenters(ctx context.Context, alias string,
	send func(context.Context, *httpx.Request) (*httpx.Response, error)) ([]DataCenter, error) {
	resp, err := send(ctx, &httpx.Request{Method: http.MethodGet, Path: "/v2/datacenters/" + url.PathEscape(alias),
		Query: url.Values{"groupLinks": {"true"}}})
	if err != nil {
		return nil, err
	}
	var out []DataCenter
	return out, c.http.DecodeJSON(resp, &out)
}

// rootGroupID is the id of the "group" link: the root hardware group.
func rootGroupID(links []Link) string {
	for _, l := range links {
		if l.Rel == "group" {
			if l.ID != "" {
				return l.ID
			}
			return l.Href[strings.LastIndex(l.Href, "/")+1:]
		}
	}
	return ""
}

// RootGroup returns the root hardware group of a data center. Empty
// arguments take the configured or login's account and the login's
// location. The account's data center list (with group links) is read
// once and serves every data center, so n root groups of one account cost
// the list and n group reads. Identical calls in one process share one set
// of requests.
// unnamed is the error for a default the configured token does not give.
func (c *Client) unnamed(what, claim string) *UnnamedError {
	return &UnnamedError{What: what, Claim: claim, NotJWT: c.cfg.Token != "" && !isJWT(c.cfg.Token)}
}

func (c *Client) RootGroup(ctx context.Context, alias, dataCenter string) (*RootGroup, error) {
	alias, lr, err := c.resolve(ctx, alias)
	if err != nil {
		return nil, err
	}
	if dataCenter == "" {
		dataCenter = lr.LocationAlias
	}
	if dataCenter == "" {
		return nil, c.unnamed("data center", "urn:tier3:location-alias")
	}
	// Upper case, as the login's locationAlias and the groups'
	// locationId spell data centers; the list's lower-case ids match
	// without regard to case.
	dataCenter = strings.ToUpper(dataCenter)
	return c.roots.Get(ctx, alias+"/"+dataCenter, func(ctx context.Context) (*RootGroup, error) {
		// The data centers, perhaps one of them, then the group.
		ctx, cancel := c.http.ReadDeadline(ctx, "reading the root group of "+dataCenter)
		defer cancel()
		list, err := c.dataCenters(ctx, alias, lr)
		if err != nil {
			return nil, err
		}
		var dc *DataCenter
		for i := range list {
			if strings.EqualFold(list[i].ID, dataCenter) {
				dc = &list[i]
				break
			}
		}
		if dc == nil {
			nf := &NotFoundError{DataCenter: dataCenter, AccountAlias: alias}
			for _, d := range list {
				nf.Available = append(nf.Available, strings.ToUpper(d.ID))
			}
			sort.Strings(nf.Available)
			return nil, nf
		}
		groupID := rootGroupID(dc.Links)
		if groupID == "" {
			// A list without group links (an API that ignores
			// groupLinks there): the data center's own answer has it.
			var one DataCenter
			err := c.get(ctx, "/v2/datacenters/"+url.PathEscape(alias)+"/"+url.PathEscape(dc.ID), url.Values{"groupLinks": {"true"}}, &one)
			if err != nil {
				return nil, c.accessErr(err, alias, lr)
			}
			if groupID = rootGroupID(one.Links); groupID == "" {
				return nil, fmt.Errorf("data center %s of account %s has no root hardware group link (rel \"group\")", dataCenter, alias)
			}
		}
		var g Group
		if err := c.get(ctx, "/v2/groups/"+url.PathEscape(alias)+"/"+url.PathEscape(groupID), nil, &g); err != nil {
			return nil, c.accessErr(err, alias, lr)
		}
		return &RootGroup{Group: g, AccountAlias: alias, DataCenterID: dataCenter, DataCenterName: dc.Name}, nil
	})
}

// Read reads any path of the API with the client's login (the
// cloudauth_request data source): below the base URL, or a URL on its
// origin.
func (c *Client) Read(ctx context.Context, req httpx.RawRequest) (*httpx.RawResponse, error) {
	return c.reads.Read(ctx, req, httpx.At(c.Endpoint()), c.auth.Do)
}
