// Package abiquo is Abiquo on the Terraform side: the provider's abiquo
// block (with the token `cloudauth login abiquo` stores), its Configure,
// the cloudauth_abiquo_datacenters data source, and the diagnostics for
// the client's errors.
package abiquo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

// Name is the block's name and cloudauth_token's cloud value.
const Name = "abiquo"

const title = "Abiquo"

// Cloud registers Abiquo with the provider.
type Cloud struct{}

var _ cloud.Cloud = Cloud{}

// settings are the abiquo block's values after the environment, the
// credentials file and defaults.
type settings struct {
	Endpoint, Username, Password, Token, OTPSecret, OTP, APIVersion cloud.Value[string]
	cloud.Transport
}

var block = &cloud.Block[settings]{
	Name:  Name,
	Title: title,
	Description: "Abiquo API. The first call (`GET /api/login`) authenticates with HTTP Basic, plus a one-time code " +
		"in `X-Abiquo-OTP` when two-factor authentication is on; later calls send the `X-Abiquo-Token` " +
		"that every answer renews. Without a password, the provider uses `token`, or else the token " +
		"stored by `cloudauth login abiquo`.",
	Attrs: append([]cloud.Attr[settings]{
		cloud.String("endpoint", func(s *settings) *cloud.Value[string] { return &s.Endpoint },
			"API endpoint, ending in `/api` (`https://abiquo.example.com/api`).").
			Env(api.EnvEndpoint...).Validate(cloud.URLValidator(), endpointValidator{}),
		cloud.String("username", func(s *settings) *cloud.Value[string] { return &s.Username },
			"User name for HTTP Basic login; also picks the stored token when several users of the endpoint have one.").Env(api.EnvUsername...),
		cloud.String("password", func(s *settings) *cloud.Value[string] { return &s.Password },
			"Password for HTTP Basic login. Without it the provider uses `token`, or the token stored by `cloudauth login abiquo`.").
			Env(api.EnvPassword...).Sensitive(),
		cloud.String("token", func(s *settings) *cloud.Value[string] { return &s.Token },
			"A token from an earlier answer (`X-Abiquo-Token`) to use instead of logging in. It ends 30 minutes after its last use; with a `password` as well, the provider logs in when the API refuses it.").
			Env(api.EnvToken...).Sensitive(),
		cloud.String("otp_secret", func(s *settings) *cloud.Value[string] { return &s.OTPSecret },
			"TOTP secret for two-factor login: the base32 secret or the whole `otpauth://totp/...` URL Abiquo returned when two-factor authentication was enabled (its `algorithm`, `digits` and `period` are honoured). A fresh code is made for every login.").
			Env(api.EnvOTPSecret...).Sensitive(),
		cloud.String("otp", func(s *settings) *cloud.Value[string] { return &s.OTP },
			"A one-time code (or a scratch code) for two-factor login; used at most once per provider run, so it serves a single Terraform command. Prefer `otp_secret` or `cloudauth login abiquo`.").
			Env(api.EnvOTP...).Sensitive().Validate(stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("otp_secret"))),
		cloud.String("api_version", func(s *settings) *cloud.Value[string] { return &s.APIVersion },
			"Version to ask for in the media types (`application/vnd.abiquo.<entity>+json; version=6.1`). Default: none, so the API answers in its newest version.").
			Env(api.EnvAPIVersion...).Validate(stringvalidator.RegexMatches(regexp.MustCompile(`^[0-9]+\.[0-9]+$`), "must be a version such as \"6.1\"")),
	}, cloud.TransportAttrs(func(s *settings) *cloud.Transport { return &s.Transport }, cloud.TransportEnv{})...),
	Triggers: api.EnvEndpoint,
	Setup: "Add `abiquo { endpoint = ..., username = ..., password = ... }` to the provider configuration, or set " +
		"ABQ_ENDPOINT, ABQ_USERNAME and ABQ_PASSWORD (two-factor users: also ABQ_OTP_SECRET, or run " +
		"`cloudauth login abiquo` and leave the password unset).",
}

// Name implements cloud.Cloud.
func (Cloud) Name() string { return Name }

// Title implements cloud.Cloud.
func (Cloud) Title() string { return title }

// Block implements cloud.Cloud.
func (Cloud) Block() schema.Block { return block.Schema() }

// TokenHeaders implements cloud.Cloud.
func (Cloud) TokenHeaders() string { return "`Authorization = \"Token ...\"` (Abiquo)" }

// DataSources implements cloud.Cloud.
func (Cloud) DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{newDatacentersDataSource}
}

// Configure implements cloud.Cloud. The order is the block, the
// environment, then the token `cloudauth login abiquo` stored; a password
// in the block is not overridden by a token from the environment.
func (Cloud) Configure(ctx context.Context, req cloud.ConfigureRequest) *cloud.State {
	s, r := block.Resolve(ctx, req)
	if !r.Triggered(block.Triggers...) {
		return r.NotConfigured()
	}
	if s.Endpoint.V == "" {
		r.FailOn(s.Endpoint, "Missing abiquo.endpoint",
			fmt.Sprintf("Abiquo needs the API endpoint, ending in /api: set %s, for example \"https://abiquo.example.com/api\".", s.Endpoint.Hint()))
		return r.Configured(nil, nil)
	}
	endpoint, err := api.CheckEndpoint(r.URL(s.Endpoint))
	if r.Failed() {
		return r.Configured(nil, nil)
	}
	if err != nil {
		r.FailOn(s.Endpoint, "Invalid abiquo.endpoint", fmt.Sprintf("%s: %s.", s.Endpoint.Hint(), err))
		return r.Configured(nil, nil)
	}
	if s.Password.Origin == cloud.FromConfig && s.Token.Origin == cloud.FromEnv {
		r.Warn("ABQ_TOKEN not used",
			fmt.Sprintf("The provider logs in with %s from the abiquo block, so the token from %s is not used. Unset it to silence this warning.", s.Password.Name(), s.Token.From()))
		s.Token = s.Token.With("", cloud.Unset, "")
	}
	cfg := api.Config{
		HTTP:      s.HTTP(r, req, endpoint),
		Username:  s.Username.V,
		Password:  s.Password.V,
		Token:     s.Token.V,
		OTPSecret: s.OTPSecret.V,
		OTP:       s.OTP.V,
		Version:   s.APIVersion.V,
	}
	if cfg.Token != "" {
		cfg.TokenOrigin = s.Token.From()
	}
	if cfg.Password != "" && cfg.Username == "" {
		r.FailOn(s.Username, "Missing abiquo.username",
			fmt.Sprintf("A password needs the user name it belongs to: set %s.", s.Username.Hint()))
		return r.Configured(nil, nil)
	}
	if cfg.Password == "" && cfg.Token == "" && !useStoredToken(r, s, &cfg) {
		return r.Configured(nil, nil)
	}
	if cfg.Password == "" {
		for _, v := range []cloud.Value[string]{s.OTPSecret, s.OTP} {
			if v.V != "" {
				r.WarnOn(v, v.Name()+" is not used",
					fmt.Sprintf("A one-time code is only sent with a password login. No password is set (%s), so the provider uses the token and ignores %s. "+
						"Remove it, or set the password.", s.Password.Hint(), v.Hint()))
			}
		}
	}
	if r.Failed() {
		return r.Configured(nil, nil)
	}
	c, err := api.New(cfg)
	if err != nil {
		cloud.ConfigError(r, block, s, err, "")
		return r.Configured(nil, nil)
	}
	return r.Configured(c, &cloud.TokenTarget{Source: c, Diagnose: func(err error) diag.Diagnostic {
		return diagnose(c, "Cannot get an Abiquo token", err)
	}})
}

// loginCommand is the `cloudauth login abiquo` command line for the
// endpoint and user.
func loginCommand(endpoint, username string) string {
	login := "`cloudauth login abiquo --endpoint " + endpoint
	if username != "" {
		login += " --username " + username
	}
	return login + "`"
}

// useStoredToken fills cfg from the token `cloudauth login abiquo` stored
// for the endpoint (and user, if one is set). It reports false, with a
// problem recorded, when there is none.
func useStoredToken(r *cloud.Resolver, s *settings, cfg *api.Config) bool {
	login := loginCommand(cfg.HTTP.BaseURL, cfg.Username)
	missing := func(why string) bool {
		r.FailOn(s.Password, "Missing abiquo.password",
			fmt.Sprintf("Abiquo needs a password or a token, and %s. Set %s (with %s), set %s, or run %s to log in "+
				"with your one-time code and store a token for the provider.",
				why, s.Password.Hint(), s.Username.Hint(), s.Token.Hint(), login))
		return false
	}
	st := r.LookupStored(Name, cfg.HTTP.BaseURL, cfg.Username)
	switch {
	case st.Path == "":
		return missing("there is no credentials file to look in (neither XDG_CONFIG_HOME nor HOME is set)")
	case st.Err != nil:
		r.FailBlock("Unreadable cloudauth credentials file",
			fmt.Sprintf("%s. Fix or delete the file, then run %s again.", st.Err, login))
		return false
	case st.Entry == nil:
		who := ""
		if cfg.Username != "" {
			who = " and user " + cfg.Username
		}
		return missing(fmt.Sprintf("%s holds no single token for %s%s", st.Path, cfg.HTTP.BaseURL, who))
	}
	e := st.Entry
	cfg.Token = e.Token
	if cfg.Username == "" {
		cfg.Username = e.Login
	}
	cfg.TokenExpiresAt = e.StoredAt.Add(api.TokenLifetime)
	if e.ExpiresAt != nil {
		cfg.TokenExpiresAt = *e.ExpiresAt
	}
	cfg.TokenOrigin = fmt.Sprintf("the credentials file %s (stored by `cloudauth login abiquo` at %s)",
		st.Path, e.StoredAt.Local().Format(time.RFC3339))
	return true
}

// endpointValidator checks at validate time that the endpoint ends in /api.
type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string { return "an URL ending in /api" }
func (v endpointValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() == "" {
		return
	}
	if _, err := api.CheckEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid abiquo.endpoint", err.Error()+".")
	}
}

// diagnose turns a client error into a diagnostic that names the cause
// and the fix; fallback is the title for anything else.
func diagnose(c *api.Client, fallback string, err error) diag.Diagnostic {
	s := block.Blank()
	login := loginCommand(c.Endpoint(), c.Username())
	var (
		le     *api.LoginError
		spent  *api.CodeSpentError
		te     *api.TokenError
		denied *api.AccessError
	)
	switch {
	case errors.As(err, &le) && le.Kind == api.CodeRequired:
		return diag.NewErrorDiagnostic("Abiquo one-time code required", fmt.Sprintf(
			"%s.\n\nSet %s to the base32 secret or otpauth:// URL you got when two-factor authentication was enabled, "+
				"so that the provider makes a fresh code for every login. Or run %s, which asks for the code from your "+
				"authenticator app (or a scratch code) and stores a token that the provider uses when no password is set.",
			err, s.OTPSecret.Hint(), login))
	case errors.As(err, &le) && le.Kind == api.CodeRefused && le.Code == api.CodeFromSecret:
		return diag.NewErrorDiagnostic("Abiquo one-time code refused", fmt.Sprintf(
			"%s.\n\nCheck that %s is this user's secret from the latest time two-factor authentication was enabled "+
				"(enabling it again makes a new one), and that this computer's clock is set correctly (NTP).",
			err, s.OTPSecret.Hint()))
	case errors.As(err, &le) && le.Kind == api.CodeRefused:
		return diag.NewErrorDiagnostic("Abiquo one-time code refused", fmt.Sprintf(
			"%s.\n\nPut a current code from your authenticator app, or an unused scratch code, in %s. A fixed code "+
				"serves a single Terraform command; for plan and apply set %s, or run %s.",
			err, s.OTP.Hint(), s.OTPSecret.Hint(), login))
	case errors.As(err, &le):
		return diag.NewErrorDiagnostic("Abiquo login failed", fmt.Sprintf(
			"%s.\n\nCheck %s and %s. A refused login is not repeated in the same run, so retries cannot lock the account.",
			err, s.Username.Hint(), s.Password.Hint()))
	case errors.As(err, &spent):
		return diag.NewErrorDiagnostic("Abiquo one-time code already used", fmt.Sprintf(
			"%s.\n\nA fixed code (%s) serves one login per run. Set %s so that the provider can make a code for "+
				"every login, or run %s and leave the password unset.",
			err, s.OTP.Hint(), s.OTPSecret.Hint(), login))
	case errors.As(err, &te):
		summary := "Abiquo token refused"
		if te.Expired {
			summary = "Abiquo token expired"
		}
		return diag.NewErrorDiagnostic(summary, fmt.Sprintf(
			"%s.\n\nRun %s to log in again (it asks for your password and one-time code), or set %s so that the "+
				"provider logs in itself.",
			err, login, s.Password.Hint()))
	case errors.As(err, &denied):
		return diag.NewErrorDiagnostic("Abiquo permission denied", fmt.Sprintf(
			"%s.\n\nListing datacenters needs a role that may see the infrastructure, such as the cloud "+
				"administrator's. Log in as such a user (%s), or ask an administrator to give this user's role that privilege.",
			err, s.Username.Hint()))
	}
	return cloud.Fallback(fallback, title, s.Endpoint, err)
}
