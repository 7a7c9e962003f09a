package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// snippetLen bounds the body excerpt shown in errors.
const snippetLen = 200

// APIError is an answer with an HTTP status of 400 or more.
type APIError struct {
	Method     string
	URL        string // secrets masked
	StatusCode int
	// Code is the API's own error code where it has one (Abiquo "GEN-5").
	Code string
	// Message is the API's own explanation, taken from its error body.
	Message string
	// Snippet is a short, masked excerpt of the body, set when the body
	// carried no message the parser understood.
	Snippet     string
	ContentType string
	Attempts    int
	Header      http.Header
	// RetryAfter is how long a 429 or 503 asked the client to wait.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case e.Message != "" && e.Code != "":
		fmt.Fprintf(&b, ": %s %s", e.Code, e.Message)
	case e.Message != "":
		fmt.Fprintf(&b, ": %s", e.Message)
	case e.Snippet != "":
		fmt.Fprintf(&b, " (body: %s)", e.Snippet)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; the API asks to retry after %s", e.RetryAfter)
	}
	return b.String()
}

// StatusIs reports whether err is an *APIError with one of the statuses.
func StatusIs(err error, statuses ...int) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, s := range statuses {
		if ae.StatusCode == s {
			return true
		}
	}
	return false
}

// IsPermanent reports whether repeating the call cannot help: a 4xx answer
// other than 408 and 429. A login that failed this way is not tried again in
// the same provider process, so a wrong password cannot lock an account.
func IsPermanent(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.StatusCode >= 400 && ae.StatusCode < 500 && ae.StatusCode != 408 && ae.StatusCode != 429
}

// ParseErrorBody extracts the API's own code and message from the error
// bodies of the four APIs:
//
//	{"error":{"code":401,"title":"Unauthorized","message":"..."}}  Keystone, Cleura
//	{"collection":[{"code":"GEN-5","message":"..."}]}              Abiquo
//	{"message":"...","modelState":{...}}                           CenturyLink
//	[{"message":"..."}] and {"error":"..."}                         variants
func ParseErrorBody(body []byte) (code, message string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') {
		return "", ""
	}
	if body[0] == '[' {
		var list []struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &list) == nil {
			var msgs []string
			for _, m := range list {
				if m.Message != "" {
					msgs = append(msgs, m.Message)
				}
			}
			return "", strings.Join(msgs, "; ")
		}
		return "", ""
	}
	var env struct {
		Error      json.RawMessage `json:"error"`
		Collection []struct {
			Code     string `json:"code"`
			Message  string `json:"message"`
			Messages string `json:"messages"`
		} `json:"collection"`
		Message    string              `json:"message"`
		ModelState map[string][]string `json:"modelState"`
	}
	if json.Unmarshal(body, &env) != nil {
		return "", ""
	}
	if len(env.Error) > 0 && env.Error[0] == '{' {
		var e struct {
			Code    json.RawMessage `json:"code"`
			Title   string          `json:"title"`
			Message string          `json:"message"`
			Errors  []struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			} `json:"errors"`
		}
		if json.Unmarshal(env.Error, &e) == nil && (e.Message != "" || e.Title != "") {
			msg := e.Message
			if msg == "" {
				msg = e.Title
			}
			for _, fe := range e.Errors {
				msg += fmt.Sprintf("; %s: %s", fe.Key, fe.Value)
			}
			return "", msg
		}
	}
	if len(env.Error) > 0 && env.Error[0] == '"' {
		var s string
		if json.Unmarshal(env.Error, &s) == nil && s != "" {
			return "", s
		}
	}
	if len(env.Collection) > 0 {
		var codes, msgs []string
		for _, c := range env.Collection {
			m := c.Message
			if m == "" {
				m = c.Messages
			}
			if c.Code != "" {
				codes = append(codes, c.Code)
			}
			if m != "" {
				msgs = append(msgs, m)
			}
		}
		if len(msgs) > 0 || len(codes) > 0 {
			return strings.Join(codes, ", "), strings.Join(msgs, "; ")
		}
	}
	if env.Message != "" {
		msg := env.Message
		for field, problems := range env.ModelState {
			msg += fmt.Sprintf("; %s: %s", field, strings.Join(problems, ", "))
		}
		return "", msg
	}
	return "", ""
}

// TransportError is a request that got no usable HTTP answer: the
// connection failed, the name did not resolve, the attempt ran out of time,
// TLS verification failed, or the body could not be read.
type TransportError struct {
	Method   string
	URL      string
	Kind     TransportKind
	Attempts int
	Timeout  time.Duration
	Block    string // provider block, for hints
	// Setting is Config.Setting: how to change a setting, for hints.
	Setting func(attr string) string
	// Proxy is the proxy the request went through (from HTTPS_PROXY or
	// HTTP_PROXY), without credentials; empty for a direct connection.
	Proxy string
	Err   error // masked cause
}

// TransportKind classifies a TransportError.
type TransportKind string

// Kinds of transport failures.
const (
	KindRefused TransportKind = "connection refused"
	KindDNS     TransportKind = "host not found"
	KindTimeout TransportKind = "timeout"
	KindTLS     TransportKind = "tls"
	// KindClientCert: the server wanted a client certificate and got none,
	// or refused the one it got.
	KindClientCert TransportKind = "client certificate"
	KindBody       TransportKind = "body"
	KindTooLarge   TransportKind = "body too large"
	KindOther      TransportKind = "network"
	KindCanceled   TransportKind = "canceled"
)

func (e *TransportError) Error() string {
	attempts := ""
	if e.Attempts > 1 {
		attempts = fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.Proxy != "" && (e.Kind == KindRefused || e.Kind == KindDNS) {
		return fmt.Sprintf("%s %s: the connection through the proxy %s failed%s (%v); the proxy comes from HTTPS_PROXY or HTTP_PROXY: "+
			"check that it runs and is reachable, or list this host in NO_PROXY", e.Method, e.URL, e.Proxy, attempts, e.Err)
	}
	switch e.Kind {
	case KindRefused:
		return fmt.Sprintf("%s %s: connection refused%s; check the URL and that the service is running and reachable from here", e.Method, e.URL, attempts)
	case KindDNS:
		return fmt.Sprintf("%s %s: the host name does not resolve (%v); check %s", e.Method, e.URL, e.Err, e.setting("url"))
	case KindTimeout:
		raise := ""
		if t := e.setting("timeout"); t != "" {
			raise = "raise " + t + " or "
		}
		return fmt.Sprintf("%s %s: no complete answer within %s%s; the service is slow or unreachable: %scheck the network", e.Method, e.URL, e.Timeout, attempts, raise)
	case KindClientCert:
		cert, key := e.setting("client_cert"), e.setting("client_key")
		if cert == "" || key == "" {
			return fmt.Sprintf("%s %s: the server asks for a client certificate and refused the connection (%v)", e.Method, e.URL, e.Err)
		}
		return fmt.Sprintf("%s %s: the server asks for a client certificate and refused the connection (%v); set %s and %s "+
			"to a certificate (and its key) that the server trusts", e.Method, e.URL, e.Err, cert, key)
	case KindTLS:
		insecure := ""
		if i := e.setting("insecure"); i != "" {
			insecure = ", or " + i + " for a test system only"
		}
		trust := "add the CA that signed it to this system's trusted roots"
		if ca := e.setting("ca_cert"); ca != "" {
			trust = "set " + ca + " to the PEM of the CA that signed it (inline or a file path)"
		}
		return fmt.Sprintf("%s %s: the server's TLS certificate is not trusted (%v); %s%s", e.Method, e.URL, e.Err, trust, insecure)
	case KindTooLarge:
		return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
	case KindBody:
		return fmt.Sprintf("%s %s: the answer was cut off: %v", e.Method, e.URL, e.Err)
	case KindCanceled:
		return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
	}
	return fmt.Sprintf("%s %s: %v%s", e.Method, e.URL, e.Err, attempts)
}

func (e *TransportError) Unwrap() error { return e.Err }

// setting says how to change a transport setting: the caller's words
// (Config.Setting), else the attribute of the provider block.
func (e *TransportError) setting(attr string) string { return settingHint(e.Block, e.Setting, attr) }

func settingHint(block string, setting func(string) string, attr string) string {
	if setting != nil {
		if s := setting(attr); s != "" || attr != "url" {
			return s
		}
	}
	switch attr {
	case "url":
		return "the URL in the " + block + " block"
	case "insecure":
		return block + ".insecure = true"
	}
	return block + "." + attr
}

// ReadTimeoutError is a read of several requests (a login, the pages of a
// list) that took longer in all than Client.ReadBudget: each request came
// in its time, but the read would not end soon.
type ReadTimeoutError struct {
	// What was read: "GET /admin/datacenters and the pages after it".
	What   string
	Budget time.Duration
	Block  string
	// Setting is Config.Setting: how to change a setting, for hints.
	Setting func(attr string) string
}

func (e *ReadTimeoutError) Error() string {
	raise := ""
	if t, r := settingHint(e.Block, e.Setting, "timeout"), settingHint(e.Block, e.Setting, "max_retries"); t != "" && r != "" {
		raise = fmt.Sprintf("raise %s or %s, or ", t, r)
	}
	return fmt.Sprintf("%s took longer than %s in all, twice what one request may take with its retries (timeout × (max_retries + 1)); "+
		"the API is slow or its answer does not end: %scheck the API and the network", e.What, e.Budget, raise)
}

// Is makes the error a deadline, as the context's own.
func (e *ReadTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// ErrBodyTooLarge is returned when a body exceeds Config.MaxBodyBytes.
var ErrBodyTooLarge = errors.New("response body too large")

type bodyTooLargeError struct{ limit int64 }

func (e *bodyTooLargeError) Error() string {
	return fmt.Sprintf("the answer is larger than %s, the most this client reads of one", byteSize(e.limit))
}

// byteSize says n in the largest of MiB, KiB and bytes that is exact.
func byteSize(n int64) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
func (e *bodyTooLargeError) Is(t error) bool { return t == ErrBodyTooLarge }

func classify(err error) TransportKind {
	var (
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		recordHd tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return KindTooLarge
	case isClientCertAlert(err):
		return KindClientCert
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &invalid), errors.As(err, &recordHd):
		return KindTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.As(err, &dnsErr):
		return KindDNS
	case isTimeout(err):
		return KindTimeout
	}
	return KindOther
}

// isClientCertAlert reports a TLS alert by which the server says it wanted
// a client certificate, or did not accept ours. crypto/tls reports alerts
// received as a net.OpError "remote error" whose cause has no exported
// type, so the alert is recognised by its text.
func isClientCertAlert(err error) bool {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" {
		return false
	}
	msg := op.Err.Error()
	return strings.Contains(msg, "certificate required") || strings.Contains(msg, "bad certificate") ||
		strings.Contains(msg, "unknown certificate authority") || strings.Contains(msg, "certificate unknown")
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// DecodeError is a success answer whose body is not the JSON expected.
type DecodeError struct {
	Method      string
	URL         string
	StatusCode  int
	ContentType string
	Snippet     string
	Err         error
}

func (e *DecodeError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d with an answer that is not the expected JSON (Content-Type %q): %v",
		e.Method, e.URL, e.StatusCode, e.ContentType, e.Err)
	if e.Snippet != "" {
		s += "; body starts: " + e.Snippet
	}
	return s
}

func (e *DecodeError) Unwrap() error { return e.Err }
