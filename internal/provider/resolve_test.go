package provider

import (
	"context"
	"strings"
	"testing"
)

// The command line has no provider configuration: a cloud that is not
// configured is explained with its environment variables, not a block.
// Every cloud's Setup has the form Block.Setup documents.
func TestSetupForTheCommandLine(t *testing.T) {
	t.Parallel()
	for _, name := range Clouds() {
		_, diags := Resolve(context.Background(), name, func(string) string { return "" }, "test")
		if !diags.HasError() {
			t.Fatalf("%s: no error without settings", name)
		}
		detail := diags.Errors()[0].Detail()
		if !strings.Contains(detail, "cloudauth token "+name+" needs") || !strings.Contains(detail, ". Set ") ||
			strings.Contains(detail, "provider configuration") || strings.Contains(detail, "{") {
			t.Errorf("%s: %s", name, detail)
		}
	}
}
