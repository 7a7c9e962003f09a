package keystone_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/totp"
)

// Logins against a real Keystone started by `scripts/keystone-up.sh
// --totp DIR` (then `set -a; . DIR/env; set +a`). Skipped unless its
// KS_* variables are set.

func realMFAEnv(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, k := range []string{"KS_AUTH_URL", "KS_USER", "KS_PASSWORD", "KS_USER_DOMAIN_NAME", "KS_PROJECT", "KS_PROJECT_DOMAIN_NAME",
		"KS_TOTP_USER", "KS_TOTP_USER_ID", "KS_TOTP_PASSWORD", "KS_TOTP_SECRET"} {
		env[k] = os.Getenv(k)
		if env[k] == "" {
			t.Skipf("%s is not set: start a real Keystone with scripts/keystone-up.sh --totp DIR and source DIR/env", k)
		}
	}
	return env
}

// postCounter counts the POST attempts a client makes.
type postCounter struct{ n atomic.Int32 }

func (p *postCounter) Log(_ context.Context, _ httpx.Level, msg string, f map[string]any) {
	if msg == "HTTP request" && f["method"] == "POST" {
		p.n.Add(1)
	}
}

func realClient(t *testing.T, cfg keystone.Config) (*keystone.Client, *postCounter) {
	t.Helper()
	posts := &postCounter{}
	cfg.HTTP = httpx.Config{Logger: posts, MaxRetries: 2}
	c, err := keystone.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, posts
}

func TestRealKeystoneMultiFactor(t *testing.T) {
	env := realMFAEnv(t)
	mfa := func(c keystone.Config) keystone.Config {
		c.AuthURL = env["KS_AUTH_URL"]
		c.UserName, c.UserDomainName, c.Password = env["KS_TOTP_USER"], env["KS_USER_DOMAIN_NAME"], env["KS_TOTP_PASSWORD"]
		c.ProjectName, c.ProjectDomainName = env["KS_PROJECT"], env["KS_PROJECT_DOMAIN_NAME"]
		return c
	}
	check := func(t *testing.T, tok *keystone.Token, posts *postCounter, want int32) {
		t.Helper()
		if got := slices.Sorted(slices.Values(tok.Methods)); !slices.Equal(got, []string{"password", "totp"}) {
			t.Errorf("methods = %v", tok.Methods)
		}
		if tok.User.ID != env["KS_TOTP_USER_ID"] || tok.Project == nil || tok.Project.Name != env["KS_PROJECT"] || len(tok.Catalog) == 0 {
			t.Errorf("token: user %+v project %+v, %d services", tok.User, tok.Project, len(tok.Catalog))
		}
		if n := posts.n.Load(); n != want {
			t.Errorf("POSTs = %d, want %d", n, want)
		}
	}

	t.Run("password and a code from the secret, in one request", func(t *testing.T) {
		c, posts := realClient(t, mfa(keystone.Config{TOTPSecret: env["KS_TOTP_SECRET"]}))
		tok, err := c.Login(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		check(t, tok, posts, 1)
	})

	t.Run("password, then the passcode with the receipt", func(t *testing.T) {
		k, err := totp.Parse(env["KS_TOTP_SECRET"])
		if err != nil {
			t.Fatal(err)
		}
		c, posts := realClient(t, mfa(keystone.Config{Passcode: k.Code(time.Now())}))
		tok, err := c.Login(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		check(t, tok, posts, 2)
		_, err = c.Relogin(context.Background())
		var spent *keystone.PasscodeSpentError
		if !errors.As(err, &spent) {
			t.Errorf("second login with the same passcode: %v", err)
		}
	})

	t.Run("no code: a typed error naming the rule", func(t *testing.T) {
		c, posts := realClient(t, mfa(keystone.Config{}))
		_, err := c.Login(context.Background())
		var me *keystone.MFARequiredError
		if !errors.As(err, &me) || len(me.Rules) != 1 || !slices.Equal(slices.Sorted(slices.Values(me.Rules[0])), []string{"password", "totp"}) ||
			!slices.Equal(me.Done, []string{"password"}) || me.User != env["KS_TOTP_USER"] {
			t.Fatalf("err = %v, want an MFARequiredError for [password totp]", err)
		}
		if posts.n.Load() != 1 {
			t.Errorf("POSTs = %d, want 1", posts.n.Load())
		}
		t.Log(err)
	})

	t.Run("a wrong code from another secret", func(t *testing.T) {
		c, _ := realClient(t, mfa(keystone.Config{TOTPSecret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}))
		_, err := c.Login(context.Background())
		var le *keystone.LoginError
		if !errors.As(err, &le) || le.Err.StatusCode != 401 || le.Code != keystone.CodeFromSecret {
			t.Fatalf("err = %v, want a 401 LoginError", err)
		}
	})

	t.Run("system scope", func(t *testing.T) {
		c, _ := realClient(t, keystone.Config{AuthURL: env["KS_AUTH_URL"], UserName: env["KS_USER"], DefaultDomain: "default",
			Password: env["KS_PASSWORD"], SystemScope: "all"})
		tok, err := c.Login(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tok.Scope() != "system" || tok.System == nil || !tok.System.All || len(tok.Roles) == 0 {
			t.Errorf("scope %q, system %+v, roles %+v", tok.Scope(), tok.System, tok.Roles)
		}
	})
}
