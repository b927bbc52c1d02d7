package message

import (
	"os"
	"path/filepath"
	"testing"
)

func TestZZTmpCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(os.Getenv("MAILDIR"), "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		m, err := ParseAny(data)
		n := 0
		if m != nil {
			n = len(m.Attachments)
		}
		if err != nil {
			t.Logf("%s: atts %d err %v", filepath.Base(f), n, err)
		}
	}
	t.Logf("%d files", len(files))
}
