package cleura

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
)

// BenchmarkCleuraDomains1000 decodes an answer of 1,000 domains and builds
// the data source's state from it, as one read does.
func BenchmarkCleuraDomains1000(b *testing.B) {
	ctx := context.Background()
	yes := true
	type region struct {
		ZoneID string `json:"zone_id"`
		Name   string `json:"name"`
		Status string `json:"status"`
		Region string `json:"region"`
	}
	type entry struct {
		Area struct {
			ID      string   `json:"id"`
			Name    string   `json:"name"`
			Tag     string   `json:"tag"`
			Regions []region `json:"regions"`
		} `json:"area"`
		ID      string `json:"id,omitempty"`
		Status  string `json:"status"`
		Name    string `json:"name,omitempty"`
		Enabled *bool  `json:"enabled,omitempty"`
	}
	list := make([]entry, 1000)
	for i := range list {
		e := &list[i]
		e.Area.ID, e.Area.Name, e.Area.Tag = fmt.Sprint(i), fmt.Sprintf("Area %d / Somewhere", i), fmt.Sprintf("A%d", i)
		e.Area.Regions = []region{{fmt.Sprint(i), fmt.Sprintf("City %d / Country", i), "active", fmt.Sprintf("Reg%d", i)}}
		e.Status = "available"
		if i%3 != 0 {
			e.ID, e.Status, e.Name, e.Enabled = fmt.Sprintf("%032x", i), "provisioned", "CCP_Domain_43597", &yes
		}
	}
	body, err := json.Marshal(list)
	if err != nil {
		b.Fatal(err)
	}
	body = []byte(strings.ReplaceAll(string(body), "/", `\/`))

	decode := func(b *testing.B) []api.Domain {
		domains, err := api.DecodeDomains(body)
		if err != nil || len(domains) != 1000 {
			b.Fatal(len(domains), err)
		}
		return domains
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			decode(b)
		}
	})
	b.Run("decode+state", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			state := tfsdk.State{Schema: domainsSchema}
			if diags := state.Set(ctx, domainsState(types.StringNull(), types.StringNull(), decode(b))); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
}
