package provider

import (
	"context"
)

var cleuraSpec = &blockSpec{
	name:  "cleura",
	title: "Cleura Cloud",
	desc: "Cleura Cloud REST API v1. The provider logs in with `POST /auth/v1/tokens` and sends `X-AUTH-LOGIN` " +
		"and `X-AUTH-TOKEN` on every call. Accounts with SMS two-factor authentication give a `token` " +
		"obtained with `cloudauth login cleura` instead of a password.",
	attrs: append([]attrSpec{
		{name: "url", env: []string{"CLEURA_API_URL"}, def: "https://rest.cleura.cloud",
			desc: "Base URL of the REST API (`https://rest.compliant.cleura.cloud` for Compliant Cloud)."},
		{name: "username", env: []string{"CLEURA_API_USERNAME"},
			desc: "Cleura Cloud login; the API checks it together with the token."},
		{name: "password", env: []string{"CLEURA_API_PASSWORD"}, sensitive: true,
			desc: "Password, for accounts without two-factor authentication."},
		{name: "token", env: []string{"CLEURA_API_TOKEN"}, sensitive: true,
			desc: "A token already issued for `username` (for two-factor accounts)."},
	}, commonAttrs("cleura", nil, nil)...),
	triggers: []string{"CLEURA_API_USERNAME", "CLEURA_API_TOKEN"},
	setup: "Add `cleura { username = ..., password = ... }` to the provider configuration, or set " +
		"CLEURA_API_USERNAME and CLEURA_API_PASSWORD (or CLEURA_API_TOKEN for two-factor accounts).",
}

func configureCleura(_ context.Context, p *cloudauthProvider, v *blockValues) *cloudState[any] {
	return newCloudState[any](v, v.configured(p.getenv), nil)
}
