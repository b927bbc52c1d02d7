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

// Issue 13: the logger masks the same CPR shapes as the audit (one definition, internal/cprshape).
func TestScrubSharesTheAuditsDefinition(t *testing.T) {
	for _, in := range []string{"010190--1234", "01-01-90-1234", "01.01.90-1234", "010190  1234",
		"\uff10\uff11\uff10\uff11\uff19\uff10\uff11\uff12\uff13\uff14", "x@010190-1234.dk"} {
		var b strings.Builder
		New(&b, slog.LevelDebug).Info("m", "v", in)
		if strings.Contains(b.String(), "1234") || strings.Contains(b.String(), "\uff11\uff12") || !strings.Contains(b.String(), "010190-xxxx") {
			t.Errorf("%q logged as %s", in, b.String())
		}
	}
}
