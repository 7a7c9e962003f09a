package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
)

// The examples of RFC 5849: the signature base string of §3.4.1.1 and the
// signed request of §1.2.
func TestOAuthSignatureRFC5849(t *testing.T) {
	t.Parallel()
	body := "c2&a3=2+q"
	r := httptest.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	header, err := parseOAuthHeader(`realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", ` +
		`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
	if err != nil {
		t.Fatal(err)
	}
	params, err := oauthSignedParams(r, header)
	if err != nil {
		t.Fatal(err)
	}
	const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26" +
		"oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26" +
		"oauth_token%3Dkkk9d7dh3k39sjv7"
	if got := oauthBaseString(r, params); got != want {
		t.Errorf("base string\n got %s\nwant %s", got, want)
	}
	// The body is still there for the handler.
	if b, _ := io.ReadAll(r.Body); string(b) != body {
		t.Errorf("body after signing: %q", b)
	}

	photos := httptest.NewRequest(http.MethodGet, "http://photos.example.net/photos?file=vacation.jpg&size=original", nil)
	h, _ := parseOAuthHeader(`realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
		`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN5UDK8wXoQGZQ%3D"`)
	params, _ = oauthSignedParams(photos, h)
	// The RFC prints MdpQcU8iPSUjWoN5UDK8wXoQGZQ=; its errata (ID 2550)
	// correct it to this.
	if got, want := oauthSignature(oauthBaseString(photos, params), "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"), "MdpQcU8iPSUjWoN/UDMsK2sui9I="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

func TestOAuthHeaderParsing(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`oauth_nonce=abc`, `oauth_nonce="abc`, `oauth_nonce="%zz"`, `a="1", a="2"`} {
		if _, err := parseOAuthHeader(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	p, err := parseOAuthHeader(` oauth_callback="oob" ,oauth_nonce="a%2Bb%20c", `)
	if err != nil || p["oauth_callback"] != "oob" || p["oauth_nonce"] != "a+b c" {
		t.Errorf("%v %v", p, err)
	}
}

// oauthWorld is an emulator and a way to send signed requests with an
// independent OAuth library, keeping what was sent.
type oauthWorld struct {
	e   *Emulator
	api string
}

func newOAuthWorld(t *testing.T) *oauthWorld {
	t.Helper()
	e := New()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &oauthWorld{e: e, api: srv.URL + "/abiquo/api"}
}

// keep is a transport that records each request's Authorization.
type keep struct{ auth []string }

func (k *keep) RoundTrip(r *http.Request) (*http.Response, error) {
	k.auth = append(k.auth, r.Header.Get("Authorization"))
	return http.DefaultTransport.RoundTrip(r)
}

// answer is what a test looks at in a response: its body is read and
// closed by then.
type answer struct {
	StatusCode int
	Header     http.Header
}

// signed sends GET path signed with the four values; it returns the
// answer and the Authorization it carried.
func (w *oauthWorld) signed(t *testing.T, ck, cs, at, as, path string) (answer, string) {
	t.Helper()
	k := &keep{}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: k})
	c := oauth1.NewConfig(ck, cs).Client(ctx, oauth1.NewToken(at, as))
	req, _ := http.NewRequest(http.MethodGet, w.api+path, nil)
	req.Header.Set("Accept", "application/vnd.abiquo.user+json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return answer{resp.StatusCode, resp.Header}, k.auth[0]
}

// raw sends GET path with the given Authorization.
func (w *oauthWorld) raw(t *testing.T, path, auth string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.api+path, nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return answer{resp.StatusCode, resp.Header}
}

func TestAbiquoOAuthSignedRequests(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	resp, auth := w.signed(t, AbiquoOAuthConsumerKey, AbiquoOAuthConsumerSecret, AbiquoOAuthAccessToken, AbiquoOAuthAccessTokenSecret, "/login?expand=privileges")
	// A two-factor user: OAuth needs no code, and the answer carries a
	// token as any other.
	if resp.StatusCode != 200 || resp.Header.Get("X-Abiquo-Token") == "" || w.e.Logins("abiquo") != 1 {
		t.Fatalf("signed login: %d %v", resp.StatusCode, resp.Header)
	}
	rejected := func(resp answer, problem AbiquoOAuthProblem, n int) {
		t.Helper()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `OAuth realm="Abiquo"` ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("X-Abiquo-Token") != "" {
			t.Errorf("%s: %d %v", problem, resp.StatusCode, resp.Header)
		}
		if got := w.e.AbiquoOAuthRejections()[problem]; got != n {
			t.Errorf("%s counted %d times, want %d (all: %v)", problem, got, n, w.e.AbiquoOAuthRejections())
		}
	}
	// The same request again: its nonce was used.
	rejected(w.raw(t, "/login?expand=privileges", auth), OAuthNonceUsed, 1)
	// The same header on another URL: the signature does not cover it.
	rejected(w.raw(t, "/login", auth), OAuthSignatureInvalid, 1)
	resp, _ = w.signed(t, AbiquoOAuthConsumerKey, "not-the-secret", AbiquoOAuthAccessToken, AbiquoOAuthAccessTokenSecret, "/login")
	rejected(resp, OAuthSignatureInvalid, 2)
	resp, _ = w.signed(t, AbiquoOAuthConsumerKey, AbiquoOAuthConsumerSecret, AbiquoOAuthAccessToken, "not-the-secret", "/login")
	rejected(resp, OAuthSignatureInvalid, 3)
	resp, _ = w.signed(t, "unknown-consumer", AbiquoOAuthConsumerSecret, AbiquoOAuthAccessToken, AbiquoOAuthAccessTokenSecret, "/login")
	rejected(resp, OAuthConsumerUnknown, 1)
	resp, _ = w.signed(t, AbiquoOAuthConsumerKey, AbiquoOAuthConsumerSecret, "unknown-token", AbiquoOAuthAccessTokenSecret, "/login")
	rejected(resp, OAuthTokenRejected, 1)
	// The library signs with the real time; the emulator's clock moved.
	w.e.Advance(AbiquoOAuthWindow + time.Minute)
	resp, _ = w.signed(t, AbiquoOAuthConsumerKey, AbiquoOAuthConsumerSecret, AbiquoOAuthAccessToken, AbiquoOAuthAccessTokenSecret, "/login")
	rejected(resp, OAuthTimestampRefused, 1)
	w.e.Advance(-AbiquoOAuthWindow - time.Minute)
	w.e.RevokeAbiquoOAuthTokens(AbiquoTwoFactorUser)
	resp, _ = w.signed(t, AbiquoOAuthConsumerKey, AbiquoOAuthConsumerSecret, AbiquoOAuthAccessToken, AbiquoOAuthAccessTokenSecret, "/login")
	rejected(resp, OAuthTokenRevoked, 1)
	if w.e.Logins("abiquo") != 1 {
		t.Errorf("logins = %d, want 1", w.e.Logins("abiquo"))
	}

	// Malformed requests are 400s.
	for _, tc := range []struct {
		auth    string
		problem AbiquoOAuthProblem
	}{
		{`OAuth oauth_consumer_key="k"`, OAuthParameterAbsent},
		{strings.Replace(auth, `oauth_signature_method="HMAC-SHA1"`, `oauth_signature_method="PLAINTEXT"`, 1), OAuthMethodRejected},
		{strings.Replace(auth, `oauth_version="1.0"`, `oauth_version="2.0"`, 1), OAuthVersionRejected},
		{`OAuth oauth_nonce=unquoted`, OAuthParameterRejected},
	} {
		if resp := w.raw(t, "/login", tc.auth); resp.StatusCode != 400 || w.e.AbiquoOAuthRejections()[tc.problem] != 1 {
			t.Errorf("%s: %d %v", tc.problem, resp.StatusCode, w.e.AbiquoOAuthRejections())
		}
	}
}

// The dance of Abiquo's own Python client, with an independent library.
func TestAbiquoOAuthDance(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, url, user, password, ct, body string) (answer, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.SetBasicAuth(user, password)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Accept", ct)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header}, b
	}
	// Register an application through the user's applications link.
	_, b := do(http.MethodGet, w.api+"/login", AbiquoAdmin, AbiquoAdminPassword, "", "")
	var user struct {
		Links []struct{ Rel, Href string }
	}
	_ = json.Unmarshal(b, &user)
	apps := ""
	for _, l := range user.Links {
		if l.Rel == "applications" {
			apps = l.Href
		}
	}
	const appCT = "application/vnd.abiquo.application+json"
	for _, tc := range []struct {
		url, user, password, ct, body string
		status                        int
	}{
		{apps, AbiquoAdmin, AbiquoAdminPassword, "application/json", `{"name":"x"}`, 415},
		{apps, AbiquoAdmin, AbiquoAdminPassword, appCT, `{"name":" "}`, 400},
		{apps, AbiquoUser, AbiquoUserPassword, appCT, `{"name":"x"}`, 403},
		{apps, AbiquoAdmin, "wrong", appCT, `{"name":"x"}`, 401},
	} {
		if resp, b := do(http.MethodPost, tc.url, tc.user, tc.password, tc.ct, tc.body); resp.StatusCode != tc.status {
			t.Errorf("register %s %s: %d %s, want %d", tc.user, tc.ct, resp.StatusCode, b, tc.status)
		}
	}
	resp, b := do(http.MethodPost, apps, AbiquoAdmin, AbiquoAdminPassword, appCT, `{"name":"terraform"}`)
	var app struct{ APIKey, APISecret string }
	if err := json.Unmarshal(b, &app); err != nil || resp.StatusCode != 201 || app.APIKey == "" || app.APISecret == "" ||
		resp.Header.Get("Content-Type") != appCT+"; version="+AbiquoNewestVersion {
		t.Fatalf("register: %d %s", resp.StatusCode, b)
	}
	if got := w.e.AbiquoOAuthApplications(AbiquoAdmin); len(got) != 1 || got[0] != "terraform" {
		t.Errorf("applications = %v", got)
	}

	cfg := &oauth1.Config{ConsumerKey: app.APIKey, ConsumerSecret: app.APISecret, CallbackURL: "oob",
		Endpoint: oauth1.Endpoint{RequestTokenURL: w.api + "/oauth/request_token", AuthorizeURL: w.api + "/oauth/authorize", AccessTokenURL: w.api + "/oauth/access_token"}}
	rt, rs, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	au, _ := cfg.AuthorizationURL(rt)
	if resp, b := do(http.MethodGet, au.String(), AbiquoAdmin, "wrong", "", ""); resp.StatusCode != 401 {
		t.Errorf("authorize with a wrong password: %d %s", resp.StatusCode, b)
	}
	resp, _ = do(http.MethodGet, au.String(), AbiquoAdmin, AbiquoAdminPassword, "", "")
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("oauth_token") != rt || loc.Query().Get("oauth_verifier") == "" {
		t.Fatalf("authorize: %d %v", resp.StatusCode, resp.Header)
	}
	verifier := loc.Query().Get("oauth_verifier")
	if _, _, err := cfg.AccessToken(rt, rs, "not-the-verifier"); err == nil || w.e.AbiquoOAuthRejections()[OAuthVerifierInvalid] != 1 {
		t.Errorf("a wrong verifier: %v %v", err, w.e.AbiquoOAuthRejections())
	}
	at, as, err := cfg.AccessToken(rt, rs, verifier)
	if err != nil {
		t.Fatal(err)
	}
	// A request token is exchanged once.
	if _, _, err := cfg.AccessToken(rt, rs, verifier); err == nil || w.e.AbiquoOAuthRejections()[OAuthTokenUsed] != 1 {
		t.Errorf("a second exchange: %v", err)
	}
	if signed, _ := w.signed(t, app.APIKey, app.APISecret, at, as, "/login"); signed.StatusCode != 200 {
		t.Fatalf("signed with the new token: %d", signed.StatusCode)
	}
	secrets := w.e.AbiquoOAuthSecrets()
	for _, s := range []string{app.APISecret, at, as, verifier} {
		found := false
		for _, k := range secrets {
			found = found || k == s
		}
		if !found {
			t.Errorf("AbiquoOAuthSecrets lacks a value (%d characters)", len(s))
		}
	}

	// Deleting the application revokes its tokens.
	var list struct {
		Collection []struct {
			Links []struct{ Rel, Href string }
		}
	}
	_, b = do(http.MethodGet, apps, AbiquoAdmin, AbiquoAdminPassword, "application/vnd.abiquo.applications+json", "")
	if err := json.Unmarshal(b, &list); err != nil || len(list.Collection) != 1 {
		t.Fatalf("list: %s", b)
	}
	if resp, _ := do(http.MethodDelete, list.Collection[0].Links[0].Href, AbiquoAdmin, AbiquoAdminPassword, "", ""); resp.StatusCode != 204 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp, _ := w.signed(t, app.APIKey, app.APISecret, at, as, "/login"); resp.StatusCode != 401 {
		t.Errorf("signed after the application was deleted: %d", resp.StatusCode)
	}
}

func TestAbiquoOAuthRequestTokenRules(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	cfg := &oauth1.Config{ConsumerKey: AbiquoOAuthConsumerKey, ConsumerSecret: AbiquoOAuthConsumerSecret, CallbackURL: "oob",
		Endpoint: oauth1.Endpoint{RequestTokenURL: w.api + "/oauth/request_token"}}
	rt, rs, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	// Not authorized yet: no verifier can be right.
	if _, _, err := (&oauth1.Config{ConsumerKey: cfg.ConsumerKey, ConsumerSecret: cfg.ConsumerSecret,
		Endpoint: oauth1.Endpoint{AccessTokenURL: w.api + "/oauth/access_token"}}).AccessToken(rt, rs, "guess"); err == nil {
		t.Error("an unauthorized request token was exchanged")
	}
	authorize := func(auth string) int {
		req, _ := http.NewRequest(http.MethodGet, w.api+"/oauth/authorize?oauth_token="+url.QueryEscape(rt), nil)
		req.Header.Set("Authorization", auth)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Not with OAuth, and not with a two-factor user's password alone.
	if s := authorize(`OAuth oauth_consumer_key="x"`); s != 400 {
		t.Errorf("authorize with OAuth: %d", s)
	}
	if s := authorize("Basic " + basic(AbiquoTwoFactorUser, AbiquoTwoFactorPassword)); s != 401 {
		t.Errorf("authorize without the code: %d", s)
	}
	// A token from a login works (token auth needs no code).
	req, _ := http.NewRequest(http.MethodGet, w.api+"/login", nil)
	req.SetBasicAuth(AbiquoAdmin, AbiquoAdminPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	w.e.Advance(AbiquoRequestTokenLifetime + time.Minute)
	if s := authorize("Token " + resp.Header.Get("X-Abiquo-Token")); s != 400 {
		t.Errorf("authorize an expired request token: %d", s)
	}
}

func TestAbiquoOAuthRevokeOverHTTP(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t)
	sign := func() int {
		a, _ := w.signed(t, AbiquoOAuthConsumerKey, AbiquoOAuthConsumerSecret, AbiquoOAuthAccessToken, AbiquoOAuthAccessTokenSecret, "/login")
		return a.StatusCode
	}
	revoke := func(user string) {
		resp, err := http.Post(strings.TrimSuffix(w.api, "/abiquo/api")+"/_emulator/abiquo/oauth/revoke?user="+user, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
	}
	if s := sign(); s != 200 {
		t.Fatalf("before: %d", s)
	}
	revoke(AbiquoAdmin) // another user's tokens only
	if s := sign(); s != 200 {
		t.Fatalf("after revoking another user's: %d", s)
	}
	revoke(AbiquoTwoFactorUser)
	if s := sign(); s != 401 || w.e.AbiquoOAuthRejections()[OAuthTokenRevoked] != 1 {
		t.Errorf("after revoking: %d %v", s, w.e.AbiquoOAuthRejections())
	}
}
