// Package credstore keeps tokens that a person obtained interactively
// (`cloudauth login cleura`, where an SMS code is needed; `cloudauth login
// abiquo`, with a one-time code) so that the provider can use them in a
// later Terraform run.
//
// The file is $XDG_CONFIG_HOME/cloudauth/credentials.json (or
// ~/.config/cloudauth/credentials.json), mode 0600 in a 0700 directory,
// and is replaced atomically on every change. Writers change it with
// Update, which holds an exclusive lock on credentials.json.lock beside it
// from the read to the write, so that two commands at once cannot lose
// each other's entries; readers need no lock, as every write is a rename.
//
//	path, _ := credstore.DefaultPath(os.Getenv)
//	err := credstore.Update(path, func(f *credstore.File) error {
//		f.Put(credstore.Entry{Cloud: "cleura", URL: url, Login: login, Token: tok, StoredAt: time.Now()})
//		return nil
//	})
package credstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Entry is one stored token.
type Entry struct {
	Cloud    string    `json:"cloud"`
	URL      string    `json:"url"`
	Login    string    `json:"login"`
	Token    string    `json:"token"`
	StoredAt time.Time `json:"stored_at"`
	// ExpiresAt is set where the API says when the token ends.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// OAuth1 is set for Abiquo OAuth 1.0a credentials (`cloudauth login
	// abiquo --oauth`), which such an entry holds instead of a token.
	// Files written before it existed have none, and read as before.
	OAuth1 *OAuth1 `json:"oauth1,omitempty"`
	// Cached is set on a token that `cloudauth token` got by itself and
	// keeps, to print again while it is valid; its Cloud is then
	// CachePrefix and the cloud's name, which the provider never reads.
	Cached *Cached `json:"cached,omitempty"`
}

// CachePrefix starts the Cloud of a cached token ("cache:clc").
const CachePrefix = "cache:"

// Cached is the rest of a credential that `cloudauth token` prints: what
// the token is for, the headers and variables it goes in, and when to
// stop using it.
type Cached struct {
	// Key identifies the settings the token was got with (a digest
	// without their secrets); other settings do not use it.
	Key       string            `json:"key"`
	Principal string            `json:"principal,omitempty"`
	Endpoint  string            `json:"endpoint,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	Env       []EnvVar          `json:"env,omitempty"`
	EnvNote   string            `json:"env_note,omitempty"`
	RenewAt   time.Time         `json:"renew_at"`
}

// EnvVar is one environment variable of a cached credential: a value to
// set, a variable to unset, or one that passes back the user's own
// secret, whose value is not kept (it is read from the environment again).
type EnvVar struct {
	Name   string `json:"name"`
	Value  string `json:"value,omitempty"`
	Unset  bool   `json:"unset,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

// OAuth1 is an application's consumer key and secret with the access
// token and secret a user granted it (RFC 5849). They do not expire; the
// user or an administrator revokes them.
type OAuth1 struct {
	ConsumerKey       string `json:"consumer_key"`
	ConsumerSecret    string `json:"consumer_secret"`
	AccessToken       string `json:"access_token"`
	AccessTokenSecret string `json:"access_token_secret"`
}

// Age is how long ago the token was stored.
func (e Entry) Age(now time.Time) time.Duration { return now.Sub(e.StoredAt) }

// File is the credentials file in memory.
type File struct {
	path    string
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
	// TooOpen is set when other users could read or change the file on
	// disk (never on Windows, whose ACLs the mode bits do not show).
	TooOpen bool `json:"-"`
	// unsafe says what else lets another user at the tokens: the owner
	// of the file or of its directory, or a directory others can change.
	unsafe []string
}

// DefaultPath returns the credentials file's path from the environment.
func DefaultPath(getenv func(string) string) (string, error) {
	if p := getenv("CLOUDAUTH_CREDENTIALS_FILE"); p != "" {
		return p, nil
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("neither XDG_CONFIG_HOME nor HOME is set, so there is no place for the credentials file")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "cloudauth", "credentials.json"), nil
}

// Load reads the file; a missing file is an empty one.
func Load(path string) (*File, error) {
	f := &File{path: path, Version: 1}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f.checkAccess()
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("%s is not a cloudauth credentials file: %w", path, err)
	}
	f.path = path
	f.checkAccess()
	return f, nil
}

// Warning says, for a person, why the file is not safe to keep tokens in
// (other users can read or change it, or its directory), or is empty when
// it is. It is the one text of that warning, for the provider and the
// command alike.
func (f *File) Warning() string {
	if f == nil {
		return ""
	}
	var parts []string
	if f.TooOpen {
		parts = append(parts, fmt.Sprintf("%s holds tokens but other users on this machine can read or change it. "+
			"Run `chmod 600 %s`; `cloudauth login` writes it with mode 0600.", f.path, f.path))
	}
	return strings.Join(append(parts, f.unsafe...), " ")
}

// Path is where the file lives.
func (f *File) Path() string { return f.path }

func same(e Entry, cloud, url, login string) bool {
	return e.Cloud == cloud &&
		strings.TrimRight(e.URL, "/") == strings.TrimRight(url, "/") &&
		(login == "" || strings.EqualFold(e.Login, login))
}

// Find returns the entry for a cloud, URL and login. With an empty login it
// returns the only entry for that cloud and URL, if there is exactly one.
func (f *File) Find(cloud, url, login string) (Entry, bool) {
	var found []Entry
	for _, e := range f.Entries {
		if same(e, cloud, url, login) {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		return Entry{}, false
	}
	return found[0], true
}

// Logins lists, sorted, the logins with a token for a cloud and URL.
func (f *File) Logins(cloud, url string) []string {
	if f == nil {
		return nil
	}
	var out []string
	for _, e := range f.Entries {
		if same(e, cloud, url, "") {
			out = append(out, e.Login)
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether the file holds any token for a cloud.
func (f *File) Has(cloud string) bool {
	if f == nil {
		return false
	}
	for _, e := range f.Entries {
		if e.Cloud == cloud {
			return true
		}
	}
	return false
}

// Put adds an entry or replaces the one for the same cloud, URL and login.
func (f *File) Put(e Entry) {
	for i, old := range f.Entries {
		if same(old, e.Cloud, e.URL, e.Login) {
			f.Entries[i] = e
			return
		}
	}
	f.Entries = append(f.Entries, e)
	sort.SliceStable(f.Entries, func(i, j int) bool {
		a, b := f.Entries[i], f.Entries[j]
		if a.Cloud != b.Cloud {
			return a.Cloud < b.Cloud
		}
		return a.URL+a.Login < b.URL+b.Login
	})
}

// Remove drops the entry for a cloud, URL and login (any login if empty)
// and returns what it removed.
func (f *File) Remove(cloud, url, login string) []Entry {
	var kept, gone []Entry
	for _, e := range f.Entries {
		if same(e, cloud, url, login) {
			gone = append(gone, e)
			continue
		}
		kept = append(kept, e)
	}
	f.Entries = kept
	return gone
}

// Save writes the file atomically: a private temporary file in the same
// directory, synced, then renamed over the old one. A change that depends
// on what the file held goes through Update instead, which locks out
// other writers from the read to the write.
func (f *File) Save() error {
	dir := filepath.Dir(f.path)
	if err := makeDir(dir); err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".credentials-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return err
	}
	// The file is now ours and private; what is wrong with its directory
	// stays wrong.
	f.checkAccess()
	return nil
}

// makeDir creates the file's directory with mode 0700, set explicitly as
// the umask may take bits away, and its missing parents. A directory that
// exists is left as it is: it may be one of the user's own, chosen with
// CLOUDAUTH_CREDENTIALS_FILE, and Warning says when others can change it.
func makeDir(dir string) error {
	st, err := os.Stat(dir)
	if err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a directory, so the credentials file cannot be kept in it", dir)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	switch err := os.Mkdir(dir, 0o700); {
	case errors.Is(err, fs.ErrExist):
		return nil // made by another writer just now
	case err != nil:
		return err
	}
	return os.Chmod(dir, 0o700)
}
