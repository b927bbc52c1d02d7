package test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"
)

// upload is an encoded on-send request: its body and Content-Type.
type upload struct {
	body        []byte
	contentType string
}

// file is an attachment's content for encodeUpload.
type file struct {
	name, contentType string
	data              []byte
}

// encodeUpload encodes req with files as its inline attachments, the way the add-in sends them:
// as base64 inside the JSON (asParts false; every client and service version), or as binary
// parts of a multipart/form-data body beside the JSON in the part "request" (asParts true).
func encodeUpload(t testing.TB, req request, files []file, asParts bool) upload {
	t.Helper()
	if req.Inline == nil {
		req.Inline = &inline{}
	}
	req.Inline.Attachments = nil
	for i, f := range files {
		a := inlineAttachment{Name: f.name, ContentType: f.contentType}
		if asParts {
			a.Part = fmt.Sprintf("a%d", i)
		} else {
			a.ContentBase64 = base64.StdEncoding.EncodeToString(f.data)
		}
		req.Inline.Attachments = append(req.Inline.Attachments, a)
	}
	js, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if !asParts {
		return upload{body: js, contentType: "application/json"}
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	add := func(name, filename, ctype string, data []byte) {
		h := textproto.MIMEHeader{}
		cd := `form-data; name="` + name + `"`
		if filename != "" {
			cd += `; filename="` + filename + `"`
		}
		h.Set("Content-Disposition", cd)
		h.Set("Content-Type", ctype)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(data)
	}
	add("request", "", "application/json", js)
	for i, f := range files {
		add(fmt.Sprintf("a%d", i), "vedhæftning", "application/octet-stream", f.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return upload{body: buf.Bytes(), contentType: w.FormDataContentType()}
}

// postUpload posts an encoded on-send request.
func (s *service) postUpload(ctx context.Context, token string, u upload) (int, *onsendResponse, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/api/v1/onsend", bytes.NewReader(u.body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", u.contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, nil, err
	}
	var out onsendResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return resp.StatusCode, nil, raw, fmt.Errorf("status %d, body not JSON: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, &out, raw, nil
}
