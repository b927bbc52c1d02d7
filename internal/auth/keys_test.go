package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestKeyRotationAcceptedAfterOneRefetch(t *testing.T) {
	f := startFake(t)
	v := newValidator(t, fakeConfig(f))
	if _, err := v.Validate(t.Context(), f.MintToken(goodClaims())); err != nil {
		t.Fatal(err)
	}
	before := f.JWKSRequests()
	oldToken := f.MintToken(goodClaims())
	f.RotateKey()
	newToken := f.MintToken(goodClaims())
	if _, err := v.Validate(t.Context(), newToken); err != nil {
		t.Fatalf("token signed by the rotated key: %v", err)
	}
	if n := f.JWKSRequests() - before; n != 1 {
		t.Errorf("%d key set fetches for the new key, want 1", n)
	}
	// Both keys are now cached: no further fetches.
	for _, raw := range []string{newToken, oldToken, f.MintToken(goodClaims())} {
		if _, err := v.Validate(t.Context(), raw); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.JWKSRequests() - before; n != 1 {
		t.Errorf("%d key set fetches after validating cached keys, want 1", n)
	}
}

func randomKid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func TestRandomKidsDoNotBlockPastContext(t *testing.T) {
	f := startFake(t)
	v := newValidator(t, fakeConfig(f)) // default wait 2 s, refetch at most every 5 min
	good := f.MintToken(goodClaims())
	// The first unknown kid uses the one refetch the limiter allows.
	c := goodClaims()
	c.Kid = randomKid()
	if _, err := v.Validate(t.Context(), f.MintToken(c)); err == nil {
		t.Fatal("unknown kid accepted")
	}
	fetches := f.JWKSRequests()

	const n = 64
	const budget = 300 * time.Millisecond
	var wg sync.WaitGroup
	var slow, accepted atomic.Int32
	tokens := make([]string, n) // minted first, so signing does not compete with the timing
	for i := range tokens {
		c := goodClaims()
		c.Kid = randomKid()
		tokens[i] = f.MintToken(c)
	}
	start := time.Now()
	for _, raw := range tokens {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), budget)
			defer cancel()
			t0 := time.Now()
			_, err := v.Validate(ctx, raw)
			if time.Since(t0) > budget+500*time.Millisecond { // slack for a busy shared machine
				slow.Add(1)
			}
			if err == nil {
				accepted.Add(1)
			} else if err.Error() != "invalid token: unknown signing key" {
				t.Errorf("random kid: %v", err)
			}
		})
	}
	// Valid tokens keep validating quickly during the flood.
	for range 20 {
		t0 := time.Now()
		if _, err := v.Validate(t.Context(), good); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(t0); d > 500*time.Millisecond {
			t.Errorf("a valid token took %v during the flood", d)
		}
	}
	wg.Wait()
	if slow.Load() > 0 || accepted.Load() > 0 {
		t.Errorf("%d requests outlived their context, %d accepted", slow.Load(), accepted.Load())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the flood took %v", d)
	}
	if got := f.JWKSRequests() - fetches; got != 0 {
		t.Errorf("the flood caused %d key set fetches, want 0", got)
	}

	// Without a deadline, the wait is bounded by RefreshUnknownKIDWait.
	cfg := fakeConfig(f)
	cfg.RefreshUnknownKIDWait = 200 * time.Millisecond
	v2 := newValidator(t, cfg)
	for i := range 3 {
		c := goodClaims()
		c.Kid = randomKid()
		t0 := time.Now()
		if _, err := v2.Validate(context.Background(), f.MintToken(c)); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("random kid %d: %v", i, err)
		}
		if d := time.Since(t0); d > time.Second {
			t.Errorf("random kid %d without deadline took %v", i, d)
		}
	}
}

func TestStaticJWKS(t *testing.T) {
	f := startFake(t)
	cfg := fakeConfig(f)
	cfg.JWKSURL = ""
	cfg.HTTPClient = nil
	cfg.StaticJWKS = f.JWKS()
	v := newValidator(t, cfg)
	if err := v.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if _, err := v.Validate(t.Context(), f.MintToken(goodClaims())); err != nil {
		t.Fatalf("good token: %v", err)
	}
	f.RotateKey()
	if _, err := v.Validate(t.Context(), f.MintToken(goodClaims())); err == nil || err.Error() != "invalid token: unknown signing key" {
		t.Errorf("key outside the static set: %v", err)
	}
	if n := f.JWKSRequests(); n != 0 {
		t.Errorf("static mode fetched the key set %d times", n)
	}
}

// TestUnreachableKeySetAtStart: the service starts while the key set cannot be fetched, reports
// not ready, and loads the keys soon after they become reachable.
func TestUnreachableKeySetAtStart(t *testing.T) {
	f := startFake(t)
	var calls atomic.Int32
	flaky := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(f.JWKS())
	}))
	t.Cleanup(flaky.Close)
	cfg := fakeConfig(f)
	cfg.JWKSURL = flaky.URL + "/keys"
	cfg.HTTPClient = flaky.Client()
	cfg.RefreshUnknownKIDWait = 50 * time.Millisecond
	v := newValidator(t, cfg)
	if err := v.Ready(t.Context()); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("Ready before the keys loaded: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for v.Ready(t.Context()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("keys not loaded 5 s after the key set became reachable")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := v.Validate(t.Context(), f.MintToken(goodClaims())); err != nil {
		t.Fatalf("after warm-up: %v", err)
	}
}

func TestCloseStopsRefresh(t *testing.T) {
	f := startFake(t)
	cfg := fakeConfig(f)
	cfg.RefreshInterval = 20 * time.Millisecond
	v := newValidator(t, cfg)
	time.Sleep(200 * time.Millisecond)
	if f.JWKSRequests() < 3 { // the first fetch and at least two refreshes
		t.Fatalf("background refresh: %d fetches in 200 ms at a 20 ms interval", f.JWKSRequests())
	}
	v.Close()
	time.Sleep(30 * time.Millisecond) // a refresh in flight may finish
	n := f.JWKSRequests()
	time.Sleep(150 * time.Millisecond)
	if got := f.JWKSRequests(); got != n {
		t.Errorf("%d fetches after Close", got-n)
	}
}
