// Package clc is CenturyLink Cloud on the Terraform side: the provider's
// clc block, its Configure, the cloudauth_clc_root_group data source, and
// the diagnostics for the client's errors.
package clc

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"

	api "github.com/cloudauth/terraform-provider-cloudauth/internal/clients/clc"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
)

// Name is the block's name and cloudauth_token's cloud value.
const Name = "clc"

const title = "CenturyLink Cloud"

// Cloud registers CenturyLink Cloud with the provider.
type Cloud struct{}

var _ cloud.Cloud = Cloud{}

// settings are the clc block's values after the environment and defaults.
type settings struct {
	URL          cloud.Value[string]
	Username     cloud.Value[string]
	Password     cloud.Value[string]
	Token        cloud.Value[string]
	AccountAlias cloud.Value[string]
	cloud.Transport
}

var block = &cloud.Block[settings]{
	Name:  Name,
	Title: title,
	Description: "CenturyLink Cloud API v2. The provider logs in with `POST /v2/authentication/login`, or takes a " +
		"bearer token given in `token`, and sends the token (valid for up to two weeks) as `Authorization: Bearer ...`.",
	Attrs: append([]cloud.Attr[settings]{
		cloud.String("url", func(s *settings) *cloud.Value[string] { return &s.URL },
			"Base URL of the API, without `/v2`.").Env(api.EnvURL...).Default(api.DefaultURL).Validate(cloud.URLValidator()),
		cloud.String("username", func(s *settings) *cloud.Value[string] { return &s.Username },
			"Control Portal user name.").Env(api.EnvUsername...),
		cloud.String("password", func(s *settings) *cloud.Value[string] { return &s.Password },
			"Control Portal password.").Env(api.EnvPassword...).Sensitive(),
		cloud.String("token", func(s *settings) *cloud.Value[string] { return &s.Token },
			"A bearer token from an earlier login (for example `cloudauth token clc`), used instead of logging in once the API "+
				"has accepted it. A token of the API is a JWT that names its user, account and data center, and lasts two weeks; "+
				"with `username` and `password` as well, the provider logs in when the token has ended or the API refuses it.").
			Env(api.EnvBearerToken...).Sensitive(),
		cloud.String("account_alias", func(s *settings) *cloud.Value[string] { return &s.AccountAlias },
			"Account to read; default: the account of the user who logs in.").Env(api.EnvAccountAlias...),
	}, cloud.TransportAttrs(func(s *settings) *cloud.Transport { return &s.Transport }, cloud.TransportEnv{})...),
	Triggers: slices.Concat(api.EnvUsername, api.EnvBearerToken),
	Setup: "Add `clc { username = ..., password = ... }` to the provider configuration, or set CLC_USERNAME and " +
		"CLC_PASSWORD (CLC_V2_API_USERNAME and CLC_V2_API_PASSWD are read too), or CLC_BEARER_TOKEN.",
}

// Name implements cloud.Cloud.
func (Cloud) Name() string { return Name }

// Title implements cloud.Cloud.
func (Cloud) Title() string { return title }

// Block implements cloud.Cloud.
func (Cloud) Block() schema.Block { return block.Schema() }

// TokenHeaders implements cloud.Cloud.
func (Cloud) TokenHeaders() string { return "`Authorization = \"Bearer ...\"` (CenturyLink Cloud)" }

// DataSources implements cloud.Cloud.
func (Cloud) DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{newRootGroupDataSource}
}

// Configure implements cloud.Cloud.
func (Cloud) Configure(ctx context.Context, req cloud.ConfigureRequest) *cloud.State {
	s, r := block.Resolve(ctx, req)
	if !r.Triggered(block.Triggers...) {
		return r.NotConfigured()
	}
	r.KeepOneSource(
		cloud.Method{Name: "a token", Settings: []*cloud.Value[string]{&s.Token}},
		cloud.Method{Name: "a password", Settings: []*cloud.Value[string]{&s.Username, &s.Password}},
	)
	if s.Token.V == "" || s.Password.V != "" {
		if s.Username.V == "" {
			r.FailOn(s.Username, "Missing clc.username", fmt.Sprintf("CenturyLink Cloud needs the Control Portal user name: set %s.", s.Username.Hint()))
		}
		if s.Password.V == "" {
			r.FailOn(s.Password, "Missing clc.password", fmt.Sprintf("CenturyLink Cloud needs the user's password: set %s, or give a bearer token in %s.",
				s.Password.Hint(), s.Token.Hint()))
		}
	}
	hc := s.HTTP(r, req, s.CheckURL(r, s.URL))
	if r.Failed() {
		return r.Configured(nil, nil)
	}
	c, err := api.New(api.Config{HTTP: hc, Username: s.Username.V, Password: s.Password.V,
		Token: s.Token.V, TokenOrigin: s.Token.From(), AccountAlias: s.AccountAlias.V})
	if err != nil {
		cloud.ConfigError(r, block, s, err, "")
		return r.Configured(nil, nil)
	}
	return r.Configured(c, &cloud.TokenTarget{Source: c, Diagnose: func(err error) diag.Diagnostic {
		return diagnose(err, "Cannot get a CenturyLink Cloud token")
	}})
}

// loginHint says what to check after a refused login.
var loginHint = func() string {
	s := block.Blank()
	return fmt.Sprintf("Check %s and %s.", s.Username.Hint(), s.Password.Hint())
}()

// diagnose turns a client error into a diagnostic; summary is the title
// for errors no case here knows.
func diagnose(err error, summary string) diag.Diagnostic {
	var (
		login    *api.LoginError
		rejected *api.TokenRejectedError
		unnamed  *api.UnnamedError
	)
	switch {
	case errors.As(err, &rejected) && rejected.Cause != nil:
		return diag.NewErrorDiagnostic("CenturyLink Cloud login failed", fmt.Sprintf("%s\n\n%s", err, loginHint))
	case errors.As(err, &rejected):
		s := block.Blank()
		return diag.NewErrorDiagnostic("CenturyLink Cloud token refused", fmt.Sprintf(
			"%s.\n\nGet a new token (`cloudauth token clc` prints one) and set it in %s. To have the provider log in by itself instead, "+
				"give it %s and %s where the token is given (the provider block, or the environment): settings of a lower source than "+
				"the one that gives the token are not used.",
			err, s.Token.Hint(), s.Username.Hint(), s.Password.Hint()))
	case errors.As(err, &login):
		return diag.NewErrorDiagnostic("CenturyLink Cloud login failed", fmt.Sprintf("%s\n\n%s", err, loginHint))
	case errors.As(err, &unnamed) && unnamed.NotJWT:
		s := block.Blank()
		return diag.NewErrorDiagnostic("Malformed CenturyLink Cloud token", fmt.Sprintf(
			"%s.\n\nSet %s to the whole token, as `cloudauth token clc` or the API's login prints it (without quotes), "+
				"or give %s and %s to have the provider log in. If the token is meant to name nothing, set `account_alias` "+
				"and `data_center` on the data source.",
			err, s.Token.Hint(), s.Username.Hint(), s.Password.Hint()))
	case errors.As(err, &unnamed):
		hint := "Set `data_center` on the data source."
		if unnamed.What == "account" {
			hint = fmt.Sprintf("Set `account_alias` on the data source, or %s.", block.Blank().AccountAlias.Hint())
		}
		return diag.NewErrorDiagnostic(summary, fmt.Sprintf("%s.\n\n%s", err, hint))
	}
	return cloud.Fallback(summary, title, block.Blank().URL, err)
}
