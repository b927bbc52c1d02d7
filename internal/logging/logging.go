// Package logging builds the service's structured JSON logger (log/slog). Callers never log
// content, names or tokens; as a second line of defence every string attribute is scrubbed of
// CPR-shaped numbers and bearer tokens before it is written.
package logging

import (
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/cprshape"
)

// New returns a JSON logger at level writing to w.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindString {
				if s := a.Value.String(); needsScrub(s) {
					a.Value = slog.StringValue(Scrub(s))
				}
			}
			return a
		},
	}))
}

// ParseLevel reads "debug", "info", "warn" or "error" (default info).
func ParseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return slog.LevelInfo
	}
	return l
}

func needsScrub(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return true // full-width and other Unicode digits
		case c >= '0' && c <= '9':
			if digits++; digits >= 10 {
				return true
			}
		}
	}
	return strings.Contains(s, "eyJ")
}

// Scrub masks CPR shapes (internal/cprshape, the definition the audit uses: "010190-1234",
// "01.01.90-1234", full-width digits ... become "010190-xxxx") and JWTs (three base64url
// segments starting "eyJ") in s.
func Scrub(s string) string {
	if strings.Contains(s, "eyJ") {
		var b strings.Builder
		b.Grow(len(s))
		for i := 0; i < len(s); {
			if strings.HasPrefix(s[i:], "eyJ") && (i == 0 || !isB64(s[i-1])) {
				j := i
				dots := 0
				for j < len(s) && (isB64(s[j]) || s[j] == '.') {
					if s[j] == '.' {
						dots++
					}
					j++
				}
				if dots >= 2 {
					b.WriteString("[token]")
					i = j
					continue
				}
			}
			b.WriteByte(s[i])
			i++
		}
		s = b.String()
	}
	return cprshape.Mask(s)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isB64(b byte) bool {
	return isDigit(b) || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '_'
}
