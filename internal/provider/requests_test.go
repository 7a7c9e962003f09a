package provider

import (
	"sync"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// The floor for a run is one login per cloud plus the reads the data asked
// for. These tests hold the provider to it in one provider process, with
// reads as concurrent as Terraform's -parallelism makes them.

func TestRequestsCLCOneLoginAndNoRepeatedReads(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newServer(t, nil)
	s.configure(map[string]any{"clc": map[string]any{
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
				_, err = s.read("cloudauth_clc_root_group", map[string]any{"data_center": "WA1"})
			case 1:
				_, err = s.read("cloudauth_clc_root_group", map[string]any{"data_center": "va1"})
			case 2:
				_, err = s.read("cloudauth_token", map[string]any{"cloud": "clc"})
			case 3:
				_, err = s.openEphemeral("cloudauth_token", map[string]any{"cloud": "clc"})
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
	if c.Totals["clc"] != 5 {
		t.Errorf("requests = %d, want 5: %v", c.Totals["clc"], c.Requests)
	}
}

func TestRequestsConfigureMakesNoCall(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newServer(t, nil)
	s.configure(map[string]any{"clc": map[string]any{
		"url": e.URL + "/clc", "username": emulator.CLCUser, "password": emulator.CLCPassword,
	}})
	if c := e.Counters(); len(c.Requests) != 0 {
		t.Fatalf("Configure sent requests: %v", c.Requests)
	}
}
