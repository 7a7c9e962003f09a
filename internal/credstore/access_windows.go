package credstore

// checkAccess does nothing on Windows: the mode bits Go shows there do
// not describe the file's ACL, so they would warn about every file, and
// a file in the user's profile is private by default.
func (f *File) checkAccess() {}
