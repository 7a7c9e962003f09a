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
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Mutual TLS: a server that requires a client certificate signed by its
// own CA, and clients with and without one.

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
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
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// issue returns a client certificate and its PKCS#8 key, both PEM, valid
// until notAfter.
func (ca *testCA) issue(t *testing.T, cn string, notAfter time.Time) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-2 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

// mtlsServer requires and verifies a client certificate from ca and
// answers with the certificate's common name.
func mtlsServer(t *testing.T, ca *testCA) (*httptest.Server, string) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"cn":%q}`, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	// The refused handshakes are expected; keep them out of the test log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	serverCA := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	return srv, serverCA
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
	ca := newTestCA(t, "client CA")
	srv, serverCA := mtlsServer(t, ca)
	certPEM, keyPEM := ca.issue(t, "terraform-client", time.Now().Add(time.Hour))
	otherCert, otherKey := ca.issue(t, "from-clouds-yaml", time.Now().Add(time.Hour))
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
	ca := newTestCA(t, "client CA")
	srv, serverCA := mtlsServer(t, ca)
	other := newTestCA(t, "another CA")
	strangerCert, strangerKey := other.issue(t, "stranger", time.Now().Add(time.Hour))
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
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a TransportError", err)
			}
			// TLS 1.3 servers answer "certificate required", TLS 1.2 ones
			// "bad certificate"; either names the certificate.
			t.Logf("error: %v", err)
			if msg := err.Error(); !strings.Contains(msg, "tls: ") || !strings.Contains(msg, "certificate") || !strings.Contains(msg, srv.URL) {
				t.Errorf("message %q should name the URL and the TLS alert about the certificate", msg)
			}
		})
	}
}

func TestClientCertificateConfigErrors(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "client CA")
	certPEM, keyPEM := ca.issue(t, "client", time.Now().Add(time.Hour))
	_, otherKey := ca.issue(t, "other", time.Now().Add(time.Hour))
	expiredCert, expiredKey := ca.issue(t, "old-client", time.Now().Add(-time.Hour))
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
