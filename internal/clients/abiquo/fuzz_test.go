package abiquo

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// FuzzDecodeDatacentersPage checks that any body either decodes to a page
// the pager can use or is an error, that a next page is always a path
// below the endpoint, and that the pager's own step (for a server without
// next links) moves forward. Seeds follow the documented shape of GET
// /admin/datacenters; testdata/fuzz/FuzzDecodeDatacentersPage holds more.
func FuzzDecodeDatacentersPage(f *testing.F) {
	for _, s := range []string{
		`{"totalSize":2,"links":[{"href":"http://localhost:9009/api/admin/datacenters?limit=25&by=name","rel":"first"},` +
			`{"href":"http://localhost:9009/api/admin/datacenters?startwith=0&limit=25&by=name","rel":"last"}],` +
			`"collection":[{"name":"13","location":"14","links":[{"href":"http://localhost:9009/api/admin/datacenters/3765","type":"application/vnd.abiquo.datacenter+json","rel":"edit","title":"13"}],"id":3765},` +
			`{"name":"15","location":"16","links":[],"id":3766}]}`,
		`{"totalSize":3,"links":[{"rel":"next","href":"/api/admin/datacenters?startwith=2&limit=2"}],"collection":[{"id":1},{"id":2,"uuid":"b1a0c8f2-0000-4000-8000-000000000002"}]}`,
		`{"totalSize":3,"links":[{"rel":"next","href":"http://evil.example/api/../../etc?startwith=2"}],"collection":[{"id":1}]}`,
		`{"totalSize":3,"links":[{"rel":"next","href":"?startwith=2"}],"collection":[{"id":1}]}`,
		`{"totalSize":5,"collection":[{"id":1}]}`,
		`{"totalSize":-1,"collection":[]}`,
		`{"totalSize":1}`,
		`{"collection":null}`,
		`[]`,
	} {
		f.Add([]byte(s), int64(0))
	}
	f.Fuzz(func(t *testing.T, body []byte, start int64) {
		p, err := DecodeDatacentersPage(body)
		if err != nil {
			if p != nil {
				t.Fatal("a page together with an error")
			}
			return
		}
		if p.Collection == nil || p.TotalSize < 0 {
			t.Fatalf("accepted a page without a collection or with a negative total: %+v", p)
		}
		if start < 0 {
			start = 0
		}
		cur := url.Values{"limit": {"25"}, "startwith": {fmt.Sprint(start)}}.Encode()
		next, q, more, err := nextPage("/api", "/admin/datacenters", cur, p)
		if err != nil || !more {
			return
		}
		if !strings.HasPrefix(next, "/") || strings.Contains(next, "/../") || strings.HasSuffix(next, "/..") {
			t.Fatalf("next page %q is not a path below the endpoint", next)
		}
		if _, linked := p.Link("next"); linked {
			return
		}
		values, _ := url.ParseQuery(q)
		n, perr := parseStart(values)
		if perr != nil || n <= start {
			t.Fatalf("next page startwith=%q after %d: it must move forward", values.Get("startwith"), start)
		}
	})
}

func parseStart(q url.Values) (int64, error) {
	var n int64
	_, err := fmt.Sscan(q.Get("startwith"), &n)
	return n, err
}

// FuzzLoginError turns arbitrary error answers of GET /login into the
// client's errors and checks that their text never shows the password,
// the code or the Basic credentials, even when the body echoes them.
func FuzzLoginError(f *testing.F) {
	const password, code = "Pa55word-for-fuzz", "88309169"
	for _, s := range []string{
		`{"collection":[{"code":"GEN-5","message":"Invalid credentials"}]}`,
		`{"collection":[{"code":"GEN-4","message":"Not enough permissions to perform this action"}]}`,
		`{"collection":[{"code":"API-00","messages":"Unauthorized"}]}`,
		`{"collection":[{"code":"X","message":"The verification code 88309169 is not valid"}]}`,
		`{"collection":[{"code":"Pa55word-for-fuzz","message":"admin:Pa55word-for-fuzz"}]}`,
		`<html><body>401 Unauthorized</body></html>`,
		`<!doctype html><html><head><title>HTTP Status 401 – Unauthorized Pa55word-for-fuzz</title></head><body>admin:Pa55word-for-fuzz</body></html>`,
		``,
	} {
		f.Add([]byte(s), 401, uint8(2))
	}
	c, err := New(Config{HTTP: httpx.Config{BaseURL: "https://abq.example.com/api"}, Username: "admin", Password: password, OTP: code})
	if err != nil {
		f.Fatal(err)
	}
	basic := basicValue("admin", password)
	f.Fuzz(func(t *testing.T, body []byte, status int, source uint8) {
		if status < 400 || status > 599 {
			status = 401
		}
		ct := "application/vnd.abiquo.errors+json"
		if source&4 != 0 {
			ct = "text/html;charset=utf-8"
		}
		ae := c.http.APIError(&httpx.Response{
			StatusCode: status, Body: body, Method: http.MethodGet, URL: "https://abq.example.com/api/login",
			Header: http.Header{"Content-Type": {ct}},
		})
		var clean *httpx.APIError
		if !errors.As(cleanHTML(ae, c.http.Redactor()), &clean) {
			t.Fatal("cleanHTML lost the APIError")
		}
		if ct != "text/html;charset=utf-8" && clean != ae {
			t.Fatal("a JSON error was rewritten")
		}
		for _, e := range []error{c.loginError(clean, CodeSource(source%3)), clean, &AccessError{User: "admin", Path: "/admin/datacenters", Err: clean},
			&OAuthError{ConsumerKey: "ck", Step: OAuthStep(source % 3), Err: clean}} {
			msg := e.Error()
			for _, secret := range []string{password, code, basic} {
				if strings.Contains(msg, secret) {
					t.Fatalf("%T shows a secret: %s", e, msg)
				}
			}
			// A page's markup is never quoted; a message the body gave as
			// JSON (a server that labels its JSON text/html) is the API's
			// own text and may hold any character.
			if ct != "application/vnd.abiquo.errors+json" && ae.Message == "" && (strings.Contains(msg, "<") || strings.Contains(msg, ">")) {
				t.Fatalf("%T quotes the HTML page: %s", e, msg)
			}
			// Nor does it carry what a terminal acts on, even from an
			// entity in the page's title.
			if p := httpx.Printable(msg); p != msg {
				t.Fatalf("%T carries terminal controls: %q", e, msg)
			}
		}
	})
}
