// Command benchplan is what `make bench` runs: `terraform plan` with N data
// sources spread over the configured clouds, against the emulator, and a
// table of wall time, the provider's peak memory, logins per cloud and the
// requests made against the minimum. It is a report, not a test: the rules
// behind "minimum" are asserted in the provider's ordinary tests.
//
// With -compare, each round also plans two configurations of N data
// sources that bound the provider's cost: N cloudauth_token lookups over
// the same clouds (the token is cached after the login: Terraform's and the
// plugin protocol's own floor), and, given -http-provider-dir, N
// hashicorp/http GETs of one emulator URL (a peer: a provider that does one
// small request per data source) and the same N GETs made by
// cloudauth_request with Keystone's login (with the count of requests they
// cost). They are planned in turn in every round, so the ratios compare
// runs of the same minute.
//
// With -heapprofile DIR the provider is served inside benchplan (Terraform
// attaches to it) and DIR gets a heap profile after each plan
// (heap-N.pprof, live objects after a collection), for `go tool pprof`.
//
//	go run ./internal/benchplan -terraform $(command -v terraform) -provider-dir bin/
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider"
)

const providerAddr = "registry.terraform.io/cloudauth/cloudauth"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchplan:", err)
		os.Exit(1)
	}
}

type options struct {
	tf          string
	parallelism int
	rounds      int
	compare     bool
	httpDir     string
	heapDir     string
	cpuProfile  string
}

func run() error {
	var o options
	flag.StringVar(&o.tf, "terraform", "terraform", "Terraform or OpenTofu binary")
	providerDir := flag.String("provider-dir", "", "directory holding the built terraform-provider-cloudauth")
	ns := flag.String("n", "1,10,100,400", "numbers of data sources")
	flag.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism")
	flag.IntVar(&o.rounds, "rounds", 3, "plans per N; the table shows the median wall time")
	flag.BoolVar(&o.compare, "compare", false, "also plan N cloudauth_token lookups (and N hashicorp/http GETs with -http-provider-dir) in each round, and print the ratios")
	flag.StringVar(&o.httpDir, "http-provider-dir", "", "a filesystem mirror holding hashicorp/http 1.2.0, for -compare")
	flag.StringVar(&o.heapDir, "heapprofile", "", "serve the provider in this process and write a heap profile per N into this directory")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "with -heapprofile: write a CPU profile of the whole run (provider and emulator) to this file")
	flag.Parse()
	if *providerDir == "" && o.heapDir == "" {
		return fmt.Errorf("-provider-dir or -heapprofile is required")
	}
	if o.cpuProfile != "" && o.heapDir == "" {
		return fmt.Errorf("-cpuprofile profiles the provider served in this process: it needs -heapprofile")
	}
	timeBin, err := exec.LookPath("time")
	if err != nil {
		timeBin = "/usr/bin/time"
	}
	if _, err := os.Stat(timeBin); err != nil && o.heapDir == "" {
		return fmt.Errorf("GNU time is needed for the memory column (apt-get install time)")
	}

	e := emulator.New()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // stopped by Close below
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	work, err := os.MkdirTemp("", "cloudauth-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// The provider runs under GNU time, which appends its peak RSS (KiB)
	// to memFile when the provider process exits.
	memFile := filepath.Join(work, "mem")
	wrapDir := filepath.Join(work, "bin")
	if err := os.MkdirAll(wrapDir, 0o755); err != nil {
		return err
	}
	env := []string{"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	if o.heapDir != "" {
		reattach, stop, err := serveInProcess()
		if err != nil {
			return err
		}
		defer stop()
		env = append(env, "TF_REATTACH_PROVIDERS="+reattach)
		if o.cpuProfile != "" {
			f, err := os.Create(o.cpuProfile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
		if err := os.MkdirAll(o.heapDir, 0o755); err != nil {
			return err
		}
	} else {
		real, err := filepath.Abs(filepath.Join(*providerDir, "terraform-provider-cloudauth"))
		if err != nil {
			return err
		}
		wrapper := fmt.Sprintf("#!/bin/sh\nexec %s -f %%M -a -o %s %s \"$@\"\n", timeBin, memFile, real)
		if err := os.WriteFile(filepath.Join(wrapDir, "terraform-provider-cloudauth"), []byte(wrapper), 0o755); err != nil {
			return err
		}
	}
	mirror := ""
	if o.compare && o.httpDir != "" {
		if mirror, err = filepath.Abs(o.httpDir); err != nil {
			return err
		}
	}
	cli := filepath.Join(work, "cli.tfrc")
	if err := os.WriteFile(cli, []byte(cliConfig(wrapDir, mirror)), 0o600); err != nil {
		return err
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+cli)

	fmt.Printf("terraform plan, -parallelism=%d, %s, median of %d rounds\n\n", o.parallelism, version(o.tf), o.rounds)
	fmt.Println("| data sources | wall time | provider peak RSS | logins per cloud | requests (minimum) |")
	fmt.Println("|---:|---:|---:|---|---:|")
	var comparisons []string
	for _, s := range strings.Split(*ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad -n value %q", s)
		}
		config, minimum := generate(base, n)
		main, err := newPlan(o, env, filepath.Join(work, fmt.Sprint("n", n)), config)
		if err != nil {
			return err
		}
		var floor, peer, reads *plan
		if o.compare {
			if floor, err = newPlan(o, env, filepath.Join(work, fmt.Sprint("token", n)), generateTokens(base, n)); err != nil {
				return err
			}
			if mirror != "" {
				if peer, err = newPlan(o, env, filepath.Join(work, fmt.Sprint("http", n)), generateHTTP(base, n)); err != nil {
					return err
				}
				if err := peer.init(); err != nil {
					return err
				}
				if reads, err = newPlan(o, env, filepath.Join(work, fmt.Sprint("request", n)), generateRequests(base, n)); err != nil {
					return err
				}
			}
		}
		readRequests := 0
		var peak int
		var last emulator.Counters
		for r := 0; r < o.rounds; r++ {
			e.ResetCounters()
			_ = os.Remove(memFile)
			if err := main.run(); err != nil {
				return fmt.Errorf("plan with %d data sources: %w", n, err)
			}
			if m := peakKiB(memFile); m > peak {
				peak = m
			}
			last = e.Counters()
			if floor != nil {
				if err := floor.run(); err != nil {
					return fmt.Errorf("plan with %d token lookups: %w", n, err)
				}
			}
			if peer != nil {
				e.ResetCounters()
				if err := peer.run(); err != nil {
					return fmt.Errorf("plan with %d http GETs: %w", n, err)
				}
				// The peer reads each URL once per data source: that is
				// what it stands for.
				if got := e.Requests("keystone.version"); got != n {
					return fmt.Errorf("the http peer made %d GETs for %d data sources", got, n)
				}
			}
			if reads != nil {
				e.ResetCounters()
				if err := reads.run(); err != nil {
					return fmt.Errorf("plan with %d cloudauth_request reads: %w", n, err)
				}
				// One login and one GET however many data sources read the
				// URL: identical reads are made once per run.
				c := e.Counters()
				readRequests = 0
				for _, v := range c.Totals {
					readRequests += v
				}
				if got := e.Requests("keystone.version"); got != 1 {
					return fmt.Errorf("%d cloudauth_request reads of one URL made %d GETs", n, got)
				}
			}
		}
		mem := fmt.Sprintf("%.1f MiB", float64(peak)/1024)
		if o.heapDir != "" {
			mem = "(in benchplan)"
			if err := writeHeapProfile(filepath.Join(o.heapDir, fmt.Sprintf("heap-%d.pprof", n))); err != nil {
				return err
			}
		}
		total := 0
		for _, v := range last.Totals {
			total += v
		}
		fmt.Printf("| %d | %s | %s | %s | %d (%d) |\n", n, main.median().Round(time.Millisecond), mem, logins(last), total, minimum)
		if floor != nil {
			line := fmt.Sprintf("| %d | %s | %s | %.2fx |", n, main.median().Round(time.Millisecond), floor.median().Round(time.Millisecond), ratio(main, floor))
			if peer != nil {
				line += fmt.Sprintf(" %s | %.2fx | %s | %.2fx | %d |", peer.median().Round(time.Millisecond), ratio(main, peer),
					reads.median().Round(time.Millisecond), ratio(reads, peer), readRequests)
			} else {
				line += " - | - | - | - | - |"
			}
			comparisons = append(comparisons, line)
		}
	}
	if len(comparisons) > 0 {
		fmt.Printf("\nthe same plans against the token floor and the hashicorp/http peer (planned in turn each round; median)\n\n")
		fmt.Println("| data sources | cloudauth data sources | N cloudauth_token | ratio | N hashicorp/http GETs | ratio | N cloudauth_request GETs | ratio to http | their requests |")
		fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, l := range comparisons {
			fmt.Println(l)
		}
	}
	return nil
}

// plan is one configuration in its own directory, planned each round.
type plan struct {
	o     options
	env   []string
	dir   string
	walls []time.Duration
}

func newPlan(o options, env []string, dir, config string) (*plan, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return nil, err
	}
	return &plan{o: o, env: env, dir: dir}, nil
}

func (p *plan) command(args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(p.o.tf, args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), p.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// init installs the providers that are not overridden (the peer), once
// and untimed.
func (p *plan) init() error {
	cmd, out := p.command("init", "-input=false", "-no-color")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("init in %s: %w\n%s", p.dir, err, out.String())
	}
	return nil
}

func (p *plan) run() error {
	cmd, out := p.command("plan", "-input=false", "-no-color", "-lock=false", fmt.Sprintf("-parallelism=%d", p.o.parallelism))
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w\n%s", err, out.String())
	}
	p.walls = append(p.walls, time.Since(start))
	return nil
}

func (p *plan) median() time.Duration {
	w := append([]time.Duration(nil), p.walls...)
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return w[len(w)/2]
}

func ratio(a, b *plan) float64 { return float64(a.median()) / float64(b.median()) }

// cliConfig never reaches the network: the provider from wrapDir, and the
// peer, if any, from the filesystem mirror.
func cliConfig(wrapDir, mirror string) string {
	var b strings.Builder
	b.WriteString("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n")
	fmt.Fprintf(&b, "    %q = %q\n    %q = %q\n  }\n", providerAddr, wrapDir, "registry.opentofu.org/cloudauth/cloudauth", wrapDir)
	if mirror != "" {
		fmt.Fprintf(&b, "  filesystem_mirror {\n    path = %q\n    include = [\"registry.terraform.io/hashicorp/http\", \"registry.opentofu.org/hashicorp/http\"]\n  }\n", mirror)
	}
	b.WriteString("}\n")
	return b.String()
}

// serveInProcess serves the provider from this process, for Terraform to
// attach to, and returns TF_REATTACH_PROVIDERS.
func serveInProcess() (string, func(), error) {
	// The log levels main.go sets when Terraform starts the provider.
	for k, v := range provider.LogLevels(os.Getenv) {
		if err := os.Setenv(k, v); err != nil {
			return "", nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	configs := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go func() {
		err := tf6server.Serve(providerAddr, provider.NewProtocol6("bench"),
			tf6server.WithDebug(ctx, configs, closed), tf6server.WithoutLogStderrOverride())
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchplan: serving the provider:", err)
		}
	}()
	var c *plugin.ReattachConfig
	select {
	case c = <-configs:
	case <-closed:
		cancel()
		return "", nil, fmt.Errorf("the provider stopped before it served")
	}
	b, err := json.Marshal(map[string]any{providerAddr: map[string]any{
		"Protocol": string(c.Protocol), "ProtocolVersion": c.ProtocolVersion, "Pid": c.Pid, "Test": c.Test,
		"Addr": map[string]string{"Network": c.Addr.Network(), "String": c.Addr.String()},
	}})
	if err != nil {
		cancel()
		return "", nil, err
	}
	return string(b), func() { cancel(); <-closed }, nil
}

func writeHeapProfile(path string) error {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func version(tf string) string {
	out, err := exec.Command(tf, "version").Output()
	if err != nil {
		return tf
	}
	return strings.SplitN(string(out), "\n", 2)[0]
}

func peakKiB(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	peak := 0
	for _, line := range strings.Fields(string(b)) {
		if v, err := strconv.Atoi(line); err == nil && v > peak {
			peak = v
		}
	}
	return peak
}

func logins(c emulator.Counters) string {
	var parts []string
	for _, cloud := range emulator.Clouds {
		if c.Totals[cloud] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", cloud, c.Logins[cloud]))
		}
	}
	return strings.Join(parts, ", ")
}

// benchCloud generates data sources for one cloud.
type benchCloud struct {
	name string
	// block is the provider block's content for the emulator at base.
	block func(base string) string
	// data returns the i-th data source of this cloud and a key that is
	// equal for data sources that need the same requests.
	data func(i int) (hcl, key string)
	// minimum is the fewest requests for a set of distinct keys: the login
	// and the reads behind them.
	minimum func(keys map[string]bool) int
}

var benchClouds = []benchCloud{
	{
		name: "keystone",
		block: func(base string) string {
			return fmt.Sprintf("keystone {\n    auth_url = %q\n    application_credential_id = %q\n    application_credential_secret = %q\n  }",
				base+"/keystone/v3", emulator.KeystoneAppCredID, emulator.KeystoneAppCredSecret)
		},
		data: func(i int) (string, string) {
			filters := []string{``, `service_type = "compute"`, `interface = "internal"`, `region = "RegionTwo"`, `service_type = "identity"`}
			return fmt.Sprintf("data \"cloudauth_keystone_catalog\" \"k%d\" {\n  %s\n}\n", i, filters[i%len(filters)]), "catalog"
		},
		// The catalog comes with the login's answer.
		minimum: func(map[string]bool) int { return 1 },
	},
	{
		name: "clc",
		block: func(base string) string {
			return fmt.Sprintf("clc {\n    url = %q\n    username = %q\n    password = %q\n  }",
				base+"/clc", emulator.CLCUser, emulator.CLCPassword)
		},
		data: func(i int) (string, string) {
			dc := []string{"WA1", "VA1", "DE1"}[i%3]
			return fmt.Sprintf("data \"cloudauth_clc_root_group\" \"c%d\" {\n  data_center = %q\n}\n", i, dc), dc
		},
		// login, the data center list (with each root group link), a group per data center.
		minimum: func(keys map[string]bool) int { return 2 + len(keys) },
	},
	{
		name: "cleura",
		block: func(base string) string {
			return fmt.Sprintf("cleura {\n    url = %q\n    username = %q\n    password = %q\n  }",
				base+"/cleura", emulator.CleuraUser, emulator.CleuraPassword)
		},
		data: func(i int) (string, string) {
			filters := []string{``, `status = "provisioned"`, `status = "available"`, `area_tag = "DE"`, `area_tag = "SE_STO2"`}
			return fmt.Sprintf("data \"cloudauth_cleura_domains\" \"c%d\" {\n  %s\n}\n", i, filters[i%len(filters)]), "domains"
		},
		// login, then one list of domains that every filter is applied to.
		minimum: func(keys map[string]bool) int { return 1 + len(keys) },
	},
	{
		name: "abiquo",
		block: func(base string) string {
			return fmt.Sprintf("abiquo {\n    endpoint = %q\n    username = %q\n    password = %q\n  }",
				base+"/abiquo/api", emulator.AbiquoAdmin, emulator.AbiquoAdminPassword)
		},
		data: func(i int) (string, string) {
			if i%2 == 0 {
				return fmt.Sprintf("data \"cloudauth_abiquo_datacenters\" \"a%d\" {}\n", i), "all"
			}
			city := []string{"Madrid", "Amsterdam", "Stockholm", "Sydney"}[i%4]
			return fmt.Sprintf("data \"cloudauth_abiquo_datacenters\" \"a%d\" {\n  name = \"%s %d\"\n}\n", i, city, i%10+1), "all"
		},
		// The login (GET /api/login), then every page of the one list
		// that all name filters are applied to.
		minimum: func(map[string]bool) int {
			return 1 + (emulator.AbiquoDatacenterCount+emulator.AbiquoMaxLimit-1)/emulator.AbiquoMaxLimit
		},
	},
}

// generateTokens writes a configuration with n cloudauth_token lookups
// spread round-robin over the same clouds: the same logins, no reads.
func generateTokens(base string, n int) string {
	var b strings.Builder
	b.WriteString(providerBlock(base))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "data \"cloudauth_token\" \"t%d\" {\n  cloud = %q\n}\n", i, benchClouds[i%len(benchClouds)].name)
	}
	return b.String()
}

// generateHTTP writes a configuration with n hashicorp/http GETs of one
// emulator URL (Keystone's version document: JSON, no login).
func generateHTTP(base string, n int) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    http = { source = \"hashicorp/http\", version = \"1.2.0\" }\n  }\n}\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "data \"http\" \"g%d\" {\n  url = %q\n}\n", i, base+"/keystone/v3")
	}
	return b.String()
}

// generateRequests writes a configuration with n cloudauth_request reads
// of the URL generateHTTP reads, with Keystone's login: what the peer's
// configuration asks for, through the provider, which makes identical
// reads once (so it sends a login and one GET where the peer sends n GETs;
// the table's last column counts them).
func generateRequests(base string, n int) string {
	var b strings.Builder
	b.WriteString(providerBlock(base))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "data \"cloudauth_request\" \"r%d\" {\n  cloud = \"keystone\"\n  url   = %q\n}\n", i, base+"/keystone/v3")
	}
	return b.String()
}

func providerBlock(base string) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    cloudauth = { source = \"registry.terraform.io/cloudauth/cloudauth\" }\n  }\n}\n\nprovider \"cloudauth\" {\n")
	for _, c := range benchClouds {
		b.WriteString("  " + c.block(base) + "\n")
	}
	b.WriteString("}\n\n")
	return b.String()
}

// generate writes a configuration with n data sources spread round-robin
// over the clouds, and returns it with the minimum number of requests.
func generate(base string, n int) (string, int) {
	var b strings.Builder
	b.WriteString(providerBlock(base))
	keys := make([]map[string]bool, len(benchClouds))
	for i := range keys {
		keys[i] = map[string]bool{}
	}
	for i := 0; i < n; i++ {
		ci := i % len(benchClouds)
		hcl, key := benchClouds[ci].data(i / len(benchClouds))
		keys[ci][key] = true
		b.WriteString(hcl)
	}
	minimum := 0
	for i, c := range benchClouds {
		if len(keys[i]) > 0 {
			minimum += c.minimum(keys[i])
		}
	}
	return b.String(), minimum
}
