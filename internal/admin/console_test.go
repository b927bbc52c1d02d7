package admin

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/onsend"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

type consoleRecorder struct {
	mu     sync.Mutex
	events []audit.Event
}

func (r *consoleRecorder) Record(_ context.Context, e audit.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

type consolePolicy struct{ p *policy.Policy }

func (p consolePolicy) Current() (*policy.Policy, int) { return p.p, 3 }

// consoleAdmin builds the console on the real on-send service (scan, detect, extract, identity).
func consoleAdmin(t *testing.T, roles ...string) (*consoleRecorder, *testClient) {
	t.Helper()
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := scan.New(formats.New(extract.DefaultLimits), det, identity.New(det, identity.Options{}), scan.Options{})
	rec := &consoleRecorder{}
	svc, err := onsend.New(onsend.Config{Scanner: sc, Recorder: rec, Policies: consolePolicy{policy.Default()},
		Hasher: storetest.Hasher(t), Redactor: det})
	if err != nil {
		t.Fatal(err)
	}
	_, tc := newTestAdmin(t, Config{Console: svc}, roles...)
	return rec, tc
}

// A synthetic letter to Karen Olsen with her CPR number.
const karenLetter = "Karen Olsen\nVestergade 12\n8000 Aarhus C\n\nCPR-nr.: 070881-4318\n\nKære Karen Olsen\n\n" +
	"Du får hermed afgørelse om din ansøgning om hjælp til medicin.\n\nMed venlig hilsen\nJonas Fisker\n"

// consoleEML is a corpus-like message: the letter attached, sent to toName <toAddr>.
func consoleEML(toName, toAddr string) string {
	return "From: Jonas Fisker <jonas.fisker@aarhus.dk>\r\n" +
		"To: " + toName + " <" + toAddr + ">\r\n" +
		"Subject: =?utf-8?q?Afg=C3=B8relse?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHej\r\n\r\nSe vedhæftede brev.\r\n\r\nMed venlig hilsen\r\nJonas Fisker\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8; name=\"afgoerelse.txt\"\r\n" +
		"Content-Disposition: attachment; filename=\"afgoerelse.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString([]byte(karenLetter)) + "\r\n--b1--\r\n"
}

type upFile struct{ name, data string }

func consolePost(tc *testClient, fields map[string]string, files ...upFile) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("files", f.name)
		_, _ = fw.Write([]byte(f.data))
	}
	_ = mw.Close()
	return tc.postMultipart("/admin/console", mw.FormDataContentType(), body.String())
}

func TestConsole(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		files  []upFile
		action string
		want   []string
	}{
		{"eml to someone else", nil, []upFile{{"sag.eml", consoleEML("Jens Hansen", "jens.hansen@gmail.com")}}, "block",
			[]string{"badge-block", "console-dialog", "Oplysninger om en anden borger end modtageren", "070881-xxxx", "afgoerelse.txt",
				"(hel mail)", "&#34;action&#34;: &#34;block&#34;", "Hvem handler oplysningerne om", "en anden borger: "}},
		{"eml to the citizen", nil, []upFile{{"sag.eml", consoleEML("Karen Olsen", "karen.olsen@gmail.com")}}, "secure",
			[]string{"badge-secure", "sikker mail", "070881-xxxx", "modtageren selv: "}},
		{"eml with the recipient replaced", map[string]string{"to": "Karen Olsen <karen.olsen@gmail.com>", "subject": "Afgørelse [sikker]"},
			[]upFile{{"sag.eml", consoleEML("Jens Hansen", "jens.hansen@gmail.com")}}, "allow",
			[]string{"badge-allow", "Ingen besked: mailen sendes."}},
		{"attachment without recipient", nil, []upFile{{"brev.txt", karenLetter}}, "secure",
			[]string{"ingen modtager", "brev.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, c := consoleAdmin(t, RoleAdmin)
			w := consolePost(c, tc.fields, tc.files...)
			wantStatus(t, w, http.StatusOK)
			wantBody(t, w, tc.want...)
			if strings.Contains(w.Body.String(), "0708814318") || strings.Contains(w.Body.String(), "070881-4318") {
				t.Error("the page shows a full CPR number")
			}
			if len(rec.events) != 1 {
				t.Fatalf("%d audit events, want 1", len(rec.events))
			}
			ev := rec.events[0]
			if ev.Action != tc.action || !ev.Test || ev.Source != "console" || ev.UPN != "dpo@testkommune.dk" {
				t.Errorf("audit event: action %s test %v source %s upn %s; want %s, a console test by the admin",
					ev.Action, ev.Test, ev.Source, ev.UPN, tc.action)
			}
		})
	}
}

func TestConsoleRefusals(t *testing.T) {
	rec, c := consoleAdmin(t, RoleAdmin)
	wantStatus(t, c.get("/admin/console"), http.StatusOK)
	w := consolePost(c, nil)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, "Vælg en .eml- eller .msg-fil")
	w = consolePost(c, map[string]string{"to": "ikke en adresse"}, upFile{"a.txt", "x"})
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, "ikke gyldig", `value="ikke en adresse"`)
	w = consolePost(c, nil, upFile{"a.eml", consoleEML("A B", "a@b.dk")}, upFile{"b.txt", "x"})
	wantStatus(t, w, http.StatusUnprocessableEntity)
	w = consolePost(c, nil, upFile{"stor.bin", strings.Repeat("x", maxConsoleUpload+1)})
	wantStatus(t, w, http.StatusRequestEntityTooLarge)
	wantBody(t, w, "35 MB")
	if len(rec.events) != 0 {
		t.Errorf("%d audit events for refused uploads", len(rec.events))
	}
	// Without the CSRF token, and for an auditor, nothing is scanned.
	r := httptest.NewRequest(http.MethodPost, "/admin/console", strings.NewReader(""))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	wantStatus(t, c.do(r), http.StatusForbidden)
	_, aud := consoleAdmin(t, RoleAuditor)
	wantStatus(t, aud.get("/admin/console"), http.StatusForbidden)
}
