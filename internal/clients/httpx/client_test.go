package httpx

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fastRetries keeps back-off short so the tests stay quick.
func fastConfig(base string) Config {
	return Config{
		Name:         "test",
		BaseURL:      base,
		MaxRetries:   4,
		Timeout:      5 * time.Second,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// scripted answers with the given statuses in turn, then 200.
func scripted(t *testing.T, statuses []int, header http.Header) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(statuses[i])
			fmt.Fprintf(w, `{"message":"busy %d"}`, i)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		method   string
		statuses []int
		wantErr  int // expected final status, 0 for success
		wantHits int32
	}{
		{"503 burst shorter than max_retries", "GET", []int{503, 503, 503}, 0, 4},
		{"503 burst longer than max_retries", "GET", []int{503, 503, 503, 503, 503, 503}, 503, 5},
		{"429 then success", "GET", []int{429}, 0, 2},
		{"502 and 504 retried for GET", "GET", []int{502, 504}, 0, 3},
		{"502 not retried for a login POST", "POST", []int{502}, 502, 1},
		{"504 not retried for a login POST", "POST", []int{504}, 504, 1},
		{"503 retried for a login POST", "POST", []int{503, 503}, 0, 3},
		{"429 retried for a login POST", "POST", []int{429}, 0, 2},
		{"500 not retried", "GET", []int{500}, 500, 1},
		{"401 not retried", "GET", []int{401}, 401, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := scripted(t, tc.statuses, nil)
			c := newClient(t, fastConfig(srv.URL))
			resp, err := c.Do(context.Background(), &Request{Method: tc.method, Path: "/x", Body: []byte(`{}`)})
			if got := hits.Load(); got != tc.wantHits {
				t.Errorf("server saw %d requests, want %d", got, tc.wantHits)
			}
			if tc.wantErr == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if resp.Attempts != int(tc.wantHits) {
					t.Errorf("Attempts = %d, want %d", resp.Attempts, tc.wantHits)
				}
				return
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != tc.wantErr {
				t.Fatalf("err = %v, want APIError %d", err, tc.wantErr)
			}
			if ae.Attempts != int(tc.wantHits) {
				t.Errorf("APIError.Attempts = %d, want %d", ae.Attempts, tc.wantHits)
			}
			if tc.wantHits > 1 && !strings.Contains(ae.Error(), fmt.Sprintf("after %d attempts", tc.wantHits)) {
				t.Errorf("error does not name the attempts: %v", ae)
			}
			if !strings.Contains(ae.Error(), fmt.Sprint(tc.wantErr)) {
				t.Errorf("error does not name the status: %v", ae)
			}
		})
	}
}

func TestSingleUseRequestIsNotRepeatedWhereItMayHaveArrived(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		statuses []int
		wantHits int32
	}{
		// A proxy's 502 or 504 may come after the API spent the code.
		{"502 not repeated", []int{502}, 1},
		{"504 not repeated", []int{504}, 1},
		// 429 and 503 mean the request was refused unseen.
		{"503 repeated", []int{503}, 2},
		{"429 repeated", []int{429}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := scripted(t, tc.statuses, nil)
			c := newClient(t, fastConfig(srv.URL))
			_, _ = c.Do(context.Background(), &Request{Method: "GET", Path: "/login", SingleUse: true})
			if got := hits.Load(); got != tc.wantHits {
				t.Errorf("server saw %d requests, want %d", got, tc.wantHits)
			}
		})
	}
}

func TestRetryAfterSecondsAndDate(t *testing.T) {
	t.Parallel()
	for _, form := range []string{"seconds", "date"} {
		t.Run(form, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					if form == "seconds" {
						w.Header().Set("Retry-After", "1")
					} else {
						w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
					}
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				fmt.Fprint(w, `{}`)
			}))
			defer srv.Close()
			c := newClient(t, fastConfig(srv.URL))
			start := time.Now()
			if _, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/"}); err != nil {
				t.Fatal(err)
			}
			// Without Retry-After the fast config would retry after ~1ms.
			if waited := time.Since(start); waited < 900*time.Millisecond {
				t.Errorf("retried after %s, Retry-After asked for about 1s", waited)
			}
		})
	}
}

// A Retry-After longer than the provider waits is not waited for at all:
// the API's answer comes back at once, saying what it asked for.
func TestRetryAfterBeyondTheCapIsNotWaitedFor(t *testing.T) {
	t.Parallel()
	srv, hits := scripted(t, []int{503}, http.Header{"Retry-After": {"99999999"}})
	_, err := newClient(t, fastConfig(srv.URL)).Do(context.Background(), &Request{Method: "GET", Path: "/"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 503 || hits.Load() != 1 {
		t.Fatalf("err = %v after %d requests, want the 503 after one", err, hits.Load())
	}
	if !strings.Contains(err.Error(), "asks to retry after 27777h46m39s") {
		t.Errorf("the error does not say what the API asked: %v", err)
	}
}

// A wait that would end after the request's deadline is not begun: the
// caller's context, or the request's own budget of Timeout for each
// attempt, decides.
func TestRetryWaitPastTheDeadlineIsNotBegun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		ctx    time.Duration // the caller's deadline; 0: none
		config func(*Config)
	}{
		{"the caller's deadline", 200 * time.Millisecond, func(c *Config) { c.MaxRetryAfter = time.Minute }},
		// timeout 50ms x (3 retries + 1): 200ms for the whole request.
		{"the request's budget", 0, func(c *Config) { c.MaxRetryAfter, c.Timeout, c.MaxRetries = time.Minute, 50*time.Millisecond, 3 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := scripted(t, []int{503, 503}, http.Header{"Retry-After": {"20"}})
			cfg := fastConfig(srv.URL)
			tc.config(&cfg)
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			_, err := newClient(t, cfg).Do(ctx, &Request{Method: "GET", Path: "/"})
			if !StatusIs(err, 503) || hits.Load() != 1 {
				t.Fatalf("err = %v after %d requests, want the 503 at once", err, hits.Load())
			}
		})
	}
}

func TestConnectionRefusedIsRetriedThenReported(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newClient(t, fastConfig("http://"+addr))
	_, err = c.Do(context.Background(), &Request{Method: "POST", Path: "/login", Body: []byte(`{"password":"hunter22"}`)})
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindRefused {
		t.Fatalf("err = %#v, want a connection-refused TransportError", err)
	}
	if te.Attempts != 5 {
		t.Errorf("Attempts = %d, want 5 (a refused connection is safe to retry, even for POST)", te.Attempts)
	}
	if !strings.Contains(te.Error(), "connection refused") || !strings.Contains(te.Error(), addr) {
		t.Errorf("unclear message: %v", te)
	}
}

func TestUnknownHostIsNotRetried(t *testing.T) {
	t.Parallel()
	c := newClient(t, fastConfig("https://no-such-host.invalid"))
	_, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/"})
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindDNS {
		t.Fatalf("err = %v, want a DNS TransportError", err)
	}
	if te.Attempts != 1 {
		t.Errorf("Attempts = %d, want 1", te.Attempts)
	}
	if !strings.Contains(te.Error(), "does not resolve") || !strings.Contains(te.Error(), "test block") {
		t.Errorf("unclear message: %v", te)
	}
}

func TestSlowServerTimesOutOnce(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := fastConfig(srv.URL)
	cfg.Timeout = 300 * time.Millisecond
	c := newClient(t, cfg)
	_, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/"})
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindTimeout {
		t.Fatalf("err = %v, want a timeout TransportError", err)
	}
	if hits.Load() != 1 {
		t.Errorf("a slow server was asked %d times; a timed-out attempt must not be repeated", hits.Load())
	}
	if !strings.Contains(te.Error(), "300ms") || !strings.Contains(te.Error(), "test.timeout") {
		t.Errorf("message should name the timeout and the setting: %v", te)
	}
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 1024
		if r.URL.Path == "/big" {
			n = 1025
		}
		w.Write([]byte(strings.Repeat(" ", n-2) + "{}"))
	}))
	defer srv.Close()
	cfg := fastConfig(srv.URL)
	cfg.MaxBodyBytes = 1024
	c := newClient(t, cfg)
	if _, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/exact"}); err != nil {
		t.Fatalf("a body of exactly the limit must be read: %v", err)
	}
	_, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/big"})
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindTooLarge || !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v, want body too large", err)
	}
	// The limit is said as it is, not rounded down to "0 MiB".
	if want := "GET " + srv.URL + "/big: the answer is larger than 1 KiB, the most this client reads of one"; err.Error() != want {
		t.Errorf("message %q\nwant    %q", err, want)
	}
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{8 << 20: "8 MiB", 1 << 20: "1 MiB", 512 << 10: "512 KiB", 1000: "1000 bytes", 3<<20 + 1: "3145729 bytes"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestUserAgentAndAccept(t *testing.T) {
	t.Parallel()
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
	}))
	defer srv.Close()
	cfg := fastConfig(srv.URL)
	cfg.UserAgent = "terraform-provider-cloudauth/1.2.3"
	c := newClient(t, cfg)
	if _, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	h := <-got
	if h.Get("User-Agent") != "terraform-provider-cloudauth/1.2.3" {
		t.Errorf("User-Agent = %q", h.Get("User-Agent"))
	}
	if h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json" {
		t.Errorf("headers = %v", h)
	}
}

func TestProxyFromEnvironment(t *testing.T) {
	// t.Setenv: not parallel.
	var seen atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.String())
		fmt.Fprint(w, `{}`)
	}))
	defer proxy.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	// A plain http:// API elsewhere needs insecure; the proxy is what is
	// tested here.
	cfg := fastConfig("http://api.cloud.example")
	cfg.PlainHTTP = true
	c := newClient(t, cfg)
	if _, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/v2/x"}); err != nil {
		t.Fatal(err)
	}
	if seen.Load() != "http://api.cloud.example/v2/x" {
		t.Errorf("proxy saw %v", seen.Load())
	}
	t.Setenv("NO_PROXY", "api.cloud.example")
	c = newClient(t, cfg)
	seen.Store("")
	_, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/v2/x"})
	if err == nil || seen.Load() != "" {
		t.Errorf("NO_PROXY was ignored: err=%v seen=%v", err, seen.Load())
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	defer srv.Close()
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, []byte(certPEM), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("self-signed rejected with a hint", func(t *testing.T) {
		c := newClient(t, fastConfig(srv.URL))
		_, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/"})
		var te *TransportError
		if !errors.As(err, &te) || te.Kind != KindTLS {
			t.Fatalf("err = %v, want a TLS TransportError", err)
		}
		if te.Attempts != 1 || !strings.Contains(err.Error(), "test.ca_cert") || !strings.Contains(err.Error(), "test.insecure") {
			t.Errorf("attempts=%d, message should point at ca_cert: %v", te.Attempts, err)
		}
	})
	for name, ca := range map[string]string{"ca_cert as PEM": certPEM, "ca_cert as path": path} {
		t.Run(name, func(t *testing.T) {
			cfg := fastConfig(srv.URL)
			cfg.CACert = ca
			if _, err := newClient(t, cfg).Do(context.Background(), &Request{Method: "GET", Path: "/"}); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("insecure", func(t *testing.T) {
		cfg := fastConfig(srv.URL)
		cfg.Insecure = true
		if _, err := newClient(t, cfg).Do(context.Background(), &Request{Method: "GET", Path: "/"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("bad ca_cert", func(t *testing.T) {
		cfg := fastConfig(srv.URL)
		cfg.CACert = "/no/such/file.pem"
		_, err := New(cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Attribute != "ca_cert" {
			t.Fatalf("err = %v", err)
		}
		cfg.CACert = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----"
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestBadBaseURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"ftp://x", "not a url", "https://", "://x"} {
		cfg := fastConfig(u)
		_, err := New(cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Attribute != "url" {
			t.Errorf("%q: err = %v", u, err)
		}
	}
}

func TestAPIErrorCarriesTheAPIMessage(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/keystone":
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`)
		case "/abiquo":
			w.WriteHeader(401)
			fmt.Fprint(w, `{"collection":[{"code":"GEN-5","message":"Invalid credentials"}]}`)
		case "/clc":
			w.WriteHeader(400)
			fmt.Fprint(w, `{"message":"We didn't recognize the username or password you entered. Please try again."}`)
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>")
		case "/echo":
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":{"code":404,"message":"Could not find token: tok-abcdef-123456."}}`)
		}
	}))
	defer srv.Close()
	cfg := fastConfig(srv.URL)
	cfg.MaxRetries = 0
	c := newClient(t, cfg)
	c.Redactor().Add("tok-abcdef-123456")
	cases := map[string][]string{
		"/keystone": {"HTTP 401", "requires authentication"},
		"/abiquo":   {"HTTP 401", "GEN-5 Invalid credentials"},
		"/clc":      {"HTTP 400", "We didn't recognize the username or password"},
		"/html":     {"HTTP 502", "502 Bad Gateway"},
		"/echo":     {"Could not find token: ***."},
	}
	for path, wants := range cases {
		_, err := c.Do(context.Background(), &Request{Method: "GET", Path: path})
		for _, w := range wants {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v does not contain %q", path, err, w)
			}
		}
		if err != nil && strings.Contains(err.Error(), "tok-abcdef-123456") {
			t.Errorf("%s: error shows a token: %v", path, err)
		}
	}
}

func TestAPIErrorMasksSecretsInCodeAndMessage(t *testing.T) {
	t.Parallel()
	// A server that echoes the password back, even in the code field.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"collection":[{"code":"hunter2-secret","message":"bad password hunter2-secret"}]}`)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig(srv.URL))
	c.Redactor().Add("hunter2-secret")
	_, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/login"})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "bad password ***") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	c := newClient(t, fastConfig("https://x"))
	mk := func(ct, body string) *Response {
		return &Response{StatusCode: 200, Header: http.Header{"Content-Type": {ct}}, Body: []byte(body), Method: "GET", URL: "http://x/y"}
	}
	var v map[string]any
	if err := c.DecodeJSON(mk("application/json", `{"a":1}`), &v); err != nil || v["a"] != float64(1) {
		t.Fatalf("v=%v err=%v", v, err)
	}
	for name, r := range map[string]*Response{
		"html page":  mk("text/html; charset=utf-8", "<html><title>Login</title></html>"),
		"malformed":  mk("application/json", `{"a":`),
		"empty":      mk("application/json", ``),
		"wrong json": mk("text/plain", `not json at all, "password":"hunter22"`),
	} {
		err := c.DecodeJSON(r, &v)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: err = %v", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "HTTP 200") {
			t.Errorf("%s: error lacks the status: %v", name, err)
		}
	}
}

type recLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recLogger) Log(_ context.Context, _ Level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *recLogger) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestLoggingMasksSecrets(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Subject-Token", "issued-token-0001")
		w.Header().Set("X-Abiquo-Token", "issued-token-0002")
		fmt.Fprint(w, `{"result":"login_ok","token":"issued-token-0003","bearerToken":"issued-token-0004"}`)
	}))
	defer srv.Close()
	log := &recLogger{}
	cfg := fastConfig(srv.URL)
	cfg.Logger = log
	c := newClient(t, cfg)
	h := http.Header{}
	for k, v := range map[string]string{
		"Authorization": "Basic c2VjcmV0LXZhbHVl", "X-Auth-Token": "sent-token-0005",
		"X-AUTH-TOKEN": "sent-token-0006", "X-Abiquo-OTP": "123456", "X-Abiquo-Token": "sent-token-0007",
	} {
		h.Set(k, v)
	}
	body := `{"auth":{"identity":{"password":{"user":{"password":"pw-0008"}},"application_credential":{"secret":"sec-0009"}}},"verify2fa":{"code":654321}}`
	if _, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/?token=q-token-0010", Header: h, Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	out := log.all()
	if !strings.Contains(out, "HTTP request") || !strings.Contains(out, "status:200") {
		t.Fatalf("no request line logged: %s", out)
	}
	for _, secret := range []string{"c2VjcmV0LXZhbHVl", "issued-token-0001", "issued-token-0002", "issued-token-0003",
		"issued-token-0004", "sent-token-0005", "sent-token-0006", "123456", "sent-token-0007", "pw-0008", "sec-0009",
		"654321", "q-token-0010"} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows secret %q:\n%s", secret, out)
		}
	}
}

func TestParseErrorBody(t *testing.T) {
	t.Parallel()
	cases := []struct{ body, code, msg string }{
		{`{"error":{"code":403,"message":"Invalid token"}}`, "", "Invalid token"},
		{`{"error":{"code":400,"title":"Bad Request"}}`, "", "Bad Request"},
		{`{"error":{"code":400,"message":"bad","errors":[{"key":"login","value":"required"}]}}`, "", "bad; login: required"},
		{`{"collection":[{"code":"GEN-4","message":"Not enough permissions to perform this action"}]}`, "GEN-4", "Not enough permissions to perform this action"},
		{`{"collection":[{"code":"API-00","messages":"Unauthorized"}]}`, "API-00", "Unauthorized"},
		{`{"message":"The request is invalid.","modelState":{"body.name":["required"]}}`, "", "The request is invalid.; body.name: required"},
		{`[{"message":"a"},{"message":"b"}]`, "", "a; b"},
		{`{"error":"plain"}`, "", "plain"},
		{`<html>`, "", ""},
		{`{"unrelated":1}`, "", ""},
		{``, "", ""},
	}
	for _, tc := range cases {
		code, msg := ParseErrorBody([]byte(tc.body))
		if code != tc.code || msg != tc.msg {
			t.Errorf("%s: got (%q,%q), want (%q,%q)", tc.body, code, msg, tc.code, tc.msg)
		}
	}
}

// A server may echo a secret in another form than it was sent: as it is,
// URL-encoded, JSON-escaped or HTML-escaped. A 5-character password is
// masked too.
func TestRedactorMasksShortSecretsAndTheirEncodings(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	short, long := `p&w"5`, `long secret & "quotes" <tag>/path?x=1`
	r.Add(short, long)
	for _, form := range []string{short, long} {
		for _, echoed := range []string{
			form,
			url.QueryEscape(form),
			url.PathEscape(form),
			html.EscapeString(form),
			strings.Trim(mustJSON(t, form), `"`),
		} {
			text := "the server says: [" + echoed + "] was wrong"
			if got := r.String(text); strings.Contains(got, echoed) || !strings.Contains(got, Mask) {
				t.Errorf("%q echoed as %q: String = %q", form, echoed, got)
			}
		}
	}
}

// The configured credentials, added first, stay masked however many
// rotated tokens follow.
func TestRedactorKeepsTheCredentialsAmongManyTokens(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add("the-configured-password")
	for i := range 3 * maxSecrets {
		r.Add(fmt.Sprintf("rotated-token-%04d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i))
	}
	if got := r.String("pw the-configured-password"); got != "pw ***" {
		t.Fatalf("String = %q: the password was pushed out by tokens", got)
	}
	if got := r.String(fmt.Sprintf("rotated-token-%04d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 3*maxSecrets-1)); got != "***" {
		t.Fatalf("the newest token is not masked: %q", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add("s3cr3t-pass", "abc", "")
	// Every secret is masked whatever its length; one shorter than four
	// characters only where it stands alone, so that it does not blank
	// out every word that holds its letters.
	if got := r.String("x s3cr3t-pass y abc, crabcake"); got != "x *** y ***, crabcake" {
		t.Errorf("String = %q", got)
	}
	got := r.JSON([]byte(`{"userName":"u","bearerToken":"T","roles":["a"],"token":{"id":"x","expires_at":"e"},"scratchCodes":["1","2"]}`))
	for _, want := range []string{`"bearerToken":"***"`, `"scratchCodes":"***"`, `"userName":"u"`, `"expires_at":"e"`} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON = %s, missing %s", got, want)
		}
	}
	for _, cut := range []string{
		`{"result":"login_ok","token":"vahkie7EiDaij7`,
		`{"verify2fa":{"login":"u","code":123456`,
		`{"auth":{"password":"hunter2\"x`,
	} {
		if got := r.JSON([]byte(cut)); strings.Contains(got, "vahkie7") || strings.Contains(got, "123456") || strings.Contains(got, "hunter2") {
			t.Errorf("cut-off body shows a secret: %s", got)
		}
	}
	// Invalid bytes and line breaks inside a secret are removed or folded
	// by the snippet; the joined secret must still be masked.
	r.Add("fuzz-secret-value-123", "pass word two")
	for _, body := range []string{
		"<html>fuzz-secret-value\x80\x80-123</html>",
		"error: pass\n\n  word   two",
	} {
		if got := r.Snippet([]byte(body), 200); strings.Contains(got, "fuzz-secret-value-123") || strings.Contains(got, "pass word two") {
			t.Errorf("snippet shows a secret: %q", got)
		}
	}
	u, _ := url.Parse("https://user:pw@host/p")
	u.RawQuery = "secret=1&limit=2"
	if got := r.URL(u); strings.Contains(got, "pw") || strings.Contains(got, "secret=1") || !strings.Contains(got, "limit=2") {
		t.Errorf("URL = %s", got)
	}
}

func TestRedirectsStayOnTheSameOrigin(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, `{}`)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusTemporaryRedirect)
		case "/away":
			http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
		default:
			if r.Header.Get("X-Auth-Token") != "tok-000001" {
				w.WriteHeader(401)
			}
			fmt.Fprint(w, `{}`)
		}
	}))
	defer srv.Close()
	c := newClient(t, fastConfig(srv.URL))
	h := http.Header{"X-Auth-Token": {"tok-000001"}}
	if _, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/moved", Header: h, Body: []byte(`{"password":"p"}`)}); err != nil {
		t.Fatalf("a redirect on the same origin must be followed with its headers: %v", err)
	}
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/away", Header: h, Body: []byte(`{"password":"p"}`)})
	if err == nil || !strings.Contains(err.Error(), "does not send credentials to another address") {
		t.Fatalf("err = %v", err)
	}
	if elsewhere.Load() != 0 {
		t.Fatal("the request reached the other host")
	}
}

func TestRefreshRunsBeforeEachRetry(t *testing.T) {
	t.Parallel()
	var seen []string
	var mu sync.Mutex
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("X-Code"))
		mu.Unlock()
		if n.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	c := newClient(t, fastConfig(srv.URL))
	i := 0
	refresh := func(h http.Header) { i++; h.Set("X-Code", fmt.Sprint("code-", i)) }
	h := http.Header{}
	refresh(h)
	if _, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/login", Header: h, SingleUse: true, Refresh: refresh}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, ",") != "code-1,code-2,code-3" {
		t.Fatalf("codes sent: %v", seen)
	}
}
