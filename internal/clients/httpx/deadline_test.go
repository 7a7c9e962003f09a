package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A read of several requests ends at Client.ReadBudget with an error that
// names the read, the budget and the settings to raise, whether it was
// waiting for an answer, for a login's turn under the rate limit, or for
// another caller's read; Config.Setting words the settings.
func TestReadDeadlineNamesTheReadAndTheSettings(t *testing.T) {
	t.Parallel()
	// A server that answers only when the client has given up.
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	cfg := fastConfig(srv.URL)
	cfg.Name, cfg.Timeout, cfg.MaxRetries = "abiquo", time.Second, 0
	c := newClient(t, cfg)
	if got := c.ReadBudget(); got != 2*time.Second {
		t.Fatalf("ReadBudget = %v, want twice timeout × (max_retries + 1)", got)
	}
	// A tiny budget, so that it ends before the one request's timeout.
	short := func(ctx context.Context, what string) (context.Context, context.CancelFunc) {
		cfg := cfg
		cfg.Timeout = 5 * time.Millisecond
		return (&Client{cfg: cfg}).ReadDeadline(ctx, what)
	}

	ctx, cancel := short(context.Background(), "the pages")
	_, err := c.Do(ctx, &Request{Method: http.MethodGet, Path: "/"})
	cancel()
	check := func(name string, err error) {
		t.Helper()
		var rt *ReadTimeoutError
		if !errors.As(err, &rt) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: err = %v, want a *ReadTimeoutError", name, err)
		}
		for _, want := range []string{"took longer than 10ms in all", "raise abiquo.timeout or abiquo.max_retries"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q lacks %q", name, err, want)
			}
		}
	}
	check("waiting for an answer", err)

	// The fourth login within a minute waits its turn; the deadline ends
	// the wait (the clock is the source's, the wait a real timer).
	src := NewTokenSource(func(context.Context, LoginReason) (Token[struct{}], error) { return Token[struct{}]{Value: "t"}, nil })
	now := time.Now()
	src.SetClock(func() time.Time { return now })
	for range loginBurst {
		src.InvalidateCurrent()
		if _, err := src.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	src.InvalidateCurrent()
	ctx, cancel = short(context.Background(), "the login")
	_, err = src.Token(ctx)
	cancel()
	check("waiting for a login's turn", err)

	// A caller waiting on another's read of the same thing.
	var m Memo[int]
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = m.Get(context.Background(), "k", func(context.Context) (int, error) { close(started); <-release; return 1, nil })
	}()
	<-started
	ctx, cancel = short(context.Background(), "the shared read")
	_, err = m.Get(ctx, "k", func(context.Context) (int, error) { return 2, nil })
	cancel()
	close(release)
	check("waiting for another caller's read", err)
}
