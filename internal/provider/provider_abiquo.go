package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
)

var abiquoSpec = &blockSpec{
	name:  "abiquo",
	title: "Abiquo",
	desc: "Abiquo API. The first call (`GET /api/login`) authenticates with HTTP Basic, plus a one-time code " +
		"in `X-Abiquo-OTP` when two-factor authentication is on; later calls send the `X-Abiquo-Token` " +
		"that every answer renews. Without a password, the provider uses `token`, or else the token " +
		"stored by `cloudauth login abiquo`.",
	attrs: append([]attrSpec{
		{name: "endpoint", env: []string{"ABQ_ENDPOINT"},
			desc: "API endpoint, ending in `/api` (`https://abiquo.example.com/api`)."},
		{name: "username", env: []string{"ABQ_USERNAME"},
			desc: "User name for HTTP Basic login; also picks the stored token when several users of the endpoint have one."},
		{name: "password", env: []string{"ABQ_PASSWORD"}, sensitive: true,
			desc: "Password for HTTP Basic login. Without it the provider uses `token`, or the token stored by `cloudauth login abiquo`."},
		{name: "token", env: []string{"ABQ_TOKEN"}, sensitive: true,
			desc: "A token from an earlier answer (`X-Abiquo-Token`) to use instead of logging in. It ends 30 minutes after its last use; with a `password` as well, the provider logs in when the API refuses it."},
		{name: "otp_secret", env: []string{"ABQ_OTP_SECRET"}, sensitive: true,
			desc: "TOTP secret for two-factor login: the base32 secret or the whole `otpauth://totp/...` URL Abiquo returned when two-factor authentication was enabled (its `algorithm`, `digits` and `period` are honoured). A fresh code is made for every login."},
		{name: "otp", env: []string{"ABQ_OTP"}, sensitive: true,
			desc: "A one-time code (or a scratch code) for two-factor login; used at most once per provider run, so it serves a single Terraform command. Prefer `otp_secret` or `cloudauth login abiquo`."},
		{name: "api_version", env: []string{"ABQ_API_VERSION"},
			desc:          "Version to ask for in the media types (`application/vnd.abiquo.<entity>+json; version=6.1`). Default: none, so the API answers in its newest version.",
			strValidators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[0-9]+\.[0-9]+$`), "must be a version such as \"6.1\"")}},
	}, commonAttrs("abiquo", nil, nil)...),
	urlAttr:  "endpoint",
	triggers: []string{"ABQ_ENDPOINT"},
	setup: "Add `abiquo { endpoint = ..., username = ..., password = ... }` to the provider configuration, or set " +
		"ABQ_ENDPOINT, ABQ_USERNAME and ABQ_PASSWORD (two-factor users: also ABQ_OTP_SECRET, or run " +
		"`cloudauth login abiquo` and leave the password unset).",
}

// abiquoClient is what the data sources need from the Abiquo client.
type abiquoClient = *abiquo.Client

func configureAbiquo(_ context.Context, p *cloudauthProvider, v *blockValues) *cloudState[abiquoClient] {
	if !v.configured(p.getenv) {
		return newCloudState[abiquoClient](v, false, nil)
	}
	if v.str("endpoint") == "" {
		v.fail("endpoint", "Missing abiquo.endpoint",
			fmt.Sprintf("Abiquo needs the API endpoint, ending in /api: set %s, for example \"https://abiquo.example.com/api\".", v.hint("endpoint")))
		return newCloudState[abiquoClient](v, true, nil)
	}
	endpoint, err := abiquo.CheckEndpoint(v.str("endpoint"))
	if err != nil {
		v.fail("endpoint", "Invalid abiquo.endpoint", fmt.Sprintf("%s: %s.", v.hint("endpoint"), err))
		return newCloudState[abiquoClient](v, true, nil)
	}
	cfg := abiquo.Config{
		HTTP:      v.httpConfig(p, "endpoint"),
		Username:  v.str("username"),
		Password:  v.str("password"),
		Token:     v.str("token"),
		OTPSecret: v.str("otp_secret"),
		OTP:       v.str("otp"),
		Version:   v.str("api_version"),
	}
	cfg.HTTP.BaseURL = endpoint
	if cfg.Token != "" {
		cfg.TokenOrigin = "abiquo.token"
		if src := v.src["token"]; strings.HasPrefix(src, "env ") {
			cfg.TokenOrigin = strings.TrimPrefix(src, "env ")
		}
	}
	if cfg.Password != "" && cfg.Username == "" {
		v.fail("username", "Missing abiquo.username",
			fmt.Sprintf("A password needs the user name it belongs to: set %s.", v.hint("username")))
		return newCloudState[abiquoClient](v, true, nil)
	}
	if cfg.Password == "" && cfg.Token == "" {
		// Order: the block, the environment, then the credentials file.
		if !useStoredToken(p, v, &cfg) {
			return newCloudState[abiquoClient](v, true, nil)
		}
	}
	if cfg.Password == "" {
		for _, name := range []string{"otp_secret", "otp"} {
			if v.str(name) != "" {
				v.diags.AddAttributeWarning(path.Root("abiquo").AtName(name), "abiquo."+name+" is not used",
					fmt.Sprintf("A one-time code is only sent with a password login. No password is set (%s), so the provider uses the token and ignores %s. "+
						"Remove it, or set the password.", v.hint("password"), v.hint(name)))
			}
		}
	}
	if v.diags.HasError() {
		return newCloudState[abiquoClient](v, true, nil)
	}
	c, err := abiquo.New(cfg)
	if err != nil {
		v.clientError(err, nil)
		return newCloudState[abiquoClient](v, true, nil)
	}
	return newCloudState(v, true, c)
}

// useStoredToken fills cfg from the token `cloudauth login abiquo` stored
// for the endpoint (and user, if one is set). It reports false, with a
// problem recorded, when there is none.
func useStoredToken(p *cloudauthProvider, v *blockValues, cfg *abiquo.Config) bool {
	login := fmt.Sprintf("`cloudauth login abiquo --endpoint %s", cfg.HTTP.BaseURL)
	if cfg.Username != "" {
		login += " --username " + cfg.Username
	}
	login += "`"
	missing := func(why string) bool {
		v.fail("password", "Missing abiquo.password",
			fmt.Sprintf("Abiquo needs a password or a token, and %s. Set %s (with %s), set %s, or run %s to log in "+
				"with your one-time code and store a token for the provider.",
				why, v.hint("password"), v.hint("username"), v.hint("token"), login))
		return false
	}
	file, err := credstore.DefaultPath(p.getenv)
	if err != nil {
		return missing("there is no credentials file to look in (" + err.Error() + ")")
	}
	f, err := credstore.Load(file)
	if err != nil {
		v.fail("", "Unreadable cloudauth credentials file",
			fmt.Sprintf("%s. Fix or delete the file, then run %s again.", err, login))
		return false
	}
	e, ok := f.Find("abiquo", cfg.HTTP.BaseURL, cfg.Username)
	if !ok {
		who := ""
		if cfg.Username != "" {
			who = " and user " + cfg.Username
		}
		return missing(fmt.Sprintf("%s holds no single token for %s%s", file, cfg.HTTP.BaseURL, who))
	}
	if f.TooOpen {
		v.diags.AddWarning("The cloudauth credentials file is readable by others",
			fmt.Sprintf("%s holds tokens but other users may read it. Run `chmod 600 %s`; `cloudauth login` rewrites it with mode 0600.", file, file))
	}
	cfg.Token = e.Token
	if cfg.Username == "" {
		cfg.Username = e.Login
	}
	cfg.TokenExpiresAt = e.StoredAt.Add(abiquo.TokenLifetime)
	if e.ExpiresAt != nil {
		cfg.TokenExpiresAt = *e.ExpiresAt
	}
	cfg.TokenOrigin = fmt.Sprintf("the credentials file %s (stored by `cloudauth login abiquo` at %s)",
		file, e.StoredAt.Local().Format(time.RFC3339))
	return true
}
