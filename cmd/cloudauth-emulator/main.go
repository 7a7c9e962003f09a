// Command cloudauth-emulator serves the local fakes of the four APIs on a
// loopback address, for the demo, the benchmark and trying the provider
// without cloud accounts. It prints the URL and the demo credentials.
//
//	cloudauth-emulator                        # a free port on 127.0.0.1
//	cloudauth-emulator -listen 127.0.0.1:8900 -env-file /tmp/emu.env
//	cloudauth-emulator -cleura-auth v1        # a Cleura API without /auth/v2
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cloudauth-emulator:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("cloudauth-emulator", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to listen on")
	envFile := fs.String("env-file", "", "write EMULATOR_URL and EMULATOR_PID to this file once listening")
	quiet := fs.Bool("quiet", false, "print only the URL")
	counters := fs.String("counters", "", "print the counters of the emulator running at this URL and exit")
	cleuraAuth := fs.String("cleura-auth", emulator.CleuraAuthBoth, "Cleura auth API generations to serve: both, v1 or v2 (the other answers 404)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	e := emulator.New()
	if err := e.SetCleuraAuthAPI(*cleuraAuth); err != nil {
		return fmt.Errorf("-cleura-auth: %w", err)
	}
	if *counters != "" {
		return printCounters(*counters)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", *listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-listen %q: the emulator serves demo credentials and only listens on a loopback address (127.0.0.1)", *listen)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}

	if *quiet {
		fmt.Println(url)
	} else {
		printInfo(os.Stdout, url)
	}
	if *envFile != "" {
		content := fmt.Sprintf("EMULATOR_URL=%s\nEMULATOR_PID=%d\n", url, os.Getpid())
		tmp := *envFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, *envFile); err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// printCounters shows a running emulator's counters as a table.
func printCounters(url string) error {
	resp, err := http.Get(strings.TrimRight(url, "/") + "/_emulator/counters")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var c emulator.Counters
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	fmt.Printf("%-10s %7s %9s\n", "cloud", "logins", "requests")
	for _, cloud := range emulator.Clouds {
		if c.Totals[cloud] == 0 {
			continue
		}
		fmt.Printf("%-10s %7d %9d\n", cloud, c.Logins[cloud], c.Totals[cloud])
	}
	routes := make([]string, 0, len(c.Requests))
	for r := range c.Requests {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		fmt.Printf("  %-36s %5d\n", r, c.Requests[r])
	}
	return nil
}

// printInfo shows the URL and a provider configuration, with the demo
// credentials, that a user can paste into a .tf file.
func printInfo(w io.Writer, url string) {
	fmt.Fprintf(w, "cloudauth emulator listening on %s\n\n", url)
	fmt.Fprintln(w, "Demo provider configuration:")
	fmt.Fprintln(w, "\nprovider \"cloudauth\" {")
	for i, c := range emulator.Info() {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "  %s {\n", c.Cloud)
		for _, kv := range c.Settings {
			fmt.Fprintf(w, "    %-30s = %q\n", kv[0], strings.ReplaceAll(kv[1], "<base>", url))
		}
		fmt.Fprintln(w, "  }")
	}
	fmt.Fprintln(w, "}")
	fmt.Fprintf(w, "\nCounters: %s/_emulator/counters   (stop with Ctrl-C)\n", url)
}
