package message

import "bytes"

// oleMagic starts every OLE compound file, and so every Outlook .msg file.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// IsOLE reports whether data is an OLE compound file (an Outlook .msg, whatever its name).
func IsOLE(data []byte) bool { return bytes.HasPrefix(data, oleMagic) }

// ParseAny reads a whole message file by what its bytes are, not by its name: an Outlook
// message (an OLE compound file, ParseMSG) or an RFC 5322 message (Parse). A .msg saved as
// .eml and an .eml saved as .msg both parse. Errors are those of the parser used; with
// ErrMalformed the data is neither (a headerless text file named .eml, say).
func ParseAny(data []byte) (*Message, error) {
	if IsOLE(data) {
		return ParseMSG(data)
	}
	return Parse(data)
}
