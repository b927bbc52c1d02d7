package worker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
)

func TestFrames(t *testing.T) {
	var good bytes.Buffer
	var scratch bytes.Buffer
	want := &Response{Documents: []extract.Document{{Name: "a.txt", Type: "text", Status: extract.Scanned,
		Pages: []extract.Page{{Number: 1, Text: "Østergård 010190-1234"}}}}}
	if err := writeFrame(&good, &scratch, want); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		stream  []byte
		max     uint32
		wantErr string // "" = decodes to want
	}{
		{"round trip", good.Bytes(), 1 << 20, ""},
		{"empty stream", nil, 1 << 20, "EOF"},
		{"length above max", good.Bytes(), 10, "larger than 10"},
		{"cut in header", good.Bytes()[:2], 1 << 20, "unexpected EOF"},
		{"cut in body", good.Bytes()[:good.Len()-5], 1 << 20, "decoding frame"},
		{"garbage body", []byte("\x00\x00\x00\x08garbage!"), 1 << 20, "decoding frame"},
		{"trailing bytes", append(binary.BigEndian.AppendUint32(nil, uint32(good.Len()-4+3)), append(bytes.Clone(good.Bytes()[4:]), 1, 2, 3)...), 1 << 20, "trailing bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Response
			err := readFrame(bufio.NewReader(bytes.NewReader(tt.stream)), tt.max, &got)
			if tt.wantErr == "" {
				if err != nil || got.Documents[0].Pages[0].Text != want.Documents[0].Pages[0].Text {
					t.Errorf("got %+v, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
	// Several frames on one stream stay in step.
	var two bytes.Buffer
	two.Write(good.Bytes())
	two.Write(good.Bytes())
	br := bufio.NewReader(&two)
	for i := range 3 {
		var r Response
		err := readFrame(br, 1<<20, &r)
		if (i < 2) != (err == nil) || (i == 2 && !errors.Is(err, io.EOF)) {
			t.Errorf("frame %d: %v", i, err)
		}
	}
}

// Blocks (the layout of a page) survive the gob frame and the output cap.
func TestFrameKeepsBlocks(t *testing.T) {
	text := "Hanne Berg\nSøndergade 12\n8000 Aarhus C\n\nDato: 3. marts 2026"
	page := extract.Page{Number: 2, Text: text, Blocks: []extract.Block{
		{Start: 0, End: strings.Index(text, "\n\n"), X0: 0.1, Y0: 0.2, X1: 0.4, Y1: 0.3, HasBox: true},
		{Start: strings.Index(text, "Dato"), End: len(text), Kind: extract.BlockHeader},
	}}
	if why := page.CheckBlocks(); why != "" {
		t.Fatalf("test page: %s", why)
	}
	var frame, scratch bytes.Buffer
	if err := writeFrame(&frame, &scratch, &Response{Documents: []extract.Document{{Name: "a.pdf", Status: extract.Scanned, Pages: []extract.Page{page}}}}); err != nil {
		t.Fatal(err)
	}
	var got Response
	if err := readFrame(bufio.NewReader(&frame), 1<<20, &got); err != nil {
		t.Fatal(err)
	}
	gp := got.Documents[0].Pages[0]
	if gp.Text != text || len(gp.Blocks) != 2 || gp.Blocks[0] != page.Blocks[0] || gp.Blocks[1] != page.Blocks[1] {
		t.Fatalf("round trip: %+v", gp)
	}
	docs := capOutput(got.Documents, len("Hanne Berg\nSøndergade"))
	cut := docs[0].Pages[0]
	if len(cut.Blocks) != 1 || cut.Text[cut.Blocks[0].Start:cut.Blocks[0].End] != "Hanne Berg\nSøndergade" || cut.CheckBlocks() != "" {
		t.Errorf("capped: %q %+v", cut.Text, cut.Blocks)
	}
}

// inlineRecorder answers with the Inline hint it was given, in the document's detail.
type inlineRecorder struct{}

func (inlineRecorder) Extract(ctx context.Context, name, contentType string, data []byte) []extract.Document {
	return []extract.Document{{Name: name, Status: extract.Scanned, Detail: "no hint"}}
}

func (inlineRecorder) ExtractInput(ctx context.Context, in extract.Input) []extract.Document {
	return []extract.Document{{Name: in.Name, Status: extract.Scanned, Detail: fmt.Sprintf("inline=%v", in.Inline)}}
}

// TestServeCarriesInline: the Inline hint of a request reaches the worker's extractor.
func TestServeCarriesInline(t *testing.T) {
	for _, inline := range []bool{false, true} {
		var in, scratch bytes.Buffer
		if err := writeFrame(&in, &scratch, &Request{Name: "image001.png", Data: []byte("x"), Inline: inline}); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err := Serve(context.Background(), &in, &out, ServeOptions{NewExtractor: func(extract.Limits) Extractor { return inlineRecorder{} }})
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(&out)
		if b, err := br.ReadByte(); err != nil || b != ackByte {
			t.Fatalf("ack %q %v", b, err)
		}
		var resp Response
		if err := readFrame(br, 1<<20, &resp); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("inline=%v", inline); len(resp.Documents) != 1 || resp.Documents[0].Detail != want {
			t.Errorf("got %+v, want %q", resp.Documents, want)
		}
	}
}
