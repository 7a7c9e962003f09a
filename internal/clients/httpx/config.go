package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
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
	// BaseURL is joined with Request.Path. It may carry a path prefix.
	BaseURL string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// CACert is a PEM bundle, or the path of a file holding one, that is
	// trusted in addition to the system roots.
	CACert string
	// BaseTLS carries TLS settings that arrive already built, such as those
	// gophercloud derives from a clouds.yaml entry (its CA pool and client
	// certificate). Its roots are used only when CACert is empty; Insecure
	// still decides verification.
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
		// Read the environment when the client is built (not once per
		// process, as http.ProxyFromEnvironment does).
		proxy := httpproxy.FromEnvironment().ProxyFunc()
		c.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
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
}

func (e *ConfigError) Error() string { return e.Msg }

// ParseBaseURL checks that raw is an absolute http(s) URL and returns it
// without a trailing slash.
func ParseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("the URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// The text may hold a password; url.Parse's error quotes it.
		if strings.Contains(raw, "@") {
			return nil, errors.New("the URL is not valid (it is not shown here, since it may hold a password)")
		}
		return nil, fmt.Errorf("%q is not a valid URL: %w", raw, err)
	}
	if u.User != nil {
		// Basic credentials in a URL would be sent to the server and shown
		// in plans, state and logs; the provider takes them as settings.
		return nil, fmt.Errorf("the URL %s holds a user name or password; remove them from the URL and give them as the block's settings", (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String())
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q must start with https:// (or http://)", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host name", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// LoadCACert reads a PEM bundle given inline or as a file path.
func LoadCACert(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "-----BEGIN") {
		return []byte(v), nil
	}
	b, err := os.ReadFile(expandHome(v))
	if err != nil {
		return nil, fmt.Errorf("ca_cert is neither PEM text nor a readable file: %w", err)
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
			return nil, errors.New("ca_cert holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
		}
		tc.RootCAs = pool
	}
	return tc, nil
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
		tc.Certificates = b.Certificates
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
