package credstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

func entry(cloud, login string) Entry {
	return Entry{Cloud: cloud, URL: "https://" + cloud + ".example", Login: login, Token: "token-of-" + login, StoredAt: time.Unix(0, 0).UTC()}
}

// put is a login's write: one entry added.
func put(e Entry) func(*File) error {
	return func(f *File) error { f.Put(e); return nil }
}

// wantLogins fails unless the file holds exactly the logins given.
func wantLogins(t *testing.T, path string, logins ...string) {
	t.Helper()
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range f.Entries {
		got[e.Login] = true
	}
	var lost []string
	for _, l := range logins {
		if !got[l] {
			lost = append(lost, l)
		}
	}
	if len(lost) > 0 || len(f.Entries) != len(logins) {
		t.Errorf("the file holds %d entries, want %d; lost: %v", len(f.Entries), len(logins), lost)
	}
}

// Many writers at once, each adding its own entry, as parallel `cloudauth
// login`s do: every entry survives, in every round.
func TestUpdateConcurrentWritersKeepEveryEntry(t *testing.T) {
	t.Parallel()
	const rounds, writers = 10, 12
	for round := range rounds {
		path := filepath.Join(t.TempDir(), "cloudauth", "credentials.json")
		start := make(chan struct{})
		errs := make(chan error, writers)
		var logins []string
		for i := range writers {
			cloud := []string{"cleura", "abiquo"}[i%2]
			login := fmt.Sprintf("%s-user-%d", cloud, i)
			logins = append(logins, login)
			go func() {
				<-start
				errs <- Update(path, put(entry(cloud, login)))
			}()
		}
		close(start)
		for range writers {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		wantLogins(t, path, logins...)
		if t.Failed() {
			t.Fatalf("round %d lost entries", round)
		}
	}
}

// helperEnv makes the test binary a writer process for
// TestUpdateConcurrentProcesses.
const helperEnv = "CREDSTORE_TEST_WRITER"

// TestUpdateWriterProcess is not a test: it is one writer process,
// started by TestUpdateConcurrentProcesses. It waits until its standard
// input closes, so that all writers start together, then adds its entries
// one Update at a time.
func TestUpdateWriterProcess(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("a helper for TestUpdateConcurrentProcesses")
	}
	path, name, n := parseSpec(t, spec)
	_, _ = io.Copy(io.Discard, os.Stdin)
	for i := range n {
		if err := Update(path, put(entry("abiquo", fmt.Sprintf("%s-%d", name, i)))); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
}

func parseSpec(t *testing.T, spec string) (string, string, int) {
	parts := strings.Split(spec, "|")
	if len(parts) != 3 {
		t.Fatalf("bad %s %q", helperEnv, spec)
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	return parts[0], parts[1], n
}

// Writers in separate processes, as commands in two terminals are: the
// lock is the file's, not the process's.
func TestUpdateConcurrentProcesses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	const rounds, procs, each = 3, 4, 10
	for round := range rounds {
		path := filepath.Join(t.TempDir(), "cloudauth", "credentials.json")
		var cmds []*exec.Cmd
		var gates []io.WriteCloser
		var logins []string
		for p := range procs {
			name := fmt.Sprintf("proc%d", p)
			for i := range each {
				logins = append(logins, fmt.Sprintf("%s-%d", name, i))
			}
			cmd := exec.Command(exe, "-test.run=^TestUpdateWriterProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%d", helperEnv, path, name, each))
			gate, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("%s:\n%s", name, out.String())
				}
			})
			cmds, gates = append(cmds, cmd), append(gates, gate)
		}
		for _, g := range gates {
			g.Close()
		}
		for _, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("round %d: a writer failed: %v", round, err)
			}
		}
		wantLogins(t, path, logins...)
		if t.Failed() {
			t.Fatalf("round %d lost entries", round)
		}
	}
}

// A logout and a login at once. The first holds the lock between its read
// and its write; the second arrives then. Without the lock the second
// would read, change and write before the first writes its stale copy
// over it: the revoked token would come back, or the new one go.
func TestUpdateLogoutRacingLogin(t *testing.T) {
	t.Parallel()
	cleura, abiquo := entry("cleura", "alice"), entry("abiquo", "bob")
	logout := func(f *File) error {
		if gone := f.Remove(cleura.Cloud, cleura.URL, cleura.Login); len(gone) != 1 {
			return fmt.Errorf("logout found %d entries", len(gone))
		}
		return nil
	}
	for _, tc := range []struct {
		name          string
		first, second func(*File) error
	}{
		{"the login reads first", put(abiquo), logout},
		{"the logout reads first", logout, put(abiquo)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "credentials.json")
			if err := Update(path, put(cleura)); err != nil {
				t.Fatal(err)
			}
			read := make(chan struct{})        // the first has read the file
			secondWaits := make(chan struct{}) // the second found the lock held
			secondDone := make(chan error, 1)
			firstDone := make(chan error, 1)
			go func() {
				firstDone <- Update(path, func(f *File) error {
					close(read)
					// Go on once the second writer is either waiting for
					// the lock or, were there none, done.
					select {
					case <-secondWaits:
					case err := <-secondDone:
						secondDone <- err
					}
					return tc.first(f)
				})
			}()
			<-read
			go func() {
				secondDone <- update(path, tc.second, lockOptions{busy: func() { close(secondWaits) }, wait: time.Minute})
			}()
			if err := <-firstDone; err != nil {
				t.Fatal(err)
			}
			if err := <-secondDone; err != nil {
				t.Fatal(err)
			}
			wantLogins(t, path, abiquo.Login)
		})
	}
}

func TestUpdateChangeErrorWritesNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "credentials.json")
	if err := Update(path, put(entry("cleura", "alice"))); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("no token to forget")
	err := Update(path, func(f *File) error {
		f.Put(entry("abiquo", "bob"))
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
	wantLogins(t, path, "alice")
	// The lock was released: the next writer gets it at once.
	if err := update(path, put(entry("abiquo", "carol")), lockOptions{busy: func() { t.Error("the lock is still held") }, wait: time.Second}); err != nil {
		t.Fatal(err)
	}
	wantLogins(t, path, "alice", "carol")
}

// A writer that holds the lock too long gets the next one an error that
// says what holds it, not a hang.
func TestUpdateGivesUpOnAStuckWriter(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "credentials.json")
	if err := Update(path, put(entry("cleura", "alice"))); err != nil {
		t.Fatal(err)
	}
	stuck := flock.New(LockPath(path))
	if err := stuck.Lock(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stuck.Unlock() }()
	waited := false
	err := update(path, put(entry("abiquo", "bob")), lockOptions{busy: func() { waited = true }, wait: 50 * time.Millisecond})
	if err == nil || !waited || !strings.Contains(err.Error(), "another cloudauth command has been changing "+path) ||
		!strings.Contains(err.Error(), LockPath(path)) || !strings.Contains(err.Error(), "try again") {
		t.Fatalf("waited %v, err = %v", waited, err)
	}
	wantLogins(t, path, "alice")
}

func TestRemoveIfSame(t *testing.T) {
	t.Parallel()
	revoked := entry("cleura", "alice")
	oauth := Entry{Cloud: "abiquo", URL: "https://abq.example/api", Login: "bob",
		OAuth1: &OAuth1{ConsumerKey: "ck", ConsumerSecret: "cs", AccessToken: "at", AccessTokenSecret: "as"}}
	for _, tc := range []struct {
		name       string
		stored     Entry
		forget     Entry
		wantGone   bool
		wantLogins int
	}{
		{"the token revoked", revoked, revoked, true, 0},
		{"a newer token stored meanwhile", func() Entry { e := revoked; e.Token = "newer"; return e }(), revoked, false, 1},
		{"the same OAuth credentials", oauth, oauth, true, 0},
		{"other OAuth credentials", func() Entry { e := oauth; o := *e.OAuth1; o.AccessToken = "other"; e.OAuth1 = &o; return e }(), oauth, false, 1},
		{"a token instead of OAuth credentials", func() Entry { e := oauth; e.OAuth1 = nil; return e }(), oauth, false, 1},
	} {
		f := &File{}
		f.Put(tc.stored)
		if gone := f.RemoveIfSame(tc.forget); gone != tc.wantGone || len(f.Entries) != tc.wantLogins {
			t.Errorf("%s: removed %v, %d left", tc.name, gone, len(f.Entries))
		}
	}
}

func TestWritable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "cloudauth", "credentials.json")
	if err := Writable(path); err != nil {
		t.Fatalf("a fresh place: %v", err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("directory: %v %v", st, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 || entries[0].Name() != "credentials.json.lock" {
		t.Errorf("Writable left %v behind", entries)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Writable(path); err == nil || !strings.Contains(err.Error(), "is not a cloudauth credentials file") {
		t.Errorf("a corrupt file: %v", err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Writable(filepath.Join(file, "cloudauth", "credentials.json")); err == nil {
		t.Error("a path below a regular file: no error")
	}
}
