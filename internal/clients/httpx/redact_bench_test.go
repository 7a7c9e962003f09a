package httpx

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// The masker runs on every request, every log line and every error, so
// these measure its common cases: a client holding its few configured
// secrets, and an Abiquo client whose token rotated on every answer until
// the masker holds as many as it keeps.
//
//	go test ./internal/clients/httpx -run '^$' -bench Redactor -benchmem

// benchRedactors are the two states a client's masker is usually in.
func benchRedactors(b *testing.B) map[string]*Redactor {
	b.Helper()
	few := NewRedactor()
	few.Add("the-configured-password-1", "an-application-credential-secret", "gAAAAABm-a-fernet-token-of-some-length-0123456789abcdef")
	rotated := NewRedactor()
	rotated.Add("the-configured-password-1", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
	for i := range maxSecrets {
		rotated.Add(rotatedToken(i))
	}
	return map[string]*Redactor{"few": few, "rotated": rotated}
}

// rotatedToken is a token of the length and alphabet Abiquo's have.
func rotatedToken(i int) string {
	return fmt.Sprintf("ZXlKMGVYQWlPaUpLVjFRaUxDSmhiR2NpT2lKSVV6STFOaUo5%08d.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl", i)
}

// benchLine is a log line or error message without a secret: the common
// case, in which every form of every secret is looked for and none found.
const benchLine = `GET https://abiquo.example.com/api/admin/datacenters?limit=25&startwith=50: HTTP 404 Not Found: ` +
	`DC-0 The requested datacenter does not exist or the user has no permission to see it (request id 4c0a3b1e-9f1d-4d0e-8a59-3c1f6e2b7d90)`

func BenchmarkRedactorString(b *testing.B) {
	for name, r := range benchRedactors(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := r.String(benchLine); got != benchLine {
					b.Fatalf("masked %q", got)
				}
			}
		})
	}
}

func BenchmarkRedactorHeaders(b *testing.B) {
	h := http.Header{
		"Accept":         {"application/vnd.abiquo.datacenters+json; version=6.1"},
		"Authorization":  {"Token abc"},
		"Content-Type":   {"application/json"},
		"Date":           {"Tue, 01 Dec 2026 10:00:00 GMT"},
		"Server":         {"nginx"},
		"X-Abiquo-Token": {"abc"},
		"Vary":           {"Accept-Encoding"},
	}
	for name, r := range benchRedactors(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := r.Headers(h); got["Authorization"] != Mask {
					b.Fatalf("headers %v", got)
				}
			}
		})
	}
}

func BenchmarkRedactorURL(b *testing.B) {
	u, err := url.Parse("https://abiquo.example.com/api/admin/datacenters?limit=25&startwith=50&has=x")
	if err != nil {
		b.Fatal(err)
	}
	for name, r := range benchRedactors(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = r.URL(u)
			}
		})
	}
}

// BenchmarkRedactorRotation is one more rotated token added to a masker
// that holds as many as it keeps: what every Abiquo answer costs.
func BenchmarkRedactorRotation(b *testing.B) {
	r := benchRedactors(b)["rotated"]
	b.ReportAllocs()
	i := maxSecrets
	for b.Loop() {
		r.Add(rotatedToken(i))
		i++
	}
}
