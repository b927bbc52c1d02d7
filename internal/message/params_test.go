package message

import (
	"reflect"
	"testing"
)

func TestParseMediaType(t *testing.T) {
	for _, c := range []struct {
		in     string
		want   string
		params map[string]string
	}{
		{"text/plain", "text/plain", map[string]string{}},
		{"Text/HTML; Charset=\"UTF-8\"", "text/html", map[string]string{"charset": "UTF-8"}},
		{"text/plain charset=utf-8", "text/plain", map[string]string{"charset": "utf-8"}},
		{"multipart/mixed;\tboundary=\"----=_Part_1\";", "multipart/mixed", map[string]string{"boundary": "----=_Part_1"}},
		{"application/pdf; name=Brev 1.pdf", "application/pdf", map[string]string{"name": "Brev 1.pdf"}},
		{`application/pdf; name="a \"b\".pdf"; x`, "application/pdf", map[string]string{"name": `a "b".pdf`}},
		{"application/pdf; name=a.pdf; name=b.pdf", "application/pdf", map[string]string{"name": "a.pdf"}},
		{"application/pdf; name=\"unterminated", "application/pdf", map[string]string{"name": "unterminated"}},
		{"attachment; filename*=utf-8''Afg%C3%B8relse.pdf", "attachment", map[string]string{"filename": "Afgørelse.pdf"}},
		{"attachment; filename*=UTF-8'da'%C3%86", "attachment", map[string]string{"filename": "Æ"}},
		{"attachment; filename*=iso-8859-1''%D8ko", "attachment", map[string]string{"filename": "Øko"}},
		{"attachment; filename*=windows-1252''%80", "attachment", map[string]string{"filename": "€"}},
		{"attachment; filename*=''%C3%98", "attachment", map[string]string{"filename": "Ø"}},
		{"attachment; filename*=no-quotes%20here", "attachment", map[string]string{"filename": "no-quotes here"}},
		{"attachment; filename*=\"utf-8''quoted%20too\"", "attachment", map[string]string{"filename": "quoted too"}},
		{"attachment; filename*=utf-8''100%", "attachment", map[string]string{"filename": "100%"}},
		{"attachment; filename*0*=utf-8''L%C3%A6ge; filename*1=\"erkl\"; filename*2*=%C3%A6ring.pdf", "attachment",
			map[string]string{"filename": "Lægeerklæring.pdf"}},
		{"attachment; filename*1=b; filename*0=a; filename*3=gap", "attachment", map[string]string{"filename": "ab"}},
		{"attachment; filename=plain.pdf; filename*=utf-8''ext.pdf; filename*0=cont.pdf", "attachment",
			map[string]string{"filename": "ext.pdf"}},
		{"attachment; filename=plain.pdf; filename*0=cont.pdf", "attachment", map[string]string{"filename": "cont.pdf"}},
		{"attachment; filename*x=bad; filename*99999=big", "attachment", map[string]string{}},
		{"", "", map[string]string{}},
		{";;;=;==", "", map[string]string{}},
	} {
		mt, params := parseMediaType(c.in)
		if mt != c.want || !reflect.DeepEqual(params, c.params) {
			t.Errorf("parseMediaType(%q) = %q, %q; want %q, %q", c.in, mt, params, c.want, c.params)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Brev.pdf", "Brev.pdf"},
		{`C:\Users\sbo\Brev.pdf`, "Brev.pdf"},
		{"../../etc/passwd", "passwd"},
		{" a\x00b\tc.pdf ", "abc.pdf"},
		{"dir/", ""},
	} {
		if got := cleanFileName(c.in); got != c.want {
			t.Errorf("cleanFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
