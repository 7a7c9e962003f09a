// Package keystone is a typed client for OpenStack Keystone v3 built on
// gophercloud's token options (openstack/identity/v3/tokens) and the shared HTTP stack: it
// logs in with an application credential, a password or an existing
// token, keeps the token for the life of the process, and hands out what
// the login returned (user, scope, roles, service catalog).
//
//	c, err := keystone.New(keystone.Config{
//		HTTP:                        httpx.Config{Timeout: 30 * time.Second, MaxRetries: 4},
//		AuthURL:                     "https://in-west3.controlcloud.app:5000",
//		ApplicationCredentialID:     id,
//		ApplicationCredentialSecret: secret,
//	})
//	tok, err := c.Login(ctx) // POST /v3/auth/tokens once; later calls reuse it
//	services, urls := tok.Select(keystone.Selection{Interface: "public", Region: "in-west3"})
//	compute := urls["compute"]
//
// Multi-factor users: TOTPSecret makes a code for every login and sends it
// with the password (one POST); a fixed Passcode is sent only when Keystone
// answers the password with an auth receipt whose rules want totp, and
// used once. A receipt is answered with the methods still missing and the
// Openstack-Auth-Receipt header (two POSTs); rules the configuration
// cannot complete give *MFARequiredError, naming what to set.
//
// gophercloud builds the login bodies from its validated options; the
// requests go through the shared stack like every other cloud's, so errors
// are *httpx.APIError with Keystone's message or *httpx.TransportError, and
// a 401 goes through the client's httpx.TokenSource: concurrent callers
// share one new login.
package keystone
