// Package httpx is the one HTTP stack that every cloud client in this
// provider is built on. It owns everything that is not specific to a cloud:
// TLS (ca_cert, insecure), proxies from the environment, the per-attempt
// timeout, retries with back-off and Retry-After, a cap on response bodies,
// typed errors with the API's own message, masked debug logging, the cached
// login token (single-flight) and a memo for identical reads.
//
// A cloud client builds one Client and one TokenSource:
//
//	hc, err := httpx.New(httpx.Config{
//		Name:       "clc",
//		BaseURL:    "https://api.ctl.io",
//		Timeout:    30 * time.Second,
//		MaxRetries: 4,
//	})
//	if err != nil {
//		return nil, err
//	}
//	tokens := httpx.NewTokenSource(func(ctx context.Context, why httpx.LoginReason) (httpx.Token, error) {
//		resp, err := hc.Do(ctx, &httpx.Request{Method: "POST", Path: "/v2/authentication/login", Body: body})
//		...
//	})
//	auth := &httpx.Auth{Source: tokens, Apply: func(h http.Header, t httpx.Token) {
//		h.Set("Authorization", "Bearer "+t.Value)
//	}}
//	resp, err := hc.DoAuthed(ctx, auth, &httpx.Request{Method: "GET", Path: "/v2/datacenters/ACME"})
//
// Nothing in this package imports Terraform libraries; the provider plugs
// tflog in through the Logger interface.
package httpx
