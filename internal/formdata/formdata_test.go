package formdata

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
)

// written builds a body with mime/multipart's writer: the shape browsers and fetch send.
func written(t testing.TB, parts []Part) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := `form-data; name="` + p.Name + `"`
		if p.FileName != "" {
			cd += `; filename="` + p.FileName + `"`
		}
		h.Set("Content-Disposition", cd)
		if p.ContentType != "" {
			h.Set("Content-Type", p.ContentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.Data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.Boundary()
}

func TestParse(t *testing.T) {
	binary := bytes.Repeat([]byte{0, '\r', '\n', '-', '-', 0xff}, 1000) // CRLF and dashes inside content
	cases := []struct {
		name  string
		parts []Part
	}{
		{"request and two files", []Part{
			{Name: "request", ContentType: "application/json", Data: []byte(`{"subject":"x"}`)},
			{Name: "a0", FileName: "Afgørelse.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7\r\n...")},
			{Name: "a1", FileName: "data.bin", ContentType: "application/octet-stream", Data: binary},
		}},
		{"empty part", []Part{{Name: "request", Data: []byte("{}")}, {Name: "a0", FileName: "tom.txt", Data: []byte{}}}},
		{"one part", []Part{{Name: "request", Data: []byte("{}")}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, boundary := written(t, tc.parts)
			got, err := Parse(body, boundary)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.parts) {
				t.Fatalf("%d parts, want %d", len(got), len(tc.parts))
			}
			for i, want := range tc.parts {
				g := got[i]
				if g.Name != want.Name || g.FileName != want.FileName || g.ContentType != want.ContentType || !bytes.Equal(g.Data, want.Data) {
					t.Errorf("part %d = %q %q %q (%d bytes), want %q %q %q (%d bytes)", i, g.Name, g.FileName, g.ContentType, len(g.Data),
						want.Name, want.FileName, want.ContentType, len(want.Data))
				}
				if len(g.Data) > 0 && &g.Data[0] != &body[bytes.Index(body, want.Data)] {
					t.Errorf("part %d was copied, not sliced from the body", i)
				}
			}
		})
	}
}

func TestParseSliceCannotGrowIntoBody(t *testing.T) {
	body, boundary := written(t, []Part{{Name: "a", Data: []byte("abc")}, {Name: "b", Data: []byte("def")}})
	parts, err := Parse(body, boundary)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(parts[0].Data, 'X')
	if !bytes.Contains(body, []byte("abc\r\n--")) {
		t.Fatal("appending to a part wrote into the body")
	}
}

func TestParseRefuses(t *testing.T) {
	ok, b := written(t, []Part{{Name: "request", Data: []byte("{}")}})
	many := &strings.Builder{}
	for range MaxParts + 1 {
		many.WriteString("--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n")
	}
	many.WriteString("--B--\r\n")
	cases := []struct {
		name, body, boundary string
	}{
		{"no boundary parameter", string(ok), ""},
		{"boundary too long", string(ok), strings.Repeat("b", 71)},
		{"boundary never occurs", string(ok), "other"},
		{"not closed", strings.TrimSuffix(string(ok), "--"+b+"--\r\n"), b},
		{"garbage after boundary", "--B garbage\r\n\r\nx\r\n--B--", "B"},
		{"unterminated header", "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n" + strings.Repeat("X-A: b\r\n", 2000), "B"},
		{"other disposition", "--B\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nv\r\n--B--", "B"},
		{"too many parts", many.String(), "B"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.body), tc.boundary); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestParsePreambleEpilogueAndPadding(t *testing.T) {
	body := "preamble text\r\n--B  \r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--B--\r\nepilogue"
	parts, err := Parse([]byte(body), "B")
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 1 || parts[0].Name != "x" || string(parts[0].Data) != "value" {
		t.Fatalf("parts = %+v", parts)
	}
}

func TestIs(t *testing.T) {
	for ct, want := range map[string]string{
		"multipart/form-data; boundary=abc":   "abc",
		`Multipart/Form-Data; boundary="a b"`: "a b",
		"application/json":                    "",
	} {
		b, ok := Is(ct)
		if b != want || ok != (want != "") {
			t.Errorf("Is(%q) = %q, %v", ct, b, ok)
		}
	}
}

// FuzzParse: never a panic; on what mime/multipart writes, the same parts as mime/multipart reads.
func FuzzParse(f *testing.F) {
	body, b := written(f, []Part{{Name: "request", Data: []byte("{}")}, {Name: "a0", FileName: "x.pdf", Data: []byte("%PDF")}})
	f.Add(body, b)
	f.Add([]byte("--B\r\n\r\nx\r\n--B--"), "B")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		parts, err := Parse(body, boundary)
		if err != nil {
			return
		}
		r := multipart.NewReader(bytes.NewReader(body), boundary)
		for i := 0; ; i++ {
			p, err := r.NextRawPart()
			if err != nil {
				return // mime/multipart is stricter about some shapes; only agreement on what both read is checked
			}
			data, err := io.ReadAll(p)
			if err != nil || i >= len(parts) {
				return
			}
			if !bytes.Equal(data, parts[i].Data) {
				t.Fatalf("part %d: %d bytes, mime/multipart %d", i, len(parts[i].Data), len(data))
			}
		}
	})
}

// BenchmarkParse splits a body of three attachments of binary data (as compressed PDFs and
// photos are: every byte value equally likely), 5 MB in all.
func BenchmarkParse(b *testing.B) {
	var parts []Part
	state := uint64(1)
	for i, n := range []int{1_600_000, 1_700_000, 1_750_000} {
		data := make([]byte, n)
		for j := range data {
			state = state*6364136223846793005 + 1442695040888963407
			data[j] = byte(state >> 56)
		}
		parts = append(parts, Part{Name: "a" + string(rune('0'+i)), FileName: "bilag.pdf", ContentType: "application/pdf", Data: data})
	}
	body, boundary := written(b, parts)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if got, err := Parse(body, boundary); err != nil || len(got) != 3 {
			b.Fatal(err)
		}
	}
}
