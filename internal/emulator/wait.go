package emulator

import (
	"context"
	"fmt"
)

// WaitUntil blocks until cond holds, for a test that waits on what a
// program under test makes the emulator do from another goroutine (an SMS
// sent, a code mailed, a request counted): cond is checked at once and
// again each time the emulator records a request and each time it has
// answered one, so a wait ends as soon as the event happens, without
// polling. It returns ctx's error, saying that cond never held, when ctx
// ends first.
//
//	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
//	defer cancel()
//	err := e.WaitUntil(ctx, func() bool { return e.AbiquoEmailsSent("mailer") > 0 })
//
// cond reads the emulator through its methods; it must not change it.
// Changes made through the Go knobs (Advance, RevokeAll, ...) wake no
// one: the test that makes them knows already.
func (e *Emulator) WaitUntil(ctx context.Context, cond func() bool) error {
	for {
		// The channel is taken before cond runs: a change after that
		// closes it, so none is missed between the check and the wait.
		e.mu.Lock()
		if e.changed == nil {
			e.changed = make(chan struct{})
		}
		changed := e.changed
		e.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("the emulator never reached the state waited for: %w", context.Cause(ctx))
		}
	}
}

// notifyLocked wakes every WaitUntil; e.mu is held. Nothing is allocated
// while no one waits, so requests cost no more outside such tests.
func (e *Emulator) notifyLocked() {
	if e.changed != nil {
		close(e.changed)
		e.changed = nil
	}
}

// notify is notifyLocked for a caller without the lock.
func (e *Emulator) notify() {
	e.mu.Lock()
	e.notifyLocked()
	e.mu.Unlock()
}
