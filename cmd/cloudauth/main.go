// Command cloudauth obtains tokens interactively where a Terraform run
// cannot (Cleura's SMS code, Abiquo's one-time codes) and keeps them in the
// credentials file that the provider reads.
//
//	cloudauth login <cloud> [flags]    log in and store the token
//	cloudauth logout <cloud> [flags]   revoke the stored token and forget it
//	cloudauth status                   show what is stored (never a secret)
//	cloudauth token <cloud> [flags]    print a token for other tools
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
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
	now    func() time.Time
	lines  *bufio.Reader
}

func main() {
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now}
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

// errUsage marks errors that come with the usage text.
var errUsage = errors.New("usage")

func (a *app) run(args []string) int {
	err := a.dispatch(args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(a.stderr, err)
		a.usage()
		return 2
	}
	fmt.Fprintln(a.stderr, "cloudauth:", err)
	return 1
}

func (a *app) usage() {
	names := make([]string, 0, len(clouds))
	for n := range clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(a.stderr, `usage:
  cloudauth login <cloud> [flags]    log in interactively and store the token
  cloudauth logout <cloud> [flags]   revoke the stored token and forget it
  cloudauth status                   list stored tokens (never shows a secret)
  cloudauth token <cloud> [--format json|env|header]
                                     print a token for other tools ("cloudauth token -h")

clouds: %s; "cloudauth login <cloud> -h" lists a cloud's flags.
The credentials file is $XDG_CONFIG_HOME/cloudauth/credentials.json (~/.config/... by default).
`, strings.Join(names, ", "))
}

func (a *app) dispatch(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command given", errUsage)
	}
	switch args[0] {
	case "-h", "--help", "help":
		a.usage()
		return nil
	case "status":
		return a.status()
	case "token":
		return a.token(args[1:])
	case "login", "logout":
		if len(args) < 2 {
			return fmt.Errorf("%w: %s needs a cloud", errUsage, args[0])
		}
		c, ok := clouds[args[1]]
		if !ok {
			return fmt.Errorf("%w: unknown cloud %q", errUsage, args[1])
		}
		if args[0] == "login" {
			return c.login(a, args[2:])
		}
		return c.logout(a, args[2:])
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

// store opens the credentials file.
func (a *app) store() (*credstore.File, error) {
	path, err := credstore.DefaultPath(a.getenv)
	if err != nil {
		return nil, err
	}
	f, err := credstore.Load(path)
	if err != nil {
		return nil, err
	}
	if f.TooOpen {
		fmt.Fprintf(a.stderr, "warning: %s can be read by other users; it will be rewritten with mode 0600\n", path)
	}
	return f, nil
}

func (a *app) status() error {
	f, err := a.store()
	if err != nil {
		return err
	}
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Cloud, e.URL, e.Login,
			e.StoredAt.Local().Format(time.RFC3339), e.Age(now).Round(time.Minute), expires)
	}
	return tw.Flush()
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
