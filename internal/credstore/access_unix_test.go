//go:build !windows

package credstore

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The directory the file is saved in is created 0700 whatever the umask:
// a permissive one would leave it open, a strict one unusable. Not
// parallel: the umask is the process's.
func TestSaveCreatesAPrivateDirectory(t *testing.T) {
	for _, umask := range []int{0, 0o022, 0o077, 0o277} {
		base := t.TempDir()
		path := filepath.Join(base, "config", "cloudauth", "credentials.json")
		old := syscall.Umask(umask)
		f, err := Load(path)
		if err == nil {
			f.Put(entry("cleura", "alice"))
			err = f.Save()
		}
		syscall.Umask(old)
		if err != nil {
			t.Fatalf("umask %04o: %v", umask, err)
		}
		for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
			if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
				t.Errorf("umask %04o: %s is %v (%v), want %v", umask, p, st.Mode().Perm(), err, want)
			}
		}
	}
	// Through Update too, which makes the directory for the lock file.
	old := syscall.Umask(0)
	path := filepath.Join(t.TempDir(), "cloudauth", "credentials.json")
	err := Update(path, put(entry("cleura", "alice")))
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600, LockPath(path): 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("Update: %s is %v (%v), want %v", p, st.Mode().Perm(), err, want)
		}
	}
}

// A directory that exists, perhaps the user's own, keeps its mode.
func TestSaveLeavesAnExistingDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mine")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := Update(filepath.Join(dir, "creds.json"), put(entry("cleura", "alice"))); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o750 {
		t.Errorf("the directory became %v", st.Mode().Perm())
	}
}

// giveAway makes path belong to a user who is neither root nor this one.
func giveAway(t *testing.T, path string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("only root can give a file to another user; TestForeignOwner covers the rule")
	}
	if err := os.Chown(path, 4242, 4242); err != nil {
		t.Skipf("cannot give %s to another user: %v", path, err)
	}
}

// setGroup makes dir's group the user's private group, or one that is not.
func setGroup(t *testing.T, dir string, own bool) {
	t.Helper()
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	me := os.Getuid()
	if privateGroup(int(st.Sys().(*syscall.Stat_t).Gid), me) == own {
		return
	}
	if own {
		t.Skip("the user has no private group here")
	}
	if me != 0 {
		t.Skip("only root can give a directory to a group of which the user is not a member")
	}
	if err := os.Chown(dir, -1, 4242); err != nil {
		t.Skipf("cannot give %s to another group: %v", dir, err)
	}
}

// The owner may be the user or root, as for ssh's files.
func TestForeignOwner(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	mine, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	me := os.Getuid()
	if _, foreign := foreignOwner(mine, me); foreign {
		t.Error("my own file counts as another user's")
	}
	if me != 0 {
		if who, foreign := foreignOwner(mine, me+1); !foreign || !strings.Contains(who, "uid") {
			t.Errorf("for another user, my file is not foreign: %q", who)
		}
	}
	root, err := os.Stat("/")
	if err != nil || root.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Skip("/ does not belong to root here")
	}
	if _, foreign := foreignOwner(root, me+1); foreign {
		t.Error("root's directory counts as another user's")
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	const (
		tooOpen   = "other users on this machine can read or change it. Run `chmod 600 "
		fileOwner = "credentials.json belongs to the user with uid"
		dirOwner  = ", the directory of the credentials file, belongs to the user with uid"
		dirOpen   = ", the directory of the credentials file, and so replace the file and the tokens in it. Run `chmod go-w "
	)
	cases := []struct {
		name     string
		fileMode os.FileMode
		dirMode  os.FileMode
		// foreign gives the file or the directory to another user.
		foreign string
		// group makes the directory's group the user's private one
		// ("own") or another ("other").
		group string
		want  []string
		// afterSave is what is still wrong once the file is written again.
		afterSave []string
	}{
		{"private", 0o600, 0o700, "", "", nil, nil},
		{"readable directory", 0o600, 0o755, "", "", nil, nil},
		{"file readable by others", 0o644, 0o700, "", "", []string{tooOpen}, nil},
		{"file writable by the group", 0o620, 0o700, "", "", []string{tooOpen}, nil},
		{"directory writable by others", 0o600, 0o777, "", "", []string{dirOpen}, []string{dirOpen}},
		{"directory writable by another group", 0o600, 0o770, "", "other", []string{dirOpen}, []string{dirOpen}},
		{"directory writable by the user's own group", 0o600, 0o770, "", "own", nil, nil},
		{"sticky directory writable by all", 0o600, os.ModeSticky | 0o777, "", "", []string{dirOpen}, []string{dirOpen}},
		{"file of another user", 0o600, 0o700, "file", "", []string{fileOwner}, nil},
		{"directory of another user", 0o600, 0o700, "dir", "", []string{dirOwner}, []string{dirOwner}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "cloudauth")
			path := filepath.Join(dir, "credentials.json")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(`{"version":1,"entries":[]}`), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.fileMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tc.dirMode); err != nil {
				t.Fatal(err)
			}
			if tc.group != "" {
				setGroup(t, dir, tc.group == "own")
			}
			switch tc.foreign {
			case "file":
				giveAway(t, path)
			case "dir":
				giveAway(t, dir)
			}
			warning := func() string {
				f, err := Load(path)
				if err != nil {
					t.Fatal(err)
				}
				return f.Warning()
			}
			check := func(when, got string, want []string) {
				t.Helper()
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("%s: the warning lacks %q: %q", when, w, got)
					}
				}
				if len(want) == 0 && got != "" {
					t.Errorf("%s: warning %q", when, got)
				}
				if strings.Count(got, ". ") < len(want) {
					t.Errorf("%s: want %d sentences, with what to do: %q", when, 2*len(want), got)
				}
			}
			check("loaded", warning(), tc.want)
			if err := Update(path, put(entry("cleura", "alice"))); err != nil {
				t.Fatal(err)
			}
			check("saved", warning(), tc.afterSave)
		})
	}
}
