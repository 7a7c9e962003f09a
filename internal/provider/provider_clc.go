package provider

import (
	"context"
	"fmt"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/clc"
)

var clcSpec = &blockSpec{
	name:  "clc",
	title: "CenturyLink Cloud",
	desc: "CenturyLink Cloud API v2. The provider logs in with `POST /v2/authentication/login` and sends " +
		"the bearer token (valid for up to two weeks) as `Authorization: Bearer ...`.",
	attrs: append([]attrSpec{
		{name: "url", env: []string{"CLC_API_URL"}, def: "https://api.ctl.io",
			desc: "Base URL of the API, without `/v2`."},
		{name: "username", env: []string{"CLC_USERNAME", "CLC_V2_API_USERNAME"},
			desc: "Control Portal user name."},
		{name: "password", env: []string{"CLC_PASSWORD", "CLC_V2_API_PASSWD"}, sensitive: true,
			desc: "Control Portal password."},
		{name: "account_alias", env: []string{"CLC_ACCOUNT", "CLC_ACCT_ALIAS"},
			desc: "Account to read; default: the account of the user who logs in."},
	}, commonAttrs("clc", nil, nil)...),
	urlAttr:   "url",
	triggers:  []string{"CLC_USERNAME", "CLC_V2_API_USERNAME"},
	loginHint: "Check clc.username and clc.password (or CLC_USERNAME and CLC_PASSWORD).",
	setup: "Add `clc { username = ..., password = ... }` to the provider configuration, or set CLC_USERNAME and " +
		"CLC_PASSWORD (CLC_V2_API_USERNAME and CLC_V2_API_PASSWD are read too).",
}

// clcClient is what the data sources need from the CenturyLink client.
type clcClient = *clc.Client

func configureCLC(_ context.Context, p *cloudauthProvider, v *blockValues) *cloudState[clcClient] {
	configured := v.configured(p.getenv)
	if !configured {
		return newCloudState[clcClient](v, false, nil)
	}
	for _, name := range []string{"username", "password"} {
		if v.str(name) == "" {
			v.fail(name, "Missing "+v.spec.name+"."+name,
				fmt.Sprintf("CenturyLink Cloud needs a %s: set %s.", name, v.hint(name)))
		}
	}
	hc := v.httpConfig(p, "url")
	if v.diags.HasError() {
		return newCloudState[clcClient](v, true, nil)
	}
	c, err := clc.New(clc.Config{
		HTTP:         hc,
		Username:     v.str("username"),
		Password:     v.str("password"),
		AccountAlias: v.str("account_alias"),
	})
	if err != nil {
		v.clientError(err, nil)
		return newCloudState[clcClient](v, true, nil)
	}
	return newCloudState(v, true, c)
}
