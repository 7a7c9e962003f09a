package clc

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/clc"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/cloudtest"
)

// Values from the environment are sent as given, like those of the block:
// a password with spaces keeps them.
func TestEnvironmentValuesAreNotTrimmed(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Password string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		got <- body.Password
		http.Error(w, `{"message":"no"}`, http.StatusBadRequest)
	}))
	defer srv.Close()
	st := cloudtest.Configure(t, Cloud{}, map[string]string{
		"CLC_API_URL": srv.URL, "CLC_USERNAME": "u", "CLC_PASSWORD": "  pass  ",
	}, nil)
	c, diags := cloudtest.Client[*api.Client](Name, st)
	if diags.HasError() {
		t.Fatal(cloudtest.Text(diags))
	}
	_, _ = c.Credential(context.Background())
	if pw := <-got; pw != "  pass  " {
		t.Fatalf("the password was sent as %q, want it as given", pw)
	}
}

// A plain http:// URL from the environment is refused like one in the
// block (where the validator refuses it), naming the variable.
func TestCleartextURLFromTheEnvironmentIsRefused(t *testing.T) {
	t.Parallel()
	st := cloudtest.Configure(t, Cloud{}, map[string]string{
		"CLC_API_URL": "http://api.clc.example", "CLC_USERNAME": "u", "CLC_PASSWORD": "p",
	}, nil)
	_, diags := cloudtest.Client[*api.Client](Name, st)
	want := "`clc.url` (from CLC_API_URL): http://api.clc.example is a plain http:// URL to api.clc.example, so passwords and tokens " +
		"would cross the network unencrypted: use https://, or set `clc.insecure` to true for a test system."
	if text := cloudtest.Text(diags); !strings.Contains(text, "Invalid clc.url") || !strings.Contains(text, want) {
		t.Fatalf("diagnostics: %s\nwant: %s", text, want)
	}
}

// An empty string in the block counts as unset: the environment's value
// is used, and a warning says which variable gave it.
func TestEmptyStringInTheBlockLetsTheEnvironmentFillIn(t *testing.T) {
	t.Parallel()
	st := cloudtest.Configure(t, Cloud{}, map[string]string{"CLC_PASSWORD": "from-the-env"},
		map[string]any{"username": "u", "password": ""})
	text := cloudtest.Text(st.Diagnostics())
	if st.Diagnostics().HasError() || !strings.Contains(text, "[Warning] clc.password is empty; CLC_PASSWORD is used") {
		t.Fatalf("diagnostics: %s", text)
	}
	if _, diags := cloudtest.Client[*api.Client](Name, st); diags.HasError() {
		t.Fatalf("the cloud cannot be used: %s", cloudtest.Text(diags))
	}
}

// A token in the environment does not override a password in the block;
// a warning says it is not used. A token alone needs no user name.
func TestTokenAndPasswordSources(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		env     map[string]string
		block   map[string]any
		want    string // in the diagnostics
		canLog  bool
		errored bool
	}{
		{"block password beats env token",
			map[string]string{"CLC_BEARER_TOKEN": "env-token-0123"}, map[string]any{"username": "u", "password": "p"},
			"[Warning] CenturyLink Cloud settings not used: The provider logs in to CenturyLink Cloud with the credentials given in the provider block, so clc.token (from CLC_BEARER_TOKEN) is not used.",
			true, false},
		{"env token alone", map[string]string{"CLC_BEARER_TOKEN": "env-token-0123"}, nil, "", false, false},
		{"block token with env user and password",
			map[string]string{"CLC_USERNAME": "u", "CLC_PASSWORD": "p"}, map[string]any{"token": "block-token-0123"},
			"clc.username (from CLC_USERNAME) and clc.password (from CLC_PASSWORD) are not used", false, false},
		{"block user name beats env token",
			map[string]string{"CLC_BEARER_TOKEN": "env-token-0123", "CLC_PASSWORD": "p"}, map[string]any{"username": "u"},
			"clc.token (from CLC_BEARER_TOKEN) is not used", true, false},
		{"env token, user and password are all kept",
			map[string]string{"CLC_BEARER_TOKEN": "env-token-0123", "CLC_USERNAME": "u", "CLC_PASSWORD": "p"}, nil, "", true, false},
		{"token and password without user",
			nil, map[string]any{"token": "block-token-0123", "password": "p"}, "Missing clc.username", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := cloudtest.Configure(t, Cloud{}, tc.env, tc.block)
			c, diags := cloudtest.Client[*api.Client](Name, st)
			text := cloudtest.Text(st.Diagnostics()) + cloudtest.Text(diags)
			if !strings.Contains(text, tc.want) || diags.HasError() != tc.errored {
				t.Fatalf("diagnostics: %s", text)
			}
			if !tc.errored && c.CanLogin() != tc.canLog {
				t.Errorf("CanLogin = %v, want %v", c.CanLogin(), tc.canLog)
			}
		})
	}
}
