package keystone_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/keystone"
)

// What a refused login is taken for decides the advice: the credentials,
// the auth URL, or the service being busy. A 429 is not "not Keystone",
// and a 404 blames the credentials only when Keystone says what it could
// not find.
func TestLoginErrorsAreSortedByWhatTheAnswerSays(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		want   string // "login", "endpoint" or "api"
	}{
		{"busy", http.StatusTooManyRequests, `{"error":{"code":429,"message":"slow down","title":"Too Many Requests"}}`, "api"},
		{"wrong path on a Keystone", http.StatusNotFound, `{"error":{"code":404,"message":"The resource could not be found.","title":"Not Found"}}`, "endpoint"},
		{"unknown application credential", http.StatusNotFound,
			`{"error":{"code":404,"message":"Could not find Application Credential: 0123.","title":"Not Found"}}`, "login"},
		{"another service's 404", http.StatusNotFound, `{"message":"no route"}`, "endpoint"},
		{"refused secret", http.StatusUnauthorized, `{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`, "login"},
		{"a dashboard's method not allowed", http.StatusMethodNotAllowed, `<html>405</html>`, "endpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := keystone.New(keystone.Config{HTTP: httpx.Config{MaxRetries: 0}, AuthURL: srv.URL,
				ApplicationCredentialID: "0123", ApplicationCredentialSecret: "s3cret-value"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Login(context.Background())
			var (
				le *keystone.LoginError
				ee *keystone.EndpointError
				ae *httpx.APIError
			)
			got := "other"
			switch {
			case errors.As(err, &le):
				got = "login"
			case errors.As(err, &ee):
				got = "endpoint"
			case errors.As(err, &ae):
				got = "api"
			}
			if got != tc.want {
				t.Fatalf("err = %v, taken for %s, want %s", err, got, tc.want)
			}
		})
	}
}
