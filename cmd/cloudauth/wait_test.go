package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// Helpers for the tests that drive a login from the other side: what the
// emulator sent (an SMS, a mail) and what a terminal shows. They wait on
// events; waitLimit only bounds a wait that should end, generously, as
// the machine is shared and slow.

const waitLimit = 20 * time.Second

// waitEmulator waits until cond holds over the emulator's state, woken by
// the emulator on every request, and fails the test after waitLimit.
func waitEmulator(t *testing.T, e *emulator.Emulator, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := e.WaitUntil(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// terminal is the user's side of a pseudo-terminal: what the command
// printed, and a keyboard.
type terminal struct {
	ptmx, tty *os.File

	mu   sync.Mutex
	seen bytes.Buffer
	// readErr ends the screen: the pseudo-terminal was closed.
	readErr error
	// changed is closed when bytes arrive or the screen ends, to wake
	// waitFor; nil while no one waits.
	changed chan struct{}
}

func openTerminal(t *testing.T) *terminal {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	term := &terminal{ptmx: ptmx, tty: tty}
	go term.copyScreen()
	t.Cleanup(func() { tty.Close(); ptmx.Close() })
	return term
}

// copyScreen collects what the command writes and wakes the waiters.
func (term *terminal) copyScreen() {
	buf := make([]byte, 1024)
	for {
		n, err := term.ptmx.Read(buf)
		term.mu.Lock()
		term.seen.Write(buf[:n])
		if err != nil {
			term.readErr = err
		}
		if term.changed != nil {
			close(term.changed)
			term.changed = nil
		}
		term.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.seen.String()
}

// waitFor waits until the screen shows text for the n-th time.
func (term *terminal) waitFor(t *testing.T, text string, n int) {
	t.Helper()
	limit := time.NewTimer(waitLimit)
	defer limit.Stop()
	for {
		term.mu.Lock()
		screen, ended := term.seen.String(), term.readErr
		if strings.Count(screen, text) >= n {
			term.mu.Unlock()
			return
		}
		if term.changed == nil {
			term.changed = make(chan struct{})
		}
		changed := term.changed
		term.mu.Unlock()
		if ended != nil {
			t.Fatalf("the terminal closed (%v) before it showed %q; it shows:\n%s", ended, text, screen)
		}
		select {
		case <-changed:
		case <-limit.C:
			t.Fatalf("the terminal did not show %q within %v; it shows:\n%s", text, waitLimit, term.screen())
		}
	}
}

// echo reports whether the terminal shows what is typed.
func (term *terminal) echo(t *testing.T) bool {
	t.Helper()
	st, err := unix.IoctlGetTermios(int(term.tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return st.Lflag&unix.ECHO != 0
}

// pollEchoOff waits until the command has turned echo off, the one wait
// in these tests that polls. Nothing signals a termios change: the command
// turns echo off inside term.ReadPassword, out of a test's reach, and the
// kernel's only notice of it (a TIOCPKT_IOCTL packet in packet mode) comes
// only with EXTPROC set, which stops the terminal echoing anything at all,
// so the tests could no longer see a secret echoed. Callers wait for the
// prompt first, printed just before the call, so this rarely loops.
func (term *terminal) pollEchoOff(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(waitLimit); term.echo(t); {
		if time.Now().After(deadline) {
			t.Fatalf("echo stayed on for a secret; the terminal shows:\n%s", term.screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// typeSecret types a line once the program has turned echo off, as a
// person does after the prompt appears.
func (term *terminal) typeSecret(t *testing.T, line string) {
	t.Helper()
	term.pollEchoOff(t)
	term.typeLine(t, line)
}

func (term *terminal) typeLine(t *testing.T, line string) {
	t.Helper()
	if _, err := term.ptmx.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
}
