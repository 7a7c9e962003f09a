package httpx

import (
	"context"
	"errors"
	"sync"
)

// Memo remembers the result of identical reads for the life of a provider
// process. Concurrent callers with the same key share one request; a
// failure is not remembered.
type Memo[V any] struct {
	mu      sync.Mutex
	done    map[string]V
	flights map[string]*flight[V]
	// joined, when set, is called as a caller starts waiting on another
	// caller's read (tests synchronise on it).
	joined func()
}

// Get returns the remembered value for key, or calls fetch once.
func (m *Memo[V]) Get(ctx context.Context, key string, fetch func(ctx context.Context) (V, error)) (V, error) {
	for {
		v, err := m.get(ctx, key, fetch)
		// A read shared with a caller who gave up ends with that caller's
		// context error; a caller still waiting reads again itself.
		var gone *leaderGone
		if errors.As(err, &gone) {
			if ctx.Err() == nil {
				continue
			}
			err = gone.err
		}
		return v, err
	}
}

func (m *Memo[V]) get(ctx context.Context, key string, fetch func(ctx context.Context) (V, error)) (V, error) {
	m.mu.Lock()
	if v, ok := m.done[key]; ok {
		m.mu.Unlock()
		return v, nil
	}
	if f, ok := m.flights[key]; ok {
		m.mu.Unlock()
		if m.joined != nil {
			m.joined()
		}
		return f.wait(ctx)
	}
	f := &flight[V]{done: make(chan struct{})}
	if m.flights == nil {
		m.flights = map[string]*flight[V]{}
	}
	m.flights[key] = f
	m.mu.Unlock()

	v, err := fetch(ctx)
	err = sharedResult(ctx, err)

	m.mu.Lock()
	delete(m.flights, key)
	if err == nil {
		if m.done == nil {
			m.done = map[string]V{}
		}
		m.done[key] = v
	}
	f.val, f.err = v, err
	m.mu.Unlock()
	close(f.done)
	return v, err
}

// Forget drops every remembered value.
func (m *Memo[V]) Forget() {
	m.mu.Lock()
	m.done = nil
	m.mu.Unlock()
}

// flight is work in progress that other callers wait on.
type flight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// wait returns the flight's result, or the caller's context error if it
// gives up first.
func (f *flight[V]) wait(ctx context.Context) (V, error) {
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero V
		return zero, context.Cause(ctx)
	}
}
