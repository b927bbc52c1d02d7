package extract

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// card reads an iCalendar file (.ics, a meeting invitation, RFC 5545) or a vCard (.vcf, a
// contact card, RFC 6350 and the older 2.1) as text, one "NAME: value" line per property:
// folded lines are joined first (Outlook folds a long DESCRIPTION at 75 bytes, which can split
// a CPR number), escapes ("\n", "\,") undone, and vCard 2.1 quoted-printable values decoded.
// A file attached inside an invitation (ATTACH with an inline base64 value) is a nested
// document; a contact's photo, logo, sound or key inside a vCard is not read (a portrait or a
// key, not a document).
func (w *walker) card(j *job) error {
	text := decodeText(j.data, j.ctype)
	attached := 0
	for i, line := range contentLines(text) {
		if i%1024 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		name, params, value, ok := splitContentLine(line)
		if !ok {
			j.s.write(line + "\n")
			continue
		}
		switch name {
		case "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "UID", "DTSTAMP", "SEQUENCE":
			continue
		}
		if isBinaryValue(params) {
			if name != "ATTACH" {
				continue
			}
			switch attached++; {
			case j.depth >= w.lim.MaxDepth:
				if attached == 1 {
					j.notes = append(j.notes, "attached files not read: "+w.depthDetail())
				}
			case attached > w.lim.MaxEntries:
				if attached == w.lim.MaxEntries+1 {
					j.notes = append(j.notes, fmt.Sprintf("more than %d attached files (MaxEntries); the rest not read", w.lim.MaxEntries))
				}
			default:
				w.calendarAttachment(j, attached, params, value)
			}
			continue
		}
		if isQuotedPrintableValue(params) {
			value = decodeText(qpDecode(value), "text/plain; charset="+params["CHARSET"])
		}
		j.s.write(name + ": " + unescapeCardValue(value) + "\n")
	}
	return nil
}

// calendarAttachment extracts a file attached inline to an invitation as a nested document.
func (w *walker) calendarAttachment(j *job, n int, params map[string]string, value string) {
	data, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, value))
	if err != nil {
		data, _ = base64.RawStdEncoding.DecodeString(strings.TrimRight(strings.Map(dropSpace, value), "="))
	}
	base := strings.Trim(params["X-FILENAME"], `"`)
	if base == "" {
		base = fmt.Sprintf("vedhæftning %d", n)
	}
	w.nested(j, j.name+"/"+base, base, strings.Trim(params["FMTTYPE"], `"`), data)
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
		return -1
	}
	return r
}

// contentLines splits the text into logical content lines: a line break followed by a space
// or tab continues the line (RFC 5545 3.1, RFC 6350 3.2), and in vCard 2.1 a quoted-printable
// value ending in "=" continues on the next line.
func contentLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	var cur strings.Builder
	qp, qpSoft := false, false // the current line's value is quoted-printable; it ended in "="
	for _, line := range strings.Split(text, "\n") {
		switch {
		case cur.Len() > 0 && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")):
			line = line[1:]
			cur.WriteString(line)
		case qpSoft:
			cur.WriteString(line) // qpDecode removes the "=\n"
		default:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			cur.WriteString(line)
			name, _, _ := strings.Cut(line, ":")
			qp = strings.Contains(strings.ToUpper(name), "QUOTED-PRINTABLE")
		}
		qpSoft = qp && strings.HasSuffix(line, "=")
		if qpSoft {
			cur.WriteByte('\n')
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// splitContentLine splits "NAME;PARAM=v;PARAM=\"a:b\":value" into the upper-case name, the
// parameters (upper-case keys; a bare vCard 2.1 parameter such as QUOTED-PRINTABLE becomes
// ENCODING) and the value.
func splitContentLine(line string) (name string, params map[string]string, value string, ok bool) {
	colon, quoted := -1, false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				colon = i
			}
		}
		if colon >= 0 {
			break
		}
	}
	if colon <= 0 {
		return "", nil, "", false
	}
	fields := strings.Split(line[:colon], ";")
	name = strings.ToUpper(strings.TrimSpace(fields[0]))
	if name == "" || strings.ContainsAny(name, " \t") {
		return "", nil, "", false
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:] // vCard group prefix: "item1.EMAIL"
	}
	params = map[string]string{}
	for _, f := range fields[1:] {
		k, v, found := strings.Cut(f, "=")
		k = strings.ToUpper(strings.TrimSpace(k))
		if !found {
			k, v = "ENCODING", k
		}
		params[k] = v
	}
	return name, params, line[colon+1:], true
}

// isBinaryValue reports an inline binary value (base64).
func isBinaryValue(params map[string]string) bool {
	enc := strings.ToUpper(params["ENCODING"])
	return enc == "B" || enc == "BASE64" || strings.ToUpper(params["VALUE"]) == "BINARY"
}

func isQuotedPrintableValue(params map[string]string) bool {
	return strings.ToUpper(params["ENCODING"]) == "QUOTED-PRINTABLE"
}

// qpDecode decodes a quoted-printable value leniently: "=XX" is a byte, "=" before a line
// break joins the lines, anything else is kept.
func qpDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
				continue
			}
			if i+2 < len(s) {
				if b, ok := hexByte(s[i+1], s[i+2]); ok {
					out = append(out, b)
					i += 2
					continue
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// unescapeCardValue undoes the escapes of a text value: "\n" is a line break, "\," "\;" "\\"
// the character itself.
func unescapeCardValue(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' || s[i] == 'N' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
