package acctest

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider"
)

// Server drives the provider over the plugin protocol in this process, the
// way one Terraform run does: one ConfigureProvider, then any number of
// reads, concurrently. Tests use it where they need exact per-process
// counts (logins, requests) that a multi-command acceptance test blurs.
type Server struct {
	tb     testing.TB
	s      tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

// NewServer serves a provider with the given environment in this process.
func NewServer(tb testing.TB, env map[string]string) *Server {
	tb.Helper()
	s := provider.NewProtocol6("test", provider.WithEnv(env))()
	sch, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		tb.Fatal(err)
	}
	return &Server{tb: tb, s: s, schema: sch}
}

// Schema is the provider's answer to GetProviderSchema.
func (s *Server) Schema() *tfprotov6.GetProviderSchemaResponse { return s.schema }

// IsSecret reports whether the attribute name of the cloud's block is
// sensitive, from the provider's own schema.
func (s *Server) IsSecret(cloud, name string) bool {
	for _, bt := range s.schema.Provider.Block.BlockTypes {
		if bt.TypeName != cloud {
			continue
		}
		for _, a := range bt.Block.Attributes {
			if a.Name == name {
				return a.Sensitive
			}
		}
	}
	return false
}

// Value converts nested Go maps, slices and scalars into a value of type t;
// what is missing is null.
func Value(t tftypes.Type, v any) tftypes.Value {
	if v == nil {
		return tftypes.NewValue(t, nil)
	}
	switch {
	case t.Is(tftypes.Object{}):
		ot := t.(tftypes.Object)
		m, _ := v.(map[string]any)
		attrs := map[string]tftypes.Value{}
		for name, at := range ot.AttributeTypes {
			attrs[name] = Value(at, m[name])
		}
		return tftypes.NewValue(t, attrs)
	case t.Is(tftypes.Map{}):
		if m, ok := v.(map[string]string); ok {
			et := t.(tftypes.Map).ElementType
			elems := map[string]tftypes.Value{}
			for k, e := range m {
				elems[k] = tftypes.NewValue(et, e)
			}
			return tftypes.NewValue(t, elems)
		}
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

// DiagsErr joins the error diagnostics of an answer; nil when there are none.
func DiagsErr(diags []*tfprotov6.Diagnostic) error {
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

// Configure configures the provider and fails the test on an error.
func (s *Server) Configure(cfg map[string]any) {
	s.tb.Helper()
	if err := DiagsErr(s.ConfigureRaw(cfg).Diagnostics); err != nil {
		s.tb.Fatal(err)
	}
}

// ConfigureRaw configures the provider and returns the answer with its
// diagnostics, warnings included.
func (s *Server) ConfigureRaw(cfg map[string]any) *tfprotov6.ConfigureProviderResponse {
	s.tb.Helper()
	typ := s.schema.Provider.ValueType()
	dv, err := tfprotov6.NewDynamicValue(typ, Value(typ, cfg))
	if err != nil {
		s.tb.Fatal(err)
	}
	resp, err := s.s.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: &dv})
	if err != nil {
		s.tb.Fatal(err)
	}
	return resp
}

// Validate asks the provider to validate a configuration, as `terraform
// validate` does (no Configure, no network), and returns the diagnostics.
func (s *Server) Validate(cfg map[string]any) []*tfprotov6.Diagnostic {
	s.tb.Helper()
	typ := s.schema.Provider.ValueType()
	dv, err := tfprotov6.NewDynamicValue(typ, Value(typ, cfg))
	if err != nil {
		s.tb.Fatal(err)
	}
	resp, err := s.s.ValidateProviderConfig(context.Background(), &tfprotov6.ValidateProviderConfigRequest{Config: &dv})
	if err != nil {
		s.tb.Fatal(err)
	}
	return resp.Diagnostics
}

// Read reads a data source and returns its top-level values.
func (s *Server) Read(typeName string, cfg map[string]any) (map[string]tftypes.Value, error) {
	out, resp, err := s.ReadRaw(typeName, cfg)
	if err != nil {
		return nil, err
	}
	if err := DiagsErr(resp.Diagnostics); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadRaw reads a data source and returns its top-level values (nil after
// an error diagnostic) with the answer, warnings included.
func (s *Server) ReadRaw(typeName string, cfg map[string]any) (map[string]tftypes.Value, *tfprotov6.ReadDataSourceResponse, error) {
	sch, ok := s.schema.DataSourceSchemas[typeName]
	if !ok {
		return nil, nil, fmt.Errorf("no data source %s", typeName)
	}
	typ := sch.ValueType()
	dv, err := tfprotov6.NewDynamicValue(typ, Value(typ, cfg))
	if err != nil {
		return nil, nil, err
	}
	resp, err := s.s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: &dv})
	if err != nil || DiagsErr(resp.Diagnostics) != nil {
		return nil, resp, err
	}
	v, err := resp.State.Unmarshal(typ)
	if err != nil {
		return nil, resp, err
	}
	out := map[string]tftypes.Value{}
	return out, resp, v.As(&out)
}

// OpenEphemeral opens an ephemeral resource and returns its values.
func (s *Server) OpenEphemeral(typeName string, cfg map[string]any) (map[string]tftypes.Value, error) {
	out, _, err := s.OpenEphemeralRaw(typeName, cfg)
	return out, err
}

// OpenEphemeralRaw also returns the answer, with RenewAt and the private
// data that Renew and Close get back.
func (s *Server) OpenEphemeralRaw(typeName string, cfg map[string]any) (map[string]tftypes.Value, *tfprotov6.OpenEphemeralResourceResponse, error) {
	sch, ok := s.schema.EphemeralResourceSchemas[typeName]
	if !ok {
		return nil, nil, fmt.Errorf("no ephemeral resource %s", typeName)
	}
	typ := sch.ValueType()
	dv, err := tfprotov6.NewDynamicValue(typ, Value(typ, cfg))
	if err != nil {
		return nil, nil, err
	}
	resp, err := s.s.OpenEphemeralResource(context.Background(), &tfprotov6.OpenEphemeralResourceRequest{TypeName: typeName, Config: &dv})
	if err != nil {
		return nil, nil, err
	}
	if err := DiagsErr(resp.Diagnostics); err != nil {
		return nil, resp, err
	}
	v, err := resp.Result.Unmarshal(typ)
	if err != nil {
		return nil, resp, err
	}
	out := map[string]tftypes.Value{}
	return out, resp, v.As(&out)
}

// RenewEphemeral renews an ephemeral resource from its private data.
func (s *Server) RenewEphemeral(typeName string, private []byte) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	resp, err := s.s.RenewEphemeralResource(context.Background(), &tfprotov6.RenewEphemeralResourceRequest{TypeName: typeName, Private: private})
	if err != nil {
		return nil, err
	}
	return resp, DiagsErr(resp.Diagnostics)
}

// CloseEphemeral closes an ephemeral resource from its private data.
func (s *Server) CloseEphemeral(typeName string, private []byte) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	resp, err := s.s.CloseEphemeralResource(context.Background(), &tfprotov6.CloseEphemeralResourceRequest{TypeName: typeName, Private: private})
	if err != nil {
		return nil, err
	}
	return resp, DiagsErr(resp.Diagnostics)
}
