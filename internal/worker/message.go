package worker

import (
	"maps"
	"math"
	"net/textproto"
	"slices"

	"github.com/sendevagt/sendevagt/internal/message"
)

// An attached email that the parent has already parsed (an Outlook message inside an Outlook
// message, an attached item from Graph) goes to the worker as that parsed message, not as bytes
// written out again to be parsed a second time. Its encoding in a request frame (flag bit 1;
// integers little-endian, every string and byte string as u32 length then bytes):
//
//	message:    flags (bit 0 Encrypted, bit 1 Signed), Incomplete, From (name, address),
//	            To, Cc, Bcc (u32 count, then name, address each), Subject,
//	            Header (u32 keys, then per key: key, u32 values, values), Bodies (u32 count, then
//	            content type, content each), Attachments (u32 count, then attachment each)
//	attachment: flags (bit 0 Inline, bit 1 a message follows, bit 2 Unread follows), Name,
//	            ContentType, ContentID, SHA256, [Unread: status, detail], Data, [message]

// maxMessageDepth bounds the nesting a request may declare (the parsers stop far earlier); a
// frame nested deeper is garbage, not a reason to exhaust the worker's stack.
const maxMessageDepth = 32

func appendStr(b []byte, s string) []byte {
	b = le.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendAddresses(b []byte, list []message.Address) []byte {
	b = le.AppendUint32(b, uint32(len(list)))
	for _, a := range list {
		b = appendStr(appendStr(b, a.Name), a.Address)
	}
	return b
}

// messageSize is an upper bound of m's encoded size, so the frame is allocated once.
func messageSize(m *message.Message) int {
	n := 64 + len(m.Incomplete) + len(m.Subject) + len(m.From.Name) + len(m.From.Address)
	for _, list := range [][]message.Address{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			n += 8 + len(a.Name) + len(a.Address)
		}
	}
	for k, vs := range m.Header {
		n += 8 + len(k)
		for _, v := range vs {
			n += 4 + len(v)
		}
	}
	for _, body := range m.Bodies {
		n += 8 + len(body.ContentType) + len(body.Content)
	}
	for _, a := range m.Attachments {
		n += 32 + len(a.Name) + len(a.ContentType) + len(a.ContentID) + len(a.SHA256) + len(a.Data)
		if a.Unread != nil {
			n += 8 + len(a.Unread.Status) + len(a.Unread.Detail)
		}
		if a.Message != nil {
			n += messageSize(a.Message)
		}
	}
	return n
}

// appendMessage encodes m.
func appendMessage(b []byte, m *message.Message) []byte {
	var flags byte
	if m.Encrypted {
		flags |= 1
	}
	if m.Signed {
		flags |= 2
	}
	b = append(b, flags)
	b = appendStr(b, m.Incomplete)
	b = appendStr(appendStr(b, m.From.Name), m.From.Address)
	b = appendAddresses(b, m.To)
	b = appendAddresses(b, m.Cc)
	b = appendAddresses(b, m.Bcc)
	b = appendStr(b, m.Subject)
	b = le.AppendUint32(b, uint32(len(m.Header)))
	for _, k := range slices.Sorted(maps.Keys(m.Header)) { // one encoding per message
		vs := m.Header[k]
		b = appendStr(b, k)
		b = le.AppendUint32(b, uint32(len(vs)))
		for _, v := range vs {
			b = appendStr(b, v)
		}
	}
	b = le.AppendUint32(b, uint32(len(m.Bodies)))
	for _, body := range m.Bodies {
		b = appendStr(appendStr(b, body.ContentType), body.Content)
	}
	b = le.AppendUint32(b, uint32(len(m.Attachments)))
	for _, a := range m.Attachments {
		var af byte
		if a.Inline {
			af |= 1
		}
		if a.Message != nil {
			af |= 2
		}
		if a.Unread != nil {
			af |= 4
		}
		b = append(b, af)
		b = appendStr(appendStr(appendStr(appendStr(b, a.Name), a.ContentType), a.ContentID), a.SHA256)
		if a.Unread != nil {
			b = appendStr(appendStr(b, a.Unread.Status), a.Unread.Detail)
		}
		b = le.AppendUint32(b, uint32(len(a.Data)))
		b = append(b, a.Data...)
		if a.Message != nil {
			b = appendMessage(b, a.Message)
		}
	}
	return b
}

// The reader of a message keeps every string a copy (names and bodies are small next to the
// attachments, and must not change when the request buffer is reused); attachment bytes are
// slices of the request frame, as a plain attachment's bytes are.

func (r *respReader) strCopy() string { return string(r.bytes(int(min(r.u32(), math.MaxInt32)))) }

func (r *respReader) byteSlice() []byte {
	n := r.u32()
	if n == 0 {
		return nil
	}
	return r.bytes(int(min(n, math.MaxInt32)))
}

// count reads a list length that must leave at least minItem bytes per item in the frame.
func (r *respReader) count(minItem uint64) int {
	n := r.u32()
	if n > r.left()/minItem {
		r.bad = true
		return 0
	}
	return int(n)
}

func (r *respReader) addresses() []message.Address {
	n := r.count(8)
	if n == 0 {
		return nil
	}
	out := make([]message.Address, n)
	for i := range out {
		out[i] = message.Address{Name: r.strCopy(), Address: r.strCopy()}
	}
	return out
}

// readMessage decodes a message; r.bad says when the bytes are not one.
func (r *respReader) readMessage(depth int) *message.Message {
	if depth > maxMessageDepth {
		r.bad = true
		return nil
	}
	m := &message.Message{}
	flags := r.bytes(1)
	if r.bad || flags[0] > 3 {
		r.bad = true
		return nil
	}
	m.Encrypted, m.Signed = flags[0]&1 != 0, flags[0]&2 != 0
	m.Incomplete = r.strCopy()
	m.From = message.Address{Name: r.strCopy(), Address: r.strCopy()}
	m.To, m.Cc, m.Bcc = r.addresses(), r.addresses(), r.addresses()
	m.Subject = r.strCopy()
	if n := r.count(8); n > 0 {
		m.Header = make(textproto.MIMEHeader, n)
		for range n {
			k := r.strCopy()
			vs := make([]string, r.count(4))
			for i := range vs {
				vs[i] = r.strCopy()
			}
			m.Header[k] = vs
		}
	}
	if n := r.count(8); n > 0 {
		m.Bodies = make([]message.Body, n)
		for i := range m.Bodies {
			m.Bodies[i] = message.Body{ContentType: r.strCopy(), Content: r.strCopy()}
		}
	}
	if n := r.count(21); n > 0 {
		m.Attachments = make([]message.Attachment, n)
		for i := range m.Attachments {
			a := &m.Attachments[i]
			af := r.bytes(1)
			if r.bad || af[0] > 7 {
				r.bad = true
				return nil
			}
			a.Inline = af[0]&1 != 0
			a.Name, a.ContentType, a.ContentID, a.SHA256 = r.strCopy(), r.strCopy(), r.strCopy(), r.strCopy()
			if af[0]&4 != 0 {
				a.Unread = &message.Unread{Status: r.strCopy(), Detail: r.strCopy()}
			}
			a.Data = r.byteSlice()
			if af[0]&2 != 0 {
				a.Message = r.readMessage(depth + 1)
			}
			if r.bad {
				return nil
			}
		}
	}
	if r.bad {
		return nil
	}
	return m
}
