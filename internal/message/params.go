package message

import (
	"sort"
	"strconv"
	"strings"
)

// parseMediaType splits a Content-Type or Content-Disposition value into its lower-case value
// and parameters. Unlike mime.ParseMediaType it never gives up: duplicate parameters keep the
// first, unquoted values may contain spaces and 8-bit bytes, a missing ";" before the first
// parameter is tolerated, and RFC 2231 values are decoded in any charset.
// Parameter names are lower case; values are raw bytes except RFC 2231 ones (UTF-8).
func parseMediaType(v string) (string, map[string]string) {
	base, rest, _ := strings.Cut(v, ";")
	base = strings.TrimSpace(base)
	if i := strings.IndexAny(base, " \t"); i >= 0 {
		rest = base[i:] + ";" + rest // "text/plain charset=utf-8"
		base = base[:i]
	}
	base = strings.ToLower(strings.Trim(base, `"'`))
	return base, parseParams(rest)
}

// parseParams reads "; key=value; key="quoted value"" pairs.
func parseParams(s string) map[string]string {
	raw := make(map[string]string)
	for {
		s = strings.TrimLeft(s, " \t\r\n;")
		if s == "" {
			break
		}
		i := strings.IndexAny(s, "=;")
		if i < 0 {
			break // a trailing bare word
		}
		if s[i] == ';' {
			s = s[i+1:] // a bare word without value
			continue
		}
		key := strings.ToLower(strings.TrimSpace(s[:i]))
		s = strings.TrimLeft(s[i+1:], " \t")
		var value string
		if strings.HasPrefix(s, `"`) {
			value, s = readQuoted(s[1:])
		} else {
			j := strings.IndexByte(s, ';')
			if j < 0 {
				j = len(s)
			}
			value, s = strings.TrimSpace(s[:j]), s[j:]
		}
		if _, dup := raw[key]; key != "" && !dup {
			raw[key] = value
		}
	}
	return combineRFC2231(raw)
}

// readQuoted reads a quoted string whose opening quote is already consumed; it returns the
// unescaped content and the rest after the closing quote (or nothing when unterminated).
func readQuoted(s string) (string, string) {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return sb.String(), s[i+1:]
		case '\\':
			if i+1 < len(s) {
				i++
				sb.WriteByte(s[i])
			}
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), ""
}

// rfc2231Segment is one piece of a continued parameter: name*0, name*1*, ...
type rfc2231Segment struct {
	value   string
	encoded bool
}

// combineRFC2231 resolves RFC 2231 extended (name*=) and continued (name*0=, name*1*=)
// parameters into plain ones. An extended value wins over a continued one, which wins over
// the plain parameter of the same name.
func combineRFC2231(raw map[string]string) map[string]string {
	out := make(map[string]string, len(raw))
	extended := make(map[string]string)
	continued := make(map[string]map[int]rfc2231Segment)
	for key, value := range raw {
		name, rest, star := strings.Cut(key, "*")
		switch {
		case !star:
			out[key] = value
		case rest == "":
			extended[name] = decodeRFC2231Value(value)
		default:
			encoded := strings.HasSuffix(rest, "*")
			index, err := strconv.Atoi(strings.TrimSuffix(rest, "*"))
			if err != nil || index < 0 || index > 999 {
				continue
			}
			if continued[name] == nil {
				continued[name] = make(map[int]rfc2231Segment)
			}
			continued[name][index] = rfc2231Segment{value: value, encoded: encoded}
		}
	}
	for name, segments := range continued {
		out[name] = joinRFC2231Segments(segments)
	}
	for name, value := range extended {
		out[name] = value
	}
	return out
}

// joinRFC2231Segments joins segments 0, 1, ... up to the first gap. The charset, if any, is
// taken from segment 0.
func joinRFC2231Segments(segments map[int]rfc2231Segment) string {
	indexes := make([]int, 0, len(segments))
	for i := range segments {
		indexes = append(indexes, i)
	}
	sort.Ints(indexes)
	var buf []byte
	charset, anyEncoded := "", false
	for want, i := range indexes {
		if i != want {
			break
		}
		seg := segments[i]
		if !seg.encoded {
			buf = append(buf, seg.value...)
			continue
		}
		value := seg.value
		if i == 0 {
			charset, value = splitRFC2231Charset(value)
		}
		anyEncoded = true
		buf = appendPercentDecoded(buf, value)
	}
	if !anyEncoded {
		return string(buf)
	}
	return decodeText(buf, charset)
}

// decodeRFC2231Value decodes charset'language'percent-encoded-text.
func decodeRFC2231Value(v string) string {
	charset, text := splitRFC2231Charset(v)
	return decodeText(appendPercentDecoded(nil, text), charset)
}

// splitRFC2231Charset splits charset'language'text; without the two quotes the whole value
// is text in an unknown charset.
func splitRFC2231Charset(v string) (charset, text string) {
	charset, rest, ok := strings.Cut(v, "'")
	if !ok {
		return "", v
	}
	_, text, ok = strings.Cut(rest, "'")
	if !ok {
		return charset, rest
	}
	return charset, text
}

// appendPercentDecoded appends s with %XY sequences decoded; a stray "%" is kept.
func appendPercentDecoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		dst = append(dst, s[i])
	}
	return dst
}
