package provider

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// providerDataFrom takes the provider's data in a data source's or
// ephemeral resource's Configure. It is nil before the provider is
// configured (during validation), which is not an error.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	d, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
		return nil
	}
	return d
}

// fallbackDetail is the detail of an error no cloud-specific case knew:
// the error, and what to do about its kind.
func fallbackDetail(spec *blockSpec, err error) string {
	var (
		de *httpx.DecodeError
		ae *httpx.APIError
	)
	url := (&blockValues{spec: spec}).hint(spec.urlAttr)
	switch {
	case errors.As(err, &de):
		return fmt.Sprintf("%s\n\nThe answer is not what %s's API sends. Check that %s points at the API itself, not at a web page, "+
			"a proxy's login or error page, or a maintenance page.", err, spec.title, url)
	case errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests:
		return fmt.Sprintf("%s\n\n%s limits how fast it may be called. Run again later, or lower Terraform's -parallelism.", err, spec.title)
	case errors.As(err, &ae) && ae.StatusCode >= 500:
		return fmt.Sprintf("%s\n\n%s (or a proxy in front of it) failed; the provider already retried where that was safe. "+
			"This is often temporary: run again later. If it persists, check %s.", err, spec.title, url)
	}
	return err.Error()
}

// optString maps "" to null, for fields the API leaves out.
func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
