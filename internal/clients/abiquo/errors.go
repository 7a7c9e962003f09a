package abiquo

import (
	"fmt"
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

// LoginKind classifies a refused Basic login.
type LoginKind int

// Kinds of refused logins.
const (
	// BadCredentials: GEN-5, the user name or password is wrong (or the
	// user is disabled).
	BadCredentials LoginKind = iota
	// CodeRequired: the user has two-factor authentication and the login
	// carried no code.
	CodeRequired
	// CodeRefused: the code was wrong, out of date, or a spent scratch code.
	CodeRefused
	// Refused: a 401 whose body does not say why.
	Refused
)

// LoginError is a Basic login the API refused with 401. Its text names
// the cause and never contains the password or the code.
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
	switch e.Kind {
	case BadCredentials:
		return fmt.Sprintf("Abiquo refused the user name or password of %q (%s)", e.User, api)
	case CodeRequired:
		return fmt.Sprintf("Abiquo asks %q for a one-time code: two-factor authentication is on for this user and the login carried none (%s)", e.User, api)
	case CodeRefused:
		switch {
		case e.Code == CodeFromSecret:
			return fmt.Sprintf("Abiquo refused the one-time code made from the TOTP secret for %q (%s); the secret is not this user's current one, or this computer's clock is off by more than about 30 seconds", e.User, api)
		case e.LooksLikeScratch:
			return fmt.Sprintf("Abiquo refused the 8-digit code for %q (%s); a scratch code works only once, so it was probably used before, by an earlier run or `cloudauth login abiquo`", e.User, api)
		default:
			return fmt.Sprintf("Abiquo refused the one-time code for %q (%s); a code from an authenticator app is good for about 30 seconds and a scratch code only once", e.User, api)
		}
	}
	return fmt.Sprintf("Abiquo refused the login of %q (%s): the user name or password is wrong, or two-factor authentication wants a code", e.User, api)
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
