package message

import (
	"strings"
	"testing"
)

func TestDecodeBase64(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"U8O4cmVu", "Søren"},
		{"U8O4\r\ncmVu\r\n", "Søren"},
		{"U8O4 cmVu\t", "Søren"},
		{"U8O4cmVuIA==", "Søren "},
		{"U8O4cmVuIA", "Søren "},    // missing padding
		{"U8O4cmVuIA=", "Søren "},   // short padding
		{"U8O4cmVuIA===", "Søren "}, // long padding
		{"U8O4cmVuIA==w4Z=", "Søren Æ"},
		{"QUJDRA==RUY=", "ABCDEF"}, // two padded blocks
		{"QUJDR", "ABC"},           // dangling character
		{"QUJD*.!RA", "ABCD"},      // junk in between
		{"-_8", "\xfb\xff"},        // URL-safe alphabet
		{"====", ""},
	} {
		if got := string(decodeBase64([]byte(c.in))); got != c.want {
			t.Errorf("decodeBase64(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDecodeBase64LongInput(t *testing.T) {
	long := b64(string(make([]byte, 200000)))
	if got := decodeBase64([]byte(long)); len(got) != 200000 {
		t.Errorf("decoded %d bytes, want 200000", len(got))
	}
}

func TestDecodeQuotedPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"S=C3=B8ren", "Søren"},
		{"S=c3=b8ren", "Søren"},
		{"lang linje=\r\nfortsat", "lang linjefortsat"},
		{"lang linje=\nfortsat", "lang linjefortsat"},
		{"lang linje=  \nfortsat", "lang linjefortsat"},
		{"slut=", "slut"},
		{"hale   \r\nnæste", "hale\r\nnæste"},
		{"hale \t", "hale"},
		{"midt i  ord", "midt i  ord"},
		{"1+1=2", "1+1=2"},
		{"=ZZ", "=ZZ"},
		{"=4", "=4"},
		{"= x", "= x"},
		{"a=\r", "a"},
		{"a=\rb", "a=\rb"},
	} {
		if got := string(decodeQuotedPrintable([]byte(c.in))); got != c.want {
			t.Errorf("decodeQuotedPrintable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDecodeTransferNames(t *testing.T) {
	for _, enc := range []string{"base64", "BASE64", " Base64 ", `"base64"`} {
		if got := string(decodeTransfer(enc, []byte("QUJD"))); got != "ABC" {
			t.Errorf("decodeTransfer(%q) = %q", enc, got)
		}
	}
	for _, enc := range []string{"", "7bit", "8bit", "binary", "x-unknown"} {
		if got := string(decodeTransfer(enc, []byte("QUJD"))); got != "QUJD" {
			t.Errorf("decodeTransfer(%q) = %q", enc, got)
		}
	}
}

func TestDecodeUU(t *testing.T) {
	// "Kære Åse, CPR 150315-2345\n" uuencoded (by uuencode(1)).
	want := "Kære Åse, CPR 150315-2345\n"
	enc := "begin 644 notat.txt\n" + uuLine([]byte(want)) + "`\nend\n"
	cases := []struct{ name, in, want string }{
		{"whole", enc, want},
		{"CRLF", strings.ReplaceAll(enc, "\n", "\r\n"), want},
		{"text before begin", "Her er filen:\n\n" + enc, want},
		{"no end line", strings.TrimSuffix(enc, "`\nend\n"), want},
		{"no begin line", "not uuencoded", "not uuencoded"},
		{"begin only", "begin 644 x", "begin 644 x"},
	}
	for _, c := range cases {
		if got := string(decodeTransfer("x-uuencode", []byte(c.in))); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// uuLine encodes up to 45 bytes as one uuencoded line.
func uuLine(b []byte) string {
	enc := func(c byte) byte {
		if c == 0 {
			return '`'
		}
		return c + ' '
	}
	out := []byte{enc(byte(len(b)))}
	for i := 0; i < len(b); i += 3 {
		var g [3]byte
		copy(g[:], b[i:])
		out = append(out, enc(g[0]>>2), enc((g[0]<<4|g[1]>>4)&63), enc((g[1]<<2|g[2]>>6)&63), enc(g[2]&63))
	}
	return string(out) + "\n"
}
