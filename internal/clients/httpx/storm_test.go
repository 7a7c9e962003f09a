package httpx

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// fakeTime is a clock that only moves when told to, and a sleep that moves
// it, so that the login policy is tested over minutes in no time.
type fakeTime struct{ now time.Time }

func (f *fakeTime) clock() time.Time { return f.now }
func (f *fakeTime) sleep(_ context.Context, d time.Duration) error {
	f.now = f.now.Add(d)
	return nil
}

// loginsOver calls Token once a second for d and returns how many logins
// that took. A login issues a token that the API says lives lifetime,
// with the API's clock skew ahead of ours.
func loginsOver(t *testing.T, d, lifetime, skew time.Duration) int {
	t.Helper()
	ft := &fakeTime{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	n := 0
	s := NewTokenSource(func(context.Context, LoginReason) (tok, error) {
		n++
		issued := ft.now.Add(skew)
		return tok{Value: fmt.Sprint("t", n), IssuedAt: issued, ExpiresAt: issued.Add(lifetime)}, nil
	})
	s.SetClock(ft.clock)
	s.SetSleep(ft.sleep)
	end := ft.now.Add(d)
	for ft.now.Before(end) {
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
		ft.now = ft.now.Add(time.Second)
	}
	return n
}

// However short a token lives, or however far apart the API's clock and
// ours are, one client logs in at most a few times a minute.
func TestTokenSourceLoginsPerMinuteAreBounded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		lifetime time.Duration
		skew     time.Duration
		max      int
	}{
		// A third of the lifetime early: a new token every 20 s.
		{"30-second tokens", 30 * time.Second, 0, 3 * 5},
		// The cache used to renew a minute early: every read was a login.
		{"45-second tokens", 45 * time.Second, 0, 2 * 5},
		// Dead on arrival: the rate limit holds it to 3 a minute.
		{"1-second tokens", time.Second, 0, 3*5 + 3},
		// The API's clock two hours behind ours: its expiry is in our
		// past, but the lifetime it states is an hour.
		{"API clock behind", time.Hour, -2 * time.Hour, 1},
		{"API clock ahead", time.Hour, 2 * time.Hour, 1},
		{"hour-long tokens", time.Hour, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := loginsOver(t, 5*time.Minute, tc.lifetime, tc.skew); got > tc.max || got == 0 {
				t.Fatalf("%d logins in 5 minutes, want 1 to %d", got, tc.max)
			}
		})
	}
}

// A token without IssuedAt is trusted on its ExpiresAt; one already in our
// past is not logged in for again and again.
func TestTokenSourceExpiredOnArrivalIsRateLimited(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	n := 0
	s := NewTokenSource(func(context.Context, LoginReason) (tok, error) {
		n++
		return tok{Value: fmt.Sprint("t", n), ExpiresAt: ft.now.Add(-time.Hour)}, nil
	})
	s.SetClock(ft.clock)
	s.SetSleep(ft.sleep)
	start := ft.now
	for range 100 {
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if minutes := ft.now.Sub(start).Minutes(); float64(n) > 3*(minutes+1) {
		t.Fatalf("%d logins in %.1f minutes", n, minutes)
	}
}

func TestTokenSourceRenewAt(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		lifetime time.Duration
		skew     time.Duration
		want     time.Duration // after the login
	}{
		{"an hour: five minutes before", time.Hour, 0, 55 * time.Minute},
		{"four minutes: a third before", 4 * time.Minute, 0, 160 * time.Second},
		{"30 seconds: a third before", 30 * time.Second, 0, 20 * time.Second},
		{"5 seconds: not sooner than 15 s after the login", 5 * time.Second, 0, 15 * time.Second},
		{"an hour from an API an hour behind", time.Hour, -time.Hour, 55 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := t0
			s := NewTokenSource(func(context.Context, LoginReason) (tok, error) {
				issued := now.Add(tc.skew)
				return tok{Value: "t", IssuedAt: issued, ExpiresAt: issued.Add(tc.lifetime)}, nil
			})
			s.SetClock(func() time.Time { return now })
			if _, err := s.Token(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := s.RenewAt().Sub(t0); got != tc.want {
				t.Fatalf("RenewAt = login + %s, want + %s", got, tc.want)
			}
		})
	}
	s := NewTokenSource(func(context.Context, LoginReason) (tok, error) { return tok{Value: "no expiry"}, nil })
	if _, err := s.Token(context.Background()); err != nil || !s.RenewAt().IsZero() {
		t.Fatalf("a token without expiry: RenewAt %v, err %v", s.RenewAt(), err)
	}
}
