package provider_test

import (
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/emulator"
)

// BenchmarkGetProviderSchema is the provider's start-up cost: what
// Terraform asks first of every provider process.
func BenchmarkGetProviderSchema(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		acctest.NewServer(b, nil)
	}
}

// BenchmarkConfigure is the cost of ConfigureProvider with a block for
// each cloud: no network call, only settings and clients.
func BenchmarkConfigure(b *testing.B) {
	e := acctest.StartEmulator(b)
	s := acctest.NewServer(b, nil)
	cfg := map[string]any{}
	for _, c := range cloudsUnderTest {
		cfg[c.name] = c.settings(e.URL)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Configure(cfg)
	}
	if n := len(e.Counters().Requests); n != 0 {
		b.Fatalf("Configure made requests: %d", n)
	}
}

// BenchmarkReadDataSourceOverhead is what one more data source costs once
// its cloud has logged in and the read is remembered: the protocol,
// the framework and the conversion of the answer into Terraform values.
func BenchmarkReadDataSourceOverhead(b *testing.B) {
	for _, c := range cloudsUnderTest {
		b.Run(c.name, func(b *testing.B) {
			e := acctest.StartEmulator(b)
			s := acctest.NewServer(b, nil)
			s.Configure(map[string]any{c.name: c.settings(e.URL)})
			if _, err := s.Read(c.dataType, c.dataCfg); err != nil {
				b.Fatal(err)
			}
			e.ResetCounters()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Read(c.dataType, c.dataCfg); err != nil {
					b.Fatal(err)
				}
			}
			if n := e.Counters().Totals[c.name]; n != 0 {
				b.Fatalf("remembered reads made %d requests", n)
			}
		})
	}
}

// BenchmarkTokenDataSource is the token data source on a logged-in cloud.
func BenchmarkTokenDataSource(b *testing.B) {
	e := acctest.StartEmulator(b)
	s := acctest.NewServer(b, nil)
	s.Configure(map[string]any{"clc": map[string]any{"url": e.URL + "/clc", "username": emulator.CLCUser, "password": emulator.CLCPassword}})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Read("cloudauth_token", map[string]any{"cloud": "clc"}); err != nil {
			b.Fatal(err)
		}
	}
	if e.Logins("clc") != 1 {
		b.Fatalf("logins = %d", e.Logins("clc"))
	}
}

// BenchmarkRequestDataSource is one more cloudauth_request read of a URL
// already read in this process (identical reads are made once): the
// protocol, the framework and the answer's status, headers and body as
// Terraform values.
func BenchmarkRequestDataSource(b *testing.B) {
	e := acctest.StartEmulator(b)
	s := acctest.NewServer(b, nil)
	s.Configure(map[string]any{"keystone": map[string]any{"auth_url": e.URL + "/keystone/v3",
		"application_credential_id": emulator.KeystoneAppCredID, "application_credential_secret": emulator.KeystoneAppCredSecret}})
	cfg := map[string]any{"cloud": "keystone", "url": e.URL + "/keystone/v3"}
	if _, err := s.Read("cloudauth_request", cfg); err != nil {
		b.Fatal(err)
	}
	e.ResetCounters()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Read("cloudauth_request", cfg); err != nil {
			b.Fatal(err)
		}
	}
	if n := e.Counters().Totals["keystone"]; n != 0 {
		b.Fatalf("remembered reads made %d requests", n)
	}
}
