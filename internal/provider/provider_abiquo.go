package provider

import (
	"context"
)

var abiquoSpec = &blockSpec{
	name:  "abiquo",
	title: "Abiquo",
	desc: "Abiquo API. The first call (`GET /api/login`) authenticates with HTTP Basic, plus a one-time code " +
		"in `X-Abiquo-OTP` when two-factor authentication is on; later calls send the `X-Abiquo-Token` " +
		"that every answer renews.",
	attrs: append([]attrSpec{
		{name: "endpoint", env: []string{"ABQ_ENDPOINT"},
			desc: "API endpoint, ending in `/api` (`https://abiquo.example.com/api`)."},
		{name: "username", env: []string{"ABQ_USERNAME"},
			desc: "User name for HTTP Basic login."},
		{name: "password", env: []string{"ABQ_PASSWORD"}, sensitive: true,
			desc: "Password for HTTP Basic login."},
		{name: "token", env: []string{"ABQ_TOKEN"}, sensitive: true,
			desc: "A token from an earlier answer (`X-Abiquo-Token`) to use instead of logging in."},
		{name: "otp_secret", env: []string{"ABQ_OTP_SECRET"}, sensitive: true,
			desc: "TOTP secret for two-factor login: the base32 secret or the whole `otpauth://totp/...` URL Abiquo returned when two-factor authentication was enabled. A fresh code is made for every login."},
		{name: "otp", env: []string{"ABQ_OTP"}, sensitive: true,
			desc: "A one-time code (or a scratch code) for two-factor login; used at most once per provider run."},
	}, commonAttrs("abiquo", nil, nil)...),
	triggers: []string{"ABQ_ENDPOINT"},
	setup: "Add `abiquo { endpoint = ..., username = ..., password = ... }` to the provider configuration, or set " +
		"ABQ_ENDPOINT, ABQ_USERNAME and ABQ_PASSWORD.",
}

func configureAbiquo(_ context.Context, p *cloudauthProvider, v *blockValues) *cloudState[any] {
	return newCloudState[any](v, v.configured(p.getenv), nil)
}
