package test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/message"

	"github.com/sendevagt/sendevagt/internal/testenv"
)

// nodePath finds Node for the add-in tests: skipped on a developer's machine without it, a
// failure in CI (SENDEVAGT_REQUIRE_NODE=1).
func nodePath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, testenv.Node, "node not found: the add-in's end-to-end test needs Node.js 20+")
	}
	return p
}

// e2eCase is one run of launchevent.js against the service (see test/addin/e2e.mjs).
type e2eCase struct {
	Name     string         `json:"name"`
	HostName string         `json:"hostName"`
	Prescan  bool           `json:"prescan"`
	Item     map[string]any `json:"item"`
	want     string
	secure   bool // the message already carries the secure marking
}

type e2eResult struct {
	Name    string         `json:"name"`
	Options map[string]any `json:"options"`
	Count   int            `json:"count"`
	Headers map[string]any `json:"headers"`
	Subject string         `json:"subject"`
	Error   string         `json:"error"`
	Calls   []string       `json:"calls"`
	Ms      float64        `json:"ms"`
}

var htmlTags = regexp.MustCompile(`(?s)<[^>]*>`)

// outlookItem is the compose item Outlook would show for m, in the shape of the fake Office API.
func outlookItem(m *message.Message, ewsID, restID string) map[string]any {
	recips := func(list []message.Address) []map[string]string {
		out := []map[string]string{}
		for _, a := range list {
			out = append(out, map[string]string{"displayName": a.Name, "emailAddress": a.Address})
		}
		return out
	}
	var text, htmlBody string
	for _, b := range m.Bodies {
		if strings.Contains(b.ContentType, "html") {
			if htmlBody == "" {
				htmlBody = b.Content
			}
		} else if text == "" {
			text = b.Content
		}
	}
	if htmlBody == "" {
		htmlBody = "<html><body><pre>" + html.EscapeString(text) + "</pre></body></html>"
	}
	if text == "" {
		text = html.UnescapeString(htmlTags.ReplaceAllString(htmlBody, " "))
	}
	atts := []map[string]any{}
	for i, a := range m.Attachments {
		att := map[string]any{"id": fmt.Sprintf("att-%d", i), "name": a.Name, "size": len(a.Data),
			"contentType": a.ContentType, "attachmentType": "file", "isInline": false}
		if a.ContentType == "message/rfc822" {
			// Office.js hands an attached mail to the add-in as EML text.
			att["attachmentType"] = "item"
			att["eml"] = string(a.Data)
		} else {
			att["base64"] = base64.StdEncoding.EncodeToString(a.Data)
		}
		atts = append(atts, att)
	}
	headers := map[string]string{}
	if v := m.Header.Get("X-Sendevagt-Route"); v != "" {
		headers["X-Sendevagt-Route"] = v
	}
	return map[string]any{
		"subject": m.Subject, "from": map[string]string{"displayName": m.From.Name, "emailAddress": m.From.Address},
		"to": recips(m.To), "cc": recips(m.Cc), "bcc": recips(m.Bcc),
		"bodyText": text, "bodyHtml": htmlBody, "headers": headers, "attachments": atts,
		"ewsId": ewsID, "restId": restID,
	}
}

// freeAddr picks a loopback port for a service whose public URL must be known before it starts.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestAddinEndToEnd runs the real launchevent.js, as the service serves it, in Node with a fake
// Office API against the real service binary: every corpus message as classic Outlook sends it
// (pre-scan of the attachments, then Send with content inline or by hash) and as Outlook on the
// web sends it (item id; the service reads the draft from the fake Graph), plus drafts Graph
// does not have yet (the add-in falls back to inline content). It checks the options the handler
// passes to event.completed against the corpus labels.
func TestAddinEndToEnd(t *testing.T) {
	node := nodePath(t)
	dir := testenv.CorpusDir(t)
	env := newTestEnv(t)
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	publicURL := "https://localhost:" + port
	svc := startService(t, env, "", "SENDEVAGT_ADDR="+addr, "SENDEVAGT_PUBLIC_URL="+publicURL,
		// A generous budget: this test checks the verdicts, not the machine's speed under a
		// parallel test run (the handler's own timeout is covered by the add-in's unit tests).
		"SENDEVAGT_ONSEND_TIMEOUT=20s", "SENDEVAGT_GRAPH_NOT_SYNCED_RETRY=200ms")
	labels := readLabels(t, dir)

	var cases []e2eCase
	for i, l := range labels {
		m := loadMessage(t, filepath.Join(dir, l.File))
		secure := strings.EqualFold(m.Header.Get("X-Sendevagt-Route"), "secure")
		ews := fmt.Sprintf("AAMkAGE2E%03d", i)
		rest := fmt.Sprintf("AAMkAGE2E-%03d_rest=", i)
		env.graph.AddMessage(testOID, rest, m)
		cases = append(cases,
			e2eCase{Name: l.File + " (classic)", HostName: "Outlook", Prescan: true, Item: outlookItem(m, ews, rest), want: l.Action, secure: secure},
			e2eCase{Name: l.File + " (web)", HostName: "OutlookWebApp", Item: outlookItem(m, ews, rest), want: l.Action, secure: secure},
		)
		if i%8 == 0 { // a draft not yet synchronised to Exchange Online: the service asks for inline content
			cases = append(cases, e2eCase{Name: l.File + " (web, not synced)", HostName: "newOutlookWindows",
				Item: outlookItem(m, ews+"u", rest+"unsynced"), want: l.Action, secure: secure})
		}
	}
	input := map[string]any{
		"jsUrl": publicURL + "/addin/launchevent.js", "token": env.token(), "userEmail": testUPN, "cases": cases,
	}
	inFile := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(inFile, mustJSON(t, input), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("addin", "e2e.mjs"), inFile)
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+filepath.Join(svc.dataDir, "tls-cert.pem"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("e2e.mjs: %v\n%s", err, stderr.String())
	}
	results := map[string]e2eResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r e2eResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("e2e.mjs output %q: %v", sc.Text(), err)
		}
		results[r.Name] = r
	}

	right := map[string]int{}
	for _, c := range cases {
		r, ok := results[c.Name]
		if !ok {
			t.Errorf("%s: no result", c.Name)
			continue
		}
		if r.Error != "" {
			t.Errorf("%s: %s", c.Name, r.Error)
			continue
		}
		if r.Count != 1 {
			t.Errorf("%s: event.completed called %d times", c.Name, r.Count)
		}
		got, want := completedAction(r, c.secure), c.want
		if got == want {
			right[c.HostName]++
		} else {
			t.Errorf("%s: handler did %s (options %v, headers %v, calls %v), corpus label %s", c.Name, got, r.Options, r.Headers, r.Calls, c.want)
		}
	}
	// The classic runs pre-scanned their attachments and sent them by hash: the service answered
	// those from its document cache.
	_, metrics := svc.get("/metrics")
	for _, name := range []string{"sendevagt_prescan_attachments_total", "sendevagt_document_cache_hits_total"} {
		if v := metricSum(string(metrics), name); v <= 0 {
			t.Errorf("%s = %v after the pre-scanned runs, want > 0", name, v)
		}
	}
	t.Logf("add-in end to end: classic %d, web %d, web not synced %d (of %d cases)", right["Outlook"], right["OutlookWebApp"], right["newOutlookWindows"], len(cases))
	fmt.Printf("add-in end-to-end score: classic %d/%d, web %d/%d\n", right["Outlook"], len(labels), right["OutlookWebApp"], len(labels))
}

// completedAction reads the verdict back from what the handler did: the options of
// event.completed and the header it set (a draft that carried the header before is not
// counted as marked by the handler).
func completedAction(r e2eResult, preMarked bool) string {
	allow, _ := r.Options["allowEvent"].(bool)
	marked := false
	if preMarked {
		r.Headers = nil
	}
	for k, v := range r.Headers {
		if strings.EqualFold(k, "X-Sendevagt-Route") && fmt.Sprint(v) == "secure" {
			marked = true
		}
	}
	switch {
	case allow && marked:
		return "secure"
	case allow:
		return "allow"
	case r.Options["sendModeOverride"] == "promptUser":
		return "warn"
	case r.Options["cancelLabel"] == "Send som sikker mail":
		return "secure"
	}
	return "block"
}

// metricSum adds up every sample of a metric in Prometheus text format.
func metricSum(text, name string) float64 {
	var sum float64
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name) || strings.HasPrefix(line, "#") {
			continue
		}
		rest := strings.TrimPrefix(line, name)
		if rest != "" && rest[0] != ' ' && rest[0] != '{' {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(rest[strings.LastIndexByte(rest, ' ')+1:], &v); err == nil {
			sum += v
		}
	}
	return sum
}
