package httpx

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Memo remembers the result of identical reads for the life of a provider
// process. Concurrent callers with the same key share one request; a
// failure is not remembered.
type Memo[V any] struct {
	group singleflight.Group
	mu    sync.Mutex
	done  map[string]V
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
	m.mu.Unlock()
	ch := m.group.DoChan(key, func() (any, error) {
		v, err := fetch(ctx)
		if err != nil {
			return v, sharedResult(ctx, err)
		}
		m.mu.Lock()
		if m.done == nil {
			m.done = map[string]V{}
		}
		m.done[key] = v
		m.mu.Unlock()
		return v, nil
	})
	select {
	case r := <-ch:
		v, _ := r.Val.(V)
		return v, r.Err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// Forget drops every remembered value.
func (m *Memo[V]) Forget() {
	m.mu.Lock()
	m.done = nil
	m.mu.Unlock()
}
