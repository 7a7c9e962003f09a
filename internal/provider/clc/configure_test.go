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
	if text := cloudtest.Text(diags); !strings.Contains(text, "Invalid clc.url") || !strings.Contains(text, "from CLC_API_URL") ||
		!strings.Contains(text, "unencrypted") {
		t.Fatalf("diagnostics: %s", text)
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
