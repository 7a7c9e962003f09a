package emulator

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// mailLogin is a login of the EMAIL two-factor user without a code: the
// emulator mails a code and refuses the login.
func mailLogin(e *Emulator) {
	r := httptest.NewRequest(http.MethodGet, "/abiquo/api/login", nil)
	r.SetBasicAuth(AbiquoEmailUser, AbiquoEmailPassword)
	e.ServeHTTP(httptest.NewRecorder(), r)
}

// waitLimit bounds a wait that should end; the machine is shared and slow.
const waitLimit = 20 * time.Second

func TestWaitUntilWakesOnTheEvent(t *testing.T) {
	t.Parallel()
	e := New()
	mailed := func() bool { return e.AbiquoEmailsSent(AbiquoEmailUser) > 0 }
	checked := make(chan bool)
	done := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	go func() {
		done <- e.WaitUntil(ctx, func() bool {
			ok := mailed()
			checked <- ok
			return ok
		})
	}()
	next := func() bool {
		t.Helper()
		select {
		case ok := <-checked:
			return ok
		case err := <-done:
			t.Fatalf("WaitUntil returned before the mail: %v", err)
		case <-ctx.Done():
			t.Fatal("the condition was not checked again")
		}
		return false
	}
	if next() {
		t.Fatal("mailed before any request")
	}
	// Another request wakes the waiter, which checks again and waits on.
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/_emulator/counters", nil))
	if next() {
		t.Fatal("mailed after an unrelated request")
	}
	// The mail ends the wait: its login is recorded (one check), then
	// answered with the code mailed (the check that holds).
	go mailLogin(e)
	for !next() {
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("WaitUntil = %v after the mail", err)
		}
	case <-ctx.Done():
		t.Fatal("WaitUntil did not return after the mail")
	}
}

func TestWaitUntilHoldsAlready(t *testing.T) {
	t.Parallel()
	e := New()
	mailLogin(e)
	// A context that has ended shows that no wait happened at all.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.WaitUntil(ctx, func() bool { return e.AbiquoEmailsSent(AbiquoEmailUser) == 1 }); err != nil {
		t.Fatalf("WaitUntil = %v for a condition that holds", err)
	}
}

func TestWaitUntilGivesUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	e := New()
	deadline := time.Now().Add(50 * time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	checks := 0
	err := e.WaitUntil(ctx, func() bool { checks++; return false })
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "never reached the state waited for") {
		t.Fatalf("WaitUntil = %v, want the deadline", err)
	}
	if time.Now().Before(deadline) {
		t.Error("WaitUntil gave up before the deadline")
	}
	// Nothing happened, so nothing was checked again: no polling.
	if checks != 1 {
		t.Errorf("the condition was checked %d times, want 1", checks)
	}
}

// A request held back by a slow answer wakes waiters on its count before
// it is answered.
func TestWaitUntilSeesARequestBeforeItsAnswer(t *testing.T) {
	t.Parallel()
	e := New()
	e.InjectFault(Fault{Route: "clc.login", Delay: time.Hour})
	reqCtx, stop := context.WithCancel(context.Background())
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		r := httptest.NewRequest(http.MethodPost, "/clc/v2/authentication/login", strings.NewReader("{}")).WithContext(reqCtx)
		e.ServeHTTP(httptest.NewRecorder(), r)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := e.WaitUntil(ctx, func() bool { return e.Requests("clc.login") == 1 }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-answered:
		t.Fatal("the request was answered despite its delay")
	default:
	}
	stop() // the client gives up, which ends the delay
	<-answered
}
