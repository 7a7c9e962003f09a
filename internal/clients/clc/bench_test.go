package clc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// bigGroup is a root group with n child groups, each with the links and
// fields the API documents.
func bigGroup(n int) []byte {
	children := make([]map[string]any, n)
	for i := range children {
		id := fmt.Sprintf("%032x", i)
		children[i] = map[string]any{
			"id": id, "name": fmt.Sprintf("Group %d", i), "description": "child", "locationId": "WA1",
			"type": "default", "status": "active", "serversCount": i % 7, "groups": []any{},
			"links": []map[string]any{
				{"rel": "self", "href": "/v2/groups/acme/" + id, "verbs": []string{"GET", "PATCH", "DELETE"}},
				{"rel": "parentGroup", "href": "/v2/groups/acme/root", "id": "root"},
				{"rel": "billing", "href": "/v2/groups/acme/" + id + "/billing"},
			},
			"changeInfo": map[string]string{"createdDate": "2012-12-17T01:17:17Z", "createdBy": "a@b", "modifiedDate": "2014-05-16T23:49:25Z", "modifiedBy": "a@b"},
		}
	}
	b, _ := json.Marshal(map[string]any{
		"id": "root", "name": "WA1 Hardware", "locationId": "WA1", "type": "default", "status": "active",
		"serversCount": 0, "groups": children, "links": []map[string]string{{"rel": "self", "href": "/v2/groups/acme/root"}},
	})
	return b
}

// BenchmarkRootGroup500Children reads a root group with 500 children: the
// data center list, then the group, decoded into the typed structs.
func BenchmarkRootGroup500Children(b *testing.B) {
	group := bigGroup(500)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/login"):
			fmt.Fprint(w, `{"userName":"u","accountAlias":"ACME","locationAlias":"WA1","bearerToken":"t"}`)
		case strings.HasPrefix(r.URL.Path, "/v2/datacenters/"):
			fmt.Fprint(w, `[{"id":"wa1","name":"Seattle","links":[{"rel":"group","href":"/v2/groups/acme/root","id":"root"}]}]`)
		default:
			w.Write(group)
		}
	}))
	defer srv.Close()
	c, err := New(Config{HTTP: httpx.Config{BaseURL: srv.URL}, Username: "u", Password: "p"})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(group)))
	b.ReportAllocs()
	for b.Loop() {
		c.roots.Forget()
		c.dcs.Forget()
		g, err := c.RootGroup(context.Background(), "", "")
		if err != nil || len(g.Groups) != 500 {
			b.Fatalf("%v %d", err, len(g.Groups))
		}
	}
}
