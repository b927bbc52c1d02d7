package message

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestZZTmpTNEF(t *testing.T) {
	files, _ := filepath.Glob("/tmp/mail14tnef/*.tnef")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		start := time.Now()
		m, err := ParseTNEF(data)
		el := time.Since(start)
		if m == nil {
			t.Logf("%s: nil, %v", filepath.Base(f), err)
			continue
		}
		var names []string
		for _, a := range m.Attachments {
			s := a.Name
			if a.Message != nil {
				s += "[msg " + a.Message.Subject + "]"
				for _, b := range a.Message.Attachments {
					s += " <" + b.Name + ">"
				}
			}
			if a.Unread != nil {
				s += "[" + a.Unread.Status + "]"
			}
			names = append(names, s)
		}
		var bt []string
		for _, b := range m.Bodies {
			bt = append(bt, b.ContentType)
		}
		t.Logf("%s: %v subj=%q bodies=%v atts=%q err=%v", filepath.Base(f), el.Round(time.Microsecond), m.Subject, bt, names, err)
	}
}
