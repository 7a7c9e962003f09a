package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tok is a token whose login returns nothing else.
type tok = Token[struct{}]

// joinedBy returns a hook for TokenSource.joined or Memo.joined and a
// channel closed once n callers have joined another's work.
func joinedBy(n int32) (func(), chan struct{}) {
	var count atomic.Int32
	all := make(chan struct{})
	return func() {
		if count.Add(1) == n {
			close(all)
		}
	}, all
}

func TestTokenSourceSingleFlight(t *testing.T) {
	t.Parallel()
	var allJoined chan struct{}
	var logins atomic.Int32
	release := make(chan struct{})
	s := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		logins.Add(1)
		<-release
		return tok{Value: "t1"}, nil
	})
	s.joined, allJoined = joinedBy(99)
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.Token(context.Background())
			if err != nil || tok.Value != "t1" {
				t.Errorf("tok=%v err=%v", tok, err)
			}
		}()
	}
	<-allJoined
	close(release)
	wg.Wait()
	if logins.Load() != 1 || s.Logins() != 1 {
		t.Fatalf("100 concurrent callers caused %d logins, want 1", logins.Load())
	}
}

func TestTokenSourceRenewsBeforeExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var reasons []LoginReason
	s := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		reasons = append(reasons, why)
		return tok{Value: fmt.Sprint("t", len(reasons)), ExpiresAt: now.Add(time.Hour)}, nil
	})
	s.SetClock(func() time.Time { return now })
	tok, _ := s.Token(context.Background())
	now = now.Add(58 * time.Minute)
	tok2, _ := s.Token(context.Background())
	if tok2.Value != tok.Value {
		t.Fatalf("renewed too early")
	}
	now = now.Add(90 * time.Second) // 30 s before expiry: inside the early window
	tok3, _ := s.Token(context.Background())
	if tok3.Value == tok.Value || len(reasons) != 2 || reasons[1] != LoginExpired {
		t.Fatalf("not renewed before expiry: %v %v", tok3, reasons)
	}
}

func TestTokenSourceRemembersRefusedLogin(t *testing.T) {
	t.Parallel()
	var logins atomic.Int32
	s := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		logins.Add(1)
		return tok{}, &APIError{StatusCode: 401, Method: "POST", URL: "u"}
	})
	for i := 0; i < 5; i++ {
		if _, err := s.Token(context.Background()); !StatusIs(err, 401) {
			t.Fatalf("err = %v", err)
		}
	}
	if logins.Load() != 1 {
		t.Fatalf("a refused login was repeated %d times (account lock-out risk)", logins.Load())
	}
}

func TestTokenSourceRetriesTransientLoginFailure(t *testing.T) {
	t.Parallel()
	var logins atomic.Int32
	s := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		if logins.Add(1) == 1 {
			return tok{}, &TransportError{Kind: KindRefused}
		}
		return tok{Value: "ok"}, nil
	})
	if _, err := s.Token(context.Background()); err == nil {
		t.Fatal("want the first error")
	}
	if tok, err := s.Token(context.Background()); err != nil || tok.Value != "ok" {
		t.Fatalf("tok=%v err=%v", tok, err)
	}
}

func TestTokenSourceOfferKeepsNewest(t *testing.T) {
	t.Parallel()
	s := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		return tok{Value: "login", Principal: "admin"}, nil
	})
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	s.Offer(tok{Value: "newer"}, t0.Add(2*time.Second))
	s.Offer(tok{Value: "older"}, t0.Add(time.Second))
	cur, _ := s.Current()
	if cur.Value != "newer" || cur.Principal != "admin" {
		t.Fatalf("current = %+v, a late answer replaced the newest token", cur)
	}
}

// authServer accepts only the token it issued last; /login issues one.
type authServer struct {
	mu     sync.Mutex
	valid  string
	n      int
	logins atomic.Int32
}

func (a *authServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.URL.Path == "/login" {
		a.logins.Add(1)
		a.n++
		a.valid = fmt.Sprint("tok-", a.n)
		fmt.Fprintf(w, `{"token":%q}`, a.valid)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+a.valid {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"message":"Authorization has been denied for this request."}`)
		return
	}
	fmt.Fprint(w, `{"ok":true}`)
}

func (a *authServer) revoke() {
	a.mu.Lock()
	a.valid = "revoked"
	a.mu.Unlock()
}

func TestSessionDoReloginOnceForAllCallers(t *testing.T) {
	t.Parallel()
	as := &authServer{}
	srv := httptest.NewServer(as)
	defer srv.Close()
	c := newClient(t, fastConfig(srv.URL))
	src := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		resp, err := c.Do(ctx, &Request{Method: "POST", Path: "/login", Body: []byte(`{}`)})
		if err != nil {
			return tok{}, err
		}
		var v struct{ Token string }
		if err := c.DecodeJSON(resp, &v); err != nil {
			return tok{}, err
		}
		return tok{Value: v.Token}, nil
	})
	auth := &Session[struct{}]{HTTP: c, Tokens: src, Apply: func(h http.Header, t tok) { h.Set("Authorization", "Bearer "+t.Value) }}
	read := func() error {
		_, err := auth.Do(context.Background(), &Request{Method: "GET", Path: "/data"})
		return err
	}
	if err := read(); err != nil {
		t.Fatal(err)
	}
	as.revoke()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := read(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := as.logins.Load(); got != 2 {
		t.Fatalf("logins = %d, want 2 (the first, then one re-login shared by 20 callers)", got)
	}
}

func TestSessionDoFixedTokenRejected(t *testing.T) {
	t.Parallel()
	as := &authServer{valid: "nothing"}
	srv := httptest.NewServer(as)
	defer srv.Close()
	c := newClient(t, fastConfig(srv.URL))
	var reasons []LoginReason
	src := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		reasons = append(reasons, why)
		if why == LoginRejected {
			return tok{}, fmt.Errorf("the configured token was rejected; get a new one: %w", ErrNeedsNewCredential)
		}
		return tok{Value: "fixed"}, nil
	})
	auth := &Session[struct{}]{HTTP: c, Tokens: src, Apply: func(h http.Header, t tok) { h.Set("Authorization", "Bearer "+t.Value) }}
	_, err := auth.Do(context.Background(), &Request{Method: "GET", Path: "/data"})
	if err == nil || !strings.Contains(err.Error(), "get a new one") {
		t.Fatalf("err = %v", err)
	}
	_, err = auth.Do(context.Background(), &Request{Method: "GET", Path: "/data"})
	if !errors.Is(err, ErrNeedsNewCredential) || len(reasons) != 2 {
		t.Fatalf("err=%v reasons=%v: a rejected fixed token should be reported, not retried", err, reasons)
	}
}

func TestMemo(t *testing.T) {
	t.Parallel()
	var m Memo[int]
	var calls atomic.Int32
	release := make(chan struct{})
	var allJoined chan struct{}
	m.joined, allJoined = joinedBy(49)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := m.Get(context.Background(), "k", func(ctx context.Context) (int, error) {
				calls.Add(1)
				<-release
				return 42, nil
			})
			if err != nil || v != 42 {
				t.Errorf("v=%d err=%v", v, err)
			}
		}()
	}
	<-allJoined
	close(release)
	wg.Wait()
	v, _ := m.Get(context.Background(), "k", func(ctx context.Context) (int, error) { calls.Add(1); return 0, nil })
	if calls.Load() != 1 || v != 42 {
		t.Fatalf("calls = %d v=%d, want one fetch for 51 identical reads", calls.Load(), v)
	}
	_, err := m.Get(context.Background(), "e", func(ctx context.Context) (int, error) { return 0, errors.New("boom") })
	if err == nil {
		t.Fatal("want error")
	}
	v, err = m.Get(context.Background(), "e", func(ctx context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("a failure was remembered: v=%d err=%v", v, err)
	}
}

// A caller that gives up must not take the callers waiting on the same
// login or read down with it. The work blocks until its caller's context
// ends, and the leader is cancelled only once the waiter has joined.
func TestSharedWorkSurvivesTheLeadersCancellation(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 2)
	var logins, fetches atomic.Int32
	s := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		if logins.Add(1) > 1 {
			return tok{Value: "ok"}, nil
		}
		started <- struct{}{}
		<-ctx.Done()
		return tok{}, ctx.Err()
	})
	var m Memo[int]
	fetch := func(ctx context.Context) (int, error) {
		if fetches.Add(1) > 1 {
			return 7, nil
		}
		started <- struct{}{}
		<-ctx.Done()
		return 0, ctx.Err()
	}
	for _, name := range []string{"token source", "memo"} {
		joined := make(chan struct{})
		var once sync.Once
		hook := func() { once.Do(func() { close(joined) }) }
		s.joined, m.joined = hook, hook
		leader, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			if name == "memo" {
				_, err := m.Get(leader, "k", fetch)
				done <- err
				return
			}
			_, err := s.Token(leader)
			done <- err
		}()
		<-started
		waiter := make(chan error, 1)
		go func() {
			if name == "memo" {
				v, err := m.Get(context.Background(), "k", fetch)
				if err == nil && v != 7 {
					err = fmt.Errorf("v = %d", v)
				}
				waiter <- err
				return
			}
			tok, err := s.Token(context.Background())
			if err == nil && tok.Value != "ok" {
				err = fmt.Errorf("token %q", tok.Value)
			}
			waiter <- err
		}()
		<-joined
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("%s: the leader got %v", name, err)
		}
		if err := <-waiter; err != nil {
			t.Errorf("%s: a waiter with a live context failed: %v", name, err)
		}
	}
	if logins.Load() != 2 || fetches.Load() != 2 {
		t.Errorf("logins = %d, fetches = %d, want 2 each (the cancelled one and the waiter's own)", logins.Load(), fetches.Load())
	}
}

// A timeout inside the login (Go reports it as a deadline) is an ordinary
// failure for a caller whose context is alive: returned, not retried.
func TestLoginTimeoutIsNotMistakenForACancelledCaller(t *testing.T) {
	t.Parallel()
	var logins atomic.Int32
	s := NewTokenSource(func(ctx context.Context, why LoginReason) (tok, error) {
		logins.Add(1)
		return tok{}, fmt.Errorf("Client.Timeout exceeded: %w", context.DeadlineExceeded)
	})
	done := make(chan error, 1)
	go func() {
		_, err := s.Token(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Token loops on a login that timed out")
	}
	if logins.Load() != 1 {
		t.Fatalf("logins = %d, want 1", logins.Load())
	}
}
