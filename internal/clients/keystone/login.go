package keystone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// ReceiptHeader carries Keystone's auth receipt: on the 401 that answers a
// login which satisfied only part of the user's multi-factor rules, and on
// the request that completes it.
const ReceiptHeader = "Openstack-Auth-Receipt"

// tokensPath is below the v3 endpoint.
const tokensPath = "/auth/tokens"

// CodeSource says where the one-time code of a login came from.
type CodeSource int

// Sources of one-time codes.
const (
	CodeNone       CodeSource = iota // no code was sent
	CodeFixed                        // Config.Passcode
	CodeFromSecret                   // made from Config.TOTPSecret
)

// Methods returns the Keystone auth methods the client's login sends
// first ("password", "totp", "application_credential", "token").
//
// A code made from the TOTP secret costs nothing, so it goes with the
// password: one POST. The fixed passcode works once, so it is sent only
// when Keystone asks for it (a receipt whose rules want totp): a login
// that does not need it leaves it for one that does.
func (c *Client) Methods() []string {
	switch c.method {
	case MethodToken:
		return []string{"token"}
	case MethodAppCredID, MethodAppCredName:
		return []string{"application_credential"}
	case MethodTOTP:
		return []string{"totp"}
	}
	if c.otp != nil {
		return []string{"password", "totp"}
	}
	return []string{"password"}
}

func (c *Client) hasCode() bool { return c.otp != nil || c.cfg.Passcode != "" }

// issue asks for a new token with the configured credentials. When
// Keystone answers with an auth receipt (the user's multi-factor rules want
// more than the login gave), the login is completed with the methods still
// missing and the receipt: at most two POSTs per login (plus one when a
// code made from the TOTP secret went stale while a POST waited for a
// retry).
func (c *Client) issue(ctx context.Context) (*Token, error) {
	t, rc, err := c.send(ctx, c.Methods(), nil)
	if rc == nil {
		return t, err
	}
	next, err := c.nextMethods(rc)
	if err != nil {
		return nil, err
	}
	t, again, err := c.send(ctx, next, rc)
	if again != nil {
		// Rules that grow with each step are not something a
		// configuration can satisfy.
		return nil, c.mfaError(again)
	}
	return t, err
}

// codeUse is a one-time code as sent: its value, where it came from, and
// for a made code its time step.
type codeUse struct {
	value string
	src   CodeSource
	step  uint64
}

// code returns the code for a login: a fresh one from the secret, or the
// fixed passcode the first time only.
func (c *Client) code() (codeUse, error) {
	if c.otp != nil {
		now := c.cfg.Now()
		v := c.otp.Code(now)
		c.http.Redactor().Add(v)
		return codeUse{value: v, src: CodeFromSecret, step: c.otp.Counter(now)}, nil
	}
	if c.passcodeSpent.Swap(true) {
		return codeUse{}, &PasscodeSpentError{User: c.userLabel()}
	}
	return codeUse{value: c.cfg.Passcode, src: CodeFixed}, nil
}

// unsent reports whether a failed request cannot have reached Keystone:
// then a fixed passcode is still unused.
func unsent(err error) bool {
	var te *httpx.TransportError
	if errors.As(err, &te) {
		return te.Kind == httpx.KindRefused || te.Kind == httpx.KindDNS || te.Kind == httpx.KindTLS
	}
	return httpx.StatusIs(err, http.StatusTooManyRequests, http.StatusServiceUnavailable)
}

func (c *Client) userLabel() string {
	if c.cfg.UserName != "" {
		return fmt.Sprintf("user %q", c.cfg.UserName)
	}
	return fmt.Sprintf("user id %s", c.cfg.UserID)
}

// send makes one login request with the given methods (and a receipt from
// an earlier step). It returns the token, or the receipt of a login that
// Keystone wants completed, or the error.
func (c *Client) send(ctx context.Context, methods []string, rc *receipt) (*Token, *receipt, error) {
	opts := c.opts
	if slices.Contains(methods, "password") {
		opts.Password = c.cfg.Password
	}
	var code codeUse
	if slices.Contains(methods, "totp") {
		var err error
		if code, err = c.code(); err != nil {
			return nil, nil, err
		}
		opts.Passcode = code.value
	}
	for fresh := false; ; fresh = true {
		r, err := c.post(ctx, &opts, rc, code.src != CodeNone)
		if err == nil {
			t, err := c.decode(r)
			return t, nil, err
		}
		if next, rerr := c.receiptOf(r); next != nil || rerr != nil {
			return nil, next, rerr
		}
		if !fresh && c.stale(code, err) {
			// The body cannot change between the stack's retries, so the
			// code is made again here, once.
			if code, err = c.code(); err != nil {
				return nil, nil, err
			}
			opts.Passcode = code.value
			continue
		}
		if code.src == CodeFixed && unsent(err) {
			c.passcodeSpent.Store(false)
		}
		return nil, nil, c.loginError(err, &attempt{methods: methods, code: code.src, receipt: rc != nil})
	}
}

// stale reports whether a refused login carried a code from the secret
// that aged while the stack waited to retry the POST (after a 429 or
// 503): Keystone may have refused the code, not the user.
func (c *Client) stale(code codeUse, err error) bool {
	var ae *httpx.APIError
	return code.src == CodeFromSecret && errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized &&
		ae.Attempts > 1 && c.otp.Counter(c.cfg.Now()) != code.step
}

// post sends POST /v3/auth/tokens. A request with a one-time code is
// SingleUse: it is repeated only where it cannot have arrived.
func (c *Client) post(ctx context.Context, opts *tokens.AuthOptions, rc *receipt, singleUse bool) (*httpx.Response, error) {
	var scope map[string]any
	if c.method == MethodPassword || c.method == MethodTOTP {
		// Application credentials carry their project; Keystone refuses
		// a scope next to them.
		var err error
		if scope, err = opts.ToTokenV3ScopeMap(); err != nil {
			return nil, err
		}
	}
	m, err := opts.ToTokenV3CreateMap(scope)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	req := &httpx.Request{Method: http.MethodPost, Path: tokensPath, Body: body, SingleUse: singleUse}
	if rc != nil {
		req.Header = http.Header{}
		req.Header.Set(ReceiptHeader, rc.value)
	}
	return c.http.Do(ctx, req)
}

// receipt is Keystone's answer to a login that satisfied only part of the
// user's multi-factor rules: 401, the receipt in ReceiptHeader, and a body
// naming the methods done and the rules that include them.
type receipt struct {
	value   string
	Receipt struct {
		Methods   []string  `json:"methods"`
		User      User      `json:"user"`
		ExpiresAt time.Time `json:"expires_at"`
	} `json:"receipt"`
	Required [][]string `json:"required_auth_methods"`
	err      *httpx.APIError
}

// receiptOf reads the receipt of a 401 that carries one; a receipt over
// httpx.MaxIssuedBytes is an error.
func (c *Client) receiptOf(r *httpx.Response) (*receipt, error) {
	if r == nil || r.StatusCode != http.StatusUnauthorized || r.Header.Get(ReceiptHeader) == "" {
		return nil, nil
	}
	rc := &receipt{value: r.Header.Get(ReceiptHeader), err: c.http.APIError(r)}
	if err := c.http.Redactor().AddIssued("an "+ReceiptHeader, rc.value); err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.URL, err)
	}
	// A body that is not a receipt's makes the 401 an ordinary refusal.
	if uerr := json.Unmarshal(r.Body, rc); uerr != nil || rc.Receipt.Methods == nil {
		return nil, nil //nolint:nilerr // not a receipt, which is no error here
	}
	return rc, nil
}

// nextMethods picks the rule that needs the fewest further methods, all of
// which this configuration can send.
func (c *Client) nextMethods(rc *receipt) ([]string, error) {
	var best []string
	for _, rule := range rc.Required {
		var missing []string
		ok := true
		for _, m := range rule {
			if slices.Contains(rc.Receipt.Methods, m) || slices.Contains(missing, m) {
				continue
			}
			if !c.canSend(m) {
				ok = false
				break
			}
			missing = append(missing, m)
		}
		if ok && len(missing) > 0 && (best == nil || len(missing) < len(best)) {
			best = missing
		}
	}
	if best == nil {
		return nil, c.mfaError(rc)
	}
	return best, nil
}

// canSend reports whether the configuration provides an auth method.
func (c *Client) canSend(method string) bool {
	if c.method != MethodPassword && c.method != MethodTOTP {
		return false
	}
	switch method {
	case "password":
		return c.cfg.Password != ""
	case "totp":
		return c.hasCode()
	}
	return false
}

func (c *Client) mfaError(rc *receipt) error {
	user := rc.Receipt.User.Name
	if user == "" {
		user = rc.Receipt.User.ID
	}
	return &MFARequiredError{AuthURL: c.authURL, User: user, Done: rc.Receipt.Methods, Rules: rc.Required, Err: rc.err}
}

// attempt describes a refused login request.
type attempt struct {
	methods []string
	code    CodeSource
	receipt bool
}

// loginError sorts a failed login: a refusal by Keystone (400, 401, 403,
// and 404 with Keystone's own message, as for an unknown application
// credential) names the credentials; any other answer means auth_url does
// not point at Keystone's identity API.
func (c *Client) loginError(err error, a *attempt) error {
	var ae *httpx.APIError
	if !errors.As(err, &ae) || ae.StatusCode < 400 || ae.StatusCode >= 500 {
		return err
	}
	switch {
	case ae.StatusCode == http.StatusTooManyRequests, ae.StatusCode == http.StatusRequestTimeout:
		// Keystone (or a proxy) asks to slow down: a passing condition,
		// not a sign of another service.
		return err
	case ae.StatusCode == http.StatusBadRequest, ae.StatusCode == http.StatusUnauthorized, ae.StatusCode == http.StatusForbidden,
		ae.StatusCode == http.StatusNotFound && strings.HasPrefix(ae.Message, "Could not find"):
		// A 404 is about the credentials only when Keystone says what it
		// could not find (an application credential, a user, a project);
		// "The resource could not be found." is a wrong path.
		le := &LoginError{Method: c.method, AuthURL: c.authURL, Err: ae}
		if a != nil {
			le.Methods, le.Code, le.Receipt = a.methods, a.code, a.receipt
		}
		return le
	}
	return &EndpointError{AuthURL: c.authURL, Err: ae}
}

// LoginError is a login Keystone refused. Message is Keystone's own text
// (for a 401 always "The request you have made requires authentication.").
type LoginError struct {
	Method  Method
	AuthURL string
	// Methods are the Keystone auth methods the refused request carried,
	// Code where its one-time code came from, and Receipt whether it was
	// the second step of a multi-factor login.
	Methods []string
	Code    CodeSource
	Receipt bool
	Err     *httpx.APIError
}

func (e *LoginError) Error() string {
	what := "the " + e.Method.String() + " login"
	switch {
	case e.Method == MethodToken:
		what = "the configured token"
	case e.Receipt:
		what = fmt.Sprintf("the %s step of the %s login (sent with the receipt of the first step)", strings.Join(e.Methods, " + "), e.Method)
	case slices.Contains(e.Methods, "totp") && len(e.Methods) > 1:
		what = "the " + strings.Join(e.Methods, " + ") + " login"
	}
	msg := e.Err.Message
	if msg == "" {
		msg = e.Err.Snippet
	}
	s := fmt.Sprintf("Keystone at %s refused %s: HTTP %d %s: %s",
		e.AuthURL, what, e.Err.StatusCode, http.StatusText(e.Err.StatusCode), msg)
	if e.Err.StatusCode != http.StatusUnauthorized || e.Code == CodeNone {
		return s
	}
	wrong := ""
	if slices.Contains(e.Methods, "password") {
		wrong = "either the password is wrong or "
	}
	if e.Code == CodeFromSecret {
		return s + " (" + wrong + "the one-time code made from totp_secret was refused: the secret is not this user's, or this computer's clock is off by more than 30 seconds)"
	}
	return s + " (" + wrong + "the passcode was refused: a code is accepted for about a minute; set a current one)"
}

func (e *LoginError) Unwrap() error { return e.Err }

// MFARequiredError is a login that Keystone answered with an auth receipt
// whose rules this configuration cannot complete: they want a method it
// has nothing for (a one-time code without passcode or totp_secret, or a
// method the provider does not send).
type MFARequiredError struct {
	AuthURL string
	User    string
	// Done are the methods Keystone accepted; Rules its
	// required_auth_methods (each rule a set of methods that together log
	// in), only those that include a method done.
	Done  []string
	Rules [][]string
	Err   *httpx.APIError
}

func (e *MFARequiredError) Error() string {
	// Keystone keeps methods in sets: the same rules come in any order,
	// and the message names them in one. The names come from Keystone's
	// answer, so they are shown as httpx.Printable makes them.
	printable := func(ms []string) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = httpx.Printable(m)
		}
		return slices.Sorted(slices.Values(out))
	}
	done := printable(e.Done)
	var sorted [][]string
	for _, r := range e.Rules {
		sorted = append(sorted, printable(r))
	}
	slices.SortFunc(sorted, slices.Compare)
	e = &MFARequiredError{AuthURL: e.AuthURL, User: e.User, Done: done, Rules: sorted, Err: e.Err}

	var b strings.Builder
	fmt.Fprintf(&b, "Keystone at %s accepted the %s of user %q, but the user's multi-factor rules ask for more", e.AuthURL, strings.Join(e.Done, " and "), e.User)
	if len(e.Rules) == 0 {
		fmt.Fprintf(&b, " and accept no login that includes %s: log in with the methods the rules name (password with passcode or totp_secret, for a rule of password and totp), or ask the Keystone administrator which methods the rules name", strings.Join(e.Done, " + "))
		return b.String()
	}
	rules := make([]string, len(e.Rules))
	var missing []string
	for i, r := range e.Rules {
		rules[i] = strings.Join(r, " + ")
		for _, m := range r {
			if !slices.Contains(e.Done, m) && !slices.Contains(missing, m) {
				missing = append(missing, m)
			}
		}
	}
	fmt.Fprintf(&b, ": a login needs %s", strings.Join(rules, ", or "))
	var todo []string
	for _, m := range missing {
		switch m {
		case "totp":
			todo = append(todo, "for totp set passcode (a current code from the authenticator app, for one login) or totp_secret (the base32 secret the codes are made from, for a code at every login)")
		case "password":
			todo = append(todo, "for password set password")
		default:
			todo = append(todo, fmt.Sprintf("%s is a method this provider does not send", m))
		}
	}
	fmt.Fprintf(&b, "; %s", strings.Join(todo, "; "))
	return b.String()
}

// Unwrap gives the 401, so the token source remembers the failure.
func (e *MFARequiredError) Unwrap() error { return e.Err }

// PasscodeSpentError is a login that needs the fixed one-time code after
// it was used: a code works once.
type PasscodeSpentError struct{ User string }

func (e *PasscodeSpentError) Error() string {
	return fmt.Sprintf("Keystone needs a new login for %s, but the passcode (a one-time code) was used by this run's first login "+
		"and a code works once: set a new passcode, or totp_secret so that a code is made for each login", e.User)
}

// Unwrap makes the token source remember the failure: only the user can
// fix it.
func (e *PasscodeSpentError) Unwrap() error { return httpx.ErrNeedsNewCredential }
