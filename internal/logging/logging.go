// Package logging builds the service's structured JSON logger (log/slog). Callers never log
// content, names or tokens; as a second line of defence every string attribute is scrubbed of
// CPR-shaped numbers and bearer tokens before it is written.
package logging

import (
	"io"
	"log/slog"
	"strings"
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
		if s[i] >= '0' && s[i] <= '9' {
			digits++
			if digits >= 10 {
				return true
			}
		}
	}
	return strings.Contains(s, "eyJ")
}

// Scrub masks CPR-shaped numbers (ddmmyy-nnnn, ddmmyynnnn, ddmmyy nnnn: the last four digits
// become xxxx) and JWTs (three base64url segments starting "eyJ") in s.
func Scrub(s string) string {
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
		if isDigit(s[i]) && (i == 0 || !isDigit(s[i-1])) {
			if end, ok := cprShape(s, i); ok {
				b.WriteString(s[i : i+6])
				b.WriteString("-xxxx")
				i = end
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// cprShape reports whether a CPR-shaped number starts at i (6 digits, an optional '-' or ' ',
// 4 digits, not followed by a digit) and where it ends.
func cprShape(s string, i int) (int, bool) {
	j := i
	for ; j < len(s) && j-i < 6; j++ {
		if !isDigit(s[j]) {
			return 0, false
		}
	}
	if j-i != 6 {
		return 0, false
	}
	if j < len(s) && (s[j] == '-' || s[j] == ' ') {
		j++
	}
	k := j
	for ; k < len(s) && k-j < 4; k++ {
		if !isDigit(s[k]) {
			return 0, false
		}
	}
	if k-j != 4 || (k < len(s) && isDigit(s[k])) {
		return 0, false
	}
	return k, true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isB64(b byte) bool {
	return isDigit(b) || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '_'
}
