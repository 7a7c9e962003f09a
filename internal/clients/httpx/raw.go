package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// RawRequest is a read of any path of an API with a client's login: what a
// user asks for, before the cloud adds its headers.
type RawRequest struct {
	// Method is GET (the default, for "") or HEAD.
	Method string
	// Path is joined to the cloud's base URL with exactly one "/"; it may
	// carry a query string. Exactly one of Path and URL is set.
	Path string
	// URL is an absolute URL; its origin must be one of the cloud's.
	URL string
	// Header holds the user's headers; a name the cloud sets for its
	// login is refused.
	Header http.Header
	// ServiceType, Interface and Region choose the base URL from a
	// service catalog (Keystone); a cloud without one refuses them.
	ServiceType, Interface, Region string
	// Expected are the statuses that count as success; empty means 2xx.
	Expected []int
	// Mask masks the client's secrets (its tokens, whose headers some APIs
	// echo) in the answer's headers and body, for an answer that is kept
	// in the Terraform state.
	Mask bool
}

// RawResponse is the answer of a RawRequest.
type RawResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// URL is where the request went, secrets masked.
	URL string
}

// Headers returns the answer's headers, the values of a repeated header
// joined with ", ".
func (r *RawResponse) Headers() map[string]string {
	out := make(map[string]string, len(r.Header))
	for k, vs := range r.Header {
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// Text returns the body when it is UTF-8 text.
func (r *RawResponse) Text() (string, bool) {
	if !utf8.Valid(r.Body) {
		return "", false
	}
	return string(r.Body), true
}

// RawReader is a client that reads any path of its API with its login.
type RawReader interface {
	Read(ctx context.Context, req RawRequest) (*RawResponse, error)
}

// OriginError is a URL outside the cloud's origins: the request is not
// sent, since it would carry the cloud's token elsewhere.
type OriginError struct {
	URL     string // secrets masked
	Origins []string
}

func (e *OriginError) Error() string {
	return fmt.Sprintf("%s is not on an address of this cloud (%s); the provider sends the cloud's token only there: use path, or a url on one of those origins",
		e.URL, strings.Join(e.Origins, ", "))
}

// HeaderConflictError is a user header the cloud sets itself for its login.
type HeaderConflictError struct {
	Header string
	// Auth are the headers the cloud sets.
	Auth []string
}

func (e *HeaderConflictError) Error() string {
	return fmt.Sprintf("the header %s carries this cloud's login (%s) and is set by the provider; remove it from request_headers",
		e.Header, strings.Join(e.Auth, ", "))
}

// RequestError is a request that cannot be made as given.
type RequestError struct {
	Attribute string
	Msg       string
	// Err is the cause callers may branch on (a *URLSecretError).
	Err error
}

func (e *RequestError) Error() string { return e.Msg }

func (e *RequestError) Unwrap() error { return e.Err }

// StatusError is an answer whose status is not one of those expected.
type StatusError struct {
	Expected []int
	// Err holds the API's message, masked.
	Err *APIError
}

func (e *StatusError) Error() string {
	want := "2xx"
	if len(e.Expected) > 0 {
		s := make([]string, len(e.Expected))
		for i, c := range e.Expected {
			s[i] = strconv.Itoa(c)
		}
		want = strings.Join(s, ", ")
	}
	return fmt.Sprintf("%s (expected status %s)", e.Err.Error(), want)
}

func (e *StatusError) Unwrap() error { return e.Err }

// Origin is the scheme://host[:port] of u, in lower case and without a
// default port, so that equal origins compare equal.
func Origin(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// Reads are a client's reads of any path: the checks every cloud shares
// and the memo that makes identical reads once per process.
type Reads struct {
	// HTTP masks secrets and builds the errors.
	HTTP *Client
	// Auth are the names of the headers the cloud sets for its login.
	Auth []string
	// Catalog says the cloud chooses its base URL from a service catalog,
	// so RawRequest's ServiceType, Interface and Region apply.
	Catalog bool
	memo    Memo[*Response]
}

// Read checks req, resolves it within the target the cloud gives (target
// may log in to learn it) and makes it with send (see Do).
func (rs *Reads) Read(ctx context.Context, req RawRequest, target func(ctx context.Context) (Target, error),
	send func(ctx context.Context, r *Request) (*Response, error),
) (*RawResponse, error) {
	method, err := rs.Check(req)
	if err != nil {
		return nil, err
	}
	// The target may log in first.
	ctx, cancel := rs.HTTP.ReadDeadline(ctx, "the read (with the login it needs)")
	defer cancel()
	t, err := target(ctx)
	if err != nil {
		return nil, err
	}
	u, err := rs.Resolve(req, t)
	if err != nil {
		return nil, err
	}
	return rs.Do(ctx, method, u, req, send)
}

// Target is where one read goes, as the cloud resolves it.
type Target struct {
	// Base is the URL a Path is joined to.
	Base string
	// Origins are the origins (any URL on them) a URL may name.
	Origins []string
}

// At is the target of a cloud with one base URL: paths below it, URLs on
// its origin.
func At(base string) func(context.Context) (Target, error) {
	return func(context.Context) (Target, error) { return Target{Base: base, Origins: []string{base}}, nil }
}

// Check validates what does not depend on the cloud's login: the method,
// path or url, and the user's headers. It returns the method to send.
func (rs *Reads) Check(req RawRequest) (string, error) {
	method := strings.ToUpper(req.Method)
	switch method {
	case "":
		method = http.MethodGet
	case http.MethodGet, http.MethodHead:
	default:
		return "", &RequestError{Attribute: "method", Msg: fmt.Sprintf("the method %q is not GET or HEAD: only reads are made", req.Method)}
	}
	if (req.Path == "") == (req.URL == "") {
		return "", &RequestError{Attribute: "path", Msg: "set exactly one of path and url"}
	}
	for name := range req.Header {
		for _, a := range rs.Auth {
			if strings.EqualFold(name, a) {
				return "", &HeaderConflictError{Header: name, Auth: rs.Auth}
			}
		}
	}
	if !rs.Catalog {
		for _, a := range []struct{ name, v string }{{"service_type", req.ServiceType}, {"interface", req.Interface}, {"region", req.Region}} {
			if a.v != "" {
				return "", &RequestError{Attribute: a.name, Msg: a.name + " chooses an endpoint from a service catalog, which this cloud does not have; remove it"}
			}
		}
	}
	return method, nil
}

// Resolve returns the absolute URL of req within t: Path joined to Base
// with exactly one "/", or URL once its origin is one of t's.
func (rs *Reads) Resolve(req RawRequest, t Target) (string, error) {
	if req.URL == "" {
		return JoinPath(t.Base, req.Path)
	}
	u, err := url.Parse(req.URL)
	notHTTP := err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == ""
	if (err == nil && u.User != nil) || (notHTTP && strings.Contains(req.URL, "@")) {
		// Checked first: the other messages quote the url, and a url that
		// is not one may hold a password url.Parse does not see as one
		// ("user:pw@host" parses as the scheme "user").
		return "", &RequestError{Attribute: "url", Msg: "the url holds a user name or password, or may (it is not shown here); the provider sends the cloud's own login",
			Err: &URLSecretError{}}
	}
	if notHTTP {
		return "", &RequestError{Attribute: "url", Msg: fmt.Sprintf("%s is not an absolute http(s) URL; use path for a path below the cloud's base URL",
			rs.HTTP.Redactor().String(req.URL))}
	}
	want := Origin(u)
	var origins []string
	for _, o := range t.Origins {
		ou, err := url.Parse(o)
		if err != nil || ou.Host == "" {
			continue
		}
		o = Origin(ou)
		if o == want {
			return u.String(), nil
		}
		if !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	return "", &OriginError{URL: rs.HTTP.Redactor().URL(u), Origins: origins}
}

// JoinPath joins path to base with exactly one "/" between them; a query
// string in path is kept, and what path escapes stays escaped.
func JoinPath(base, path string) (string, error) {
	b, err := url.Parse(base)
	if err != nil || b.Host == "" {
		return "", fmt.Errorf("the base URL %q is not an absolute URL", base)
	}
	p, query, hasQuery := strings.Cut(path, "?")
	switch {
	case strings.Contains(p, "#") || strings.Contains(query, "#"):
		return "", &RequestError{Attribute: "path", Msg: "the path holds a fragment (#...), which is never sent to a server"}
	case strings.Contains(p, "://"):
		return "", &RequestError{Attribute: "path", Msg: "the path is a URL; give it as url"}
	}
	out := b.Scheme + "://" + b.Host + strings.TrimRight(b.EscapedPath(), "/") + "/" + strings.TrimLeft(p, "/")
	if hasQuery {
		out += "?" + query
	}
	if _, err := url.Parse(out); err != nil {
		return "", &RequestError{Attribute: "path", Msg: fmt.Sprintf("the path %q does not make a valid URL: %v", path, err)}
	}
	return out, nil
}

// Do makes the read: the user's headers, sent by send (which adds the
// login, re-logs in once on 401 and retries as every read does), made once
// per process for identical reads. An answer outside the expected
// statuses is a *StatusError with the API's message masked.
func (rs *Reads) Do(ctx context.Context, method, target string, req RawRequest,
	send func(ctx context.Context, r *Request) (*Response, error),
) (*RawResponse, error) {
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Accept") == "" {
		// The shared stack asks for JSON unless told otherwise; a read of
		// any path takes whatever the API sends.
		h.Set("Accept", "*/*")
	}
	resp, err := rs.memo.Get(ctx, readKey(method, target, h), func(ctx context.Context) (*Response, error) {
		resp, err := send(ctx, &Request{Method: method, Path: target, Header: h})
		var ae *APIError
		if resp != nil && errors.As(err, &ae) {
			if keepAnswer(resp.StatusCode) {
				return resp, nil
			}
			return nil, &unkeptAnswer{resp: resp, err: err}
		}
		return resp, err
	})
	var un *unkeptAnswer
	if errors.As(err, &un) {
		resp, err = un.resp, nil
	}
	if err != nil {
		return nil, err
	}
	out := &RawResponse{StatusCode: resp.StatusCode, Header: resp.Header.Clone(), Body: resp.Body, URL: resp.URL}
	if req.Mask {
		red := rs.HTTP.Redactor()
		for k, vs := range out.Header {
			for i, v := range vs {
				if IsSecretHeader(k) {
					vs[i] = Mask
				} else {
					vs[i] = red.String(v)
				}
			}
		}
		out.Body = []byte(red.String(string(resp.Body)))
	}
	if !expected(resp.StatusCode, req.Expected) {
		return out, &StatusError{Expected: req.Expected, Err: rs.HTTP.APIError(resp)}
	}
	return out, nil
}

// keepAnswer says whether an error answer is remembered like a success: a
// refused token (401, after the one re-login) or a server failure may
// pass, so a later read asks again.
func keepAnswer(status int) bool {
	return status != http.StatusUnauthorized && status < 500 && !isThrottle(status)
}

// unkeptAnswer carries an answer out of the memo without keeping it.
type unkeptAnswer struct {
	resp *Response
	err  error
}

func (u *unkeptAnswer) Error() string { return u.err.Error() }

func expected(status int, want []int) bool {
	if len(want) == 0 {
		return status >= 200 && status < 300
	}
	return slices.Contains(want, status)
}

// readKey identifies a read: its method, URL and headers.
func readKey(method, target string, h http.Header) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte(' ')
	b.WriteString(target)
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, http.CanonicalHeaderKey(k))
	}
	slices.Sort(names)
	for _, k := range names {
		b.WriteByte('\n')
		b.WriteString(k)
		for _, v := range h.Values(k) {
			b.WriteByte('\x00')
			b.WriteString(v)
		}
	}
	return b.String()
}
