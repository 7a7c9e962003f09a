package httpx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/testcert"
)

// Mutual TLS: a server that requires a client certificate signed by its
// own CA, and clients with and without one.

// mtlsServer requires and verifies a client certificate from ca and
// answers with the certificate's common name.
func mtlsServer(t *testing.T, ca *testcert.CA) (*httptest.Server, string) {
	t.Helper()
	return testcert.MTLSServer(t, ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"cn":%q}`, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientCertificateIsPresented(t *testing.T) {
	t.Parallel()
	ca := testcert.NewCA(t, "client CA")
	srv, serverCA := mtlsServer(t, ca)
	certPEM, keyPEM := ca.Issue(t, "terraform-client", time.Now().Add(time.Hour))
	otherCert, otherKey := ca.Issue(t, "from-clouds-yaml", time.Now().Add(time.Hour))
	dir := t.TempDir()
	certFile, keyFile := writeFile(t, dir, "client.crt", certPEM), writeFile(t, dir, "client.key", keyPEM)

	cases := []struct {
		name      string
		cert, key string
		base      *tls.Config
	}{
		{"PEM text", certPEM, keyPEM, nil},
		{"file paths", certFile, keyFile, nil},
		{"from BaseTLS (clouds.yaml cert and key)", "", "", &tls.Config{Certificates: []tls.Certificate{mustPair(t, certPEM, keyPEM)}, MinVersion: tls.VersionTLS12}},
		{"client_cert wins over BaseTLS's", certPEM, keyPEM, &tls.Config{Certificates: []tls.Certificate{mustPair(t, otherCert, otherKey)}, MinVersion: tls.VersionTLS12}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := fastConfig(srv.URL)
			cfg.CACert, cfg.ClientCert, cfg.ClientKey, cfg.BaseTLS = serverCA, tc.cert, tc.key, tc.base
			resp, err := newClient(t, cfg).Do(context.Background(), &Request{Method: http.MethodGet, Path: "/"})
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"cn":"terraform-client"}`; string(resp.Body) != want {
				t.Errorf("server saw %s, want %s", resp.Body, want)
			}
		})
	}
}

func mustPair(t *testing.T, certPEM, keyPEM string) tls.Certificate {
	t.Helper()
	c, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMissingClientCertificateFailsClearly(t *testing.T) {
	t.Parallel()
	ca := testcert.NewCA(t, "client CA")
	srv, serverCA := mtlsServer(t, ca)
	other := testcert.NewCA(t, "another CA")
	strangerCert, strangerKey := other.Issue(t, "stranger", time.Now().Add(time.Hour))
	for _, tc := range []struct{ name, cert, key string }{
		{"no certificate", "", ""},
		{"a certificate from another CA", strangerCert, strangerKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := fastConfig(srv.URL)
			cfg.CACert, cfg.ClientCert, cfg.ClientKey = serverCA, tc.cert, tc.key
			_, err := newClient(t, cfg).Do(context.Background(), &Request{Method: http.MethodGet, Path: "/"})
			var te *TransportError
			if !errors.As(err, &te) || te.Kind != KindClientCert || te.Attempts != 1 {
				t.Fatalf("err = %#v, want a client-certificate TransportError after one attempt (it is not retried)", err)
			}
			// TLS 1.3 servers answer "certificate required", TLS 1.2 ones
			// "bad certificate"; either names the certificate.
			t.Logf("error: %v", err)
			if msg := err.Error(); !strings.Contains(msg, "tls: ") || !strings.Contains(msg, "asks for a client certificate") ||
				!strings.Contains(msg, ".client_cert") || !strings.Contains(msg, srv.URL) {
				t.Errorf("message %q should name the URL, the TLS alert and the settings to give", msg)
			}
		})
	}
}

func TestClientCertificateConfigErrors(t *testing.T) {
	t.Parallel()
	ca := testcert.NewCA(t, "client CA")
	certPEM, keyPEM := ca.Issue(t, "client", time.Now().Add(time.Hour))
	_, otherKey := ca.Issue(t, "other", time.Now().Add(time.Hour))
	expiredCert, expiredKey := ca.Issue(t, "old-client", time.Now().Add(-time.Hour))
	dir := t.TempDir()
	missing := filepath.Join(dir, "absent.pem")
	keyBody := strings.Join(strings.Split(strings.TrimSpace(keyPEM), "\n")[1:3], "\n")

	cases := []struct {
		name      string
		cert, key string
		attr      string
		want      string
	}{
		{"cert without key", certPEM, "", "client_key", "client_cert is set but client_key is not"},
		{"key without cert", "", keyPEM, "client_cert", "client_key is set but client_cert is not"},
		{"cert file missing", missing, keyPEM, "client_cert", "absent.pem"},
		{"key file missing", certPEM, missing, "client_key", "absent.pem"},
		{"swapped", keyPEM, certPEM, "client_cert", "swapped"},
		{"key is not PEM", certPEM, keyBody, "client_key", "no -----BEGIN line"},
		{"key holds a certificate", certPEM, certPEM, "client_key", "no PEM private key"},
		{"key of another certificate", certPEM, otherKey, "client_key", "does not go with client_cert"},
		{"expired certificate", expiredCert, expiredKey, "client_cert", `"old-client" expired on`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := fastConfig("https://127.0.0.1:1")
			cfg.ClientCert, cfg.ClientKey = tc.cert, tc.key
			_, err := New(cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Attribute != tc.attr {
				t.Fatalf("err = %#v, want a ConfigError on %s", err, tc.attr)
			}
			if !strings.Contains(ce.Msg, tc.want) {
				t.Errorf("message %q, want it to contain %q", ce.Msg, tc.want)
			}
			for _, key := range []string{keyPEM, otherKey, expiredKey, keyBody} {
				for _, line := range strings.Split(key, "\n")[1:2] {
					if strings.Contains(err.Error(), line) {
						t.Errorf("the error quotes key material: %q", err.Error())
					}
				}
			}
		})
	}
}
