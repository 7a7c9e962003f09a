package provider

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// Acceptance tests run real Terraform (TF_ACC=1, TF_ACC_TERRAFORM_PATH;
// `make test` sets both) against an emulator started in the test process.
// Every test gives the provider its own environment, so nothing from the
// developer's shell (OS_*, CLC_*, ...) leaks in, and tests run in parallel.

// factories serves the provider under test with the given environment.
func factories(env map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	if env == nil {
		env = map[string]string{}
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"cloudauth": providerserver.NewProtocol6WithError(New("test", WithEnv(env))()),
	}
}

// emu is an emulator served on a loopback port for one test.
type emu struct {
	*emulator.Emulator
	URL string
}

func startEmulator(t testing.TB) *emu {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &emu{Emulator: e, URL: srv.URL}
}

// hcl joins configuration fragments.
func hcl(parts ...string) string { return strings.Join(parts, "\n") }

// checkFunc is a state check made of a plain function, for assertions on
// the emulator's counters after a step.
type checkFunc func() error

func (f checkFunc) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if err := f(); err != nil {
		resp.Error = err
	}
}

// expectErr matches an error that contains the phrases in order. Terraform
// wraps diagnostics at 80 columns, so a space in a phrase matches any run of
// white space.
func expectErr(phrases ...string) *regexp.Regexp {
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		quoted[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}
