// Package emulator is a local stand-in for the four APIs the provider logs
// in to, built from their public documentation: the same paths, status
// codes, headers, error bodies and JSON quirks, strict where the real API is
// strict. One handler serves all four, each under its own prefix:
//
//	/keystone/v3/...             OpenStack Keystone v3
//	/cleura/auth/v1|v2/...       Cleura Cloud REST API (both auth generations)
//	/abiquo/api/...              Abiquo API
//	/clc/v2/...                  CenturyLink Cloud API v2
//
// Tests and the benchmark steer it through knobs, in Go or over HTTP under
// /_emulator/: per-route request counters and login counters, injected
// faults ("fail the next N requests of this route with status S"), token
// lifetimes, revoking every token of a cloud, and moving its clock. A test
// that waits for what a program does to it (an SMS code sent, a code
// mailed) blocks in WaitUntil, which wakes on every request, not a timer.
//
//	e := emulator.New()
//	srv := httptest.NewServer(e)
//	defer srv.Close()
//	e.InjectFault(emulator.Fault{Route: "clc.login", Status: 503, Times: 2})
//	... run the provider against srv.URL + "/clc" ...
//	if e.Logins("clc") != 1 { ... }
package emulator

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Clouds served, in the order the demo and the counters list them.
var Clouds = []string{"keystone", "cleura", "abiquo", "clc"}

// DefaultLifetimes are the token lifetimes the real services use.
var DefaultLifetimes = map[string]time.Duration{
	"keystone": time.Hour,           // [token] expiration = 3600
	"cleura":   24 * time.Hour,      // undocumented; short-lived
	"abiquo":   30 * time.Minute,    // renewed on every answer
	"clc":      14 * 24 * time.Hour, // "reused for up to 2 weeks"
}

// Emulator serves the four fake APIs.
type Emulator struct {
	mux *http.ServeMux

	mu        sync.Mutex
	offset    time.Duration
	requests  map[string]int // route -> requests
	logins    map[string]int // cloud -> successful logins
	faults    []*Fault
	lifetimes map[string]time.Duration
	tokens    map[string]*Token // cloud + "\x00" + value
	state     map[string]any    // per-cloud mutable state
	// changed is closed when a request is recorded or answered, to wake
	// WaitUntil; nil while no one waits.
	changed chan struct{}
}

// New returns an emulator with the demo data and credentials of every cloud
// that has been registered.
func New() *Emulator {
	e := &Emulator{
		mux:       http.NewServeMux(),
		requests:  map[string]int{},
		logins:    map[string]int{},
		lifetimes: map[string]time.Duration{},
		tokens:    map[string]*Token{},
		state:     map[string]any{},
	}
	for k, v := range DefaultLifetimes {
		e.lifetimes[k] = v
	}
	e.registerControl()
	for _, r := range registrations {
		r(e)
	}
	return e
}

// registrations holds one function per cloud that adds its routes.
var registrations []func(*Emulator)

// register is called from each cloud's file.
func register(f func(*Emulator)) { registrations = append(registrations, f) }

// CloudInfo tells people where one fake API is and how to log in to it.
type CloudInfo struct {
	Cloud string
	// Path is the prefix under the emulator's URL.
	Path string
	// Settings are provider block attributes and their demo values;
	// "<base>" stands for the emulator's URL.
	Settings [][2]string
}

var infos []CloudInfo

func describe(i CloudInfo) { infos = append(infos, i) }

// Info lists the fake APIs in the order of Clouds.
func Info() []CloudInfo {
	out := make([]CloudInfo, 0, len(infos))
	for _, c := range Clouds {
		for _, i := range infos {
			if i.Cloud == c {
				out = append(out, i)
			}
		}
	}
	return out
}

// ServeHTTP implements http.Handler. Once a request is answered (or
// aborted by a fault), whatever it changed is there for WaitUntil.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer e.notify()
	e.mux.ServeHTTP(w, r)
}

// Now is the emulator's clock: the real time moved by Advance.
func (e *Emulator) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.offset)
}

// Advance moves the emulator's clock, e.g. past a token's expiry.
func (e *Emulator) Advance(d time.Duration) {
	e.mu.Lock()
	e.offset += d
	e.mu.Unlock()
}

// handle registers a route. name identifies it in counters and faults
// ("clc.login"); the cloud is the part before the first dot.
func (e *Emulator) handle(pattern, name string, h http.HandlerFunc) {
	e.mux.HandleFunc(pattern, e.route(name, h))
}

// route is h counted under name and subject to its faults; handle
// registers it, and a handler that picks one of several routes per
// request (Cleura's v1 or v2 auth API) calls it directly.
func (e *Emulator) route(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.requests[name]++
		f := e.takeFault(name)
		e.notifyLocked() // the count, before a delayed or slow answer
		e.mu.Unlock()
		if f != nil && f.apply(w, r) {
			return
		}
		h(w, r)
	}
}

// Requests returns how many requests a route received ("clc.login"), or
// with a cloud name ("clc") the total for that cloud.
func (e *Emulator) Requests(route string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !strings.Contains(route, ".") {
		n := 0
		for k, v := range e.requests {
			if strings.HasPrefix(k, route+".") {
				n += v
			}
		}
		return n
	}
	return e.requests[route]
}

// Logins returns how many times credentials were accepted for a cloud.
func (e *Emulator) Logins(cloud string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.logins[cloud]
}

// countLogin records an accepted login; cloud handlers call it.
func (e *Emulator) countLogin(cloud string) {
	e.mu.Lock()
	e.logins[cloud]++
	e.mu.Unlock()
}

// Counters is a snapshot of every counter.
type Counters struct {
	Requests map[string]int `json:"requests"`
	Logins   map[string]int `json:"logins"`
	Totals   map[string]int `json:"totals"`
}

// Counters returns a snapshot of the counters.
func (e *Emulator) Counters() Counters {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := Counters{Requests: map[string]int{}, Logins: map[string]int{}, Totals: map[string]int{}}
	for k, v := range e.requests {
		c.Requests[k] = v
		c.Totals[strings.SplitN(k, ".", 2)[0]] += v
	}
	for k, v := range e.logins {
		c.Logins[k] = v
	}
	return c
}

// ResetCounters sets every counter to zero.
func (e *Emulator) ResetCounters() {
	e.mu.Lock()
	e.requests = map[string]int{}
	e.logins = map[string]int{}
	e.mu.Unlock()
}

// SetTokenLifetime changes the lifetime of tokens issued from now on.
func (e *Emulator) SetTokenLifetime(cloud string, d time.Duration) {
	e.mu.Lock()
	e.lifetimes[cloud] = d
	e.mu.Unlock()
}

// Token is a token the emulator issued.
type Token struct {
	Cloud     string
	Value     string
	Principal string
	IssuedAt  time.Time
	ExpiresAt time.Time
	Revoked   bool
	// Data is what the cloud handler keeps with the token (scope, user).
	Data any
}

// issueToken mints a token for principal with the cloud's lifetime.
func (e *Emulator) issueToken(cloud, principal, value string, data any) *Token {
	return e.mintToken(cloud, principal, data, func(time.Time, time.Time) string { return value })
}

// issueTokenUntil is issueToken for a token that ends when another one
// does (Keystone's token method keeps the expiry of the token it
// re-issues).
func (e *Emulator) issueTokenUntil(cloud, principal, value string, data any, expires time.Time) *Token {
	t := e.issueToken(cloud, principal, value, data)
	e.mu.Lock()
	t.ExpiresAt = expires
	e.mu.Unlock()
	return t
}

// mintToken is issueToken for a token whose value carries its own times
// (CenturyLink's JWT): value gets the issue and expiry times the token
// records.
func (e *Emulator) mintToken(cloud, principal string, data any, value func(issued, expires time.Time) string) *Token {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now().Add(e.offset)
	exp := now.Add(e.lifetimes[cloud])
	v := value(now, exp)
	t := &Token{Cloud: cloud, Value: v, Principal: principal, IssuedAt: now, ExpiresAt: exp, Data: data}
	e.tokens[cloud+"\x00"+v] = t
	return t
}

// lookupToken returns a token that is known, not revoked and not expired.
func (e *Emulator) lookupToken(cloud, value string) (*Token, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tokens[cloud+"\x00"+value]
	if !ok || t.Revoked || !time.Now().Add(e.offset).Before(t.ExpiresAt) {
		return t, false
	}
	return t, true
}

// RevokeAll revokes every token issued for a cloud ("" for all clouds).
func (e *Emulator) RevokeAll(cloud string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.tokens {
		if cloud == "" || t.Cloud == cloud {
			t.Revoked = true
		}
	}
}

// IssuedTokens returns the values of every token issued for a cloud, so
// that tests can check that none of them leaked.
func (e *Emulator) IssuedTokens(cloud string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, t := range e.tokens {
		if cloud == "" || t.Cloud == cloud {
			out = append(out, t.Value)
		}
	}
	sort.Strings(out)
	return out
}

// randomString returns n characters from alphabet.
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

const (
	alnum    = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerNum = "abcdefghijklmnopqrstuvwxyz0123456789"
	hexChars = "0123456789abcdef"
	b64url   = alnum + "-_"
)

// stableID derives a 32-character hex id from a name, for seeded data.
func stableID(name string) string {
	sum := md5.Sum([]byte(name))
	return hex.EncodeToString(sum[:])
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	if contentType == "" {
		contentType = "application/json"
	}
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// stateOf returns the per-cloud state, creating it with mk on first use.
func stateOf[T any](e *Emulator, cloud string, mk func() *T) *T {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.state[cloud].(*T); ok {
		return s
	}
	s := mk()
	e.state[cloud] = s
	return s
}
