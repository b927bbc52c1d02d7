package message

import (
	"net/textproto"
	"reflect"
	"testing"
)

func TestReadHeader(t *testing.T) {
	for _, c := range []struct {
		name     string
		in       string
		header   textproto.MIMEHeader
		body     string
		exceeded bool
	}{
		{"simple", "A: 1\nb-c: 2\n\nbody", textproto.MIMEHeader{"A": {"1"}, "B-C": {"2"}}, "body", false},
		{"crlf and folding", "Subject: a\r\n b\r\n\tc\r\n\r\nx\r\n", textproto.MIMEHeader{"Subject": {"a b c"}}, "x\r\n", false},
		{"repeated", "To: a\nTo: b\n\n", textproto.MIMEHeader{"To": {"a", "b"}}, "", false},
		{"space before colon", "Subject : x\n\n", textproto.MIMEHeader{"Subject": {"x"}}, "", false},
		{"no blank line", "A: 1\nbody line\nmore", textproto.MIMEHeader{"A": {"1"}}, "body line\nmore", false},
		{"leading blank line", "\nbody", textproto.MIMEHeader{}, "body", false},
		{"leading continuation", " x\nA: 1\n", textproto.MIMEHeader{}, " x\nA: 1\n", false},
		{"mbox line", "From x@y Mon\nA: 1\n\nb", textproto.MIMEHeader{"A": {"1"}}, "b", false},
		{"header only", "A: 1", textproto.MIMEHeader{"A": {"1"}}, "", false},
		{"8-bit key ends header", "A: 1\nÆ: 2\n\n", textproto.MIMEHeader{"A": {"1"}}, "Æ: 2\n\n", false},
		{"8-bit value kept raw", "A: \xe6\n\n", textproto.MIMEHeader{"A": {"\xe6"}}, "", false},
		{"too many", "A: 1\nB: 2\nC: 3\n\nx", textproto.MIMEHeader{"A": {"1"}, "B": {"2"}}, "C: 3\n\nx", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, body, exceeded := readHeader([]byte(c.in), 2)
			if !reflect.DeepEqual(h, c.header) || string(body) != c.body || exceeded != c.exceeded {
				t.Errorf("readHeader = %q, %q, %v; want %q, %q, %v", h, body, exceeded, c.header, c.body, c.exceeded)
			}
		})
	}
}

func TestMultipartParts(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"basic", "pre\n--b\nA\n--b\nB\n--b--\nepi", []string{"A", "B"}},
		{"crlf", "--b\r\nA\r\n--b\r\nB\r\n--b--\r\n", []string{"A", "B"}},
		{"not at line start", "--b\nA --b\n--b--", []string{"A --b"}},
		{"longer boundary is not ours", "--b\nA\n--bc\nB\n--b--", []string{"A\n--bc\nB"}},
		{"trailing white space", "--b \t\nA\n--b-- \n", []string{"A"}},
		{"unterminated", "--b\nA\n--b\nB", []string{"A", "B"}},
		{"empty parts", "--b\n--b\n\n--b--", []string{"", ""}},
		{"none", "no delimiter", nil},
		{"close only", "x\n--b--\n", nil},
		{"delimiter at end", "--b\nA\n--b", []string{"A"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for p := range multipartParts([]byte(c.body), "b") {
				got = append(got, string(p))
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("parts = %q, want %q", got, c.want)
			}
		})
	}
}

func TestSplitAddressList(t *testing.T) {
	got := splitAddressList(`"Holm, Mette" <m@x.dk>, a@x.dk; (kommentar, med komma) b@x.dk, <c,d@x.dk>, "esc\"aped, x" e@x.dk`)
	want := []string{`"Holm, Mette" <m@x.dk>`, " a@x.dk", " (kommentar, med komma) b@x.dk", " <c,d@x.dk>", ` "esc\"aped, x" e@x.dk`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitAddressList = %q, want %q", got, want)
	}
}

func TestSmimeKind(t *testing.T) {
	for _, c := range []struct {
		typ  string
		der  string
		want smimeContent
	}{
		{"enveloped-data", "", smimeEnveloped},
		{"Enveloped-Data", "", smimeEnveloped},
		{"authEnveloped-data", "", smimeEnveloped},
		{"signed-data", derHeader(3), smimeSigned},
		{"compressed-data", "", smimeOther},
		{"certs-only", "", smimeOther},
		{"", derHeader(2), smimeSigned},
		{"", derHeader(3), smimeEnveloped},
		{"", "\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", smimeSigned}, // BER indefinite
		{"", "\x30\x05\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", smimeSigned},
		{"", "\x30\x85\x01", smimeEnveloped},
		{"", "\x30\x82\x06", smimeEnveloped},
		{"", "", smimeEnveloped},
	} {
		if got := smimeKind(c.typ, []byte(c.der)); got != c.want {
			t.Errorf("smimeKind(%q, %q) = %v, want %v", c.typ, c.der, got, c.want)
		}
	}
}
