package message

import (
	"mime"
	"net/mail"
	"strings"
)

// parseAddressHeaders parses every value of an address header (To may occur more than once).
func parseAddressHeaders(dec *mime.WordDecoder, values []string) []Address {
	var out []Address
	for _, v := range values {
		out = append(out, parseAddressList(dec, v)...)
	}
	return out
}

// parseAddressList parses an address list with net/mail and, when that fails, splits it
// leniently so that no recipient is dropped: each piece is parsed on its own, pieces without
// an address ("Jensen, Søren <s@example.dk>") are joined to the next display name, and a
// trailing name without an address is kept as a name-only Address.
func parseAddressList(dec *mime.WordDecoder, raw string) []Address {
	s := strings.TrimSpace(utf8OrWindows1252([]byte(raw)))
	if s == "" {
		return nil
	}
	parser := mail.AddressParser{WordDecoder: dec}
	if list, err := parser.ParseList(s); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, newAddress(cleanDisplayName(dec, a.Name), a.Address))
		}
		return out
	}
	var out []Address
	pending := ""
	for _, piece := range splitAddressList(s) {
		if strings.TrimSpace(piece) == "" {
			continue
		}
		a := parseOneAddress(dec, &parser, piece)
		switch {
		case a.Address == "" && a.Name == "":
		case a.Address == "":
			pending = joinNames(pending, a.Name)
		default:
			a.Name = joinNames(pending, a.Name)
			pending = ""
			out = append(out, a)
		}
	}
	if pending != "" {
		out = append(out, Address{Name: pending})
	}
	return out
}

func joinNames(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ", " + b
}

// parseOneAddress parses one piece of a broken list: net/mail first, then by hand.
func parseOneAddress(dec *mime.WordDecoder, parser *mail.AddressParser, piece string) Address {
	piece = strings.TrimSpace(piece)
	if a, err := parser.Parse(piece); err == nil {
		return newAddress(cleanDisplayName(dec, a.Name), a.Address)
	}
	// A group's display name ("Team: a@example.dk") carries no address of its own.
	if i := strings.IndexByte(piece, ':'); i >= 0 && !strings.ContainsAny(piece[:i], `@<"`) {
		piece = strings.TrimSpace(piece[i+1:])
	}
	if lt := strings.LastIndexByte(piece, '<'); lt >= 0 {
		addr, rest, _ := strings.Cut(piece[lt+1:], ">")
		name := strings.TrimSpace(piece[:lt] + " " + rest)
		return newAddress(cleanDisplayName(dec, name), cleanAddress(addr))
	}
	var addr string
	var name []string
	for _, f := range strings.Fields(piece) {
		if addr == "" && strings.Contains(f, "@") {
			addr = cleanAddress(f)
			continue
		}
		name = append(name, f)
	}
	return newAddress(cleanDisplayName(dec, strings.Join(name, " ")), addr)
}

// newAddress drops a display name that only repeats the address, as Outlook writes it.
func newAddress(name, addr string) Address {
	if strings.EqualFold(name, addr) {
		name = ""
	}
	return Address{Name: name, Address: addr}
}

func cleanAddress(s string) string {
	s = strings.Trim(strings.TrimSpace(s), `"'()[]<>,;`)
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	return strings.TrimSpace(s)
}

// cleanDisplayName strips quotes and comment parentheses and decodes RFC 2047 words that
// net/mail left alone (inside quotes, or in a piece parsed by hand).
func cleanDisplayName(dec *mime.WordDecoder, s string) string {
	s = strings.TrimSpace(s)
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '(' && s[len(s)-1] == ')' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	s = strings.ReplaceAll(s, `\"`, `"`)
	return strings.TrimSpace(decodeHeaderText(dec, s))
}

// splitAddressList splits at commas and semicolons outside quotes, angle brackets and
// comments.
func splitAddressList(s string) []string {
	var pieces []string
	quoted, angle, paren, start := false, false, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case (c == ',' || c == ';') && !angle && paren == 0:
			pieces = append(pieces, s[start:i])
			start = i + 1
		}
	}
	return append(pieces, s[start:])
}
