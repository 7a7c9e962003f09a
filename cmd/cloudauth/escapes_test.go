package main

import (
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// An API's error with terminal controls and a right-to-left override
// reaches standard error without them, for every cloud's token command;
// what the credentials file holds from a server (a login name) reaches
// cloudauth status without them.
func TestTerminalControlsNeverPrinted(t *testing.T) {
	t.Parallel()
	w := newTokenWorld(t)
	for cloud, tc := range map[string]struct {
		route string
		env   map[string]string
	}{
		"clc": {"clc.login", clcPasswordEnv(w)},
		"abiquo": {"abiquo.login", map[string]string{"ABQ_ENDPOINT": w.base + "/abiquo/api", "ABQ_USERNAME": emulator.AbiquoAdmin,
			"ABQ_PASSWORD": emulator.AbiquoAdminPassword}},
		"cleura": {"cleura.login", map[string]string{"CLEURA_API_URL": w.base + "/cleura", "CLEURA_API_USERNAME": emulator.CleuraUser,
			"CLEURA_API_PASSWORD": emulator.CleuraPassword}},
		"keystone": {"keystone.tokens.create", map[string]string{"OS_AUTH_URL": w.base + "/keystone/v3",
			"OS_APPLICATION_CREDENTIAL_ID": emulator.KeystoneAppCredID, "OS_APPLICATION_CREDENTIAL_SECRET": emulator.KeystoneAppCredSecret}},
	} {
		w.e.InjectFault(emulator.Fault{Route: tc.route, Kind: "escapes", Times: 10})
		code, out, errb := w.run(tc.env, "token", cloud, "--no-cache")
		if code != 1 || out != "" {
			t.Errorf("%s: exit %d, stdout %q", cloud, code, out)
		}
		if !strings.Contains(errb, "owned") {
			t.Errorf("%s: the API's message is not shown, so this proves nothing:\n%s", cloud, errb)
		}
		if p := httpx.Printable(errb); p != errb {
			t.Errorf("%s: standard error carries terminal controls: %q", cloud, errb)
		}
	}
	w.store(t, credstore.Entry{Cloud: "abiquo", URL: w.base + "/abiquo/api", Login: "admin\x1b]0;owned\x07\u202e", Token: "t0k3n-0001"})
	code, out, errb := w.run(nil, "status")
	if code != 0 || !strings.Contains(out, "admin]0;owned") || httpx.Printable(out) != out {
		t.Errorf("status: exit %d, stdout %q, stderr %q", code, out, errb)
	}
}

// What the token command prints on standard output is printable too: a
// server's principal and endpoint lose the characters a terminal acts on,
// and a token, header or variable that holds one is not printed at all.
func TestPrintableCredential(t *testing.T) {
	t.Parallel()
	ok := cred.Credential{Token: "t0k3n", Principal: "ops\u202e@acme\x1b]52;c;x\x07", Endpoint: "https://api.example\u009b/v2",
		Headers: map[string]string{"X-Auth-Token": "t0k3n"},
		Env:     []cred.EnvVar{{Name: "OS_TOKEN", Value: "t0k3n"}, {Name: "OS_PASSWORD", Value: "pass\tword", Secret: true}}}
	c, err := printableCredential(ok)
	if err != nil || c.Principal != "ops@acme]52;c;x" || c.Endpoint != "https://api.example/v2" {
		t.Errorf("printableCredential = %+v, %v", c, err)
	}
	for name, bad := range map[string]func(*cred.Credential){
		"token":    func(c *cred.Credential) { c.Token = "t0k\x1b[2Jen" },
		"header":   func(c *cred.Credential) { c.Headers = map[string]string{"X-Auth-Token": "t0k3n\u202e"} },
		"variable": func(c *cred.Credential) { c.Env = []cred.EnvVar{{Name: "OS_PROJECT_ID", Value: "p\x07"}} },
	} {
		c := ok
		bad(&c)
		if _, err := printableCredential(c); err == nil || !strings.Contains(err.Error(), "not printed") {
			t.Errorf("%s with a control character: err = %v", name, err)
		}
	}
}
