package fakegraph

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/fakegraph/rfc822"
	"github.com/sendevagt/sendevagt/internal/message"
)

const (
	oid   = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	token = "valid-graph-token"
)

func start(t *testing.T) *Server {
	t.Helper()
	s, err := Start(func(bearer string) (string, string, bool) {
		return "tenant", strings.ToUpper(oid), bearer == token
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type answer struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func get(t *testing.T, s *Server, path string, hdr map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, s, req)
}

func do(t *testing.T, s *Server, req *http.Request) answer {
	t.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: b}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &a.json); err != nil {
			t.Fatalf("bad JSON: %v: %s", err, b)
		}
	}
	return a
}

func errorCode(a answer) string {
	e, _ := a.json["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func sample(t *testing.T) *message.Message {
	t.Helper()
	inner := &message.Message{
		From: message.Address{Name: "Indre Afsender", Address: "indre@example.dk"}, Subject: "Indre",
		Bodies: []message.Body{{ContentType: "text/plain", Content: "indre tekst"}},
		Attachments: []message.Attachment{{Name: "dyb.txt", ContentType: "text/plain", Data: []byte("dyb")},
			{Name: "dybere.eml", ContentType: "message/rfc822", Data: mime(t, &message.Message{Subject: "Dybest", Bodies: []message.Body{{ContentType: "text/plain", Content: "dybest"}}})}},
	}
	return &message.Message{
		From:    message.Address{Name: "Sagsbehandler", Address: "sb@kommune.example"},
		To:      []message.Address{{Name: "Borger", Address: "borger@example.dk"}},
		Cc:      []message.Address{{Address: "cc@example.dk"}},
		Subject: "Emne",
		Header:  textproto.MIMEHeader{"X-Sendevagt-Route": {"secure"}, "Received": {"x"}},
		Bodies:  []message.Body{{ContentType: "text/html", Content: "<p>Hej <b>Borger</b></p><script>x()</script><p>Hilsen</p>"}},
		Attachments: []message.Attachment{
			{Name: "brev.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 brev")},
			{Name: "Indre.eml", ContentType: "message/rfc822", Data: mime(t, inner)},
			{Name: "ulæst", Unread: &message.Unread{Status: "too_large"}},
		},
	}
}

func mime(t *testing.T, m *message.Message) []byte {
	t.Helper()
	b, err := rfc822.Bytes(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// msgPath is the path of message id in the token user's mailbox, id escaped as a client would.
func msgPath(id string) string { return "/v1.0/me/messages/" + url.PathEscape(id) }

func TestMessageSelectExpand(t *testing.T) {
	s := start(t)
	const id = "AAMk/AGI+2-x_y=="
	s.AddMessage(oid, id, sample(t))
	a := get(t, s, msgPath(id)+"?%24select=subject,body,toRecipients,internetMessageHeaders&%24expand="+
		url.QueryEscape("attachments($select=id,name,contentType,size,isInline)"),
		map[string]string{"Prefer": `IdType="ImmutableId", outlook.body-content-type="text"`})
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	j := a.json
	if j["id"] != id || j["subject"] != "Emne" {
		t.Errorf("id/subject = %v %v", j["id"], j["subject"])
	}
	if _, ok := j["from"]; ok {
		t.Error("from returned without being selected")
	}
	body := j["body"].(map[string]any)
	if body["contentType"] != "text" || body["content"] != "Hej Borger\nHilsen" {
		t.Errorf("body = %v", body)
	}
	if a.header.Get("Preference-Applied") == "" {
		t.Error("no Preference-Applied")
	}
	hs := j["internetMessageHeaders"].([]any)
	if len(hs) != 1 || hs[0].(map[string]any)["name"] != "X-Sendevagt-Route" {
		t.Errorf("headers = %v", hs)
	}
	atts := j["attachments"].([]any)
	if len(atts) != 2 {
		t.Fatalf("attachments = %v", atts)
	}
	file, item := atts[0].(map[string]any), atts[1].(map[string]any)
	if file["@odata.type"] != kindFile || file["name"] != "brev.pdf" || file["size"] != float64(13) {
		t.Errorf("file = %v", file)
	}
	if _, ok := file["contentBytes"]; ok {
		t.Error("contentBytes in a $select without it")
	}
	if item["@odata.type"] != kindItem || item["contentType"] != nil || item["item"] != nil {
		t.Errorf("item = %v", item)
	}

	// Without Prefer text the HTML stays; without $expand no attachments.
	a = get(t, s, msgPath(id), nil)
	if b := a.json["body"].(map[string]any); b["contentType"] != "html" {
		t.Errorf("body without Prefer = %v", b)
	}
	if _, ok := a.json["attachments"]; ok {
		t.Error("attachments without $expand")
	}
	if a.json["from"] == nil || a.json["hasAttachments"] != true {
		t.Errorf("default properties = %v", a.json)
	}

	// An unknown property is a 400, as Graph answers.
	a = get(t, s, msgPath(id)+"?$select=subject,nonsense", nil)
	if a.status != 400 || errorCode(a) == "" {
		t.Errorf("unknown $select: %d %s", a.status, a.body)
	}
}

func TestAttachments(t *testing.T) {
	s := start(t)
	const id = "AAMk=att"
	s.AddMessage(oid, id, sample(t))
	s.AddReferenceAttachment(oid, id, "Link.docx", "https://example.sharepoint.com/x")
	list := get(t, s, msgPath(id)+"?$expand=attachments", nil).json["attachments"].([]any)
	if len(list) != 3 {
		t.Fatalf("attachments = %v", list)
	}
	ids := make([]string, 3)
	for i, a := range list {
		ids[i] = a.(map[string]any)["id"].(string)
	}
	if !strings.ContainsAny(ids[0], "=-_") {
		t.Logf("id %q", ids[0])
	}
	attPath := func(i int) string { return msgPath(id) + "/attachments/" + url.PathEscape(ids[i]) }

	file := get(t, s, attPath(0), nil)
	raw, err := base64.StdEncoding.DecodeString(file.json["contentBytes"].(string))
	if err != nil || string(raw) != "%PDF-1.4 brev" || file.json["contentType"] != "application/pdf" {
		t.Errorf("file = %v (%v)", file.json, err)
	}
	value := get(t, s, attPath(0)+"/$value", nil)
	if value.status != 200 || string(value.body) != "%PDF-1.4 brev" || value.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("$value = %d %q %q", value.status, value.body, value.header.Get("Content-Type"))
	}

	plain := get(t, s, attPath(1), nil)
	if plain.json["item"] != nil {
		t.Error("item expanded without $expand")
	}
	exp := get(t, s, attPath(1)+"?$expand=microsoft.graph.itemattachment/item", nil)
	item, _ := exp.json["item"].(map[string]any)
	if item == nil || item["@odata.type"] != "#microsoft.graph.message" || item["subject"] != "Indre" {
		t.Fatalf("expanded = %v", exp.json)
	}
	nested := item["attachments"].([]any)
	if len(nested) != 2 {
		t.Fatalf("nested = %v", nested)
	}
	dyb := nested[0].(map[string]any)
	if b, _ := base64.StdEncoding.DecodeString(dyb["contentBytes"].(string)); string(b) != "dyb" {
		t.Errorf("nested file = %v", dyb)
	}
	deeper := nested[1].(map[string]any)["item"].(map[string]any)
	if deeper["subject"] != "Dybest" {
		t.Errorf("second level = %v", deeper)
	}
	mimeValue := get(t, s, attPath(1)+"/$value", nil)
	if m, err := message.Parse(mimeValue.body); err != nil || m.Subject != "Indre" {
		t.Errorf("item $value = %v %v", m, err)
	}

	ref := get(t, s, attPath(2), nil)
	if ref.json["@odata.type"] != kindReference || ref.json["name"] != "Link.docx" {
		t.Errorf("reference = %v", ref.json)
	}
	if a := get(t, s, attPath(2)+"/$value", nil); a.status != 405 || errorCode(a) == "" {
		t.Errorf("reference $value = %d %s", a.status, a.body)
	}
	if a := get(t, s, msgPath(id)+"/attachments/nope", nil); a.status != 404 || errorCode(a) != "ErrorItemNotFound" {
		t.Errorf("missing attachment = %d %s", a.status, a.body)
	}

	ops := map[string]int{}
	for _, r := range s.Requests() {
		ops[r.Op]++
	}
	if ops["item"] != 1 || ops["attachment_value"] != 3 || ops["attachment"] != 4 || ops["message"] != 1 {
		t.Errorf("ops = %v", ops)
	}
}

func TestAuthAndRoutes(t *testing.T) {
	s := start(t)
	s.AddMessage("Delt@Kommune.example", "m1", sample(t))
	s.AddMessage(oid, "m2", sample(t))
	tests := []struct {
		name       string
		path       string
		auth       string
		wantStatus int
		wantCode   string
	}{
		{"no token", "/v1.0/me/messages/m2", "", 401, "InvalidAuthenticationToken"},
		{"unknown token", "/v1.0/me/messages/m2", "Bearer other", 401, "InvalidAuthenticationToken"},
		{"me is the token's user", "/v1.0/me/messages/m2", "Bearer " + token, 200, ""},
		{"shared mailbox, any case", "/v1.0/users/delt@kommune.example/messages/m1", "Bearer " + token, 200, ""},
		{"escaped UPN", "/v1.0/users/delt%40kommune.example/messages/m1", "Bearer " + token, 200, ""},
		{"other mailbox", "/v1.0/users/x@example.dk/messages/m1", "Bearer " + token, 404, "ErrorItemNotFound"},
		{"unknown segment", "/v1.0/me/events/m1", "Bearer " + token, 400, "BadRequest"},
		{"no version", "/me/messages/m2", "Bearer " + token, 400, "BadRequest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+tc.path, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			a := do(t, s, req)
			if a.status != tc.wantStatus || errorCode(a) != tc.wantCode {
				t.Errorf("%d %q, want %d %q: %s", a.status, errorCode(a), tc.wantStatus, tc.wantCode, a.body)
			}
			if a.status == 401 && a.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if a.status >= 400 && !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Errorf("error Content-Type = %q", a.header.Get("Content-Type"))
			}
		})
	}
	if got := s.Requests()[2]; got.Mailbox != oid || got.Op != "message" || got.Status != 200 {
		t.Errorf("recorded = %+v", got)
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		inject func(s *Server)
		want   []int // statuses of consecutive GETs of message m
	}{
		{"throttle twice", func(s *Server) { s.Throttle("m", 2, "3") }, []int{429, 429, 200}},
		{"unsynced forever", func(s *Server) { s.Unsynced("m", -1) }, []int{404, 404, 404, 404}},
		{"unsynced once", func(s *Server) { s.Unsynced("m", 1) }, []int{404, 200}},
		{"fail", func(s *Server) { s.Fail("m", 1, 503) }, []int{503, 200}},
		{"global fail", func(s *Server) { s.Fail("", 2, 500) }, []int{500, 500, 200}},
		{"other message untouched", func(s *Server) { s.Fail("x", -1, 500) }, []int{200}},
		{"throttle before failure", func(s *Server) { s.Fail("m", 1, 500); s.Throttle("m", 1, "") }, []int{429, 500, 200}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t)
			s.AddMessage(oid, "m", sample(t))
			tc.inject(s)
			for i, want := range tc.want {
				a := get(t, s, msgPath("m"), nil)
				if a.status != want {
					t.Fatalf("GET %d: status %d, want %d", i, a.status, want)
				}
				if a.status == 429 {
					if errorCode(a) != "ApplicationThrottled" {
						t.Errorf("429 code %q", errorCode(a))
					}
					if tc.name == "throttle twice" && a.header.Get("Retry-After") != "3" {
						t.Errorf("Retry-After = %q", a.header.Get("Retry-After"))
					}
				}
				if a.status == 404 && errorCode(a) != "ErrorItemNotFound" {
					t.Errorf("404 code %q", errorCode(a))
				}
			}
		})
	}
}

func TestFailAttachment(t *testing.T) {
	s := start(t)
	s.AddMessage(oid, "m", sample(t))
	s.FailAttachment("m", "brev.pdf", 500)
	list := get(t, s, msgPath("m")+"?$expand=attachments", nil).json["attachments"].([]any)
	id0 := url.PathEscape(list[0].(map[string]any)["id"].(string))
	id1 := url.PathEscape(list[1].(map[string]any)["id"].(string))
	for _, p := range []string{"/attachments/" + id0, "/attachments/" + id0 + "/$value"} {
		if a := get(t, s, msgPath("m")+p, nil); a.status != 500 {
			t.Errorf("%s: %d", p, a.status)
		}
	}
	if a := get(t, s, msgPath("m")+"/attachments/"+id1, nil); a.status != 200 {
		t.Errorf("other attachment: %d", a.status)
	}
	s.FailAttachment("m", "brev.pdf", 0)
	if a := get(t, s, msgPath("m")+"/attachments/"+id0, nil); a.status != 200 {
		t.Errorf("after clearing: %d", a.status)
	}
}

func TestConcurrencyTracking(t *testing.T) {
	s := start(t)
	s.AddMessage(oid, "m", sample(t))
	s.SetDelay(300 * time.Millisecond)
	run := func(n int) map[int]int {
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := get(t, s, msgPath("m"), nil)
				mu.Lock()
				statuses[a.status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return statuses
	}
	if st := run(6); st[200] != 6 {
		t.Errorf("statuses = %v", st)
	}
	if got := s.MaxConcurrent(strings.ToUpper(oid)); got != 6 {
		t.Errorf("MaxConcurrent = %d, want 6", got)
	}
	s.ResetRequests()
	s.LimitConcurrency(4)
	st := run(6)
	if st[200] != 4 || st[429] != 2 {
		t.Errorf("with limit 4: statuses = %v", st)
	}
}

func TestGzipBodyAndMethod(t *testing.T) {
	s := start(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(`{"InputIds":["x"]}`))
	_ = zw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1.0/me/messages/m", &buf)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Encoding", "gzip")
	a := do(t, s, req)
	if a.status != 405 {
		t.Errorf("POST: %d %s", a.status, a.body)
	}
	if r := s.Requests()[0]; !r.Gzip || r.Method != http.MethodPost {
		t.Errorf("recorded = %+v", r)
	}
	req, _ = http.NewRequest(http.MethodPost, s.URL+"/v1.0/me/messages/m", strings.NewReader("not gzip"))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Encoding", "gzip")
	if a := do(t, s, req); a.status != 400 {
		t.Errorf("bad gzip: %d", a.status)
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>Hej <b>Anna</b></p><p>Farvel</p>", "Hej Anna\nFarvel"},
		{"<b>Ann</b>a", "Anna"},
		{"Linje 1<br>Linje 2", "Linje 1\nLinje 2"},
		{"<style>p{}</style><script>x</script>Tekst &amp; mere", "Tekst & mere"},
		{"<table><tr><td>CPR</td><td>010190-0000</td></tr></table>", "CPR\t010190-0000"},
		{"  mange   mellemrum\n\n her ", "mange mellemrum her"},
	}
	for _, tc := range tests {
		if got := htmlToText(tc.in); got != tc.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestJoinBodies(t *testing.T) {
	tests := []struct {
		bodies           []message.Body
		wantType, wantIn string
	}{
		{[]message.Body{{ContentType: "text/plain", Content: "a"}, {ContentType: "text/plain", Content: "b"}}, "text", "a\n\nb"},
		{[]message.Body{{ContentType: "text/plain", Content: "a<b"}, {ContentType: "text/html", Content: "<i>c</i>"}}, "html", "a&lt;b"},
		{nil, "text", ""},
	}
	for _, tc := range tests {
		typ, content := joinBodies(tc.bodies)
		if typ != tc.wantType || !strings.Contains(content, tc.wantIn) {
			t.Errorf("joinBodies(%v) = %q %q", tc.bodies, typ, content)
		}
	}
}

func TestMailboxAlias(t *testing.T) {
	s := start(t)
	const upn = "Sagsbehandler@Kommune.example"
	s.AddMessage(upn, "before", sample(t))
	s.AddMailboxAlias(oid, upn)
	s.AddMessage(upn, "after", sample(t))
	for _, p := range []string{"/v1.0/me/messages/before", "/v1.0/me/messages/after",
		"/v1.0/users/" + upn + "/messages/before", "/v1.0/users/" + strings.ToUpper(oid) + "/messages/after"} {
		if a := get(t, s, p, nil); a.status != 200 {
			t.Errorf("%s: %d", p, a.status)
		}
	}
	if s.MaxConcurrent(upn) != 1 || s.MaxConcurrent(oid) != 1 {
		t.Errorf("MaxConcurrent = %d/%d", s.MaxConcurrent(upn), s.MaxConcurrent(oid))
	}
}
