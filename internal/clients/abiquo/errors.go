package abiquo

import (
	"fmt"
	"html"
	"mime"
	"regexp"
	"strings"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// CodeSource says where the one-time code of a login came from.
type CodeSource int

// Sources of one-time codes.
const (
	CodeNone       CodeSource = iota // no code was sent
	CodeFromSecret                   // made from the TOTP secret
	CodeFixed                        // the fixed code (otp)
)

// LoginKind classifies a refused Basic login by what it carried. Abiquo's
// answer does not say whether the password or the one-time code was
// wrong: no public source shows how it refuses a two-factor login, so the
// client does not guess from the body.
type LoginKind int

// Kinds of refused logins.
const (
	// RefusedWithoutCode: a login without a one-time code was refused.
	// The user name or password is wrong, or the user has two-factor
	// authentication and a login needs a code (an EMAIL user has just
	// been mailed one). A run that has no code to give cannot log in:
	// the way out is `cloudauth login abiquo`, OAuth 1.0a, or (for an
	// authenticator app) the TOTP secret.
	RefusedWithoutCode LoginKind = iota
	// RefusedWithCode: a login with a one-time code was refused. The user
	// name or password is wrong, or the code is wrong, out of date or
	// already used.
	RefusedWithCode
)

// LoginError is a Basic login the API refused with 401. Its text names
// the possible causes and never contains the password or the code.
type LoginError struct {
	User string
	Kind LoginKind
	Code CodeSource
	// LooksLikeScratch is set when a refused fixed code has the 8 digits
	// of a scratch code.
	LooksLikeScratch bool
	Err              *httpx.APIError
}

func (e *LoginError) Error() string {
	api := apiText(e.Err)
	if e.Kind == RefusedWithoutCode {
		return fmt.Sprintf("Abiquo refused the login of %q (%s): the user name or password is wrong, or two-factor "+
			"authentication is on for this user and the login carried no one-time code (Abiquo does not say which)", e.User, api)
	}
	msg := fmt.Sprintf("Abiquo refused the login of %q with a one-time code (%s): the user name or password is wrong, "+
		"or the code is wrong, out of date or already used (Abiquo does not say which)", e.User, api)
	switch {
	case e.Code == CodeFromSecret:
		return msg + "; if the password is right, the TOTP secret is not this user's current one, or this computer's clock is off by more than about 30 seconds"
	case e.LooksLikeScratch:
		return msg + "; a scratch code works only once, so if the password is right this 8-digit code was probably used before, by an earlier run or `cloudauth login abiquo`"
	}
	return msg + "; a code from an authenticator app is good for about 30 seconds, a mailed code for about a minute, a scratch code once"
}

func (e *LoginError) Unwrap() error { return e.Err }

func apiText(ae *httpx.APIError) string {
	s := fmt.Sprintf("HTTP %d", ae.StatusCode)
	if ae.Code != "" {
		s += " " + ae.Code
	}
	if ae.Message != "" {
		s += ": " + ae.Message
	}
	return s
}

// CodeSpentError is a second login in one client with a fixed code: the
// code was used by the first, and one-time codes work once.
type CodeSpentError struct{ User string }

func (e *CodeSpentError) Error() string {
	return fmt.Sprintf("Abiquo needs a new login for %q, but the fixed one-time code was already used for this run's first login and cannot be used again", e.User)
}

// Unwrap makes TokenSource remember the failure: only the user can fix it.
func (e *CodeSpentError) Unwrap() error { return httpx.ErrNeedsNewCredential }

// TokenError is a given token (configured or stored) that has expired or
// that the API refused, with no password to log in with instead.
type TokenError struct {
	Origin string
	// ExpiredAt is when the token ended, where known.
	ExpiredAt time.Time
	// Expired: known to have ended before it was sent; otherwise the API
	// refused it.
	Expired bool
}

func (e *TokenError) Error() string {
	minutes := int(TokenLifetime / time.Minute)
	if e.Expired {
		return fmt.Sprintf("the Abiquo token from %s expired at %s (tokens end %d minutes after their last use)",
			e.Origin, e.ExpiredAt.Local().Format(time.RFC3339), minutes)
	}
	return fmt.Sprintf("Abiquo refused the token from %s (HTTP 401): it has expired (tokens end %d minutes after their last use) or its session was ended", e.Origin, minutes)
}

// Unwrap makes TokenSource remember the failure.
func (e *TokenError) Unwrap() error { return httpx.ErrNeedsNewCredential }

// AccessError is a 403: the user is logged in but lacks the privilege.
type AccessError struct {
	User string
	Path string
	Err  *httpx.APIError
}

func (e *AccessError) Error() string {
	return fmt.Sprintf("user %q may not read %s (%s)", e.User, strings.TrimPrefix(e.Path, "/"), apiText(e.Err))
}

func (e *AccessError) Unwrap() error { return e.Err }

// OAuthStep names the OAuth 1.0a request that was refused.
type OAuthStep int

// Steps of OAuth 1.0a.
const (
	// OAuthSigned: a request signed with the access token (the client's
	// login, GET /login, and every request after it).
	OAuthSigned OAuthStep = iota
	// OAuthRequestToken: POST /oauth/request_token, signed by the consumer.
	OAuthRequestToken
	// OAuthAccessToken: POST /oauth/access_token, the exchange of the
	// authorized request token.
	OAuthAccessToken
)

// OAuthError is an OAuth 1.0a request that Abiquo refused (401 or 400).
// The API does not say why in a documented way, so the text lists the
// causes; it never shows a secret or the signature.
type OAuthError struct {
	ConsumerKey string
	Step        OAuthStep
	Err         *httpx.APIError
}

func (e *OAuthError) Error() string {
	api := apiText(e.Err)
	switch e.Step {
	case OAuthRequestToken:
		return fmt.Sprintf("Abiquo refused the request token for the application with consumer key %q (%s): the consumer key "+
			"or secret is wrong, or this computer's clock is more than a few minutes off", e.ConsumerKey, api)
	case OAuthAccessToken:
		return fmt.Sprintf("Abiquo refused to exchange the authorized request token of the application with consumer key %q (%s): "+
			"the verifier is wrong or was used, the request token expired, or this computer's clock is more than a few minutes off", e.ConsumerKey, api)
	}
	return fmt.Sprintf("Abiquo refused the OAuth 1.0a signature of the application with consumer key %q (%s): the access token "+
		"was revoked or the application deleted, the consumer key, access token or one of the two secrets is wrong, or this "+
		"computer's clock is more than a few minutes off", e.ConsumerKey, api)
}

// Unwrap gives the API's answer: a 4xx, which a TokenSource remembers.
func (e *OAuthError) Unwrap() error { return e.Err }

var htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// cleanHTML turns an error answer that is an HTML page (Tomcat's own, for
// a 401 or 403 the servlet container answers) into an APIError that says
// so in a few words instead of quoting the page.
func cleanHTML(err error, r *httpx.Redactor) error {
	ae, ok := err.(*httpx.APIError) //nolint:errorlint // only the stack's own error, unwrapped, is rewritten
	if !ok {
		return err
	}
	// An HTML body gives no Message; one that has it was cleaned already.
	if mt, _, _ := mime.ParseMediaType(ae.ContentType); mt != "text/html" || ae.Message != "" {
		return err
	}
	cp := *ae
	cp.Snippet = ""
	cp.Message = "an HTML error page instead of an Abiquo error"
	if m := htmlTitle.FindStringSubmatch(ae.Snippet); m != nil {
		title := strings.Map(func(r rune) rune {
			if r == '<' || r == '>' || r < 0x20 {
				return -1
			}
			return r
		}, html.UnescapeString(m[1]))
		title = strings.Join(strings.Fields(title), " ")
		if r := []rune(title); len(r) > 80 {
			title = string(r[:80])
		}
		if title != "" {
			// Unescaping may have made terminal controls of "&#x1b;".
			cp.Message += " (" + r.Text(title) + ")"
		}
	}
	return &cp
}
