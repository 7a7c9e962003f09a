package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
	"golang.org/x/net/http/httpguts"
)

// Client sends requests through the shared stack.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client
}

// New builds a client. It makes no network call.
func New(cfg Config) (*Client, error) {
	cfg.applyDefaults()
	var base *url.URL
	if cfg.BaseURL != "" {
		u, err := ParseBaseURL(cfg.BaseURL)
		if err != nil {
			return nil, &ConfigError{Attribute: "url", Msg: err.Error(), Err: err}
		}
		if err := CheckCleartext(u, cfg.PlainHTTP, cfg.Proxy); err != nil {
			var ce *CleartextError
			if errors.As(err, &ce) && cfg.Setting != nil {
				ce.Allow = cfg.Setting("insecure")
			}
			return nil, &ConfigError{Attribute: "url", Msg: err.Error(), Err: err}
		}
		base = u
	}
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	attempt := &attemptTransport{cfg: &cfg, base: baseTransport(&cfg, tc)}
	policy := retryPolicy{minWait: cfg.RetryWaitMin, maxWait: cfg.RetryWaitMax, maxRetryAfter: cfg.MaxRetryAfter}
	rc := &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: attempt,
			Timeout:   cfg.Timeout,
			// Redirects are followed by the outer client, so that every hop
			// gets the retry policy.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   policy.checkRetry,
		Backoff:      policy.backoff, //nolint:bodyclose // reads only headers; retryablehttp drains the body
		// The last answer (a 503 after the final retry, say) is handed back
		// as it is, so that the caller can report the API's own message.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		PrepareRetry: func(req *http.Request) error {
			if st := stateFrom(req.Context()); st != nil && st.refresh != nil {
				st.refresh(req.Header)
			}
			return nil
		},
	}
	c := &Client{
		cfg:  cfg,
		base: base,
		http: &http.Client{
			Transport:     &stackTransport{retry: &retryablehttp.RoundTripper{Client: rc}},
			CheckRedirect: sameOrigin,
		},
	}
	return c, nil
}

// sameOrigin follows a redirect only to the same scheme, host and port.
// Go drops Authorization on a redirect to another host but not the APIs'
// own token headers (X-Auth-Token, X-AUTH-TOKEN) nor a login body, so a
// redirect elsewhere would hand credentials to that host.
func sameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	from := via[0].URL
	if req.URL.Scheme != from.Scheme || req.URL.Host != from.Host {
		return fmt.Errorf("the server redirected to %s://%s; the provider does not send credentials to another address: set the URL to the address the API answers on", req.URL.Scheme, req.URL.Host)
	}
	return nil
}

// Name returns the provider block the client serves.
func (c *Client) Name() string { return c.cfg.Name }

// BaseURL returns the configured base URL without a trailing slash.
func (c *Client) BaseURL() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// ReadBudget is how long a read of several requests may take in all: a
// list of many pages, or a login and the read after it. It is twice what
// one request may (timeout × (max_retries + 1)), so that a single slow
// request fails with its own error first.
func (c *Client) ReadBudget() time.Duration {
	return 2 * c.cfg.Timeout * time.Duration(c.cfg.MaxRetries+1)
}

// ReadDeadline bounds ctx by ReadBudget for a read of several requests;
// what names it in the *ReadTimeoutError its requests then fail with. A
// server that answers every page in time but never ends the list (or a
// login that waits) cannot keep the provider for hours.
func (c *Client) ReadDeadline(ctx context.Context, what string) (context.Context, context.CancelFunc) {
	budget := c.ReadBudget()
	return context.WithTimeoutCause(ctx, budget, &ReadTimeoutError{What: what, Budget: budget, Block: c.cfg.Name, Setting: c.cfg.Setting})
}

// readTimeout is the *ReadTimeoutError that ended ctx, if one did.
func readTimeout(ctx context.Context) error {
	var rt *ReadTimeoutError
	if ctx.Err() != nil && errors.As(context.Cause(ctx), &rt) {
		return rt
	}
	return nil
}

// Redactor returns the client's secret masker.
func (c *Client) Redactor() *Redactor { return c.cfg.Redactor }

// Request is one logical API call.
type Request struct {
	Method string
	// Path is joined to the base URL; an absolute URL is used as it is.
	Path   string
	Query  url.Values
	Header http.Header
	// Body is sent as it is; a JSON Content-Type is set when none is given.
	Body []byte
	// SingleUse marks a request that spends something usable once (a
	// one-time code): it is repeated only where it cannot have reached the
	// API (connection refused) or the API refused it unseen (429, 503).
	SingleUse bool
	// Refresh, when set, updates the headers before each retry: a
	// time-based one-time code may have changed during a Retry-After wait.
	Refresh func(h http.Header)
}

func (r *Request) clone() *Request {
	c := *r
	c.Header = r.Header.Clone()
	if c.Header == nil {
		c.Header = http.Header{}
	}
	return &c
}

// Response is a complete answer with its body read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	URL        string // secrets masked
	Method     string
	Attempts   int
	// ReceivedAt orders answers that race (Abiquo's rotating tokens).
	ReceivedAt time.Time
}

func (c *Client) url(r *Request) (*url.URL, error) {
	var u *url.URL
	if strings.HasPrefix(r.Path, "http://") || strings.HasPrefix(r.Path, "https://") {
		p, err := url.Parse(r.Path)
		if err != nil {
			return nil, err
		}
		u = p
	} else {
		if c.base == nil {
			return nil, errors.New("no base URL configured")
		}
		cp := *c.base
		p := r.Path
		if p != "" && !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		if i := strings.IndexByte(p, '?'); i >= 0 {
			cp.RawQuery = p[i+1:]
			p = p[:i]
		}
		cp.Path = c.base.Path + p
		u = &cp
	}
	if len(r.Query) > 0 {
		q := u.Query()
		for k, vs := range r.Query {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// Do sends the request with retries and reads the whole answer. An answer
// with status 400 or more is returned together with an *APIError; a failure
// to get an answer is a *TransportError.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	u, err := c.url(r)
	if err != nil {
		return nil, fmt.Errorf("%s: bad request URL %q: %w", c.cfg.Name, r.Path, err)
	}
	// The base URL was checked by New; this is for every URL, those a
	// server names (a catalog's endpoints) included.
	if err := CheckCleartext(u, c.cfg.PlainHTTP, c.cfg.Proxy); err != nil {
		var ce *CleartextError
		if errors.As(err, &ce) && c.cfg.Setting != nil {
			ce.Allow = c.cfg.Setting("insecure")
		}
		return nil, err
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	// One request, retries and their waits included, takes at most what
	// its attempts may: Timeout for each.
	outer := ctx
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout*time.Duration(c.cfg.MaxRetries+1))
	defer cancel()
	ctx, attempts := trackAttempts(ctx)
	if r.SingleUse {
		attempts.st.singleUse.Store(true)
	}
	attempts.st.refresh = r.Refresh
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.cfg.Name, err)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				// Go would refuse it on every attempt; say so once, and
				// never show the value (it may be a credential).
				return nil, fmt.Errorf("%s: the value of the %s header holds a line break or another character HTTP does not allow; "+
					"check the setting it comes from (a user name or token pasted with a newline?)", c.cfg.Name, k)
			}
		}
		req.Header[k] = vs
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if lg := c.cfg.Logger; lg != nil && r.Body != nil {
		lg.Log(ctx, LevelTrace, "request body", map[string]any{
			"cloud": c.cfg.Name, "method": r.Method, "url": c.cfg.Redactor.URL(u),
			"body": c.cfg.Redactor.Snippet(r.Body, 2048),
		})
	}
	resp, err := c.http.Do(req)
	shownURL := c.cfg.Redactor.URL(u)
	if err != nil {
		if rt := readTimeout(outer); rt != nil {
			return nil, rt
		}
		te := c.transportError(r.Method, shownURL, attempts.N(), err)
		if p, perr := c.cfg.Proxy(&http.Request{URL: u}); perr == nil && p != nil {
			// The connection that failed may be the proxy's: name it.
			te.Proxy = (&url.URL{Scheme: p.Scheme, Host: p.Host}).String()
		}
		return nil, te
	}
	data, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	out := &Response{
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       data,
		URL:        shownURL,
		Method:     r.Method,
		Attempts:   attempts.N(),
		ReceivedAt: time.Now(),
	}
	if readErr != nil {
		if rt := readTimeout(outer); rt != nil {
			return nil, rt
		}
		return out, c.transportError(r.Method, shownURL, attempts.N(), readErr)
	}
	if lg := c.cfg.Logger; lg != nil && len(data) > 0 {
		lg.Log(ctx, LevelTrace, "response body", map[string]any{
			"cloud": c.cfg.Name, "method": r.Method, "url": shownURL, "status": resp.StatusCode,
			"body": c.cfg.Redactor.Snippet(data, 2048),
		})
	}
	if resp.StatusCode >= 400 {
		return out, c.APIError(out)
	}
	return out, nil
}

// APIError builds the error for an answer with a failure status.
func (c *Client) APIError(resp *Response) *APIError {
	code, msg := ParseErrorBody(resp.Body)
	e := &APIError{
		Method:      resp.Method,
		URL:         resp.URL,
		StatusCode:  resp.StatusCode,
		Code:        c.cfg.Redactor.Text(code),
		Message:     c.cfg.Redactor.Text(msg),
		ContentType: resp.Header.Get("Content-Type"),
		Attempts:    resp.Attempts,
		Header:      resp.Header,
	}
	if e.Message == "" {
		e.Snippet = c.cfg.Redactor.Snippet(resp.Body, snippetLen)
	}
	if isThrottle(resp.StatusCode) {
		e.RetryAfter, _ = retryAfter(resp.Header, time.Now())
	}
	return e
}

func (c *Client) transportError(method, shownURL string, attempts int, err error) *TransportError {
	kind := classify(err)
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	if kind == KindOther && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
		kind = KindBody
	}
	return &TransportError{
		Method:   method,
		URL:      shownURL,
		Kind:     kind,
		Attempts: attempts,
		Timeout:  c.cfg.Timeout,
		Block:    c.cfg.Name,
		Setting:  c.cfg.Setting,
		Err:      c.cfg.Redactor.Error(cause),
	}
}

// maskedError keeps the cause for errors.Is/As while showing a masked text.
type maskedError struct {
	msg   string
	cause error
}

func (m maskedError) Error() string { return m.msg }
func (m maskedError) Unwrap() error { return m.cause }

// Error returns err with its text masked; errors.Is and errors.As still
// see the cause.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	// A transport error may quote the server too (the names of its
	// certificate, a malformed status line).
	return maskedError{msg: r.String(Printable(err.Error())), cause: err}
}

// DecodeFailure describes a success answer whose content a client could not
// use (JSON of the wrong shape), with a short, masked excerpt.
func (c *Client) DecodeFailure(resp *Response, err error) *DecodeError {
	return &DecodeError{
		Method: resp.Method, URL: resp.URL, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		Snippet: c.cfg.Redactor.Snippet(resp.Body, snippetLen), Err: err,
	}
}

// DecodeJSON decodes a success answer into v. An HTML page (from a proxy or
// a captive portal) or a body that is not JSON gives a *DecodeError with
// the status and a short, masked excerpt.
func (c *Client) DecodeJSON(resp *Response, v any) error {
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	fail := func(err error) error { return c.DecodeFailure(resp, err) }
	if mt == "text/html" || mt == "text/xml" || mt == "application/xml" {
		return fail(fmt.Errorf("expected JSON but the server sent %s", mt))
	}
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		return fail(errors.New("the body is empty"))
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fail(err)
	}
	return nil
}

// stackTransport is what callers see: it marks each logical request with
// its method (for the retry policy) before handing it to retryablehttp.
type stackTransport struct {
	retry http.RoundTripper
}

func (t *stackTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, _ := trackAttempts(req.Context())
	if st := stateFrom(ctx); st != nil {
		st.method = req.Method
	}
	return t.retry.RoundTrip(req.WithContext(ctx))
}

// attemptTransport sees every single attempt: it sets the User-Agent,
// counts and logs the attempt with secrets masked, and caps the body.
type attemptTransport struct {
	cfg  *Config
	base http.RoundTripper
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := 0
	if st := stateFrom(req.Context()); st != nil {
		n = int(st.attempts.Add(1))
	}
	req.Header.Set("User-Agent", t.cfg.UserAgent)
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if lg := t.cfg.Logger; lg != nil {
		f := map[string]any{
			"cloud":       t.cfg.Name,
			"method":      req.Method,
			"url":         t.cfg.Redactor.URL(req.URL),
			"attempt":     n,
			"duration_ms": time.Since(start).Milliseconds(),
			"headers":     t.cfg.Redactor.Headers(req.Header),
		}
		if err != nil {
			f["error"] = t.cfg.Redactor.String(err.Error())
			lg.Log(req.Context(), LevelDebug, "HTTP request failed", f)
		} else {
			f["status"] = resp.StatusCode
			f["response_headers"] = t.cfg.Redactor.Headers(resp.Header)
			lg.Log(req.Context(), LevelDebug, "HTTP request", f)
		}
	}
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: t.cfg.MaxBodyBytes, limit: t.cfg.MaxBodyBytes}
	return resp, nil
}

// cappedBody fails the read that would go past the limit.
type cappedBody struct {
	rc    io.ReadCloser
	left  int64
	limit int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Allow a clean EOF exactly at the limit.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n == 0 && err != nil {
			return 0, err
		}
		return 0, &bodyTooLargeError{limit: b.limit}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
