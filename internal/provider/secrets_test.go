package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// The provider as users run it: the built binary under a real Terraform
// with TF_LOG=TRACE, against the emulator. Neither the trace log, nor the
// CLI's output, nor terraform.tfstate may hold a password, a secret, a
// one-time code or any token the emulator issued.

// secretRun describes the configuration of one cloud for this test.
type secretRun struct {
	cloud string
	// config is the provider block's content, data sources and an
	// ephemeral token; bad is the same cloud with a refused login.
	config func(base string) string
	bad    func(base string) string
	// secrets the configuration holds (passwords, secrets, codes).
	secrets []string
}

var secretRuns = []secretRun{{
	cloud: "clc",
	config: func(base string) string {
		return fmt.Sprintf(`
  clc = {
    url      = %q
    username = %q
    password = %q
  }`, base+"/clc", emulator.CLCUser, emulator.CLCPassword)
	},
	bad: func(base string) string {
		return fmt.Sprintf(`
  clc = {
    url      = %q
    username = %q
    password = "a-wrong-clc-password"
  }`, base+"/clc", emulator.CLCUser)
	},
	secrets: []string{emulator.CLCPassword, "a-wrong-clc-password"},
}, {
	cloud: "cleura",
	config: func(base string) string {
		return fmt.Sprintf(`
  cleura = {
    url      = %q
    username = %q
    password = %q
  }`, base+"/cleura", emulator.CleuraUser, emulator.CleuraPassword)
	},
	bad: func(base string) string {
		return fmt.Sprintf(`
  cleura = {
    url      = %q
    username = %q
    password = "a-wrong-cleura-password"
  }`, base+"/cleura", emulator.CleuraUser)
	},
	secrets: []string{emulator.CleuraPassword, "a-wrong-cleura-password"},
}}

// secretReads are the data sources and ephemeral tokens read per cloud.
var secretReads = map[string]string{
	"clc": `
data "cloudauth_clc_root_group" "clc" {}
ephemeral "cloudauth_token" "clc" { cloud = "clc" }
`,
	"cleura": `
data "cloudauth_cleura_domains" "cleura" {}
ephemeral "cloudauth_token" "cleura" {
  cloud           = "cleura"
  revoke_on_close = true
}
`,
}

// buildProvider builds the provider binary into dir/bin.
func buildProvider(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-cloudauth"), "github.com/cloudauth/terraform-provider-cloudauth")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestAccSecretsNeverInTraceLogOutputOrState(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("needs TF_ACC and TF_ACC_TERRAFORM_PATH (make test sets both)")
	}
	t.Parallel()
	dir := t.TempDir()
	if d := os.Getenv("KEEP_TRACE_DIR"); d != "" {
		dir = d
	}
	bin := buildProvider(t, dir)
	cli := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(cli, []byte(fmt.Sprintf(`disable_checkpoint = true
provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudauth/cloudauth" = %q
  }
  direct {}
}
`, bin)), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startEmulator(t)

	run := func(name string, block func(secretRun) func(string) string, wantOK bool) string {
		work := filepath.Join(dir, name)
		if err := os.MkdirAll(work, 0o700); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("terraform {\n  required_providers {\n    cloudauth = { source = \"registry.terraform.io/cloudauth/cloudauth\" }\n  }\n}\n")
		b.WriteString("provider \"cloudauth\" {")
		for _, r := range secretRuns {
			b.WriteString(block(r)(e.URL))
		}
		b.WriteString("\n}\n")
		for _, r := range secretRuns {
			b.WriteString(secretReads[r.cloud])
		}
		if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		logPath := filepath.Join(work, "trace.log")
		cmd := exec.Command(tf, "apply", "-auto-approve", "-input=false", "-no-color")
		cmd.Dir = work
		cmd.Env = append(os.Environ(),
			"TF_LOG=TRACE", "TF_LOG_PATH="+logPath, "TF_CLI_CONFIG_FILE="+cli,
			"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if wantOK && err != nil {
			t.Fatalf("%s: terraform apply: %v\n%s", name, err, out.String())
		}
		if !wantOK && err == nil {
			t.Fatalf("%s: terraform apply succeeded with a wrong password:\n%s", name, out.String())
		}
		logText, rerr := os.ReadFile(logPath)
		if rerr != nil {
			t.Fatal(rerr)
		}
		state, _ := os.ReadFile(filepath.Join(work, "terraform.tfstate"))
		return string(logText) + "\n--- output ---\n" + out.String() + "\n--- state ---\n" + string(state)
	}

	good := run("good", func(r secretRun) func(string) string { return r.config }, true)
	bad := run("refused", func(r secretRun) func(string) string { return r.bad }, false)

	// The log must hold the provider's own debug lines, or this test
	// proves nothing.
	for _, want := range []string{"provider.terraform-provider-cloudauth: HTTP request:", "Authorization:***", "request body", `password\":\"***`} {
		if !strings.Contains(good, want) {
			t.Fatalf("the trace log lacks %q: the provider's logging did not reach it", want)
		}
	}
	if !strings.Contains(bad, "We didn't recognize the username or password") {
		t.Fatalf("the refused run did not show the API's message")
	}

	var secrets []string
	for _, r := range secretRuns {
		secrets = append(secrets, r.secrets...)
	}
	issued := e.IssuedTokens("")
	if len(issued) == 0 {
		t.Fatal("no token was issued")
	}
	secrets = append(secrets, issued...)
	for _, s := range secrets {
		for name, text := range map[string]string{"successful run": good, "refused run": bad} {
			if i := strings.Index(text, s); i >= 0 {
				lo, hi := max(0, i-120), min(len(text), i+len(s)+40)
				t.Errorf("%s: a secret appears in the log, output or state: ...%s...", name, text[lo:hi])
			}
		}
	}
}
