package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider"
)

// credential gets the token of `cloudauth token`: from the cache while it
// is valid, else by logging in as the provider would, asking a person at
// a terminal for a Keystone passcode when the login needs one.
func (a *app) credential(ctx context.Context, name string, getenv func(string) string, noCache bool) (cred.Credential, error) {
	asked := false
	for {
		target, diags := provider.Resolve(ctx, name, getenv, userAgent())
		if asked {
			diags = diags.Errors() // the warnings were printed the first time
		}
		if err := a.report(diags); err != nil {
			return cred.Credential{}, err
		}
		if target == nil || target.Source == nil {
			return cred.Credential{}, fmt.Errorf("%s was configured without a token source; this is a bug, please report it", name)
		}
		cache := a.cacheFor(name, getenv, target.Source, noCache)
		if c, ok := cache.get(); ok {
			return c, nil
		}
		c, err := target.Source.Credential(ctx)
		if err == nil {
			cache.put(c)
			return c, nil
		}
		if !asked && name == "keystone" && needsPasscode(err, getenv) && a.terminal() {
			code, perr := a.promptSecret(fmt.Sprintf("Keystone passcode (the current code of the authenticator app) for %s: ", mfaUser(err)))
			if perr != nil {
				return cred.Credential{}, fmt.Errorf("reading the passcode: %w", perr)
			}
			if code = strings.TrimSpace(code); code != "" {
				getenv, asked = overlay(getenv, map[string]string{keystone.EnvPasscode[0]: code}), true
				continue
			}
		}
		return cred.Credential{}, a.report(diag.Diagnostics{target.Diagnose(err)})
	}
}

// needsPasscode reports whether a Keystone login failed for want of a
// one-time code that the configuration does not give.
func needsPasscode(err error, getenv func(string) string) bool {
	var mfa *keystone.MFARequiredError
	if !errors.As(err, &mfa) || slices.Contains(mfa.Done, "totp") {
		return false
	}
	for _, v := range append(slices.Clone(keystone.EnvPasscode), keystone.EnvTOTPSecret...) {
		if getenv(v) != "" {
			return false
		}
	}
	for _, rule := range mfa.Rules {
		if slices.Contains(rule, "totp") {
			return true
		}
	}
	return len(mfa.Rules) == 0
}

func mfaUser(err error) string {
	var mfa *keystone.MFARequiredError
	if errors.As(err, &mfa) && mfa.User != "" {
		return mfa.User
	}
	return "the user"
}

// overlay is getenv with some variables set.
func overlay(getenv func(string) string, set map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := set[k]; ok {
			return v
		}
		return getenv(k)
	}
}

// tokenEnv is the environment `cloudauth token` configures the cloud
// from: the process's, with --cloud as OS_CLOUD, and for Cleura Cloud
// without a URL or credentials the one stored token's URL and login, as
// `cloudauth logout cleura` picks it.
func (a *app) tokenEnv(name, cloudFlag string) (func(string) string, error) {
	set := map[string]string{}
	if cloudFlag = strings.TrimSpace(cloudFlag); cloudFlag != "" {
		if name != "keystone" {
			return nil, fmt.Errorf("--cloud names a clouds.yaml entry, for keystone only, not %s", name)
		}
		set[keystone.EnvCloud[0]] = cloudFlag
	}
	if name == "cleura" && a.env(cleura.EnvURL) == "" && a.env(cleura.EnvPassword) == "" && a.env(cleura.EnvToken) == "" {
		if file, err := a.load(); err == nil {
			if e, err := pickCleuraEntry(file, "", strings.TrimSpace(a.env(cleura.EnvUsername))); err == nil {
				set[cleura.EnvURL[0]] = e.URL
				set[cleura.EnvUsername[0]] = e.Login
			}
		}
	}
	return overlay(a.getenv, set), nil
}
