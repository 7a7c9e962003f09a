package abiquo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
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
func (p *DatacentersPage) Link(rel string) (string, bool) {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href, true
		}
	}
	return "", false
}

// maxPages stops a list read that never ends (a server whose next links
// go round in circles).
const maxPages = 10000

// Datacenters returns every datacenter the user may see, reading every
// page once per client: data sources that ask at the same time or later
// share one read.
func (c *Client) Datacenters(ctx context.Context) ([]Datacenter, error) {
	return c.dcs.Get(ctx, "all", c.readDatacenters)
}

// readDatacenters follows the pages. The next page is the one the answer's
// "next" link names, but only its query (startwith, limit) is taken: links
// may carry a host name that only works inside the installation (the 3.10
// examples show localhost:9009), and the token must go only to the
// configured endpoint.
func (c *Client) readDatacenters(ctx context.Context) ([]Datacenter, error) {
	const path = "/admin/datacenters"
	q := url.Values{"startwith": {"0"}, "limit": {strconv.Itoa(c.cfg.PageSize)}}
	var out []Datacenter
	seen := map[int64]bool{}
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("GET %s: still more pages after %d; stopping", path, maxPages)
		}
		var w pageWire
		if err := c.Get(ctx, path, q, "datacenters", &w); err != nil {
			return nil, err
		}
		page, err := w.page()
		if err != nil {
			return nil, fmt.Errorf("GET %s?%s: the answer is not a page of datacenters: %w", path, q.Encode(), err)
		}
		for _, dc := range page.Collection {
			// A datacenter added or removed while paging shifts the pages;
			// one seen twice is kept once.
			if !seen[dc.ID] {
				seen[dc.ID] = true
				out = append(out, dc)
			}
		}
		start, _ := strconv.ParseInt(q.Get("startwith"), 10, 64)
		next, ok, err := nextQuery(page, start)
		if err != nil {
			return nil, fmt.Errorf("GET %s?%s: %w", path, q.Encode(), err)
		}
		if !ok {
			break
		}
		q = next
	}
	if out == nil {
		out = []Datacenter{}
	}
	return out, nil
}

// nextQuery returns the query of the page after the one that started at
// start, from its "next" link. Without a link, a full page that leaves
// items unread still leads on (a server that does not write next links);
// an empty page or one at the end does not.
func nextQuery(p *DatacentersPage, start int64) (url.Values, bool, error) {
	href, ok := p.Link("next")
	if !ok {
		read := start + int64(len(p.Collection))
		if len(p.Collection) == 0 || read >= p.TotalSize || read < start {
			return nil, false, nil
		}
		return url.Values{"startwith": {strconv.FormatInt(read, 10)}, "limit": {strconv.Itoa(len(p.Collection))}}, true, nil
	}
	u, err := url.Parse(href)
	if err != nil {
		return nil, false, fmt.Errorf("the next link %q is not a URL", href)
	}
	q := u.Query()
	next, err := strconv.ParseInt(q.Get("startwith"), 10, 64)
	if err != nil || next <= start {
		return nil, false, fmt.Errorf("the next link %q does not move past startwith=%d; stopping so as not to read the same pages forever", href, start)
	}
	return q, true, nil
}
