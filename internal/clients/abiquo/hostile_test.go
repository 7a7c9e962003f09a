package abiquo_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// hostileAbiquo answers the login with a token of loginSize bytes and
// each of 8 pages of datacenters with a new token of pageSize bytes.
func hostileAbiquo(t *testing.T, loginSize, pageSize int) (string, *atomic.Int64) {
	t.Helper()
	var pages atomic.Int64
	token := func(n int, i int64) string { return fmt.Sprintf("%08d", i) + strings.Repeat("T", n-8) }
	mux := http.NewServeMux()
	mux.HandleFunc("/api/login", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Abiquo-Token", token(loginSize, 0))
		w.Header().Set("Content-Type", "application/vnd.abiquo.user+json")
		_, _ = w.Write([]byte(`{"id":1,"nick":"admin","name":"Admin"}`))
	})
	mux.HandleFunc("/api/admin/datacenters", func(w http.ResponseWriter, _ *http.Request) {
		n := pages.Add(1)
		w.Header().Set("X-Abiquo-Token", token(pageSize, n))
		w.Header().Set("Content-Type", "application/vnd.abiquo.datacenters+json")
		links := []map[string]string{}
		if n < 8 {
			links = append(links, map[string]string{"rel": "next", "href": fmt.Sprintf("/api/admin/datacenters?startwith=%d", n)})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"totalSize": 8, "links": links,
			"collection": []map[string]any{{"id": n, "name": fmt.Sprint("dc", n)}},
		})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/api", &pages
}

// A server that rotates 600 KiB tokens (which drove the provider to a
// full core and hundreds of MB) gets an error at its first such token,
// naming it and the limit, after one page; so does a login's token.
func TestAbiquoRefusesHugeRotatingTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                string
		loginSize, pageSize int
		pages               int64
	}{
		{"on every page", 100, 600 << 10, 1},
		{"from the login", 600 << 10, 100, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			endpoint, pages := hostileAbiquo(t, tc.loginSize, tc.pageSize)
			c := client(t, endpoint, abiquo.Config{Username: "admin", Password: "a-password-0001"})
			_, err := c.Datacenters(ctx)
			var big *httpx.OversizeSecretError
			if !errors.As(err, &big) {
				t.Fatalf("err = %v, want an *httpx.OversizeSecretError", err)
			}
			for _, want := range []string{"X-Abiquo-Token", "600 KiB", "16 KiB"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if n := pages.Load(); n != tc.pages {
				t.Errorf("%d pages read, want %d", n, tc.pages)
			}
		})
	}
}

// slowPages serves an Abiquo whose pages of datacenters each take delay
// and link to one more, up to 100.
func slowPages(t *testing.T, delay time.Duration) (string, *atomic.Int64) {
	t.Helper()
	var pages atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/api/login", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Abiquo-Token", "a-token-0001")
		_, _ = w.Write([]byte(`{"id":1,"nick":"admin"}`))
	})
	mux.HandleFunc("/api/admin/datacenters", func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1)
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return
		}
		links := []map[string]string{}
		if n < 100 {
			links = append(links, map[string]string{"rel": "next", "href": fmt.Sprintf("/api/admin/datacenters?startwith=%d", n)})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"totalSize": 100, "links": links,
			"collection": []map[string]any{{"id": n, "name": fmt.Sprint("dc", n)}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/api", &pages
}

// A list whose pages each come in time, but which never ends soon, has a
// deadline as a whole: twice what one request may take (timeout ×
// (max_retries + 1)), named in the error with the settings to raise.
// Each page here takes 10 ms, the read may take 2 × 100 ms × 1: it stops
// after about 20 of the 100 pages.
func TestAbiquoListHasADeadline(t *testing.T) {
	t.Parallel()
	endpoint, pages := slowPages(t, 10*time.Millisecond)
	cfg := fast(endpoint)
	cfg.Timeout, cfg.MaxRetries = 100*time.Millisecond, 0
	c, err := abiquo.New(abiquo.Config{HTTP: cfg, Username: "admin", Password: "a-password-0001"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Datacenters(ctx)
	var rt *httpx.ReadTimeoutError
	if !errors.As(err, &rt) {
		t.Fatalf("err = %v after %d pages, want an *httpx.ReadTimeoutError", err, pages.Load())
	}
	for _, want := range []string{"datacenters", "200ms", "abiquo.timeout", "abiquo.max_retries"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if n := pages.Load(); n >= 100 {
		t.Errorf("%d pages read: the deadline did not stop the read", n)
	}
}
