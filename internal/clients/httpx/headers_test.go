package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Every header that carries a credential, of any of the four clouds or of
// HTTP itself, is masked in the first log line that shows it, sent or
// received, before any client has learnt its value (Keystone's receipt
// comes in a 401); headers that name no secret are shown as they are.
func TestLoggingMasksEveryAuthHeader(t *testing.T) {
	t.Parallel()
	secret := map[string]string{
		"Authorization":          "Bearer value-authorization",
		"Proxy-Authorization":    "Basic value-proxy-authorization",
		"Cookie":                 "session=value-cookie",
		"Set-Cookie":             "session=value-set-cookie; HttpOnly",
		"X-Auth-Token":           "value-x-auth-token",
		"X-AUTH-TOKEN":           "value-cleura-token",
		"X-Subject-Token":        "value-x-subject-token",
		"Openstack-Auth-Receipt": "value-receipt",
		"X-Service-Token":        "value-service-token",
		"X-Abiquo-Token":         "value-abiquo-token",
		"X-Abiquo-OTP":           "value-abiquo-otp",
		"X-Api-Key":              "value-api-key",
		"X-Amz-Security-Token":   "value-amz-security-token",
		"X-Session-Id":           "value-session-id",
		"X-Csrf-Token":           "value-csrf",
	}
	plain := map[string]string{
		"X-Auth-Login":     "value-a-user-name",
		"WWW-Authenticate": `Keystone uri="value-keystone-uri"`,
		"Content-Type":     "application/json",
		"X-Request-Id":     "value-request-id",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range secret {
			w.Header().Set(k, v+"-answer")
		}
		for k, v := range plain {
			w.Header().Set(k, v+"-answer")
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	log := &recLogger{}
	cfg := fastConfig(srv.URL)
	cfg.Logger = log
	c := newClient(t, cfg)
	h := http.Header{}
	for k, v := range secret {
		h.Set(k, v+"-request")
	}
	for k, v := range plain {
		h.Set(k, v+"-request")
	}
	if _, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/", Header: h}); !StatusIs(err, http.StatusUnauthorized) {
		t.Fatalf("err = %v, want the 401", err)
	}
	out := log.all()
	for name, v := range secret {
		for _, suffix := range []string{"-request", "-answer"} {
			if strings.Contains(out, v+suffix) || strings.Contains(out, strings.TrimPrefix(v, "Bearer ")+suffix) {
				t.Errorf("%s shows in the log (%s)", name, suffix)
			}
		}
		if !strings.Contains(out, http.CanonicalHeaderKey(name)+":"+Mask) {
			t.Errorf("%s is not logged masked:\n%s", name, out)
		}
	}
	for name, v := range plain {
		for _, suffix := range []string{"-request", "-answer"} {
			if !strings.Contains(out, v+suffix) {
				t.Errorf("%s (%s) is not logged as it is, though it is no secret", name, suffix)
			}
		}
	}
}

func TestIsSecretHeader(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"Authorization": true, "authorization": true, "X-AUTH-TOKEN": true, "x-subject-token": true,
		"OpenStack-Auth-Receipt": true, "X-Abiquo-OTP": true, "X-Auth-Key": true, "Api-Key": true,
		"X-Goog-Api-Key": true, "X-Client-Secret": true, "X-Password": true, "X-Signature": true,
		"X-Credential": true, "Cookie": true, "Set-Cookie2": true,
		"X-Auth-Login": false, "WWW-Authenticate": false, "Content-Type": false, "Accept": false,
		"Retry-After": false, "X-Openstack-Request-Id": false, "Keep-Alive": false, "Vary": false,
	} {
		if got := IsSecretHeader(name); got != want {
			t.Errorf("IsSecretHeader(%q) = %v, want %v", name, got, want)
		}
	}
}
