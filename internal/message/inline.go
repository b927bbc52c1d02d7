package message

import "strings"

// contentID returns a Content-ID header value without its angle brackets and white space.
func contentID(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "<")
	v = strings.TrimSuffix(v, ">")
	return strings.TrimSpace(v)
}

// maxInlineScan bounds the HTML searched for "cid:" references (the part of a body where a
// signature or a newsletter's pictures are referred to comes well before it).
const maxInlineScan = 4 << 20

// markInline marks the attachments whose Content-ID an HTML body refers to ("cid:ID", as
// <img src="cid:ID"> does) as Inline: they are part of the body's layout.
func markInline(msg *Message) {
	var refs map[string]bool
	for i := range msg.Attachments {
		a := &msg.Attachments[i]
		if a.Inline || a.ContentID == "" {
			continue
		}
		if refs == nil {
			refs = cidRefs(msg.Bodies)
		}
		a.Inline = refs[strings.ToLower(a.ContentID)]
	}
}

// cidRefs collects the Content-IDs the HTML bodies refer to, lower-cased.
func cidRefs(bodies []Body) map[string]bool {
	refs := map[string]bool{}
	for _, b := range bodies {
		if b.ContentType != "text/html" {
			continue
		}
		s := b.Content[:min(len(b.Content), maxInlineScan)]
		for {
			i := indexFold(s, "cid:")
			if i < 0 {
				break
			}
			s = s[i+4:]
			end := strings.IndexAny(s, "\"' >)\r\n\t")
			if end < 0 {
				end = len(s)
			}
			refs[strings.ToLower(s[:end])] = true
			s = s[end:]
		}
	}
	return refs
}

// indexFold is strings.Index for an ASCII needle in any case.
func indexFold(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}
