package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/onsend"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// JSON answers are pure ASCII (Danish letters as \u escapes) and decode to the same text.
func TestJSONAnswersASCII(t *testing.T) {
	const msg = "Mailen indeholder følsomme oplysninger – Prøv igen…"
	os := &fakeOnSend{fn: func(*onsend.Request) (*onsend.Response, error) {
		return &onsend.Response{ScanID: "s1", Action: policy.Warn, Message: msg}, nil
	}}
	s := newTestServer(t, os, Config{})
	w := do(s, http.MethodPost, "/api/v1/onsend", "good", []byte(`{"itemId":"AAMk"}`))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	body := w.Body.Bytes()
	for i, c := range body {
		if c >= 0x80 {
			t.Fatalf("non-ASCII byte at %d in %s", i, body)
		}
	}
	if !strings.Contains(string(body), `f\u00f8lsomme`) {
		t.Errorf("not escaped: %s", body)
	}
	var r onsend.Response
	if err := json.Unmarshal(body, &r); err != nil || r.Message != msg {
		t.Errorf("decoded %q (%v)", r.Message, err)
	}
}
