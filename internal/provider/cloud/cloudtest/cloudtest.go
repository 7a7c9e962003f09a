// Package cloudtest runs one cloud's Configure in Go, for the unit tests of
// a cloud package: there, the provider's core (and so the acceptance test
// helpers, which serve it) cannot be imported.
//
//	st := cloudtest.Configure(t, cleura.Cloud{}, env, map[string]any{"username": "alice"})
//	s, diags := cloudtest.Client[*session](st)
package cloudtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

// Configure runs c's Configure with the environment env and a block of
// the given attributes (string, bool or int values); a nil attrs leaves
// the block out.
func Configure(tb testing.TB, c cloud.Cloud, env map[string]string, attrs map[string]any) *cloud.State {
	tb.Helper()
	return c.Configure(context.Background(), cloud.ConfigureRequest{
		Block:     Block(tb, c, attrs),
		Getenv:    func(k string) string { return env[k] },
		UserAgent: "cloudauth-test",
	})
}

// Block is c's block with the given attributes, null for a nil attrs.
func Block(tb testing.TB, c cloud.Cloud, attrs map[string]any) types.Object {
	tb.Helper()
	ctx := context.Background()
	typ, ok := c.Block().Type().(types.ObjectType)
	if !ok {
		tb.Fatalf("%s's block is not an object: %T", c.Name(), c.Block().Type())
	}
	if attrs == nil {
		return types.ObjectNull(typ.AttrTypes)
	}
	vals := make(map[string]attr.Value, len(typ.AttrTypes))
	for name, at := range typ.AttrTypes {
		v, ok := attrs[name]
		if !ok {
			null, err := at.ValueFromTerraform(ctx, tftypes.NewValue(at.TerraformType(ctx), nil))
			if err != nil {
				tb.Fatal(err)
			}
			vals[name] = null
			continue
		}
		switch x := v.(type) {
		case string:
			vals[name] = types.StringValue(x)
		case bool:
			vals[name] = types.BoolValue(x)
		case int:
			vals[name] = types.Int64Value(int64(x))
		case attr.Value:
			vals[name] = x
		default:
			tb.Fatalf("attribute %s: a %T cannot go in a block", name, v)
		}
	}
	for name := range attrs {
		if _, ok := typ.AttrTypes[name]; !ok {
			tb.Fatalf("%s's block has no attribute %s", c.Name(), name)
		}
	}
	obj, diags := types.ObjectValue(typ.AttrTypes, vals)
	if diags.HasError() {
		tb.Fatal(Text(diags))
	}
	return obj
}

// one is the Clouds of a single state.
type one struct {
	name string
	st   *cloud.State
}

func (o one) State(name string) (*cloud.State, bool) { return o.st, name == o.name }

// Client returns the client of a configured state, or the diagnostics a
// data source would get instead.
func Client[C any](name string, st *cloud.State) (C, diag.Diagnostics) {
	return cloud.Use[C](one{name: name, st: st}, name, "test")
}

// Text renders diagnostics one per line, as "[Severity] summary: detail".
func Text(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "[%s] %s: %s\n", d.Severity(), d.Summary(), d.Detail())
	}
	return b.String()
}

// StoreTokens writes a credentials file holding entries, as `cloudauth
// login` does, in a new directory, and returns that directory for
// XDG_CONFIG_HOME.
func StoreTokens(tb testing.TB, entries ...credstore.Entry) string {
	tb.Helper()
	dir := tb.TempDir()
	path, err := credstore.DefaultPath(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir}[k] })
	if err != nil {
		tb.Fatal(err)
	}
	f, err := credstore.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		f.Put(e)
	}
	if err := f.Save(); err != nil {
		tb.Fatal(err)
	}
	return dir
}
