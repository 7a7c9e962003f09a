package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// diagServer answers every call the wrapper handles with one diagnostic
// that carries terminal controls.
type diagServer struct {
	tfprotov6.ProviderServer
}

func trick() []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError,
		Summary: "Bad\x1b]0;owned\x07 answer", Detail: "the API says \u202egnp.exe\x1b[2J\nsecond line"}}
}

func (diagServer) ReadDataSource(context.Context, *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return &tfprotov6.ReadDataSourceResponse{Diagnostics: trick()}, nil
}

func (diagServer) OpenEphemeralResource(context.Context, *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return &tfprotov6.OpenEphemeralResourceResponse{Diagnostics: trick()}, nil
}

func (diagServer) ConfigureProvider(context.Context, *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return &tfprotov6.ConfigureProviderResponse{Diagnostics: trick()}, nil
}

// Whatever a diagnostic quotes, Terraform gets it without terminal
// controls: the last line behind the cleaning where server text enters.
func TestServerShowsDiagnosticsPrintable(t *testing.T) {
	t.Parallel()
	s := server{diagServer{}}
	ctx := context.Background()
	var all []*tfprotov6.Diagnostic
	r1, _ := s.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{})
	r2, _ := s.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{})
	r3, _ := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{})
	all = append(append(append(all, r1.Diagnostics...), r2.Diagnostics...), r3.Diagnostics...)
	for _, d := range all {
		if d.Summary != "Bad]0;owned answer" || d.Detail != "the API says gnp.exe[2J\nsecond line" {
			t.Errorf("diagnostic %q / %q", d.Summary, d.Detail)
		}
		if httpx.Printable(d.Summary) != d.Summary || httpx.Printable(d.Detail) != d.Detail {
			t.Errorf("terminal controls remain: %q / %q", d.Summary, d.Detail)
		}
	}
}
