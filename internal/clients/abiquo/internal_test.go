package abiquo

import (
	"net/http"
	"testing"
	"time"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

func answer(token string, at time.Time) *httpx.Response {
	h := http.Header{}
	if token != "" {
		h.Set("X-Abiquo-Token", token)
	}
	return &httpx.Response{StatusCode: 200, Header: h, ReceivedAt: at}
}

func TestLateAnswerDoesNotReplaceANewerToken(t *testing.T) {
	t.Parallel()
	c, err := New(Config{HTTP: httpx.Config{BaseURL: "https://abq.example.com/api"}, Token: "token-from-login-0001", TokenOrigin: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.tokens.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Add(time.Second)
	// Two answers raced; the one that arrived first is handled last.
	for _, a := range []*httpx.Response{
		answer("token-arrived-second", t0.Add(2*time.Millisecond)),
		answer("token-arrived-first", t0.Add(1*time.Millisecond)),
		// An answer without a token (a 401) changes nothing.
		answer("", t0.Add(3*time.Millisecond)),
	} {
		if err := c.observe(a); err != nil {
			t.Fatal(err)
		}
	}
	cur, _ := c.tokens.Current()
	if cur.Value != "token-arrived-second" {
		t.Fatalf("kept token = %q, want the one that arrived last", cur.Value)
	}
	// Every token seen is masked in logs and errors.
	if got := c.http.Redactor().String("a token-arrived-first b"); got != "a *** b" {
		t.Errorf("rotated token not registered for masking: %q", got)
	}
}
