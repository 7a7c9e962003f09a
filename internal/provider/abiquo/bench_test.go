package abiquo

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// BenchmarkAbiquoDatacenters5000 is one data source read of 5,000
// datacenters from scratch: a login, every page, and the Terraform state
// value built from them (page=N); page=N,read is the same without the
// state, to show what the state adds. The emulator runs in the same
// process, so its work (JSON encoding of the pages) is in the numbers too.
//
//	go test ./internal/provider/abiquo -run '^$' -bench AbiquoDatacenters -benchmem
func BenchmarkAbiquoDatacenters5000(b *testing.B) {
	const n = 5000
	e := emulator.New()
	e.SetAbiquoDatacenters(n)
	e.SetAbiquoMaxLimit(1000) // let the client's page size count
	srv := httptest.NewServer(e)
	defer srv.Close()
	ctx := context.Background()
	for _, pageSize := range []int{api.DefaultPageSize, 500} {
		for _, withState := range []bool{true, false} {
			name := fmt.Sprintf("page=%d", pageSize)
			if !withState {
				name += ",read"
			}
			b.Run(name, func(b *testing.B) {
				e.ResetCounters()
				runs := 0
				for b.Loop() {
					runs++
					c, err := api.New(api.Config{
						HTTP:     httpx.Config{BaseURL: srv.URL + "/abiquo/api"},
						Username: emulator.AbiquoAdmin, Password: emulator.AbiquoAdminPassword, PageSize: pageSize,
					})
					if err != nil {
						b.Fatal(err)
					}
					list, err := c.Datacenters(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if !withState {
						if len(list) != n {
							b.Fatalf("%d datacenters, want %d", len(list), n)
						}
						continue
					}
					state := tfsdk.State{Schema: datacentersSchema}
					if diags := state.Set(ctx, datacentersState(types.StringNull(), list)); diags.HasError() {
						b.Fatal(diags)
					}
					if runs == 1 {
						var got types.List
						if diags := state.GetAttribute(ctx, path.Root("datacenters"), &got); diags.HasError() || len(got.Elements()) != n {
							b.Fatalf("%d datacenters, want %d: %v", len(got.Elements()), n, diags)
						}
					}
				}
				b.ReportMetric(float64(e.Requests("abiquo.datacenters.list"))/float64(runs), "pages/op")
			})
		}
	}
}
