package keystone_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// TestCredentialEnv checks the variables a token goes in for the
// openstack CLI: the project only for a project-scoped token (a domain- or
// system-scoped one has none to rescope to), the region and interface only
// when configured.
func TestCredentialEnv(t *testing.T) {
	t.Parallel()
	f := startEmulator(t)
	demo := func(c keystone.Config) keystone.Config {
		c.AuthURL = f.URL
		c.UserName, c.UserDomainName, c.Password = emulator.KeystoneUser, emulator.KeystoneDomainName, emulator.KeystonePassword
		return c
	}
	token := "\x00token" // stands for the token issued
	for _, tc := range []struct {
		name string
		cfg  keystone.Config
		want []cred.EnvVar
	}{
		{"project scope", demo(keystone.Config{ProjectID: emulator.KeystoneOtherProjectID}), []cred.EnvVar{
			{Name: "OS_AUTH_TYPE", Value: "v3token"}, {Name: "OS_AUTH_URL", Value: f.URL}, {Name: "OS_TOKEN", Value: token},
			{Name: "OS_PROJECT_ID", Value: emulator.KeystoneOtherProjectID},
		}},
		{"domain scope, region and interface", demo(keystone.Config{DomainName: emulator.KeystoneDomainName, Region: emulator.KeystoneRegion, Interface: "internal"}), []cred.EnvVar{
			{Name: "OS_AUTH_TYPE", Value: "v3token"}, {Name: "OS_AUTH_URL", Value: f.URL}, {Name: "OS_TOKEN", Value: token},
			{Name: "OS_REGION_NAME", Value: emulator.KeystoneRegion}, {Name: "OS_INTERFACE", Value: "internal"},
		}},
		{"system scope", demo(keystone.Config{SystemScope: "all"}), []cred.EnvVar{
			{Name: "OS_AUTH_TYPE", Value: "v3token"}, {Name: "OS_AUTH_URL", Value: f.URL}, {Name: "OS_TOKEN", Value: token},
		}},
		{"application credential", appCred(f.URL), []cred.EnvVar{
			{Name: "OS_AUTH_TYPE", Value: "v3token"}, {Name: "OS_AUTH_URL", Value: f.URL}, {Name: "OS_TOKEN", Value: token},
			{Name: "OS_PROJECT_ID", Value: emulator.KeystoneProjectID},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := newClient(t, tc.cfg).Credential(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tc.want)
			for i := range want {
				if want[i].Value == token {
					want[i].Value = c.Token
				}
			}
			if !slices.Equal(c.Env, want) {
				t.Errorf("Env = %v\nwant %v", c.Env, want)
			}

			// The variables alone configure a client that uses the token
			// as it is (a login would bring another) and says the same of
			// it, less what was configured.
			again := newClient(t, keystone.Config{AuthURL: env(c.Env, keystone.EnvAuthURL[0]), Token: env(c.Env, keystone.EnvToken[0])})
			got, err := again.Credential(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			same := slices.DeleteFunc(slices.Clone(c.Env), func(v cred.EnvVar) bool {
				return v.Name == keystone.EnvRegion[0] || v.Name == keystone.EnvInterface[0]
			})
			if got.Token != c.Token || !slices.Equal(got.Env, same) {
				t.Errorf("from the variables: same token %v, Env %v, want %v", got.Token == c.Token, got.Env, same)
			}
		})
	}
}

func env(vars []cred.EnvVar, name string) string {
	for _, v := range vars {
		if v.Name == name {
			return v.Value
		}
	}
	return ""
}
