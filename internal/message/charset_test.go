package message

import (
	"io"
	"strings"
	"testing"
)

func TestDecodeText(t *testing.T) {
	for _, c := range []struct{ in, label, want string }{
		{"Søren", "", "Søren"},
		{"Søren", "UTF-8", "Søren"},
		{"\ufeffSøren", "utf-8", "Søren"},
		{"S\xf8ren", "", "Søren"},
		{"S\xf8ren", "us-ascii", "Søren"},
		{"S\xf8ren \x80", "iso-8859-1", "Søren €"},
		{"S\xf8ren", `"ISO-8859-1"`, "Søren"},
		{"\xa4", "iso-8859-15", "€"},
		{"\xa4", "latin1", "¤"},
		{"\x93a\x94", "cp1252", "“a”"},
		{"\x9b", "ibm850", "ø"},
		{"Søren", "windows-1252", "Søren"}, // mislabelled UTF-8
		{"\xbf", "macintosh", "ø"},
		{"\xe6\xf8\xe5", "no-such-charset", "æøå"},
		{"abc", "replacement", "abc"},
		{"ø\xff", "utf-8*da", "øÿ"},
	} {
		if got := decodeText([]byte(c.in), c.label); got != c.want {
			t.Errorf("decodeText(%q, %q) = %q, want %q", c.in, c.label, got, c.want)
		}
	}
}

func TestCharsetReader(t *testing.T) {
	r, err := charsetReader("windows-1252", strings.NewReader("\x80"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r); string(b) != "€" {
		t.Errorf("got %q", b)
	}
}

func TestDecodeHeaderText(t *testing.T) {
	dec := newWordDecoder()
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"=?utf-8?B?w5h6?=", "Øz"},
		{"=?UTF-8?Q?=C3=98z?= og =?iso-8859-1?q?=E6?=", "Øz og æ"},
		{"=?utf-8?B?w5h6?= =?utf-8?B?w5h6?=", "ØzØz"},
		{"=?utf-8?B?w5?= =?utf-8?B?h6?=", "=?utf-8?B?w5?= =?utf-8?B?h6?="}, // invalid words stay
		{"=?windows-1252?Q?=80?=", "€"},
		{"=?iso-8859-15?Q?=A4?=", "€"},
		{"=?x-unknown?Q?=E6?=", "æ"},
		{"=?utf-8?Q?=E6?=", "æ"}, // invalid UTF-8 in a UTF-8 word
		{"S\xf8ren =?utf-8?Q?=C3=98?=", "Søren Ø"},
		{"=?utf-8*da?Q?=C3=98?=", "Ø"},
	} {
		if got := decodeHeaderText(dec, c.in); got != c.want {
			t.Errorf("decodeHeaderText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
