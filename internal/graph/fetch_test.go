package graph

import (
	"bytes"
	"context"
	"errors"
	"html"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/message"

	"github.com/sendevagt/sendevagt/internal/testenv"
)

// TestCorpusRoundTrip stores every corpus message in the fake Graph as Exchange would and reads
// it back: envelope, body text, custom headers and attachments (attached mails by content).
func TestCorpusRoundTrip(t *testing.T) {
	dir := filepath.Join(testenv.CorpusDir(t), "cases")
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no messages in %s", dir)
	}
	e := newEnv(t, Limits{})
	for i, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := message.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			// Exchange-style opaque ids with characters that need escaping.
			id := "AAMkAGI2=" + strings.Repeat("-_", i%3) + filepath.Base(file) + "/+=="
			e.fg.AddMessage(testOID, id, want)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := e.client.FetchMessage(ctx, e.user, "", id)
			if err != nil {
				t.Fatal(err)
			}
			compareEnvelope(t, want, got)
			compareBody(t, want, got)
			if v := want.Header.Get("X-Sendevagt-Route"); got.Header.Get("X-Sendevagt-Route") != v {
				t.Errorf("X-Sendevagt-Route = %q, want %q", got.Header.Get("X-Sendevagt-Route"), v)
			}
			compareAttachments(t, want.Attachments, got.Attachments, 0)
		})
	}
	assertImmutableIDs(t, e)
}

// assertImmutableIDs checks that every request the fake saw asked for immutable ids.
func assertImmutableIDs(t *testing.T, e *env) {
	t.Helper()
	ops := map[string]int{}
	for _, r := range e.fg.Requests() {
		ops[r.Op]++
		if !strings.Contains(r.Prefer, `IdType="ImmutableId"`) {
			t.Errorf("%s %s: Prefer = %q", r.Op, r.Path, r.Prefer)
		}
	}
	t.Logf("requests by op: %v", ops)
}

func compareEnvelope(t *testing.T, want, got *message.Message) {
	t.Helper()
	if got.Subject != want.Subject {
		t.Errorf("subject = %q, want %q", got.Subject, want.Subject)
	}
	if got.From != trimmed(want.From) {
		t.Errorf("from = %+v, want %+v", got.From, want.From)
	}
	for _, l := range []struct {
		name      string
		got, want []message.Address
	}{{"to", got.To, want.To}, {"cc", got.Cc, want.Cc}, {"bcc", got.Bcc, want.Bcc}} {
		if len(l.got) != len(l.want) {
			t.Errorf("%s = %+v, want %+v", l.name, l.got, l.want)
			continue
		}
		for i := range l.got {
			if l.got[i] != trimmed(l.want[i]) {
				t.Errorf("%s[%d] = %+v, want %+v", l.name, i, l.got[i], l.want[i])
			}
		}
	}
}

func trimmed(a message.Address) message.Address {
	return message.Address{Name: strings.TrimSpace(a.Name), Address: strings.TrimSpace(a.Address)}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// compareBody checks the one text body Graph gives under Prefer body-content-type text.
func compareBody(t *testing.T, want, got *message.Message) {
	t.Helper()
	if len(want.Bodies) == 0 {
		return
	}
	if len(got.Bodies) != 1 || got.Bodies[0].ContentType != "text/plain" {
		t.Fatalf("bodies = %+v, want one text/plain body", got.Bodies)
	}
	anyHTML := false
	parts := make([]string, 0, len(want.Bodies))
	for _, b := range want.Bodies {
		parts = append(parts, b.Content)
		anyHTML = anyHTML || b.ContentType == "text/html"
	}
	if !anyHTML {
		if w := strings.Join(parts, "\n\n"); got.Bodies[0].Content != w {
			t.Errorf("body = %q, want %q", got.Bodies[0].Content, w)
		}
		return
	}
	// HTML turned into text by Graph: the same characters, whitespace aside.
	w := squash(html.UnescapeString(tagRE.ReplaceAllString(strings.Join(parts, ""), "")))
	if g := squash(got.Bodies[0].Content); g != w {
		t.Errorf("body text = %q, want %q", g, w)
	}
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

// compareAttachments compares attachments by name, type and bytes; attached mails by content.
func compareAttachments(t *testing.T, want, got []message.Attachment, depth int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("depth %d: %d attachments, want %d: %v", depth, len(got), len(want), names(got))
	}
	for i, w := range want {
		g := got[i]
		if g.Unread != nil {
			t.Errorf("attachment %q unread: %+v", g.Name, g.Unread)
			continue
		}
		if w.ContentType == "message/rfc822" {
			if g.ContentType != "message/rfc822" || g.Name != withExtension(w.Name, ".eml") {
				t.Errorf("attached mail = %q %q, want %q", g.Name, g.ContentType, w.Name)
				continue
			}
			wm, gm := attachedMessage(t, w), attachedMessage(t, g)
			compareEnvelope(t, wm, gm)
			if squash(bodyText(gm)) != squash(bodyText(wm)) {
				t.Errorf("attached mail body = %q, want %q", bodyText(gm), bodyText(wm))
			}
			compareAttachments(t, wm.Attachments, gm.Attachments, depth+1)
			continue
		}
		if g.Name != w.Name || g.ContentType != w.ContentType || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("attachment %d = %q %q %d bytes, want %q %q %d bytes", i, g.Name, g.ContentType, len(g.Data), w.Name, w.ContentType, len(w.Data))
		}
	}
}

// attachedMessage is the mail an attachment holds: the converted message, or the parsed bytes
// of a test's MIME attachment.
func attachedMessage(t *testing.T, a message.Attachment) *message.Message {
	t.Helper()
	if a.Message != nil {
		if len(a.Data) != 0 {
			t.Errorf("attached mail %q has both a message and %d bytes", a.Name, len(a.Data))
		}
		return a.Message
	}
	m, err := message.Parse(a.Data)
	if err != nil {
		t.Fatalf("attached mail %q does not parse: %v", a.Name, err)
	}
	return m
}

func bodyText(m *message.Message) string {
	var parts []string
	for _, b := range m.Bodies {
		c := b.Content
		if b.ContentType == "text/html" {
			c = html.UnescapeString(tagRE.ReplaceAllString(c, ""))
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, "")
}

func names(list []message.Attachment) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Name
		if a.Unread != nil {
			out[i] += " (" + a.Unread.Status + ": " + a.Unread.Detail + ")"
		}
	}
	return out
}

func fetchAs(t *testing.T, e *env, mailbox, id string, timeout time.Duration) (*message.Message, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return e.client.FetchMessage(ctx, e.user, mailbox, id)
}

func mail(subject, body string, atts ...message.Attachment) *message.Message {
	return &message.Message{
		From:        message.Address{Name: "Sagsbehandler", Address: testUPN},
		To:          []message.Address{{Name: "Borger Testesen", Address: "borger@example.dk"}},
		Subject:     subject,
		Header:      textproto.MIMEHeader{"X-Sendevagt-Route": {"secure"}},
		Bodies:      []message.Body{{ContentType: "text/plain", Content: body}},
		Attachments: atts,
	}
}

func rfc822Attachment(t *testing.T, name string, m *message.Message) message.Attachment {
	t.Helper()
	return message.Attachment{Name: name, ContentType: "message/rfc822", Data: mustMIME(t, m)}
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed
	}
	return b
}

func TestNestedItemAttachments(t *testing.T) {
	innermost := mail("Inderst", "inderste tekst", message.Attachment{Name: "dybt.txt", ContentType: "text/plain", Data: []byte("dybt bilag")})
	middle := mail("Midt", "midterste tekst",
		message.Attachment{Name: "midt.pdf", ContentType: "application/pdf", Data: pattern(2000, 1)})
	tests := []struct {
		name     string
		maxDepth int
		check    func(t *testing.T, got *message.Message)
	}{
		{"two deep read", 5, func(t *testing.T, got *message.Message) {
			if len(got.Attachments) != 1 {
				t.Fatalf("attachments = %v", names(got.Attachments))
			}
			a := got.Attachments[0]
			if a.Name != "Midt.eml" || a.ContentType != "message/rfc822" || a.Unread != nil {
				t.Fatalf("attachment = %q %q %+v", a.Name, a.ContentType, a.Unread)
			}
			mid := attachedMessage(t, a)
			if mid.Subject != "Midt" || len(mid.Attachments) != 2 {
				t.Fatalf("middle = %q %v", mid.Subject, names(mid.Attachments))
			}
			if !bytes.Equal(mid.Attachments[0].Data, pattern(2000, 1)) {
				t.Errorf("midt.pdf differs")
			}
			inner := attachedMessage(t, mid.Attachments[1])
			if inner.Subject != "Inderst" || len(inner.Attachments) != 1 || string(inner.Attachments[0].Data) != "dybt bilag" {
				t.Fatalf("innermost = %q %v", inner.Subject, names(inner.Attachments))
			}
		}},
		{"deeper than MaxDepth", 1, func(t *testing.T, got *message.Message) {
			if len(got.Attachments) != 2 {
				t.Fatalf("attachments = %v", names(got.Attachments))
			}
			mid := attachedMessage(t, got.Attachments[0])
			if len(mid.Attachments) != 1 || mid.Attachments[0].Name != "midt.pdf" {
				t.Errorf("middle attachments = %v", names(mid.Attachments))
			}
			u := got.Attachments[1]
			if u.Name != "Midt.eml/Inderst.eml" || u.Unread == nil || u.Unread.Status != "unsupported" || !strings.Contains(u.Unread.Detail, "nested deeper than 1") {
				t.Errorf("unread = %q %+v", u.Name, u.Unread)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Limits{MaxDepth: tc.maxDepth})
			mid := *middle
			mid.Attachments = append(append([]message.Attachment(nil), middle.Attachments...), rfc822Attachment(t, "Inderst.eml", innermost))
			e.fg.AddMessage(testOID, "nested", mail("Ydre", "ydre", rfc822Attachment(t, "Midt", &mid)))
			got, err := fetchAs(t, e, "", "nested", 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, got)
			for _, r := range requestsFor(e.fg, "nested") {
				if r.Op == "item" && r.Query["$expand"][0] != "microsoft.graph.itemattachment/item" {
					t.Errorf("item expand = %q", r.Query["$expand"])
				}
			}
		})
	}
}

func TestReferenceAttachment(t *testing.T) {
	e := newEnv(t, Limits{})
	e.fg.AddMessage(testOID, "ref", mail("Link", "se link", message.Attachment{Name: "a.txt", ContentType: "text/plain", Data: []byte("a")}))
	if !e.fg.AddReferenceAttachment(testOID, "ref", "Budget.xlsx", "https://kommune.sharepoint.example/Budget.xlsx") {
		t.Fatal("message not found")
	}
	got, err := fetchAs(t, e, "", "ref", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 2 {
		t.Fatalf("attachments = %v", names(got.Attachments))
	}
	r := got.Attachments[1]
	if r.Name != "Budget.xlsx" || r.Unread == nil || r.Unread.Status != "unsupported" || r.Unread.Detail != detailReference || r.Data != nil {
		t.Errorf("reference = %q %+v", r.Name, r.Unread)
	}
	for _, req := range requestsFor(e.fg, "ref") {
		if req.Op != "message" && req.AttachmentID != "" && strings.Contains(req.Path, "Budget") {
			t.Errorf("reference attachment downloaded: %s", req.Path)
		}
	}
	if n := len(requestsFor(e.fg, "ref")); n != 2 {
		t.Errorf("%d requests, want 2 (message, a.txt)", n)
	}
}

func TestLargeAndTooLarge(t *testing.T) {
	lim := Limits{InlineAttachmentBytes: 1000, MaxAttachmentBytes: 50_000, MaxMessageBytes: 80_000}
	e := newEnv(t, lim)
	small := pattern(900, 1)
	large := pattern(40_000, 2)
	huge := pattern(60_000, 3)
	over := pattern(45_000, 4) // fits per attachment, not in what is left of the message budget
	e.fg.AddMessage(testOID, "big", mail("Store bilag", "se bilag",
		message.Attachment{Name: "small.bin", ContentType: "application/octet-stream", Data: small},
		message.Attachment{Name: "large.pdf", ContentType: "application/pdf", Data: large},
		message.Attachment{Name: "huge.pdf", ContentType: "application/pdf", Data: huge},
		message.Attachment{Name: "over.pdf", ContentType: "application/pdf", Data: over},
	))
	got, err := fetchAs(t, e, "", "big", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 4 {
		t.Fatalf("attachments = %v", names(got.Attachments))
	}
	if !bytes.Equal(got.Attachments[0].Data, small) || !bytes.Equal(got.Attachments[1].Data, large) {
		t.Errorf("small/large content differs")
	}
	if got.Attachments[1].ContentType != "application/pdf" {
		t.Errorf("large content type = %q", got.Attachments[1].ContentType)
	}
	for _, i := range []int{2, 3} {
		if u := got.Attachments[i].Unread; u == nil || u.Status != "too_large" || got.Attachments[i].Data != nil {
			t.Errorf("%s: unread = %+v", got.Attachments[i].Name, u)
		}
	}
	ops := map[string]string{}
	for _, r := range requestsFor(e.fg, "big") {
		if r.AttachmentID != "" {
			ops[r.AttachmentID] = r.Op
		}
	}
	if len(ops) != 2 {
		t.Fatalf("downloads = %v, want small and large only", ops)
	}
	var inline, value int
	for _, op := range ops {
		switch op {
		case "attachment":
			inline++
		case "attachment_value":
			value++
		}
	}
	if inline != 1 || value != 1 {
		t.Errorf("ops = %v, want one inline JSON and one $value", ops)
	}
	assertImmutableIDs(t, e)
	for _, r := range requestsFor(e.fg, "big") {
		if r.Op == "message" && !strings.Contains(r.Query["$expand"][0], "attachments($select=id,name,contentType,size,isInline)") {
			t.Errorf("message expand = %q", r.Query["$expand"])
		}
	}
}

func TestAttachmentFailureIsolated(t *testing.T) {
	e := newEnv(t, Limits{})
	e.fg.AddMessage(testOID, "part", mail("Delvis", "tekst",
		message.Attachment{Name: "ok1.txt", ContentType: "text/plain", Data: []byte("one")},
		message.Attachment{Name: "bad.pdf", ContentType: "application/pdf", Data: []byte("%PDF-bad")},
		message.Attachment{Name: "ok2.txt", ContentType: "text/plain", Data: []byte("two")},
	))
	e.fg.FailAttachment("part", "bad.pdf", 500)
	got, err := fetchAs(t, e, "", "part", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 3 {
		t.Fatalf("attachments = %v", names(got.Attachments))
	}
	if string(got.Attachments[0].Data) != "one" || string(got.Attachments[2].Data) != "two" {
		t.Errorf("good attachments = %v", names(got.Attachments))
	}
	u := got.Attachments[1].Unread
	if u == nil || u.Status != "unscannable" || u.Detail != "download failed: 500" {
		t.Errorf("bad.pdf unread = %+v", u)
	}
}

func TestSharedMailboxAndPrefer(t *testing.T) {
	e := newEnv(t, Limits{})
	const shared = "Borgerservice@Kommune.example"
	e.fg.AddMessage(shared, "AAMk/shared=", mail("Fælles", "fra fælles postkasse",
		message.Attachment{Name: "b.txt", ContentType: "text/plain", Data: []byte("b")}))
	got, err := fetchAs(t, e, shared, "AAMk/shared=", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Fælles" || len(got.Attachments) != 1 {
		t.Fatalf("got %q %v", got.Subject, names(got.Attachments))
	}
	reqs := e.fg.Requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %+v", reqs)
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Path, "/v1.0/users/"+shared+"/messages/AAMk/shared=") {
			t.Errorf("path = %q", r.Path)
		}
		if !strings.Contains(r.Prefer, `IdType="ImmutableId"`) {
			t.Errorf("%s: Prefer = %q", r.Op, r.Prefer)
		}
		if r.Op == "message" && !strings.Contains(r.Prefer, `outlook.body-content-type="text"`) {
			t.Errorf("message Prefer = %q", r.Prefer)
		}
		if r.Status != 200 {
			t.Errorf("%s: status %d", r.Op, r.Status)
		}
	}
}

func TestHTMLBodyAsText(t *testing.T) {
	e := newEnv(t, Limits{})
	m := mail("Html", "")
	m.Bodies = []message.Body{{ContentType: "text/html", Content: "<p>Kære <b>Borger</b></p><p>Venlig hilsen</p>"}}
	e.fg.AddMessage(testOID, "html", m)
	got, err := fetchAs(t, e, "", "html", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Bodies) != 1 || got.Bodies[0].ContentType != "text/plain" || got.Bodies[0].Content != "Kære Borger\nVenlig hilsen" {
		t.Errorf("bodies = %+v", got.Bodies)
	}
}

func TestConcurrencyPerMailbox(t *testing.T) {
	e := newEnv(t, Limits{Concurrency: 8}) // capped at 4
	e.fg.SetDelay(40 * time.Millisecond)
	var atts []message.Attachment
	for i := range 12 {
		atts = append(atts, message.Attachment{Name: "f" + string(rune('a'+i)) + ".txt", ContentType: "text/plain", Data: []byte{byte('a' + i)}})
	}
	e.fg.AddMessage(testOID, "many1", mail("Mange", "mange", atts...))
	e.fg.AddMessage(testOID, "many2", mail("Mange 2", "mange", atts...))
	done := make(chan error, 2)
	for _, id := range []string{"many1", "many2"} {
		go func() {
			m, err := fetchAs(t, e, "", id, 10*time.Second)
			if err != nil {
				done <- err
				return
			}
			if len(m.Attachments) != 12 {
				err = errTest("missing attachments")
			}
			for _, a := range m.Attachments {
				if a.Unread != nil {
					err = errTest("unread attachment " + a.Name)
				}
			}
			done <- err
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got := e.fg.MaxConcurrent(testOID); got != MaxConcurrency {
		t.Errorf("max concurrent requests for the mailbox = %d, want %d", got, MaxConcurrency)
	}
	if n := e.client.mailboxes.size(); n != 0 {
		t.Errorf("limiter keeps %d mailboxes after the fetches", n)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

// TestInlineAttachment: Graph's isInline (a picture of the body, such as a signature logo)
// reaches the message; a file attachment stays not inline.
func TestInlineAttachment(t *testing.T) {
	e := newEnv(t, Limits{})
	e.fg.AddMessage(testOID, "inline", mail("Møde", "<p>Hej</p>",
		message.Attachment{Name: "image001.png", ContentType: "image/png", Data: []byte("\x89PNG"), ContentID: "image001.png@01DB", Inline: true},
		message.Attachment{Name: "Bilag.pdf", ContentType: "application/pdf", Data: pattern(100, 2)}))
	got, err := fetchAs(t, e, "", "inline", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 2 || !got.Attachments[0].Inline || got.Attachments[1].Inline {
		t.Fatalf("attachments %v: inline %v", names(got.Attachments), []bool{len(got.Attachments) > 0 && got.Attachments[0].Inline})
	}
}

// A shared mailbox the user has no rights on (or a token without Mail.Read.Shared) answers 403:
// ErrAccessDenied, which the on-send service turns into "send the content inline".
func TestSharedMailboxDenied(t *testing.T) {
	e := newEnv(t, Limits{})
	const shared = "ydelse@kommune.example"
	e.fg.AddMessage(shared, "AAMk/denied=", mail("Fælles", "tekst"))
	e.fg.RestrictMailbox(shared, "99999999-8888-4777-8666-555555555555")
	_, err := fetchAs(t, e, shared, "AAMk/denied=", 5*time.Second)
	if !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("err = %v, want ErrAccessDenied", err)
	}
	e.fg.RestrictMailbox(shared, e.user.ObjectID)
	if _, err := fetchAs(t, e, shared, "AAMk/denied=", 5*time.Second); err != nil {
		t.Fatalf("with rights: %v", err)
	}
}
