package message

import (
	"bytes"
	"fmt"
	"iter"
	"net/textproto"
	"strings"
)

// walkMultipart splits a multipart entity and walks its parts by subtype.
func (p *parser) walkMultipart(e entity, ct contentType, out *sink) error {
	if e.depth >= p.lim.maxDepth {
		return fmt.Errorf("%w: MIME nesting deeper than %d levels", ErrTooComplex, p.lim.maxDepth)
	}
	subtype := strings.TrimPrefix(ct.mediaType, "multipart/")
	children, err := p.splitParts(e, ct, subtype)
	if err != nil && len(children) == 0 {
		return err
	}
	if len(children) == 0 {
		// No usable boundary: keep the content readable rather than lose it, and say that
		// whatever parts it holds were not separated.
		if text := textContent(e.data(), ""); strings.TrimSpace(text) != "" {
			out.bodies = append(out.bodies, Body{ContentType: "text/plain", Content: text})
			if holdsPartHeader(e.data(), -1) {
				p.damage(damageUnseparated)
			}
		}
		return nil
	}
	switch subtype {
	case "alternative":
		return firstError(p.walkAlternative(children, out), err)
	case "signed":
		p.signed = true
		for i, child := range children {
			if i > 0 && isSignature(child) {
				continue
			}
			child.topLevel = e.topLevel && i == 0
			if werr := p.walk(child, out); werr != nil {
				return werr
			}
		}
		return err
	case "encrypted":
		if e.topLevel {
			p.encrypted = true // PGP/MIME: nothing readable
			return err
		}
	}
	for _, child := range children {
		if werr := p.walk(child, out); werr != nil {
			return werr
		}
	}
	return err
}

func firstError(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// splitParts cuts the multipart body into child entities, counting them against the part
// limit and reading their headers against the header-field budget.
func (p *parser) splitParts(e entity, ct contentType, subtype string) ([]entity, error) {
	boundary := strings.TrimRight(ct.params["boundary"], " \t")
	if boundary == "" {
		return nil, nil
	}
	var children []entity
	for raw := range multipartParts(e.multipartBody(boundary), boundary) {
		if p.parts >= p.lim.maxParts {
			return children, fmt.Errorf("%w: more than %d MIME parts", ErrTooComplex, p.lim.maxParts)
		}
		p.parts++
		header, body, err := p.readHeader(raw)
		if err != nil {
			return children, err
		}
		if !headerEndsCleanly(raw, body) && holdsPartHeader(body, 1) || hasGluedDelimiter(raw, boundary) {
			p.damage(damageUnseparated)
		}
		children = append(children, entity{header: header, body: body, depth: e.depth + 1, inDigest: subtype == "digest"})
	}
	return children, nil
}

// multipartBody is the body of a multipart entity to cut at its delimiters. A transfer
// encoding declared on a multipart is invalid (RFC 2045 6.4) but occurs; decoding the body as
// quoted-printable joins a base64 line ending in "=" with the delimiter line after it and
// merges the parts. Tolerant readers ignore the declaration, and so does this unless only the
// decoded body holds a delimiter (a whole multipart really wrapped in base64).
func (e entity) multipartBody(boundary string) []byte {
	if isIdentityEncoding(e.header.Get("Content-Transfer-Encoding")) || hasDelimiter(e.body, boundary) {
		return e.body
	}
	if decoded := e.data(); hasDelimiter(decoded, boundary) {
		return decoded
	}
	return e.body
}

// hasDelimiter reports whether body holds a delimiter line of boundary.
func hasDelimiter(body []byte, boundary string) bool {
	for range multipartParts(body, boundary) {
		return true
	}
	return false
}

// headerEndsCleanly reports whether the header of a part read from raw (leaving body) ended
// as a header ends: at a blank line or at the end of the part, not at a line that is no header
// field.
func headerEndsCleanly(raw, body []byte) bool {
	if len(body) == 0 {
		return true
	}
	consumed := raw[:len(raw)-len(body)]
	return bytes.HasSuffix(consumed, []byte("\n\n")) || bytes.HasSuffix(consumed, []byte("\n\r\n")) ||
		string(consumed) == "\n" || string(consumed) == "\r\n"
}

// holdsPartHeader reports whether b has a Content-Type or Content-Transfer-Encoding field at
// the start of a line within its first paragraphs (up to and including the blank line ending
// the paragraph number maxBlank; all of b when maxBlank < 0): the header of a part that was
// not separated, or the rest of a header that broke off, whose type and encoding are lost.
func holdsPartHeader(b []byte, maxBlank int) bool {
	blank := 0
	for line := range bytes.Lines(b) {
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			if blank++; maxBlank >= 0 && blank >= maxBlank {
				return false
			}
			continue
		}
		if k, _, ok := splitField(line); ok {
			switch textproto.CanonicalMIMEHeaderKey(k) {
			case "Content-Type", "Content-Transfer-Encoding":
				return true
			}
		}
	}
	return false
}

// hasGluedDelimiter reports whether a part holds a delimiter of its own multipart that does
// not start a line: "…AAA=--boundary" where a line break was lost and two parts merged.
func hasGluedDelimiter(raw []byte, boundary string) bool {
	delim := []byte("--" + boundary)
	for pos := 0; pos < len(raw); {
		i := bytes.Index(raw[pos:], delim)
		if i < 0 {
			return false
		}
		at := pos + i
		after := at + len(delim)
		if bytes.HasPrefix(raw[after:], []byte("--")) {
			after += 2
		}
		if _, ok := lineBreakAfterSpace(raw, after); ok && at > 0 && raw[at-1] != '\n' {
			return true
		}
		pos = at + 1
	}
	return false
}

// walkAlternative keeps the body of one alternative (plain text if it has any, else HTML, the
// last of equals) and the attachments of all, so inline images of an HTML alternative count.
func (p *parser) walkAlternative(children []entity, out *sink) error {
	found := make([]sink, 0, len(children))
	var err error
	for _, child := range children {
		found = append(found, sink{})
		if err = p.walk(child, &found[len(found)-1]); err != nil {
			break
		}
	}
	best, bestScore := -1, 0
	for i, s := range found {
		if score := alternativeScore(s.bodies); score > 0 && score >= bestScore {
			best, bestScore = i, score
		}
	}
	for i, s := range found {
		if i == best {
			out.bodies = append(out.bodies, s.bodies...)
		}
		out.attachments = append(out.attachments, s.attachments...)
	}
	return err
}

// alternativeScore ranks what an alternative offers to read: 3 plain text, 2 HTML, 1 only
// empty bodies, 0 no body.
func alternativeScore(bodies []Body) int {
	score := 0
	for _, b := range bodies {
		s := 1
		if strings.TrimSpace(b.Content) != "" {
			s = 2
			if b.ContentType == "text/plain" {
				s = 3
			}
		}
		score = max(score, s)
	}
	return score
}

// multipartParts yields the raw parts (header and body) between the delimiter lines of a
// multipart body; preamble and epilogue are dropped. A delimiter line is "--" boundary at the
// start of a line, optionally followed by "--" (the close delimiter) and white space. Without
// a close delimiter the last part runs to the end.
func multipartParts(body []byte, boundary string) iter.Seq[[]byte] {
	delim := []byte("--" + boundary)
	return func(yield func([]byte) bool) {
		start := -1 // where the current part begins, once a delimiter was seen
		for pos := 0; pos < len(body); {
			i := bytes.Index(body[pos:], delim)
			if i < 0 {
				break
			}
			at := pos + i
			if at > 0 && body[at-1] != '\n' {
				pos = at + 1
				continue
			}
			after := at + len(delim)
			closing := bytes.HasPrefix(body[after:], []byte("--"))
			if closing {
				after += 2
			}
			next, ok := lineBreakAfterSpace(body, after)
			if !ok {
				pos = at + 1
				continue
			}
			if start >= 0 && !yield(trimLineBreak(body[start:at])) {
				return
			}
			if closing {
				return
			}
			start, pos = next, next
		}
		if start >= 0 && start < len(body) {
			yield(body[start:])
		}
	}
}

// trimLineBreak removes the line break that belongs to the following delimiter.
func trimLineBreak(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\r\n")) {
		return b[:len(b)-2]
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}
