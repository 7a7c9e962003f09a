package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// The configuration the emulator prints is one a user can paste: it
// parses as HCL, every setting is one the provider's block has, and with
// it the provider reads every cloud's data from a running emulator.
func TestPrintedConfigurationWorks(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(emulator.New())
	t.Cleanup(srv.Close)
	var out bytes.Buffer
	printInfo(&out, srv.URL)
	text := out.String()
	start, end := strings.Index(text, `provider "cloudauth" {`), strings.LastIndex(text, "\n}\n")
	if start < 0 || end < start {
		t.Fatalf("no provider block in:\n%s", text)
	}
	file, diags := hclsyntax.ParseConfig([]byte(text[start:end+3]), "printed.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("the printed configuration does not parse: %s\n%s", diags, text)
	}
	blocks := file.Body.(*hclsyntax.Body).Blocks
	if len(blocks) != 1 || blocks[0].Type != "provider" || len(blocks[0].Body.Attributes) != 0 {
		t.Fatalf("want one provider block holding blocks only:\n%s", text)
	}

	s := acctest.NewServer(t, nil)
	schema := s.Schema().Provider.Block
	cfg := map[string]any{}
	for _, b := range blocks[0].Body.Blocks {
		var attrs map[string]bool
		for _, sb := range schema.BlockTypes {
			if sb.TypeName == b.Type {
				attrs = map[string]bool{}
				for _, a := range sb.Block.Attributes {
					attrs[a.Name] = true
				}
			}
		}
		if attrs == nil {
			t.Fatalf("block %q is not one of the provider's", b.Type)
		}
		settings := map[string]any{}
		for name, a := range b.Body.Attributes {
			if !attrs[name] {
				t.Errorf("%s.%s is not a setting of the provider", b.Type, name)
			}
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatalf("%s.%s: %s", b.Type, name, diags)
			}
			settings[name] = v.AsString()
		}
		cfg[b.Type] = settings
	}
	if len(cfg) != len(emulator.Clouds) {
		t.Fatalf("%d cloud blocks printed, want %d", len(cfg), len(emulator.Clouds))
	}
	s.Configure(cfg)
	for typ, want := range map[string]string{
		"cloudauth_keystone_catalog":   "catalog",
		"cloudauth_cleura_domains":     "domains",
		"cloudauth_abiquo_datacenters": "datacenters",
		"cloudauth_clc_root_group":     "groups",
	} {
		got, err := s.Read(typ, map[string]any{})
		if err != nil {
			t.Errorf("%s with the printed settings: %v", typ, err)
			continue
		}
		if got[want].IsNull() {
			t.Errorf("%s: %s is null", typ, want)
		}
	}
}
