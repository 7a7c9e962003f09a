package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestJoinPath(t *testing.T) {
	t.Parallel()
	cases := []struct{ base, path, want string }{
		{"https://api.example.com/v2", "accounts", "https://api.example.com/v2/accounts"},
		{"https://api.example.com/v2/", "/accounts", "https://api.example.com/v2/accounts"},
		{"https://api.example.com/v2//", "//accounts", "https://api.example.com/v2/accounts"},
		{"https://api.example.com", "accounts?limit=10&x=a%20b", "https://api.example.com/accounts?limit=10&x=a%20b"},
		{"https://api.example.com/a%2Fb", "c%2Fd", "https://api.example.com/a%2Fb/c%2Fd"},
		{"http://127.0.0.1:8080/api", "", "http://127.0.0.1:8080/api/"},
	}
	for _, tc := range cases {
		got, err := JoinPath(tc.base, tc.path)
		if err != nil || got != tc.want {
			t.Errorf("JoinPath(%q, %q) = %q, %v; want %q", tc.base, tc.path, got, err, tc.want)
		}
	}
	for _, bad := range []string{"a#frag", "https://elsewhere.example/x", "a?b#c"} {
		var re *RequestError
		if _, err := JoinPath("https://api.example.com", bad); !errors.As(err, &re) || re.Attribute != "path" {
			t.Errorf("JoinPath(%q) err = %v, want a RequestError on path", bad, err)
		}
	}
}

func TestReadsCheckAndResolve(t *testing.T) {
	t.Parallel()
	c, err := New(Config{Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	rs := &Reads{HTTP: c, Auth: []string{"X-Auth-Token"}}
	hdr := func(k, v string) http.Header { h := http.Header{}; h[k] = []string{v}; return h }
	checks := []struct {
		name string
		req  RawRequest
		attr string // RequestError attribute, or "header" for a conflict
	}{
		{"post", RawRequest{Method: "POST", Path: "a"}, "method"},
		{"both", RawRequest{Path: "a", URL: "https://x/a"}, "path"},
		{"neither", RawRequest{}, "path"},
		{"auth header in lower case", RawRequest{Path: "a", Header: hdr("x-auth-token", "mine")}, "header"},
		{"catalog choice without a catalog", RawRequest{Path: "a", Region: "r1"}, "region"},
	}
	for _, tc := range checks {
		_, err := rs.Check(tc.req)
		var (
			re *RequestError
			he *HeaderConflictError
		)
		switch {
		case tc.attr == "header" && errors.As(err, &he) && he.Header == "x-auth-token":
		case tc.attr != "header" && errors.As(err, &re) && re.Attribute == tc.attr:
		default:
			t.Errorf("%s: err = %v, want one on %s", tc.name, err, tc.attr)
		}
	}
	if m, err := rs.Check(RawRequest{Method: "head", Path: "a", Header: hdr("Accept", "text/plain")}); err != nil || m != "HEAD" {
		t.Errorf("Check(head) = %q, %v", m, err)
	}

	target := Target{Base: "https://api.example.com/v2", Origins: []string{"https://API.example.com:443/v2", "http://other.example:8080/x"}}
	for _, ok := range []string{"https://api.example.com/elsewhere?q=1", "https://api.example.com:443/v2", "http://other.example:8080/y"} {
		if got, err := rs.Resolve(RawRequest{URL: ok}, target); err != nil || got != ok {
			t.Errorf("Resolve(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"http://api.example.com/v2", "https://api.example.com:8443/v2", "https://evil.example/v2", "https://api.example.com.evil.example/"} {
		var oe *OriginError
		_, err := rs.Resolve(RawRequest{URL: bad}, target)
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "https://api.example.com,") {
			t.Errorf("Resolve(%q) err = %v, want an OriginError naming it and the origins", bad, err)
		}
	}
	for _, withPassword := range []string{"https://u:pw-in-url@api.example.com/", "u:pw-in-url@api.example.com/v2", "https:/u:pw-in-url@api.example.com/v2"} {
		var re *RequestError
		_, err := rs.Resolve(RawRequest{URL: withPassword}, target)
		if !errors.As(err, &re) || !IsURLSecret(err) || strings.Contains(err.Error(), "pw-in-url") {
			t.Errorf("a url with a password (%s): err = %v, want a RequestError for a URLSecretError, without the password", withPassword, err)
		}
	}
}

// rawAPI is a server with a login that counts what it sees.
type rawAPI struct {
	srv            *httptest.Server
	logins, reads  atomic.Int32
	token          atomic.Value
	rejectNext     atomic.Bool
	lastAccept     atomic.Value
	lastUserHeader atomic.Value
}

func newRawAPI(t *testing.T) (*rawAPI, *Reads, *Session[struct{}]) {
	a := &rawAPI{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			n := a.logins.Add(1)
			tok := fmt.Sprintf("tok-%d-secret", n)
			a.token.Store(tok)
			_, _ = fmt.Fprintf(w, `{"token":%q}`, tok)
			return
		}
		a.reads.Add(1)
		a.lastAccept.Store(r.Header.Get("Accept"))
		a.lastUserHeader.Store(r.Header.Get("X-Mine"))
		tok, _ := a.token.Load().(string)
		if r.Header.Get("Authorization") != "Bearer "+tok || a.rejectNext.CompareAndSwap(true, false) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"token expired"}`))
			return
		}
		switch r.URL.Path {
		case "/api/missing":
			w.WriteHeader(http.StatusNotFound)
			_, _ = fmt.Fprintf(w, `{"message":"no such thing for %s"}`, tok)
		case "/api/binary":
			_, _ = w.Write([]byte{0xff, 0x00, 0xfe})
		default:
			w.Header().Set("X-Echo", tok)
			_, _ = fmt.Fprintf(w, `{"path":%q,"query":%q,"token":%q}`, r.URL.Path, r.URL.RawQuery, tok)
		}
	}))
	t.Cleanup(a.srv.Close)
	c, err := New(Config{Name: "x", BaseURL: a.srv.URL + "/api", Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	src := NewTokenSource(func(ctx context.Context, _ LoginReason) (Token[struct{}], error) {
		resp, err := c.Do(ctx, &Request{Method: "POST", Path: a.srv.URL + "/login", Body: []byte("{}")})
		if err != nil {
			return Token[struct{}]{}, err
		}
		var v struct{ Token string }
		if err := c.DecodeJSON(resp, &v); err != nil {
			return Token[struct{}]{}, err
		}
		c.Redactor().Add(v.Token)
		return Token[struct{}]{Value: v.Token}, nil
	})
	auth := &Session[struct{}]{HTTP: c, Tokens: src, Apply: func(h http.Header, t Token[struct{}]) { h.Set("Authorization", "Bearer "+t.Value) }}
	return a, &Reads{HTTP: c, Auth: []string{"Authorization"}}, auth
}

func TestReadsDo(t *testing.T) {
	t.Parallel()
	a, rs, auth := newRawAPI(t)
	ctx := context.Background()
	read := func(req RawRequest) (*RawResponse, error) { return rs.Read(ctx, req, At(rs.HTTP.BaseURL()), auth.Do) }

	// A path, its query kept; the user's header sent, Accept any type.
	h := http.Header{}
	h.Set("X-Mine", "v")
	resp, err := read(RawRequest{Path: "things?limit=2", Header: h})
	if err != nil {
		t.Fatal(err)
	}
	if body, ok := resp.Text(); !ok || !strings.Contains(body, `"path":"/api/things","query":"limit=2"`) {
		t.Fatalf("body = %q", resp.Body)
	}
	if a.lastAccept.Load() != "*/*" || a.lastUserHeader.Load() != "v" {
		t.Errorf("Accept = %v, X-Mine = %v", a.lastAccept.Load(), a.lastUserHeader.Load())
	}
	// Identical reads are made once; another header makes another read.
	if _, err := read(RawRequest{Path: "things?limit=2", Header: h}); err != nil || a.reads.Load() != 1 {
		t.Fatalf("identical read: err = %v, server reads = %d, want 1", err, a.reads.Load())
	}
	if _, err := read(RawRequest{Path: "things?limit=2"}); err != nil || a.reads.Load() != 2 {
		t.Fatalf("read without the header: err = %v, server reads = %d, want 2", err, a.reads.Load())
	}

	// Masked: the token the answer echoes, in a header and the body.
	resp, err = read(RawRequest{Path: "echo", Mask: true})
	if err != nil {
		t.Fatal(err)
	}
	tok := a.token.Load().(string)
	if strings.Contains(string(resp.Body), tok) || strings.Contains(resp.Headers()["X-Echo"], tok) || !strings.Contains(string(resp.Body), Mask) {
		t.Errorf("masked answer still holds the token: %s %v", resp.Body, resp.Headers())
	}
	if resp, err = read(RawRequest{URL: a.srv.URL + "/api/echo"}); err != nil || !strings.Contains(string(resp.Body), tok) {
		t.Errorf("unmasked answer: %v %s", err, resp.Body)
	}

	// A status outside the expected ones quotes the API, masked.
	_, err = read(RawRequest{Path: "missing"})
	var se *StatusError
	if !errors.As(err, &se) || se.Err.StatusCode != 404 || !strings.Contains(err.Error(), "no such thing for "+Mask) || strings.Contains(err.Error(), tok) {
		t.Errorf("err = %v, want a masked 404 StatusError", err)
	}
	if resp, err := read(RawRequest{Path: "missing", Expected: []int{404}}); err != nil || resp.StatusCode != 404 {
		t.Errorf("expected 404: %v", err)
	}
	if _, err := read(RawRequest{Path: "echo", Expected: []int{201}}); !errors.As(err, &se) || !strings.Contains(err.Error(), "expected status 201") {
		t.Errorf("a 200 when 201 is expected: err = %v", err)
	}
	if resp, err := read(RawRequest{Path: "binary"}); err != nil || func() bool { _, ok := resp.Text(); return ok }() {
		t.Errorf("binary body: err = %v, text = %v", err, resp)
	}

	// A refused token: one login more, the read repeated once.
	logins, reads := a.logins.Load(), a.reads.Load()
	a.rejectNext.Store(true)
	if _, err := read(RawRequest{Path: "after-401"}); err != nil {
		t.Fatal(err)
	}
	if a.logins.Load()-logins != 1 || a.reads.Load()-reads != 2 {
		t.Errorf("after a 401: %d logins, %d reads; want 1 and 2", a.logins.Load()-logins, a.reads.Load()-reads)
	}

	// Another origin: nothing is sent to it, nor to the API.
	var other atomic.Int32
	otherSrv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { other.Add(1) }))
	defer otherSrv.Close()
	logins, reads = a.logins.Load(), a.reads.Load()
	var oe *OriginError
	if _, err := read(RawRequest{URL: otherSrv.URL + "/api/x"}); !errors.As(err, &oe) || !strings.Contains(err.Error(), otherSrv.URL+"/api/x") {
		t.Errorf("other origin: err = %v", err)
	}
	if other.Load() != 0 || a.logins.Load() != logins || a.reads.Load() != reads {
		t.Errorf("a refused url sent requests: other=%d", other.Load())
	}
}

func BenchmarkReadsDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"ok":true}`)) }))
	defer srv.Close()
	c, err := New(Config{Name: "x", BaseURL: srv.URL, Insecure: true})
	if err != nil {
		b.Fatal(err)
	}
	src := NewTokenSource(func(context.Context, LoginReason) (Token[struct{}], error) { return Token[struct{}]{Value: "t"}, nil })
	auth := &Session[struct{}]{HTTP: c, Tokens: src, Apply: func(h http.Header, t Token[struct{}]) { h.Set("Authorization", "Bearer "+t.Value) }}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		// A new path each time, so that every read reaches the server.
		rs := &Reads{HTTP: c, Auth: []string{"Authorization"}}
		if _, err := rs.Read(ctx, RawRequest{Path: "things"}, At(srv.URL), auth.Do); err != nil {
			b.Fatal(err)
		}
	}
}
