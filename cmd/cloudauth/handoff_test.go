package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v2"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// The five logins of issue 21 (and a mix of two), each in a shell that holds what the user
// set: `eval "$(cloudauth token keystone --format env)"`, then what the
// openstack CLI does with the result (openstackLogin, a model of
// keystoneauth as measured against the real CLI: TestRealKeystoneHandoff
// runs the CLI itself).

// handoffCase is one login as a user sets it up.
type handoffCase struct {
	name string
	// env is the user's shell; files go to $XDG_CONFIG_HOME/openstack.
	env   func(w *tokenWorld) map[string]string
	files map[string]string
	// unset are variables of the user's that must be gone after eval.
	unset []string
	// scope and id are what the CLI's token must be scoped to.
	scope, id string
	// note is a part of the note on standard error; "" for no note.
	note string
	// secret is the secret the user gave, and printable whether
	// --format env may print it back (it came in that very variable).
	secret    string
	printable bool
}

func keystoneUserEnv(w *tokenWorld, scope map[string]string) map[string]string {
	env := map[string]string{"OS_AUTH_URL": w.base + "/keystone", "OS_USERNAME": emulator.KeystoneUser, "OS_PASSWORD": emulator.KeystonePassword,
		"OS_USER_DOMAIN_NAME": emulator.KeystoneDomainName, "OS_IDENTITY_API_VERSION": "3"}
	for k, v := range scope {
		env[k] = v
	}
	return env
}

var userVars = []string{"OS_USERNAME", "OS_PASSWORD", "OS_USER_DOMAIN_NAME"}

var handoffCases = []handoffCase{
	{
		name: "application credential in OS_*",
		env: func(w *tokenWorld) map[string]string {
			return map[string]string{"OS_AUTH_URL": w.base + "/keystone/v3", "OS_AUTH_TYPE": "v3applicationcredential",
				"OS_APPLICATION_CREDENTIAL_ID": emulator.KeystoneAppCredID, "OS_APPLICATION_CREDENTIAL_SECRET": emulator.KeystoneAppCredSecret,
				"OS_REGION_NAME": emulator.KeystoneRegion}
		},
		scope: "project", id: emulator.KeystoneProjectID,
		note:   "log in with the application credential itself",
		secret: emulator.KeystoneAppCredSecret, printable: true,
	},
	{
		name: "password and project",
		env: func(w *tokenWorld) map[string]string {
			return keystoneUserEnv(w, map[string]string{"OS_PROJECT_NAME": emulator.KeystoneProject, "OS_PROJECT_DOMAIN_NAME": emulator.KeystoneDomainName})
		},
		unset: append([]string{"OS_PROJECT_NAME", "OS_PROJECT_DOMAIN_NAME"}, userVars...),
		scope: "project", id: emulator.KeystoneProjectID, secret: emulator.KeystonePassword,
	},
	{
		name: "password and domain scope",
		env: func(w *tokenWorld) map[string]string {
			return keystoneUserEnv(w, map[string]string{"OS_DOMAIN_NAME": emulator.KeystoneDomainName})
		},
		unset: append([]string{"OS_DOMAIN_NAME"}, userVars...),
		scope: "domain", id: emulator.KeystoneDomainID, secret: emulator.KeystonePassword,
	},
	{
		name: "password and system scope",
		env: func(w *tokenWorld) map[string]string {
			return keystoneUserEnv(w, map[string]string{"OS_SYSTEM_SCOPE": "all"})
		},
		unset: userVars,
		scope: "system", id: "all", secret: emulator.KeystonePassword,
	},
	{
		name: "OS_CLOUD entry with its secret in secure.yaml",
		// OS_AUTH_TYPE is what the hand-off of an earlier cloudauth left.
		env: func(w *tokenWorld) map[string]string {
			return map[string]string{"OS_CLOUD": "ci", "OS_AUTH_TYPE": "v3token"}
		},
		files: map[string]string{
			"clouds.yaml": "clouds:\n  ci:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: {base}/keystone\n" +
				"      application_credential_id: " + emulator.KeystoneAppCredID + "\n    region_name: " + emulator.KeystoneRegion + "\n",
			"secure.yaml": "clouds:\n  ci:\n    auth:\n      application_credential_secret: " + emulator.KeystoneAppCredSecret + "\n",
		},
		scope: "project", id: emulator.KeystoneProjectID,
		note:   `clouds.yaml entry "ci" (OS_CLOUD)`,
		secret: emulator.KeystoneAppCredSecret,
	},
	{
		// Not one of the five: the credential's id in OS_*, its secret in
		// secure.yaml. The secret is not printed; the CLI is pointed at
		// the entry and lays the variable over it, as cloudauth did.
		name: "OS_CLOUD entry with the credential's id in OS_*",
		env: func(w *tokenWorld) map[string]string {
			return map[string]string{"OS_CLOUD": "ci", "OS_APPLICATION_CREDENTIAL_ID": emulator.KeystoneAppCredID}
		},
		files: map[string]string{
			"clouds.yaml": "clouds:\n  ci:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: {base}/keystone\n" +
				"      application_credential_id: not-this-one\n",
			"secure.yaml": "clouds:\n  ci:\n    auth:\n      application_credential_secret: " + emulator.KeystoneAppCredSecret + "\n",
		},
		scope: "project", id: emulator.KeystoneProjectID,
		note:   `clouds.yaml entry "ci" (OS_CLOUD)`,
		secret: emulator.KeystoneAppCredSecret,
	},
}

func TestTokenEnvHandoff(t *testing.T) {
	t.Parallel()
	for _, tc := range handoffCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newTokenWorld(t)
			env := tc.env(w)
			for name, content := range tc.files {
				writePrivate(t, filepath.Join(w.dir, "openstack", name), strings.ReplaceAll(content, "{base}", w.base))
			}
			code, out, errb := w.run(env, "token", "keystone", "--format", "env")
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, errb)
			}
			checkEnvOutput(t, out, errb, tc)

			after := evalIn(t, env, w.dir, out)
			for _, name := range tc.unset {
				if v, ok := after[name]; ok {
					t.Errorf("%s=%q is still set after eval", name, v)
				}
			}
			tok, err := openstackLogin(after)
			if err != nil {
				t.Fatalf("the openstack CLI (its model) with the variables: %v\n%s", err, out)
			}
			if tok.Scope() != tc.scope || scopeOf(tok) != tc.id || len(tok.Catalog) == 0 {
				t.Errorf("the CLI's token: %s scope %q with %d services, want %s %q with a catalog", tok.Scope(), scopeOf(tok), len(tok.Catalog), tc.scope, tc.id)
			}

			// The output, evaluated once more in the shell it made,
			// changes nothing: cloudauth reads its own hand-off back.
			code, out2, errb2 := w.run(after, "token", "keystone", "--format", "env")
			if code != 0 {
				t.Fatalf("a second run in the same shell: exit %d\n%s", code, errb2)
			}
			again := evalIn(t, after, w.dir, out2)
			if tok2, err := openstackLogin(again); err != nil || tok2.Scope() != tc.scope || scopeOf(tok2) != tc.id {
				t.Errorf("after a second eval the CLI gets %v (%v)", tok2, err)
			}
		})
	}
}

// checkEnvOutput checks the lines --format env printed: an unset line,
// then export lines; the note on standard error; and that no secret is
// printed that the user did not give in the same variable.
func checkEnvOutput(t *testing.T, out, errb string, tc handoffCase) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "unset -v OS_") {
		t.Errorf("the first line is not an unset line: %q", lines[0])
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "export OS_") {
			t.Errorf("not an export line: %q", l)
		}
	}
	if (tc.note == "") != (errb == "") || !strings.Contains(errb, tc.note) {
		t.Errorf("stderr %q, want a note with %q", errb, tc.note)
	}
	if tc.note != "" && !strings.HasPrefix(errb, "note: ") {
		t.Errorf("the note does not say it is one: %q", errb)
	}
	if strings.Contains(errb, tc.secret) {
		t.Errorf("stderr shows the secret")
	}
	want := 0
	if tc.printable {
		// Only in the variable it came in.
		want = 1
		if !strings.Contains(out, "export OS_APPLICATION_CREDENTIAL_SECRET='"+tc.secret+"'\n") {
			t.Errorf("the secret is not passed back in its own variable:\n%s", out)
		}
	}
	if n := strings.Count(out, tc.secret); n != want {
		t.Errorf("the output holds the secret %d times, want %d", n, want)
	}
}

// evalIn runs `eval "$out"` in a POSIX shell holding env (the user's
// shell) and returns its environment afterwards.
func evalIn(t *testing.T, env map[string]string, home, out string) map[string]string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell to evaluate --format env:", err)
	}
	cmd := exec.Command(sh, "-c", `eval "$1" && env -0`, "sh", out)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "XDG_CONFIG_HOME=" + home, "HOME=" + home}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	after := map[string]string{}
	for _, kv := range strings.Split(string(b), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "OS_") {
			after[k] = v
		}
	}
	return after
}

func writePrivate(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func scopeOf(t *keystone.Token) string {
	switch {
	case t.Project != nil:
		return t.Project.ID
	case t.Domain != nil:
		return t.Domain.ID
	case t.System != nil && t.System.All:
		return "all"
	}
	return ""
}

// openstackLogin does what the openstack CLI (keystoneauth, in Debian's
// python3-openstackclient 6.0) does with OS_* variables, as far as these
// tests need: with OS_CLOUD it starts from the clouds.yaml entry
// (OS_CLIENT_CONFIG_FILE, and secure.yaml from OS_CLIENT_SECURE_FILE) and
// lays the variables over it; OS_AUTH_TYPE picks the plugin, which fails
// on an option it does not take (measured: "BaseAuth.__init__() got an
// unexpected keyword argument ..."); v3token re-issues OS_TOKEN with the
// scope asked for, v3applicationcredential logs in with the credential
// (and any scope next to it makes Keystone refuse the login).
func openstackLogin(env map[string]string) (*keystone.Token, error) {
	opts := map[string]string{}
	authType := ""
	if name := env["OS_CLOUD"]; name != "" {
		if env["OS_CLIENT_CONFIG_FILE"] == "" {
			return nil, fmt.Errorf("OS_CLOUD=%s: this model reads only OS_CLIENT_CONFIG_FILE (and OS_CLIENT_SECURE_FILE)", name)
		}
		// secure.yaml last: its values win.
		for _, f := range []string{env["OS_CLIENT_CONFIG_FILE"], env["OS_CLIENT_SECURE_FILE"]} {
			if f == "" {
				continue
			}
			var c struct {
				Clouds map[string]struct {
					AuthType string            `yaml:"auth_type"`
					Auth     map[string]string `yaml:"auth"`
				} `yaml:"clouds"`
			}
			b, err := os.ReadFile(f)
			if err == nil {
				err = yaml.Unmarshal(b, &c)
			}
			if err != nil {
				return nil, err
			}
			entry, ok := c.Clouds[name]
			if !ok {
				continue
			}
			if entry.AuthType != "" {
				authType = entry.AuthType
			}
			for k, v := range entry.Auth {
				opts[k] = v
			}
		}
	}
	for k, v := range env {
		if opt, ok := strings.CutPrefix(k, "OS_"); ok && v != "" {
			opts[strings.ToLower(opt)] = v
		}
	}
	if t := env["OS_AUTH_TYPE"]; t != "" {
		authType = t
	}
	// What the CLI takes from the environment besides plugin options.
	for _, k := range []string{"cloud", "auth_type", "region_name", "interface", "identity_api_version", "client_config_file", "client_secure_file"} {
		delete(opts, k)
	}
	// OS_AUTH_TOKEN is not one of keystoneauth's names.
	delete(opts, "auth_token")
	scopeOpts := []string{"project_id", "project_name", "project_domain_id", "project_domain_name", "domain_id", "domain_name", "system_scope", "tenant_id", "tenant_name"}
	var takes []string
	switch authType {
	case "v3token":
		takes = append([]string{"auth_url", "token"}, scopeOpts...)
	case "v3applicationcredential":
		takes = append([]string{"auth_url", "application_credential_id", "application_credential_name", "application_credential_secret",
			"user_id", "username", "user_domain_id", "user_domain_name", "password"}, scopeOpts...)
	default:
		return nil, fmt.Errorf("auth type %q: the model knows v3token and v3applicationcredential", authType)
	}
	for k := range opts {
		if !slices.Contains(takes, k) {
			return nil, fmt.Errorf("BaseAuth.__init__() got an unexpected keyword argument '%s'", k)
		}
	}
	scopes := 0
	for _, k := range []string{"project_id", "domain_id", "system_scope"} {
		if opts[k] != "" {
			scopes++
		}
	}
	for _, k := range []string{"project_name", "tenant_name", "tenant_id", "domain_name"} {
		if opts[k] != "" {
			return nil, fmt.Errorf("%s: the hand-off scopes by id", k)
		}
	}
	if scopes > 1 {
		return nil, errors.New("two scopes at once")
	}
	auth := map[string]any{}
	switch authType {
	case "v3token":
		auth["identity"] = map[string]any{"methods": []string{"token"}, "token": map[string]string{"id": opts["token"]}}
	case "v3applicationcredential":
		ac := map[string]any{"secret": opts["application_credential_secret"]}
		if id := opts["application_credential_id"]; id != "" {
			ac["id"] = id
		} else {
			ac["name"] = opts["application_credential_name"]
			ac["user"] = map[string]any{"name": opts["username"], "domain": map[string]string{"name": opts["user_domain_name"]}}
		}
		auth["identity"] = map[string]any{"methods": []string{"application_credential"}, "application_credential": ac}
	}
	switch {
	case opts["project_id"] != "":
		auth["scope"] = map[string]any{"project": map[string]string{"id": opts["project_id"]}}
	case opts["domain_id"] != "":
		auth["scope"] = map[string]any{"domain": map[string]string{"id": opts["domain_id"]}}
	case opts["system_scope"] != "":
		auth["scope"] = map[string]any{"system": map[string]bool{opts["system_scope"]: true}}
	}
	body, err := json.Marshal(map[string]any{"auth": auth})
	if err != nil {
		return nil, err
	}
	// The CLI finds v3 by version discovery; the model knows it.
	authURL := strings.TrimSuffix(opts["auth_url"], "/")
	if !strings.HasSuffix(authURL, "/v3") {
		authURL += "/v3"
	}
	resp, err := http.Post(authURL+"/auth/tokens", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("HTTP %d %s", resp.StatusCode, b)
	}
	return keystone.DecodeToken(b)
}

// An application credential's hand-off passes its secret back, but the
// credentials file that caches the token does not keep it: a second run
// prints the same, with the secret taken from the environment again.
func TestTokenEnvHandoffCacheKeepsNoSecret(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	env := handoffCases[0].env(w)
	_, first, _ := w.run(env, "token", "keystone", "--format", "env")
	w.e.ResetCounters()
	code, second, errb := w.run(env, "token", "keystone", "--format", "env")
	if code != 0 || second != first || w.e.Logins("keystone") != 0 {
		t.Errorf("second run: exit %d, %d logins, same output %v\n%s", code, w.e.Logins("keystone"), second == first, errb)
	}
	if !strings.Contains(errb, "note: ") {
		t.Errorf("the cached hand-off lost its note: %q", errb)
	}
	file, err := os.ReadFile(filepath.Join(w.dir, "cloudauth", "credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(file), `"secret": true`) || strings.Contains(string(file), emulator.KeystoneAppCredSecret) {
		t.Errorf("the credentials file:\n%s", file)
	}
}
