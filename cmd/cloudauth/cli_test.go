package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// A wrong command line, of any command, prints one message and that
// command's usage once, and exits 2; nothing is asked or sent.
func TestWrongCommandLineExits2WithTheCommandsUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args  []string
		msg   string
		usage string
	}{
		{[]string{"status", "--json"}, "flag provided but not defined: -json", "usage: cloudauth status\n"},
		{[]string{"status", "extra"}, `status takes no arguments, got "extra"`, "usage: cloudauth status\n"},
		{[]string{"login", "cleura", "--bogus"}, "flag provided but not defined: -bogus", "usage: cloudauth login cleura [flags]"},
		{[]string{"logout", "cleura", "--bogus"}, "flag provided but not defined: -bogus", "usage: cloudauth logout cleura [flags]"},
		{[]string{"login", "abiquo", "--url", "https://abq.example/api"}, "flag provided but not defined: -url", "usage: cloudauth login abiquo [flags]"},
		{[]string{"logout", "abiquo", "extra"}, `unexpected argument "extra"`, "usage: cloudauth logout abiquo [flags]"},
		{[]string{"login", "abiquo", "--app-name", "x"}, "--app-name goes with --oauth", "usage: cloudauth login abiquo [flags]"},
		{[]string{"login", "cleura", "--insecure=maybe"}, "invalid boolean value", "usage: cloudauth login cleura [flags]"},
		{[]string{"login"}, "login needs a cloud (abiquo, cleura)", "usage: cloudauth login <cloud> [flags]"},
		{[]string{"logout", "nowhere"}, `unknown cloud "nowhere"`, "usage: cloudauth logout <cloud> [flags]"},
		{[]string{"login", "keystone"}, `"cloudauth token keystone" logs in and prints a token`, "usage: cloudauth login <cloud> [flags]"},
		{[]string{"login", "clc"}, `"cloudauth token clc" logs in`, "usage: cloudauth login <cloud> [flags]"},
		{[]string{"token", "clc", "--output", "json"}, "flag provided but not defined: -output", "usage: cloudauth token <cloud>"},
		{[]string{"token", "clc", "-f"}, "flag needs an argument: -f", "usage: cloudauth token <cloud>"},
		{[]string{"token", "clc", "-f", "yaml"}, `unknown format "yaml"`, "usage: cloudauth token <cloud>"},
		{[]string{"token", "clc", "--cloud", "emu"}, "--cloud names a clouds.yaml entry, for keystone only, not clc", "usage: cloudauth token <cloud>"},
		{[]string{"version", "--bogus"}, `version takes no arguments, got "--bogus"`, "usage: cloudauth version\n"},
		// A flag's value the client would refuse, found before anything
		// is asked for or sent.
		{[]string{"login", "cleura", "--url", "rest.cleura.cloud"}, `--url (or CLEURA_API_URL): "rest.cleura.cloud" must start with https://`, "usage: cloudauth login cleura [flags]"},
		{[]string{"login", "cleura", "--url", "http://evil.localhost:1"}, "--url (or CLEURA_API_URL): http://evil.localhost:1 is a plain http:// URL to evil.localhost, so passwords and tokens would cross the network unencrypted: use https://, or set --insecure", "usage: cloudauth login cleura [flags]"},
		{[]string{"logout", "cleura", "--url", "ftp://x"}, `--url (or CLEURA_API_URL): "ftp://x" must start with https://`, "usage: cloudauth logout cleura [flags]"},
		{[]string{"login", "cleura", "--auth-api", "v3"}, `--auth-api (or CLEURA_API_AUTH): the Cleura Cloud auth API "v3" is not one of`, "usage: cloudauth login cleura [flags]"},
		{[]string{"login", "cleura", "--code", "one-two-three"}, "--code: the SMS code has the wrong length", "usage: cloudauth login cleura [flags]"},
		{[]string{"login", "cleura", "--ca-cert", "/nonexistent/ca.pem"}, "--ca-cert: the CA bundle is neither PEM text nor a readable file", "usage: cloudauth login cleura [flags]"},
		{[]string{"login", "abiquo", "--endpoint", "https://abq.example/abiquo"}, `--endpoint (or ABQ_ENDPOINT): "https://abq.example/abiquo" does not end in /api`, "usage: cloudauth login abiquo [flags]"},
		{[]string{"login", "abiquo", "--endpoint", "http://LocalHost:1/api"}, "--endpoint (or ABQ_ENDPOINT): http://LocalHost:1/api is a plain http:// URL", "usage: cloudauth login abiquo [flags]"},
		{[]string{"logout", "abiquo", "--endpoint", "abq.example/api"}, `--endpoint (or ABQ_ENDPOINT): "abq.example/api" must start with https://`, "usage: cloudauth logout abiquo [flags]"},
		{[]string{"login", "abiquo", "--code", "12ab56"}, "--code takes the code's digits", "usage: cloudauth login abiquo [flags]"},
		// A URL with a password in a form url.Parse does not read as one
		// (no scheme) is refused without showing it.
		{[]string{"login", "abiquo", "--endpoint", "user:pw-in-url@abq.example/api"}, "--endpoint (or ABQ_ENDPOINT): the URL is not valid (it is not shown here, since it may hold a password)", "usage: cloudauth login abiquo [flags]"},
		{[]string{"login", "cleura", "--url", "https:/user:pw-in-url@rest.cleura.cloud"}, "--url (or CLEURA_API_URL): the URL is not valid (it is not shown here", "usage: cloudauth login cleura [flags]"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`, "usage:\n  cloudauth login <cloud>"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			a, out, errb := testApp(t, "")
			if code := a.run(tc.args); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			s := errb.String()
			if !strings.HasPrefix(s, "cloudauth: ") || strings.Count(s, tc.msg) != 1 {
				t.Errorf("stderr does not start with the message %q, once:\n%s", tc.msg, s)
			}
			if n := strings.Count(s, tc.usage); n != 1 {
				t.Errorf("stderr shows the usage %q %d times, want once:\n%s", tc.usage, n, s)
			}
			if strings.Count(s, "usage:") != 1 {
				t.Errorf("stderr shows more than one usage:\n%s", s)
			}
			if out.Len() != 0 {
				t.Errorf("stdout is not empty: %s", out)
			}
			if strings.Contains(s, "pw-in-url") {
				t.Errorf("stderr shows the password of a URL:\n%s", s)
			}
		})
	}
}

// Abiquo's client names its address "url" or "endpoint"; the command's
// flag is --endpoint.
func TestAbiquoConfigErrorNamesTheFlags(t *testing.T) {
	t.Parallel()
	for attr, want := range map[string]string{
		"url":      "--endpoint (or ABQ_ENDPOINT): bad",
		"endpoint": "--endpoint (or ABQ_ENDPOINT): bad",
		"username": "--username (or ABQ_USERNAME): bad",
		"ca_cert":  "--ca-cert: bad",
		"otp":      "the one-time code: bad",
	} {
		if got := abiquoConfigError(&httpx.ConfigError{Attribute: attr, Msg: "bad"}).Error(); got != want {
			t.Errorf("%s: %q, want %q", attr, got, want)
		}
	}
}

// Five calls of `cloudauth token clc` make one login: the token is kept
// in the private credentials file until the client would renew it.
// --no-cache logs in again, other settings get their own token, and
// --format token (-f token) prints the token alone.
func TestTokenCacheOneLoginForFiveCalls(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	env := clcPasswordEnv(w)
	var first string
	for i := range 5 {
		out := w.token(t, env, false, "clc", "-f", "token")
		if i == 0 {
			first = out
		}
		if out != first || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 || len(out) < 20 {
			t.Fatalf("call %d printed %q, the first %q", i+1, out, first)
		}
	}
	if n := w.e.Logins("clc"); n != 1 {
		t.Fatalf("five calls made %d logins, want 1", n)
	}
	// Every format prints the cached token, with what the json format
	// carries.
	c := decodeCred(t, w.token(t, env, false, "clc", "--format", "json"))
	if c.Token+"\n" != first || c.ExpiresAt == nil || c.Endpoint != w.base+"/clc" || c.Headers["Authorization"] != "Bearer "+c.Token {
		t.Errorf("cached credential: %+v", c)
	}
	if code, _ := httpGet(t, w.base+"/clc/v2/authentication/login", nil); code == 0 {
		t.Fatal("emulator unreachable")
	}
	if n := w.e.Logins("clc"); n != 1 {
		t.Fatalf("%d logins after the json call, want 1", n)
	}

	// (The emulator may issue the same token again within a second, so
	// the count of logins says whether --no-cache logged in.)
	w.token(t, env, false, "clc", "--no-cache", "--format", "token")
	if n := w.e.Logins("clc"); n != 2 {
		t.Errorf("--no-cache made %d logins in all, want 2", n)
	}

	// Another user is another configuration: it logs in (and fails, as
	// the emulator knows no such user) instead of printing the token.
	other := clcPasswordEnv(w)
	other["CLC_USERNAME"] = "someone-else"
	if code, out, _ := w.run(other, "token", "clc"); code != 1 || out != "" {
		t.Errorf("another user's call: exit %d, stdout %q; want 1 and nothing", code, out)
	}

	path := filepath.Join(w.dir, "cloudauth", "credentials.json")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	f, err := credstore.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 1 || f.Entries[0].Cloud != "cache:clc" || f.Entries[0].Cached == nil {
		t.Fatalf("entries: %+v", f.Entries)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), emulator.CLCPassword) {
		t.Error("the credentials file holds the password")
	}
	// The provider's clouds never read the cache.
	if f.Has("clc") {
		t.Error("the cached token is stored under the cloud's own name")
	}
}

// A cached token that the client would renew is not printed again.
func TestTokenCacheEndsAtRenewal(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	env := clcPasswordEnv(w)
	w.token(t, env, false, "clc")
	path := filepath.Join(w.dir, "cloudauth", "credentials.json")
	if err := credstore.Update(path, func(f *credstore.File) error {
		for i := range f.Entries {
			f.Entries[i].Cached.RenewAt = time.Now().Add(-time.Second)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	w.token(t, env, false, "clc")
	if n := w.e.Logins("clc"); n != 2 {
		t.Errorf("%d logins, want 2: a token past its renewal was printed", n)
	}
}

// A credentials file others can read gets no cached token, and one is not
// read from it.
func TestTokenCacheNotInAnOpenFile(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	env := clcPasswordEnv(w)
	w.token(t, env, false, "clc")
	path := filepath.Join(w.dir, "cloudauth", "credentials.json")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	w.token(t, env, false, "clc")
	if n := w.e.Logins("clc"); n != 2 {
		t.Errorf("%d logins, want 2: the token was read from a file others can read", n)
	}
}

// `cloudauth token cleura` without a URL uses the one stored Cleura Cloud
// token, whatever its URL, as `cloudauth logout cleura` does.
func TestTokenCleuraUsesTheOneStoredToken(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	token := loginAndStore(t, w, "cleura", cleuraPasswordEnv(w), emulator.CleuraUser)
	c := decodeCred(t, w.token(t, nil, false, "cleura"))
	if c.Token != token || c.Endpoint != w.base+"/cleura" {
		t.Errorf("got %+v, want the stored token %q", c, token)
	}
	if n := w.e.Logins("cleura"); n != 0 {
		t.Errorf("%d logins, want 0", n)
	}
	// With two stored tokens, it says which exist.
	w.store(t, credstore.Entry{Cloud: "cleura", URL: "https://rest.example.net", Login: "bob", Token: "token-of-bob-0123456789"})
	code, out, errb := w.run(nil, "token", "cleura")
	if code != 1 || out != "" || !strings.Contains(errb, "Cleura") {
		t.Errorf("two stored tokens: exit %d, stdout %q, stderr:\n%s", code, out, errb)
	}
}

// --cloud names the clouds.yaml entry, as OS_CLOUD does, and wins over it.
func TestTokenKeystoneCloudFlag(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	yaml := fmt.Sprintf("clouds:\n  emu:\n    auth:\n      auth_url: %s/keystone\n      application_credential_id: %s\n      application_credential_secret: %s\n    auth_type: v3applicationcredential\n",
		w.base, emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret)
	dir := filepath.Join(w.dir, "openstack")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "clouds.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, env := range []map[string]string{nil, {"OS_CLOUD": "nowhere"}} {
		c := decodeCred(t, w.token(t, env, false, "keystone", "--cloud", "emu", "--no-cache"))
		if c.Token == "" || c.Endpoint != w.base+"/keystone/v3" {
			t.Errorf("OS_CLOUD=%q: %+v", env["OS_CLOUD"], c)
		}
	}
	code, _, errb := w.run(nil, "token", "keystone", "--cloud", "nowhere")
	if code != 1 || !strings.Contains(errb, "nowhere") {
		t.Errorf("an unknown entry: exit %d\n%s", code, errb)
	}
}

// A Keystone user with a password and TOTP rule is asked for the passcode
// at a terminal, without echo; without a terminal the error says what to
// set.
func TestTokenKeystoneAsksForThePasscode(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	env := map[string]string{
		"OS_AUTH_URL": w.base + "/keystone", "OS_USERNAME": emulator.KeystoneMFAUser, "OS_PASSWORD": emulator.KeystoneMFAPassword,
		"OS_USER_DOMAIN_NAME": emulator.KeystoneDomainName, "OS_PROJECT_NAME": emulator.KeystoneProject,
		"OS_PROJECT_DOMAIN_NAME": emulator.KeystoneDomainName,
	}
	code, _, errb := w.run(env, "token", "keystone")
	if code != 1 || !strings.Contains(errb, "passcode") {
		t.Fatalf("without a terminal: exit %d\n%s", code, errb)
	}

	term := openTerminal(t)
	var out bytes.Buffer
	a := &app{stdin: term.tty, stdout: &out, stderr: term.tty, now: time.Now, getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" || k == "HOME" {
			return w.dir
		}
		return env[k]
	}}
	done := make(chan int, 1)
	go func() { done <- a.run([]string{"token", "keystone", "-f", "token"}) }()
	term.waitFor(t, "Keystone passcode (the current code of the authenticator app) for "+emulator.KeystoneMFAUser+": ", 1)
	passcode, ok := w.e.KeystoneTOTPCode(emulator.KeystoneMFAUser)
	if !ok {
		t.Fatal("no TOTP code")
	}
	term.typeSecret(t, passcode)
	select {
	case rc := <-done:
		if rc != 0 {
			t.Fatalf("exit %d; terminal:\n%s", rc, term.screen())
		}
	case <-time.After(waitLimit):
		t.Fatalf("did not finish; terminal:\n%s", term.screen())
	}
	notShown(t, term.screen(), passcode, emulator.KeystoneMFAPassword)
	if tok := strings.TrimSpace(out.String()); len(tok) < 20 || strings.Contains(tok, "\n") {
		t.Errorf("stdout = %q", out.String())
	}
}

// A login whose token the credentials file could not take stops before it
// asks for anything or sends a request: a corrupt file, or a place where
// no file can be written (a read-only home; as root, a path below a
// regular file, which no one can create).
func TestLoginChecksTheCredentialsFileFirst(t *testing.T) {
	t.Parallel()
	for _, cloud := range []string{"cleura", "abiquo"} {
		for _, broken := range []string{"corrupt file", "cannot write"} {
			t.Run(cloud+"/"+broken, func(t *testing.T) {
				t.Parallel()
				w := newTokenWorld(t)
				home := w.dir
				switch broken {
				case "corrupt file":
					if err := os.MkdirAll(filepath.Join(home, "cloudauth"), 0o700); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(home, "cloudauth", "credentials.json"), []byte("{not json"), 0o600); err != nil {
						t.Fatal(err)
					}
				case "cannot write":
					if os.Geteuid() == 0 {
						home = filepath.Join(w.dir, "a-file")
						if err := os.WriteFile(home, nil, 0o600); err != nil {
							t.Fatal(err)
						}
					} else {
						if err := os.Chmod(home, 0o500); err != nil {
							t.Fatal(err)
						}
						t.Cleanup(func() { _ = os.Chmod(home, 0o700) })
					}
				}
				var out, errb bytes.Buffer
				a := &app{stdin: strings.NewReader("password\n"), stdout: &out, stderr: &errb, now: time.Now,
					getenv: func(k string) string { return map[string]string{"XDG_CONFIG_HOME": home, "HOME": home}[k] }}
				args := []string{"login", "cleura", "--url", w.base + "/cleura", "--username", emulator.CleuraSMSUser, "--password-stdin", "--code", "-"}
				if cloud == "abiquo" {
					args = []string{"login", "abiquo", "--endpoint", w.base + "/abiquo/api", "--username", emulator.AbiquoAdmin, "--password-stdin"}
				}
				if code := a.run(args); code != 1 {
					t.Errorf("exit %d, want 1", code)
				}
				if s := errb.String(); !strings.Contains(s, "the credentials file cannot take a token, so nothing was asked for or sent") ||
					strings.Contains(s, "Password") {
					t.Errorf("stderr:\n%s", s)
				}
				if n := w.e.Counters().Totals; len(n) != 0 {
					t.Errorf("requests were sent: %v", n)
				}
			})
		}
	}
}

// A Cleura Cloud token that could not be stored (the file broke during
// the login) is revoked, not left valid with nobody holding it.
func TestCleuraLoginRevokesATokenItCannotKeep(t *testing.T) {
	t.Parallel()
	w := newCleuraWorld(t)
	pr, pw := io.Pipe()
	var out, errb bytes.Buffer
	a := w.app(pr, &out, &errb)
	done := make(chan int, 1)
	go func() {
		done <- a.run([]string{"login", "cleura", "--url", w.url, "--username", emulator.CleuraSMSUser, "--password-stdin", "--code", "-"})
		pr.Close()
	}()
	fmt.Fprintln(pw, emulator.CleuraSMSPassword)
	code := w.waitForCode(t, emulator.CleuraSMSUser, 0)
	if err := os.WriteFile(w.path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(pw, code)
	rc := <-done
	pw.Close()
	if rc != 1 || !strings.Contains(errb.String(), "could not be stored, so it was revoked") {
		t.Fatalf("exit %d\n%s", rc, errb.String())
	}
	tokens := w.e.IssuedTokens("cleura")
	if len(tokens) == 0 {
		t.Fatal("no token was issued")
	}
	for _, tok := range tokens {
		if w.valid(t, emulator.CleuraSMSUser, tok) {
			t.Error("the token that could not be stored is still valid")
		}
	}
	w.noSecrets(t, out.String()+errb.String())
}

// The command's errors name what the command reads, environment
// variables, not the provider block's attributes (`keystone.insecure`,
// `keystone { ... }`), as the provider's do.
func TestTokenErrorsNameTheVariables(t *testing.T) {
	t.Parallel()
	e := emulator.New()
	srv := httptest.NewTLSServer(e) // a certificate nobody trusts
	t.Cleanup(srv.Close)
	w := newTokenWorld(t)
	for _, tc := range []struct {
		cloud string
		env   map[string]string
		wants []string
	}{
		{"keystone", map[string]string{"OS_AUTH_URL": srv.URL + "/keystone", "OS_APPLICATION_CREDENTIAL_ID": emulator.KeystoneAppCredID,
			"OS_APPLICATION_CREDENTIAL_SECRET": emulator.KeystoneAppCredSecret},
			[]string{"set OS_CACERT to the PEM", "or OS_INSECURE=true for a test system only"}},
		{"abiquo", map[string]string{"ABQ_ENDPOINT": srv.URL + "/abiquo/api", "ABQ_USERNAME": emulator.AbiquoAdmin, "ABQ_PASSWORD": emulator.AbiquoAdminPassword},
			[]string{"certificate is not trusted", "add the CA that signed it to this system's trusted roots"}},
		{"keystone", map[string]string{"OS_AUTH_URL": "http://keystone.example/v3", "OS_APPLICATION_CREDENTIAL_ID": "id", "OS_APPLICATION_CREDENTIAL_SECRET": "secret"},
			[]string{"OS_AUTH_URL: http://keystone.example/v3 is a plain http:// URL", "set OS_INSECURE to true"}},
		{"keystone", nil, []string{"Set OS_AUTH_URL with OS_APPLICATION_CREDENTIAL_ID"}},
	} {
		code, out, errb := w.run(tc.env, "token", tc.cloud)
		if code != 1 || out != "" {
			t.Errorf("%s %v: exit %d, stdout %q", tc.cloud, tc.env, code, out)
		}
		for _, want := range tc.wants {
			if !strings.Contains(errb, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.cloud, want, errb)
			}
		}
		for _, tf := range []string{".insecure", ".ca_cert", tc.cloud + " {", "block", "provider configuration"} {
			if strings.Contains(errb, tf) {
				t.Errorf("%s: stderr gives Terraform advice (%q):\n%s", tc.cloud, tf, errb)
			}
		}
	}
}

// The kept token is that of the clouds.yaml entry --cloud names: --cloud B
// after --cloud A logs in for B, and never prints A's token.
func TestTokenCacheKeepsOneTokenPerCloudFlag(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	entry := func(name, project string) string {
		return fmt.Sprintf("  %s:\n    auth:\n      auth_url: %s/keystone/v3\n      username: %s\n      password: %s\n      user_domain_name: %s\n"+
			"      project_name: %s\n      project_domain_name: %s\n", name, w.base, emulator.KeystoneUser, emulator.KeystonePassword,
			emulator.KeystoneDomainName, project, emulator.KeystoneDomainName)
	}
	dir := filepath.Join(w.dir, "openstack")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	yaml := "clouds:\n" + entry("one", emulator.KeystoneProject) + entry("two", emulator.KeystoneOtherProject)
	if err := os.WriteFile(filepath.Join(dir, "clouds.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		cloud, project string
		logins         int
	}{
		{"one", emulator.KeystoneProjectID, 1},
		{"two", emulator.KeystoneOtherProjectID, 2},
		{"two", emulator.KeystoneOtherProjectID, 2}, // kept
		// One token is kept per cloud: the other entry logs in again.
		{"one", emulator.KeystoneProjectID, 3},
	} {
		out := w.token(t, nil, false, "keystone", "--cloud", tc.cloud, "-f", "env")
		if want := "OS_PROJECT_ID='" + tc.project + "'"; !strings.Contains(out, want) {
			t.Errorf("call %d, --cloud %s: the output lacks %s:\n%s", i+1, tc.cloud, want, out)
		}
		if got := w.e.Logins("keystone"); got != tc.logins {
			t.Errorf("call %d, --cloud %s: %d logins, want %d", i+1, tc.cloud, got, tc.logins)
		}
	}
}
