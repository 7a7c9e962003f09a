package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

// Resolve configures one cloud the way the provider does when its
// configuration has no block for it: from the environment, clouds.yaml
// and the credentials file, then the defaults. It is how `cloudauth token`
// gets the same settings, and so the same token, as a Terraform run. The
// diagnostics are Configure's (warnings included) and, when the cloud
// cannot be used, why.
func Resolve(ctx context.Context, name string, getenv func(string) string, userAgent string) (*cloud.TokenTarget, diag.Diagnostics) {
	for _, c := range registry {
		if c.Name() != name {
			continue
		}
		typ, _ := c.Block().Type().(types.ObjectType)
		st := c.Configure(ctx, cloud.ConfigureRequest{
			Block:       types.ObjectNull(typ.AttrTypes),
			Getenv:      getenv,
			UserAgent:   userAgent,
			CommandLine: true,
		})
		diags := st.Diagnostics()
		t, use := st.Token("cloudauth token " + name)
		diags.Append(use...)
		return t, diags
	}
	var diags diag.Diagnostics
	diags.AddError("Unknown cloud "+name, fmt.Sprintf("The clouds are %s.", strings.Join(cloudNames(), ", ")))
	return nil, diags
}

// Clouds lists the registered clouds' names, in the registry's order.
func Clouds() []string { return cloudNames() }
