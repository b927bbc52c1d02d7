package detect

import "strings"

// Tables: CSV and spreadsheet text (tab, semicolon or comma separated lines). The header line of
// a table is context for its whole column: "CPR" / "CPR-nr." / "Personnummer" over a column is a
// strong positive for every number in it, "Ordrenr" / "Faktura" / "Kontonr." a strong negative,
// however far down the row is.

// tableRef locates a candidate in a table.
type tableRef struct {
	ok               bool
	hdrStart, hdrEnd int // the header line
	col              int
	hdr              ctxWord // classification of the column's header cell
	hdrWord          string  // the header cell as written (for Why)
}

// tableScanner finds the header of the table holding a position. It caches the table last seen,
// so walking a table of many rows costs one pass over it, not one per row.
type tableScanner struct {
	s     string
	rules *cprRules

	valid            bool
	delim            byte
	hdrStart, hdrEnd int
	coveredTo        int // start of the last line known to belong to the cached table
	ncols            int
	cells            []tableCell

	// the line of the previous lookup (candidates come in order; one huge line is searched once)
	lineOK                      bool
	linePos, lineStart, lineEnd int
}

type tableCell struct {
	start, end int
	class      ctxWord
}

const (
	maxTableWalk = 1 << 20 // bytes walked back looking for a header
	maxTableLine = 8 << 10 // longer lines are not table rows
)

// pickDelim chooses the cell delimiter of a line: tab, then semicolon, then comma.
func pickDelim(line string) byte {
	switch {
	case strings.IndexByte(line, '\t') >= 0:
		return '\t'
	case strings.IndexByte(line, ';') >= 0:
		return ';'
	case strings.IndexByte(line, ',') >= 0:
		return ','
	}
	return 0
}

// countDelims counts delimiters outside double quotes.
func countDelims(line string, d byte) int {
	n, quoted := 0, false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case d:
			if !quoted {
				n++
			}
		}
	}
	return n
}

func trimCR(line string) string { return strings.TrimSuffix(line, "\r") }

func (t *tableScanner) lookup(pos int) tableRef {
	s := t.s
	var ls, le int
	if t.lineOK && pos >= t.linePos && pos < t.lineEnd {
		ls, le = t.lineStart, t.lineEnd // same line as the previous candidate
	} else {
		ls, le = lineStart(s, pos, maxTableLine), lineEnd(s, pos, maxTableLine)
		t.lineOK, t.linePos, t.lineStart, t.lineEnd = true, pos, ls, le
	}
	if (ls > 0 && s[ls-1] != '\n') || (le < len(s) && s[le] != '\n') {
		return tableRef{} // a line this long is no table row
	}
	line := trimCR(s[ls:le])
	d := pickDelim(line)
	if d == 0 {
		return tableRef{}
	}
	if ls == 0 || (!t.covers(ls, d) && (ls == 1 || s[ls-2] == '\n')) {
		// The first line, or one after an empty line and not in the cached table, would be the
		// header: the walk below would stop at once. Decided before counting cells because
		// most lines with a comma are prose.
		return tableRef{}
	}
	ncols := countDelims(line, d)
	if ncols == 0 {
		return tableRef{}
	}
	col := countDelims(s[ls:pos], d)
	sameShape := func(l string) bool {
		if d == ',' {
			return countDelims(l, d) == ncols // prose has commas: demand a consistent column count
		}
		return countDelims(l, d) > 0
	}
	top := ls
	joined := false
	for top > 0 && ls-top < maxTableWalk {
		if t.covers(top, d) {
			joined = true
			break
		}
		pls := lineStart(s, top-1, maxTableLine)
		if pls > 0 && s[pls-1] != '\n' {
			break
		}
		pl := trimCR(s[pls : top-1])
		if strings.TrimSpace(pl) == "" || !sameShape(pl) {
			break
		}
		top = pls
	}
	if !joined {
		if top == ls {
			return tableRef{} // the candidate's line would be the header
		}
		t.valid, t.delim, t.hdrStart = true, d, top
		t.hdrEnd = lineEnd(s, top, maxTableLine)
		t.ncols = ncols
		t.cells = t.splitHeader(trimCR(s[top:t.hdrEnd]), top, d)
	}
	if ls > t.coveredTo {
		t.coveredTo = ls
	}
	ref := tableRef{ok: true, hdrStart: t.hdrStart, hdrEnd: t.hdrEnd, col: col}
	if col < len(t.cells) {
		c := t.cells[col]
		ref.hdr = c.class
		ref.hdrWord = strings.TrimSpace(strings.Trim(s[c.start:c.end], "\"\ufeff"))
	}
	return ref
}

// covers reports whether the line starting at ls belongs to the cached table of delimiter d.
func (t *tableScanner) covers(ls int, d byte) bool {
	return t.valid && t.delim == d && ls >= t.hdrStart && ls <= t.coveredTo
}

// splitHeader splits the header line into cells and classifies each by its strongest context word.
func (t *tableScanner) splitHeader(line string, off int, d byte) []tableCell {
	var cells []tableCell
	start, quoted := 0, false
	var buf [maxTokenLen]byte
	flush := func(end int) {
		c := tableCell{start: off + start, end: off + end}
		for tk := newTokenizer(t.s, c.start, c.end); ; {
			ts, te, ok := tk.next()
			if !ok {
				break
			}
			n := lowerInto(buf[:], t.s[ts:te])
			if n <= 0 {
				continue
			}
			if w, ok := t.rules.lookup(buf[:n]); ok && w.kind != ctxTime && w.weight > c.class.weight {
				c.class = w
				if w.weight >= 0.8 {
					c.class.weight = 1 // a strong word over a column labels the whole column
				}
			}
		}
		cells = append(cells, c)
	}
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case d:
			if !quoted {
				flush(i)
				start = i + 1
			}
		}
	}
	flush(len(line))
	return cells
}
