package provider

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// server drives the provider over the plugin protocol in this process, the
// way one Terraform run does: one ConfigureProvider, then any number of
// reads, concurrently. Tests use it where they need exact per-process
// counts (logins, requests) that a multi-command acceptance test blurs.
type server struct {
	tb     testing.TB
	s      tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

func newServer(tb testing.TB, env map[string]string) *server {
	tb.Helper()
	s, err := providerserver.NewProtocol6WithError(New("test", WithEnv(env))())()
	if err != nil {
		tb.Fatal(err)
	}
	sch, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		tb.Fatal(err)
	}
	return &server{tb: tb, s: s, schema: sch}
}

// value converts nested Go maps, slices and scalars into a value of type t;
// what is missing is null.
func value(t tftypes.Type, v any) tftypes.Value {
	if v == nil {
		return tftypes.NewValue(t, nil)
	}
	switch {
	case t.Is(tftypes.Object{}):
		ot := t.(tftypes.Object)
		m, _ := v.(map[string]any)
		attrs := map[string]tftypes.Value{}
		for name, at := range ot.AttributeTypes {
			attrs[name] = value(at, m[name])
		}
		return tftypes.NewValue(t, attrs)
	case t.Is(tftypes.Number):
		switch n := v.(type) {
		case int:
			return tftypes.NewValue(t, big.NewFloat(float64(n)))
		case int64:
			return tftypes.NewValue(t, big.NewFloat(float64(n)))
		}
	}
	return tftypes.NewValue(t, v)
}

func diagsErr(diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

func (s *server) configure(cfg map[string]any) {
	s.tb.Helper()
	if err := diagsErr(s.configureRaw(cfg).Diagnostics); err != nil {
		s.tb.Fatal(err)
	}
}

// configureRaw configures the provider and returns the answer with its
// diagnostics, warnings included.
func (s *server) configureRaw(cfg map[string]any) *tfprotov6.ConfigureProviderResponse {
	s.tb.Helper()
	typ := s.schema.Provider.ValueType()
	dv, err := tfprotov6.NewDynamicValue(typ, value(typ, cfg))
	if err != nil {
		s.tb.Fatal(err)
	}
	resp, err := s.s.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: &dv})
	if err != nil {
		s.tb.Fatal(err)
	}
	return resp
}

// read reads a data source and returns its top-level values.
func (s *server) read(typeName string, cfg map[string]any) (map[string]tftypes.Value, error) {
	sch, ok := s.schema.DataSourceSchemas[typeName]
	if !ok {
		return nil, fmt.Errorf("no data source %s", typeName)
	}
	typ := sch.ValueType()
	dv, err := tfprotov6.NewDynamicValue(typ, value(typ, cfg))
	if err != nil {
		return nil, err
	}
	resp, err := s.s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: &dv})
	if err != nil {
		return nil, err
	}
	if err := diagsErr(resp.Diagnostics); err != nil {
		return nil, err
	}
	v, err := resp.State.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	out := map[string]tftypes.Value{}
	return out, v.As(&out)
}

// openEphemeral opens an ephemeral resource and returns its values.
func (s *server) openEphemeral(typeName string, cfg map[string]any) (map[string]tftypes.Value, error) {
	out, _, err := s.openEphemeralRaw(typeName, cfg)
	return out, err
}

// openEphemeralRaw also returns the answer, with RenewAt and the private
// data that Renew and Close get back.
func (s *server) openEphemeralRaw(typeName string, cfg map[string]any) (map[string]tftypes.Value, *tfprotov6.OpenEphemeralResourceResponse, error) {
	sch, ok := s.schema.EphemeralResourceSchemas[typeName]
	if !ok {
		return nil, nil, fmt.Errorf("no ephemeral resource %s", typeName)
	}
	typ := sch.ValueType()
	dv, err := tfprotov6.NewDynamicValue(typ, value(typ, cfg))
	if err != nil {
		return nil, nil, err
	}
	resp, err := s.s.OpenEphemeralResource(context.Background(), &tfprotov6.OpenEphemeralResourceRequest{TypeName: typeName, Config: &dv})
	if err != nil {
		return nil, nil, err
	}
	if err := diagsErr(resp.Diagnostics); err != nil {
		return nil, resp, err
	}
	v, err := resp.Result.Unmarshal(typ)
	if err != nil {
		return nil, resp, err
	}
	out := map[string]tftypes.Value{}
	return out, resp, v.As(&out)
}

func (s *server) renewEphemeral(typeName string, private []byte) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	resp, err := s.s.RenewEphemeralResource(context.Background(), &tfprotov6.RenewEphemeralResourceRequest{TypeName: typeName, Private: private})
	if err != nil {
		return nil, err
	}
	return resp, diagsErr(resp.Diagnostics)
}

func (s *server) closeEphemeral(typeName string, private []byte) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	resp, err := s.s.CloseEphemeralResource(context.Background(), &tfprotov6.CloseEphemeralResourceRequest{TypeName: typeName, Private: private})
	if err != nil {
		return nil, err
	}
	return resp, diagsErr(resp.Diagnostics)
}
