package provider_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// The floor for a run is one login per cloud plus the reads the data asked
// for. These tests hold the provider to it in one provider process, with
// reads as concurrent as Terraform's -parallelism makes them.

func TestRequestsCLCOneLoginAndNoRepeatedReads(t *testing.T) {
	t.Parallel()
	e := acctest.StartEmulator(t)
	s := acctest.NewServer(t, nil)
	s.Configure(map[string]any{"clc": map[string]any{
		"url": e.URL + "/clc", "username": emulator.CLCUser, "password": emulator.CLCPassword,
	}})

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			switch i % 4 {
			case 0:
				_, err = s.Read("cloudauth_clc_root_group", map[string]any{"data_center": "WA1"})
			case 1:
				_, err = s.Read("cloudauth_clc_root_group", map[string]any{"data_center": "va1"})
			case 2:
				_, err = s.Read("cloudauth_token", map[string]any{"cloud": "clc"})
			case 3:
				_, err = s.OpenEphemeral("cloudauth_token", map[string]any{"cloud": "clc"})
			}
			if err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c := e.Counters()
	if c.Logins["clc"] != 1 {
		t.Errorf("logins = %d, want 1 for 40 concurrent reads", c.Logins["clc"])
	}
	// login + (data center + group) for each of the two data centers.
	if c.Totals["clc"] != 4 {
		t.Errorf("requests = %d, want 4 (login, the data center list, two groups): %v", c.Totals["clc"], c.Requests)
	}
}

func TestRequestsConfigureMakesNoCall(t *testing.T) {
	t.Parallel()
	e := acctest.StartEmulator(t)
	s := acctest.NewServer(t, nil)
	cfg := map[string]any{}
	for _, c := range cloudsUnderTest {
		cfg[c.name] = c.settings(e.URL)
	}
	s.Configure(cfg)
	if c := e.Counters(); len(c.Requests) != 0 {
		t.Fatalf("Configure sent requests: %v", c.Requests)
	}
}

// All four clouds in one provider process, 80 concurrent reads: one login
// per cloud, and no request beyond what the data needs.
func TestRequestsAllCloudsOneLoginEachAndTheMinimum(t *testing.T) {
	t.Parallel()
	e := acctest.StartEmulator(t)
	s := acctest.NewServer(t, nil)
	cfg := map[string]any{}
	for _, c := range cloudsUnderTest {
		cfg[c.name] = c.settings(e.URL)
	}
	s.Configure(cfg)
	reads := []struct {
		typ string
		cfg map[string]any
	}{
		{"cloudauth_keystone_catalog", map[string]any{}},
		{"cloudauth_keystone_catalog", map[string]any{"service_type": "compute"}},
		{"cloudauth_cleura_domains", map[string]any{}},
		{"cloudauth_cleura_domains", map[string]any{"status": "available"}},
		{"cloudauth_abiquo_datacenters", map[string]any{}},
		{"cloudauth_abiquo_datacenters", map[string]any{"name": "Madrid 1"}},
		{"cloudauth_clc_root_group", map[string]any{"data_center": "WA1"}},
		{"cloudauth_clc_root_group", map[string]any{"data_center": "VA1"}},
		{"cloudauth_token", map[string]any{"cloud": "keystone"}},
		{"cloudauth_token", map[string]any{"cloud": "abiquo"}},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for i := 0; i < 80; i++ {
		wg.Add(1)
		go func(r struct {
			typ string
			cfg map[string]any
		}) {
			defer wg.Done()
			if _, err := s.Read(r.typ, r.cfg); err != nil {
				errs <- fmt.Errorf("%s: %w", r.typ, err)
			}
		}(reads[i%len(reads)])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c := e.Counters()
	pages := (emulator.AbiquoDatacenterCount + emulator.AbiquoMaxLimit - 1) / emulator.AbiquoMaxLimit
	want := map[string]int{
		"keystone": 1,         // the catalog comes with the login
		"cleura":   2,         // login, one list of domains
		"abiquo":   1 + pages, // GET /api/login, then every page once
		"clc":      1 + 1 + 2, // login, the data center list, the groups of WA1 and VA1
	}
	for cloud, n := range want {
		if c.Logins[cloud] != 1 {
			t.Errorf("%s: logins = %d, want 1", cloud, c.Logins[cloud])
		}
		if c.Totals[cloud] != n {
			t.Errorf("%s: requests = %d, want the minimum %d: %v", cloud, c.Totals[cloud], n, c.Requests)
		}
	}
}
