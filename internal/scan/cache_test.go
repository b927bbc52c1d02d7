package scan_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/doccache"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// countingExtractor counts the attachments it really reads.
type countingExtractor struct {
	x     *extract.Extractor
	calls atomic.Int32
}

func (c *countingExtractor) Extract(ctx context.Context, name, ct string, data []byte) []extract.Document {
	if name != scan.BodyDocument {
		c.calls.Add(1)
	}
	return c.x.Extract(ctx, name, ct, data)
}

func TestPreScanIsReusedOnSend(t *testing.T) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := &countingExtractor{x: formats.New(extract.Limits{})}
	s := scan.New(x, det, identity.New(det, identity.Options{}), scan.Options{Cache: doccache.New(doccache.Options{})})
	letter := []byte("Afgørelse\n\nKære Søren Ærbø Østergård, CPR-nr. 010190-1234\nDu får bevilget hjælp.\n")
	att := message.Attachment{Name: "Afgørelse.txt", ContentType: "text/plain", Data: letter}

	prep := s.Prepare(context.Background(), []message.Attachment{att})
	if len(prep) != 1 || prep[0].SHA256 != scan.ContentHash(letter) || prep[0].Documents[0].Status != extract.Scanned {
		t.Fatalf("prepare: %+v", prep)
	}
	msg := func(a message.Attachment) *message.Message {
		return &message.Message{
			From:        message.Address{Address: "sagsbehandler@aarhus.dk"},
			To:          []message.Address{{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"}},
			Subject:     "Afgørelse",
			Attachments: []message.Attachment{a},
		}
	}
	cases := []struct {
		name   string
		att    message.Attachment
		status extract.Status
	}{
		{"same bytes sent again", att, extract.Scanned},
		{"sent by hash only", message.Attachment{Name: att.Name, ContentType: att.ContentType, SHA256: prep[0].SHA256}, extract.Scanned},
		{"hash of content never pre-scanned", message.Attachment{Name: att.Name, ContentType: att.ContentType, SHA256: scan.ContentHash([]byte("other"))}, extract.Unscannable},
		{"same hash under another name", message.Attachment{Name: "Andet.txt", ContentType: att.ContentType, SHA256: prep[0].SHA256}, extract.Unscannable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Scan(context.Background(), msg(tc.att), policy.Default())
			if err != nil {
				t.Fatal(err)
			}
			var got extract.Status
			for _, d := range res.Documents {
				if d.Name == tc.att.Name {
					got = d.Status
				}
			}
			if got != tc.status {
				t.Fatalf("status %q, want %q", got, tc.status)
			}
			if tc.status == extract.Scanned {
				var cpr bool
				for _, f := range res.Findings {
					cpr = cpr || f.Kind == detect.KindCPR
				}
				if !cpr || res.Verdict.Action == policy.Allow {
					t.Errorf("cached documents were not scanned: action %s, findings %d", res.Verdict.Action, len(res.Findings))
				}
			}
		})
	}
	if n := x.calls.Load(); n != 1 {
		t.Errorf("the attachment was extracted %d times, want once (the pre-scan)", n)
	}
}

// BenchmarkSendAfterPrescan is the Send of a message whose attachment (a 100-page bundle of
// letters, as in the Aarhus incident) was read cold, and read from the pre-scan cache.
func BenchmarkSendAfterPrescan(b *testing.B) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		b.Fatal(err)
	}
	pdf, err := testgen.LetterBundlePDF(100, 7)
	if err != nil {
		b.Fatal(err)
	}
	att := message.Attachment{Name: "Breve.pdf", ContentType: "application/pdf", Data: pdf}
	msg := &message.Message{
		From: message.Address{Address: "sagsbehandler@aarhus.dk"}, Subject: "Brev",
		To:          []message.Address{{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"}},
		Attachments: []message.Attachment{att},
	}
	for _, tc := range []struct {
		name  string
		cache scan.Cache
	}{{"cold", nil}, {"prescanned", doccache.New(doccache.Options{})}} {
		b.Run(tc.name, func(b *testing.B) {
			s := scan.New(formats.New(extract.Limits{}), det, identity.New(det, identity.Options{}), scan.Options{Cache: tc.cache})
			if tc.cache != nil {
				s.Prepare(context.Background(), []message.Attachment{att})
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := s.Scan(context.Background(), msg, policy.Default())
				if err != nil || res.Verdict.Action != policy.Block {
					b.Fatalf("%v %v", err, res.Verdict.Action)
				}
			}
		})
	}
}
