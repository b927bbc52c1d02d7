package audit

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var (
	keyA = []byte("synthetic-test-key-A-0123456789abcdef")
	keyB = []byte("synthetic-test-key-B-0123456789abcdef")
)

func mustHasher(t *testing.T, key []byte) *Hasher {
	t.Helper()
	h, err := NewHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNewHasherKeyLength(t *testing.T) {
	for _, n := range []int{0, 1, 31} {
		if _, err := NewHasher(make([]byte, n)); !errors.Is(err, ErrShortKey) {
			t.Errorf("NewHasher(%d bytes) error = %v, want ErrShortKey", n, err)
		}
	}
	if _, err := NewHasher(make([]byte, 32)); err != nil {
		t.Errorf("NewHasher(32 bytes): %v", err)
	}
}

func TestHashNormalizesCPR(t *testing.T) {
	h := mustHasher(t, keyA)
	want := h.Hash("cpr", "0101901234")
	for _, v := range []string{"010190-1234", "010190 1234", " 0101901234 ", "010190\u20131234"} {
		if got := h.Hash("cpr", v); got != want {
			t.Errorf("Hash(cpr, %q) = %s, want the hash of 0101901234 %s", v, got, want)
		}
	}
	if got := h.Hash(" CPR ", "0101901234"); got != want {
		t.Errorf("kind is not normalized: %s != %s", got, want)
	}
	if h.Hash("cpr", "0101901235") == want {
		t.Error("different numbers hash alike")
	}
	if h.Hash("person", "0101901234") == want {
		t.Error("the kind is not part of the hash")
	}
}

func TestHashNormalizesOtherKinds(t *testing.T) {
	h := mustHasher(t, keyA)
	// "Søren" with a precomposed ø vs the same letters; case and spacing differ.
	a := h.Hash("person", "Søren  Testesen\t0101")
	for _, v := range []string{"søren testesen 0101", " SØREN Testesen 0101 "} {
		if got := h.Hash("person", v); got != a {
			t.Errorf("Hash(person, %q) differs from Hash(person, %q)", v, "Søren  Testesen\t0101")
		}
	}
	// NFC: "é" as e + combining acute equals the precomposed é.
	if h.Hash("person", "Ren\u00e9") != h.Hash("person", "Rene\u0301") {
		t.Error("NFC normalization missing")
	}
}

func TestHashIsKeyed(t *testing.T) {
	a, b := mustHasher(t, keyA), mustHasher(t, keyB)
	for _, v := range []string{"0101901234", "3112995678"} {
		ha, hb := a.Hash("cpr", v), b.Hash("cpr", v)
		if ha == hb {
			t.Errorf("same hash under two keys for %s", v)
		}
		if !isHash(ha) {
			t.Errorf("Hash = %q, want 64 lower-case hex digits", ha)
		}
		if a.Hash("cpr", v) != ha {
			t.Error("Hash is not deterministic")
		}
	}
	// The key is copied: changing the caller's slice changes nothing.
	key := append([]byte(nil), keyA...)
	h := mustHasher(t, key)
	before := h.Hash("cpr", "0101901234")
	key[0] ^= 0xff
	if h.Hash("cpr", "0101901234") != before {
		t.Error("Hasher shares the caller's key slice")
	}
}

func TestHasherDoesNotPrintKey(t *testing.T) {
	h := mustHasher(t, keyA)
	for _, s := range []string{fmt.Sprint(h), fmt.Sprintf("%v %+v %#v %s", h, h, h, h)} {
		if strings.Contains(s, string(keyA[:10])) || strings.Contains(s, fmt.Sprint(keyA[:4])) {
			t.Errorf("formatted Hasher shows the key: %s", s)
		}
	}
}
