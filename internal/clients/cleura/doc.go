// Package cleura is a typed client for the Cleura Cloud REST API: token
// login with a password, the three-step SMS two-factor login, token
// validation and revocation, and the list of OpenStack domains and regions.
//
// The API has two generations of its auth calls: /auth/v2 (flat bodies,
// what the official tools use) and /auth/v1 (wrapped bodies, what the docs'
// curl examples use). Config.AuthAPI picks one; unset, the client speaks
// v2 and, when the server answers its first auth call with 404, v1 for the
// rest of its life. The domains endpoint is the same for both.
//
// A Terraform run cannot answer an SMS, so the client takes a token issued
// earlier (by `cloudauth login cleura`) as well as a password. Every call
// after the login sends X-AUTH-LOGIN and X-AUTH-TOKEN; the API checks the
// two as a pair.
//
//	c, err := cleura.New(cleura.Config{
//		HTTP:     httpx.Config{Name: "cleura", BaseURL: cleura.DefaultURL},
//		Username: "alice",
//		Password: pw,       // or Token: tok, TokenOrigin: "the credentials file"
//	})
//	domains, err := c.Domains(ctx)
//
// The SMS login, for a person at a terminal:
//
//	ans, err := c.CreateToken(ctx, cleura.TwoFactorSMS)     // ans.Verification
//	err = c.RequestSMSCode(ctx, ans.Verification)           // the phone gets a code
//	tok, err := c.VerifySMSCode(ctx, ans.Verification, code)
package cleura
