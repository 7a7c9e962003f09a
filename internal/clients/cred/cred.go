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
	// own tools (and this provider) read to use the token, in the order
	// they are best written: `cloudauth token --format env` prints them.
	// Each client fills it from the names in its env.go.
	Env []EnvVar
}

// EnvVar is one environment variable of Credential.Env.
type EnvVar struct {
	Name  string
	Value string
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
