package message

import (
	"bytes"
	"fmt"
	"iter"
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
		// No usable boundary: keep the content readable rather than lose it.
		if text := textContent(e.data(), ""); strings.TrimSpace(text) != "" {
			out.bodies = append(out.bodies, Body{ContentType: "text/plain", Content: text})
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
	for raw := range multipartParts(e.data(), boundary) {
		if p.parts >= p.lim.maxParts {
			return children, fmt.Errorf("%w: more than %d MIME parts", ErrTooComplex, p.lim.maxParts)
		}
		p.parts++
		header, body, err := p.readHeader(raw)
		if err != nil {
			return children, err
		}
		children = append(children, entity{header: header, body: body, depth: e.depth + 1, inDigest: subtype == "digest"})
	}
	return children, nil
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
