// Package cred is what every cloud client offers to code that hands its
// token to someone else: the cloudauth_token data source and ephemeral
// resource, and `cloudauth token`. It holds no HTTP and no Terraform.
//
//	var src cred.Source = clcClient
//	c, err := src.Credential(ctx) // the client's cached token, logging in once
//	req.Header.Set("Authorization", c.Headers["Authorization"])
package cred

import (
	"context"
	"errors"
	"time"
)

// Credential is a token ready for use outside the client: the value, the
// headers the API expects it in, and whom and what it is for.
type Credential struct {
	Token string
	// ExpiresAt is zero when the API does not say.
	ExpiresAt time.Time
	// RenewAt is when a holder of the token should ask for a new one
	// (before it expires, but never in a rush); zero when there is no
	// expiry to renew before.
	RenewAt   time.Time
	Principal string
	Endpoint  string
	Headers   map[string]string
	// Env is the credential as the environment variables that the cloud's
	// own tools (and this provider) read, in the order they are best
	// written: `cloudauth token --format env` prints them for a shell that
	// still holds whatever the user had set, so it also unsets what would
	// make those tools log in another way. Usually it hands over the
	// token; where the tools cannot use the token, it is what lets them
	// log in by themselves, and EnvNote says so. Each client fills it
	// from the names in its env.go.
	Env []EnvVar
	// EnvNote tells a person how Env hands the login over when it is not
	// simply the token ("" when it is); `cloudauth token --format env`
	// prints it on standard error.
	EnvNote string
}

// EnvVar is one environment variable of Credential.Env: a value to set,
// or, with Unset, a variable that must not be set at all.
type EnvVar struct {
	Name  string
	Value string
	// Unset: a value left over from the user's own settings (a password
	// next to a token, a scope next to an application credential) would
	// make the tools fail, so the variable is removed. Value is empty.
	Unset bool
	// Secret: Value is a secret that the user gave in this very variable;
	// it is only passed back, never taken from anywhere else (a file, the
	// provider configuration). A cache of the credential keeps the name,
	// not the value, and reads the value again from the environment.
	Secret bool
}

// Source is a client's token, as the token data source, the ephemeral
// resource and the command line see it.
type Source interface {
	// Credential returns the client's cached token (the one its reads
	// use), logging in first when there is none.
	Credential(ctx context.Context) (Credential, error)
	// Relogin drops the cached token and logs in again.
	Relogin(ctx context.Context) (Credential, error)
	// CanLogin reports whether the client can get a new token by itself;
	// one configured with only a token cannot.
	CanLogin() bool
}

// Issuer is a Source that can log in for a token outside its cache, which
// can then be revoked without ending the token its other callers share.
type Issuer interface {
	IssueToken(ctx context.Context) (Credential, error)
}

// Revoker is a Source whose API can revoke a token.
type Revoker interface {
	Revoke(ctx context.Context, token string) error
}

// ErrCannotLogin is returned by IssueToken and Relogin of a client that
// has only a fixed token.
var ErrCannotLogin = errors.New("there are no credentials to log in with, only a fixed token")
