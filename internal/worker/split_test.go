package worker

import (
	"context"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/message"
)

// recorder answers with where a document went.
type recorder string

func (r recorder) ExtractInput(_ context.Context, in extract.Input) []extract.Document {
	return []extract.Document{{Name: in.Name, Detail: string(r)}}
}

func TestSplitReadsOnlyPlainTextLocally(t *testing.T) {
	s := Split{Local: recorder("local"), Isolated: recorder("worker")}
	cases := []struct {
		name string
		in   extract.Input
		want string
	}{
		{"text file", extract.Input{Name: "brev.txt", ContentType: "text/plain", Data: []byte("Kære Søren\n")}, "local"},
		{"csv", extract.Input{Name: "liste.csv", ContentType: "text/csv", Data: []byte("navn;cpr\n")}, "local"},
		{"text body without a name", extract.Input{Name: "(brødtekst)", ContentType: "text/plain", Data: []byte("Hej")}, "local"},
		{"a PDF named .txt", extract.Input{Name: "brev.txt", ContentType: "text/plain", Data: []byte("%PDF-1.7\n")}, "worker"},
		{"a zip named .csv", extract.Input{Name: "liste.csv", Data: []byte("PK\x03\x04rest")}, "worker"},
		{"HTML body", extract.Input{Name: "(brødtekst)", ContentType: "text/html", Data: []byte("<p>Hej</p>")}, "worker"},
		{"PDF", extract.Input{Name: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7\n")}, "worker"},
		{"Word", extract.Input{Name: "a.docx", Data: []byte("PK\x03\x04")}, "worker"},
		{"RTF named .txt", extract.Input{Name: "a.txt", Data: []byte(`{\rtf1 hej}`)}, "worker"},
		{"parsed mail", extract.Input{Name: "fw.msg", ContentType: "application/vnd.ms-outlook", Message: &message.Message{}}, "worker"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.ExtractInput(context.Background(), tc.in)[0].Detail; got != tc.want {
				t.Errorf("read by %s, want %s", got, tc.want)
			}
		})
	}
}
