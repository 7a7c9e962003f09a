package keystone

import (
	"context"
	"fmt"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// DefaultServiceType is the catalog service a read's path goes under when
// it names none.
const DefaultServiceType = "identity"

// NoEndpointError is a read whose service type, interface and region
// match no endpoint of the token's catalog.
type NoEndpointError struct {
	Selection Selection
}

func (e *NoEndpointError) Error() string {
	region := e.Selection.Region
	if region == "" {
		region = "any region"
	} else {
		region = "region " + region
	}
	return fmt.Sprintf("the token's catalog has no %s endpoint of service type %q in %s; choose another service_type, interface or region (cloudauth_keystone_catalog lists them), or give url",
		e.Selection.Interface, e.Selection.ServiceType, region)
}

// Read reads any path of a service with the client's token (the
// cloudauth_request data source). The path goes under the catalog endpoint
// chosen as cloudauth_keystone_catalog's endpoints map chooses it: by
// service type (default identity), interface and region, the provider's
// settings filling what the request leaves out, endpoint overrides
// included. A URL must be on the origin of the auth URL, of an endpoint
// of the catalog, or of an override.
func (c *Client) Read(ctx context.Context, req httpx.RawRequest) (*httpx.RawResponse, error) {
	return c.reads.Read(ctx, req, func(ctx context.Context) (httpx.Target, error) {
		tok, err := c.Login(ctx)
		if err != nil {
			return httpx.Target{}, err
		}
		st := req.ServiceType
		if st == "" {
			st = DefaultServiceType
		}
		sel := c.Selection(Selection{ServiceType: st, Interface: req.Interface, Region: req.Region, URLInterface: c.Interface()})
		t := httpx.Target{Origins: []string{c.authURL}}
		for _, svc := range tok.Catalog {
			for _, ep := range svc.Endpoints {
				t.Origins = append(t.Origins, ep.URL)
			}
		}
		for _, u := range sel.EndpointOverrides {
			t.Origins = append(t.Origins, u)
		}
		if req.URL != "" {
			return t, nil
		}
		_, urls := tok.Select(sel)
		base, ok := urls[st]
		if !ok {
			return httpx.Target{}, &NoEndpointError{Selection: sel}
		}
		t.Base = base
		return t, nil
	}, c.auth.Do)
}
