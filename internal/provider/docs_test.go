package provider_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's promises hold only as far as the tests hold them: the
// login limit is the shared token's, with revoke_on_close on top (as
// docs/index.md says), and the masking promise lists the forms the
// masker's tests cover instead of "whatever form".
func TestREADMEPromisesWhatIsTested(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	limit := regexp.MustCompile(`[^.]*at most 3 times a minute[^.]*\.[^.]*\.`).FindString(readme)
	if limit == "" || !strings.Contains(limit, "revoke_on_close") {
		t.Errorf("the login limit does not say that revoke_on_close tokens come on top: %q", limit)
	}
	if strings.Contains(readme, "whatever form") {
		t.Error(`the README still promises masking "in whatever form a server echoes them"`)
	}
	for _, form := range []string{"percent-encoded", "base64", "apikey", "loopback", "proxy", "verify: false", "terminal control"} {
		if !strings.Contains(readme, form) {
			t.Errorf("the README does not say %q", form)
		}
	}
}
