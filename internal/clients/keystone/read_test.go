package keystone_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

func TestReadChoosesTheCatalogEndpoint(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	base := strings.TrimSuffix(f.URL, "/v3")
	cfg := appCred(f.URL)
	cfg.Region = emulator.KeystoneRegion
	// compute points at the emulator, so that choosing it can be seen.
	cfg.EndpointOverrides = map[string]string{"compute": f.URL}
	c := newClient(t, cfg)
	ctx := context.Background()

	resp, err := c.Read(ctx, httpx.RawRequest{Path: "/auth/projects"})
	if err != nil || resp.StatusCode != 200 || !strings.Contains(string(resp.Body), `"projects"`) || resp.URL != f.URL+"/auth/projects" {
		t.Fatalf("identity read: %v %+v", err, resp)
	}
	if resp, err := c.Read(ctx, httpx.RawRequest{Path: "auth/projects?x=1", ServiceType: "compute"}); err != nil || resp.URL != f.URL+"/auth/projects?x=1" {
		t.Fatalf("compute read (overridden): %v %+v", err, resp)
	}
	var ne *keystone.NoEndpointError
	if _, err := c.Read(ctx, httpx.RawRequest{Path: "x", ServiceType: "dns"}); !errors.As(err, &ne) || !strings.Contains(err.Error(), `"dns"`) || !strings.Contains(err.Error(), emulator.KeystoneRegion) {
		t.Errorf("dns in %s (the catalog has it only in the other region): err = %v", emulator.KeystoneRegion, err)
	}
	if _, err := c.Read(ctx, httpx.RawRequest{Path: "x", ServiceType: "dns", Region: emulator.KeystoneOtherRegion, Interface: "public"}); err == nil {
		// dns.<other>.cloudauth.test does not resolve: the request was
		// made, toward the catalog's endpoint.
		t.Error("a read of an endpoint that does not resolve succeeded")
	} else if errors.As(err, &ne) {
		t.Errorf("dns in %s: %v", emulator.KeystoneOtherRegion, err)
	}
	// A url on an endpoint of the catalog is allowed; elsewhere refused.
	var oe *httpx.OriginError
	if _, err := c.Read(ctx, httpx.RawRequest{URL: f.URL + "/auth/projects"}); err != nil {
		t.Errorf("url on the auth URL's origin: %v", err)
	}
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	if _, err := c.Read(ctx, httpx.RawRequest{URL: other.URL + "/keystone/v3/auth/projects?from=" + base}); !errors.As(err, &oe) || hits.Load() != 0 {
		t.Errorf("url on another origin: err = %v, requests there = %d", err, hits.Load())
	}
	var he *httpx.HeaderConflictError
	if _, err := c.Read(ctx, httpx.RawRequest{Path: "auth/projects", Header: http.Header{"x-auth-token": {"mine"}}}); !errors.As(err, &he) {
		t.Errorf("own X-Auth-Token: err = %v", err)
	}

	// A token revoked behind the client's back: one login, one retry.
	f.RevokeAll("keystone")
	logins := f.Logins("keystone")
	if _, err := c.Read(ctx, httpx.RawRequest{Path: "auth/projects", Header: http.Header{"X-Fresh": {"1"}}}); err != nil {
		t.Fatal(err)
	}
	if got := f.Logins("keystone") - logins; got != 1 {
		t.Errorf("logins after the revocation = %d, want 1", got)
	}
}
