package cloud

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// Fallback is the diagnostic for an error that no case of the cloud's own
// knew: the error, and what to do about its kind. url is the setting with
// the API's address.
func Fallback(summary, title string, url Setting, err error) diag.Diagnostic {
	var (
		de *httpx.DecodeError
		ae *httpx.APIError
	)
	detail := err.Error()
	switch {
	case errors.Is(err, httpx.ErrNeedsNewCredential):
		summary = "A new " + title + " credential is needed"
	case errors.Is(err, httpx.ErrBodyTooLarge):
		// The server answered: this is not a network problem.
		summary = "Answer from " + title + " too large"
		detail = fmt.Sprintf("%s.\n\nThe provider stops reading an answer at that size, so that a wrong or hostile server cannot make it "+
			"use memory without end. Check that %s points at the API itself: a wrong path, or a proxy in between, can send "+
			"something else. An answer of the API this large (a list or catalog of a great many entries) cannot be read.", err, url.Hint())
	case errors.As(err, &de):
		detail = fmt.Sprintf("%s\n\nThe answer is not what %s's API sends. Check that %s points at the API itself, not at a web page, "+
			"a proxy's login or error page, or a maintenance page.", err, title, url.Hint())
	case errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests:
		detail = fmt.Sprintf("%s\n\n%s limits how fast it may be called. Run again later, or lower Terraform's -parallelism.", err, title)
	case errors.As(err, &ae) && ae.StatusCode >= 500:
		detail = fmt.Sprintf("%s\n\n%s (or a proxy in front of it) failed; the provider already retried where that was safe. "+
			"This is often temporary: run again later. If it persists, check %s.", err, title, url.Hint())
	}
	return diag.NewErrorDiagnostic(summary, detail)
}

// ConfigError records an error of a client's constructor on the setting it
// names (httpx.ConfigError.Attribute is the attribute's name in the block),
// every one of joined errors. extra is added to each detail.
func ConfigError[S any](r *Resolver, b *Block[S], s *S, err error, extra string) {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			ConfigError(r, b, s, e, extra)
		}
		return
	}
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) {
		r.FailBlock("Invalid "+b.Name+" settings", err.Error()+extra)
		return
	}
	v, ok := b.setting(s, ce.Attribute)
	if !ok {
		r.FailBlock("Invalid "+b.Name+" settings", ce.Msg+"."+extra)
		return
	}
	summary := "Invalid " + v.Name()
	if v.origin() == Unset {
		summary = "Missing " + v.Name()
	}
	if httpx.IsURLSecret(ce) {
		r.FailOnSecret(summary, fmt.Sprintf("%s: %s.%s", v.Hint(), ce.Msg, extra))
		return
	}
	r.FailOn(v, summary, fmt.Sprintf("%s: %s.%s", v.Hint(), ce.Msg, extra))
}

// setting returns the value of the attribute name in s.
func (b *Block[S]) setting(s *S, name string) (Setting, bool) {
	for _, a := range b.Attrs {
		if a.name != name {
			continue
		}
		switch a.kind {
		case kindBool:
			return *a.boolean(s), true
		case kindInt:
			return *a.integer(s), true
		case kindMap:
			return *a.strings(s), true
		}
		return *a.str(s), true
	}
	return nil, false
}

// OptString maps "" to null, for fields an API leaves out.
func OptString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// TimeString is t in RFC 3339 (UTC), or null for the zero time.
func TimeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
