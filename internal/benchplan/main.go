// Command benchplan is what `make bench` runs: `terraform plan` with N data
// sources spread over the configured clouds, against the emulator, and a
// table of wall time, the provider's peak memory, logins per cloud and the
// requests made against the minimum. It is a report, not a test: the rules
// behind "minimum" are asserted in the provider's ordinary tests.
//
//	go run ./internal/benchplan -terraform $(command -v terraform) -provider-dir bin/
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchplan:", err)
		os.Exit(1)
	}
}

func run() error {
	tf := flag.String("terraform", "terraform", "Terraform or OpenTofu binary")
	providerDir := flag.String("provider-dir", "", "directory holding the built terraform-provider-cloudauth")
	ns := flag.String("n", "1,10,100,400", "numbers of data sources")
	parallelism := flag.Int("parallelism", 10, "terraform -parallelism")
	rounds := flag.Int("rounds", 3, "plans per N; the table shows the median wall time")
	flag.Parse()
	if *providerDir == "" {
		return fmt.Errorf("-provider-dir is required")
	}
	timeBin, err := exec.LookPath("time")
	if err != nil {
		timeBin = "/usr/bin/time"
	}
	if _, err := os.Stat(timeBin); err != nil {
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
	real, err := filepath.Abs(filepath.Join(*providerDir, "terraform-provider-cloudauth"))
	if err != nil {
		return err
	}
	wrapper := fmt.Sprintf("#!/bin/sh\nexec %s -f %%M -a -o %s %s \"$@\"\n", timeBin, memFile, real)
	if err := os.WriteFile(filepath.Join(wrapDir, "terraform-provider-cloudauth"), []byte(wrapper), 0o755); err != nil {
		return err
	}
	cli := filepath.Join(work, "cli.tfrc")
	if err := os.WriteFile(cli, []byte(fmt.Sprintf(`disable_checkpoint = true
provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudauth/cloudauth" = %q
    "registry.opentofu.org/cloudauth/cloudauth" = %q
  }
  direct {}
}
`, wrapDir, wrapDir)), 0o600); err != nil {
		return err
	}

	fmt.Printf("terraform plan, -parallelism=%d, %s, median of %d rounds\n\n", *parallelism, version(*tf), *rounds)
	fmt.Println("| data sources | wall time | provider peak RSS | logins per cloud | requests (minimum) |")
	fmt.Println("|---:|---:|---:|---|---:|")
	for _, s := range strings.Split(*ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad -n value %q", s)
		}
		dir := filepath.Join(work, fmt.Sprint("n", n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		config, minimum := generate(base, n)
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
			return err
		}
		var walls []time.Duration
		var peak int
		var last emulator.Counters
		for r := 0; r < *rounds; r++ {
			e.ResetCounters()
			_ = os.Remove(memFile)
			cmd := exec.Command(*tf, "plan", "-input=false", "-no-color", "-lock=false", fmt.Sprintf("-parallelism=%d", *parallelism))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cli, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now()
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("plan with %d data sources: %w\n%s", n, err, out.String())
			}
			walls = append(walls, time.Since(start))
			if m := peakKiB(memFile); m > peak {
				peak = m
			}
			last = e.Counters()
		}
		sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
		total := 0
		for _, v := range last.Totals {
			total += v
		}
		fmt.Printf("| %d | %s | %.1f MiB | %s | %d (%d) |\n", n, walls[len(walls)/2].Round(time.Millisecond),
			float64(peak)/1024, logins(last), total, minimum)
	}
	return nil
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

// generate writes a configuration with n data sources spread round-robin
// over the clouds, and returns it with the minimum number of requests.
func generate(base string, n int) (string, int) {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    cloudauth = { source = \"registry.terraform.io/cloudauth/cloudauth\" }\n  }\n}\n\nprovider \"cloudauth\" {\n")
	for _, c := range benchClouds {
		b.WriteString("  " + c.block(base) + "\n")
	}
	b.WriteString("}\n\n")
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
