package logging

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nothing here", "nothing here"},
		{"cpr 010190-1234 x", "cpr 010190-xxxx x"},
		{"0101901234", "010190-xxxx"},
		{"010190 1234.", "010190-xxxx."},
		{"phone 12345678901", "phone 12345678901"}, // 11 digits: not CPR-shaped
		{"order 20240101-12345", "order 20240101-12345"},
		{"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end", "Bearer [token] end"},
		{"eyJust a word", "eyJust a word"},
	}
	for _, tt := range tests {
		if got := Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoggerScrubs(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, slog.LevelInfo)
	l.Info("failed 0101901234", slog.String("detail", "file 010190-1234.pdf"), slog.Group("g", slog.String("tok", "eyJa.eyJb.c")))
	l.Debug("hidden 0101901234")
	out := buf.String()
	if strings.Contains(out, "1234") || strings.Contains(out, "eyJa") || strings.Contains(out, "hidden") {
		t.Errorf("log not scrubbed or level ignored: %s", out)
	}
	if ParseLevel("debug") != slog.LevelDebug || ParseLevel("bogus") != slog.LevelInfo {
		t.Error("ParseLevel")
	}
}
