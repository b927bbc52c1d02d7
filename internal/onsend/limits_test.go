package onsend

import (
	"context"
	"fmt"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/sendevagt/sendevagt/internal/policy"
)

// The headers object keeps a bounded number of short, well-formed headers and skips the rest
// without storing it; only the headers the verdict depends on reach the message.
func TestHeadersAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"itemId":"x","headers":{"X-Sendevagt-Route":"secure","Bad Name":"x","X-Long":"` + strings.Repeat("v", MaxHeaderValue+1) + `","X-Obj":{"a":[1,2]}`)
	const many = 200_000
	for i := range many {
		fmt.Fprintf(&b, `,"X-H%d":"v"`, i)
	}
	b.WriteString(`}}`)
	var req Request
	if err := jsonv2.Unmarshal([]byte(b.String()), &req); err != nil {
		t.Fatal(err)
	}
	if len(req.Headers) != MaxHeaders || req.Headers[0] != (Header{Name: "X-Sendevagt-Route", Value: "secure"}) {
		t.Fatalf("%d headers kept, first %+v; want %d, the route header first", len(req.Headers), req.Headers[0], MaxHeaders)
	}
	for _, h := range req.Headers {
		if h.Name == "Bad Name" || h.Name == "X-Long" || h.Name == "X-Obj" {
			t.Errorf("kept %q", h.Name)
		}
	}
	msg := (&Request{Inline: &Inline{}}).inlineMessage()
	req.applyEnvelope(msg, DefaultLimits, "X-Egen-Sikker")
	if len(msg.Header) != 1 || msg.Header.Get("X-Sendevagt-Route") != "secure" {
		t.Errorf("message headers %v, want only the route header", msg.Header)
	}
	// The policy's own secure header is used too.
	req = Request{Headers: Headers{{Name: "x-egen-sikker", Value: "ja"}, {Name: "X-Other", Value: "1"}}}
	req.applyEnvelope(msg, DefaultLimits, "X-Egen-Sikker")
	if msg.Header.Get("X-Egen-Sikker") != "ja" || msg.Header.Get("X-Other") != "" {
		t.Errorf("message headers %v", msg.Header)
	}
	for _, bad := range []string{`{"headers":[1]}`, `{"headers":"x"}`, `{"headers":{"a":}}`} {
		if err := jsonv2.Unmarshal([]byte(bad), &req); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

// More recipients than the limit are not refused: the first ones are compared and the rest is
// reported too large; the message still gets its verdict and audit line.
func TestManyRecipientsStillGetAVerdict(t *testing.T) {
	rec := &fakeRecorder{}
	svc := newService(t, nil, rec)
	req := inlineLetter("karen.olsen@gmail.com", "Afgørelse.txt")
	req.Recipients.Bcc = make1500()
	resp, err := svc.Check(context.Background(), user, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Action != policy.Block {
		t.Errorf("action %s, want block", resp.Action)
	}
	var found bool
	for _, d := range resp.Documents {
		if d.Name == RecipientsDocument {
			found = d.Status == "too_large" && strings.Contains(d.Detail, "1501 recipients")
		}
	}
	if !found {
		t.Errorf("no too_large %s document: %+v", RecipientsDocument, resp.Documents)
	}
	if len(rec.events) != 1 {
		t.Errorf("%d audit events", len(rec.events))
	}
}
