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
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
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
	// OAuth 1.0a: an application's consumer key and secret, and the
	// access token and secret a user granted it.
	ConsumerKey, ConsumerSecret, AccessToken, AccessTokenSecret cloud.Value[string]
	cloud.Transport
}

// oauthOnly and basicOnly are the settings of the two ways of logging in,
// which exclude each other.
var (
	oauthNames = []string{"consumer_key", "consumer_secret", "access_token", "access_token_secret"}
	basicNames = []string{"password", "token", "otp", "otp_secret"}
)

// sibling matches the block's attributes name (the validators' paths).
func sibling(names ...string) []path.Expression {
	out := make([]path.Expression, len(names))
	for i, n := range names {
		out[i] = path.MatchRelative().AtParent().AtName(n)
	}
	return out
}

// oauthAttr is one of the four OAuth values: all four together, and none
// of Basic's settings beside them.
func oauthAttr(name string, field func(*settings) *cloud.Value[string], desc string, env []string) cloud.Attr[settings] {
	var others []string
	for _, n := range oauthNames {
		if n != name {
			others = append(others, n)
		}
	}
	return cloud.String(name, field, desc).Env(env...).Validate(
		stringvalidator.AlsoRequires(sibling(others...)...),
		stringvalidator.ConflictsWith(sibling(basicNames...)...))
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
			"Password for HTTP Basic login. Without it (and without OAuth) the provider uses `token`, or what `cloudauth login abiquo` stored.").
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
		oauthAttr("consumer_key", func(s *settings) *cloud.Value[string] { return &s.ConsumerKey },
			"OAuth 1.0a consumer key (`apiKey`) of an application registered in Abiquo, for logging in without a password: every request is signed "+
				"(HMAC-SHA1), and Abiquo asks no one-time code of an application, so this is how to automate a two-factor account. "+
				"Needs the other three OAuth settings; `cloudauth login abiquo --oauth` registers an application and stores all four.", api.EnvConsumerKey),
		oauthAttr("consumer_secret", func(s *settings) *cloud.Value[string] { return &s.ConsumerSecret },
			"OAuth 1.0a consumer secret (`apiSecret`) of the application.", api.EnvConsumerSecret).Sensitive(),
		oauthAttr("access_token", func(s *settings) *cloud.Value[string] { return &s.AccessToken },
			"OAuth 1.0a access token the user granted the application.", api.EnvAccessToken).Sensitive(),
		oauthAttr("access_token_secret", func(s *settings) *cloud.Value[string] { return &s.AccessTokenSecret },
			"OAuth 1.0a access token secret.", api.EnvAccessTokenSecret).Sensitive(),
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
	endpoint, err := api.CheckEndpoint(s.CheckURL(r, s.Endpoint))
	if r.Failed() {
		return r.Configured(nil, nil)
	}
	if err != nil {
		r.FailOn(s.Endpoint, "Invalid abiquo.endpoint", fmt.Sprintf("%s: %s.", s.Endpoint.Hint(), err))
		return r.Configured(nil, nil)
	}
	r.KeepOneSource(
		cloud.Method{Name: "OAuth 1.0a", Settings: []*cloud.Value[string]{&s.ConsumerKey, &s.ConsumerSecret, &s.AccessToken, &s.AccessTokenSecret}},
		cloud.Method{Name: "a token", Settings: []*cloud.Value[string]{&s.Token}},
		cloud.Method{Name: "a password", Settings: []*cloud.Value[string]{&s.Password, &s.OTPSecret, &s.OTP}},
	)
	cfg := api.Config{
		HTTP:      s.HTTP(r, req, endpoint),
		Username:  s.Username.V,
		Password:  s.Password.V,
		Token:     s.Token.V,
		OTPSecret: s.OTPSecret.V,
		OTP:       s.OTP.V,
		Version:   s.APIVersion.V,

		ConsumerKey:       s.ConsumerKey.V,
		ConsumerSecret:    s.ConsumerSecret.V,
		AccessToken:       s.AccessToken.V,
		AccessTokenSecret: s.AccessTokenSecret.V,
	}
	oauth := cfg.ConsumerKey != "" || cfg.ConsumerSecret != "" || cfg.AccessToken != "" || cfg.AccessTokenSecret != ""
	if cfg.Token != "" {
		cfg.TokenOrigin = s.Token.From()
	}
	if cfg.Password != "" && cfg.Username == "" {
		r.FailOn(s.Username, "Missing abiquo.username",
			fmt.Sprintf("A password needs the user name it belongs to: set %s.", s.Username.Hint()))
		return r.Configured(nil, nil)
	}
	if !oauth && cfg.Password == "" && cfg.Token == "" && !useStored(r, s, &cfg) {
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

// useStored fills cfg from what `cloudauth login abiquo` stored for the
// endpoint (and user, if one is set): a token, or OAuth 1.0a credentials.
// It reports false, with a problem recorded, when there is neither.
func useStored(r *cloud.Resolver, s *settings, cfg *api.Config) bool {
	login := loginCommand(cfg.HTTP.BaseURL, cfg.Username)
	missing := func(why string) bool {
		r.FailOn(s.Password, "Missing abiquo.password",
			fmt.Sprintf("Abiquo needs a password, a token or OAuth 1.0a credentials, and %s. Set %s (with %s), set %s, or run %s "+
				"(it logs in with your one-time code and stores a token for the provider) or %s (it stores OAuth credentials that do not expire).",
				why, s.Password.Hint(), s.Username.Hint(), s.Token.Hint(), login, strings.TrimSuffix(login, "`")+" --oauth`"))
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
	if cfg.Username == "" {
		cfg.Username = e.Login
	}
	if o := e.OAuth1; o != nil {
		cfg.ConsumerKey, cfg.ConsumerSecret, cfg.AccessToken, cfg.AccessTokenSecret = o.ConsumerKey, o.ConsumerSecret, o.AccessToken, o.AccessTokenSecret
		return true
	}
	cfg.Token = e.Token
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
	// A URL with a password in it is cloud.URLValidator's to report, without
	// the attribute path.
	if _, err := api.CheckEndpoint(req.ConfigValue.ValueString()); err != nil && !httpx.IsURLSecret(err) {
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
		oe     *api.OAuthError
	)
	oauth := strings.TrimSuffix(login, "`") + " --oauth`"
	switch {
	case errors.As(err, &oe):
		return diag.NewErrorDiagnostic("Abiquo OAuth signature refused", fmt.Sprintf(
			"%s.\n\nCheck %s, %s, %s and %s. If the application was removed in Abiquo or its token revoked, run %s again; "+
				"if this computer's clock is off, set it right (NTP).",
			err, s.ConsumerKey.Hint(), s.ConsumerSecret.Hint(), s.AccessToken.Hint(), s.AccessTokenSecret.Hint(), oauth))
	case errors.As(err, &le) && le.Kind == api.RefusedWithoutCode:
		return diag.NewErrorDiagnostic("Abiquo login refused", fmt.Sprintf(
			"%s.\n\nCheck %s and %s. If the user has two-factor authentication, a Terraform run cannot read a code: with an "+
				"authenticator app set %s so that the provider makes a fresh code for every login; with codes sent by email, run %s "+
				"(a token for the next 30 minutes) or %s (OAuth credentials that do not expire) and leave the password unset. "+
				"A refused login is not repeated in the same run, so retries cannot lock the account.",
			err, s.Username.Hint(), s.Password.Hint(), s.OTPSecret.Hint(), login, oauth))
	case errors.As(err, &le) && le.Code == api.CodeFromSecret:
		return diag.NewErrorDiagnostic("Abiquo login with a one-time code refused", fmt.Sprintf(
			"%s.\n\nCheck %s, and that %s is this user's secret from the latest time two-factor authentication was enabled "+
				"(enabling it again makes a new one).",
			err, s.Password.Hint(), s.OTPSecret.Hint()))
	case errors.As(err, &le):
		return diag.NewErrorDiagnostic("Abiquo login with a one-time code refused", fmt.Sprintf(
			"%s.\n\nCheck %s, and put a current code from your authenticator app, or an unused scratch code, in %s. A fixed code "+
				"serves a single Terraform command; for plan and apply set %s, or run %s.",
			err, s.Password.Hint(), s.OTP.Hint(), s.OTPSecret.Hint(), login))
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
