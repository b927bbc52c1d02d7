package policy

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type fakeSource struct {
	mu      sync.Mutex
	version int
	yaml    string
	err     error
}

func (f *fakeSource) get(context.Context) (int, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.version, []byte(f.yaml), f.err
}

func (f *fakeSource) set(v int, y string, err error) {
	f.mu.Lock()
	f.version, f.yaml, f.err = v, y, err
	f.mu.Unlock()
}

func TestLive(t *testing.T) {
	src := &fakeSource{}
	l, err := NewLive(context.Background(), src.get, 10*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if p, v := l.Current(); v != 0 || p.Name != "Standard" {
		t.Fatalf("no saved policy: got version %d %q, want the default", v, p.Name)
	}
	src.set(3, "name: Aarhus\nfail_mode: block\n", nil)
	waitFor(t, func() bool { _, v := l.Current(); return v == 3 })
	if p, _ := l.Current(); p.Name != "Aarhus" || p.FailMode != Block || p.Rules.DifferentCitizen != Block {
		t.Errorf("version 3 not applied over the defaults: %+v", p)
	}
	// A broken version keeps the one in force; a failing source too.
	src.set(4, "fail_mode: maybe\n", nil)
	time.Sleep(50 * time.Millisecond)
	if _, v := l.Current(); v != 3 {
		t.Errorf("broken policy applied: version %d", v)
	}
	src.set(5, "", errors.New("database down"))
	time.Sleep(50 * time.Millisecond)
	if _, v := l.Current(); v != 3 {
		t.Errorf("version changed while the source failed: %d", v)
	}
	src.set(6, "name: Ny\n", nil)
	waitFor(t, func() bool { _, v := l.Current(); return v == 6 })
}

func TestLiveSourceDownAtStart(t *testing.T) {
	src := &fakeSource{err: errors.New("database down")}
	if _, err := NewLive(context.Background(), src.get, time.Second, nil); err == nil {
		t.Fatal("NewLive succeeded with a failing source")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 2 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
