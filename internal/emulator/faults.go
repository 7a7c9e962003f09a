package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Fault makes the next requests of a route misbehave.
type Fault struct {
	// Route is a route name ("clc.login"), a cloud's wildcard ("clc.*") or
	// "*" for every route.
	Route string `json:"route"`
	// Times is how many requests the fault affects (default 1).
	Times int `json:"times,omitempty"`
	// Status answers with this status and the cloud-neutral body
	// {"message": "..."}; with Kind it sets the status of that answer.
	Status int `json:"status,omitempty"`
	// RetryAfter sets the Retry-After header (seconds or an HTTP date).
	RetryAfter string `json:"retry_after,omitempty"`
	// Delay holds the answer back; with no Status or Kind the request is
	// then served normally (a slow server).
	Delay time.Duration `json:"delay,omitempty"`
	// Kind selects a broken answer:
	//   "html"       an HTML error page, as a proxy sends (default status 502)
	//   "malformed"  JSON that does not parse (default status 200)
	//   "truncated"  a body cut off mid-way, connection closed
	//   "oversize"   a 9 MiB body
	//   "wrong-type" a plain-text answer with status 200
	//   "escapes"    an error (default status 400) whose message holds what a
	//                terminal acts on: ESC and OSC sequences (window title,
	//                clipboard), BEL, a C1 CSI and a right-to-left override
	//   "drop"       the connection closed without an answer
	//   "empty"      an empty body (default status 200)
	//   "echo"       a hostile or careless server that quotes what it was
	//                sent in its error (default status 400): the body, the
	//                decoded Basic credentials and the query, as they are,
	//                URL-encoded (with upper- and lower-case hex), in
	//                base64 (each value, and the whole body) and in JSON
	//                as PHP writes it (with "\/")
	Kind string `json:"kind,omitempty"`
}

// InjectFault queues a fault. Faults for the same route apply in order.
func (e *Emulator) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	e.mu.Lock()
	e.faults = append(e.faults, &f)
	e.mu.Unlock()
}

// ClearFaults drops every queued fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	e.faults = nil
	e.mu.Unlock()
}

// takeFault returns the first fault for route and uses one of its times.
// The caller holds e.mu.
func (e *Emulator) takeFault(route string) *Fault {
	cloud := strings.SplitN(route, ".", 2)[0]
	for i, f := range e.faults {
		if f.Route == route || f.Route == "*" || f.Route == cloud+".*" {
			f.Times--
			if f.Times <= 0 {
				e.faults = append(e.faults[:i], e.faults[i+1:]...)
			}
			c := *f
			return &c
		}
	}
	return nil
}

// apply answers for the fault. It returns false when the request should
// still be served normally (a pure delay).
func (f *Fault) apply(w http.ResponseWriter, r *http.Request) bool {
	if f.Delay > 0 {
		// Read the body first: only then does the server notice a client
		// that gives up, and ends the delay with it.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	status := func(def int) int {
		if f.Status != 0 {
			return f.Status
		}
		return def
	}
	switch f.Kind {
	case "":
		if f.Status == 0 {
			return false
		}
		writeJSON(w, f.Status, "", map[string]string{"message": fmt.Sprintf("injected fault: %d %s", f.Status, http.StatusText(f.Status))})
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status(http.StatusBadGateway))
		fmt.Fprint(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
	case "malformed":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status(http.StatusOK))
		fmt.Fprint(w, `{"result": "login_ok", "token": `)
	case "wrong-type":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status(http.StatusOK))
		fmt.Fprint(w, "Service temporarily in maintenance mode. Please come back later.")
	case "truncated":
		body := `{"collection":[{"id":1,"name":"one"},{"id":2,"name":"two"}],"totalSize":2}`
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(status(http.StatusOK))
		fmt.Fprint(w, body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	case "oversize":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status(http.StatusOK))
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for i := 0; i < 9*16; i++ {
			if _, err := w.Write(chunk); err != nil {
				return true
			}
		}
	case "empty":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status(http.StatusOK))
	case "echo":
		body, _ := io.ReadAll(r.Body)
		basic := ""
		if u, p, ok := r.BasicAuth(); ok {
			basic = u + ":" + p
		}
		strs := jsonStrings(body)
		values := strings.Join(strs, " ")
		got := fmt.Sprintf("body %s; values %s; credentials %s; query %s", body, values, basic, r.URL.RawQuery)
		form := url.QueryEscape(values + " " + basic)
		var b64 []string
		for _, v := range append(strs, basic) {
			b64 = append(b64, base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v)))
		}
		php, _ := json.Marshal(values)
		writeJSON(w, status(http.StatusBadRequest), "", map[string]string{
			"message": "rejected: " + got + "; as a form: " + form + "; in lower case: " + lowerHex(form) +
				"; in base64: " + strings.Join(b64, " ") + " " + base64.StdEncoding.EncodeToString(body) +
				"; as PHP writes it: " + strings.ReplaceAll(string(php), "/", `\/`),
		})
	case "escapes":
		writeJSON(w, status(http.StatusBadRequest), "", map[string]string{"message": EscapesMessage})
	case "drop":
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	default:
		writeJSON(w, http.StatusInternalServerError, "", map[string]string{"message": "unknown fault kind " + f.Kind})
	}
	return true
}

// EscapesMessage is the message of the "escapes" fault.
const EscapesMessage = "denied\x1b]0;owned\x07 \x1b[2J\x1b[H \u202egnp.exe\u202c \x1b]52;c;cm0gLXJmIH4=\x07 \u009b2J \u2066end\u2069"

// lowerHex writes the hex digits of percent-encoded text in lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '%' && i+2 < len(b) {
			copy(b[i+1:i+3], strings.ToLower(string(b[i+1:i+3])))
		}
	}
	return string(b)
}

// jsonStrings returns the string values in a JSON document, at any depth.
func jsonStrings(body []byte) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return out
}
