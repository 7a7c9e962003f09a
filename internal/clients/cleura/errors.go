package cleura

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// The API's error bodies carry a message but no machine-readable reason, so
// the errors below are chosen by status and, where one status covers
// several causes, by the words of the message (as cleura-cli does to tell
// a bad token from a missing privilege).

// LoginError is a login the API refused (wrong login or password).
type LoginError struct {
	Login   string
	Message string
	Err     *httpx.APIError
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("Cleura Cloud refused the login of %q (HTTP %d: %s)", e.Login, e.Err.StatusCode, orUnknown(e.Message))
}

func (e *LoginError) Unwrap() error { return e.Err }

// TwoFactorRequiredError is a password login of an account that has
// two-factor authentication: only an SMS code completes it.
type TwoFactorRequiredError struct {
	Login string
	// Type is the second factor the API named ("sms"), or "" when it only
	// listed Options.
	Type    string
	Options []string
}

func (e *TwoFactorRequiredError) Error() string {
	// Both come from the API's answer.
	how := httpx.Printable(e.Type)
	if how == "" {
		how = httpx.Printable(strings.Join(e.Options, " or "))
	}
	if how == "" {
		how = "unspecified"
	}
	return fmt.Sprintf("the Cleura Cloud account %q has two-factor authentication (%s), so a password alone cannot log in", e.Login, how)
}

// Is makes the error one that only the user can fix, so that the token
// source does not repeat the login in the same process.
func (e *TwoFactorRequiredError) Is(target error) bool { return target == httpx.ErrNeedsNewCredential }

// VerificationError is a verification id the API does not know (any more):
// the SMS login has to start again.
type VerificationError struct {
	Login   string
	Message string
	Err     *httpx.APIError
}

func (e *VerificationError) Error() string {
	return fmt.Sprintf("Cleura Cloud does not know the SMS login in progress for %q any more (HTTP %d: %s)", e.Login, e.Err.StatusCode, orUnknown(e.Message))
}

func (e *VerificationError) Unwrap() error { return e.Err }

// CodeRejectedError is an SMS code the API refused: wrong, or expired.
type CodeRejectedError struct {
	Login   string
	Message string
	// Expired is set when the API said the code has expired; another try
	// with the same verification cannot succeed then.
	Expired bool
	Err     *httpx.APIError
}

func (e *CodeRejectedError) Error() string {
	what := "wrong"
	if e.Expired {
		what = "expired"
	}
	return fmt.Sprintf("Cleura Cloud refused the SMS code for %q as %s (HTTP %d: %s)", e.Login, what, e.Err.StatusCode, orUnknown(e.Message))
}

func (e *CodeRejectedError) Unwrap() error { return e.Err }

// TokenRejectedError is a token given to the client that the API no longer
// accepts (revoked, expired or of another login), when no password can
// replace it, or the password login that should have replaced it failed.
type TokenRejectedError struct {
	Login string
	// Origin is where the token came from (Config.TokenOrigin).
	Origin string
	// Cause is the failed password login, if there was one.
	Cause error
}

func (e *TokenRejectedError) Error() string {
	from := ""
	if e.Origin != "" {
		from = " from " + e.Origin
	}
	if e.Cause != nil {
		return fmt.Sprintf("Cleura Cloud no longer accepts the token%s for %q, and logging in with the password did not work either: %v", from, e.Login, e.Cause)
	}
	return fmt.Sprintf("Cleura Cloud no longer accepts the token%s for %q (it was revoked, has expired or belongs to another login), and there is no password to log in again", from, e.Login)
}

// Unwrap keeps the failed login reachable with errors.As, and marks the
// error as one that only a new token fixes unless the login failed for a
// passing reason (a 502, a timeout): that one is tried again.
func (e *TokenRejectedError) Unwrap() []error {
	if e.Cause == nil {
		return []error{httpx.ErrNeedsNewCredential}
	}
	if e.Permanent() {
		return []error{httpx.ErrNeedsNewCredential, e.Cause}
	}
	return []error{e.Cause}
}

// Permanent reports whether trying again cannot help.
func (e *TokenRejectedError) Permanent() bool {
	return e.Cause == nil || httpx.IsPermanent(e.Cause) || errors.Is(e.Cause, httpx.ErrNeedsNewCredential)
}

// AccessError is a call the login may not make ("No access").
type AccessError struct {
	Login   string
	What    string
	Message string
	Err     *httpx.APIError
}

func (e *AccessError) Error() string {
	return fmt.Sprintf("the Cleura Cloud login %q may not %s (HTTP %d: %s)", e.Login, e.What, e.Err.StatusCode, orUnknown(e.Message))
}

func (e *AccessError) Unwrap() error { return e.Err }

// AuthAPIMissingError is an auth API the server does not have: /auth/v2 or
// /auth/v1 answered 404 (both, when Config.AuthAPI is unset).
type AuthAPIMissingError struct {
	URL string
	// Tried lists the generations asked, in order ("v2", "v1").
	Tried []string
	Err   *httpx.APIError
}

func (e *AuthAPIMissingError) Error() string {
	if len(e.Tried) != 1 {
		return fmt.Sprintf("%s has no Cleura Cloud auth API: /auth/v2 and /auth/v1 both answer HTTP 404. Check the URL: it is the REST API's base, such as %s", e.URL, DefaultURL)
	}
	tried, other := e.Tried[0], AuthV1
	if tried == AuthV1 {
		other = AuthV2
	}
	return fmt.Sprintf("%s has no Cleura Cloud auth API %s (/auth/%s answers HTTP 404). Choose the auth API %s, or leave the choice unset so that the client finds the one the server has",
		e.URL, tried, tried, other)
}

// Unwrap keeps the 404 reachable, which also makes the error permanent.
func (e *AuthAPIMissingError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// IsInvalidToken reports whether err is the API's answer to a token that is
// missing, unknown, expired or revoked: any 401, and a 403 whose message
// mentions the token ({"error":{"code":403,"message":"Invalid token"}}) or
// that has no readable message at all (cleura-cli treats such answers as
// an authentication problem too). A 403 with another message ("No access:
// ...") is a missing privilege, which a new token does not fix.
func IsInvalidToken(err error) bool {
	var ae *httpx.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.StatusCode {
	case http.StatusUnauthorized:
		return true
	case http.StatusForbidden:
		msg := strings.TrimSpace(ae.Message)
		return msg == "" || strings.Contains(strings.ToLower(msg), "token")
	}
	return false
}

func orUnknown(msg string) string {
	if msg == "" {
		return "no message"
	}
	return msg
}
