package clc

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/clc"
)

// BenchmarkRootGroupState500 builds the data source's state from a root
// group with 500 children, the group that the client's
// BenchmarkRootGroup500Children reads and decodes: the sum of the two is
// what one read of such a group costs.
func BenchmarkRootGroupState500(b *testing.B) {
	ctx := context.Background()
	g := &api.RootGroup{
		Group: api.Group{ID: "root", Name: "WA1 Hardware", LocationID: "WA1", Type: "default", Status: "active",
			Links: []api.Link{{Rel: "self", Href: "/v2/groups/acme/root"}}},
		AccountAlias: "ACME", DataCenterID: "WA1", DataCenterName: "Seattle",
	}
	for i := range 500 {
		id := fmt.Sprintf("%032x", i)
		g.Groups = append(g.Groups, api.Group{
			ID: id, Name: fmt.Sprintf("Group %d", i), Description: "child", LocationID: "WA1", Type: "default", Status: "active",
			ServersCount: int64(i % 7),
			Links: []api.Link{
				{Rel: "self", Href: "/v2/groups/acme/" + id, Verbs: []string{"GET", "PATCH", "DELETE"}},
				{Rel: "parentGroup", Href: "/v2/groups/acme/root", ID: "root"},
				{Rel: "billing", Href: "/v2/groups/acme/" + id + "/billing"},
			},
			ChangeInfo: api.ChangeInfo{CreatedDate: "2012-12-17T01:17:17Z", CreatedBy: "a@b", ModifiedDate: "2014-05-16T23:49:25Z", ModifiedBy: "a@b"},
		})
	}
	state := func() tfsdk.State {
		st := tfsdk.State{Schema: rootGroupSchema}
		if diags := st.Set(ctx, rootGroupState(g)); diags.HasError() {
			b.Fatal(diags)
		}
		return st
	}
	st := state()
	var groups types.List
	if diags := st.GetAttribute(ctx, path.Root("groups"), &groups); diags.HasError() || len(groups.Elements()) != 500 {
		b.Fatalf("%d groups: %v", len(groups.Elements()), diags)
	}
	b.ReportAllocs()
	for b.Loop() {
		state()
	}
}
