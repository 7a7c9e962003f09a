package cloud

import (
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
)

// Stored is what the credentials file that `cloudauth login` writes holds
// for one cloud, URL and login.
type Stored struct {
	// Path is the file's path; empty when there is no place for one (no
	// HOME), which is not worth a word.
	Path string
	// File is the file's content; nil when it could not be read.
	File *credstore.File
	// Err is why an existing file could not be read.
	Err error
	// Entry is the token found, when exactly one entry matched.
	Entry *credstore.Entry
}

// LookupStored reads the credentials file and finds the token stored for a
// cloud, URL and login (any login when empty, if only one has a token).
// When it finds one in a file that others can read, it warns.
func (r *Resolver) LookupStored(cloudName, url, login string) Stored {
	var st Stored
	p, err := credstore.DefaultPath(r.getenv)
	if err != nil {
		return st
	}
	st.Path = p
	st.File, st.Err = credstore.Load(p)
	if st.Err != nil {
		st.File = nil
		return st
	}
	if e, ok := st.File.Find(cloudName, url, login); ok {
		st.Entry = &e
		if w := st.File.Warning(); w != "" {
			r.Warn("The cloudauth credentials file is not private", w)
		}
	}
	return st
}
