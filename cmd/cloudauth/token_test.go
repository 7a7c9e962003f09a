package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// tokenWorld is an emulator and a private config directory: what one run
// of `cloudauth token` sees.
type tokenWorld struct {
	e    *emulator.Emulator
	base string
	dir  string
}

func newTokenWorld(t *testing.T) *tokenWorld {
	t.Helper()
	e := emulator.New()
	srv := httptest.NewServer(e) // 127.0.0.1
	t.Cleanup(srv.Close)
	return &tokenWorld{e: e, base: srv.URL, dir: t.TempDir()}
}

// run runs cloudauth with env (and the private config directory) and
// returns the exit code, stdout and stderr.
func (w *tokenWorld) run(env map[string]string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, now: time.Now, getenv: func(k string) string {
		switch k {
		case "XDG_CONFIG_HOME", "HOME":
			return w.dir
		}
		return env[k]
	}, environ: func() []string {
		list := []string{"XDG_CONFIG_HOME=" + w.dir, "HOME=" + w.dir}
		for k, v := range env {
			list = append(list, k+"="+v)
		}
		return list
	}}
	code := a.run(args)
	return code, out.String(), errb.String()
}

// token runs `cloudauth token` and fails the test unless it succeeds with
// a clean stderr (or one with warnings only, when warn).
func (w *tokenWorld) token(t *testing.T, env map[string]string, warn bool, args ...string) string {
	t.Helper()
	code, out, errb := w.run(env, append([]string{"token"}, args...)...)
	if code != 0 {
		t.Fatalf("cloudauth token %v: exit %d\nstderr:\n%s", args, code, errb)
	}
	if !warn && errb != "" {
		t.Errorf("stderr is not empty:\n%s", errb)
	}
	return out
}

// store writes a credentials file entry, as `cloudauth login` would.
func (w *tokenWorld) store(t *testing.T, e credstore.Entry) {
	t.Helper()
	p, err := credstore.DefaultPath(func(k string) string {
		if k == "XDG_CONFIG_HOME" || k == "HOME" {
			return w.dir
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := credstore.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	e.StoredAt = time.Now()
	f.Put(e)
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
}

// credJSON is what --format json prints.
type credJSON struct {
	Token     string            `json:"token"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt *string           `json:"expires_at"`
	Endpoint  string            `json:"endpoint"`
	Principal *string           `json:"principal"`
}

func decodeCred(t *testing.T, out string) credJSON {
	t.Helper()
	var c credJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("--format json: %v\n%s", err, out)
	}
	// Every key is there, null or not.
	var keys map[string]any
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"token", "headers", "expires_at", "endpoint", "principal"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("--format json lacks %q:\n%s", k, out)
		}
	}
	return c
}

// tokenUse is how a script uses one cloud's token: an authenticated GET
// that the emulator answers 200 only for a valid token.
type tokenUse struct {
	// get asks the API at endpoint with the headers; it returns the
	// status and body.
	get func(t *testing.T, endpoint string, h http.Header) (int, []byte)
	// fromEnv is what a script does with the --format env variables:
	// the endpoint and the headers it sends.
	fromEnv func(env map[string]string) (string, http.Header)
	// endpoint is the credential's endpoint below the emulator's URL.
	endpoint string
}

func httpGet(t *testing.T, url string, h http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

var tokenUses = map[string]tokenUse{
	"keystone": {
		endpoint: "/keystone/v3",
		get: func(t *testing.T, endpoint string, h http.Header) (int, []byte) {
			h = h.Clone()
			h.Set("X-Subject-Token", h.Get("X-Auth-Token"))
			return httpGet(t, endpoint+"/auth/tokens", h)
		},
		fromEnv: func(env map[string]string) (string, http.Header) {
			return env["OS_AUTH_URL"], http.Header{"X-Auth-Token": {env["OS_TOKEN"]}}
		},
	},
	"cleura": {
		endpoint: "/cleura",
		get: func(t *testing.T, endpoint string, h http.Header) (int, []byte) {
			return httpGet(t, endpoint+"/accesscontrol/v1/openstack/domains", h)
		},
		fromEnv: func(env map[string]string) (string, http.Header) {
			return env["CLEURA_API_URL"], http.Header{"X-Auth-Login": {env["CLEURA_API_USERNAME"]}, "X-Auth-Token": {env["CLEURA_API_TOKEN"]}}
		},
	},
	"abiquo": {
		endpoint: "/abiquo/api",
		get: func(t *testing.T, endpoint string, h http.Header) (int, []byte) {
			h = h.Clone()
			h.Set("Accept", "application/vnd.abiquo.user+json")
			return httpGet(t, endpoint+"/login", h)
		},
		fromEnv: func(env map[string]string) (string, http.Header) {
			return env["ABQ_ENDPOINT"], http.Header{"Authorization": {"Token " + env["ABQ_TOKEN"]}}
		},
	},
	"clc": {
		endpoint: "/clc",
		get: func(t *testing.T, endpoint string, h http.Header) (int, []byte) {
			return httpGet(t, endpoint+"/v2/datacenters/"+emulator.CLCAccount, h)
		},
		fromEnv: func(env map[string]string) (string, http.Header) {
			return env["CLC_API_URL"], http.Header{"Authorization": {"Bearer " + env["CLC_BEARER_TOKEN"]}}
		},
	},
}

// tokenCase configures one cloud for `cloudauth token`.
type tokenCase struct {
	name, cloud string
	// setup returns the environment; it may log in and store a token.
	setup func(t *testing.T, w *tokenWorld) map[string]string
	// warn: the configuration draws a warning (on stderr).
	warn bool
	// logins is how many logins the command makes: one with a password,
	// none with a stored token.
	logins    int
	principal string
	expires   bool
	// env is the names --format env exports, in order.
	env []string
	// handoff: --format env hands over a login rather than the token
	// (Keystone's application credential), with a note on stderr.
	handoff bool
	// check looks at the API's answer to the authenticated GET.
	check func(t *testing.T, body []byte, env map[string]string)
}

func keystonePasswordEnv(w *tokenWorld) map[string]string {
	return map[string]string{
		"OS_AUTH_URL": w.base + "/keystone", "OS_USERNAME": emulator.KeystoneUser, "OS_PASSWORD": emulator.KeystonePassword,
		"OS_USER_DOMAIN_NAME": emulator.KeystoneDomainName, "OS_PROJECT_NAME": emulator.KeystoneProject,
		"OS_PROJECT_DOMAIN_NAME": emulator.KeystoneDomainName, "OS_REGION_NAME": emulator.KeystoneRegion,
	}
}

func cleuraPasswordEnv(w *tokenWorld) map[string]string {
	return map[string]string{"CLEURA_API_URL": w.base + "/cleura", "CLEURA_API_USERNAME": emulator.CleuraUser, "CLEURA_API_PASSWORD": emulator.CleuraPassword}
}

func abiquoPasswordEnv(w *tokenWorld) map[string]string {
	return map[string]string{"ABQ_ENDPOINT": w.base + "/abiquo/api", "ABQ_USERNAME": emulator.AbiquoAdmin, "ABQ_PASSWORD": emulator.AbiquoAdminPassword}
}

func clcPasswordEnv(w *tokenWorld) map[string]string {
	return map[string]string{"CLC_API_URL": w.base + "/clc", "CLC_USERNAME": emulator.CLCUser, "CLC_PASSWORD": emulator.CLCPassword}
}

// loginAndStore gets a token with the password environment and stores it
// in the credentials file, as `cloudauth login` does for a person; the
// counters start again after it.
func loginAndStore(t *testing.T, w *tokenWorld, cloud string, env map[string]string, login string) string {
	t.Helper()
	c := decodeCred(t, w.token(t, env, false, cloud))
	w.store(t, credstore.Entry{Cloud: cloud, URL: c.Endpoint, Login: login, Token: c.Token})
	w.e.ResetCounters()
	return c.Token
}

// keystoneProject checks that the token is scoped to the demo project
// and that --format env names that project.
func keystoneProject(t *testing.T, body []byte, env map[string]string) {
	t.Helper()
	var v struct {
		Token struct {
			Project *struct{ ID string } `json:"project"`
		} `json:"token"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Token.Project == nil {
		t.Fatalf("token answer without a project (%v):\n%s", err, body)
	}
	if v.Token.Project.ID != emulator.KeystoneProjectID {
		t.Errorf("token project = %q, want %q", v.Token.Project.ID, emulator.KeystoneProjectID)
	}
	if env != nil && env["OS_PROJECT_ID"] != v.Token.Project.ID {
		t.Errorf("OS_PROJECT_ID = %q, the token's project is %q", env["OS_PROJECT_ID"], v.Token.Project.ID)
	}
}

// nickIs checks the user of an Abiquo token.
func nickIs(nick string) func(t *testing.T, body []byte, env map[string]string) {
	return func(t *testing.T, body []byte, env map[string]string) {
		t.Helper()
		var u struct{ Nick string }
		if err := json.Unmarshal(body, &u); err != nil || u.Nick != nick {
			t.Errorf("GET /login: nick %q (%v), want %q", u.Nick, err, nick)
		}
		if env != nil && env["ABQ_USERNAME"] != nick {
			t.Errorf("ABQ_USERNAME = %q, want %q", env["ABQ_USERNAME"], nick)
		}
	}
}

var tokenCases = []tokenCase{
	{
		name: "keystone password from env", cloud: "keystone", logins: 1, principal: emulator.KeystoneUser, expires: true,
		setup: func(t *testing.T, w *tokenWorld) map[string]string { return keystonePasswordEnv(w) },
		env:   []string{"OS_AUTH_TYPE", "OS_AUTH_URL", "OS_TOKEN", "OS_PROJECT_ID", "OS_REGION_NAME"},
		check: keystoneProject,
	},
	{
		// The project name is ignored next to an application credential,
		// with a warning.
		name: "keystone application credential from env", cloud: "keystone", logins: 1, principal: emulator.KeystoneUser, expires: true, warn: true,
		setup: func(t *testing.T, w *tokenWorld) map[string]string {
			return map[string]string{"OS_AUTH_URL": w.base + "/keystone/v3", "OS_APPLICATION_CREDENTIAL_ID": emulator.KeystoneAppCredID,
				"OS_APPLICATION_CREDENTIAL_SECRET": emulator.KeystoneAppCredSecret, "OS_PROJECT_NAME": emulator.KeystoneProject}
		},
		env:     []string{"OS_AUTH_TYPE", "OS_AUTH_URL", "OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_SECRET"},
		handoff: true,
		check:   keystoneProject,
	},
	{
		name: "keystone clouds.yaml via OS_CLOUD", cloud: "keystone", logins: 1, principal: emulator.KeystoneUser, expires: true,
		setup: func(t *testing.T, w *tokenWorld) map[string]string {
			yaml := fmt.Sprintf(`clouds:
  emu:
    auth_type: v3applicationcredential
    auth:
      auth_url: %s/keystone
      application_credential_id: %s
      application_credential_secret: %s
    region_name: %s
    interface: public
`, w.base, emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret, emulator.KeystoneOtherRegion)
			dir := filepath.Join(w.dir, "openstack")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "clouds.yaml"), []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"OS_CLOUD": "emu"}
		},
		env:     []string{"OS_AUTH_TYPE", "OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "OS_REGION_NAME", "OS_INTERFACE"},
		handoff: true,
		check:   keystoneProject,
	},
	{
		name: "cleura password from env", cloud: "cleura", logins: 1, principal: emulator.CleuraUser,
		setup: func(t *testing.T, w *tokenWorld) map[string]string { return cleuraPasswordEnv(w) },
		env:   []string{"CLEURA_API_URL", "CLEURA_API_USERNAME", "CLEURA_API_TOKEN"},
	},
	{
		name: "cleura token from the credentials file", cloud: "cleura", logins: 0, principal: emulator.CleuraUser,
		setup: func(t *testing.T, w *tokenWorld) map[string]string {
			loginAndStore(t, w, "cleura", cleuraPasswordEnv(w), emulator.CleuraUser)
			return map[string]string{"CLEURA_API_URL": w.base + "/cleura"}
		},
		env: []string{"CLEURA_API_URL", "CLEURA_API_USERNAME", "CLEURA_API_TOKEN"},
	},
	{
		name: "abiquo password from env", cloud: "abiquo", logins: 1, principal: emulator.AbiquoAdmin,
		setup: func(t *testing.T, w *tokenWorld) map[string]string { return abiquoPasswordEnv(w) },
		env:   []string{"ABQ_ENDPOINT", "ABQ_USERNAME", "ABQ_TOKEN"},
		check: nickIs(emulator.AbiquoAdmin),
	},
	{
		name: "abiquo token from the credentials file", cloud: "abiquo", logins: 0, principal: emulator.AbiquoAdmin,
		setup: func(t *testing.T, w *tokenWorld) map[string]string {
			loginAndStore(t, w, "abiquo", abiquoPasswordEnv(w), emulator.AbiquoAdmin)
			return map[string]string{"ABQ_ENDPOINT": w.base + "/abiquo/api"}
		},
		env:   []string{"ABQ_ENDPOINT", "ABQ_USERNAME", "ABQ_TOKEN"},
		check: nickIs(emulator.AbiquoAdmin),
	},
	{
		name: "clc password from env", cloud: "clc", logins: 1, principal: emulator.CLCUser, expires: true,
		setup: func(t *testing.T, w *tokenWorld) map[string]string { return clcPasswordEnv(w) },
		env:   []string{"CLC_API_URL", "CLC_BEARER_TOKEN", "CLC_ACCOUNT"},
		check: clcAccountIs(emulator.CLCAccount),
	},
	{
		// What an earlier `eval "$(cloudauth token clc --format env)"`
		// left in the environment: the token is used as it is.
		name: "clc token from env", cloud: "clc", logins: 0, principal: emulator.CLCUser, expires: true,
		setup: func(t *testing.T, w *tokenWorld) map[string]string {
			c := decodeCred(t, w.token(t, clcPasswordEnv(w), false, "clc"))
			w.e.ResetCounters()
			return map[string]string{"CLC_API_URL": w.base + "/clc", "CLC_BEARER_TOKEN": c.Token}
		},
		env:   []string{"CLC_API_URL", "CLC_BEARER_TOKEN", "CLC_ACCOUNT"},
		check: clcAccountIs(emulator.CLCAccount),
	},
}

// clcAccountIs checks that --format env names the account.
func clcAccountIs(alias string) func(t *testing.T, body []byte, env map[string]string) {
	return func(t *testing.T, _ []byte, env map[string]string) {
		t.Helper()
		if env != nil && env["CLC_ACCOUNT"] != alias {
			t.Errorf("CLC_ACCOUNT = %q, want %q", env["CLC_ACCOUNT"], alias)
		}
	}
}

// secretsOf lists the values a run must never show on stderr.
func secretsOf(env map[string]string, more ...string) []string {
	var out []string
	for k, v := range env {
		if strings.Contains(k, "PASSWORD") || strings.Contains(k, "SECRET") || strings.Contains(k, "TOKEN") {
			out = append(out, v)
		}
	}
	out = append(out, emulator.KeystoneAppCredSecret)
	for _, s := range more {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func noSecrets(t *testing.T, stderr string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(stderr, s) {
			t.Errorf("stderr shows a secret (%d characters):\n%s", len(s), stderr)
		}
	}
}

// TestTokenFormats gets a token of every cloud, configured every way, in
// every format, and uses it against the emulator: a wrong token, header
// or variable fails the authenticated GET.
func TestTokenFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range tokenCases {
		for _, format := range []string{"json", "env", "header"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				t.Parallel()
				w := newTokenWorld(t)
				env := tc.setup(t, w)
				use := tokenUses[tc.cloud]
				endpoint := w.base + use.endpoint

				code, out, errb := w.run(env, "token", tc.cloud, "--format", format)
				if code != 0 {
					t.Fatalf("exit %d\nstderr:\n%s", code, errb)
				}
				note := format == "env" && tc.handoff
				if tc.warn != strings.Contains(errb, "warning: ") || note != strings.Contains(errb, "note: ") || (!tc.warn && !note && errb != "") {
					t.Errorf("warn=%v note=%v, stderr:\n%s", tc.warn, note, errb)
				}
				if n := w.e.Logins(tc.cloud); n != tc.logins {
					t.Errorf("%d logins, want %d", n, tc.logins)
				}

				var (
					h       http.Header
					token   string
					exports map[string]string
				)
				switch format {
				case "json":
					c := decodeCred(t, out)
					token = c.Token
					if c.Endpoint != endpoint {
						t.Errorf("endpoint = %q, want %q", c.Endpoint, endpoint)
					}
					if c.Principal == nil || *c.Principal != tc.principal {
						t.Errorf("principal = %v, want %q", c.Principal, tc.principal)
					}
					if tc.expires != (c.ExpiresAt != nil) {
						t.Errorf("expires_at = %v, want one: %v", c.ExpiresAt, tc.expires)
					} else if c.ExpiresAt != nil {
						at, err := time.Parse(time.RFC3339, *c.ExpiresAt)
						if err != nil || !at.After(time.Now()) {
							t.Errorf("expires_at = %q (%v), want a future RFC 3339 time", *c.ExpiresAt, err)
						}
					}
					found := false
					h = http.Header{}
					for k, v := range c.Headers {
						h.Set(k, v)
						found = found || strings.Contains(v, c.Token)
					}
					if !found {
						t.Errorf("no header carries the token: %v", c.Headers)
					}
				case "env":
					exports = evalExports(t, out)
					var names []string
					for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
						if name, ok := strings.CutPrefix(line, "export "); ok {
							name, _, _ = strings.Cut(name, "=")
							names = append(names, name)
						}
					}
					if !slices.Equal(names, tc.env) {
						t.Errorf("variables %v, want %v", names, tc.env)
					}
					if tc.handoff {
						// No token to use: the openstack CLI logs in with
						// what it was pointed at (TestTokenEnvHandoff).
						tok, err := openstackLogin(exports)
						if err != nil || tok.Project == nil || tok.Project.ID != emulator.KeystoneProjectID {
							t.Errorf("the openstack CLI's login: %+v (%v)", tok, err)
						}
						noSecrets(t, errb, secretsOf(env, out))
						return
					}
					var url string
					url, h = use.fromEnv(exports)
					if url != endpoint {
						t.Errorf("the endpoint variable is %q, want %q", url, endpoint)
					}
				case "header":
					h = http.Header{}
					sc := bufio.NewScanner(strings.NewReader(out))
					for sc.Scan() {
						k, v, ok := strings.Cut(sc.Text(), ": ")
						if !ok || k == "" {
							t.Fatalf("not a header line: %q", sc.Text())
						}
						h.Add(k, v)
					}
					if len(h) == 0 {
						t.Fatal("no header lines")
					}
				}
				noSecrets(t, errb, secretsOf(env, token, out))

				status, body := use.get(t, endpoint, h)
				if status != http.StatusOK {
					t.Fatalf("GET with the %s output: HTTP %d %s", format, status, body)
				}
				if tc.check != nil {
					tc.check(t, body, exports)
				}
				if format == "env" && tc.cloud != "clc" {
					roundTrip(t, w, tc, exports)
				}
			})
		}
	}
}

// roundTrip hands the exported variables alone to the provider's own
// resolution (another `cloudauth token`): it reads them, and uses the
// token without logging in.
func roundTrip(t *testing.T, w *tokenWorld, tc tokenCase, exports map[string]string) {
	t.Helper()
	w.e.ResetCounters()
	again := decodeCred(t, w.token(t, exports, false, tc.cloud))
	if n := w.e.Logins(tc.cloud); n != 0 {
		t.Errorf("the provider logged in %d times with the exported token", n)
	}
	if tc.cloud != "abiquo" { // Abiquo hands out a new token on every answer.
		tokenVar := map[string]string{"keystone": "OS_TOKEN", "cleura": "CLEURA_API_TOKEN"}[tc.cloud]
		if again.Token != exports[tokenVar] {
			t.Errorf("the provider got another token from the exported %s", tokenVar)
		}
	}
}

// evalExports runs the --format env output in a POSIX shell, the way a
// user's eval does, and returns the variables it set.
func evalExports(t *testing.T, out string) map[string]string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell to evaluate --format env:", err)
	}
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "export ") && (i > 0 || !strings.HasPrefix(line, "unset -v ")) {
			t.Fatalf("not an export line (or a first unset line): %q", line)
		}
	}
	cmd := exec.Command(sh, "-c", out+"\nenv -0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(b), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// TestTokenUseCanFail shows that the GETs the tests use refuse a token
// that is not the right one, so that they prove the token right.
func TestTokenUseCanFail(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	envs := map[string]map[string]string{
		"keystone": keystonePasswordEnv(w), "cleura": cleuraPasswordEnv(w), "abiquo": abiquoPasswordEnv(w), "clc": clcPasswordEnv(w),
	}
	for cloud, use := range tokenUses {
		c := decodeCred(t, w.token(t, envs[cloud], false, cloud))
		h := http.Header{}
		for k, v := range c.Headers {
			// The same token with its last character changed.
			last := c.Token[len(c.Token)-1:]
			other := "A"
			if last == "A" {
				other = "B"
			}
			h.Set(k, strings.ReplaceAll(v, c.Token, c.Token[:len(c.Token)-1]+other))
		}
		// Cleura answers an invalid token with 403.
		if status, body := use.get(t, c.Endpoint, h); status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Errorf("%s: a wrong token got HTTP %d %s, want 401 or 403", cloud, status, body)
		}
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	const wrong = "not-the-password-4711"
	for _, tc := range []struct {
		name  string
		args  []string
		env   func(t *testing.T, w *tokenWorld) map[string]string
		code  int
		wants []string
	}{
		{name: "keystone not configured", args: []string{"keystone"}, code: 1,
			wants: []string{"OpenStack Keystone is not configured", "OS_AUTH_URL", "OS_CLOUD"}},
		{name: "cleura not configured", args: []string{"cleura"}, code: 1,
			wants: []string{"Cleura Cloud is not configured", "CLEURA_API_USERNAME", "cloudauth login cleura"}},
		{name: "abiquo not configured", args: []string{"abiquo"}, code: 1,
			wants: []string{"Abiquo is not configured", "ABQ_ENDPOINT"}},
		{name: "clc not configured", args: []string{"clc"}, code: 1,
			wants: []string{"CenturyLink Cloud is not configured", "CLC_USERNAME", "CLC_PASSWORD"}},
		{name: "keystone without credentials", args: []string{"keystone"}, code: 1,
			env: func(t *testing.T, w *tokenWorld) map[string]string {
				return map[string]string{"OS_AUTH_URL": w.base + "/keystone"}
			},
			wants: []string{"OS_APPLICATION_CREDENTIAL_ID", "no credentials"}},
		{name: "abiquo without a password or stored token", args: []string{"abiquo"}, code: 1,
			env: func(t *testing.T, w *tokenWorld) map[string]string {
				return map[string]string{"ABQ_ENDPOINT": w.base + "/abiquo/api"}
			},
			wants: []string{"Missing abiquo.password", "ABQ_PASSWORD", "cloudauth login abiquo"}},
		{name: "keystone refused password", args: []string{"keystone"}, code: 1,
			env: func(t *testing.T, w *tokenWorld) map[string]string {
				env := keystonePasswordEnv(w)
				env["OS_PASSWORD"] = wrong
				return env
			},
			wants: []string{"Keystone login failed", "refused the password login", "OS_PASSWORD"}},
		{name: "cleura refused password", args: []string{"cleura"}, code: 1,
			env: func(t *testing.T, w *tokenWorld) map[string]string {
				env := cleuraPasswordEnv(w)
				env["CLEURA_API_PASSWORD"] = wrong
				return env
			},
			wants: []string{"Cleura Cloud login failed", "CLEURA_API_PASSWORD"}},
		{name: "abiquo refused password", args: []string{"abiquo"}, code: 1,
			env: func(t *testing.T, w *tokenWorld) map[string]string {
				env := abiquoPasswordEnv(w)
				env["ABQ_PASSWORD"] = wrong
				return env
			},
			wants: []string{"Abiquo login refused", "ABQ_PASSWORD"}},
		{name: "clc refused password", args: []string{"clc", "--format", "env"}, code: 1,
			env: func(t *testing.T, w *tokenWorld) map[string]string {
				env := clcPasswordEnv(w)
				env["CLC_PASSWORD"] = wrong
				return env
			},
			wants: []string{"CenturyLink Cloud login failed", "CLC_PASSWORD"}},
		{name: "cleura stored token revoked", args: []string{"cleura"}, code: 1,
			env: func(t *testing.T, w *tokenWorld) map[string]string {
				w.store(t, credstore.Entry{Cloud: "cleura", URL: w.base + "/cleura", Login: emulator.CleuraUser, Token: "revokedtokenrevokedtokenrevoked1"})
				return map[string]string{"CLEURA_API_URL": w.base + "/cleura"}
			},
			wants: []string{"no longer accepted", "cloudauth login cleura"}},
		{name: "clc token revoked", args: []string{"clc", "--format", "env"}, code: 1,
			env: func(t *testing.T, w *tokenWorld) map[string]string {
				token := w.e.CLCBearerToken(emulator.CLCUser)
				w.e.RevokeAll("clc")
				return map[string]string{"CLC_API_URL": w.base + "/clc", "CLC_BEARER_TOKEN": token}
			},
			wants: []string{"CenturyLink Cloud token refused", "refused the bearer token from CLC_BEARER_TOKEN", "`cloudauth token clc`"}},
		{name: "no cloud", args: nil, code: 2, wants: []string{"needs a cloud", "usage:"}},
		{name: "unknown cloud", args: []string{"aws"}, code: 2, wants: []string{`unknown cloud "aws"`, "keystone, cleura, abiquo, clc"}},
		{name: "two clouds", args: []string{"keystone", "clc"}, code: 2, wants: []string{"one cloud"}},
		{name: "unknown format", args: []string{"clc", "--format", "yaml"}, code: 2, wants: []string{`unknown format "yaml"`}},
		{name: "unknown flag", args: []string{"clc", "--output", "json"}, code: 2, wants: []string{"-output"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newTokenWorld(t)
			var env map[string]string
			if tc.env != nil {
				env = tc.env(t, w)
			}
			code, out, errb := w.run(env, append([]string{"token"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if out != "" {
				t.Errorf("stdout is not empty:\n%s", out)
			}
			for _, want := range tc.wants {
				if !strings.Contains(errb, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errb)
				}
			}
			noSecrets(t, errb, append(secretsOf(env), wrong))
		})
	}
}

func TestTokenHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"keystone", "--help"}, {"--format", "env", "clc", "-h"}} {
		w := newTokenWorld(t)
		code, out, errb := w.run(nil, append([]string{"token"}, args...)...)
		if code != 0 || !strings.Contains(out, "usage: cloudauth token <cloud>") || errb != "" {
			t.Errorf("token %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errb)
		}
		if n := len(w.e.Counters().Requests); n != 0 {
			t.Errorf("token %v made requests on %d routes", args, n)
		}
	}
}

// TestTokenUsageNamesEveryVariable keeps the usage text in step with the
// variables the clients write.
func TestTokenUsageNamesEveryVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range tokenCases {
		for _, name := range tc.env {
			if !strings.Contains(tokenUsage, name) {
				t.Errorf("the usage does not name %s (%s)", name, tc.cloud)
			}
		}
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell:", err)
	}
	for _, v := range []string{"", "plain", "it's", "''", `a"b`, "$HOME `id` $(id)", "back\\slash", "line\nbreak", "*", "tab\there"} {
		cmd := exec.Command(sh, "-c", "printf %s "+shellQuote(v))
		got, err := cmd.Output()
		if err != nil || string(got) != v {
			t.Errorf("shellQuote(%q) reads back as %q (%v)", v, got, err)
		}
	}
}
