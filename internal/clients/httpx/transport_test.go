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
	} {
		_, err := ParseBaseURL(raw)
		if err == nil {
			t.Fatalf("%s: accepted", raw)
		}
		if strings.Contains(err.Error(), "pw-in-url-123") || strings.Contains(err.Error(), "admin") {
			t.Errorf("the error echoes the credentials: %v", err)
		}
	}
}

func TestCleartextOnlyToThisMachineOrWhenInsecure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url      string
		insecure bool
		ok       bool
	}{
		{"https://api.example.com", false, true},
		{"http://127.0.0.1:8080/keystone", false, true},
		{"http://[::1]:5000", false, true},
		{"http://localhost:5000", false, true},
		{"http://api.example.com", false, false},
		{"http://10.0.0.5:5000/v3", false, false},
		{"http://api.example.com", true, true},
	}
	for _, tc := range cases {
		_, err := New(Config{BaseURL: tc.url, Insecure: tc.insecure})
		var ce *ConfigError
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s (insecure %v): %v", tc.url, tc.insecure, err)
		case !tc.ok && (!errors.As(err, &ce) || ce.Attribute != "url" || !strings.Contains(ce.Msg, "unencrypted")):
			t.Errorf("%s: err = %v, want a ConfigError on url that says why", tc.url, err)
		}
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
