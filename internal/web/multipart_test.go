package web

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"testing"

	"github.com/sendevagt/sendevagt/internal/onsend"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// formBody is a multipart/form-data body of the given parts (name → content), in order.
func formBody(t *testing.T, parts ...[2]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+p[0]+`"; filename="`+p[0]+`"`)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(p[1]))
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func postForm(s *Server, path string, body []byte, contentType string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer good")
	r.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestOnSendMultipart(t *testing.T) {
	pdf := "%PDF-1.7\r\n--not-a-boundary\r\n\x00\xff binary"
	const request = `{"subject":"Afgørelse","recipients":{"to":[{"address":"a@example.dk"}]},"inline":{"attachments":[` +
		`{"name":"a.pdf","contentType":"application/pdf","part":"a0"},` +
		`{"name":"b.txt","contentType":"text/plain","contentBase64":"` + "aGVq" + `"},` +
		`{"name":"c.pdf","contentType":"application/pdf","part":"gone"}]}}`
	cases := []struct {
		name  string
		parts [][2]string
		code  string // "" when answered 200
		check func(t *testing.T, req *onsend.Request)
	}{
		{"parts bound to the attachments that name them", [][2]string{{"request", request}, {"a0", pdf}}, "", func(t *testing.T, req *onsend.Request) {
			atts := req.Inline.Attachments
			if string(atts[0].ContentBase64.Data) != pdf || !atts[0].ContentBase64.Present {
				t.Errorf("part a0 not bound: %q", atts[0].ContentBase64.Data)
			}
			if string(atts[1].ContentBase64.Data) != "hej" {
				t.Errorf("base64 beside parts: %q", atts[1].ContentBase64.Data)
			}
			if !atts[2].ContentBase64.Missing {
				t.Error("a part named but not sent is not marked missing")
			}
		}},
		{"no request part", [][2]string{{"a0", pdf}}, "invalid", nil},
		{"request part twice", [][2]string{{"request", request}, {"request", request}}, "invalid", nil},
		{"a part name twice", [][2]string{{"request", request}, {"a0", pdf}, {"a0", pdf}}, "invalid", nil},
		{"part and base64 for one attachment", [][2]string{{"request", `{"inline":{"attachments":[{"name":"a","part":"a0","contentBase64":"aGVq"}]}}`}, {"a0", pdf}}, "invalid", nil},
		{"request part not JSON", [][2]string{{"request", "not json"}}, "invalid", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got *onsend.Request
			s := newTestServer(t, &fakeOnSend{fn: func(req *onsend.Request) (*onsend.Response, error) {
				got = req
				return &onsend.Response{ScanID: "s1", Action: policy.Allow}, nil
			}}, Config{})
			body, ct := formBody(t, tc.parts...)
			w := postForm(s, "/api/v1/onsend", body, ct)
			if tc.code != "" {
				if w.Code != 400 || errorCode(t, w) != tc.code {
					t.Fatalf("status %d %s, want 400 %s", w.Code, w.Body, tc.code)
				}
				return
			}
			if w.Code != 200 || got == nil {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			tc.check(t, got)
		})
	}
}

func TestOnSendMultipartMalformed(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{})
	body := []byte("--B\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n{}") // never closed
	w := postForm(s, "/api/v1/onsend", body, "multipart/form-data; boundary=B")
	if w.Code != 400 || errorCode(t, w) != "invalid" {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
}

func TestPrescanMultipart(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{})
	content := []byte{0, 1, 2, 3, '\r', '\n'}
	body, ct := formBody(t, [2]string{"request", `{"attachments":[{"name":"x.bin","part":"p"},{"name":"y.bin","contentBase64":"` +
		base64.StdEncoding.EncodeToString(content) + `"}]}`}, [2]string{"p", string(content)})
	w := postForm(s, "/api/v1/prescan", body, ct)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}
