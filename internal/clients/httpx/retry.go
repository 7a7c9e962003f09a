package httpx

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// attemptState travels in the request context through every attempt of one
// logical request, so the retry policy knows the method and the caller
// learns how many attempts were made.
type attemptState struct {
	method    string
	attempts  atomic.Int32
	singleUse atomic.Bool
	// refresh updates the headers before a retry (Request.Refresh).
	refresh func(http.Header)
}

type attemptKey struct{}

// Attempts counts the attempts of the requests made with a context from
// trackAttempts.
type Attempts struct{ st *attemptState }

// N returns the number of attempts made so far.
func (a Attempts) N() int {
	if a.st == nil {
		return 0
	}
	return int(a.st.attempts.Load())
}

// trackAttempts returns a context whose requests count their attempts.
func trackAttempts(ctx context.Context) (context.Context, Attempts) {
	if st, ok := ctx.Value(attemptKey{}).(*attemptState); ok {
		return ctx, Attempts{st}
	}
	st := &attemptState{}
	return context.WithValue(ctx, attemptKey{}, st), Attempts{st}
}

func stateFrom(ctx context.Context) *attemptState {
	st, _ := ctx.Value(attemptKey{}).(*attemptState)
	return st
}

// idempotent methods may be repeated after any transient failure.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryPolicy decides whether to try again:
//   - 429 and 503 always: the server refused the request, so even a login
//     POST cannot have taken effect;
//   - 502 and 504 only for idempotent methods;
//   - connection refused always (nothing was sent);
//   - other connection failures only for idempotent methods;
//   - never an attempt that ran out of time (the server is slow; trying
//     again multiplies the wait), a TLS failure, or an unknown host;
//   - never when the wait before the retry would pass the request's
//     deadline, or when the server asks (Retry-After) for a longer wait
//     than maxRetryAfter: failing now, with the server's answer, beats
//     waiting for a failure.
type retryPolicy struct {
	minWait, maxWait, maxRetryAfter time.Duration
}

func (p retryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	method := http.MethodGet
	once := false
	n := 1
	if st := stateFrom(ctx); st != nil {
		if st.method != "" {
			method = st.method
		}
		once = st.singleUse.Load()
		n = int(st.attempts.Load())
	}
	repeatable := idempotent(method) && !once
	retry := false
	if err != nil {
		switch classify(err) {
		case KindRefused:
			retry = true
		case KindTimeout, KindTLS, KindClientCert, KindDNS, KindTooLarge, KindCanceled:
			return false, nil
		default:
			// A reset or a dropped connection may have reached the API.
			retry = repeatable
		}
	} else {
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			retry = true
		case http.StatusBadGateway, http.StatusGatewayTimeout:
			retry = repeatable
		}
	}
	if !retry {
		return false, nil
	}
	// The longest the wait before the next attempt can be.
	wait := p.maxBackoff(n - 1)
	if resp != nil {
		if d, ok := retryAfter(resp.Header, time.Now()); ok && isThrottle(resp.StatusCode) {
			if d > p.maxRetryAfter {
				return false, nil
			}
			wait = d
		}
	}
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
		return false, nil
	}
	return true, nil
}

func isThrottle(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// maxBackoff is the longest exponential wait before retry number attempt
// (0-based).
func (p retryPolicy) maxBackoff(attempt int) time.Duration {
	wait := p.minWait
	for i := 0; i < attempt && wait < p.maxWait; i++ {
		wait *= 2
	}
	return min(wait, p.maxWait)
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			secs = 0
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// backoff returns the wait before retry number attempt (0-based). 429 and
// 503 answers with Retry-After are honoured (checkRetry has refused a
// retry whose Retry-After is over maxRetryAfter); otherwise the wait
// doubles from minWait up to maxWait, with full jitter in its upper half
// so that parallel clients do not retry in step.
func (p retryPolicy) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && isThrottle(resp.StatusCode) {
		if d, ok := retryAfter(resp.Header, time.Now()); ok {
			return min(d, p.maxRetryAfter)
		}
	}
	wait := p.maxBackoff(attempt)
	half := wait / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}
