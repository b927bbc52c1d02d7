package worker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/textproto"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/message"
)

// testID is the request ID of the test frames.
const testID = 42

func encodeResponse(t testing.TB, docs []extract.Document) []byte {
	t.Helper()
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	if err := (rawCodec{}).writeResponse(bw, testID, docs, math.MaxUint32); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func decodeResponse(stream []byte, max uint32) ([]extract.Document, error) {
	return rawCodec{}.readResponse(bufio.NewReader(bytes.NewReader(stream)), max, testID)
}

// sampleDocs has every field of a response set, some pages with blocks (layout) and some
// without, and a document without pages.
func sampleDocs() []extract.Document {
	text := "Hanne Berg\nSøndergade 12\n8000 Aarhus C\n\nDato: 3. marts 2026"
	return []extract.Document{
		{Name: "Breve.zip", Type: "zip", Status: extract.Scanned},
		{Name: "Breve.zip/Brev 1.pdf", Type: "pdf", Status: extract.TooLarge, Detail: "more than 2000 pages (MaxPages)", Depth: 1, Truncated: true,
			Pages: []extract.Page{
				{Number: 1, Text: text, Blocks: []extract.Block{
					{Start: 0, End: strings.Index(text, "\n\n"), X0: 0.1, Y0: 0.2, X1: 0.4, Y1: 0.3, HasBox: true},
					{Start: strings.Index(text, "Dato"), End: len(text), Kind: extract.BlockHeader},
				}},
				{Number: 2, Text: "Østergård 010190-1234"},
				{Number: 3},
			}},
		{Name: "Breve.zip/x.bin", Type: "binary", Status: extract.Unsupported, Detail: "unknown format", Depth: 1},
	}
}

func TestResponseFrames(t *testing.T) {
	want := sampleDocs()
	good := encodeResponse(t, want)
	frame := func(body string) []byte {
		return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
	}
	withBody := func(edit func(b []byte)) []byte {
		b := bytes.Clone(good)
		edit(b[frameHeader:])
		return b
	}
	oneDoc := encodeResponse(t, []extract.Document{{Name: "a", Type: "text", Status: extract.Scanned, Pages: []extract.Page{{Number: 1, Text: "ab", Blocks: []extract.Block{{Start: 0, End: 2}}}}}})
	blockAt := len(oneDoc) - blockSize // the one block record
	tests := []struct {
		name    string
		stream  []byte
		max     uint32
		wantErr string // "" = decodes to want
	}{
		{"round trip", good, 1 << 20, ""},
		{"empty stream", nil, 1 << 20, "EOF"},
		{"length above max", good, 10, "larger than 10"},
		{"cut in header", good[:2], 1 << 20, "unexpected EOF"},
		{"cut in body", good[:len(good)-5], 1 << 20, "decoding frame"},
		{"the gob-era garbage hook", []byte("\x00\x00\x00\x10this is no gob!!"), 1 << 20, "malformed"},
		{"empty body", frame(""), 1 << 20, "malformed"},
		{"trailing bytes", frame(string(good[frameHeader:]) + "xyz"), 1 << 20, "malformed"},
		{"answer to another request", withBody(func(b []byte) { le.PutUint32(b[4:], testID+1) }), 1 << 20, "malformed"},
		{"document count too high", withBody(func(b []byte) { le.PutUint32(b[8:], 1<<31) }), 1 << 20, "malformed"},
		{"name longer than the frame", withBody(func(b []byte) { le.PutUint32(b[12:], 1<<30) }), 1 << 20, "malformed"},
		{"unknown status", withBody(func(b []byte) { copy(b[12+docFixed+len("Breve.zip")+len("zip"):], "SCANNED") }), 1 << 20, "malformed"},
		{"block beyond the text", func() []byte { b := bytes.Clone(oneDoc); le.PutUint32(b[blockAt+4:], 3); return b }(), 1 << 20, "malformed"},
		{"block start after end", func() []byte {
			b := bytes.Clone(oneDoc)
			le.PutUint32(b[blockAt:], 2)
			le.PutUint32(b[blockAt+4:], 1)
			return b
		}(), 1 << 20, "malformed"},
		{"unknown block kind", func() []byte { b := bytes.Clone(oneDoc); b[blockAt+8] = byte(len(blockKinds)); return b }(), 1 << 20, "malformed"},
		{"bad box flag", func() []byte { b := bytes.Clone(oneDoc); b[blockAt+9] = 2; return b }(), 1 << 20, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeResponse(tt.stream, tt.max)
			if tt.wantErr == "" {
				if err != nil || !reflect.DeepEqual(got, want) {
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
	br := bufio.NewReader(bytes.NewReader(append(bytes.Clone(good), good...)))
	for i := range 3 {
		got, err := rawCodec{}.readResponse(br, 1<<20, testID)
		if (i < 2) != (err == nil) || (i == 2 && !errors.Is(err, io.EOF)) || (i < 2 && !reflect.DeepEqual(got, want)) {
			t.Errorf("frame %d: %v", i, err)
		}
	}
}

// Blocks the protocol cannot carry (not within the text, or of a kind it does not know) are
// dropped for the page, which then reads as flowing text; the text itself is kept.
func TestResponseDropsBadBlocks(t *testing.T) {
	for _, bl := range []extract.Block{{Start: 0, End: 99}, {Start: -1, End: 2}, {Start: 2, End: 1}, {Start: 0, End: 2, Kind: "sidebar"}} {
		docs := []extract.Document{{Name: "a", Status: extract.Scanned, Pages: []extract.Page{{Number: 1, Text: "abc", Blocks: []extract.Block{{Start: 0, End: 1}, bl}}}}}
		got, err := decodeResponse(encodeResponse(t, docs), 1<<20)
		if err != nil || got[0].Pages[0].Text != "abc" || got[0].Pages[0].Blocks != nil {
			t.Errorf("%+v: got %+v, %v", bl, got, err)
		}
	}
}

// Blocks (the layout of a page) survive the frame and the output cap.
func TestFrameKeepsBlocks(t *testing.T) {
	docs, err := decodeResponse(encodeResponse(t, sampleDocs()), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	page := docs[1].Pages[0]
	if why := page.CheckBlocks(); why != "" || len(page.Blocks) != 2 {
		t.Fatalf("round trip: %s %+v", why, page)
	}
	docs = capOutput(docs[1:2], len("Hanne Berg\nSøndergade"))
	cut := docs[0].Pages[0]
	if len(cut.Blocks) != 1 || cut.Text[cut.Blocks[0].Start:cut.Blocks[0].End] != "Hanne Berg\nSøndergade" || cut.CheckBlocks() != "" {
		t.Errorf("capped: %q %+v", cut.Text, cut.Blocks)
	}
}

// fullLimits has every field of extract.Limits set to a distinct value (by reflection, so a
// field added to Limits and forgotten in limitWords fails the round trip).
func fullLimits(t *testing.T) extract.Limits {
	var l extract.Limits
	v := reflect.ValueOf(&l).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(1000 + i))
		default:
			t.Fatalf("Limits.%s has kind %s: teach limitWords about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	return l
}

func TestRequestFrames(t *testing.T) {
	lim := fullLimits(t)
	big := bytes.Repeat([]byte("%PDF-1.7 Østergård "), smallRequest/10)
	reqs := []Request{
		{Name: "Afgørelse.pdf", ContentType: "application/pdf", Data: big, Limits: lim, MaxOutputBytes: 64 << 20, ID: 1},
		{Name: "image001.png", ContentType: "image/png", Data: []byte("\x89PNG"), Inline: true, ID: 2},
		{Name: "tom.txt", ID: 1<<32 - 1},
		{Name: "Videresendt.msg", ContentType: "application/vnd.ms-outlook", Message: testMessage(), ID: 4},
	}
	var stream bytes.Buffer
	var scratch []byte
	for i := range reqs {
		if err := (rawCodec{}).writeRequest(&stream, &scratch, &reqs[i]); err != nil {
			t.Fatal(err)
		}
	}
	br := bufio.NewReader(bytes.NewReader(stream.Bytes()))
	var buf []byte
	for i, want := range reqs {
		var got Request
		if err := (rawCodec{}).readRequest(br, MaxRequestFrame, &buf, &got); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if len(want.Data) == 0 && want.Message == nil {
			want.Data = []byte{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("request %d: got %+v", i, got)
		}
		if i > 0 && cap(buf) != len(big)+requestFixed+len(reqs[0].Name)+len(reqs[0].ContentType) {
			t.Errorf("request %d: buffer not reused (cap %d)", i, cap(buf))
		}
	}
	if err := (rawCodec{}).readRequest(br, MaxRequestFrame, &buf, new(Request)); !errors.Is(err, io.EOF) {
		t.Errorf("after the last request: %v", err)
	}

	frame := func(body []byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
	}
	header := func(nameLen, ctLen uint32) []byte {
		b := []byte{'Q', 0, 0, 0, 1, 0, 0, 0}
		b = le.AppendUint32(b, nameLen)
		b = le.AppendUint32(b, ctLen)
		return append(b, make([]byte, 12*8)...)
	}
	bad := []struct {
		name    string
		stream  []byte
		wantErr string
	}{
		{"shorter than its header", frame([]byte("Q")), "malformed"},
		{"wrong tag", frame(append([]byte{'D'}, header(0, 0)[1:]...)), "malformed"},
		{"name beyond the frame", frame(header(5, 0)), "malformed"},
		{"names beyond the frame", frame(append(header(1<<31, 1<<31), "ab"...)), "malformed"},
		{"above the maximum", binary.BigEndian.AppendUint32(nil, MaxRequestFrame+1), "larger than"},
		{"cut short", frame(header(0, 0))[:50], "unexpected EOF"},
		{"message flag without a message", frame(append(withFlags(header(0, 0), 2), 0)), "malformed"},
		{"message with trailing bytes", frame(append(withFlags(header(0, 0), 2), appendMessage(nil, testMessage())[0:1]...)), "malformed"},
		{"message list longer than the frame", frame(append(append(withFlags(header(0, 0), 2), 0, 0, 0, 0, 0), 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f)), "malformed"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var buf []byte
			err := rawCodec{}.readRequest(bufio.NewReader(bytes.NewReader(tt.stream)), MaxRequestFrame, &buf, new(Request))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// testMessage is an attached email with all that the protocol carries: envelope, headers,
// bodies, an unread attachment, an inline picture, and a message attached to it.
func testMessage() *message.Message {
	inner := &message.Message{Subject: "Indre", Bodies: []message.Body{{ContentType: "text/plain", Content: "indre tekst"}},
		Attachments: []message.Attachment{{Name: "bilag.txt", ContentType: "text/plain", Data: []byte("CPR-nr. 010190-1234")}}}
	return &message.Message{
		From: message.Address{Name: "Søren Ærbø", Address: "soren@example.dk"}, To: []message.Address{{Address: "a@example.dk"}},
		Cc: []message.Address{{Name: "B", Address: "b@example.dk"}}, Subject: "Videresendt: sag", Signed: true, Incomplete: "a part could not be separated",
		Header: textproto.MIMEHeader{"X-A": {"1", "2"}, "Subject": {"=?utf-8?q?sag?="}},
		Bodies: []message.Body{{ContentType: "text/html", Content: "<p>Hej</p>"}, {ContentType: "text/plain", Content: "Hej"}},
		Attachments: []message.Attachment{
			{Name: "sky.docx", ContentType: "application/octet-stream", Unread: &message.Unread{Status: "unsupported", Detail: "cloud link"}},
			{Name: "image001.png", ContentType: "image/png", ContentID: "img1", Inline: true, Data: []byte("\x89PNG")},
			{Name: "Indre.msg", ContentType: "application/vnd.ms-outlook", Message: inner},
			{Name: "hash.pdf", SHA256: strings.Repeat("a", 64)},
		},
	}
}

func withFlags(header []byte, flags byte) []byte {
	header[1] = flags
	return header
}

// TestServeReadsMessage: an attached email goes to the worker parsed and is read there as it is,
// attached files and messages included.
func TestServeReadsMessage(t *testing.T) {
	docs := serveOne(t, ServeOptions{}, &Request{Name: "Videresendt.msg", ContentType: "application/vnd.ms-outlook", Message: testMessage(), ID: 5})
	var names []string
	var text strings.Builder
	for _, d := range docs {
		names = append(names, d.Name+" "+string(d.Status))
		for _, p := range d.Pages {
			text.WriteString(p.Text)
		}
	}
	for _, want := range []string{"Videresendt.msg scanned", "Videresendt.msg/sky.docx unsupported", "Videresendt.msg/Indre.msg scanned", "Videresendt.msg/Indre.msg/bilag.txt scanned"} {
		if !slices.Contains(names, want) {
			t.Errorf("documents %q lack %q", names, want)
		}
	}
	for _, want := range []string{"Videresendt: sag", "Hej", "indre tekst", "010190-1234"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// serveOne has Serve answer one request, both ends in this process, and returns the documents.
func serveOne(t *testing.T, opt ServeOptions, req *Request) []extract.Document {
	t.Helper()
	in := bytes.NewBuffer(appendHello(nil))
	var scratch []byte
	if err := (rawCodec{}).writeRequest(in, &scratch, req); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Serve(context.Background(), in, &out, opt); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(&out)
	if err := readHello(br); err != nil {
		t.Fatal(err)
	}
	if b, err := br.ReadByte(); err != nil || b != ackByte {
		t.Fatalf("ack %q %v", b, err)
	}
	docs, err := rawCodec{}.readResponse(br, 1<<20, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	return docs
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
		docs := serveOne(t, ServeOptions{NewExtractor: func(extract.Limits) Extractor { return inlineRecorder{} }},
			&Request{Name: "image001.png", Data: []byte("x"), Inline: inline, ID: 3})
		if want := fmt.Sprintf("inline=%v", inline); len(docs) != 1 || docs[0].Detail != want {
			t.Errorf("got %+v, want %q", docs, want)
		}
	}
}

// A worker refuses a parent of another protocol version (and says its own version first); a
// parent that goes away before its hello ends the worker quietly.
func TestServeHandshake(t *testing.T) {
	other := binary.BigEndian.AppendUint32([]byte(helloMagic), protocolVersion+1)
	gobFrame := []byte("\x00\x00\x01\x20\x0f\xff\x81\x03\x01\x01")
	tests := []struct {
		name    string
		in      []byte
		wantErr string
	}{
		{"no parent", nil, ""},
		{"other version", other, fmt.Sprintf("version %d, want %d", protocolVersion+1, protocolVersion)},
		{"a gob-era parent", gobFrame, "no hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Serve(context.Background(), bytes.NewReader(tt.in), &out, ServeOptions{})
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			if !bytes.Equal(out.Bytes(), appendHello(nil)) {
				t.Errorf("worker wrote %q, want only its hello", out.Bytes())
			}
		})
	}
}

// A worker binary of another protocol version is detected and reported, never misread.
func TestMismatchedWorker(t *testing.T) {
	tests := []struct {
		mode, detail string
	}{
		{"v1", "parser unavailable (worker exited before the protocol handshake: exit status 1)"},
		{"v99", "parser unavailable (worker protocol mismatch (version 99, want %d); worker killed)"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			cfg := testConfig(1)
			cfg.Env = append(cfg.Env, envTestWorkerMode+"="+tt.mode)
			cfg.Limits.Timeout = 10 * time.Second
			p := newTestPool(t, cfg)
			docs := p.Extract(context.Background(), "brev.txt", "text/plain", []byte(letter))
			want := strings.Replace(tt.detail, "%d", fmt.Sprint(protocolVersion), 1)
			if len(docs) != 1 || docs[0].Status != extract.Unscannable || docs[0].Detail != want {
				t.Errorf("got %+v, want %q", docs, want)
			}
		})
	}
}

// withLength puts a frame's length before body (the fuzzers vary bodies: a random length
// would almost always stop the decoder at the first check).
func withLength(body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// A worker announcing a response over the bound costs its document (Unscannable) at once: the
// parent reads no further and allocates nothing for it, and the next document gets a fresh
// worker.
func TestOversizedResponse(t *testing.T) {
	p := newTestPool(t, testConfig(1))
	start := time.Now()
	docs := p.Extract(context.Background(), "__oversized__", "text/plain", []byte(letter))
	if len(docs) != 1 || docs[0].Status != extract.Unscannable || docs[0].Detail != "parser crashed (worker died: oversized response; worker killed)" {
		t.Errorf("got %+v", docs)
	}
	if el := time.Since(start); el > slack {
		t.Errorf("took %v", el)
	}
	if next := p.Extract(context.Background(), "brev.txt", "text/plain", []byte(letter)); next[0].Status != extract.Scanned || p.Started() != 2 {
		t.Errorf("next document: %+v (%d workers started)", next, p.Started())
	}
}

// A response whose block records would not fit the frame bound goes without blocks; one whose
// text alone does not fit is refused by the worker itself.
func TestResponseWithinBound(t *testing.T) {
	text := strings.Repeat("ab\n\n", 100)
	var blocks []extract.Block
	for i := 0; i < len(text); i += 4 {
		blocks = append(blocks, extract.Block{Start: i, End: i + 2})
	}
	docs := []extract.Document{{Name: "a.pdf", Status: extract.Scanned, Pages: []extract.Page{{Number: 1, Text: text, Blocks: blocks}}}}
	full, bare := responseSize(docs, true), responseSize(docs, false)
	tests := []struct {
		max        int
		wantBlocks int
		wantErr    bool
	}{{full, len(blocks), false}, {full - 1, 0, false}, {bare, 0, false}, {bare - 1, 0, true}}
	for _, tt := range tests {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		err := rawCodec{}.writeResponse(bw, testID, docs, uint32(tt.max))
		bw.Flush()
		if tt.wantErr {
			if err == nil || out.Len() != 0 {
				t.Errorf("max %d: wrote %d bytes, err %v", tt.max, out.Len(), err)
			}
			continue
		}
		got, err := decodeResponse(out.Bytes(), uint32(tt.max))
		if err != nil {
			t.Errorf("max %d: %v", tt.max, err)
		} else if p := got[0].Pages[0]; p.Text != text || len(p.Blocks) != tt.wantBlocks {
			t.Errorf("max %d: %d blocks, want %d", tt.max, len(p.Blocks), tt.wantBlocks)
		}
	}
}

func FuzzResponseFrame(f *testing.F) {
	f.Add(encodeResponse(f, sampleDocs())[frameHeader:])
	f.Add(encodeResponse(f, nil)[frameHeader:])
	f.Add([]byte("this is no gob!!"))
	f.Add([]byte("D\x00\x00\x00\x2a\x00\x00\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, body []byte) {
		stream := withLength(body)
		docs, err := decodeResponse(stream, 1<<20)
		if err != nil {
			return
		}
		// What decodes is a valid response: it encodes back to the same frame.
		if again := encodeResponse(t, docs); !bytes.Equal(again, stream) {
			t.Errorf("re-encoded frame differs")
		}
	})
}

func FuzzRequestFrame(f *testing.F) {
	var stream bytes.Buffer
	var scratch []byte
	rawCodec{}.writeRequest(&stream, &scratch, &Request{Name: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7"), Inline: true, MaxOutputBytes: 1 << 20})
	f.Add(stream.Bytes()[frameHeader:])
	stream.Reset()
	rawCodec{}.writeRequest(&stream, &scratch, &Request{Name: "x.msg", Message: testMessage()})
	f.Add(stream.Bytes()[frameHeader:])
	f.Add([]byte("Q"))
	// A region as a worker sees it (any memory will do for the codec): a frame may point into
	// it. It holds a message's encoding, so that frames saying "a message in the region" have
	// something plausible to read.
	region := appendMessage(make([]byte, 0, 1<<16), testMessage())
	region = region[:cap(region)]
	stream.Reset()
	rawCodec{shared: make([]byte, 1<<16)}.writeRequest(&stream, &scratch, &Request{Name: "a.pdf", Data: bytes.Repeat([]byte("%PDF"), smallRequest)})
	f.Add(stream.Bytes()[frameHeader:])
	f.Fuzz(func(t *testing.T, body []byte) {
		stream := withLength(body)
		var buf []byte
		var req Request
		if err := (rawCodec{shared: region}).readRequest(bufio.NewReader(bytes.NewReader(stream)), 1<<20, &buf, &req); err != nil {
			return
		}
		// What was read is written again and read back the same (a message's header keys may
		// have come twice or in another order: the second reading is compared, not the bytes),
		// through another region when it is large.
		again, other := &bytes.Buffer{}, rawCodec{shared: make([]byte, 1<<16)}
		if err := other.writeRequest(again, &scratch, &req); err != nil {
			t.Fatal(err)
		}
		var buf2 []byte
		var req2 Request
		if err := other.readRequest(bufio.NewReader(again), 1<<20, &buf2, &req2); err != nil {
			t.Fatalf("re-encoded request does not read: %v", err)
		}
		if !reflect.DeepEqual(req, req2) {
			t.Errorf("re-encoded request differs")
		}
	})
}
