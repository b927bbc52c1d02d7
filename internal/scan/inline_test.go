package scan

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/extract/ocr"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// hintRecorder is an extractor that reports the Inline hint it was given.
type hintRecorder struct{}

func (hintRecorder) Extract(ctx context.Context, name, contentType string, data []byte) []extract.Document {
	return []extract.Document{{Name: name, Type: "image", Status: extract.Unscannable, Detail: "no hint"}}
}

func (hintRecorder) ExtractInput(ctx context.Context, in extract.Input) []extract.Document {
	d := extract.Document{Name: in.Name, Type: "image", Status: extract.Scanned, Pages: []extract.Page{{Number: 1}}}
	if in.Inline {
		d.Detail = "inline"
	}
	return []extract.Document{d}
}

// TestInlineHintReachesExtractor: Attachment.Inline goes to an extractor that takes it.
func TestInlineHintReachesExtractor(t *testing.T) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(hintRecorder{}, det, identity.New(det, identity.Options{}), Options{})
	m := baseMessage(message.Address{Address: "borger@live.dk"})
	m.Attachments = []message.Attachment{
		{Name: "image001.png", ContentType: "image/png", Data: []byte("x"), Inline: true},
		{Name: "foto.png", ContentType: "image/png", Data: []byte("y")},
	}
	res, err := s.Scan(context.Background(), m, policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range res.Documents {
		got[d.Name] = d.Detail
	}
	if got["image001.png"] != "inline" || got["foto.png"] != "" {
		t.Errorf("details %q", got)
	}
}

// logoPNG is a 240×80 signature logo of coloured shapes (no text).
func logoPNG(tb testing.TB) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 240, 80))
	for y := 10; y < 70; y++ {
		for x := 10; x < 230; x++ {
			switch {
			case x < 70 && (x-40)*(x-40)+(y-40)*(y-40) < 900:
				img.Set(x, y, color.NRGBA{0, 84, 166, 255})
			case x > 90 && y > 30 && y < 50:
				img.Set(x, y, color.NRGBA{200, 30, 45, 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestSignatureLogoAllows: a meeting mail to an external recipient with the sender's signature
// logo in the body is allowed, with OCR and without.
func TestSignatureLogoAllows(t *testing.T) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range map[string]*extract.Extractor{
		"tools in PATH": formats.New(extract.Limits{}),
		"no OCR":        formats.NewWithOptions(extract.Limits{}, formats.Options{Tools: &ocr.Tools{}}),
	} {
		t.Run(name, func(t *testing.T) {
			s := New(x, det, identity.New(det, identity.Options{}), Options{})
			m := baseMessage(message.Address{Name: "Karen Holm", Address: "karen.holm@firma.dk"})
			m.Subject = "Møde torsdag"
			m.Bodies = []message.Body{{ContentType: "text/html", Content: `<p>Hej Karen</p><p>Vi ses torsdag kl. 10.</p><p>Med venlig hilsen<br>Jonas Fisker</p><img src="cid:image001.png@01DB">`}}
			m.Attachments = []message.Attachment{{Name: "image001.png", ContentType: "image/png", Data: logoPNG(t), ContentID: "image001.png@01DB", Inline: true}}
			res, err := s.Scan(context.Background(), m, policy.Default())
			if err != nil {
				t.Fatal(err)
			}
			var docs []string
			for _, d := range res.Documents {
				docs = append(docs, d.Name+" "+string(d.Status)+" "+d.Detail)
			}
			if res.Verdict.Action != policy.Allow {
				t.Errorf("action %s, want allow: %s", res.Verdict.Action, strings.Join(docs, "; "))
			}
		})
	}
}
