package doccache

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/extract"
)

func doc(name, text string) []extract.Document {
	return []extract.Document{{Name: name, Type: "text", Status: extract.Scanned, Pages: []extract.Page{{Number: 1, Text: text}}}}
}

func TestDocumentsStoresAndReturnsCopies(t *testing.T) {
	c := New(Options{})
	calls := 0
	fn := func(context.Context) []extract.Document { calls++; return doc("a.txt", "hej") }
	for i := range 3 {
		docs, cached, err := c.Documents(context.Background(), "k", fn)
		if err != nil || len(docs) != 1 || docs[0].Pages[0].Text != "hej" {
			t.Fatalf("call %d: %v %v", i, docs, err)
		}
		if cached != (i > 0) {
			t.Errorf("call %d: cached = %v", i, cached)
		}
		docs[0].Name = "renamed" // a caller's change must not reach the cache
		docs[0].Pages[0].Text = "changed"
	}
	if calls != 1 {
		t.Errorf("extract ran %d times, want 1", calls)
	}
	if got, _ := c.Lookup("k"); got[0].Name != "a.txt" || got[0].Pages[0].Text != "hej" {
		t.Errorf("cached entry was changed through a returned copy: %+v", got)
	}
}

func TestConcurrentCallersShareOneExtraction(t *testing.T) {
	c := New(Options{})
	var runs atomic.Int32
	release := make(chan struct{})
	fn := func(context.Context) []extract.Document {
		runs.Add(1)
		<-release
		return doc("a.pdf", "x")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := c.Documents(context.Background(), "k", fn); err != nil {
				t.Error(err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Errorf("extract ran %d times for 8 concurrent callers, want 1", n)
	}
}

func TestWaiterGivesUpAtItsDeadlineWhileExtractionGoesOn(t *testing.T) {
	c := New(Options{})
	release := make(chan struct{})
	started := make(chan struct{})
	go c.Documents(context.Background(), "k", func(context.Context) []extract.Document {
		close(started)
		<-release
		return doc("scan.pdf", "ocr text")
	})
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, _, err := c.Documents(ctx, "k", func(context.Context) []extract.Document { t.Error("second extraction"); return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline", err)
	}
	close(release)
	deadline := time.Now().Add(2 * time.Second)
	for !c.Has("k") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !c.Has("k") {
		t.Fatal("the first caller's extraction was not stored")
	}
}

func TestResultOfAnEndedContextIsNotStored(t *testing.T) {
	c := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	c.Documents(ctx, "k", func(context.Context) []extract.Document {
		cancel()
		return []extract.Document{{Name: "a.pdf", Status: extract.Unscannable, Detail: "time limit"}}
	})
	if c.Has("k") {
		t.Error("a result produced while the context ended was cached")
	}
}

func TestEvictionAndExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := New(Options{MaxBytes: 4000, TTL: time.Minute, Now: func() time.Time { return now }})
	big := strings.Repeat("x", 900)
	for _, k := range []string{"a", "b", "c"} {
		c.Documents(context.Background(), k, func(context.Context) []extract.Document { return doc(k, big) })
	}
	c.Lookup("a") // a is now the most recently used; b is the oldest
	c.Documents(context.Background(), "d", func(context.Context) []extract.Document { return doc("d", big) })
	if c.Has("b") || !c.Has("a") || !c.Has("d") {
		t.Errorf("LRU eviction: a=%v b=%v c=%v d=%v", c.Has("a"), c.Has("b"), c.Has("c"), c.Has("d"))
	}
	if s := c.Stats(); s.Bytes > 4000 || s.Evictions == 0 {
		t.Errorf("stats %+v", s)
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.Lookup("a"); ok {
		t.Error("an expired entry was returned")
	}
	huge := strings.Repeat("y", 5000)
	c.Documents(context.Background(), "huge", func(context.Context) []extract.Document { return doc("h", huge) })
	if c.Has("huge") {
		t.Error("an entry larger than the whole cache was stored")
	}
}

// A page's Blocks come back from the cache as they went in, and a caller's change to them does
// not reach the cached copy.
func TestDocumentsKeepBlocks(t *testing.T) {
	c := New(Options{})
	text := "Hanne Berg\n8000 Aarhus C\n\nKære Hanne"
	blocks := []extract.Block{{Start: 0, End: 24, HasBox: true, X1: 0.5, Y1: 0.2}, {Start: 26, End: len(text)}}
	fn := func(context.Context) []extract.Document {
		return []extract.Document{{Name: "a.pdf", Status: extract.Scanned, Pages: []extract.Page{{Number: 1, Text: text, Blocks: blocks}}}}
	}
	for i := range 2 {
		docs, _, err := c.Documents(context.Background(), "k", fn)
		if err != nil || len(docs[0].Pages[0].Blocks) != 2 || docs[0].Pages[0].Blocks[0] != blocks[0] || docs[0].Pages[0].CheckBlocks() != "" {
			t.Fatalf("call %d: %+v %v", i, docs, err)
		}
		docs[0].Pages[0].Blocks[0].Kind = extract.BlockHeader
	}
}
