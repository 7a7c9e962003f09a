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

// checkRetry decides whether to try again:
//   - 429 and 503 always: the server refused the request, so even a login
//     POST cannot have taken effect;
//   - 502 and 504 only for idempotent methods;
//   - connection refused always (nothing was sent);
//   - other connection failures only for idempotent methods;
//   - never an attempt that ran out of time (the server is slow; trying
//     again multiplies the wait), a TLS failure, or an unknown host.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	method := http.MethodGet
	once := false
	if st := stateFrom(ctx); st != nil {
		if st.method != "" {
			method = st.method
		}
		once = st.singleUse.Load()
	}
	repeatable := idempotent(method) && !once
	if err != nil {
		switch classify(err) {
		case KindRefused:
			return true, nil
		case KindTimeout, KindTLS, KindDNS, KindTooLarge, KindCanceled:
			return false, nil
		}
		// A reset or a dropped connection may have reached the API.
		return repeatable, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true, nil
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return repeatable, nil
	}
	return false, nil
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
// 503 answers with Retry-After are honoured up to maxRetryAfter; otherwise
// the wait doubles from min up to max, with full jitter in its upper half so
// that parallel clients do not retry in step.
func backoff(minWait, maxWait, maxRetryAfter time.Duration) func(time.Duration, time.Duration, int, *http.Response) time.Duration {
	return func(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
		if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
			if d, ok := retryAfter(resp.Header, time.Now()); ok {
				if d > maxRetryAfter {
					d = maxRetryAfter
				}
				return d
			}
		}
		wait := minWait
		for i := 0; i < attempt && wait < maxWait; i++ {
			wait *= 2
		}
		if wait > maxWait {
			wait = maxWait
		}
		half := wait / 2
		return half + time.Duration(rand.Int64N(int64(half)+1))
	}
}
