package provider_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
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
	// echoed is the cloud with a 6-character secret that URL encoding,
	// JSON escaping and base64 change, against a login that quotes what it
	// got in all those forms;
	// echoedSecret is that secret and loginRoute the route that quotes.
	echoed       func(base string) string
	echoedSecret string
	loginRoute   string
}

var secretRuns = []secretRun{{
	cloud: "keystone",
	config: func(base string) string {
		return fmt.Sprintf(`
  keystone {
    auth_url                      = %q
    application_credential_id     = %q
    application_credential_secret = %q
  }`, base+"/keystone/v3", emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret)
	},
	bad: func(base string) string {
		return fmt.Sprintf(`
  keystone {
    auth_url                      = %q
    application_credential_id     = %q
    application_credential_secret = "a-wrong-keystone-secret"
  }`, base+"/keystone/v3", emulator.KeystoneAppCredID)
	},
	secrets: []string{emulator.KeystoneAppCredSecret, "a-wrong-keystone-secret"},
	echoed: func(base string) string {
		return fmt.Sprintf(`
  keystone {
    auth_url                      = %q
    application_credential_id     = %q
    application_credential_secret = "k&s\"/5"
  }`, base+"/keystone/v3", emulator.KeystoneAppCredID)
	},
	echoedSecret: `k&s"/5`,
	loginRoute:   "keystone.tokens.create",
}, {
	cloud: "abiquo",
	// The two-factor user with an 8-digit code: the one-time codes of the
	// run are among the secrets (see codesAround).
	config: func(base string) string {
		return fmt.Sprintf(`
  abiquo {
    endpoint   = %q
    username   = %q
    password   = %q
    otp_secret = %q
  }`, base+"/abiquo/api", emulator.AbiquoOpsUser, emulator.AbiquoOpsPassword, emulator.AbiquoOpsOTPURL)
	},
	bad: func(base string) string {
		return fmt.Sprintf(`
  abiquo {
    endpoint = %q
    username = %q
    password = "a-wrong-abiquo-password"
    otp      = "12345678"
  }`, base+"/abiquo/api", emulator.AbiquoOpsUser)
	},
	secrets: []string{emulator.AbiquoOpsPassword, "YCOWXZJYY4YYF25D5ZZYWWBPT2Z4OO6Y", "a-wrong-abiquo-password", "12345678"},
	echoed: func(base string) string {
		return fmt.Sprintf(`
  abiquo {
    endpoint = %q
    username = %q
    password = "a&b\"/5"
  }`, base+"/abiquo/api", emulator.AbiquoOpsUser)
	},
	echoedSecret: `a&b"/5`,
	loginRoute:   "abiquo.login",
}, {
	cloud: "clc",
	config: func(base string) string {
		return fmt.Sprintf(`
  clc {
    url      = %q
    username = %q
    password = %q
  }`, base+"/clc", emulator.CLCUser, emulator.CLCPassword)
	},
	bad: func(base string) string {
		return fmt.Sprintf(`
  clc {
    url      = %q
    username = %q
    password = "a-wrong-clc-password"
  }`, base+"/clc", emulator.CLCUser)
	},
	secrets: []string{emulator.CLCPassword, "a-wrong-clc-password"},
	echoed: func(base string) string {
		return fmt.Sprintf(`
  clc {
    url      = %q
    username = %q
    password = "c&l\"/5"
  }`, base+"/clc", emulator.CLCUser)
	},
	echoedSecret: `c&l"/5`,
	loginRoute:   "clc.login",
}, {
	cloud: "cleura",
	config: func(base string) string {
		return fmt.Sprintf(`
  cleura {
    url      = %q
    username = %q
    password = %q
  }`, base+"/cleura", emulator.CleuraUser, emulator.CleuraPassword)
	},
	bad: func(base string) string {
		return fmt.Sprintf(`
  cleura {
    url      = %q
    username = %q
    password = "a-wrong-cleura-password"
  }`, base+"/cleura", emulator.CleuraUser)
	},
	secrets: []string{emulator.CleuraPassword, "a-wrong-cleura-password"},
	echoed: func(base string) string {
		return fmt.Sprintf(`
  cleura {
    url      = %q
    username = %q
    password = "c&u\"/5"
  }`, base+"/cleura", emulator.CleuraUser)
	},
	echoedSecret: `c&u"/5`,
	loginRoute:   "cleura.login",
}}

// secretReads are the data sources and ephemeral tokens read per cloud.
var secretReads = map[string]string{
	"keystone": `
data "cloudauth_keystone_catalog" "keystone" {}
ephemeral "cloudauth_token" "keystone" {
  cloud           = "keystone"
  revoke_on_close = true
}
`,
	"abiquo": `
data "cloudauth_abiquo_datacenters" "abiquo" {}
ephemeral "cloudauth_token" "abiquo" { cloud = "abiquo" }
`,
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

// builtProvider builds the provider binary into dir/bin and writes a
// Terraform CLI configuration that uses it (dev_overrides), for tests
// that run Terraform themselves, as a user would; it returns that
// configuration's path.
func builtProvider(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-cloudauth"), "github.com/cloudauth/terraform-provider-cloudauth")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
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
	return cli
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
	cli := builtProvider(t, dir)
	e := acctest.StartEmulator(t)

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

	start := time.Now()
	good := run("good", func(r secretRun) func(string) string { return r.config }, true)
	bad := run("refused", func(r secretRun) func(string) string { return r.bad }, false)
	for _, r := range secretRuns {
		e.InjectFault(emulator.Fault{Route: r.loginRoute, Kind: "echo", Status: 401, Times: 100})
	}
	echoed := run("echoed", func(r secretRun) func(string) string { return r.echoed }, false)
	e.ClearFaults()
	codes, err := codesAround(emulator.AbiquoOpsOTPURL, start, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	// The log must hold the provider's own debug lines, or this test
	// proves nothing.
	for _, want := range []string{"provider.terraform-provider-cloudauth: HTTP request:", "Authorization:***", "X-Abiquo-Otp:***", "X-Subject-Token:***", "request body", `password\":\"***`} {
		if !strings.Contains(good, want) {
			t.Fatalf("the trace log lacks %q: the provider's logging did not reach it", want)
		}
	}
	if !strings.Contains(bad, "We didn't recognize the username or password") {
		t.Fatalf("the refused run did not show the API's message")
	}
	// The echoing server's message must reach the output, masked, or the
	// echoed run proves nothing.
	if !strings.Contains(echoed, "rejected: body") || !strings.Contains(echoed, "as a form:") || !strings.Contains(echoed, "in base64:") {
		t.Fatalf("the echoed run did not show the server's message")
	}
	for _, r := range secretRuns {
		v := r.echoedSecret
		jsonForm, _ := json.Marshal(v)
		forms := []string{v, url.QueryEscape(v), url.PathEscape(v), strings.ToLower(url.QueryEscape(v)),
			strings.Trim(string(jsonForm), `"`), strings.ReplaceAll(strings.Trim(string(jsonForm), `"`), "/", `\/`)}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(v)))
		}
		for _, form := range forms {
			// As the trace log shows a JSON answer that quotes it.
			quoted, _ := json.Marshal(form)
			forms = append(forms, strings.Trim(string(quoted), `"`))
		}
		for _, form := range forms {
			if i := strings.Index(echoed, form); i >= 0 {
				lo, hi := max(0, i-120), min(len(echoed), i+len(form)+40)
				t.Errorf("%s: the 6-character secret shows as %q: ...%s...", r.cloud, form, echoed[lo:hi])
			}
		}
	}

	var secrets []string
	for _, r := range secretRuns {
		secrets = append(secrets, r.secrets...)
	}
	secrets = append(secrets, codes...)
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

// codesAround returns every one-time code of an otpauth URL valid from a
// step before from to a step after to: the codes a run may have sent.
func codesAround(url string, from, to time.Time) ([]string, error) {
	k, err := totp.ParseURL(url)
	if err != nil {
		return nil, err
	}
	var codes []string
	for c := k.Counter(from) - 1; c <= k.Counter(to)+1; c++ {
		codes = append(codes, k.CodeAt(c))
	}
	return codes, nil
}
