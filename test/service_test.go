package test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sendevagt/sendevagt/internal/fakeentra"
	"github.com/sendevagt/sendevagt/internal/testenv"
)

// cprShaped matches a full CPR number in any of its written forms.
var cprShaped = regexp.MustCompile(`\b\d{6}[- ]?\d{4}\b`)

// TestServiceCorpus runs every corpus message through the real service twice, as Outlook on the
// web does (item id, the service reads the draft from the fake Graph) and as classic Outlook does
// (content inline), and checks the verdicts against the labels. Then it checks that neither the
// service's logs nor its database hold a CPR number.
func TestServiceCorpus(t *testing.T) {
	dir := testenv.CorpusDir(t)
	env := newTestEnv(t)
	svc := startService(t, env, "")
	labels := readLabels(t, dir)
	token := env.token()
	ctx := context.Background()

	var scanIDs []string
	right := map[string]int{}
	allCPRs := map[string]bool{}
	for i, l := range labels {
		for _, c := range l.CPRs {
			allCPRs[c] = true
		}
		m := loadMessage(t, filepath.Join(dir, l.File))
		itemID := fmt.Sprintf("AAMkAGI2-%03d_draft=", i)
		env.graph.AddMessage(testOID, itemID, m)
		for _, mode := range []string{"graph", "inline"} {
			var req request
			if mode == "graph" {
				req = envelope(m)
				req.ItemID = itemID
			} else {
				req = inlineRequest(m)
			}
			status, resp, raw, err := svc.post(ctx, token, mustJSON(t, req))
			if err != nil || status != 200 {
				t.Errorf("%s (%s): status %d, err %v: %s", l.File, mode, status, err, raw)
				continue
			}
			scanIDs = append(scanIDs, resp.ScanID)
			if resp.Action == l.Action {
				right[mode]++
			} else {
				var docs []string
				for _, d := range resp.Documents {
					docs = append(docs, d.Name+"="+d.Status+" "+d.Detail)
				}
				t.Errorf("%s (%s): got %s %v, want %s; documents: %s", l.File, mode, resp.Action, resp.reasonCodes(), l.Action, strings.Join(docs, "; "))
			}
			for _, f := range resp.Findings {
				if _, has := f["value"]; has {
					t.Fatalf("%s: a finding carries its value", l.File)
				}
			}
			if n := len([]rune(resp.Message)); n > 500 {
				t.Errorf("%s: message has %d characters", l.File, n)
			}
		}
	}
	t.Logf("service corpus: graph %d/%d, inline %d/%d", right["graph"], len(labels), right["inline"], len(labels))
	fmt.Printf("service corpus score: graph %d/%d, inline %d/%d\n", right["graph"], len(labels), right["inline"], len(labels))

	if err := svc.stop(); err != nil {
		t.Fatal(err)
	}
	logs := svc.logs.String()
	if m := cprShaped.FindString(logs); m != "" {
		t.Errorf("the service's log holds a CPR-shaped number %s-xxxx", m[:6])
	}
	for c := range allCPRs {
		if strings.Contains(logs, c) || strings.Contains(logs, c[:6]+"-"+c[6:]) {
			t.Errorf("the service's log holds the corpus CPR number %s-xxxx", c[:6])
		}
	}
	if !strings.Contains(logs, `"route":"/api/v1/onsend"`) {
		t.Error("no request lines in the log")
	}

	// Every verdict is in the audit, once; the database file holds no CPR number.
	dbPath := filepath.Join(svc.dataDir, "sendevagt.db")
	ids := auditIDs(t, dbPath)
	for _, id := range scanIDs {
		if !ids[id] {
			t.Errorf("scan %s not in the audit", id)
		}
	}
	if len(ids) != len(scanIDs) {
		t.Errorf("audit has %d events, %d verdicts were given", len(ids), len(scanIDs))
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, "audit") {
				t.Log(line)
			}
		}
	}
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for c := range allCPRs {
			if strings.Contains(string(raw), c) || strings.Contains(string(raw), c[:6]+"-"+c[6:]) {
				t.Errorf("%s holds the corpus CPR number %s-xxxx", filepath.Base(f), c[:6])
			}
		}
	}
}

// auditIDs reads the audit's event ids straight from the SQLite file.
func auditIDs(t *testing.T, path string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id FROM audit_events")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if out[id] {
			t.Errorf("audit event %s stored twice", id)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstCase returns a corpus message with the given expected action and scenario prefix.
func corpusCase(t *testing.T, action, scenario string) (string, label) {
	dir := testenv.CorpusDir(t)
	for _, l := range readLabels(t, dir) {
		if l.Action == action && strings.HasPrefix(l.Scenario, scenario) {
			return filepath.Join(dir, l.File), l
		}
	}
	t.Fatalf("no corpus case with action %s and scenario %s*", action, scenario)
	return "", label{}
}

// TestServiceGraphFaults: throttling, drafts not yet synchronised, Graph down, a cloud link and a
// failing attachment, each through the real service and the fake Graph.
func TestServiceGraphFaults(t *testing.T) {
	env := newTestEnv(t)
	svc := startService(t, env, "", "SENDEVAGT_GRAPH_NOT_SYNCED_RETRY=1s")
	token := env.token()
	ctx := context.Background()
	path, lbl := corpusCase(t, "block", "")
	m := loadMessage(t, path)
	withAttachment := ""
	dir := testenv.CorpusDir(t)
	for _, l := range readLabels(t, dir) {
		mm := loadMessage(t, filepath.Join(dir, l.File))
		if len(mm.Attachments) >= 1 && l.Action == "secure" {
			withAttachment = filepath.Join(dir, l.File)
			break
		}
	}
	if withAttachment == "" {
		t.Fatal("no corpus case with an attachment")
	}
	am := loadMessage(t, withAttachment)

	post := func(t *testing.T, id string, msg any) (*onsendResponse, time.Duration) {
		t.Helper()
		var req request
		switch mm := msg.(type) {
		case *request:
			req = *mm
		default:
			req = envelope(m)
		}
		req.ItemID = id
		start := time.Now()
		status, resp, raw, err := svc.post(ctx, token, mustJSON(t, req))
		if err != nil || status != 200 {
			t.Fatalf("status %d, err %v: %s", status, err, raw)
		}
		return resp, time.Since(start)
	}

	t.Run("throttled once, then answered", func(t *testing.T) {
		env.graph.AddMessage(testOID, "throttled", m)
		env.graph.Throttle("throttled", 1, "1")
		resp, took := post(t, "throttled", nil)
		if resp.Action != lbl.Action {
			t.Errorf("got %s %v, want %s", resp.Action, resp.reasonCodes(), lbl.Action)
		}
		if took < time.Second {
			t.Errorf("answered in %v: Retry-After 1 was not honoured", took)
		}
	})
	t.Run("not synced for a moment", func(t *testing.T) {
		env.graph.AddMessage(testOID, "late", m)
		env.graph.Unsynced("late", 2)
		resp, _ := post(t, "late", nil)
		if resp.Action != lbl.Action || resp.ResendInline {
			t.Errorf("got %s %v resendInline=%v, want %s", resp.Action, resp.reasonCodes(), resp.ResendInline, lbl.Action)
		}
	})
	t.Run("never synced: resend inline", func(t *testing.T) {
		env.graph.AddMessage(testOID, "cached", m)
		env.graph.Unsynced("cached", -1)
		resp, took := post(t, "cached", nil)
		if !resp.ResendInline || !slices.Contains(resp.reasonCodes(), "item_not_synced") || resp.Action != "warn" {
			t.Errorf("got %s %v resendInline=%v, want warn (fail mode) item_not_synced with resendInline", resp.Action, resp.reasonCodes(), resp.ResendInline)
		}
		if took > 4*time.Second {
			t.Errorf("took %v, more than the on-send budget", took)
		}
		// The add-in then sends the content inline and gets the real verdict.
		in := inlineRequest(m)
		status, r2, raw, err := svc.post(ctx, token, mustJSON(t, in))
		if err != nil || status != 200 || r2.Action != lbl.Action {
			t.Errorf("inline retry: status %d err %v: %s", status, err, raw)
		}
	})
	t.Run("graph down", func(t *testing.T) {
		env.graph.AddMessage(testOID, "down", m)
		env.graph.Fail("down", -1, 500)
		resp, took := post(t, "down", nil)
		if !resp.ResendInline || !slices.Contains(resp.reasonCodes(), "fetch_failed") || resp.Action != "warn" {
			t.Errorf("got %s %v resendInline=%v", resp.Action, resp.reasonCodes(), resp.ResendInline)
		}
		if took > 4*time.Second {
			t.Errorf("took %v", took)
		}
	})
	t.Run("unknown item", func(t *testing.T) {
		resp, _ := post(t, "no-such-item", nil)
		if !resp.ResendInline || resp.Action != "warn" {
			t.Errorf("got %s %v resendInline=%v", resp.Action, resp.reasonCodes(), resp.ResendInline)
		}
	})
	t.Run("cloud link is not scanned", func(t *testing.T) {
		clean := envelope(m)
		env.graph.AddMessage(testOID, "cloud", m)
		env.graph.AddReferenceAttachment(testOID, "cloud", "Budget.xlsx", "https://kommune.sharepoint.com/x")
		resp, _ := post(t, "cloud", &clean)
		found := false
		for _, d := range resp.Documents {
			if d.Name == "Budget.xlsx" {
				found = true
				if d.Status != "unsupported" {
					t.Errorf("cloud link status %s %q, want unsupported", d.Status, d.Detail)
				}
			}
		}
		if !found {
			t.Errorf("cloud link not among the documents: %+v", resp.Documents)
		}
	})
	t.Run("one attachment fails, the rest is scanned", func(t *testing.T) {
		env.graph.AddMessage(testOID, "halfbroken", am)
		name := am.Attachments[0].Name
		env.graph.FailAttachment("halfbroken", name, 500)
		req := envelope(am)
		resp, _ := post(t, "halfbroken", &req)
		var st string
		for _, d := range resp.Documents {
			if d.Name == name {
				st = d.Status
			}
		}
		if st != "unscannable" {
			t.Errorf("failed attachment has status %q, want unscannable; documents %+v", st, resp.Documents)
		}
		scanned := 0
		for _, d := range resp.Documents {
			if d.Name != name && d.Status == "scanned" {
				scanned++
			}
		}
		if scanned == 0 || resp.Action == "allow" {
			t.Errorf("action %s, %d other documents scanned: %+v", resp.Action, scanned, resp.Documents)
		}
	})
}

// TestServiceRequests: the API's answers to bad requests and bad tokens are JSON errors with the
// right status, never a stack trace.
func TestServiceRequests(t *testing.T) {
	env := newTestEnv(t)
	svc := startService(t, env, "", "SENDEVAGT_MAX_REQUEST_MB=1")
	ctx := context.Background()
	good := env.token()
	valid := mustJSON(t, request{Subject: "Hej", Recipients: recipients{To: []addr{{Address: "a@b.dk"}}},
		Inline: &inline{Body: &inlineBody{ContentType: "text", Content: "Hej"}}})
	huge := mustJSON(t, request{Subject: "x", Recipients: recipients{To: []addr{{Address: "a@b.dk"}}},
		Inline: &inline{Attachments: []inlineAttachment{{Name: "big.bin", ContentBase64: strings.Repeat("QUFB", 400_000)}}}})
	tests := []struct {
		name   string
		token  string
		body   []byte
		status int
		code   string
	}{
		{"valid", good, valid, 200, ""},
		{"no token", "", valid, 401, "unauthorized"},
		{"garbage token", "not-a-jwt", valid, 401, "unauthorized"},
		{"other tenant", env.entra.MintToken(fakeentra.TokenClaims{Tenant: otherTenant, ObjectID: testOID, Audience: testClientID, Scope: "access_as_user", Version: "2.0"}), valid, 401, "unauthorized"},
		{"wrong audience", env.entra.MintToken(fakeentra.TokenClaims{Tenant: testTenant, ObjectID: testOID, Audience: "api://other", Scope: "access_as_user", Version: "2.0"}), valid, 401, "unauthorized"},
		{"missing scope", env.entra.MintToken(fakeentra.TokenClaims{Tenant: testTenant, ObjectID: testOID, Audience: testClientID, Scope: "User.Read", Version: "2.0"}), valid, 401, "unauthorized"},
		{"expired", env.entra.MintToken(fakeentra.TokenClaims{Tenant: testTenant, ObjectID: testOID, Audience: testClientID, Scope: "access_as_user", Version: "2.0", Expiry: time.Now().Add(-time.Hour)}), valid, 401, "unauthorized"},
		{"not JSON", good, []byte("{"), 400, "invalid"},
		{"wrong type", good, []byte(`{"subject": 5}`), 400, "invalid"},
		{"neither item nor content", good, []byte(`{"subject":"x","recipients":{"to":[{"address":"a@b.dk"}]}}`), 400, "invalid"},
		{"bad recipient", good, []byte(`{"itemId":"x","recipients":{"to":[{"address":"nobody"}]}}`), 400, "invalid"},
		{"two values", good, append(append([]byte{}, valid...), valid...), 400, "invalid"},
		{"too large", good, huge, 413, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp, raw, err := svc.post(ctx, tt.token, tt.body)
			if err != nil {
				t.Fatalf("%v: %s", err, raw)
			}
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			if strings.Contains(string(raw), "goroutine") || strings.Contains(string(raw), ".go:") {
				t.Errorf("stack trace in the answer: %s", raw)
			}
			if tt.code == "" {
				return
			}
			if resp.Error == nil || resp.Error.Code != tt.code || resp.Error.Message == "" {
				t.Errorf("error body %s, want code %s", raw, tt.code)
			}
		})
	}
	if strings.Contains(svc.logs.String(), "eyJ") {
		t.Error("a token reached the log")
	}

	// Health, readiness and metrics.
	if status, body := svc.get("/healthz"); status != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("/healthz: %d %s", status, body)
	}
	if status, body := svc.get("/readyz"); status != 200 || !strings.Contains(string(body), `"database":"ok"`) || !strings.Contains(string(body), `"workers":"ok"`) {
		t.Errorf("/readyz: %d %s", status, body)
	}
	_, metrics := svc.get("/metrics")
	for _, name := range []string{"sendevagt_onsend_duration_seconds_bucket", "sendevagt_scans_total", "sendevagt_documents_total",
		"sendevagt_worker_restarts_total", "sendevagt_http_request_duration_seconds", "sendevagt_requests_rejected_total"} {
		if !strings.Contains(string(metrics), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// TestLocalMode is the README's first command: no configuration at all, a token from
// `sendevagt token`, an inline scan.
func TestLocalMode(t *testing.T) {
	dataDir := t.TempDir()
	svc := startService(t, nil, dataDir)
	out, err := exec.Command(binPath, "token", "--data-dir", dataDir, "--public-url", "https://localhost:8443").Output()
	if err != nil {
		t.Fatalf("sendevagt token: %v", err)
	}
	token := strings.TrimSpace(string(out))
	// The README's example request.
	example, err := os.ReadFile("testdata/onsend-forkert-borger.json")
	if err != nil {
		t.Fatal(err)
	}
	status, resp, raw, err := svc.post(context.Background(), token, example)
	if err != nil || status != 200 || resp.Action != "block" || resp.Reasons[0].Code != "different_citizen" {
		t.Fatalf("README example: status %d err %v: %s", status, err, raw)
	}
	path, lbl := corpusCase(t, "block", "")
	m := loadMessage(t, path)
	status, resp, raw, err = svc.post(context.Background(), token, mustJSON(t, inlineRequest(m)))
	if err != nil || status != 200 || resp.Action != lbl.Action {
		t.Fatalf("status %d err %v: %s", status, err, raw)
	}
	req := envelope(m)
	req.ItemID = "AAMk"
	status, _, raw, _ = svc.post(context.Background(), token, mustJSON(t, req))
	if status != 400 || !strings.Contains(string(raw), "inline") {
		t.Errorf("item id in local mode: %d %s, want 400 asking for inline content", status, raw)
	}
	for _, f := range []string{"sendevagt.db", "tls-cert.pem", "tls-key.pem", "audit-hmac.key", "local-signing-key.pem"} {
		st, err := os.Stat(filepath.Join(dataDir, f))
		if err != nil {
			t.Errorf("%s not in the data directory: %v", f, err)
			continue
		}
		if strings.HasSuffix(f, ".key") || strings.Contains(f, "key.pem") || f == "sendevagt.db" {
			if st.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s has mode %v, want private", f, st.Mode().Perm())
			}
		}
	}
}

// TestAuditSurvivesDatabaseOutage holds the database under an exclusive lock (nobody else can
// write) while verdicts are given, then releases it: every verdict given during the outage is in
// the audit afterwards, exactly once.
func TestAuditSurvivesDatabaseOutage(t *testing.T) {
	env := newTestEnv(t)
	dataDir := t.TempDir()
	// Up to twenty requests of one user at once: above the default per-user limit, not this test's subject.
	svc := startService(t, env, dataDir, "SENDEVAGT_MAX_PER_USER=32")
	token := env.token()
	path, _ := corpusCase(t, "secure", "")
	body := mustJSON(t, inlineRequest(loadMessage(t, path)))
	ctx := context.Background()

	var mu sync.Mutex
	var acked []string
	send := func(n int) {
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, resp, raw, err := svc.post(ctx, token, body)
				if err != nil || status != 200 {
					t.Errorf("status %d err %v: %s", status, err, raw)
					return
				}
				mu.Lock()
				acked = append(acked, resp.ScanID)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	send(10)

	// The outage: another connection takes an exclusive lock.
	dbPath := filepath.Join(dataDir, "sendevagt.db")
	lock, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	conn, err := lock.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	send(20)
	t.Logf("20 verdicts during the outage in %v", time.Since(start).Round(time.Millisecond))
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	send(10)

	// The spool drains into the database once it is back (the recorder retries every 2 s).
	deadline := time.Now().Add(20 * time.Second)
	for {
		ids := auditIDs(t, dbPath)
		missing := 0
		for _, id := range acked {
			if !ids[id] {
				missing++
			}
		}
		if missing == 0 {
			if len(ids) != len(acked) {
				t.Errorf("audit has %d events, %d verdicts", len(ids), len(acked))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged audit events missing 20 s after the database came back", missing, len(acked))
		}
		time.Sleep(250 * time.Millisecond)
	}
	// The outage really happened: events went through the spool.
	_, metrics := svc.get("/metrics")
	if m := regexp.MustCompile(`(?m)^sendevagt_audit_spooled_total (\d+)`).FindStringSubmatch(string(metrics)); m == nil || m[1] == "0" {
		t.Errorf("no audit event was spooled during the outage (metric %v)", m)
	}
	if err := svc.stop(); err != nil {
		t.Fatal(err)
	}
}
