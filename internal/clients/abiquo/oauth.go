package abiquo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/dghubble/oauth1"
	"golang.org/x/net/http/httpproxy"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// OAuth 1.0a, as Abiquo's own tools use it (API notes §5b): an application
// registered through the user's "applications" link gives the consumer key
// and secret; a request token (signed by the consumer, oauth_callback=oob),
// the user's authorization (a redirect whose Location carries the
// verifier) and its exchange give the access token and secret. Requests
// signed with the four need no one-time code.

// signer signs requests with github.com/dghubble/oauth1. The library signs
// a request as it sends it, so here it "sends" to a transport that only
// keeps the Authorization header it made, and the request itself goes
// through httpx (retries, masking, logging). Every attempt is signed
// afresh: a retry carries a nonce and a timestamp of its own.
type signer struct {
	consumerKey string
	config      *oauth1.Config
	redact      *httpx.Redactor
}

func newSigner(key, secret string, r *httpx.Redactor) *signer {
	// The Noncer is set here: the library would otherwise set it on the
	// shared config at every signature, from concurrent requests.
	return &signer{consumerKey: key, config: &oauth1.Config{ConsumerKey: key, ConsumerSecret: secret, Noncer: oauth1.Base64Noncer{}}, redact: r}
}

// keepAuth stands in for the network while the library signs.
type keepAuth struct{ auth string }

func (k *keepAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	k.auth = r.Header.Get("Authorization")
	// Enough of an answer for the library's RequestToken and AccessToken,
	// which read one; it is thrown away.
	body := "oauth_token=unused&oauth_token_secret=unused&oauth_callback_confirmed=true"
	return &http.Response{
		StatusCode: http.StatusOK, Request: r,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   io.NopCloser(strings.NewReader(body)),
	}, nil
}

// authorization runs one of the library's signing calls on a copy of the
// config and returns the header it made.
func (s *signer) authorization(sign func(cfg *oauth1.Config) error) (string, error) {
	k := &keepAuth{}
	cfg := *s.config
	cfg.HTTPClient = &http.Client{Transport: k}
	if err := sign(&cfg); err != nil {
		return "", fmt.Errorf("signing the request with OAuth 1.0a: %w", err)
	}
	if !strings.HasPrefix(k.auth, "OAuth ") {
		return "", errors.New("signing the request with OAuth 1.0a produced no Authorization header")
	}
	// A signature is good for one request only; it is masked all the same.
	s.redact.Add(signatureOf(k.auth)...)
	return k.auth, nil
}

// apply signs req now and again before each retry. A retry whose signing
// failed (it cannot, for a URL that was signed once) keeps the old header,
// which the API refuses as a replay.
func (s *signer) apply(req *httpx.Request, sign func(cfg *oauth1.Config) error) error {
	auth, err := s.authorization(sign)
	if err != nil {
		return err
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Authorization", auth)
	req.Refresh = func(h http.Header) {
		if auth, err := s.authorization(sign); err == nil {
			h.Set("Authorization", auth)
		}
	}
	return nil
}

// signResource signs req (whose Path is the absolute URL it goes to) with
// an access token. A body is not covered: the client sends none in form
// encoding, the only kind RFC 5849 signs.
func (s *signer) signResource(req *httpx.Request, token, secret string) error {
	method, target := req.Method, req.Path
	return s.apply(req, func(cfg *oauth1.Config) error {
		r, err := http.NewRequest(method, target, nil)
		if err != nil {
			return err
		}
		ctx := context.WithValue(context.Background(), oauth1.HTTPClient, cfg.HTTPClient)
		resp, err := cfg.Client(ctx, oauth1.NewToken(token, secret)).Do(r)
		if resp != nil {
			_ = resp.Body.Close()
		}
		return err
	})
}

// signRequestToken signs POST /oauth/request_token: the consumer alone,
// with oauth_callback=oob (there is no web page to return to).
func (s *signer) signRequestToken(req *httpx.Request) error {
	target := req.Path
	return s.apply(req, func(cfg *oauth1.Config) error {
		cfg.CallbackURL = "oob"
		cfg.Endpoint.RequestTokenURL = target
		_, _, err := cfg.RequestToken()
		return err
	})
}

// signAccessToken signs POST /oauth/access_token with the authorized
// request token and its verifier.
func (s *signer) signAccessToken(req *httpx.Request, requestToken, requestSecret, verifier string) error {
	target := req.Path
	return s.apply(req, func(cfg *oauth1.Config) error {
		cfg.Endpoint.AccessTokenURL = target
		_, _, err := cfg.AccessToken(requestToken, requestSecret, verifier)
		return err
	})
}

var signatureParam = regexp.MustCompile(`oauth_signature="([^"]*)"`)

// signatureOf returns the signature of an OAuth Authorization header, as
// sent and decoded.
func signatureOf(auth string) []string {
	m := signatureParam.FindStringSubmatch(auth)
	if m == nil {
		return nil
	}
	out := []string{m[1]}
	if d, err := url.PathUnescape(m[1]); err == nil && d != m[1] {
		out = append(out, d)
	}
	return out
}

// Application is an OAuth 1.0a application (a consumer) registered for a
// user. APIKey and APISecret are its consumer key and secret.
type Application struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	APIKey    string `json:"apiKey"`
	APISecret string `json:"apiSecret"`
	Links     []Link `json:"links"`
}

// RegisterApplication registers an application for the logged-in user,
// through the "applications" link of the user's GET /login, as Abiquo's
// own register.py does.
func (c *Client) RegisterApplication(ctx context.Context, name string) (*Application, error) {
	u, err := c.User(ctx)
	if err != nil {
		return nil, err
	}
	href, ok := linkOf(u.Links, "applications")
	if !ok {
		return nil, fmt.Errorf("user %q has no \"applications\" link in GET /login: this Abiquo does not let the user register OAuth applications", u.Nick)
	}
	path, rawQuery, err := rebase(c.endpointPath(), "", href)
	if err != nil {
		return nil, fmt.Errorf("the applications link of user %q: %w", u.Nick, err)
	}
	body, err := json.Marshal(map[string]string{"name": name})
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", c.MediaType("application"))
	h.Set("Accept", c.MediaType("application"))
	resp, err := c.send(ctx, http.MethodPost, path, rawQuery, h, body)
	if err != nil {
		return nil, err
	}
	var app Application
	if err := c.http.DecodeJSON(resp, &app); err != nil {
		return nil, err
	}
	if err := c.http.Redactor().AddIssued("an apiSecret", app.APISecret); err != nil {
		return nil, fmt.Errorf("%s %s: %w", resp.Method, resp.URL, err)
	}
	if app.APIKey == "" || app.APISecret == "" {
		return nil, c.http.DecodeFailure(resp, errors.New("the new application has no apiKey or apiSecret"))
	}
	return &app, nil
}

// OAuthCredentials are the four values that sign requests (Config's
// ConsumerKey, ConsumerSecret, AccessToken and AccessTokenSecret).
type OAuthCredentials struct {
	ConsumerKey       string
	ConsumerSecret    string
	AccessToken       string
	AccessTokenSecret string
}

// AuthorizeApplication lets the application with the given consumer key
// and secret act for the logged-in user, as Abiquo's own authorize.py
// does: POST /oauth/request_token, signed by the consumer; GET
// /oauth/authorize as the user, whose redirect carries the verifier; POST
// /oauth/access_token, signed with the request token and the verifier.
//
// The user authorizes with Basic credentials, or, where the login needed a
// one-time code, with the login's token: a second Basic request would need
// a second code, which a scratch code cannot give.
func (c *Client) AuthorizeApplication(ctx context.Context, consumerKey, consumerSecret string) (OAuthCredentials, error) {
	if c.cfg.Password == "" {
		return OAuthCredentials{}, errors.New("authorizing an OAuth application needs the user's password (a Basic login)")
	}
	c.http.Redactor().Add(consumerSecret)
	s := newSigner(consumerKey, consumerSecret, c.http.Redactor())

	req := &httpx.Request{Method: http.MethodPost, Path: c.url("/oauth/request_token", ""), Header: http.Header{}}
	if err := s.signRequestToken(req); err != nil {
		return OAuthCredentials{}, err
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return OAuthCredentials{}, c.oauthStepError(err, OAuthRequestToken, consumerKey)
	}
	requestToken, requestSecret, err := c.tokenPair(resp)
	if err != nil {
		return OAuthCredentials{}, err
	}

	verifier, err := c.authorize(ctx, requestToken)
	if err != nil {
		return OAuthCredentials{}, err
	}

	// The verifier works once: a retry only where the API cannot have
	// seen the request.
	req = &httpx.Request{Method: http.MethodPost, Path: c.url("/oauth/access_token", ""), Header: http.Header{}, SingleUse: true}
	if err := s.signAccessToken(req, requestToken, requestSecret, verifier); err != nil {
		return OAuthCredentials{}, err
	}
	resp, err = c.http.Do(ctx, req)
	if err != nil {
		return OAuthCredentials{}, c.oauthStepError(err, OAuthAccessToken, consumerKey)
	}
	accessToken, accessSecret, err := c.tokenPair(resp)
	if err != nil {
		return OAuthCredentials{}, err
	}
	return OAuthCredentials{ConsumerKey: consumerKey, ConsumerSecret: consumerSecret, AccessToken: accessToken, AccessTokenSecret: accessSecret}, nil
}

// oauthStepError types a refused OAuth request. A 400 from the token
// endpoints is a refusal too (RFC 5849 §3.2); from a resource it is about
// the resource.
func (c *Client) oauthStepError(err error, step OAuthStep, consumerKey string) error {
	err = cleanHTML(err, c.http.Redactor())
	var ae *httpx.APIError
	if errors.As(err, &ae) && (ae.StatusCode == http.StatusUnauthorized || (step != OAuthSigned && ae.StatusCode == http.StatusBadRequest)) {
		return &OAuthError{ConsumerKey: consumerKey, Step: step, Err: ae}
	}
	return err
}

// tokenPair reads oauth_token and oauth_token_secret from a form-encoded
// answer and masks both from then on.
func (c *Client) tokenPair(resp *httpx.Response) (string, string, error) {
	v, err := url.ParseQuery(strings.TrimSpace(string(resp.Body)))
	if err != nil {
		return "", "", c.http.DecodeFailure(resp, errors.New("the answer is not form-encoded"))
	}
	tok, secret := v.Get("oauth_token"), v.Get("oauth_token_secret")
	for _, s := range []struct{ what, v string }{{"an oauth_token", tok}, {"an oauth_token_secret", secret}} {
		if err := c.http.Redactor().AddIssued(s.what, s.v); err != nil {
			return "", "", fmt.Errorf("%s %s: %w", resp.Method, resp.URL, err)
		}
	}
	if tok == "" || secret == "" {
		return "", "", c.http.DecodeFailure(resp, errors.New("the answer has no oauth_token and oauth_token_secret"))
	}
	return tok, secret, nil
}

// authorize is GET /oauth/authorize as the user. Its answer redirects to
// the callback with the verifier, and must be read, not followed: httpx
// follows redirects on the same host, so this one request goes through a
// plain client built from the same TLS and proxy settings.
func (c *Client) authorize(ctx context.Context, requestToken string) (string, error) {
	h := http.Header{}
	withCode := c.otp != nil || c.cfg.OTP != ""
	if withCode {
		t, err := c.tokens.Token(ctx)
		if err != nil {
			return "", err
		}
		h.Set("Authorization", "Token "+t.Value)
	} else {
		h.Set("Authorization", "Basic "+basicValue(c.cfg.Username, c.cfg.Password))
	}
	c.http.Redactor().Add(requestToken)
	resp, err := c.getWithoutRedirect(ctx, c.url("/oauth/authorize", url.Values{"oauth_token": {requestToken}}.Encode()), h)
	if err != nil {
		return "", err
	}
	if err := c.observe(resp); err != nil {
		return "", err
	}
	if resp.StatusCode >= 400 {
		err := cleanHTML(c.http.APIError(resp), c.http.Redactor())
		var ae *httpx.APIError
		if !withCode && errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
			return "", c.loginError(ae, CodeNone)
		}
		return "", fmt.Errorf("authorizing the application as %q: %w", c.cfg.Username, err)
	}
	loc := resp.Header.Get("Location")
	if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
		return "", fmt.Errorf("GET %s: HTTP %d without a redirect; Abiquo should answer the authorization with a redirect that carries oauth_verifier", resp.URL, resp.StatusCode)
	}
	target, err := url.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("GET %s: the redirect's Location is not a URL", resp.URL)
	}
	q := target.Query()
	verifier := q.Get("oauth_verifier")
	if err := c.http.Redactor().AddIssued("an oauth_verifier", verifier); err != nil {
		return "", fmt.Errorf("GET %s: %w", resp.URL, err)
	}
	switch {
	case verifier == "":
		return "", fmt.Errorf("GET %s: the redirect's Location has no oauth_verifier", resp.URL)
	case q.Get("oauth_token") != "" && q.Get("oauth_token") != requestToken:
		return "", fmt.Errorf("GET %s: the redirect names another request token than the one authorized", resp.URL)
	}
	return verifier, nil
}

// authorizeBodyLimit bounds the body read from the authorization answer.
const authorizeBodyLimit = 64 << 10

// getWithoutRedirect sends one GET without following a redirect, with the
// client's TLS, proxy and timeout settings, and logs it masked.
func (c *Client) getWithoutRedirect(ctx context.Context, target string, h http.Header) (*httpx.Response, error) {
	hc := c.plainClient()
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	shown := c.http.Redactor().URL(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", shown, err)
	}
	req.Header = h.Clone()
	ua := c.cfg.HTTP.UserAgent
	if ua == "" {
		ua = "terraform-provider-cloudauth/dev"
	}
	req.Header.Set("User-Agent", ua)
	start := time.Now()
	resp, err := hc.Do(req)
	if lg := c.cfg.HTTP.Logger; lg != nil {
		f := map[string]any{"cloud": c.http.Name(), "method": http.MethodGet, "url": shown, "attempt": 1,
			"duration_ms": time.Since(start).Milliseconds(), "headers": c.http.Redactor().Headers(req.Header)}
		if err != nil {
			f["error"] = c.http.Redactor().String(err.Error())
		} else {
			f["status"] = resp.StatusCode
			f["response_headers"] = c.http.Redactor().Headers(resp.Header)
		}
		lg.Log(ctx, httpx.LevelDebug, "HTTP request", f)
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("GET %s: %w", shown, c.http.Redactor().Error(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, authorizeBodyLimit))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the answer: %w", shown, c.http.Redactor().Error(err))
	}
	return &httpx.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, URL: shown,
		Method: http.MethodGet, Attempts: 1, ReceivedAt: time.Now()}, nil
}

// plainClient is an http.Client with the settings httpx.Config gives, that
// does not follow redirects.
func (c *Client) plainClient() *http.Client {
	cfg := c.cfg.HTTP
	// New built the httpx client from the same settings, so they are good.
	tc, err := httpx.TLSConfig(cfg.CACert, cfg.Insecure)
	if err != nil {
		tc = nil
	}
	if b := cfg.BaseTLS; b != nil && tc != nil {
		if tc.RootCAs == nil {
			tc.RootCAs = b.RootCAs
		}
		tc.Certificates = b.Certificates
	}
	proxy := cfg.Proxy
	if proxy == nil {
		fromEnv := httpproxy.FromEnvironment().ProxyFunc()
		proxy = func(r *http.Request) (*url.URL, error) { return fromEnv(r.URL) }
	}
	tr := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // the standard library's own
	tr.TLSClientConfig = tc
	tr.Proxy = proxy
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = httpx.DefaultTimeout
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
