// Package doccache keeps the documents extracted from attachments, in memory, keyed by the
// attachment's content hash (with its name and media type, which decide how it is read). The
// add-in pre-scans attachments as they are added; when the employee presses Send, the same bytes
// (sent again, named by their hash, or fetched from Graph) are answered from here instead of being
// parsed and OCR'd again inside Outlook's five-second window.
//
// Extracted text is message content: it stays in this process's memory for at most TTL, is
// bounded by MaxBytes (least recently used first out) and is never written anywhere.
package doccache

import (
	"container/list"
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Options bound the cache; zero values mean the defaults.
type Options struct {
	// MaxBytes bounds the extracted text held (default 256 MiB).
	MaxBytes int64
	// TTL is how long an entry lives after it was stored (default 1 hour: a draft is
	// usually sent within minutes of its attachments being added).
	TTL time.Duration
	// Now is the clock (tests).
	Now func() time.Time
}

// Cache is safe for concurrent use.
type Cache struct {
	opts  Options
	mu    sync.Mutex
	ll    *list.List // front = most recently used
	items map[string]*list.Element
	size  int64
	group singleflight.Group

	hits, misses, evictions uint64
}

type entry struct {
	key     string
	docs    []extract.Document
	size    int64
	expires time.Time
}

// New returns an empty cache.
func New(opts Options) *Cache {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 256 << 20
	}
	if opts.TTL <= 0 {
		opts.TTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Cache{opts: opts, ll: list.New(), items: map[string]*list.Element{}}
}

// Lookup returns the documents stored under key.
func (c *Cache) Lookup(key string) ([]extract.Document, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if ok && c.opts.Now().After(el.Value.(*entry).expires) {
		c.remove(el)
		ok = false
	}
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.ll.MoveToFront(el)
	return clone(el.Value.(*entry).docs), true
}

// Has tells whether key is stored, without counting a hit or a miss.
func (c *Cache) Has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	return ok && !c.opts.Now().After(el.Value.(*entry).expires)
}

// Documents returns the documents under key, or runs extract once for all callers asking for the
// same key at the same time (run extracts) and stores its result. A caller whose ctx ends first gets ctx's
// error; the extraction goes on for the others. A result produced while extract's ctx was
// ending (a deadline or a cancelled request) is returned but not stored: it may be partial.
func (c *Cache) Documents(ctx context.Context, key string, run func(ctx context.Context) []extract.Document) ([]extract.Document, bool, error) {
	if docs, ok := c.Lookup(key); ok {
		return docs, true, nil
	}
	ch := c.group.DoChan(key, func() (any, error) {
		docs := run(ctx)
		if ctx.Err() == nil {
			c.store(key, docs)
		}
		return docs, nil
	})
	select {
	case r := <-ch:
		return clone(r.Val.([]extract.Document)), r.Shared, nil
	case <-ctx.Done():
		return nil, false, context.Cause(ctx)
	}
}

func (c *Cache) store(key string, docs []extract.Document) {
	e := &entry{key: key, docs: clone(docs), expires: c.opts.Now().Add(c.opts.TTL)}
	e.size = sizeOf(key, e.docs)
	if e.size > c.opts.MaxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.ll.PushFront(e)
	c.size += e.size
	for c.size > c.opts.MaxBytes {
		c.remove(c.ll.Back())
		c.evictions++
	}
}

func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*entry)
	c.ll.Remove(el)
	delete(c.items, e.key)
	c.size -= e.size
}

// Stats are the cache's counters (for metrics).
type Stats struct {
	Entries                 int
	Bytes                   int64
	Hits, Misses, Evictions uint64
}

// Stats returns the current counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Entries: len(c.items), Bytes: c.size, Hits: c.hits, Misses: c.misses, Evictions: c.evictions}
}

// sizeOf approximates the memory an entry holds.
func sizeOf(key string, docs []extract.Document) int64 {
	n := int64(len(key)) + 200
	for _, d := range docs {
		n += int64(len(d.Name)+len(d.Type)+len(d.Detail)) + 100
		for _, p := range d.Pages {
			n += int64(len(p.Text)) + 32 + int64(len(p.Blocks))*64
		}
	}
	return n
}

// clone copies the document, page and block slices so callers may rename or mark documents without
// touching the cached ones (the page texts are immutable strings and are shared).
func clone(docs []extract.Document) []extract.Document {
	if docs == nil {
		return nil
	}
	out := make([]extract.Document, len(docs))
	for i, d := range docs {
		d.Pages = append([]extract.Page(nil), d.Pages...)
		for j := range d.Pages {
			if d.Pages[j].Blocks != nil {
				d.Pages[j].Blocks = append([]extract.Block(nil), d.Pages[j].Blocks...)
			}
		}
		out[i] = d
	}
	return out
}
