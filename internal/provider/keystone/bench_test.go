package keystone

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
)

// largeCatalogBody is a token body with services x 3 interfaces x regions
// endpoints, shaped like Keystone's.
func largeCatalogBody(services, regions int) []byte {
	type ep struct {
		ID        string `json:"id"`
		Interface string `json:"interface"`
		RegionID  string `json:"region_id"`
		URL       string `json:"url"`
		Region    string `json:"region"`
	}
	type svc struct {
		Endpoints []ep   `json:"endpoints"`
		ID        string `json:"id"`
		Type      string `json:"type"`
		Name      string `json:"name"`
	}
	catalog := make([]svc, 0, services)
	for s := range services {
		entry := svc{ID: fmt.Sprintf("%032x", s), Type: fmt.Sprintf("service-%03d", s), Name: fmt.Sprintf("name-%03d", s)}
		for r := range regions {
			for _, itf := range api.Interfaces {
				region := fmt.Sprintf("Region%d", r)
				entry.Endpoints = append(entry.Endpoints, ep{
					ID: fmt.Sprintf("%08x%08x%016x", s, r, len(entry.Endpoints)), Interface: itf, RegionID: region, Region: region,
					URL: fmt.Sprintf("https://service-%03d.%s.%s.example.com:8774/v2.1/4f2a9c1e7b3d4e8f9a0b1c2d3e4f5a6b", s, itf, region),
				})
			}
		}
		catalog = append(catalog, entry)
	}
	b, err := json.Marshal(map[string]any{"token": map[string]any{
		"methods":    []string{"application_credential"},
		"user":       map[string]any{"domain": map[string]string{"id": "default", "name": "Default"}, "id": "u1", "name": "demo", "password_expires_at": nil},
		"audit_ids":  []string{"3Hc-bLsKRbyG0S8oa0sptw"},
		"expires_at": "2026-11-22T20:43:57.000000Z", "issued_at": "2026-11-22T19:43:57.000000Z",
		"project":   map[string]any{"domain": map[string]string{"id": "default", "name": "Default"}, "id": "p1", "name": "demo"},
		"is_domain": false,
		"roles":     []map[string]string{{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}},
		"catalog":   catalog,
	}})
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkKeystoneCatalog decodes a catalog of 200 services x 3
// interfaces x 5 regions (3000 endpoints, about 700 KB) and builds the data
// source's values from it: the Terraform value, then the state the
// framework writes.
func BenchmarkKeystoneCatalog(b *testing.B) {
	ctx := context.Background()
	sel := api.Selection{Interface: "public"}
	body := largeCatalogBody(200, 5)
	tok, err := api.DecodeToken(body)
	if err != nil {
		b.Fatal(err)
	}
	st := tfsdk.State{Schema: catalogSchema}
	v, n := catalogState(tok, sel, types.StringNull())
	if diags := st.Set(ctx, v); diags.HasError() || n != 200 {
		b.Fatal(n, diags)
	}
	var catalog types.List
	var urls map[string]string
	diags := st.GetAttribute(ctx, path.Root("catalog"), &catalog)
	diags.Append(st.GetAttribute(ctx, path.Root("endpoints"), &urls)...)
	if diags.HasError() {
		b.Fatal(diags)
	}
	if len(catalog.Elements()) != 200 || len(urls) != 200 ||
		len(catalog.Elements()[0].(types.Object).Attributes()["endpoints"].(types.List).Elements()) != 5 {
		b.Fatalf("state has %d services, %d URLs", len(catalog.Elements()), len(urls))
	}
	state := func(t *api.Token) {
		st := tfsdk.State{Schema: catalogSchema}
		v, _ := catalogState(t, sel, types.StringNull())
		if diags := st.Set(ctx, v); diags.HasError() {
			b.Fatal(diags)
		}
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := api.DecodeToken(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("model", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			catalogState(tok, sel, types.StringNull())
		}
	})
	b.Run("decode+model+state", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			t, err := api.DecodeToken(body)
			if err != nil {
				b.Fatal(err)
			}
			state(t)
		}
	})
}
