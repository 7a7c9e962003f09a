package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/credstore"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// sharedDir is one person's config directory, used by several commands
// at once.
type sharedDir struct {
	env map[string]string
}

func newSharedDir(t *testing.T) *sharedDir {
	dir := t.TempDir()
	return &sharedDir{env: map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}}
}

func (d *sharedDir) path() string {
	return filepath.Join(d.env["XDG_CONFIG_HOME"], "cloudauth", "credentials.json")
}

// run runs one command in the directory and returns its exit code and
// what it printed.
func (d *sharedDir) run(stdin string, args ...string) (int, string) {
	var out bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &out,
		getenv: func(k string) string { return d.env[k] }, now: time.Now}
	rc := a.run(args)
	return rc, out.String()
}

func (d *sharedDir) entries(t *testing.T) map[string]credstore.Entry {
	t.Helper()
	f, err := credstore.Load(d.path())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]credstore.Entry{}
	for _, e := range f.Entries {
		out[e.Cloud+" "+e.URL] = e
	}
	return out
}

// serve serves the emulator at a URL of its own, through hook if given.
func serve(t *testing.T, e *emulator.Emulator, hook func(w http.ResponseWriter, r *http.Request) bool) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hook != nil && hook(w, r) {
			return
		}
		e.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func cleuraLoginArgs(base string) []string {
	return []string{"login", "cleura", "--url", base + "/cleura", "--username", emulator.CleuraUser, "--password-stdin"}
}

func abiquoLoginArgs(base string) []string {
	return []string{"login", "abiquo", "--endpoint", base + "/abiquo/api", "--username", emulator.AbiquoAdmin, "--password-stdin"}
}

// Five logins at once, two to Cleura Cloud and three to Abiquo (each to a
// URL of its own, so each is an entry of its own): all five are stored,
// in every round.
func TestParallelLoginsKeepEveryEntry(t *testing.T) {
	t.Parallel()
	e := emulator.New()
	bases := make([]string, 3)
	for i := range bases {
		bases[i] = serve(t, e, nil)
	}
	logins := []struct {
		stdin string
		args  []string
	}{
		{emulator.CleuraPassword + "\n", cleuraLoginArgs(bases[0])},
		{emulator.CleuraPassword + "\n", cleuraLoginArgs(bases[1])},
		{emulator.AbiquoAdminPassword + "\n", abiquoLoginArgs(bases[0])},
		{emulator.AbiquoAdminPassword + "\n", abiquoLoginArgs(bases[1])},
		{emulator.AbiquoAdminPassword + "\n", abiquoLoginArgs(bases[2])},
	}
	for round := range 10 {
		d := newSharedDir(t)
		start := make(chan struct{})
		var wg sync.WaitGroup
		outs := make([]string, len(logins))
		codes := make([]int, len(logins))
		for i, l := range logins {
			wg.Go(func() {
				<-start
				codes[i], outs[i] = d.run(l.stdin, l.args...)
			})
		}
		close(start)
		wg.Wait()
		for i := range logins {
			if codes[i] != 0 {
				t.Fatalf("round %d: %v: exit %d: %s", round, logins[i].args, codes[i], outs[i])
			}
		}
		if got := d.entries(t); len(got) != len(logins) {
			t.Fatalf("round %d: %d of %d entries survived: %v", round, len(got), len(logins), keys(got))
		}
	}
}

func keys(m map[string]credstore.Entry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A Cleura Cloud logout and an Abiquo login at once: the login runs
// entirely while the logout waits for Cleura Cloud to revoke the token.
// Both count: the Abiquo token stays stored, the Cleura one goes.
func TestLogoutRacingLogin(t *testing.T) {
	t.Parallel()
	e := emulator.New()
	revoking, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	cleuraBase := serve(t, e, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/tokens") {
			once.Do(func() { close(revoking) })
			<-release
		}
		return false
	})
	abiquoBase := serve(t, e, nil)
	d := newSharedDir(t)
	if rc, out := d.run(emulator.CleuraPassword+"\n", cleuraLoginArgs(cleuraBase)...); rc != 0 {
		t.Fatalf("cleura login: %s", out)
	}
	type result struct {
		rc  int
		out string
	}
	logout := make(chan result, 1)
	go func() {
		rc, out := d.run("", "logout", "cleura", "--url", cleuraBase+"/cleura")
		logout <- result{rc, out}
	}()
	select {
	case <-revoking:
	case r := <-logout:
		t.Fatalf("the logout ended before revoking: %d %s", r.rc, r.out)
	}
	if rc, out := d.run(emulator.AbiquoAdminPassword+"\n", abiquoLoginArgs(abiquoBase)...); rc != 0 {
		t.Fatalf("abiquo login: %s", out)
	}
	close(release)
	if r := <-logout; r.rc != 0 {
		t.Fatalf("logout: exit %d: %s", r.rc, r.out)
	}
	got := d.entries(t)
	if _, ok := got["abiquo "+abiquoBase+"/abiquo/api"]; !ok || len(got) != 1 {
		t.Errorf("entries after the logout and the login: %v, want the Abiquo one alone", keys(got))
	}
}

// A logout that revokes a token while a login of the same user stores a
// new one forgets the revoked token only: the new one stays.
func TestLogoutKeepsATokenStoredMeanwhile(t *testing.T) {
	t.Parallel()
	e := emulator.New()
	revoking, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	base := serve(t, e, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/tokens") {
			once.Do(func() { close(revoking) })
			<-release
		}
		return false
	})
	d := newSharedDir(t)
	if rc, out := d.run(emulator.CleuraPassword+"\n", cleuraLoginArgs(base)...); rc != 0 {
		t.Fatalf("login: %s", out)
	}
	old := d.entries(t)["cleura "+base+"/cleura"].Token
	type result struct {
		rc  int
		out string
	}
	logout := make(chan result, 1)
	go func() {
		rc, out := d.run("", "logout", "cleura", "--url", base+"/cleura")
		logout <- result{rc, out}
	}()
	<-revoking
	if rc, out := d.run(emulator.CleuraPassword+"\n", cleuraLoginArgs(base)...); rc != 0 {
		t.Fatalf("second login: %s", out)
	}
	close(release)
	r := <-logout
	if r.rc != 0 || !strings.Contains(r.out, "Revoked the token of "+emulator.CleuraUser) ||
		!strings.Contains(r.out, "A newer token of "+emulator.CleuraUser+" at "+base+"/cleura, stored by another login meanwhile, stays in "+d.path()) {
		t.Fatalf("logout: exit %d: %s", r.rc, r.out)
	}
	got, ok := d.entries(t)["cleura "+base+"/cleura"]
	if !ok || got.Token == "" || got.Token == old {
		t.Errorf("the token stored meanwhile is gone: %+v", got)
	}
}
