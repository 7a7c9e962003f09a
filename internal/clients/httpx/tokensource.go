package httpx

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Token is a credential an API issued. D is what the login returned
// besides the token (Keystone's catalog, CenturyLink's account alias), typed
// by the client that owns the source.
type Token[D any] struct {
	Value string
	// ExpiresAt is zero when the API does not say.
	ExpiresAt time.Time
	// IssuedAt is when the API says it issued the token, on its own clock;
	// with ExpiresAt it gives the token's lifetime whatever the difference
	// between the API's clock and ours. Zero when the API does not say.
	IssuedAt time.Time
	// Principal is the user or login the token belongs to.
	Principal string
	Data      D
}

// LoginReason tells a LoginFunc why a token is needed.
type LoginReason int

// Reasons for a login.
const (
	// LoginFirst: no token yet in this provider process.
	LoginFirst LoginReason = iota
	// LoginExpired: the cached token reached its expiry.
	LoginExpired
	// LoginRejected: the API refused the cached token (revoked, expired
	// early). A LoginFunc that only has a fixed token returns an error
	// saying how to get a new one.
	LoginRejected
)

// LoginFunc obtains a new token.
type LoginFunc[D any] func(ctx context.Context, why LoginReason) (Token[D], error)

// The token source's login policy.
const (
	// maxEarly is how long before its expiry a cached token is replaced,
	// at most: for tokens shorter than three times that, a third of their
	// lifetime.
	maxEarly = time.Minute
	// renewMargin is how long before its expiry RenewAt asks a holder of
	// the token (an ephemeral resource) to renew it, at most: for tokens
	// shorter than three times that, a third of their lifetime.
	renewMargin = 5 * time.Minute
	// minRenewGap is the least time between a login and the RenewAt of its
	// token, however short the token lives.
	minRenewGap = 15 * time.Second
	// loginBurst logins may happen within loginWindow; a further login
	// waits. Nothing legitimate needs more (one login, perhaps one after a
	// refused token), and whatever goes wrong (tokens that die at once,
	// clocks far apart) then costs a few logins a minute, not thousands.
	loginBurst  = 3
	loginWindow = time.Minute
)

// TokenSource caches one token per client and makes sure that concurrent
// callers share one login: whatever the number of data sources reading at
// once, the API sees a single login.
type TokenSource[D any] struct {
	login LoginFunc[D]
	now   func() time.Time
	// sleep waits for the login rate limit (tests replace it).
	sleep func(ctx context.Context, d time.Duration) error

	mu    sync.Mutex
	cur   Token[D]
	have  bool
	curAt time.Time
	// expires is the current token's expiry on this machine's clock, and
	// lifetime how long it lived when it was issued (zero: unknown).
	expires  time.Time
	lifetime time.Duration
	// attempts are the start times of the latest logins, oldest first.
	attempts []time.Time
	next     LoginReason
	flight   *flight[Token[D]]
	failed   error
	logins   atomic.Int64
	// joined, when set, is called as a caller starts waiting on another
	// caller's login (tests synchronise on it).
	joined func()
}

// NewTokenSource returns a source that logs in with login on first use.
func NewTokenSource[D any](login LoginFunc[D]) *TokenSource[D] {
	return &TokenSource[D]{login: login, now: time.Now, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// The cause says which deadline (a *ReadTimeoutError).
		return context.Cause(ctx)
	}
}

// SetClock replaces the clock (tests).
func (s *TokenSource[D]) SetClock(now func() time.Time) { s.now = now }

// SetSleep replaces how a login waits for the rate limit (tests).
func (s *TokenSource[D]) SetSleep(sleep func(ctx context.Context, d time.Duration) error) {
	s.sleep = sleep
}

// Token returns the cached token, logging in first when there is none or
// it is about to expire. A login refused with a 4xx is remembered: later
// calls return the same error without asking the API again.
func (s *TokenSource[D]) Token(ctx context.Context) (Token[D], error) {
	for {
		tok, err := s.token(ctx)
		// A login shared with a caller who gave up ends with that caller's
		// context error; a caller still waiting tries again itself.
		var gone *leaderGone
		if errors.As(err, &gone) {
			if ctx.Err() == nil {
				continue
			}
			err = gone.err
		}
		return tok, err
	}
}

// leaderGone is the result of shared work whose first caller's context
// ended before the work did. (A timeout inside the work is an ordinary
// failure, though Go reports it as a deadline too.)
type leaderGone struct{ err error }

func (e *leaderGone) Error() string { return e.err.Error() }
func (e *leaderGone) Unwrap() error { return e.err }

// sharedResult marks err when the leader's context is what ended the work.
func sharedResult(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return &leaderGone{err: err}
	}
	return err
}

func (s *TokenSource[D]) token(ctx context.Context) (Token[D], error) {
	s.mu.Lock()
	if s.have && !s.expiring() {
		t := s.cur
		s.mu.Unlock()
		return t, nil
	}
	if s.failed != nil {
		err := s.failed
		s.mu.Unlock()
		return Token[D]{}, err
	}
	if f := s.flight; f != nil {
		s.mu.Unlock()
		if s.joined != nil {
			s.joined()
		}
		return f.wait(ctx)
	}
	why := s.next
	if s.have {
		why = LoginExpired
	}
	f := &flight[Token[D]]{done: make(chan struct{})}
	s.flight = f
	wait := s.loginDelay()
	s.mu.Unlock()

	var (
		tok Token[D]
		err error
	)
	if wait > 0 {
		err = s.sleep(ctx, wait)
	}
	if err == nil {
		s.mu.Lock()
		s.attempts = append(s.attempts, s.now())
		if len(s.attempts) > loginBurst {
			s.attempts = s.attempts[1:]
		}
		s.mu.Unlock()
		tok, err = s.login(ctx, why)
	}
	err = sharedResult(ctx, err)

	s.mu.Lock()
	s.flight = nil
	if err == nil {
		s.logins.Add(1)
		s.keep(tok, s.now())
	} else if IsPermanent(err) || errors.Is(err, ErrNeedsNewCredential) {
		s.failed = err
	}
	f.val, f.err = tok, err
	s.mu.Unlock()
	close(f.done)
	return tok, err
}

// loginDelay is how long a login must wait so that no more than
// loginBurst happen within loginWindow.
func (s *TokenSource[D]) loginDelay() time.Duration {
	if len(s.attempts) < loginBurst {
		return 0
	}
	return s.attempts[0].Add(loginWindow).Sub(s.now())
}

// keep makes t the current token, obtained at (on this machine's clock).
// Its expiry is taken from its lifetime where the API says when it issued
// it, so that a difference between the API's clock and ours does not make
// a fresh token look expired (or a dead one alive).
func (s *TokenSource[D]) keep(t Token[D], at time.Time) {
	s.cur, s.have, s.curAt = t, true, at
	s.expires, s.lifetime = time.Time{}, 0
	switch {
	case t.ExpiresAt.IsZero():
	case !t.IssuedAt.IsZero() && t.ExpiresAt.After(t.IssuedAt):
		s.lifetime = t.ExpiresAt.Sub(t.IssuedAt)
		s.expires = at.Add(s.lifetime)
	default:
		s.expires = t.ExpiresAt
		s.lifetime = t.ExpiresAt.Sub(at)
	}
}

// early is how long before its expiry the current token is replaced.
func (s *TokenSource[D]) early() time.Duration {
	return min(maxEarly, max(s.lifetime, 0)/3)
}

func (s *TokenSource[D]) expiring() bool {
	return !s.expires.IsZero() && !s.now().Add(s.early()).Before(s.expires)
}

// RenewAt is when a holder of the current token (an ephemeral resource)
// should ask for a new one: five minutes before it expires, or a third of
// its lifetime for a token that lives less than 15 minutes, on this
// machine's clock; but never sooner than 15 seconds after it was obtained.
// It is zero when the token's expiry is unknown.
func (s *TokenSource[D]) RenewAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.have || s.expires.IsZero() {
		return time.Time{}
	}
	at := s.expires.Add(-min(renewMargin, max(s.lifetime, 0)/3))
	if floor := s.curAt.Add(minRenewGap); at.Before(floor) {
		at = floor
	}
	return at
}

// Current returns the cached token without logging in.
func (s *TokenSource[D]) Current() (Token[D], bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur, s.have
}

// InvalidateCurrent drops whatever token is cached, so that the next Token
// call logs in again (a client's Relogin).
func (s *TokenSource[D]) InvalidateCurrent() {
	if t, ok := s.Current(); ok {
		s.Invalidate(t.Value)
	}
}

// Invalidate drops the cached token if it is still stale; the next Token
// call logs in again. Callers that saw the same stale token at once cause
// one new login between them, not one each.
func (s *TokenSource[D]) Invalidate(stale string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.have && s.cur.Value == stale {
		s.have = false
		s.next = LoginRejected
	}
}

// Offer replaces the cached token with one the API handed out with an
// answer received at receivedAt (Abiquo renews its token on every answer).
// An answer that arrives late never replaces a newer token.
func (s *TokenSource[D]) Offer(t Token[D], receivedAt time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.have && receivedAt.Before(s.curAt) {
		return
	}
	if s.have && t.Principal == "" {
		t.Principal = s.cur.Principal
		t.Data = s.cur.Data
	}
	s.keep(t, receivedAt)
}

// Logins returns how many logins succeeded in this source's life.
func (s *TokenSource[D]) Logins() int64 { return s.logins.Load() }

// ErrNeedsNewCredential marks login errors that only the user can fix (a
// rejected fixed token, a one-time code already used); TokenSource
// remembers them like a refused login.
var ErrNeedsNewCredential = errors.New("a new credential is needed")

// Session is a client's authenticated side: the HTTP client, the token
// source, and how a token goes on a request.
type Session[D any] struct {
	HTTP   *Client
	Tokens *TokenSource[D]
	// Apply sets the token on a request's headers.
	Apply func(h http.Header, t Token[D])
	// Rejected reports whether an error means the token is no longer good.
	// Default: HTTP 401.
	Rejected func(err error) bool
	// Observe, when set, sees every answer (success or not), e.g. to take
	// a renewed token from its headers.
	Observe func(resp *Response)
}

// WithToken runs call with the cached token. When rejected(err) says the
// API refused the token, the token is invalidated, a new one obtained (one
// login for all callers that saw it fail) and call run once more. Do is
// built on it; a client whose call is not one request uses it directly.
func (s *TokenSource[D]) WithToken(ctx context.Context, rejected func(error) bool, call func(ctx context.Context, t Token[D]) error) error {
	tok, err := s.Token(ctx)
	if err != nil {
		return err
	}
	err = call(ctx, tok)
	if err == nil || !rejected(err) {
		return err
	}
	s.Invalidate(tok.Value)
	tok, err = s.Token(ctx)
	if err != nil {
		return err
	}
	return call(ctx, tok)
}

// Unauthorized is the default Rejected: HTTP 401.
func Unauthorized(err error) bool { return StatusIs(err, http.StatusUnauthorized) }

// GetJSON sends req with the cached token (see Do) and decodes the answer
// into v.
func (a *Session[D]) GetJSON(ctx context.Context, req *Request, v any) error {
	resp, err := a.Do(ctx, req)
	if err != nil {
		return err
	}
	return a.HTTP.DecodeJSON(resp, v)
}

// Do sends req with the cached token, logging in once more when the API
// rejects it (see WithToken).
func (a *Session[D]) Do(ctx context.Context, req *Request) (*Response, error) {
	rejected := a.Rejected
	if rejected == nil {
		rejected = Unauthorized
	}
	var (
		resp    *Response
		callErr error
	)
	err := a.Tokens.WithToken(ctx, rejected, func(ctx context.Context, t Token[D]) error {
		r := req.clone()
		a.Apply(r.Header, t)
		resp, callErr = a.HTTP.Do(ctx, r)
		if resp != nil && a.Observe != nil {
			a.Observe(resp)
		}
		return callErr
	})
	if err != callErr { //nolint:errorlint // identity: did the error come from the answer or from a login?
		return nil, err
	}
	return resp, err
}
