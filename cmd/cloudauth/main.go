// Command cloudauth obtains tokens interactively where a Terraform run
// cannot (Cleura's SMS code, Abiquo's one-time codes) and keeps them in the
// credentials file that the provider reads.
//
//	cloudauth login <cloud> [flags]    log in and store the token
//	cloudauth logout <cloud> [flags]   revoke the stored token and forget it
//	cloudauth status                   show what is stored (never a secret)
//	cloudauth token <cloud> [flags]    print a token for other tools
//
// Every command and subcommand shows its usage with -h, --help or help.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/buildinfo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider"
)

// cloudCommands are one cloud's login and logout.
type cloudCommands struct {
	login  func(a *app, args []string) error
	logout func(a *app, args []string) error
}

// clouds is filled by each cloud's file.
var clouds = map[string]cloudCommands{}

// app holds what the commands read and write, so tests can drive them.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// environ lists the environment (os.Environ), for the token cache's
	// key; nil caches nothing.
	environ func() []string
	now     func() time.Time
	lines   *bufio.Reader
}

func main() {
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ, now: time.Now}
	os.Exit(a.run(os.Args[1:]))
}

// env returns the first of the variables that is set: the clients'
// Env* lists, which the provider reads too.
func (a *app) env(vars []string) string {
	for _, v := range vars {
		if x := a.getenv(v); x != "" {
			return x
		}
	}
	return ""
}

// version is set at release (-X main.version=...); buildVersion falls
// back to the build information of `go install ...@vX.Y.Z`.
var version = "dev"

func buildVersion() string { return buildinfo.Version(version) }

// userAgent names the command and its version to the APIs.
func userAgent() string { return "cloudauth/" + buildVersion() }

// errUsage marks errors that come with the usage text.
var errUsage = errors.New("usage")

// usageError is a wrong command line of one command: the mistake, and that
// command's usage to print after it.
type usageError struct {
	err   error
	usage func()
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return errUsage }

// misuse is a wrong command line of the command whose usage is usage.
func misuse(usage func(), format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), usage: usage}
}

// parseFlags parses a command's flags. The flag package's own printing is
// held back, so that a wrong flag prints one message and the command's
// usage once (exit 2, as every wrong command line), and -h the usage alone.
func (a *app) parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(a.stderr)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		usage()
		return flag.ErrHelp
	}
	return &usageError{err: err, usage: usage}
}

func (a *app) run(args []string) int {
	if _, ok := a.stderr.(printableWriter); !ok {
		a.stderr = printableWriter{a.stderr}
	}
	err := a.dispatch(args)
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(a.stderr, "cloudauth:", ue.err)
		ue.usage()
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintln(a.stderr, "cloudauth:", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		a.usage()
		return 2
	}
	fmt.Fprintln(a.stderr, "cloudauth:", err)
	return 1
}

// printableWriter is standard error: every line on it is a message or a
// prompt, which may quote a server (an API's error, a user's name), so it
// is written as httpx.Printable makes it, without what a terminal would
// act on. Standard output carries tokens and data, exactly; its messages
// make the server's values printable themselves (shown).
type printableWriter struct{ w io.Writer }

func (p printableWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, httpx.Printable(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// flagSettings names the login commands' flags in the hints of the HTTP
// stack's errors, which otherwise name the provider block's attributes;
// urlFlag is the flag of the API's address. A setting the commands lack
// (timeout, a client certificate) is named nowhere.
func flagSettings(urlFlag string) func(attr string) string {
	return func(attr string) string {
		switch attr {
		case "url":
			return urlFlag
		case "ca_cert":
			return "--ca-cert"
		case "insecure":
			return "--insecure"
		}
		return ""
	}
}

// plainHTTPFlag refuses a plain http:// URL to another machine (or to this
// one through a proxy) without --insecure, as the client would, but before
// anything is asked for or sent.
func plainHTTPFlag(flag, u string, insecure bool) error {
	parsed, perr := url.Parse(u)
	if perr != nil {
		return fmt.Errorf("%s: %w", flag, perr)
	}
	if err := httpx.CheckCleartext(parsed, insecure, httpx.EnvProxy()); err != nil {
		var ce *httpx.CleartextError
		if errors.As(err, &ce) {
			ce.Allow = "--insecure"
		}
		return fmt.Errorf("%s: %w", flag, err)
	}
	return nil
}

// shown is a value from a server or the credentials file, fit for a
// message on standard output.
func shown(s string) string { return httpx.Printable(s) }

func (a *app) usage() {
	fmt.Fprintf(a.stderr, `usage:
  cloudauth login <cloud> [flags]    log in interactively and store the token
  cloudauth logout <cloud> [flags]   revoke the stored token and forget it
  cloudauth status                   list stored tokens (never shows a secret)
  cloudauth token <cloud> [-f json|env|header|token]
                                     print a token for other tools ("cloudauth token -h")
  cloudauth version                  print the version

login and logout take %s (the clouds whose logins need a person);
token takes %s.
"cloudauth login <cloud> -h" lists a cloud's flags,
and "cloudauth <command> -h" (or "cloudauth help <command>") shows a command's usage.
The credentials file is $XDG_CONFIG_HOME/cloudauth/credentials.json (~/.config/... by default).
`, strings.Join(cloudNames(), " and "), strings.Join(provider.Clouds(), ", "))
}

func cloudNames() []string {
	names := make([]string, 0, len(clouds))
	for n := range clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// isHelp reports whether an argument asks for usage rather than naming a
// cloud or a command.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// help answers `cloudauth help [command...]` with the usage of the
// command named, as its -h does.
func (a *app) help(args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		a.usage()
		return nil
	}
	return a.dispatch(append(args[:len(args):len(args)], "-h"))
}

// cloudCommandUsage is the usage of login or logout without a cloud.
func (a *app) cloudCommandUsage(cmd string) {
	what := map[string]string{
		"login":  "Logs in to a cloud interactively (password, then a one-time code where the account has one)\nand stores the token in the credentials file, for the provider to use.",
		"logout": "Revokes the token stored for a cloud, where the cloud can, and removes it from the credentials file.",
	}[cmd]
	fmt.Fprintf(a.stderr, "usage: cloudauth %s <cloud> [flags]\n\n%s\n\nclouds: %s; \"cloudauth %s <cloud> -h\" lists a cloud's flags.\n",
		cmd, what, strings.Join(cloudNames(), ", "), cmd)
}

func (a *app) dispatch(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command given", errUsage)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		return a.help(args[1:])
	case "version", "--version", "-version":
		usage := func() { fmt.Fprintln(a.stderr, "usage: cloudauth version\n\nPrints the version of cloudauth.") }
		switch {
		case len(args) == 2 && isHelp(args[1]):
			usage()
			return nil
		case len(args) > 1:
			return misuse(usage, "version takes no arguments, got %q", args[1])
		}
		fmt.Fprintf(a.stdout, "cloudauth %s\n", buildVersion())
		return nil
	case "status":
		return a.status(args[1:])
	case "token":
		return a.token(args[1:])
	case "login", "logout":
		usage := func() { a.cloudCommandUsage(args[0]) }
		if len(args) < 2 {
			return misuse(usage, "%s needs a cloud (%s)", args[0], strings.Join(cloudNames(), ", "))
		}
		if isHelp(args[1]) {
			usage()
			return nil
		}
		c, ok := clouds[args[1]]
		switch {
		case !ok && slices.Contains(provider.Clouds(), args[1]):
			// A cloud whose login needs no person: the provider and
			// `cloudauth token` log in by themselves.
			return misuse(usage, "%s logs in without a person, so there is no \"cloudauth %s %s\": "+
				"\"cloudauth token %s\" logs in and prints a token (\"cloudauth token -h\" shows how)",
				args[1], args[0], args[1], args[1])
		case !ok:
			return misuse(usage, "unknown cloud %q", args[1])
		}
		rest := args[2:]
		if len(rest) == 1 && rest[0] == "help" {
			rest = []string{"-h"} // the flags answer -h with the usage
		}
		if args[0] == "login" {
			return c.login(a, rest)
		}
		return c.logout(a, rest)
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

// load reads the credentials file, for a command that only reads it, or
// that picks what to change before it asks an API (and then changes it
// with update).
func (a *app) load() (*credstore.File, error) {
	path, err := credstore.DefaultPath(a.getenv)
	if err != nil {
		return nil, err
	}
	return credstore.Load(path)
}

// checkStore makes sure, before a login asks for anything, that the
// credentials file can take its token: a code typed for a token that is
// then dropped is a person's time wasted, and the token left valid.
func (a *app) checkStore() error {
	path, err := credstore.DefaultPath(a.getenv)
	if err != nil {
		return err
	}
	if err := credstore.Writable(path); err != nil {
		return fmt.Errorf("the credentials file cannot take a token, so nothing was asked for or sent: %w; "+
			"fix or remove %s (or choose another file with CLOUDAUTH_CREDENTIALS_FILE) and log in again", err, path)
	}
	return nil
}

// update changes the credentials file under its lock (credstore.Update),
// so that commands run at once keep each other's changes, and returns the
// file as written. change runs with the lock held: it must neither prompt
// nor send a request. What still lets others at the tokens afterwards (the
// file itself is now private) is printed as a warning.
func (a *app) update(change func(*credstore.File) error) (*credstore.File, error) {
	path, err := credstore.DefaultPath(a.getenv)
	if err != nil {
		return nil, err
	}
	var (
		file    *credstore.File
		wasOpen bool
	)
	if err := credstore.Update(path, func(f *credstore.File) error {
		file, wasOpen = f, f.TooOpen
		return change(f)
	}); err != nil {
		return nil, err
	}
	if wasOpen {
		fmt.Fprintf(a.stderr, "note: other users could read %s; it is now written with mode 0600.\n", path)
	}
	a.warn(file)
	return file, nil
}

// warn prints what lets other users at the tokens in the file, if anything.
func (a *app) warn(f *credstore.File) {
	if w := f.Warning(); w != "" {
		fmt.Fprintln(a.stderr, "warning:", w)
	}
}

// status lists the stored tokens. It only reads: a file others can read
// gets a warning that says what to do, and stays as it is.
func (a *app) status(args []string) error {
	fs := flag.NewFlagSet("cloudauth status", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "usage: cloudauth status\n\nLists the tokens in the credentials file: cloud, URL, login, when stored and when they expire.\n"+
			"It never shows a token or a secret, and warns when other users can read or change the file.\n")
	}
	if err := a.parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 1 && fs.Arg(0) == "help":
		fs.Usage()
		return nil
	case fs.NArg() > 0:
		return misuse(fs.Usage, "status takes no arguments, got %q", fs.Arg(0))
	}
	f, err := a.load()
	if err != nil {
		return err
	}
	a.warn(f)
	if len(f.Entries) == 0 {
		fmt.Fprintf(a.stdout, "no stored tokens (%s)\n", f.Path())
		return nil
	}
	fmt.Fprintf(a.stdout, "stored tokens in %s:\n\n", f.Path())
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLOUD\tURL\tLOGIN\tSTORED\tAGE\tEXPIRES")
	now := a.now()
	for _, e := range f.Entries {
		expires := "-"
		if e.ExpiresAt != nil {
			expires = e.ExpiresAt.Local().Format(time.RFC3339)
			if !now.Before(*e.ExpiresAt) {
				expires += " (expired)"
			}
		}
		if e.OAuth1 != nil {
			expires = "never (OAuth 1.0a credentials)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", shown(e.Cloud), shown(e.URL), shown(e.Login),
			e.StoredAt.Local().Format(time.RFC3339), e.Age(now).Round(time.Minute), expires)
	}
	return tw.Flush()
}

// terminal reports whether a person can be asked for input.
func (a *app) terminal() bool {
	f, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// line reads one line of input.
func (a *app) line() (string, error) {
	if a.lines == nil {
		a.lines = bufio.NewReader(a.stdin)
	}
	s, err := a.lines.ReadString('\n')
	if err != nil && (s == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			return "", errors.New("no input (end of file)")
		}
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// prompt asks for a value that may be shown.
func (a *app) prompt(label string) (string, error) {
	fmt.Fprint(a.stderr, label)
	return a.line()
}

// password reads a password: from the first line of standard input with
// --password-stdin, else asked for without echo on a terminal. Without a
// terminal it says which flag to use instead of waiting for input.
func (a *app) password(fromStdin bool, prompt string) (string, error) {
	switch {
	case fromStdin:
		pw, err := a.line()
		if err != nil {
			return "", fmt.Errorf("--password-stdin: reading the password from standard input: %w", err)
		}
		return pw, nil
	case !a.terminal():
		return "", errors.New("standard input is not a terminal, so the password cannot be asked for: " +
			"pass it on the first line of standard input with --password-stdin")
	}
	pw, err := a.promptSecret(prompt)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	return pw, nil
}

// promptSecret asks for a value without echoing it when stdin is a
// terminal. After an earlier prompt the line reader exists but holds
// nothing on a terminal, so the terminal is read directly again.
func (a *app) promptSecret(label string) (string, error) {
	fmt.Fprint(a.stderr, label)
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) && (a.lines == nil || a.lines.Buffered() == 0) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
	return a.line()
}
