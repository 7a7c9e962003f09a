package keystone_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/testcert"
)

// The cacert, cert and key of a clouds.yaml entry reach the transport: a
// Keystone behind mutual TLS accepts the login.
func TestCloudsYAMLClientCertificateReachesTheTransport(t *testing.T) {
	t.Parallel()
	ca := testcert.NewCA(t, "keystone client CA")
	cert, key := ca.Issue(t, "terraform", time.Now().Add(time.Hour))
	certPEM, keyPEM := []byte(cert), []byte(key)
	srv, serverCA := testcert.MTLSServer(t, ca, emulator.New())

	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFile := write("ca.pem", []byte(serverCA))
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
