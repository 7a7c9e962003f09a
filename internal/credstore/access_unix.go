//go:build !windows

package credstore

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// checkAccess notes who besides the user can read or change the tokens:
// through the file's mode, its owner, or its directory.
func (f *File) checkAccess() {
	f.TooOpen, f.unsafe = checkAccess(f.path, os.Getuid())
}

// checkAccess looks at the file at path and its directory for the user
// me. Root may own either, as ssh allows: root can read everything anyway.
// The directory counts because whoever can change it can replace the file
// with one of theirs, or read the tokens the next login writes.
func checkAccess(path string, me int) (tooOpen bool, unsafe []string) {
	if st, err := os.Stat(path); err == nil {
		tooOpen = st.Mode().Perm()&0o077 != 0
		if owner, ok := foreignOwner(st, me); ok {
			unsafe = append(unsafe, fmt.Sprintf("%s belongs to %s, not to you, who can read and change the tokens in it. "+
				"Move it away and log in again, so that `cloudauth login` writes a file of your own.", path, owner))
		}
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return tooOpen, unsafe
	}
	if owner, ok := foreignOwner(st, me); ok {
		unsafe = append(unsafe, fmt.Sprintf("%s, the directory of the credentials file, belongs to %s, who can replace the file and the tokens in it. "+
			"Keep the file in a directory of your own (CLOUDAUTH_CREDENTIALS_FILE sets its path).", dir, owner))
	}
	if writableByOthers(st, me) {
		unsafe = append(unsafe, fmt.Sprintf("Other users can add and remove files in %s, the directory of the credentials file, and so replace the file and the tokens in it. "+
			"Run `chmod go-w %s`, or keep the file in a directory of your own (CLOUDAUTH_CREDENTIALS_FILE sets its path).", dir, dir))
	}
	return tooOpen, unsafe
}

// writableByOthers reports whether users other than me can add and remove
// files in the directory st. Write access for the group is the user's
// own where the group is the user's private one: systems that give every
// user a group of the same name set a umask of 002, so the user's
// directories are group-writable without anyone else in that group.
func writableByOthers(st fs.FileInfo, me int) bool {
	perm := st.Mode().Perm()
	if perm&0o002 != 0 {
		return true
	}
	if perm&0o020 == 0 {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return !ok || !privateGroup(int(sys.Gid), me)
}

// privateGroup reports whether gid is the user's primary group and bears
// the user's name.
func privateGroup(gid, me int) bool {
	u, err := user.LookupId(strconv.Itoa(me))
	if err != nil || u.Gid != strconv.Itoa(gid) {
		return false
	}
	g, err := user.LookupGroupId(u.Gid)
	return err == nil && g.Name == u.Username
}

// foreignOwner names the owner of st when it is neither me nor root.
func foreignOwner(st fs.FileInfo, me int) (string, bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	uid := int(sys.Uid)
	if uid == me || uid == 0 {
		return "", false
	}
	id := strconv.Itoa(uid)
	if u, err := user.LookupId(id); err == nil && u.Username != "" {
		return fmt.Sprintf("the user %s (uid %s)", u.Username, id), true
	}
	return "the user with uid " + id, true
}
