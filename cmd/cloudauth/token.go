package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider"
)

// tokenUsage is the help of `cloudauth token`. The variable names are the
// clients' (their env.go); TestTokenUsageNamesEveryVariable keeps the two
// in step.
const tokenUsage = `usage: cloudauth token <cloud> [-f|--format json|env|header|token] [--cloud NAME] [--no-cache]

Prints a token for <cloud> (%s) on standard output,
logging in first when needed. The cloud is configured exactly as the
Terraform provider configures it when its configuration has no block for
it: from environment variables (OS_*, CLEURA_API_*, ABQ_*, CLC_*),
clouds.yaml (OS_CLOUD) and the credentials file that "cloudauth login"
writes. Messages go to standard error and never show a secret; the exit
status is 1 when there is no token and 2 for a wrong command line.

A token that the command logged in for is kept in the credentials file
(when only you can read it) and printed again, without a login, until it
is due for renewal; other settings (environment variables, clouds.yaml)
get a token of their own. --no-cache logs in anyway, and keeps nothing.
A Keystone login that needs a one-time code asks for it when standard
input is a terminal (else set OS_PASSCODE). For cleura without
CLEURA_API_URL, the one token "cloudauth login cleura" stored is used.

--cloud NAME  the clouds.yaml entry for keystone (instead of OS_CLOUD)
--no-cache    log in even when a kept token is still valid

-f, --format
  json    (the default, because it is the one format that carries everything
          unambiguously, for a program or jq)
          {"token", "headers", "expires_at" (RFC 3339 or null), "endpoint", "principal"}
  env     lines for a POSIX shell to eval, values single-quoted:
            eval "$(cloudauth token keystone --format env)"
          keystone  what the openstack CLI needs in a shell that still holds
                    your OS_* settings: first an "unset" line for those that
                    would make it fail (a password next to the token, a scope
                    next to an application credential), then
                    - for a password login (or a token given): OS_AUTH_TYPE=v3token,
                      OS_AUTH_URL, OS_TOKEN and the token's scope, OS_PROJECT_ID,
                      OS_DOMAIN_ID or OS_SYSTEM_SCOPE=all (the CLI re-issues the
                      token, and without its scope would get one with no catalog);
                    - for an application credential, whose token Keystone does not
                      re-issue: what the CLI logs in with by itself, and a note on
                      standard error says so. From OS_* variables,
                      OS_AUTH_TYPE=v3applicationcredential, OS_AUTH_URL,
                      OS_APPLICATION_CREDENTIAL_ID (or _NAME and the user) and
                      OS_APPLICATION_CREDENTIAL_SECRET as you set them; from a
                      clouds.yaml entry, OS_CLOUD with OS_CLIENT_CONFIG_FILE and
                      OS_CLIENT_SECURE_FILE (the secret stays in the file);
                    and OS_REGION_NAME, OS_INTERFACE when configured.
                    After a password login's hand-off that shell no longer holds
                    your password: set it again for a login once the token ends.
          cleura    CLEURA_API_URL, CLEURA_API_USERNAME, CLEURA_API_TOKEN
          abiquo    ABQ_ENDPOINT, ABQ_USERNAME, ABQ_TOKEN
          clc       CLC_API_URL, CLC_BEARER_TOKEN (send it as
                    "Authorization: Bearer $CLC_BEARER_TOKEN"), CLC_ACCOUNT
          The provider reads these too (but OS_AUTH_TYPE), so a later
          Terraform run in that shell uses the token (or the same
          application credential) instead of logging in with a password.
  header  the HTTP headers the API expects, one "Name: value" a line:
            curl -H @<(cloudauth token cleura --format header) "$CLEURA_API_URL/..."
  token   the token alone on one line:
            curl -H "X-Auth-Token: $(cloudauth token keystone -f token)" ...
`

// tokenFormats print a credential on standard output.
var tokenFormats = map[string]func(w io.Writer, c cred.Credential) error{
	"json":   writeTokenJSON,
	"env":    writeTokenEnv,
	"header": writeTokenHeaders,
	"token":  writeTokenBare,
}

// token is `cloudauth token <cloud> [--format F]`; flags may come before
// or after the cloud.
func (a *app) token(args []string) error {
	fs := flag.NewFlagSet("cloudauth token", flag.ContinueOnError)
	var format string
	fs.StringVar(&format, "format", "json", "json, env, header or token")
	fs.StringVar(&format, "f", "json", "short for --format")
	cloudName := fs.String("cloud", "", "clouds.yaml entry (keystone; default $OS_CLOUD)")
	noCache := fs.Bool("no-cache", false, "log in even when the credentials file holds a token that is still valid")
	// -h prints the usage on stdout, a wrong command line on stderr.
	usageOut := a.stdout
	fs.Usage = func() { fmt.Fprintf(usageOut, tokenUsage, strings.Join(provider.Clouds(), ", ")) }
	var rest []string
	for {
		if err := a.parseFlags(fs, args); err != nil {
			if !errors.Is(err, flag.ErrHelp) {
				usageOut = a.stderr
			}
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	usageOut = a.stderr
	switch {
	case len(rest) == 1 && rest[0] == "help":
		fmt.Fprintf(a.stdout, tokenUsage, strings.Join(provider.Clouds(), ", "))
		return flag.ErrHelp
	case len(rest) == 0:
		return misuse(fs.Usage, "cloudauth token needs a cloud (%s)", strings.Join(provider.Clouds(), ", "))
	case len(rest) > 1:
		return misuse(fs.Usage, "cloudauth token takes one cloud, not %q", strings.Join(rest, " "))
	case !slices.Contains(provider.Clouds(), rest[0]):
		return misuse(fs.Usage, "unknown cloud %q (%s)", rest[0], strings.Join(provider.Clouds(), ", "))
	}
	write, ok := tokenFormats[format]
	if !ok {
		return misuse(fs.Usage, "unknown format %q (json, env, header or token)", format)
	}
	name := rest[0]
	getenv, err := a.tokenEnv(name, *cloudName)
	if err != nil {
		return misuse(fs.Usage, "%v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := a.credential(ctx, name, getenv, *noCache)
	if err != nil {
		return err
	}
	c, err = printableCredential(c)
	if err != nil {
		return err
	}
	if err := write(a.stdout, c); err != nil {
		return err
	}
	if format == "env" && c.EnvNote != "" {
		// After the variables, so that a person sees it last.
		fmt.Fprintf(a.stderr, "note: %s\n", c.EnvNote)
	}
	return nil
}

// diagError is what the provider said when there is no token: its
// summaries and details, which say what to set.
type diagError struct{ diags diag.Diagnostics }

func (e *diagError) Error() string {
	var b strings.Builder
	for i, d := range e.diags {
		if i > 0 {
			b.WriteString("\n")
		}
		writeDiag(&b, d)
	}
	return strings.TrimRight(b.String(), "\n")
}

// report writes the warnings to stderr and returns the errors as one
// error (printed by run, exit status 1).
func (a *app) report(diags diag.Diagnostics) error {
	for _, d := range diags.Warnings() {
		var b strings.Builder
		b.WriteString("warning: ")
		writeDiag(&b, d)
		fmt.Fprint(a.stderr, b.String())
	}
	if errs := diags.Errors(); len(errs) > 0 {
		return &diagError{errs}
	}
	return nil
}

// writeDiag writes the summary, then the detail indented below it.
func writeDiag(b *strings.Builder, d diag.Diagnostic) {
	b.WriteString(d.Summary())
	b.WriteString("\n")
	for _, line := range strings.Split(strings.TrimSpace(d.Detail()), "\n") {
		if line == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString("  " + line + "\n")
	}
}

// printableCredential makes what a server said safe to print on a
// terminal: the principal and endpoint lose the characters a terminal
// acts on (control, bidirectional and other format characters), and a
// token, header or variable value that holds any is refused, since it
// would no longer work without them. Real tokens are printable ASCII.
func printableCredential(c cred.Credential) (cred.Credential, error) {
	c.Principal, c.Endpoint = httpx.Printable(c.Principal), httpx.Printable(c.Endpoint)
	bad := func(s string) bool { return strings.ContainsAny(s, "\n\t") || httpx.Printable(s) != s }
	if bad(c.Token) {
		return c, errors.New("the token the API issued holds control or format characters, which a terminal would act on; it is not printed")
	}
	for n, v := range c.Headers {
		if bad(n) || bad(v) {
			return c, fmt.Errorf("the header %q holds control or format characters, which a terminal would act on; it is not printed", httpx.Printable(n))
		}
	}
	for _, v := range c.Env {
		// A secret the user set in that variable is theirs, passed back.
		if !v.Secret && bad(v.Value) {
			return c, fmt.Errorf("the value of %s holds control or format characters, which a terminal would act on; it is not printed", v.Name)
		}
	}
	return c, nil
}

// tokenJSON is the json format. Principal is null when the API names
// nobody, like the cloudauth_token data source's.
type tokenJSON struct {
	Token     string            `json:"token"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt *string           `json:"expires_at"`
	Endpoint  string            `json:"endpoint"`
	Principal *string           `json:"principal"`
}

func writeTokenJSON(w io.Writer, c cred.Credential) error {
	out := tokenJSON{Token: c.Token, Headers: c.Headers, Endpoint: c.Endpoint}
	if out.Headers == nil {
		out.Headers = map[string]string{}
	}
	if !c.ExpiresAt.IsZero() {
		s := c.ExpiresAt.UTC().Format(time.RFC3339)
		out.ExpiresAt = &s
	}
	if c.Principal != "" {
		out.Principal = &c.Principal
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// writeTokenEnv writes the variables to unset on one `unset` line (a
// POSIX shell's unset of a variable that is not set does nothing), then
// one `export` line per value.
func writeTokenEnv(w io.Writer, c cred.Credential) error {
	if len(c.Env) == 0 {
		return errors.New("this cloud's client names no environment variables for its token; use --format json")
	}
	var unset []string
	var exports strings.Builder
	for _, v := range c.Env {
		if !envName.MatchString(v.Name) {
			return fmt.Errorf("%q is not an environment variable name", v.Name)
		}
		if v.Unset {
			unset = append(unset, v.Name)
			continue
		}
		fmt.Fprintf(&exports, "export %s=%s\n", v.Name, shellQuote(v.Value))
	}
	var b strings.Builder
	if len(unset) > 0 {
		// -v: the variables, never a shell function of the same name.
		b.WriteString("unset -v " + strings.Join(unset, " ") + "\n")
	}
	b.WriteString(exports.String())
	_, err := io.WriteString(w, b.String())
	return err
}

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special but the single quote, which is closed, escaped and reopened.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeTokenHeaders(w io.Writer, c cred.Credential) error {
	names := make([]string, 0, len(c.Headers))
	for n := range c.Headers {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		// A line break would start another header (or the body).
		if strings.ContainsAny(n, "\r\n:") || strings.ContainsAny(c.Headers[n], "\r\n") {
			return fmt.Errorf("header %q cannot be written on one line", n)
		}
		fmt.Fprintf(&b, "%s: %s\n", n, c.Headers[n])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeTokenBare prints the token alone on a line, for $(...) in a shell.
func writeTokenBare(w io.Writer, c cred.Credential) error {
	if strings.ContainsAny(c.Token, "\r\n") {
		return errors.New("the token holds a line break, so it cannot be printed on one line; use --format json")
	}
	_, err := io.WriteString(w, c.Token+"\n")
	return err
}
