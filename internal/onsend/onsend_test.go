package onsend

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/graph"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

type fakeRecorder struct {
	mu     sync.Mutex
	events []audit.Event
	err    error
}

func (r *fakeRecorder) Record(_ context.Context, e audit.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return r.err
}

type staticPolicy struct{ p *policy.Policy }

func (s staticPolicy) Current() (*policy.Policy, int) { return s.p, 7 }

type fakeFetcher struct {
	msg  *message.Message
	err  error
	got  graph.User
	box  string
	item string
}

func (f *fakeFetcher) FetchMessage(_ context.Context, u graph.User, mailbox, itemID string) (*message.Message, error) {
	f.got, f.box, f.item = u, mailbox, itemID
	return f.msg, f.err
}

// A synthetic letter to Jens Hansen with his CPR number.
const letter = `Jens Hansen
Vestergade 12
8000 Aarhus C

CPR-nr.: 010190-1234

Kære Jens Hansen

Du får hermed afgørelse om din ansøgning om hjælp til medicin.

Med venlig hilsen
Jonas Hassan`

var user = &auth.User{TenantID: "t1", ObjectID: "o1", UPN: "jonas.hassan@aarhus.dk", Token: "secret-token"}

func newService(t *testing.T, f Fetcher, rec *fakeRecorder) *Service {
	t.Helper()
	pol := policy.Default()
	pol.Secure.AddSubjectTag = true
	return newPolicyService(t, pol, f, rec)
}

func inlineLetter(to string, attName string) *Request {
	name := "Jens Hansen"
	if strings.HasPrefix(to, "karen") {
		name = "Karen Olsen"
	}
	return &Request{
		Subject:    "Afgørelse",
		From:       &Address{Address: "jonas.hassan@aarhus.dk"},
		Recipients: Recipients{To: []Address{{Name: name, Address: to}}},
		Inline: &Inline{
			Body: &InlineBody{ContentType: "html", Content: "<p>Hej Jens, se vedhæftede.</p>"},
			Attachments: []InlineAttachment{
				{Name: attName, ContentType: "text/plain", ContentBase64: b64(letter)},
			},
		},
	}
}

func TestCheckInline(t *testing.T) {
	rec := &fakeRecorder{}
	svc := newService(t, nil, rec)
	tests := []struct {
		name   string
		to     string
		action policy.Action
		code   string
	}{
		{"own letter to the citizen", "jens.hansen@gmail.com", policy.Secure, policy.CodePersonalPlain},
		{"letter to another citizen", "karen.olsen@gmail.com", policy.Block, policy.CodeDifferentCitizen},
		{"internal colleague", "kollega@aarhus.dk", policy.Allow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := svc.Check(context.Background(), user, inlineLetter(tt.to, "Afgørelse Jens Hansen 010190-1234.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Action != tt.action {
				t.Fatalf("action %s %+v, want %s", resp.Action, resp.Reasons, tt.action)
			}
			if tt.code != "" && (len(resp.Reasons) == 0 || resp.Reasons[0].Code != tt.code) {
				t.Errorf("reasons %+v, want first %s", resp.Reasons, tt.code)
			}
			if (resp.Secure != nil) != (tt.action == policy.Secure) {
				t.Errorf("secure block %+v for action %s", resp.Secure, resp.Action)
			}
			if resp.Secure != nil && (resp.Secure.Header.Name != "X-Sendevagt-Route" || resp.Secure.Header.Value != "secure" || resp.Secure.SubjectTag != "[sikker]") {
				t.Errorf("secure marking %+v", resp.Secure)
			}
			for _, f := range resp.Findings {
				if strings.Contains(f.Masked, "1234") || strings.Contains(f.Masked, "Jens") || strings.Contains(f.Masked, "medicin") {
					t.Errorf("a value in a finding: %+v", f)
				}
			}
			if tt.action != policy.Allow && (resp.Message == "" || resp.MessageMarkdown == "") {
				t.Error("no pop-up text")
			}
			// The persons carry the evidence, masked: a block names a person clearly someone else.
			// (The document name is the sender's own file name, as in the findings; the audit
			// keeps it redacted.)
			var masked []any
			for _, p := range resp.Persons {
				masked = append(masked, p.Identifier, p.Why, p.Relations)
			}
			raw, _ := json.Marshal(masked)
			for _, bad := range []string{"010190-1234", "0101901234", "Jens Hansen"} {
				if strings.Contains(string(raw), bad) {
					t.Errorf("a value in the persons: %s", raw)
				}
			}
			if tt.action == policy.Block {
				different := false
				for _, p := range resp.Persons {
					for _, r := range p.Relations {
						if r.Relation == "different" && r.Why != "" && len(p.Why) > 0 {
							different = true
						}
					}
				}
				if !different {
					t.Errorf("a block without a person explained as someone else: %s", raw)
				}
			}
		})
	}
	if len(rec.events) != len(tests) {
		t.Fatalf("%d audit events, want %d", len(rec.events), len(tests))
	}
	ev := rec.events[0]
	raw, _ := json.Marshal(ev)
	for _, bad := range []string{"010190-1234", "0101901234", "Jens Hansen", "jens.hansen@", "secret-token", "medicin"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("the audit event holds %q: %s", bad, raw)
		}
	}
	if ev.TenantID != "t1" || ev.ObjectID != "o1" || ev.UPN != user.UPN || ev.Source != "inline" || ev.PolicyVersion != 7 ||
		ev.Action != "secure" || len(ev.IdentifierHashes) != 1 || strings.Join(ev.RecipientDomains, ",") != "gmail.com" {
		t.Errorf("audit event %+v", ev)
	}
	var att *audit.Document
	for i := range ev.Documents {
		if strings.HasPrefix(ev.Documents[i].Name, "Afgørelse") {
			att = &ev.Documents[i]
		}
	}
	if att == nil || att.Name != "Afgørelse J. H. 010190-xxxx.txt" || len(att.Findings) == 0 {
		t.Fatalf("attachment in the audit: %+v", att)
	}
	if len(att.Persons) == 0 || att.Persons[0].Evidence == "" || len(att.Persons[0].Relations) != 1 {
		t.Errorf("the audit keeps no person with its evidence: %+v", att.Persons)
	}
	// The hash of one citizen's CPR number is the same in every event: the DPO can search it.
	if rec.events[1].IdentifierHashes[0] != ev.IdentifierHashes[0] {
		t.Error("the same CPR number hashed differently")
	}
}

func b64(s string) Content { return Content{Data: []byte(s), Present: true} }

func TestInlineAttachments(t *testing.T) {
	body := `{"inline":{"attachments":[
		{"name":"ok.txt","contentBase64":"` + base64.StdEncoding.EncodeToString([]byte("hej")) + `"},
		{"name":"urlsafe.bin","contentBase64":"` + base64.RawURLEncoding.EncodeToString([]byte{0xfb, 0xff}) + `"},
		{"name":"broken.pdf","contentBase64":"!!!not base64!!!"},
		{"name":"big.zip","size":94371840,"omitted":"too_large"},
		{"name":"Budget.xlsx","attachmentType":"cloud"},
		{"name":"","contentBase64":"eA\u003d\u003d"},
		{"name":"lines.txt","contentBase64":"aGVq\r\nZGV0\n"},
		{"name":"image001.png","contentType":"image/png","isInline":true,"contentBase64":"iVBORw=="}
	]}}`
	var req Request
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"inline":{"attachments":[{"contentBase64":5}]}}`), &Request{}); err == nil {
		t.Error("a number as content was accepted")
	}
	m := req.inlineMessage()
	want := []struct{ name, ct, unread string }{
		{"ok.txt", "text/plain", ""},
		{"urlsafe.bin", "application/octet-stream", ""},
		{"broken.pdf", "application/pdf", "unscannable"},
		{"big.zip", "application/zip", "too_large"},
		{"Budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "unsupported"},
		{"vedhæftning 6", "application/octet-stream", ""},
		{"lines.txt", "text/plain", ""},
		{"image001.png", "image/png", ""},
	}
	if len(m.Attachments) != len(want) {
		t.Fatalf("%d attachments", len(m.Attachments))
	}
	for i, w := range want {
		a := m.Attachments[i]
		st := ""
		if a.Unread != nil {
			st = a.Unread.Status
		}
		if a.Name != w.name || a.ContentType != w.ct || st != w.unread {
			t.Errorf("attachment %d: %q %q unread=%q, want %+v", i, a.Name, a.ContentType, st, w)
		}
	}
	if string(m.Attachments[1].Data) != "\xfb\xff" || string(m.Attachments[5].Data) != "x" || string(m.Attachments[6].Data) != "hejdet" {
		t.Errorf("decoded %q %q %q", m.Attachments[1].Data, m.Attachments[5].Data, m.Attachments[6].Data)
	}
	for i, a := range m.Attachments {
		if a.Inline != (a.Name == "image001.png") {
			t.Errorf("attachment %d %q: inline %v", i, a.Name, a.Inline)
		}
	}
}

func TestInlineAttachmentsFromParts(t *testing.T) {
	body := `{"inline":{"attachments":[
		{"name":"a.pdf","contentType":"application/pdf","part":"p0"},
		{"name":"b.pdf","contentType":"application/pdf","part":"gone"},
		{"name":"empty.txt","part":"p1"},
		{"name":"c.txt","contentBase64":"aGVq"}
	]}}`
	var req Request
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	if err := req.BindParts(map[string][]byte{"p0": []byte("%PDF-1.7"), "p1": {}, "unused": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	m := req.inlineMessage()
	want := []struct{ data, unread, detail string }{
		{"%PDF-1.7", "", ""},
		{"", "unscannable", "content part missing from the request"},
		{"", "unscannable", "content not sent by the add-in"},
		{"hej", "", ""},
	}
	for i, w := range want {
		a := m.Attachments[i]
		st, detail := "", ""
		if a.Unread != nil {
			st, detail = a.Unread.Status, a.Unread.Detail
		}
		if string(a.Data) != w.data || st != w.unread || detail != w.detail {
			t.Errorf("attachment %d: %q unread=%q %q, want %+v", i, a.Data, st, detail, w)
		}
	}
	both := Request{Inline: &Inline{Attachments: []InlineAttachment{{Name: "x", Part: "p", ContentBase64: Content{Present: true, Data: []byte("x")}}}}}
	if err := both.BindParts(map[string][]byte{"p": []byte("y")}); err == nil {
		t.Error("an attachment with both base64 and a part was accepted")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		ok   bool
	}{
		{"item id", Request{ItemID: "AAMk"}, true},
		{"inline", Request{Inline: &Inline{}}, true},
		{"nothing", Request{}, false},
		{"bad recipient", Request{ItemID: "x", Recipients: Recipients{Cc: []Address{{Address: "no-at-sign"}}}}, false},
		{"bad body type", Request{Inline: &Inline{Body: &InlineBody{ContentType: "rtf"}}}, false},
		{"long subject", Request{ItemID: "x", Subject: strings.Repeat("a", 5000)}, true},
		{"many recipients", Request{ItemID: "x", Recipients: Recipients{To: make1500()}}, true},
	}
	for _, tt := range tests {
		err := tt.req.validate(DefaultLimits)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: code %s", tt.name, apperr.CodeOf(err))
		}
	}
}

func TestCheckGraph(t *testing.T) {
	m := &message.Message{
		From:        message.Address{Address: "jonas.hassan@aarhus.dk"},
		Subject:     "gammelt emne",
		To:          []message.Address{{Address: "old@example.com"}},
		Attachments: []message.Attachment{{Name: "brev.txt", ContentType: "text/plain", Data: []byte(letter)}},
	}
	f := &fakeFetcher{msg: m}
	rec := &fakeRecorder{}
	svc := newService(t, f, rec)
	req := &Request{ItemID: "AAMkID=", Mailbox: "JONAS.HASSAN@aarhus.dk", Subject: "Afgørelse",
		Recipients: Recipients{To: []Address{{Name: "Karen Olsen", Address: "karen.olsen@gmail.com"}}}}
	resp, err := svc.Check(context.Background(), user, req)
	if err != nil {
		t.Fatal(err)
	}
	if f.item != "AAMkID=" || f.box != "" || f.got.Assertion != "secret-token" || f.got.TenantID != "t1" {
		t.Errorf("fetch called with %+v %q %q", f.got, f.box, f.item)
	}
	if resp.Action != policy.Block || resp.ResendInline {
		t.Errorf("the compose window's recipient was not used: %s %+v", resp.Action, resp.Reasons)
	}
	if rec.events[0].Source != "graph" {
		t.Errorf("source %q", rec.events[0].Source)
	}

	failures := []struct {
		err  error
		code string
	}{
		{graph.ErrNotSynced, CodeNotSynced},
		{graph.ErrThrottled, CodeFetchFailed},
		{graph.ErrUnavailable, CodeFetchFailed},
		{graph.ErrConsent, CodeFetchFailed},
		{fmt.Errorf("fetch: %w", context.DeadlineExceeded), CodeFetchFailed},
	}
	for _, tt := range failures {
		f.err, f.msg = tt.err, nil
		resp, err := svc.Check(context.Background(), user, req)
		if err != nil {
			t.Fatalf("%v: %v", tt.err, err)
		}
		if resp.Action != policy.Warn || !resp.ResendInline || len(resp.Reasons) != 1 || resp.Reasons[0].Code != tt.code || resp.Message == "" {
			t.Errorf("%v: %+v", tt.err, resp)
		}
		last := rec.events[len(rec.events)-1]
		if last.Error == "" || last.Action != "warn" || last.Reasons[0] != tt.code || strings.Join(last.RecipientDomains, ",") != "gmail.com" {
			t.Errorf("%v: audit %+v", tt.err, last)
		}
	}
}

func TestCheckWithoutGraph(t *testing.T) {
	svc := newService(t, nil, &fakeRecorder{})
	_, err := svc.Check(context.Background(), user, &Request{ItemID: "AAMk"})
	if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), "inline") {
		t.Errorf("err %v", err)
	}
}

func TestAuditFailureStillAnswers(t *testing.T) {
	rec := &fakeRecorder{err: errors.New("disk full")}
	svc := newService(t, nil, rec)
	resp, err := svc.Check(context.Background(), user, inlineLetter("karen.olsen@gmail.com", "brev.txt"))
	if err != nil || resp.Action != policy.Block {
		t.Fatalf("%v %+v", err, resp)
	}
}

func TestPopup(t *testing.T) {
	long := strings.Repeat("æ", 480)
	v := policy.Verdict{Action: policy.Block, Reasons: []policy.Reason{
		{Code: "a", Message: "Første *vigtige* grund i brev_1_.pdf"}, {Code: "b", Message: long}, {Code: "c", Message: "c"}, {Code: "d", Message: "d"}, {Code: "e", Message: "e"},
	}}
	plain, md := popup(v)
	for _, s := range []string{plain, md} {
		if n := len([]rune(s)); n > MaxMessage {
			t.Errorf("%d characters", n)
		}
	}
	if !strings.HasPrefix(plain, "Første *vigtige* grund") || !strings.HasPrefix(md, `**Første \*vigtige\* grund i brev\_1\_.pdf**`) {
		t.Errorf("plain %q\nmarkdown %q", plain[:40], md[:50])
	}
	if !strings.HasSuffix(plain, "…") {
		t.Error("cut text has no ellipsis")
	}
	if p, m := popup(policy.Verdict{Action: policy.Allow}); p != "" || m != "" {
		t.Error("allow has a message")
	}
}

func TestSMIMEHeader(t *testing.T) {
	for ct, want := range map[string]bool{
		`application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"`: true,
		`application/pkcs7-mime; smime-type=signed-data`:                      false,
		`multipart/mixed; boundary=x`:                                         false,
		``:                                                                    false,
	} {
		if got := smimeEncrypted(ct); got != want {
			t.Errorf("%q: %v", ct, got)
		}
	}
}

// FuzzContent: any JSON string decodes without a panic, and valid base64 round-trips.
func FuzzContent(f *testing.F) {
	for _, s := range []string{"", "eA", "eA==", "aGVq\r\nZGV0", "!!", "-_-_", "====", "a"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Content
		q, _ := json.Marshal(string(data))
		if err := c.UnmarshalJSON(q); err != nil {
			t.Fatalf("string content refused: %v", err)
		}
		enc, _ := json.Marshal(base64.StdEncoding.EncodeToString(data))
		if err := c.UnmarshalJSON(enc); err != nil || c.Invalid || string(c.Data) != string(data) {
			t.Fatalf("round trip of %q: %v %+v", data, err, c)
		}
	})
}

func make1500() []Address {
	out := make([]Address, 1500)
	for i := range out {
		out[i] = Address{Address: fmt.Sprintf("borger%d@example.com", i)}
	}
	return out
}

// A list of hundreds of citizens: the audit event keeps every CPR number's keyed hash (the DPO
// finds each citizen) but lists findings and persons only up to the audit's limits, counting
// the rest.
func TestAuditOfALongList(t *testing.T) {
	rec := &fakeRecorder{}
	svc := newService(t, nil, rec)
	citizens := testgen.Citizens(audit.MaxDocumentFindings+150, 42)
	var list strings.Builder
	list.WriteString("Navn\tCPR-nr.\tYdelse\n")
	distinct := map[string]bool{}
	for _, c := range citizens {
		fmt.Fprintf(&list, "%s %s\t%s\tsygedagpenge\n", c.FirstName, c.LastName, c.CPR)
		distinct[c.CPR] = true
	}
	req := inlineLetter("kollega@gmail.com", "Liste.txt")
	req.Inline.Attachments[0].ContentBase64 = b64(list.String())
	if _, err := svc.Check(context.Background(), user, req); err != nil {
		t.Fatal(err)
	}
	ev := rec.events[0]
	if len(ev.IdentifierHashes) != len(distinct) {
		t.Errorf("%d identifier hashes, want one per CPR number (%d)", len(ev.IdentifierHashes), len(distinct))
	}
	var doc *audit.Document
	for i := range ev.Documents {
		if ev.Documents[i].Name == "Liste.txt" {
			doc = &ev.Documents[i]
		}
	}
	if doc == nil {
		t.Fatalf("no list in %+v", ev.Documents)
	}
	if len(doc.Findings) != audit.MaxDocumentFindings || doc.FindingsOmitted < 150 {
		t.Errorf("%d findings listed, %d omitted; want %d listed and the rest counted", len(doc.Findings), doc.FindingsOmitted, audit.MaxDocumentFindings)
	}
	if len(doc.Persons) != audit.MaxDocumentPersons || doc.PersonsOmitted == 0 {
		t.Errorf("%d persons listed, %d omitted; want %d listed and the rest counted", len(doc.Persons), doc.PersonsOmitted, audit.MaxDocumentPersons)
	}
	if err := audit.ValidateEvent(ev); err != nil {
		t.Error(err)
	}
}
