package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRealKeystoneHandoff runs the built cloudauth and the real openstack
// CLI (Debian's python3-openstackclient) against a real Keystone started
// by `scripts/keystone-up.sh --totp DIR` (then `set -a; . DIR/env; set
// +a`), through the five logins of issue 21: each in a shell holding the
// user's own settings, `eval "$(cloudauth token keystone --format env)"`,
// then openstack commands that need the token's scope and catalog.
// Skipped unless the KS_* variables are set; `make testacc-keystone` sets
// them and installs the CLI.
func TestRealKeystoneHandoff(t *testing.T) {
	ks := map[string]string{}
	for _, k := range []string{"KS_AUTH_URL", "KS_USER", "KS_USER_ID", "KS_PASSWORD", "KS_USER_DOMAIN_NAME", "KS_PROJECT", "KS_PROJECT_ID",
		"KS_PROJECT_DOMAIN_NAME", "KS_DOMAIN_ID", "KS_REGION", "KS_SERVICES", "KS_APPCRED_ID", "KS_APPCRED_SECRET"} {
		if ks[k] = os.Getenv(k); ks[k] == "" {
			t.Skipf("%s is not set: start a real Keystone with scripts/keystone-up.sh --totp DIR and source DIR/env", k)
		}
	}
	openstack, err := exec.LookPath("openstack")
	if err != nil {
		t.Fatalf("the openstack CLI is not on PATH (%v): install Debian's python3-openstackclient, as scripts/keystone-up.sh does", err)
	}
	cloudauth := buildCloudauth(t)

	user := func(scope ...string) map[string]string {
		env := map[string]string{"OS_AUTH_URL": ks["KS_AUTH_URL"], "OS_USERNAME": ks["KS_USER"], "OS_PASSWORD": ks["KS_PASSWORD"],
			"OS_USER_DOMAIN_NAME": ks["KS_USER_DOMAIN_NAME"], "OS_IDENTITY_API_VERSION": "3", "OS_REGION_NAME": ks["KS_REGION"]}
		for i := 0; i+1 < len(scope); i += 2 {
			env[scope[i]] = scope[i+1]
		}
		return env
	}
	// Each case's scope-specific command and what its answer must hold.
	projectShow := []string{"project", "show", ks["KS_PROJECT_ID"], "-f", "json"}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		files map[string]string
		// token is what `openstack token issue` must say of the scope.
		token map[string]string
		// cmd needs the scope; its JSON answer must contain want.
		cmd  []string
		want string
		// note is a part of cloudauth's note on stderr ("" for none);
		// secret must not be in its output unless printable.
		note      string
		secret    string
		printable bool
	}{
		{
			name: "application credential in OS_*",
			env: map[string]string{"OS_AUTH_URL": ks["KS_AUTH_URL"], "OS_AUTH_TYPE": "v3applicationcredential",
				"OS_APPLICATION_CREDENTIAL_ID": ks["KS_APPCRED_ID"], "OS_APPLICATION_CREDENTIAL_SECRET": ks["KS_APPCRED_SECRET"],
				"OS_IDENTITY_API_VERSION": "3", "OS_REGION_NAME": ks["KS_REGION"]},
			token: map[string]string{"project_id": ks["KS_PROJECT_ID"], "user_id": ks["KS_USER_ID"]},
			cmd:   projectShow, want: `"name": "` + ks["KS_PROJECT"] + `"`,
			note: "log in with the application credential itself", secret: ks["KS_APPCRED_SECRET"], printable: true,
		},
		{
			name:  "password and project, in the same shell",
			env:   user("OS_PROJECT_NAME", ks["KS_PROJECT"], "OS_PROJECT_DOMAIN_NAME", ks["KS_PROJECT_DOMAIN_NAME"]),
			token: map[string]string{"project_id": ks["KS_PROJECT_ID"], "user_id": ks["KS_USER_ID"]},
			cmd:   projectShow, want: `"name": "` + ks["KS_PROJECT"] + `"`,
			secret: ks["KS_PASSWORD"],
		},
		{
			name:  "password and domain scope",
			env:   user("OS_DOMAIN_ID", ks["KS_DOMAIN_ID"]),
			token: map[string]string{"domain_id": ks["KS_DOMAIN_ID"], "user_id": ks["KS_USER_ID"]},
			// Listing the domain's users needs a role on the domain.
			cmd: []string{"user", "list", "--domain", ks["KS_DOMAIN_ID"], "-f", "json"}, want: `"Name": "` + ks["KS_USER"] + `"`,
			secret: ks["KS_PASSWORD"],
		},
		{
			name:  "password and system scope",
			env:   user("OS_SYSTEM_SCOPE", "all"),
			token: map[string]string{"system": "all", "user_id": ks["KS_USER_ID"]},
			// Listing every domain needs the system scope.
			cmd: []string{"domain", "list", "-f", "json"}, want: `"Name": "Default"`,
			secret: ks["KS_PASSWORD"],
		},
		{
			name: "OS_CLOUD entry with its secret in secure.yaml, left set",
			env:  map[string]string{"OS_CLOUD": "ci"},
			files: map[string]string{
				"clouds.yaml": "clouds:\n  ci:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: " + ks["KS_AUTH_URL"] + "\n" +
					"      application_credential_id: " + ks["KS_APPCRED_ID"] + "\n    region_name: " + ks["KS_REGION"] + "\n    identity_api_version: 3\n",
				"secure.yaml": "clouds:\n  ci:\n    auth:\n      application_credential_secret: " + ks["KS_APPCRED_SECRET"] + "\n",
			},
			token: map[string]string{"project_id": ks["KS_PROJECT_ID"], "user_id": ks["KS_USER_ID"]},
			cmd:   projectShow, want: `"name": "` + ks["KS_PROJECT"] + `"`,
			note: `clouds.yaml entry "ci" (OS_CLOUD)`, secret: ks["KS_APPCRED_SECRET"],
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			for name, content := range tc.files {
				writePrivate(t, filepath.Join(home, ".config", "openstack", name), content)
			}
			base := []string{"PATH=" + filepath.Dir(openstack) + ":/usr/bin:/bin", "HOME=" + home, "LANG=C.UTF-8"}
			for k, v := range tc.env {
				base = append(base, k+"="+v)
			}

			cmd := exec.Command(cloudauth, "token", "keystone", "--format", "env")
			cmd.Env = base
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("cloudauth token keystone --format env: %v\n%s", err, stderr.String())
			}
			checkEnvOutput(t, string(out), stderr.String(), handoffCase{note: tc.note, secret: tc.secret, printable: tc.printable})
			t.Logf("cloudauth printed:\n%s%s", tokenMasked.ReplaceAllString(strings.ReplaceAll(string(out), tc.secret, "***"), "$1***'"), stderr.String())

			// openstack runs `openstack ARGS` in the user's shell after
			// the eval, as a person would type it.
			run := func(args ...string) string {
				t.Helper()
				sh := exec.Command("bash", append([]string{"-c", `eval "$1" && shift && exec openstack "$@"`, "bash", string(out)}, args...)...)
				sh.Env = base
				var serr strings.Builder
				sh.Stderr = &serr
				b, err := sh.Output()
				if err != nil {
					t.Fatalf("openstack %s: %v\n%s%s", strings.Join(args, " "), err, b, serr.String())
				}
				return string(b)
			}

			var issued map[string]string
			if err := json.Unmarshal([]byte(run("token", "issue", "-f", "json")), &issued); err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.token {
				if issued[k] != v {
					t.Errorf("openstack token issue: %s = %q, want %q (%v)", k, issued[k], v, keysOf(issued))
				}
			}
			for _, k := range []string{"project_id", "domain_id", "system"} {
				if _, want := tc.token[k]; !want && issued[k] != "" {
					t.Errorf("openstack token issue: %s = %q, want none", k, issued[k])
				}
			}

			var catalog []struct{ Type string }
			if err := json.Unmarshal([]byte(run("catalog", "list", "-f", "json")), &catalog); err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, s := range catalog {
				types = append(types, s.Type)
			}
			for _, want := range strings.Split(ks["KS_SERVICES"], ",") {
				if !slices.Contains(types, want) {
					t.Errorf("openstack catalog list: %v, without %s", types, want)
				}
			}

			if got := run(tc.cmd...); !strings.Contains(got, tc.want) {
				t.Errorf("openstack %s: no %s in\n%s", strings.Join(tc.cmd, " "), tc.want, got)
			}
		})
	}

	// Why an application credential's token is not handed over: the CLI
	// re-issues the token it is given, and Keystone refuses that for a
	// delegated token.
	t.Run("an application credential's token cannot be re-issued", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(cloudauth, "token", "keystone", "--format", "token")
		cmd.Env = []string{"HOME=" + t.TempDir(), "OS_AUTH_URL=" + ks["KS_AUTH_URL"], "OS_APPLICATION_CREDENTIAL_ID=" + ks["KS_APPCRED_ID"],
			"OS_APPLICATION_CREDENTIAL_SECRET=" + ks["KS_APPCRED_SECRET"]}
		token, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		sh := exec.Command(openstack, "token", "issue")
		sh.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "OS_AUTH_TYPE=v3token", "OS_AUTH_URL=" + ks["KS_AUTH_URL"],
			"OS_TOKEN=" + strings.TrimSpace(string(token)), "OS_PROJECT_ID=" + ks["KS_PROJECT_ID"]}
		b, err := sh.CombinedOutput()
		if err == nil || !strings.Contains(string(b), "Using a delegated token to create another token is not allowed") || !strings.Contains(string(b), "403") {
			t.Errorf("openstack token issue with an application credential's token: %v\n%s", err, b)
		}
	})
}

// tokenMasked finds the token in --format env output, to log the rest.
var tokenMasked = regexp.MustCompile(`(OS_TOKEN=')[^']*'`)

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// buildCloudauth builds this command into a temporary directory: the test
// runs the binary a user runs, not the test binary.
func buildCloudauth(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cloudauth")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
