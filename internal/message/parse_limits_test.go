package message

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestParseLimits(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		_, err := parse([]byte(head+"\n0123456789"), limits{maxBytes: 10, maxDepth: MaxDepth, maxParts: MaxParts, maxFields: 100})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
		m, err := ParseReader(strings.NewReader(head+"\nbody"), 20)
		if !errors.Is(err, ErrTooLarge) || m != nil {
			t.Errorf("ParseReader: %v, %v; want nil, ErrTooLarge", m, err)
		}
		raw := head + "\nbody"
		for _, max := range []int64{int64(len(raw)), 0, -1, math.MaxInt64} {
			if _, err := ParseReader(strings.NewReader(raw), max); err != nil {
				t.Errorf("ParseReader(%d bytes, max %d): %v", len(raw), max, err)
			}
		}
	})
	t.Run("deepest allowed nesting", func(t *testing.T) {
		m := mustParse(t, head+nest(MaxDepth, "Content-Type: text/plain\n\nbund"))
		wantBodies(t, m, "text/plain: bund")
	})
	t.Run("too deep", func(t *testing.T) {
		raw := head + "Content-Type: multipart/mixed; boundary=top\n\n--top\n" +
			"Content-Type: application/pdf; name=foer.pdf\n\n" + pdfBytes + "\n--top\n" +
			nest(MaxDepth, "Content-Type: text/plain\n\nbund") + "\n--top--\n"
		m, err := Parse([]byte(raw))
		if !errors.Is(err, ErrTooComplex) || m == nil {
			t.Fatalf("err = %v, want ErrTooComplex with a message", err)
		}
		wantAttachments(t, m, "foer.pdf application/pdf")
	})
	t.Run("too many parts", func(t *testing.T) {
		var sb strings.Builder
		sb.WriteString(head + "Content-Type: multipart/mixed; boundary=p\n\n")
		for i := range MaxParts {
			fmt.Fprintf(&sb, "--p\nContent-Type: text/plain\n\n%d\n", i)
		}
		sb.WriteString("--p--\n")
		m, err := Parse([]byte(sb.String()))
		if !errors.Is(err, ErrTooComplex) || m == nil {
			t.Fatalf("err = %v, want ErrTooComplex with a message", err)
		}
		if len(m.Bodies) != MaxParts-1 {
			t.Errorf("%d bodies, want the %d parts within the limit", len(m.Bodies), MaxParts-1)
		}
	})
	t.Run("too many header fields", func(t *testing.T) {
		raw := head + strings.Repeat("X-A: b\n", 20) + "\nbody"
		m, err := parse([]byte(raw), limits{maxBytes: DefaultMaxBytes, maxDepth: MaxDepth, maxParts: MaxParts, maxFields: 10})
		if !errors.Is(err, ErrTooComplex) || m == nil || m.From.Address == "" {
			t.Errorf("m = %+v, err = %v; want the header read so far and ErrTooComplex", m, err)
		}
	})
}

func TestParseErrors(t *testing.T) {
	secret := "Søren Ærbø Østergård 010190-0000"
	for _, raw := range []string{"", "\n\n", secret, "\n" + secret} {
		m, err := Parse([]byte(raw))
		if !errors.Is(err, ErrMalformed) || m != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, ErrMalformed", raw, m, err)
		}
		if err != nil && (strings.Contains(err.Error(), "Søren") || strings.Contains(err.Error(), "010190")) {
			t.Errorf("error %q quotes the content", err)
		}
	}
	raw := "Subject: " + secret + "\n" + nest(MaxDepth+1, "Content-Type: text/plain\n\n"+secret)
	_, err := Parse([]byte(raw))
	if err == nil || strings.Contains(err.Error(), "Søren") || strings.Contains(err.Error(), "010190") {
		t.Errorf("error %v quotes the content", err)
	}
	if _, err := ParseReader(failingReader{}, 0); err == nil || !errors.Is(err, errBrokenPipe) {
		t.Errorf("ParseReader read error = %v, want it wrapped", err)
	}
}

var errBrokenPipe = errors.New("broken pipe")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errBrokenPipe }

func TestParseAttachmentDataIsCapped(t *testing.T) {
	// 7bit data shares the input's memory; appending to one attachment must not overwrite
	// the next (filling whatever capacity it has).
	raw := head + "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: application/pdf; name=a.pdf\n\n" + pdfBytes +
		"\n--a\nContent-Type: application/pdf; name=b.pdf\n\n" + pdfBytes + "\n--a--\n"
	m := mustParse(t, raw)
	a := attachment(t, m, "a.pdf")
	_ = append(a.Data, strings.Repeat("x", cap(a.Data)-len(a.Data))...)
	if got := string(attachment(t, m, "b.pdf").Data); got != pdfBytes {
		t.Errorf("b.pdf = %q after appending to a.pdf", got)
	}
}
