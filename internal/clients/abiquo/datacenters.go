package abiquo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Datacenter is an entry of GET /admin/datacenters. UUID is empty where
// the API has none (the 3.10 examples show no uuid; newer versions may).
type Datacenter struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Location string `json:"location"`
	UUID     string `json:"uuid"`
}

// DatacentersPage is one page of the list: {totalSize, links, collection}.
// A datacenter's own links are not decoded; nothing here uses them.
type DatacentersPage struct {
	TotalSize  int64        `json:"totalSize"`
	Links      []Link       `json:"links"`
	Collection []Datacenter `json:"collection"`
}

// pageWire is a page as sent; a missing collection stays nil.
type pageWire struct {
	TotalSize  int64         `json:"totalSize"`
	Links      []Link        `json:"links"`
	Collection *[]Datacenter `json:"collection"`
}

func (w *pageWire) page() (*DatacentersPage, error) {
	if w.Collection == nil {
		return nil, errors.New(`the answer has no "collection"`)
	}
	if w.TotalSize < 0 {
		return nil, fmt.Errorf("totalSize is negative (%d)", w.TotalSize)
	}
	return &DatacentersPage{TotalSize: w.TotalSize, Links: w.Links, Collection: *w.Collection}, nil
}

// DecodeDatacentersPage decodes one page. Unknown fields are ignored; a
// body without a collection is an error, since every list answer has one.
func DecodeDatacentersPage(body []byte) (*DatacentersPage, error) {
	var w pageWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, err
	}
	return w.page()
}

// Link returns the href of the first link with the relation rel.
func (p *DatacentersPage) Link(rel string) (string, bool) { return linkOf(p.Links, rel) }

func linkOf(links []Link, rel string) (string, bool) {
	for _, l := range links {
		if l.Rel == rel {
			return l.Href, true
		}
	}
	return "", false
}

// maxPages stops a list read that never ends (a server whose next links
// go round in circles in a way the seen set misses).
const maxPages = 10000

// Datacenters returns every datacenter the user may see, reading every
// page once per client: data sources that ask at the same time or later
// share one read.
func (c *Client) Datacenters(ctx context.Context) ([]Datacenter, error) {
	return c.dcs.Get(ctx, "all", c.readDatacenters)
}

// readDatacenters follows the pages by their "next" links, as given: the
// link's path and query, on the configured endpoint (links may carry a
// host name that only works inside the installation, as the 3.10
// examples' localhost:9009, and the credentials go only to the endpoint).
// A link that leads to a page already read ends the read with an error.
func (c *Client) readDatacenters(ctx context.Context) ([]Datacenter, error) {
	path, rawQuery := "/admin/datacenters", url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}}.Encode()
	// The page cap stops a list that goes round; the deadline one whose
	// pages come slowly (10,000 of them at 3 s would take 8 hours).
	ctx, cancel := c.http.ReadDeadline(ctx, "GET "+path+" and the pages after it (the datacenters)")
	defer cancel()
	seen := map[string]bool{pageKey(path, rawQuery): true}
	var out []Datacenter
	ids := map[int64]bool{}
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("GET %s: still more pages after %d; stopping", path, maxPages)
		}
		var w pageWire
		if err := c.get(ctx, path, rawQuery, "datacenters", &w); err != nil {
			return nil, err
		}
		page, err := w.page()
		if err != nil {
			return nil, fmt.Errorf("GET %s: the answer is not a page of datacenters: %w", pathQuery(path, rawQuery), err)
		}
		for _, dc := range page.Collection {
			// A datacenter added or removed while paging shifts the pages;
			// one seen twice is kept once.
			if !ids[dc.ID] {
				ids[dc.ID] = true
				out = append(out, dc)
			}
		}
		nextPath, nextQuery, more, err := nextPage(c.endpointPath(), path, rawQuery, page)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", pathQuery(path, rawQuery), err)
		}
		if !more {
			break
		}
		key := pageKey(nextPath, nextQuery)
		if seen[key] {
			return nil, fmt.Errorf("GET %s: the next link leads back to %s, a page already read; stopping so as not to read the same pages forever",
				pathQuery(path, rawQuery), pathQuery(nextPath, nextQuery))
		}
		seen[key] = true
		path, rawQuery = nextPath, nextQuery
	}
	if out == nil {
		out = []Datacenter{}
	}
	return out, nil
}

// endpointPath is the path of the configured endpoint ("/api").
func (c *Client) endpointPath() string {
	u, err := url.Parse(c.http.BaseURL())
	if err != nil {
		return "/api"
	}
	return u.Path
}

func pathQuery(path, rawQuery string) string {
	if rawQuery == "" {
		return path
	}
	return path + "?" + rawQuery
}

// pageKey names a page for loop detection: the path and the query with
// its parameters sorted, startwith=0 being the same as none (the "first"
// link has no startwith).
func pageKey(path, rawQuery string) string {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return path + "?" + rawQuery
	}
	if q.Get("startwith") == "0" {
		q.Del("startwith")
	}
	return path + "?" + q.Encode()
}

// nextPage returns the page after the one read at path?rawQuery: the one
// its "next" link names, rebased on the endpoint. Without a next link, a
// page that leaves items unread leads to the one at startwith (the
// documented parameter) after it, for a server that writes no links; an
// empty page, or one at the end, ends the list.
func nextPage(endpointPath, path, rawQuery string, p *DatacentersPage) (string, string, bool, error) {
	if href, ok := p.Link("next"); ok {
		next, nextQuery, err := rebase(endpointPath, path, href)
		if err != nil {
			return "", "", false, fmt.Errorf("the next link: %w", err)
		}
		return next, nextQuery, true, nil
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", "", false, fmt.Errorf("the page has no next link, and its query %q does not parse to find the page after it", rawQuery)
	}
	start, _ := strconv.ParseInt(q.Get("startwith"), 10, 64)
	read := start + int64(len(p.Collection))
	if len(p.Collection) == 0 || start < 0 || read >= p.TotalSize {
		return "", "", false, nil
	}
	q.Set("startwith", strconv.FormatInt(read, 10))
	return path, q.Encode(), true, nil
}

// rebase turns a link into a path below the endpoint and its query, as
// given. The link's own scheme and host are not used: the API may name
// itself by an address only reachable inside the installation, or behind
// another path prefix, and credentials go only to the configured endpoint.
// A relative link is resolved against cur, the path it came with.
func rebase(endpointPath, cur, href string) (string, string, error) {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || u.Opaque != "" {
		return "", "", fmt.Errorf("%q is not a URL", href)
	}
	// Resolving also removes dot segments, so a link cannot climb out.
	r := (&url.URL{Path: endpointPath + cur}).ResolveReference(u)
	p := r.EscapedPath()
	switch {
	case p == endpointPath || strings.HasPrefix(p, endpointPath+"/"):
		p = strings.TrimPrefix(p, endpointPath)
	case strings.Contains(p+"/", "/api/"):
		p = p[strings.Index(p+"/", "/api/")+len("/api"):]
	default:
		return "", "", fmt.Errorf("%q is not below the API: its path has no /api/", href)
	}
	if p == "" {
		p = "/"
	}
	return p, u.RawQuery, nil
}
