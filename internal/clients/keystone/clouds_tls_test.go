package keystone_test

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
	"io"
	"log"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// clientCertPair makes a CA and a client certificate it signed, all PEM.
func clientCertPair(t *testing.T) (caPool *x509.CertPool, certPEM, keyPEM []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "keystone client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "terraform"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	caPool = x509.NewCertPool()
	caPool.AddCert(ca)
	return caPool, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// The cacert, cert and key of a clouds.yaml entry reach the transport: a
// Keystone behind mutual TLS accepts the login.
func TestCloudsYAMLClientCertificateReachesTheTransport(t *testing.T) {
	t.Parallel()
	pool, certPEM, keyPEM := clientCertPair(t)
	srv := httptest.NewUnstartedServer(emulator.New())
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFile := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	certFile, keyFile := write("client.pem", certPEM), write("client.key", keyPEM)
	yaml := "clouds:\n  mtls:\n    auth:\n      auth_url: " + srv.URL + "/keystone/v3\n" +
		"      application_credential_id: " + emulator.KeystoneAppCredID + "\n" +
		"      application_credential_secret: " + emulator.KeystoneAppCredSecret + "\n" +
		"    cacert: " + caFile + "\n    cert: " + certFile + "\n    key: " + keyFile + "\n"
	clouds := write("clouds.yaml", []byte(yaml))

	e, err := keystone.LoadCloud("mtls", envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": clouds}))
	if err != nil {
		t.Fatal(err)
	}
	if e.TLS == nil || len(e.TLS.Certificates) != 1 || e.TLS.RootCAs == nil {
		t.Fatalf("TLS = %+v, want the CA and the client certificate", e.TLS)
	}
	login := func(h httpx.Config) error {
		h.MaxRetries = 0
		cfg := e.Config
		cfg.HTTP = h
		c, err := keystone.New(cfg)
		if err != nil {
			return err
		}
		_, err = c.Login(context.Background())
		return err
	}
	if err := login(httpx.Config{BaseTLS: e.TLS}); err != nil {
		t.Errorf("with the clouds.yaml TLS settings: %v", err)
	}
	// The provider's own client_cert and client_key do the same.
	if err := login(httpx.Config{CACert: caFile, ClientCert: certFile, ClientKey: keyFile}); err != nil {
		t.Errorf("with client_cert and client_key: %v", err)
	}
	var te *httpx.TransportError
	if err := login(httpx.Config{CACert: caFile}); !errors.As(err, &te) {
		t.Errorf("without a client certificate: err = %v, want a TransportError", err)
	}
}
