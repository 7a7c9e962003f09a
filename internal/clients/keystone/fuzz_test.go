package keystone

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// Seeds live in testdata/fuzz: bodies a real Keystone 22 sent
// (shared/reference/keystone-samples) and a few hand-made shapes.

func FuzzDecodeToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := DecodeToken(body)
		if err != nil {
			return
		}
		if tok.ExpiresAt.IsZero() || (tok.User.ID == "" && tok.User.Name == "") {
			t.Fatalf("accepted a token without expiry or user: %+v", tok)
		}
		for _, itf := range []string{"", "internal"} {
			services, urls := tok.Select(Selection{Interface: itf})
			want := itf
			if want == "" {
				want = "public"
			}
			types := map[string]bool{}
			for _, s := range services {
				types[s.Type] = true
				if len(s.Endpoints) == 0 {
					t.Fatalf("service %q selected without endpoints", s.Type)
				}
				for _, e := range s.Endpoints {
					if !strings.EqualFold(e.Interface, want) {
						t.Fatalf("endpoint %+v selected for interface %q", e, want)
					}
				}
			}
			for typ := range urls {
				if !types[typ] {
					t.Fatalf("url for %q, which no selected service has", typ)
				}
			}
		}
	})
}

// FuzzErrorAnswer feeds error bodies through the client's error path:
// whatever Keystone (or a proxy) sends, the result carries the status, and
// a known secret never shows.
func FuzzErrorAnswer(f *testing.F) {
	const secret = "fuzz-secret-value-123"
	c, err := New(Config{AuthURL: "https://keystone.example:5000", ApplicationCredentialID: "id", ApplicationCredentialSecret: secret})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{400, 401, 404, 502} {
			resp := &httpx.Response{
				StatusCode: status, Method: "POST", URL: "https://keystone.example:5000/v3/auth/tokens",
				Header: http.Header{"Content-Type": {"application/json"}}, Body: append(body, []byte(" "+secret)...),
			}
			err := c.loginError(c.http.APIError(resp), nil)
			var ae *httpx.APIError
			if !errors.As(err, &ae) || ae.StatusCode != status {
				t.Fatalf("err = %v, want an APIError %d", err, status)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("the secret shows: %v", err)
			}
		}
	})
}
