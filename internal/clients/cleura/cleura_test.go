package cleura_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

type env struct {
	e   *emulator.Emulator
	url string
}

// start serves the emulator; api, when given, is the only auth API
// generation it serves ("v1" or "v2").
func start(t *testing.T, api ...string) *env {
	t.Helper()
	e := emulator.New()
	for _, a := range api {
		if err := e.SetCleuraAuthAPI(a); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &env{e: e, url: srv.URL + "/cleura"}
}

// servers are the kinds of server a client with the default setting must
// work with: the emulator as it starts (both generations), and servers
// that have only one.
var servers = []struct {
	name, api string
	// speaks is the generation the default client settles on; probe is
	// the extra request its first auth call costs.
	speaks string
	probe  int
}{
	{"both generations", emulator.CleuraAuthBoth, cleura.AuthV2, 0},
	{"v2 only", emulator.CleuraAuthV2, cleura.AuthV2, 0},
	{"v1 only", emulator.CleuraAuthV1, cleura.AuthV1, 1},
}

func (v *env) client(t *testing.T, cfg cleura.Config) *cleura.Client {
	t.Helper()
	cfg.HTTP = httpx.Config{BaseURL: v.url, MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond}
	c, err := cleura.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// smsLogin runs the three SMS steps for the two-factor account and returns
// the token, reading the code the way a person reads their phone.
func (v *env) smsLogin(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Password: emulator.CleuraSMSPassword})
	ans, err := c.CreateToken(ctx, cleura.TwoFactorSMS)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Result != cleura.ResultTwoFactorRequired || ans.Type != "sms" || len(ans.Verification) != 10 {
		t.Fatalf("answer = %+v", ans)
	}
	if err := c.RequestSMSCode(ctx, ans.Verification); err != nil {
		t.Fatal(err)
	}
	code, ok := v.e.CleuraSMSCode(emulator.CleuraSMSUser)
	if !ok {
		t.Fatal("no SMS was sent")
	}
	n, err := cleura.ParseCode(code)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.VerifySMSCode(ctx, ans.Verification, n)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestPasswordLoginAndDomains(t *testing.T) {
	t.Parallel()
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			v := start(t, srv.api)
			c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
			if _, err := c.Domains(context.Background()); err != nil {
				t.Fatal(err)
			}
			if c.AuthAPI() != srv.speaks || v.e.CleuraAuthRequests(srv.speaks) != 1 {
				t.Errorf("speaks %q, %d requests to %s", c.AuthAPI(), v.e.CleuraAuthRequests(srv.speaks), srv.speaks)
			}
			if v.e.Logins("cleura") != 1 || v.e.Requests("cleura") != 2+srv.probe || v.e.Requests("cleura.unknown") != srv.probe {
				t.Errorf("logins = %d, requests = %v", v.e.Logins("cleura"), v.e.Counters().Requests)
			}
		})
	}
}

func TestDomainsAsDocumented(t *testing.T) {
	t.Parallel()
	v := start(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
	list, err := c.Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 {
		t.Fatalf("domains = %d, want the seed's 5", len(list))
	}
	yes := true
	want := cleura.Domain{
		ID: "79b0cef45b504586ad0bf057dc4cb8b8", Name: "CCP_Domain_43597", Status: "provisioned", Enabled: &yes,
		Area: cleura.Area{ID: "6", Name: "Sweden / Stockholm", Tag: "SE_STO2", Regions: []cleura.Region{
			{ZoneID: "2", Name: "Stockholm / Sweden", Status: "active", Region: "Sto2"},
		}},
	}
	if !reflect.DeepEqual(list[0], want) {
		t.Errorf("first domain = %+v\nwant %+v", list[0], want)
	}
	jp := list[1]
	if jp.Status != "available" || jp.ID != "" || jp.Name != "" || jp.Enabled != nil || jp.Area.Tag != "JP" || jp.Area.Regions[0].Region != "tky1" {
		t.Errorf("available area = %+v", jp)
	}
	if v.e.Logins("cleura") != 1 || v.e.Requests("cleura.login") != 1 {
		t.Errorf("logins = %d, login requests = %d", v.e.Logins("cleura"), v.e.Requests("cleura.login"))
	}
}

func TestIdenticalReadsShareOneLoginAndOneRequest(t *testing.T) {
	t.Parallel()
	v := start(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Domains(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if v.e.Requests("cleura.login") != 1 || v.e.Requests("cleura.domains") != 1 {
		t.Errorf("login requests = %d, domain reads = %d; want 1 and 1", v.e.Requests("cleura.login"), v.e.Requests("cleura.domains"))
	}
}

func TestSMSTokenWorksWithItsLoginOnly(t *testing.T) {
	t.Parallel()
	v := start(t)
	tok := v.smsLogin(t)
	if len(tok) != 32 {
		t.Fatalf("token length = %d", len(tok))
	}
	c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Token: tok})
	list, err := c.Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != "b7c3998142f0496aa3582d8a3ae9ae1e" {
		t.Fatalf("domains = %+v", list)
	}
	if v.e.Logins("cleura") != 1 || v.e.Requests("cleura.login") != 1 {
		t.Errorf("a given token caused a login: %d", v.e.Requests("cleura.login"))
	}
	// The API checks login and token as a pair.
	other := v.client(t, cleura.Config{Username: emulator.CleuraUser, Token: tok})
	if err := other.Validate(context.Background(), tok); !cleura.IsInvalidToken(err) {
		t.Errorf("another login's token validated: %v", err)
	}
	if err := c.Validate(context.Background(), tok); err != nil {
		t.Errorf("validate: %v", err)
	}
}

func TestCredentialHeaders(t *testing.T) {
	t.Parallel()
	v := start(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
	cred, err := c.Credential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"X-AUTH-LOGIN": emulator.CleuraUser, "X-AUTH-TOKEN": cred.Token}
	if !reflect.DeepEqual(cred.Headers, want) || len(cred.Token) != 32 {
		t.Errorf("headers = %v", cred.Headers)
	}
	if !cred.ExpiresAt.IsZero() || cred.Principal != emulator.CleuraUser || cred.Endpoint != v.url {
		t.Errorf("credential = %+v", cred)
	}
	again, err := c.Relogin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if again.Token == cred.Token || v.e.Logins("cleura") != 2 {
		t.Errorf("relogin kept the token or did not log in: logins = %d", v.e.Logins("cleura"))
	}
}

func TestCredentialValidatesAGivenTokenOnce(t *testing.T) {
	t.Parallel()
	v := start(t)
	tok := v.smsLogin(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Token: tok, TokenOrigin: "the credentials file"})
	for i := 0; i < 3; i++ {
		cred, err := c.Credential(context.Background())
		if err != nil || cred.Token != tok {
			t.Fatalf("credential = %v, %v", cred.Token == tok, err)
		}
	}
	if got := v.e.Requests("cleura.validate"); got != 1 {
		t.Errorf("validations = %d, want 1", got)
	}
	v.e.RevokeAll("cleura")
	c2 := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Token: tok, TokenOrigin: "the credentials file"})
	_, err := c2.Credential(context.Background())
	var tr *cleura.TokenRejectedError
	if !errors.As(err, &tr) || tr.Origin != "the credentials file" || !errors.Is(err, httpx.ErrNeedsNewCredential) {
		t.Fatalf("err = %v", err)
	}
	if _, err := c2.Relogin(context.Background()); !errors.As(err, &tr) {
		t.Errorf("relogin without a password: %v", err)
	}
}

func TestRejectedTokenWithoutPassword(t *testing.T) {
	t.Parallel()
	v := start(t)
	tok := v.smsLogin(t)
	v.e.RevokeAll("cleura")
	c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Token: tok, TokenOrigin: "CLEURA_API_TOKEN"})
	_, err := c.Domains(context.Background())
	var tr *cleura.TokenRejectedError
	if !errors.As(err, &tr) {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "from CLEURA_API_TOKEN") || !strings.Contains(msg, "no password") || strings.Contains(msg, tok) {
		t.Errorf("message = %q", msg)
	}
	// Remembered: a second read does not ask the API again.
	before := v.e.Requests("cleura")
	if _, err := c.Domains(context.Background()); !errors.As(err, &tr) {
		t.Errorf("second read: %v", err)
	}
	if v.e.Requests("cleura") != before {
		t.Errorf("the refused token was sent again")
	}
}

func TestRejectedTokenIsReplacedByOneLogin(t *testing.T) {
	t.Parallel()
	v := start(t)
	old := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
	cred, err := old.Credential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v.e.RevokeAll("cleura")
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword, Token: cred.Token})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Domains(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := v.e.Logins("cleura"); got != 2 {
		t.Errorf("logins = %d, want 2 (the old client's and one re-login)", got)
	}
	if got := v.e.Requests("cleura.domains"); got != 2 {
		t.Errorf("domain reads = %d, want 2 (refused, repeated)", got)
	}
}

func TestRejectedTokenOfTwoFactorAccountWithPassword(t *testing.T) {
	t.Parallel()
	v := start(t)
	tok := v.smsLogin(t)
	v.e.RevokeAll("cleura")
	c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Password: emulator.CleuraSMSPassword, Token: tok, TokenOrigin: "the credentials file"})
	_, err := c.Domains(context.Background())
	var (
		tr *cleura.TokenRejectedError
		tf *cleura.TwoFactorRequiredError
	)
	if !errors.As(err, &tr) || !errors.As(err, &tf) {
		t.Fatalf("err = %v", err)
	}
}

func TestTwoFactorAccountWithPasswordOnly(t *testing.T) {
	t.Parallel()
	// v1 names the second factor; v2 lists the options when asked for
	// none [INF, the emulator's choice for v1].
	for api, want := range map[string]cleura.TwoFactorRequiredError{
		cleura.AuthV1: {Login: emulator.CleuraSMSUser, Type: "sms"},
		cleura.AuthV2: {Login: emulator.CleuraSMSUser, Options: []string{"sms"}},
	} {
		t.Run(api, func(t *testing.T) {
			t.Parallel()
			v := start(t)
			c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Password: emulator.CleuraSMSPassword, AuthAPI: api})
			for i := 0; i < 3; i++ {
				_, err := c.Domains(context.Background())
				var tf *cleura.TwoFactorRequiredError
				if !errors.As(err, &tf) || !reflect.DeepEqual(*tf, want) || !strings.Contains(err.Error(), "two-factor authentication (sms)") {
					t.Fatalf("err = %#v", err)
				}
			}
			if got := v.e.Requests("cleura.login"); got != 1 {
				t.Errorf("login requests = %d, want 1 (remembered)", got)
			}
			if got := v.e.Requests("cleura.request2facode"); got != 0 {
				t.Errorf("the provider path sent an SMS")
			}
		})
	}
}

func TestWrongPassword(t *testing.T) {
	t.Parallel()
	v := start(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: "not-the-password-42"})
	_, err := c.Domains(context.Background())
	var le *cleura.LoginError
	if !errors.As(err, &le) || le.Message != "Login failed" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "not-the-password-42") {
		t.Errorf("password in the error: %v", err)
	}
	_, _ = c.Domains(context.Background())
	if got := v.e.Requests("cleura.login"); got != 1 {
		t.Errorf("a refused login was repeated: %d", got)
	}
}

func TestNoAccessIsNotATokenProblem(t *testing.T) {
	t.Parallel()
	v := start(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraLimitedUser, Password: emulator.CleuraLimitedPassword})
	_, err := c.Domains(context.Background())
	var ae *cleura.AccessError
	if !errors.As(err, &ae) || !strings.HasPrefix(ae.Message, "No access") {
		t.Fatalf("err = %v", err)
	}
	if v.e.Logins("cleura") != 1 || v.e.Requests("cleura.domains") != 1 {
		t.Errorf("a missing privilege caused a re-login: logins=%d reads=%d", v.e.Logins("cleura"), v.e.Requests("cleura.domains"))
	}
}

func TestSMSCodeErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	begin := func(t *testing.T, v *env) (*cleura.Client, string, int64) {
		c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Password: emulator.CleuraSMSPassword})
		ans, err := c.CreateToken(ctx, cleura.TwoFactorSMS)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.RequestSMSCode(ctx, ans.Verification); err != nil {
			t.Fatal(err)
		}
		code, _ := v.e.CleuraSMSCode(emulator.CleuraSMSUser)
		n, _ := strconv.ParseInt(code, 10, 64)
		return c, ans.Verification, n
	}
	wrong := func(n int64) int64 {
		if n == 999999 {
			return 100000
		}
		return n + 1
	}
	t.Run("wrong code, then the right one", func(t *testing.T) {
		t.Parallel()
		v := start(t)
		c, ver, n := begin(t, v)
		_, err := c.VerifySMSCode(ctx, ver, wrong(n))
		var ce *cleura.CodeRejectedError
		if !errors.As(err, &ce) || ce.Expired {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), ver) || strings.Contains(err.Error(), strconv.FormatInt(n, 10)) {
			t.Errorf("a secret in the error: %v", err)
		}
		if _, err := c.VerifySMSCode(ctx, ver, n); err != nil {
			t.Errorf("the right code after a wrong one: %v", err)
		}
	})
	t.Run("expired code", func(t *testing.T) {
		t.Parallel()
		v := start(t)
		c, ver, n := begin(t, v)
		v.e.Advance(emulator.CleuraCodeLifetime + time.Second)
		_, err := c.VerifySMSCode(ctx, ver, n)
		var ce *cleura.CodeRejectedError
		if !errors.As(err, &ce) || !ce.Expired {
			t.Fatalf("err = %v", err)
		}
		if _, err := c.VerifySMSCode(ctx, ver, n); !errors.As(err, new(*cleura.VerificationError)) {
			t.Errorf("the verification outlived its expired code: %v", err)
		}
	})
	t.Run("too many wrong codes end the verification", func(t *testing.T) {
		t.Parallel()
		v := start(t)
		c, ver, n := begin(t, v)
		for i := 0; i < emulator.CleuraCodeAttempts; i++ {
			if _, err := c.VerifySMSCode(ctx, ver, wrong(n)); !errors.As(err, new(*cleura.CodeRejectedError)) {
				t.Fatalf("try %d: %v", i, err)
			}
		}
		if _, err := c.VerifySMSCode(ctx, ver, n); !errors.As(err, new(*cleura.VerificationError)) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unknown verification", func(t *testing.T) {
		t.Parallel()
		v := start(t)
		c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Password: emulator.CleuraSMSPassword})
		err := c.RequestSMSCode(ctx, "ahb4en3cho")
		var ve *cleura.VerificationError
		if !errors.As(err, &ve) || strings.Contains(err.Error(), "ahb4en3cho") {
			t.Fatalf("err = %v", err)
		}
		if _, err := c.VerifySMSCode(ctx, "ahb4en3cho", 123456); !errors.As(err, &ve) {
			t.Errorf("verify: %v", err)
		}
	})
}

func TestLoginWithoutTwoFactorMethod(t *testing.T) {
	t.Parallel()
	for api, want := range map[string]string{cleura.AuthV1: cleura.ResultTwoFactorRequired, cleura.AuthV2: cleura.ResultTwoFactorOptions} {
		t.Run(api, func(t *testing.T) {
			t.Parallel()
			v := start(t)
			c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Password: emulator.CleuraSMSPassword, AuthAPI: api})
			ans, err := c.CreateToken(context.Background(), "")
			if err != nil || ans.Result != want || (want == cleura.ResultTwoFactorRequired) != (ans.Verification != "") {
				t.Fatalf("ans = %+v, %v", ans, err)
			}
			plain := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword, AuthAPI: api})
			ans, err = plain.CreateToken(context.Background(), cleura.TwoFactorSMS)
			if err != nil || ans.Result != cleura.ResultLoginOK || ans.Token == "" {
				t.Fatalf("an account without 2FA asked for sms: %+v, %v", ans, err)
			}
			if v.e.CleuraAuthRequests(api) != 2 {
				t.Errorf("%s requests = %d", api, v.e.CleuraAuthRequests(api))
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	v := start(t)
	ctx := context.Background()
	tok := v.smsLogin(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Token: tok})
	if err := c.Validate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(ctx, tok); !cleura.IsInvalidToken(err) {
		t.Errorf("validate after revoke: %v", err)
	}
	// A token that is no longer valid is as good as revoked.
	if err := c.Revoke(ctx, tok); err != nil {
		t.Errorf("second revoke: %v", err)
	}
}

func TestRevokeCurrentToken(t *testing.T) {
	t.Parallel()
	v := start(t)
	ctx := context.Background()
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
	if err := c.Revoke(ctx, ""); err == nil {
		t.Fatal("revoked a token that does not exist yet")
	}
	cred, err := c.Credential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(ctx, cred.Token); !cleura.IsInvalidToken(err) {
		t.Errorf("still valid: %v", err)
	}
	again, err := c.Credential(ctx)
	if err != nil || again.Token == cred.Token {
		t.Errorf("no new token after revoking the current one: %v", err)
	}
}

func TestIsInvalidToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want bool
	}{
		{&httpx.APIError{StatusCode: 403, Message: "Invalid token"}, true},
		{&httpx.APIError{StatusCode: 401}, true},
		{&httpx.APIError{StatusCode: 401, Message: "Unauthorized"}, true},
		{&httpx.APIError{StatusCode: 403, Message: "No access: Your user does not have access to this method."}, false},
		{&httpx.APIError{StatusCode: 403, Message: "Token expired"}, true},
		// Without a readable message, as cleura-cli reads it: the token.
		{&httpx.APIError{StatusCode: 403}, true},
		{&httpx.APIError{StatusCode: 403, Snippet: "<html><body>403 Forbidden</body></html>"}, true},
		{&httpx.APIError{StatusCode: 403, Message: "  "}, true},
		{fmt.Errorf("wrapped: %w", &httpx.APIError{StatusCode: 401}), true},
		{&httpx.APIError{StatusCode: 404, Message: "token not found"}, false},
		{errors.New("Invalid token"), false},
	}
	for _, tc := range cases {
		if got := cleura.IsInvalidToken(tc.err); got != tc.want {
			t.Errorf("%v: got %v", tc.err, got)
		}
	}
}

func TestParseCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"123456": 123456, " 123 456\n": 123456, "012345": 12345} {
		if got, err := cleura.ParseCode(in); err != nil || got != want {
			t.Errorf("%q: %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "12", "12345a", "\"123456\"", "123456789012"} {
		_, err := cleura.ParseCode(in)
		if err == nil {
			t.Errorf("%q accepted", in)
		} else if in != "" && strings.Contains(err.Error(), strings.Trim(in, `"`)) {
			t.Errorf("%q repeated in %v", in, err)
		}
	}
}

func TestNewChecksSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg  cleura.Config
		attr string
	}{
		{cleura.Config{Password: "x"}, "username"},
		{cleura.Config{Username: "u"}, "password"},
		{cleura.Config{Username: "u", Password: "p", HTTP: httpx.Config{BaseURL: "ftp://x"}}, "url"},
	}
	for _, tc := range cases {
		_, err := cleura.New(tc.cfg)
		var ce *httpx.ConfigError
		if !errors.As(err, &ce) || ce.Attribute != tc.attr {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
}

func TestBrokenAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault emulator.Fault
		want  string
	}{
		{emulator.Fault{Route: "cleura.login", Kind: "html"}, "HTTP 502"},
		{emulator.Fault{Route: "cleura.login", Kind: "malformed"}, "not the expected JSON"},
		{emulator.Fault{Route: "cleura.domains", Kind: "wrong-type"}, "not the expected JSON"},
		{emulator.Fault{Route: "cleura.domains", Kind: "truncated"}, "cut off"},
	}
	for _, tc := range cases {
		t.Run(tc.fault.Route+" "+tc.fault.Kind, func(t *testing.T) {
			t.Parallel()
			v := start(t)
			v.e.InjectFault(tc.fault)
			c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword})
			_, err := c.Domains(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), emulator.CleuraPassword) {
				t.Errorf("password in the error: %v", err)
			}
		})
	}
}

// captureLog keeps every debug and trace line the HTTP stack writes.
type captureLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLog) Log(_ context.Context, _ httpx.Level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, msg+" "+fmt.Sprint(fields))
}

func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	for api, verify := range map[string]string{cleura.AuthV1: "verify2fa", cleura.AuthV2: "tokens-by-sms-code"} {
		t.Run(api, func(t *testing.T) { t.Parallel(); logsHoldNoSecrets(t, api, verify) })
	}
}

func logsHoldNoSecrets(t *testing.T, api, verifyPath string) {
	v := start(t)
	ctx := context.Background()
	log := &captureLog{}
	c, err := cleura.New(cleura.Config{
		HTTP:     httpx.Config{BaseURL: v.url, Logger: log},
		Username: emulator.CleuraSMSUser, Password: emulator.CleuraSMSPassword, AuthAPI: api,
	})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := c.CreateToken(ctx, cleura.TwoFactorSMS)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RequestSMSCode(ctx, ans.Verification); err != nil {
		t.Fatal(err)
	}
	code, _ := v.e.CleuraSMSCode(emulator.CleuraSMSUser)
	n, _ := strconv.ParseInt(code, 10, 64)
	tok, err := c.VerifySMSCode(ctx, ans.Verification, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(ctx, tok); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(log.lines, "\n")
	if len(log.lines) < 10 || !strings.Contains(all, verifyPath) || !strings.Contains(all, "request body") {
		t.Fatalf("the log is not what was expected:\n%s", all)
	}
	for _, secret := range []string{emulator.CleuraSMSPassword, ans.Verification, code, tok} {
		if strings.Contains(all, secret) {
			t.Errorf("a secret of %d characters is in the log:\n%s", len(secret), all)
		}
	}
}

// A refused token whose replacement login fails for a passing reason (a
// 502) is tried again on the next call, not remembered for the process.
func TestRejectedTokenThenTransientFailureIsRetried(t *testing.T) {
	t.Parallel()
	v := start(t)
	ctx := context.Background()
	c := v.client(t, cleura.Config{Username: emulator.CleuraUser, Password: emulator.CleuraPassword, Token: "not-a-valid-token-000000000000"})
	v.e.InjectFault(emulator.Fault{Route: "cleura.login", Status: 502, Times: 10})
	_, err := c.Domains(ctx)
	var rejected *cleura.TokenRejectedError
	if !errors.As(err, &rejected) || rejected.Permanent() || errors.Is(err, httpx.ErrNeedsNewCredential) {
		t.Fatalf("err = %v, want a passing TokenRejectedError", err)
	}
	v.e.ClearFaults()
	if _, err := c.Domains(ctx); err != nil {
		t.Fatalf("the next call did not log in again: %v", err)
	}
}

// Concurrent first uses of a configured token validate it once.
func TestConfiguredTokenValidatedOnce(t *testing.T) {
	t.Parallel()
	v := start(t)
	tok := v.smsLogin(t)
	c := v.client(t, cleura.Config{Username: emulator.CleuraSMSUser, Token: tok})
	v.e.ResetCounters()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Credential(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := v.e.Requests("cleura.validate"); n != 1 {
		t.Fatalf("validations = %d, want 1", n)
	}
}
