package acctest

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider"
)

// Package acctest is what the provider's tests share: the provider served
// to real Terraform (Factories) or driven in this process over the plugin
// protocol (Server), an emulator on a loopback port, and small helpers for
// configurations and expected errors.
//
// Acceptance tests run real Terraform (TF_ACC=1, TF_ACC_TERRAFORM_PATH;
// `make test` sets both) against an emulator started in the test process.
// Every test gives the provider its own environment, so nothing from the
// developer's shell (OS_*, CLC_*, ...) leaks in, and tests run in parallel.
//
//	e := acctest.StartEmulator(t)
//	resource.ParallelTest(t, resource.TestCase{
//		ProtoV6ProviderFactories: acctest.Factories(nil),
//		Steps: []resource.TestStep{{Config: acctest.HCL(provider, `data "cloudauth_clc_root_group" "x" {}`)}},
//	})

// Factories serves the provider under test with the given environment.
func Factories(env map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	providerHost.Do(setProviderHost)
	if env == nil {
		env = map[string]string{}
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"cloudauth": provider.NewProtocol6WithError("test", provider.WithEnv(env)),
	}
}

var providerHost sync.Once

// setProviderHost points terraform-plugin-testing at OpenTofu's registry
// host when TF_ACC_TERRAFORM_PATH is OpenTofu and the host is not set:
// OpenTofu reads `provider "cloudauth"` as registry.opentofu.org/..., and
// refuses the reattach address of the default host outright. The scripts
// set the host themselves; this covers a plain `go test` with OpenTofu.
func setProviderHost() {
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv(resource.EnvTfAcc) == "" || bin == "" || os.Getenv(resource.EnvTfAccProviderHost) != "" {
		return
	}
	out, err := exec.Command(bin, "version").Output()
	if err == nil && strings.Contains(string(out), "OpenTofu") {
		_ = os.Setenv(resource.EnvTfAccProviderHost, "registry.opentofu.org")
	}
}

// Emulator is an emulator served on a loopback port for one test.
type Emulator struct {
	*emulator.Emulator
	URL string
}

// StartEmulator serves a new emulator until the test ends.
func StartEmulator(t testing.TB) *Emulator {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &Emulator{Emulator: e, URL: srv.URL}
}

// SkipUnlessAcc skips a test that checks what its acceptance steps did,
// when acceptance tests do not run (TF_ACC unset): the steps skip
// themselves, and there is nothing to check.
func SkipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance tests skipped unless env %q is set", resource.EnvTfAcc)
	}
}

// HCL joins configuration fragments.
func HCL(parts ...string) string { return strings.Join(parts, "\n") }

// Check is a state check made of a plain function, for assertions on the
// emulator's counters after a step.
type Check func() error

// CheckState implements statecheck.StateCheck.
func (f Check) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if err := f(); err != nil {
		resp.Error = err
	}
}

// ExpectErr matches an error that contains the phrases in order. Terraform
// wraps diagnostics at 80 columns, so a space in a phrase matches any run of
// white space.
func ExpectErr(phrases ...string) *regexp.Regexp {
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
