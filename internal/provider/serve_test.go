package provider_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider"
)

// TestServerLetsGoOfCallContexts checks that nothing keeps a data source
// call's context once the call has returned: the framework's server alone
// keeps every one until the provider stops, which made the provider's
// memory grow with the number of data sources of a plan.
func TestServerLetsGoOfCallContexts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		server func() tfprotov6.ProviderServer
		kept   bool
	}{
		{"NewProtocol6", provider.NewProtocol6("test"), false},
		// The control: if the framework stops keeping contexts, this case
		// fails, and NewProtocol6's wrapper is no longer needed.
		{"framework alone", providerserver.NewProtocol6(provider.New("test")()), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.server()
			sch, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
			if err != nil {
				t.Fatal(err)
			}
			typ := sch.DataSourceSchemas["cloudauth_token"].ValueType()
			cfg, err := tfprotov6.NewDynamicValue(typ, acctest.Value(typ, map[string]any{"cloud": "clc"}))
			if err != nil {
				t.Fatal(err)
			}
			// A value only the calls' context holds, as the loggers are.
			type key struct{}
			marker := weak.Make(call(t, s, key{}, new([4096]byte), &cfg))
			runtime.GC()
			if kept := marker.Value() != nil; kept != tc.kept {
				t.Errorf("context kept after the calls: %v, want %v", kept, tc.kept)
			}
			runtime.KeepAlive(s)
		})
	}
}

// call validates and reads a cloudauth_token data source with a context
// that holds value, as gRPC does (cancelled when the call returns), and
// returns value.
func call(t *testing.T, s tfprotov6.ProviderServer, key any, value *[4096]byte, cfg *tfprotov6.DynamicValue) *[4096]byte {
	t.Helper()
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key, value))
	if _, err := s.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: "cloudauth_token", Config: cfg}); err != nil {
		t.Fatal(err)
	}
	cancel()
	ctx, cancel = context.WithCancel(context.WithValue(context.Background(), key, value))
	resp, err := s.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "cloudauth_token", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	// Not configured: the read ran up to the provider's data source.
	if len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Summary != "Provider not configured" {
		t.Fatalf("diagnostics = %+v", resp.Diagnostics)
	}
	return value
}

// The provider's loggers log what Terraform shows (TF_LOG_PROVIDER, else
// TF_LOG) and no more; a level the user set for one of them stays.
func TestLogLevels(t *testing.T) {
	t.Parallel()
	all := func(level string) map[string]string {
		return map[string]string{"TF_LOG_SDK": level, "TF_LOG_PROVIDER_CLOUDAUTH": level}
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"nothing set: Terraform shows nothing", nil, all("OFF")},
		{"TF_LOG", map[string]string{"TF_LOG": "debug"}, all("DEBUG")},
		{"TF_LOG_PROVIDER wins over TF_LOG", map[string]string{"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "warn"}, all("WARN")},
		{"only core logs", map[string]string{"TF_LOG_CORE": "TRACE"}, all("OFF")},
		{"TF_LOG=off", map[string]string{"TF_LOG": "off"}, all("OFF")},
		{"JSON shows everything", map[string]string{"TF_LOG": "JSON"}, all("TRACE")},
		{"an unknown level shows everything", map[string]string{"TF_LOG": "verbose"}, all("TRACE")},
		{"a level set for one logger stays", map[string]string{"TF_LOG_SDK": "TRACE"},
			map[string]string{"TF_LOG_PROVIDER_CLOUDAUTH": "OFF"}},
		// The subsystems take the SDK's level: setting theirs would undo
		// a user's TF_LOG_SDK=OFF.
		{"TF_LOG_SDK=OFF with TF_LOG", map[string]string{"TF_LOG": "TRACE", "TF_LOG_SDK": "OFF"},
			map[string]string{"TF_LOG_PROVIDER_CLOUDAUTH": "TRACE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := provider.LogLevels(func(k string) string { return tc.env[k] })
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("LogLevels = %v, want %v", got, tc.want)
			}
		})
	}
}
