package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/testcert"
)

// Tests for the transport: TLS settings that arrive built (clouds.yaml's
// CA and client certificate) and the classification of failures.

func TestBaseTLSRootsAreTrustedUnlessCACertIsSet(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())

	cfg := fastConfig(srv.URL)
	cfg.BaseTLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if _, err := newClient(t, cfg).Do(context.Background(), &Request{Method: "GET", Path: "/"}); err != nil {
		t.Fatalf("the CA of BaseTLS was not trusted: %v", err)
	}

	// ca_cert wins over BaseTLS: with another CA the server is not trusted.
	cfg.CACert = testcert.NewCA(t, "other test CA").PEM
	_, err := newClient(t, cfg).Do(context.Background(), &Request{Method: "GET", Path: "/"})
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindTLS {
		t.Fatalf("err = %v, want a TLS error: ca_cert must replace BaseTLS's roots", err)
	}
}

func TestTransportFailureClassifiesAndMasks(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := fastConfig("http://" + addr)
	cfg.MaxRetries = 1
	c := newClient(t, cfg)
	c.Redactor().Add("s3cr3t-token-value")
	u, _ := url.Parse("http://" + addr + "/v3/auth/tokens?token=s3cr3t-token-value")

	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: u.String()})
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != KindRefused || te.Attempts != 2 || te.Block != "test" {
		t.Fatalf("err = %#v, want refused after 2 attempts", err)
	}
	if strings.Contains(te.Error(), "s3cr3t-token-value") || !strings.Contains(te.Error(), addr) {
		t.Errorf("message must show the URL without the secret: %v", te)
	}
}

func TestParseBaseURLRefusesCredentialsWithoutEchoingThem(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"https://admin:pw-in-url-123@host.example/api",
		"https://admin@host.example/api",
		"https://admin:pw-in-url-123@host.example:bad-port/api",
		// Forms url.Parse does not read as user info: without the scheme,
		// or with a scheme written wrong.
		"admin:pw-in-url-123@host.example:5000/v3",
		"https:/admin:pw-in-url-123@host.example/v3",
		"http:admin:pw-in-url-123@host.example/v3",
		"ftp://admin:pw-in-url-123@host.example/v3",
	} {
		_, err := ParseBaseURL(raw)
		if err == nil {
			t.Fatalf("%s: accepted", raw)
		}
		if strings.Contains(err.Error(), "pw-in-url-123") || strings.Contains(err.Error(), "admin") {
			t.Errorf("the error echoes the credentials: %v", err)
		}
		// The callers report a URLSecretError without the setting's
		// source line.
		if !IsURLSecret(err) {
			t.Errorf("%s: %v is not a URLSecretError", raw, err)
		}
	}
	// An @ in the path of a good URL is no password.
	if _, err := ParseBaseURL("https://host.example/v3/@me"); err != nil {
		t.Errorf("an @ in the path: %v", err)
	}
}

// A refused connection to a proxy names the proxy, not the API's URL.
func TestRefusedProxyIsNamed(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	cfg := fastConfig("https://api.cloud.example")
	cfg.MaxRetries = 0
	cfg.Proxy = func(*http.Request) (*url.URL, error) { return url.Parse("http://user:proxy-pw@" + dead) }
	_, err = newClient(t, cfg).Do(context.Background(), &Request{Method: "GET", Path: "/v2/x"})
	var te *TransportError
	if !errors.As(err, &te) || te.Proxy != "http://"+dead {
		t.Fatalf("err = %v, want a TransportError naming the proxy", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "proxy http://"+dead) || !strings.Contains(msg, "NO_PROXY") || strings.Contains(msg, "proxy-pw") {
		t.Errorf("message: %s", msg)
	}
}

// A header value Go cannot send (a user name with a line break) fails at
// once, with one attempt, and without showing the value.
func TestInvalidHeaderValueFailsOnceAndQuietly(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	h := http.Header{}
	h.Set("X-Auth-Login", "alice\r\nsecret-part")
	_, err := newClient(t, fastConfig(srv.URL)).Do(context.Background(), &Request{Method: "GET", Path: "/", Header: h})
	if err == nil || !strings.Contains(err.Error(), "X-Auth-Login header holds a line break") || strings.Contains(err.Error(), "secret-part") {
		t.Fatalf("err = %v", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("the server got %d requests", hits.Load())
	}
}

// Only what Go's proxy bypass also skips is this machine: the exact name
// localhost and loopback IP literals. Other spellings may be resolved by
// DNS, or go through a proxy, to another machine.
func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.5.6.7": true, "::1": true, "::ffff:127.0.0.1": true,
		"LocalHost": false, "LOCALHOST": false, "localhost.": false, "evil.localhost": false, "x.localhost.": false,
		"127.0.0.1.": false, "127.1": false, "0x7f.0.0.1": false, "localhost.example.com": false, "0.0.0.0": false,
		"10.0.0.5": false, "": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

// A plain http:// URL is allowed to this machine, or with PlainHTTP (the
// block's insecure); Insecure alone turns off TLS verification and
// nothing else (what clouds.yaml's verify: false sets).
func TestPlainHTTPOnlyToThisMachineOrWhenAllowed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url             string
		insecure, plain bool
		ok              bool
	}{
		{"https://api.example.com", false, false, true},
		{"http://127.0.0.1:8080/keystone", false, false, true},
		{"http://[::1]:5000", false, false, true},
		{"http://localhost:5000", false, false, true},
		{"http://127.5.6.7", false, false, true},
		{"http://api.example.com", false, false, false},
		{"http://10.0.0.5:5000/v3", false, false, false},
		{"http://[::ffff:127.0.0.1]:80", false, false, true},
		{"http://LocalHost:5000", false, false, false},
		{"http://localhost.:5000", false, false, false},
		{"http://evil.localhost:5000", false, false, false},
		{"http://127.0.0.1.:80", false, false, false},
		{"http://api.example.com", true, false, false},
		{"http://api.example.com", false, true, true},
		{"http://evil.localhost:5000", false, true, true},
	}
	for _, tc := range cases {
		_, err := New(Config{BaseURL: tc.url, Insecure: tc.insecure, PlainHTTP: tc.plain, Proxy: func(*http.Request) (*url.URL, error) { return nil, nil }})
		var ce *ConfigError
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s (insecure %v, plain %v): %v", tc.url, tc.insecure, tc.plain, err)
		case !tc.ok && (!errors.As(err, &ce) || ce.Attribute != "url" || !strings.Contains(ce.Msg, "unencrypted")):
			t.Errorf("%s (insecure %v): err = %v, want a ConfigError on url that says why", tc.url, tc.insecure, err)
		}
	}
}

// A request to this machine that would go through a proxy crosses the
// network to the proxy: it is refused too, whether the URL is the base or
// one a server named (a Keystone catalog's endpoint), and so is a plain
// http:// URL to another machine a server names. Nothing is sent.
func TestPlainHTTPCheckedOnEveryRequest(t *testing.T) {
	t.Parallel()
	var seen atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { seen.Add(1) }))
	defer proxy.Close()
	viaProxy := func(*http.Request) (*url.URL, error) { return url.Parse(proxy.URL) }

	cfg := fastConfig("http://127.0.0.1:9/v3")
	cfg.Proxy = viaProxy
	_, err := New(cfg)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "through the proxy "+proxy.URL) {
		t.Errorf("New with a loopback base through a proxy: %v", err)
	}

	cfg = fastConfig("https://api.example.com")
	cfg.Proxy = viaProxy
	c := newClient(t, cfg)
	for _, target := range []string{"http://127.0.0.1:9/x", "http://localhost:9/x", "http://compute.example.com/v2.1"} {
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: target})
		var cte *CleartextError
		if !errors.As(err, &cte) {
			t.Errorf("%s: err = %v, want a CleartextError", target, err)
		}
	}
	if n := seen.Load(); n != 0 {
		t.Errorf("%d requests reached the proxy", n)
	}
}
