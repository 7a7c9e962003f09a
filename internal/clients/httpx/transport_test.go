package httpx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
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
	cfg.CACert = otherCA(t)
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

// otherCA returns a fresh self-signed CA (httptest's servers all share one
// certificate, so another server would not do).
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "other test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
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
