package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
)

// `cloudauth token` keeps a token it logged in for in the credentials file
// and prints it again, without a login, until the client would renew it:
// a script that calls it for every request makes one login per token
// lifetime. --no-cache skips the file. A token whose end the API does not
// say (Cleura Cloud's) is not kept, nor anything when the file is not
// private.

// envPrefixes are the environment variables that configure each cloud for
// `cloudauth token`, by prefix: a change to any of them is another
// configuration, whose token is not the cached one.
var envPrefixes = map[string][]string{
	"keystone": {"OS_"},
	"cleura":   {"CLEURA_"},
	"abiquo":   {"ABQ_"},
	"clc":      {"CLC_"},
}

// secretName reports whether a variable holds a secret: the cache key
// leaves secrets out, so that the file never holds even a digest of a
// password (the token it caches is for the same login either way).
func secretName(name string) bool {
	for _, s := range []string{"PASSWORD", "SECRET", "TOKEN", "PASSCODE", "OTP"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// cacheFormat changes when what a cached entry holds does, so that an
// entry written by an older cloudauth (say, environment variables that no
// longer work) is not printed again.
const cacheFormat = "2"

// tokenCache is the cached token of one cloud and configuration.
type tokenCache struct {
	a     *app
	cloud string
	key   string
	// getenv gives back the secrets a credential's Env passes through,
	// which the file does not keep.
	getenv func(string) string
}

// cacheFor returns the cache of the cloud as getenv configures it, or nil
// when nothing is cached: with --no-cache, or a source that cannot log in
// by itself (it prints the token it was given, with no login to save).
func (a *app) cacheFor(name string, getenv func(string) string, src cred.Source, noCache bool) *tokenCache {
	if noCache || a.environ == nil || !src.CanLogin() {
		return nil
	}
	// The process's variables, and those tokenEnv may set over them
	// (--cloud as OS_CLOUD, a stored Cleura token's URL and login), each
	// with the value getenv gives, which is the one the login used.
	names := slices.Concat(keystone.EnvCloud, cleura.EnvURL, cleura.EnvUsername)
	for _, kv := range a.environ() {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	slices.Sort(names)
	var parts []string
	for _, k := range slices.Compact(names) {
		v := getenv(k)
		if v == "" || secretName(k) {
			continue
		}
		for _, p := range envPrefixes[name] {
			if strings.HasPrefix(k, p) {
				parts = append(parts, k+"="+v)
			}
		}
	}
	if name == "keystone" {
		// clouds.yaml (and secure.yaml) by name, size and time: an edited
		// file is another configuration.
		for _, f := range keystone.CloudsFiles(getenv) {
			for _, p := range []string{f, filepath.Join(filepath.Dir(f), "secure.yaml")} {
				if st, err := os.Stat(p); err == nil {
					parts = append(parts, fmt.Sprintf("file %s %d %d", p, st.Size(), st.ModTime().UnixNano()))
				}
			}
		}
	}
	slices.Sort(parts)
	sum := sha256.Sum256([]byte(cacheFormat + "\n" + name + "\n" + strings.Join(parts, "\n")))
	return &tokenCache{a: a, cloud: credstore.CachePrefix + name, key: hex.EncodeToString(sum[:16]), getenv: getenv}
}

// get returns the cached token while it is valid.
func (tc *tokenCache) get() (cred.Credential, bool) {
	if tc == nil {
		return cred.Credential{}, false
	}
	f, err := tc.a.load()
	if err != nil || f.Warning() != "" {
		return cred.Credential{}, false
	}
	now := tc.a.now()
	for _, e := range f.Entries {
		if e.Cloud != tc.cloud || e.Cached == nil || e.Cached.Key != tc.key || !now.Before(e.Cached.RenewAt) {
			continue
		}
		c := cred.Credential{Token: e.Token, RenewAt: e.Cached.RenewAt, Principal: e.Cached.Principal,
			Endpoint: e.Cached.Endpoint, Headers: e.Cached.Headers, EnvNote: e.Cached.EnvNote}
		if e.ExpiresAt != nil {
			c.ExpiresAt = *e.ExpiresAt
		}
		complete := true
		for _, v := range e.Cached.Env {
			value := v.Value
			if v.Secret {
				// The same variable gave it; without it, log in again.
				value = tc.getenv(v.Name)
				complete = complete && value != ""
			}
			c.Env = append(c.Env, cred.EnvVar{Name: v.Name, Value: value, Unset: v.Unset, Secret: v.Secret})
		}
		if complete {
			return c, true
		}
	}
	return cred.Credential{}, false
}

// renewAt is when a cached token stops being printed: when the client
// would renew it, else a minute before it expires; zero when the API does
// not say when it ends.
func renewAt(c cred.Credential) time.Time {
	switch {
	case !c.RenewAt.IsZero():
		return c.RenewAt
	case !c.ExpiresAt.IsZero():
		return c.ExpiresAt.Add(-time.Minute)
	}
	return time.Time{}
}

// put keeps a new token, in place of the cloud's tokens that are no longer
// valid. A file that cannot take it costs the next call a login, and a
// warning says why.
func (tc *tokenCache) put(c cred.Credential) {
	renew := renewAt(c)
	if tc == nil || renew.IsZero() || !tc.a.now().Before(renew) {
		return
	}
	if f, err := tc.a.load(); err == nil && f.Warning() != "" {
		return // not private: the token is not written to it
	}
	expires := c.ExpiresAt
	e := credstore.Entry{Cloud: tc.cloud, URL: c.Endpoint, Login: c.Principal, Token: c.Token, StoredAt: tc.a.now().UTC(), ExpiresAt: &expires,
		Cached: &credstore.Cached{Key: tc.key, Principal: c.Principal, Endpoint: c.Endpoint, Headers: c.Headers, EnvNote: c.EnvNote, RenewAt: renew}}
	for _, v := range c.Env {
		kept := credstore.EnvVar{Name: v.Name, Value: v.Value, Unset: v.Unset, Secret: v.Secret}
		if v.Secret {
			// A secret the user gave in this variable is read from it
			// again: the file holds tokens, not long-lived secrets.
			kept.Value = ""
		}
		e.Cached.Env = append(e.Cached.Env, kept)
	}
	now := tc.a.now()
	if _, err := tc.a.update(func(f *credstore.File) error {
		f.Entries = slices.DeleteFunc(f.Entries, func(old credstore.Entry) bool {
			return old.Cloud == tc.cloud && (old.Cached == nil || !now.Before(old.Cached.RenewAt))
		})
		f.Put(e)
		return nil
	}); err != nil {
		fmt.Fprintf(tc.a.stderr, "warning: the token is not kept for the next call (%v); the next call logs in again.\n", err)
	}
}
