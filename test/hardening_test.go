package test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/admin"
	"github.com/sendevagt/sendevagt/internal/fakeentra"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// tokenFor is a valid access token for another (synthetic) user of the test tenant.
func (e *testEnv) tokenFor(oid, upn string) string {
	return e.entra.MintToken(fakeentra.TokenClaims{
		Tenant: testTenant, ObjectID: oid, UPN: upn, Audience: testClientID,
		Scope: "access_as_user", Version: "2.0", ClientApp: outlookDesktopApp,
	})
}

// aarhusMail is the incident Sendevagt was built for: 350 one-page letters, each to another
// synthetic citizen (name, address, CPR number), attached as 350 PDF files to a mail to one of
// them.
func aarhusMail(t *testing.T) (request, [][]byte) {
	t.Helper()
	pdfs, people, err := testgen.SeparateLetters(350, 2026)
	if err != nil {
		t.Fatal(err)
	}
	req := request{
		Subject:    "Orientering om din sag",
		From:       &addr{Name: "Jonas Hassan", Address: testUPN},
		Recipients: recipients{To: []addr{{Name: people[0].Name(), Address: "borger.0@live.dk"}}},
		Inline: &inline{Body: &inlineBody{ContentType: "text", Content: "Hej\n\nHermed dit brev.\n\nMed venlig hilsen\nJonas Hassan"},
			Attachments: []inlineAttachment{}},
	}
	for i, pdf := range pdfs {
		req.Inline.Attachments = append(req.Inline.Attachments, inlineAttachment{Name: fmt.Sprintf("Brev %03d.pdf", i+1),
			ContentType: "application/pdf", ContentBase64: base64.StdEncoding.EncodeToString(pdf)})
	}
	return req, pdfs
}

// TestHardeningAarhusMailIsBlocked: 350 letters as 350 files get a verdict (block, bulk) inside
// the on-send budget from the service, and the same from the pre-scan and the command line: the
// first 250 are read, the rest is reported too large; nothing is refused.
func TestHardeningAarhusMailIsBlocked(t *testing.T) {
	env := newTestEnv(t)
	svc := startService(t, env, "", "SENDEVAGT_WORKERS=2")
	req, pdfs := aarhusMail(t)
	body := mustJSON(t, req)

	start := time.Now()
	status, resp, raw, err := svc.post(context.Background(), env.token(), body)
	took := time.Since(start)
	if err != nil || status != 200 {
		t.Fatalf("on-send: %d %v %.300s", status, err, raw)
	}
	t.Logf("on-send of 350 PDFs (%d KB request): %s, answered in %v", len(body)>>10, resp.Action, took)
	if resp.Action != "block" || !contains(resp.reasonCodes(), "bulk_cpr") {
		t.Errorf("action %s reasons %v, want block with bulk_cpr", resp.Action, resp.reasonCodes())
	}
	count := map[string]int{}
	for _, d := range resp.Documents {
		if strings.HasPrefix(d.Name, "Brev ") {
			count[d.Status]++
		}
	}
	if count["too_large"] < 100 || count["scanned"] < 10 {
		t.Errorf("documents by status %v: want the 100 beyond the limit too_large and the letters read", count)
	}
	t.Logf("documents by status: %v", count)

	// The pre-scan: the same limit, a result per attachment.
	pre := mustJSON(t, map[string]any{"attachments": req.Inline.Attachments})
	st, raw := svc.postPath("/api/v1/prescan", env.token(), pre)
	var pr struct {
		Attachments []struct{ Name, Status string } `json:"attachments"`
	}
	if st != 200 || json.Unmarshal(raw, &pr) != nil || len(pr.Attachments) != 350 {
		t.Fatalf("pre-scan: %d %.300s", st, raw)
	}
	if pr.Attachments[250].Status != "too_large" || pr.Attachments[0].Status == "too_large" {
		t.Errorf("pre-scan statuses: first %s, 251st %s", pr.Attachments[0].Status, pr.Attachments[250].Status)
	}

	// The command line.
	dir := t.TempDir()
	args := []string{"scan", "--json", "--from", testUPN, "--to", "borger.0@live.dk"}
	for i, pdf := range pdfs {
		p := filepath.Join(dir, fmt.Sprintf("Brev %03d.pdf", i+1))
		if err := os.WriteFile(p, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errorsAs(err, &exit) {
		t.Fatal(err)
	}
	var cli struct {
		Action    string
		Documents []struct{ Name, Status string }
	}
	if err := json.Unmarshal(out, &cli); err != nil {
		t.Fatalf("CLI output: %v %.300s", err, out)
	}
	tooLarge := 0
	for _, d := range cli.Documents {
		if d.Status == "too_large" {
			tooLarge++
		}
	}
	if cli.Action != "block" || cmd.ProcessState.ExitCode() != 5 || tooLarge != 100 {
		t.Errorf("CLI: action %s exit %d, %d too large; want block, 5, 100", cli.Action, cmd.ProcessState.ExitCode(), tooLarge)
	}
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestHardeningMetricSeries: invented HTTP methods do not grow /metrics, and /metrics and
// /readyz are not on the public port.
func TestHardeningMetricSeries(t *testing.T) {
	svc := startService(t, nil, "")
	tr := svc.client.Transport.(*http.Transport)
	for i := range 2000 {
		req, _ := http.NewRequest(fmt.Sprintf("M%dX", i), svc.url+fmt.Sprintf("/api/v1/onsend?x=%d", i), nil)
		resp, err := svc.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	tr.CloseIdleConnections()
	_, metrics := svc.get("/metrics")
	methods := map[string]bool{}
	series := 0
	for _, line := range strings.Split(string(metrics), "\n") {
		if !strings.HasPrefix(line, "sendevagt_http_request_duration_seconds_count{") {
			continue
		}
		series++
		i := strings.Index(line, `method="`) + len(`method="`)
		methods[line[i:i+strings.IndexByte(line[i:], '"')]] = true
	}
	t.Logf("/metrics: %d bytes, %d request series, methods %v", len(metrics), series, methods)
	if len(methods) > 3 || series > 20 {
		t.Errorf("methods %v, %d series: invented methods must map to a fixed set", methods, series)
	}
	for _, p := range []string{"/metrics", "/readyz"} {
		resp, err := svc.client.Get(svc.url + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404 (internal listener only)", p, resp.StatusCode)
		}
	}
}

// TestHardeningHeaderBomb: the headers object is bounded. Hundreds of invented headers are
// ignored (only the ones the verdict uses count); a million are refused (400) after one scan of
// the body, without the memory a map or the decoder's name table of them would take.
func TestHardeningHeaderBomb(t *testing.T) {
	env := newTestEnv(t)
	svc := startService(t, env, "")
	mail := func(route bool, n int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"subject":"Afgørelse","from":{"address":"` + testUPN + `"},"recipients":{"to":[{"name":"Jens Hansen","address":"jens.hansen@gmail.com"}]},`)
		b.WriteString(`"inline":{"body":{"contentType":"text","content":"Kære Jens Hansen\n\nDin sag om hjælp til medicin (CPR-nr. 010190-1234) er afsluttet.\n\nMed venlig hilsen\nJonas Hassan"}},`)
		b.WriteString(`"headers":{"X-Unused":"1"`)
		if route {
			b.WriteString(`,"X-Sendevagt-Route":"secure"`)
		}
		for i := range n {
			fmt.Fprintf(&b, `,"X-%d":""`, i)
		}
		b.WriteString(`}}`)
		return b.Bytes()
	}
	// Personal data to an external recipient: secure mail is required, unless the route header
	// says the mail already is; 900 invented headers beside it change nothing. (Only the first 16
	// are kept: a header hidden behind hundreds of others is not seen, which can only make the
	// verdict stricter.)
	plain := ""
	for _, tc := range []struct {
		route bool
		n     int
	}{{false, 0}, {true, 0}, {true, 900}} {
		status, resp, raw, err := svc.post(context.Background(), env.token(), mail(tc.route, tc.n))
		if err != nil || status != 200 {
			t.Fatalf("route %v, %d headers: %d %v %.300s", tc.route, tc.n, status, err, raw)
		}
		switch {
		case !tc.route:
			plain = resp.Action
			if plain == "allow" {
				t.Fatalf("personal data to an external recipient without the route header: allow")
			}
		case resp.Action == plain:
			t.Errorf("route header after %d others: %s, the same as without it", tc.n, resp.Action)
		}
	}
	bomb := mail(true, 1_000_000)
	before := hwmOf(svc.cmd.Process.Pid)
	status, _, raw, _ := svc.post(context.Background(), env.token(), bomb)
	grew := hwmOf(svc.cmd.Process.Pid) - before
	t.Logf("%d MB of headers: %d; peak memory grew by %d MB", len(bomb)>>20, status, grew>>20)
	if status != 400 || !strings.Contains(string(raw), "more than 1000 members") {
		t.Errorf("a million headers: %d %.200s, want 400", status, raw)
	}
	// The body is held once (13 MB); the decoder's table of a million names took ~200 MB.
	if grew > 64<<20 {
		t.Errorf("peak memory grew by %d MB for one request with %d MB of headers", grew>>20, len(bomb)>>20)
	}
}

// TestHardeningCacheAcrossUsers: another user who sends only a pre-scanned file's hash, name and
// type learns nothing: content_required, no findings.
func TestHardeningCacheAcrossUsers(t *testing.T) {
	env := newTestEnv(t)
	svc := startService(t, env, "")
	letter := "Jens Hansen\nVestergade 12\n8000 Aarhus C\n\nCPR-nr.: 010190-1234\n\nKære Jens Hansen\n\nDin sag om hjælp til medicin er afsluttet.\n"
	att := inlineAttachment{Name: "Afgørelse.txt", ContentType: "text/plain", ContentBase64: base64.StdEncoding.EncodeToString([]byte(letter))}
	st, raw := svc.postPath("/api/v1/prescan", env.token(), mustJSON(t, map[string]any{"attachments": []inlineAttachment{att}}))
	var pr struct {
		Attachments []struct{ SHA256, Status string } `json:"attachments"`
	}
	if st != 200 || json.Unmarshal(raw, &pr) != nil || len(pr.Attachments) != 1 || pr.Attachments[0].SHA256 == "" {
		t.Fatalf("pre-scan: %d %s", st, raw)
	}
	body := []byte(fmt.Sprintf(`{"subject":"x","recipients":{"to":[{"address":"karen.olsen@gmail.com"}]},"inline":{"attachments":[{"name":%q,"contentType":"text/plain","sha256":%q}]}}`,
		att.Name, pr.Attachments[0].SHA256))
	// A token the user got for another app (not Outlook, not the add-in) is refused.
	otherApp := env.entra.MintToken(fakeentra.TokenClaims{Tenant: testTenant, ObjectID: testOID, UPN: testUPN, Audience: testClientID,
		Scope: "access_as_user", Version: "2.0", ClientApp: "0f0e0d0c-0b0a-4909-8807-060504030201"})
	if status, _, raw, _ := svc.post(context.Background(), otherApp, body); status != 401 || !strings.Contains(string(raw), "client app not allowed") {
		t.Errorf("token of another client app: %d %.200s, want 401", status, raw)
	}
	for _, tc := range []struct {
		who, token, want string
	}{
		{"the same user", env.token(), "different_citizen"},
		{"another user", env.tokenFor("22222222-2222-4333-8444-555555555555", "kollega@aarhus.dk"), "content_required"},
	} {
		status, resp, raw, err := svc.post(context.Background(), tc.token, body)
		if err != nil || status != 200 {
			t.Fatalf("%s: %d %v %s", tc.who, status, err, raw)
		}
		if !contains(resp.reasonCodes(), tc.want) || (tc.want == "content_required" && (len(resp.Findings) > 0 || !resp.ResendInline)) {
			t.Errorf("%s: %s %v findings %d resend %v, want %s", tc.who, resp.Action, resp.reasonCodes(), len(resp.Findings), resp.ResendInline, tc.want)
		}
	}
}

// slowBody opens a connection that sends an on-send request's headers and then its body one
// byte at a time, until stop is closed.
func slowBody(t *testing.T, svc *service, token string, stop <-chan struct{}, wg *sync.WaitGroup) {
	t.Helper()
	host := strings.TrimPrefix(svc.url, "https://")
	conn, err := tls.Dial("tcp", host, svc.client.Transport.(*http.Transport).TLSClientConfig)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/v1/onsend HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{", host, token)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer conn.Close()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
}

// TestHardeningSlowBodies: one user's slow uploads do not take the on-send capacity: another
// user's verdicts are answered meanwhile.
func TestHardeningSlowBodies(t *testing.T) {
	env := newTestEnv(t)
	svc := startService(t, env, "", "SENDEVAGT_MAX_IN_FLIGHT=2", "SENDEVAGT_MAX_QUEUE=2")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(stop); wg.Wait() }()
	slow := env.tokenFor("33333333-2222-4333-8444-555555555555", "langsom@aarhus.dk")
	for range 10 {
		slowBody(t, svc, slow, stop, &wg)
	}
	time.Sleep(500 * time.Millisecond) // let the slow requests reach the handler
	valid := mustJSON(t, request{Subject: "Hej", Recipients: recipients{To: []addr{{Address: "a@b.dk"}}},
		Inline: &inline{Body: &inlineBody{ContentType: "text", Content: "Hej"}}})
	for i := range 5 {
		status, resp, raw, err := svc.post(context.Background(), env.token(), valid)
		if err != nil || status != 200 || resp.Action == "" {
			t.Fatalf("on-send %d of another user while slow uploads run: %d %v %.200s", i, status, err, raw)
		}
	}
}

// TestHardeningPrescanStarvation: one user's pre-scans of slow files do not take the workers
// another user's verdict needs: the mail body is read, never "service busy".
func TestHardeningPrescanStarvation(t *testing.T) {
	env := newTestEnv(t)
	svc := startService(t, env, "", "SENDEVAGT_WORKERS=2", "SENDEVAGT_ONSEND_TIMEOUT=1s")
	big, _, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 3000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	heavy := env.tokenFor("44444444-2222-4333-8444-555555555555", "travl@aarhus.dk")
	var wg sync.WaitGroup
	for r := range 2 {
		var atts []inlineAttachment
		for i := range 4 {
			atts = append(atts, inlineAttachment{Name: fmt.Sprintf("Bunke %d-%d.pdf", r, i), ContentType: "application/pdf",
				ContentBase64: base64.StdEncoding.EncodeToString(big)})
		}
		body := mustJSON(t, map[string]any{"attachments": atts})
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc.postPath("/api/v1/prescan", heavy, body)
		}()
	}
	defer wg.Wait()
	mail := mustJSON(t, request{Subject: "Afgørelse", From: &addr{Address: testUPN},
		Recipients: recipients{To: []addr{{Name: "Karen Olsen", Address: "karen.olsen@gmail.com"}}},
		Inline: &inline{Body: &inlineBody{ContentType: "text",
			Content: "Jens Hansen\nVestergade 12\n8000 Aarhus C\n\nCPR-nr.: 010190-1234\n\nKære Jens Hansen\n\nDin sag om hjælp til medicin er afsluttet."}}})
	time.Sleep(time.Second) // the pre-scans are running
	busy := 0
	for range 3 {
		status, resp, raw, err := svc.post(context.Background(), env.token(), mail)
		if err != nil || status != 200 {
			t.Fatalf("on-send: %d %v %.200s", status, err, raw)
		}
		for _, d := range resp.Documents {
			if strings.Contains(d.Detail, "busy") {
				busy++
			}
		}
		if contains(resp.reasonCodes(), "unreadable_attachment") {
			t.Errorf("on-send during pre-scans: %s %v %+v, want the mail read", resp.Action, resp.reasonCodes(), resp.Documents)
		}
	}
	if busy > 0 {
		t.Errorf("%d documents of another user's mail were not read (service busy) while pre-scans ran", busy)
	}
}

// importDirectory signs an administrator in through the fake Entra ID and imports a citizen
// directory CSV on the admin page.
func importDirectory(t *testing.T, env *testEnv, svc *service, public, csvText string) {
	t.Helper()
	env.entra.SetSignInUser(fakeentra.SignInUser{ObjectID: "7d6c5b4a-0000-4000-8000-0000000000bb",
		Name: "Dorte Databeskyttelse", UPN: "dpo@aarhus.dk", Roles: []string{admin.RoleAdmin}})
	browser := adminClient(t, env, svc)
	csrf := signInOIDC(t, browser, public, "/admin/directory")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("_csrf", csrf)
	fw, _ := mw.CreateFormFile("file", "borgere.csv")
	fw.Write([]byte(csvText))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, public+"/admin/directory/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", public)
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "1 rækker importeret") {
		t.Fatalf("directory import: %d\n%.1500s", resp.StatusCode, body)
	}
}

// TestHardeningDirectoryProbing: the citizen directory does not confirm a CPR number to someone
// who tries many: one mail with several candidates lists every document alike, and a user past
// the probe limit gets no confirmation at all (an alert is logged and counted, without a number).
func TestHardeningDirectoryProbing(t *testing.T) {
	env := newTestEnv(t)
	listen := freeAddr(t)
	_, port, _ := net.SplitHostPort(listen)
	svc := startService(t, env, "", "SENDEVAGT_DIRECTORY_PROBE_LIMIT=5", "SENDEVAGT_ADDR="+listen,
		"SENDEVAGT_PUBLIC_URL=https://localhost:"+port) // the admin sign-in returns to the public URL
	const address = "sol.og.hav77@hotmail.com"
	right := "010190-1234"
	wrong := []string{"010190-1242", "010190-1250", "010190-1269", "010190-1277", "010190-1285"}
	importDirectory(t, env, svc, "https://localhost:"+port, "e-mail;cpr;navn\n"+address+";"+right+";Bente Sørensen\n")

	mail := func(cprs ...string) []byte {
		req := request{Subject: "Din sag", From: &addr{Address: testUPN}, Recipients: recipients{To: []addr{{Address: address}}},
			Inline: &inline{Body: &inlineBody{ContentType: "text", Content: "Hej\n\nSe brevet.\n\nMed venlig hilsen\nJonas Hassan"}}}
		for i, c := range cprs {
			req.Inline.Attachments = append(req.Inline.Attachments, inlineAttachment{Name: fmt.Sprintf("Brev %d.txt", i+1), ContentType: "text/plain",
				ContentBase64: base64.StdEncoding.EncodeToString([]byte("Afgørelse\n\nCPR-nr.: " + c + "\n\nDin sag om hjælp til medicin er afsluttet.\n"))})
		}
		return mustJSON(t, req)
	}
	check := func(token string, body []byte) *onsendResponse {
		t.Helper()
		status, resp, raw, err := svc.post(context.Background(), token, body)
		if err != nil || status != 200 {
			t.Fatalf("%d %v %.300s", status, err, raw)
		}
		return resp
	}
	owner := env.token()
	if got := check(owner, mail(right)).Action; got != "secure" {
		t.Fatalf("the registered number: %s, want secure (the directory confirms it)", got)
	}
	if got := check(owner, mail(wrong[0])).Action; got != "block" {
		t.Fatalf("another number: %s, want block", got)
	}
	// All candidates in one mail: every document is named, not all but the matching one.
	resp := check(owner, mail(append([]string{wrong[1], right}, wrong[2:4]...)...))
	for _, r := range resp.Reasons {
		if r.Code == "different_citizen" && len(r.Documents) != 4 {
			t.Errorf("different_citizen names %v: the one not named would be the registered number", r.Documents)
		}
	}
	// One mail per candidate from another user: past the limit (5 distinct numbers) nothing is
	// confirmed. (The owner above used 5: at the limit, not past it.)
	mallory := env.tokenFor("55555555-2222-4333-8444-555555555555", "proever@aarhus.dk")
	for _, c := range wrong {
		if got := check(mallory, mail(c)).Action; got != "block" {
			t.Errorf("%s: %s, want block", c[:6], got)
		}
	}
	if got := check(mallory, mail(right)).Action; got != "block" {
		t.Errorf("the registered number after %d others: %s, want block (no confirmation past the limit)", len(wrong), got)
	}
	if got := check(owner, mail(right)).Action; got != "secure" {
		t.Errorf("another user is not affected: %s, want secure", got)
	}
	logs := svc.logs.String()
	if !strings.Contains(logs, "many distinct CPR numbers") || !strings.Contains(logs, "55555555-2222-4333-8444-555555555555") {
		t.Errorf("no alert naming the user in the log")
	}
	for _, c := range append(wrong, right) {
		if strings.Contains(logs, c) || strings.Contains(logs, strings.ReplaceAll(c, "-", "")) {
			t.Errorf("the log holds a CPR number")
		}
	}
	if _, m := svc.get("/metrics"); !strings.Contains(string(m), "sendevagt_directory_probes_total 1") {
		t.Errorf("sendevagt_directory_probes_total is not 1")
	}
}
