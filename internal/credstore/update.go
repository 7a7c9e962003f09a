package credstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockWait is how long Update waits for another writer. Writers hold the
// lock from a read to a write only, never across a request or a prompt,
// so a wait this long means a writer is stuck.
const lockWait = 30 * time.Second

// lockPoll is how often a waiting Update tries the lock again.
const lockPoll = 10 * time.Millisecond

// LockPath is the lock file of the credentials file at path. It stays in
// place: removing it would let a writer lock a file that the next one no
// longer sees.
func LockPath(path string) string { return path + ".lock" }

// Update changes the credentials file at path: it takes an exclusive lock
// on the lock file beside it (waiting for another writer, if any), loads
// the file, lets change change it, saves it unless change returns an
// error, and unlocks. The lock keeps two commands at once from losing each
// other's entries. change should be quick: it runs with the lock held.
func Update(path string, change func(*File) error) error {
	return update(path, change, lockOptions{wait: lockWait})
}

// lockOptions let tests order writers and wait less.
type lockOptions struct {
	// busy runs when another writer holds the lock, before waiting.
	busy func()
	wait time.Duration
}

func update(path string, change func(*File) error, o lockOptions) error {
	if err := makeDir(filepath.Dir(path)); err != nil {
		return err
	}
	l := flock.New(LockPath(path))
	locked, err := l.TryLock()
	if err == nil && !locked {
		if o.busy != nil {
			o.busy()
		}
		ctx, cancel := context.WithTimeout(context.Background(), o.wait)
		defer cancel()
		locked, err = l.TryLockContext(ctx, lockPoll)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("another cloudauth command has been changing %s for over %s (it holds the lock %s); try again once it has finished",
			path, o.wait, LockPath(path))
	case err != nil:
		return fmt.Errorf("locking %s: %w", LockPath(path), err)
	case !locked:
		return fmt.Errorf("could not lock %s", LockPath(path))
	}
	// Unlocking closes the lock file, and closing it releases the lock
	// even when Unlock reports an error, so that error changes nothing.
	defer func() { _ = l.Unlock() }()
	f, err := Load(path)
	if err != nil {
		return err
	}
	if err := change(f); err != nil {
		return err
	}
	return f.Save()
}

// RemoveIfSame removes the entry stored for e's cloud, URL and login if
// it still holds e's token or OAuth credentials, and reports whether it
// did. A logout uses it to forget the token it revoked and not one that
// another login stored meanwhile.
func (f *File) RemoveIfSame(e Entry) bool {
	cur, ok := f.Find(e.Cloud, e.URL, e.Login)
	if !ok || cur.Token != e.Token || (cur.OAuth1 == nil) != (e.OAuth1 == nil) || (cur.OAuth1 != nil && *cur.OAuth1 != *e.OAuth1) {
		return false
	}
	return len(f.Remove(e.Cloud, e.URL, e.Login)) > 0
}

// Writable checks that Update can write the file at path later, so that a
// login can stop before it asks a person for anything (a password, an SMS
// code) whose token it could not keep: the directory can be made and
// written, the lock file opened, and the file, if there is one, read as a
// credentials file.
func Writable(path string) error {
	dir := filepath.Dir(path)
	if err := makeDir(dir); err != nil {
		return err
	}
	lock, err := os.OpenFile(LockPath(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := lock.Close(); err != nil {
		return err
	}
	probe, err := os.CreateTemp(dir, ".credentials-*.json")
	if err != nil {
		return err
	}
	probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		return err
	}
	_, err = Load(path)
	return err
}
