package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Defaults applied by New when a Config field is left at its zero value.
const (
	DefaultTimeout       = 30 * time.Second
	DefaultMaxBodyBytes  = 8 << 20
	DefaultRetryWaitMin  = 500 * time.Millisecond
	DefaultRetryWaitMax  = 8 * time.Second
	DefaultMaxRetryAfter = 30 * time.Second
)

// Config describes one client of the shared stack.
type Config struct {
	// Name is the provider block the client serves ("keystone", "cleura",
	// "abiquo", "clc"). Error hints use it to name the attribute to change.
	Name string
	// Setting, when set, says in error hints how to change a transport
	// setting ("url", "ca_cert", "client_cert", "client_key", "timeout",
	// and "insecure" for turning verification off), for a caller that is
	// not configured by a provider block: "--ca-cert", "OS_INSECURE=true".
	// An empty answer means the caller has no such setting. Unset, the
	// hints name the attribute in the Name block.
	Setting func(attr string) string
	// BaseURL is joined with Request.Path. It may carry a path prefix.
	BaseURL string
	// Insecure skips TLS certificate verification, and nothing else.
	Insecure bool
	// PlainHTTP allows plain http:// URLs to other machines (the blocks'
	// insecure = true, OS_INSECURE, the command's --insecure). Without it
	// a request over plain http:// goes only to this machine, and not
	// through a proxy (see CheckCleartext). clouds.yaml's verify: false
	// sets Insecure alone.
	PlainHTTP bool
	// CACert is a PEM bundle, or the path of a file holding one, that is
	// trusted in addition to the system roots.
	CACert string
	// ClientCert and ClientKey are a client certificate and its private key
	// for APIs behind mutual TLS: PEM text, or the path of a file holding
	// it (like CACert). Both or neither; they replace the certificate of
	// BaseTLS.
	ClientCert string
	ClientKey  string
	// BaseTLS carries TLS settings that arrive already built, such as those
	// gophercloud derives from a clouds.yaml entry (its CA pool and client
	// certificate). Its roots are used only when CACert is empty, its
	// certificate only when ClientCert is empty; Insecure still decides
	// verification.
	BaseTLS *tls.Config
	// Timeout bounds one attempt: connecting, sending and reading the whole
	// answer. An attempt that runs out of time is not retried, so a server
	// slower than Timeout fails after about Timeout.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt (0: none).
	MaxRetries int
	// UserAgent is sent on every request.
	UserAgent string
	// Logger receives one debug line per attempt; nil disables logging.
	Logger Logger
	// MaxBodyBytes caps every response body (default 8 MiB).
	MaxBodyBytes int64
	// RetryWaitMin and RetryWaitMax bound the exponential back-off.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make us wait.
	MaxRetryAfter time.Duration
	// Redactor masks secrets in logs and error messages. New creates one
	// when nil; clients add their passwords and tokens to it.
	Redactor *Redactor
	// Proxy picks the proxy for a request; default: HTTPS_PROXY, HTTP_PROXY
	// and NO_PROXY from the environment.
	Proxy func(*http.Request) (*url.URL, error)
}

func (c *Config) applyDefaults() {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.RetryWaitMin <= 0 {
		c.RetryWaitMin = DefaultRetryWaitMin
	}
	if c.RetryWaitMax <= 0 {
		c.RetryWaitMax = DefaultRetryWaitMax
	}
	if c.RetryWaitMax < c.RetryWaitMin {
		c.RetryWaitMax = c.RetryWaitMin
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if c.UserAgent == "" {
		c.UserAgent = "terraform-provider-cloudauth/dev"
	}
	if c.Redactor == nil {
		c.Redactor = NewRedactor()
	}
	if c.Proxy == nil {
		c.Proxy = EnvProxy()
	}
	if c.Name == "" {
		c.Name = "api"
	}
}

// ConfigError is returned by New for settings that cannot work. Attribute
// names the offending setting ("ca_cert", "url").
type ConfigError struct {
	Attribute string
	Msg       string
	// Err is the cause, when there is one callers may branch on (a
	// *URLSecretError, say).
	Err error
}

func (e *ConfigError) Error() string { return e.Msg }

func (e *ConfigError) Unwrap() error { return e.Err }

// URLSecretError is a URL setting that holds a user name or password (or
// may: it does not parse and has an "@" in it). Its text never shows the
// password. Terraform prints the source line of a setting under an error
// about it, so callers report this one without pointing at the setting.
type URLSecretError struct {
	// URL is the URL without its user info, or "" when it does not parse.
	URL string
}

func (e *URLSecretError) Error() string {
	if e.URL == "" {
		return "the URL is not valid (it is not shown here, since it may hold a password)"
	}
	return "the URL " + e.URL + " holds a user name or password; remove them from the URL and set them as settings of their own"
}

// IsURLSecret reports whether err is about a URL that holds a password.
func IsURLSecret(err error) bool {
	var se *URLSecretError
	return errors.As(err, &se)
}

// ParseBaseURL checks that raw is an absolute http(s) URL and returns it
// without a trailing slash.
func ParseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("the URL is empty")
	}
	u, err := url.Parse(raw)
	switch {
	case err == nil && u.User != nil:
		// Basic credentials in a URL would be sent to the server and shown
		// in plans, state and logs; the provider takes them as settings.
		return nil, &URLSecretError{URL: (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()}
	case (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") && strings.Contains(raw, "@"):
		// Not a URL this client takes, and it may hold a password in a
		// form url.Parse does not see as one ("user:pw@host" without its
		// scheme parses as the scheme "user"): the other errors quote it.
		return nil, &URLSecretError{}
	case err != nil:
		return nil, fmt.Errorf("%q is not a valid URL: %w", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q must start with https:// (or http://)", raw)
	case u.Host == "":
		return nil, fmt.Errorf("%q has no host name", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// EnvProxy picks proxies as HTTPS_PROXY, HTTP_PROXY and NO_PROXY say when
// it is called (not once per process, as http.ProxyFromEnvironment does):
// Config.Proxy's default.
func EnvProxy() func(*http.Request) (*url.URL, error) {
	proxy := httpproxy.FromEnvironment().ProxyFunc()
	return func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
}

// CheckCleartext refuses an http:// URL: every call a client makes sends a
// password, a secret, a one-time code or a token, which anyone on the
// network path could read. Allowed are this machine (a local test server,
// an SSH tunnel), when the request does not go through a proxy (proxy
// picks it; nil: none), and any address when allow is set (the user
// accepted the risk; the provider warns about it).
func CheckCleartext(u *url.URL, allow bool, proxy func(*http.Request) (*url.URL, error)) error {
	if u.Scheme != "http" || allow {
		return nil
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if !IsLoopback(u.Hostname()) {
		return &CleartextError{URL: shown, Host: u.Hostname()}
	}
	if proxy != nil {
		if p, err := proxy(&http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}); err == nil && p != nil {
			return &CleartextError{URL: shown, Host: u.Hostname(), Proxy: (&url.URL{Scheme: p.Scheme, Host: p.Host}).String()}
		}
	}
	return nil
}

// CleartextError is a plain http:// URL to another machine, or to this one
// through a proxy, refused because credentials would cross the network
// unencrypted.
type CleartextError struct {
	URL, Host string
	// Proxy is the proxy the request would go through, when the URL is
	// this machine's.
	Proxy string
	// Allow says how the caller allows it; default "insecure = true".
	Allow string
	// Note, when set, ends the message.
	Note string
}

func (e *CleartextError) Error() string {
	allow := e.Allow
	if allow == "" {
		allow = "insecure = true"
	}
	note := ""
	if e.Note != "" {
		note = "; " + e.Note
	}
	if e.Proxy != "" {
		return fmt.Sprintf("%s is a plain http:// URL, and requests to it would go through the proxy %s, so passwords and tokens "+
			"would cross the network unencrypted: use https://, list %s in NO_PROXY, or set %s for a test system%s", e.URL, e.Proxy, e.Host, allow, note)
	}
	return fmt.Sprintf("%s is a plain http:// URL to %s, so passwords and tokens would cross the network unencrypted: "+
		"use https://, or set %s for a test system%s", e.URL, e.Host, allow, note)
}

// IsLoopback reports whether host is this machine: the exact name
// localhost, or a loopback IP address. These are what Go's proxy bypass
// skips and what no DNS answer decides; other spellings ("LocalHost",
// "localhost.", "x.localhost") may reach another machine.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// LoadCACert reads a PEM bundle given inline or as a file path.
func LoadCACert(v string) ([]byte, error) {
	return loadPEM("the CA bundle", v)
}

// loadPEM reads PEM text given inline or as a file path. A value that is
// neither is not quoted: it may be a key pasted without its BEGIN line.
func loadPEM(attr, v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "-----BEGIN") {
		return []byte(v), nil
	}
	if strings.ContainsAny(v, "\r\n") {
		return nil, fmt.Errorf("%s is neither PEM text (there is no -----BEGIN line) nor a file path", attr)
	}
	b, err := os.ReadFile(expandHome(v))
	if err != nil {
		return nil, fmt.Errorf("%s is neither PEM text nor a readable file: %w", attr, err)
	}
	return b, nil
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + p[1:]
		}
	}
	return p
}

// TLSConfig builds the TLS settings for ca_cert and insecure.
func TLSConfig(caCert string, insecure bool) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if insecure {
		tc.InsecureSkipVerify = true //nolint:gosec // the user asked for it; the provider warns.
	}
	if strings.TrimSpace(caCert) != "" {
		pem, err := LoadCACert(caCert)
		if err != nil {
			return nil, err
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("the CA bundle holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// tlsConfig builds the transport's TLS settings from ca_cert, insecure
// and the client certificate; each problem is a *ConfigError on its
// attribute.
func (c *Config) tlsConfig() (*tls.Config, error) {
	tc, err := TLSConfig(c.CACert, c.Insecure)
	if err != nil {
		return nil, &ConfigError{Attribute: "ca_cert", Msg: err.Error()}
	}
	if strings.Contains(c.ClientKey, "-----BEGIN") && c.Redactor != nil {
		c.Redactor.Add(strings.TrimSpace(c.ClientKey))
	}
	cert, err := LoadClientCert(c.ClientCert, c.ClientKey, time.Now())
	if err != nil {
		return nil, err
	}
	if cert != nil {
		tc.Certificates = []tls.Certificate{*cert}
	}
	return tc, nil
}

// LoadClientCert reads a client certificate and its private key, each PEM
// text or a file path. Both empty is no certificate (nil). Errors are
// *ConfigError on "client_cert" or "client_key" and never quote the key.
func LoadClientCert(certV, keyV string, now time.Time) (*tls.Certificate, error) {
	certV, keyV = strings.TrimSpace(certV), strings.TrimSpace(keyV)
	fail := func(attr, format string, args ...any) (*tls.Certificate, error) {
		return nil, &ConfigError{Attribute: attr, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case certV == "" && keyV == "":
		return nil, nil
	case keyV == "":
		return fail("client_key", "client_cert is set but client_key is not: a client certificate needs its private key (PEM text or a file path)")
	case certV == "":
		return fail("client_cert", "client_key is set but client_cert is not: set the certificate that goes with the key (PEM text or a file path)")
	}
	certPEM, err := loadPEM("client_cert", certV)
	if err != nil {
		return fail("client_cert", "%v", err)
	}
	keyPEM, err := loadPEM("client_key", keyV)
	if err != nil {
		return fail("client_key", "%v", err)
	}
	switch cb, kb := pemTypes(certPEM), pemTypes(keyPEM); {
	case !cb.cert && cb.key:
		return fail("client_cert", "client_cert holds a private key, not a certificate; are client_cert and client_key swapped?")
	case !cb.cert:
		return fail("client_cert", "client_cert holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
	case !kb.key:
		return fail("client_key", "client_key holds no PEM private key (expected -----BEGIN PRIVATE KEY----- or an RSA or EC key)")
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// The standard library's messages quote no key material.
		return fail("client_key", "client_key does not go with client_cert: %v", err)
	}
	leaf := cert.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fail("client_cert", "client_cert cannot be parsed: %v", err)
		}
	}
	if now.After(leaf.NotAfter) {
		return fail("client_cert", "the client certificate %q expired on %s; renew it", leaf.Subject.CommonName, leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return &cert, nil
}

type pemKinds struct{ cert, key bool }

// pemTypes says whether PEM text holds a certificate and a private key.
func pemTypes(b []byte) pemKinds {
	var k pemKinds
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return k
		}
		switch {
		case blk.Type == "CERTIFICATE":
			k.cert = true
		case strings.HasSuffix(blk.Type, "PRIVATE KEY"):
			k.key = true
		}
	}
}

// baseTransport clones the standard transport so that no two clients share
// connection pools or TLS settings.
func baseTransport(cfg *Config, tc *tls.Config) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = cfg.Proxy
	if b := cfg.BaseTLS; b != nil {
		if tc.RootCAs == nil {
			tc.RootCAs = b.RootCAs
		}
		if len(tc.Certificates) == 0 {
			tc.Certificates = b.Certificates
		}
	}
	t.TLSClientConfig = tc
	t.MaxIdleConnsPerHost = 16
	t.ResponseHeaderTimeout = cfg.Timeout
	return t
}

// Logger receives the stack's debug output. Fields never hold a secret.
type Logger interface {
	Log(ctx context.Context, level Level, msg string, fields map[string]any)
}

// Level of a log line.
type Level int

// Log levels.
const (
	LevelDebug Level = iota
	LevelTrace
)
