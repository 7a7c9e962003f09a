package emulator

import (
	"encoding/json"
	"net/http"
	"time"
)

// The control API lets a process that runs the emulator elsewhere (the
// demo, the benchmark) use the same knobs as the Go methods.
//
//	GET  /_emulator/counters             Counters as JSON
//	POST /_emulator/reset                zero the counters, drop faults
//	POST /_emulator/faults               queue a Fault (JSON body; delay as "2s")
//	POST /_emulator/revoke?cloud=clc     revoke every token of a cloud
//	POST /_emulator/advance?by=2h        move the clock
//	POST /_emulator/lifetime?cloud=clc&d=1m  token lifetime for new tokens
//	GET  /_emulator/cleura/sms?login=NAME    the last SMS code sent to a Cleura login (cleura.go)
//	POST /_emulator/cleura/auth?api=v1       serve one Cleura auth API generation, or both (cleura.go)
func (e *Emulator) registerControl() {
	e.mux.HandleFunc("GET /_emulator/counters", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "", e.Counters())
	})
	e.mux.HandleFunc("POST /_emulator/reset", func(w http.ResponseWriter, r *http.Request) {
		e.ResetCounters()
		e.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	e.mux.HandleFunc("POST /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Fault
			Delay string `json:"delay"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f := in.Fault
		if in.Delay != "" {
			d, err := time.ParseDuration(in.Delay)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			f.Delay = d
		}
		e.InjectFault(f)
		w.WriteHeader(http.StatusNoContent)
	})
	e.mux.HandleFunc("POST /_emulator/revoke", func(w http.ResponseWriter, r *http.Request) {
		e.RevokeAll(r.URL.Query().Get("cloud"))
		w.WriteHeader(http.StatusNoContent)
	})
	e.mux.HandleFunc("POST /_emulator/advance", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("by"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		e.Advance(d)
		w.WriteHeader(http.StatusNoContent)
	})
	e.mux.HandleFunc("POST /_emulator/lifetime", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		e.SetTokenLifetime(r.URL.Query().Get("cloud"), d)
		w.WriteHeader(http.StatusNoContent)
	})
}
