package test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sendevagt/sendevagt/internal/admin"
	"github.com/sendevagt/sendevagt/internal/fakeentra"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// replicaSet is several service processes on one PostgreSQL database.
type replicaSet struct {
	t      *testing.T
	env    *testEnv
	common []string
}

func newReplicaSet(t *testing.T) *replicaSet {
	t.Helper()
	pg := storetest.PostgresURL(t)
	key := make([]byte, 32)
	rand.Read(key)
	return &replicaSet{t: t, env: newTestEnv(t), common: []string{
		"SENDEVAGT_DATABASE_URL=" + pg,
		"SENDEVAGT_HMAC_KEY=" + base64.StdEncoding.EncodeToString(key), // replicas share the audit key
		"SENDEVAGT_POLICY_POLL=1s",
		// 16 clients send as one user here; the per-user limit is not what this test is about.
		"SENDEVAGT_MAX_PER_USER=32",
	}}
}

// start runs one replica with its own data directory (its audit spool) and public URL.
func (rs *replicaSet) start(dataDir string, extra ...string) (*service, string) {
	addr := freeAddr(rs.t)
	_, port, _ := net.SplitHostPort(addr)
	public := "https://localhost:" + port
	vars := append(append([]string{"SENDEVAGT_ADDR=" + addr, "SENDEVAGT_PUBLIC_URL=" + public}, rs.common...), extra...)
	return startService(rs.t, rs.env, dataDir, vars...), public
}

// smallRequest is a quick inline on-send request: a short body with a (synthetic) CPR number to
// an external citizen, so that every verdict runs detection and writes a full audit event.
func smallRequest(i int) []byte {
	return []byte(fmt.Sprintf(`{"subject":"Sag %d","from":{"address":"jonas.hassan@aarhus.dk"},`+
		`"recipients":{"to":[{"name":"Jens Hansen","address":"jens.hansen%d@gmail.com"}]},`+
		`"inline":{"body":{"contentType":"text","content":"Hej Jens Hansen\n\nCPR-nr. 010190-1234\nDin sag nr. %d er afsluttet.\n"}}}`, i, i%97, i))
}

// auditRows reads the ids of all audit events from the database.
func auditRows(t *testing.T, dsn string) map[string]bool {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM audit_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if ids[id] {
			t.Errorf("audit event %s stored twice", id)
		}
		ids[id] = true
	}
	return ids
}

// waitAuditRows reads the audit rows until every id of want is among them or timeout passes.
func waitAuditRows(t *testing.T, dsn string, want map[string]bool, timeout time.Duration) map[string]bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		rows := auditRows(t, dsn)
		missing := 0
		for id := range want {
			if !rows[id] {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			return rows
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// sendMany sends on-send requests from clients goroutines, spread over the replicas targets()
// returns at each call, until exactly want verdicts were acknowledged (a 200 with a scan id): a
// request is only sent while fewer than want are acknowledged or in flight, and a failed one
// frees its place. It returns the acknowledged scan ids. midway is called once when half are
// acknowledged.
func sendMany(t *testing.T, token string, clients, want int, targets func() []*service, midway func()) map[string]bool {
	t.Helper()
	var (
		mu     sync.Mutex
		acked  = map[string]bool{}
		issued atomic.Int64 // acknowledged + in flight
		n      atomic.Int64
		fails  atomic.Int64
		once   sync.Once
		wg     sync.WaitGroup
	)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i += clients {
				mu.Lock()
				done, half := len(acked) >= want, len(acked) >= want/2
				mu.Unlock()
				if done {
					return
				}
				if half && midway != nil {
					once.Do(midway)
				}
				if issued.Add(1) > int64(want) {
					issued.Add(-1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				ts := targets()
				svc := ts[int(n.Add(1))%len(ts)]
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				status, resp, _, err := svc.post(ctx, token, smallRequest(i))
				cancel()
				if err != nil || status != 200 || resp.ScanID == "" {
					issued.Add(-1)
					fails.Add(1)
					time.Sleep(20 * time.Millisecond)
					continue
				}
				mu.Lock()
				acked[resp.ScanID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d verdicts acknowledged, %d requests failed", len(acked), fails.Load())
	if len(acked) != want {
		t.Errorf("%d verdicts acknowledged, want exactly %d", len(acked), want)
	}
	return acked
}

// TestReplicas runs two service processes on one PostgreSQL database: a policy saved on the admin
// page of one is applied by the other within 5 s; 10,000 verdicts spread over both produce
// exactly 10,000 audit rows; and a replica killed (SIGKILL) in the middle of a run loses no
// acknowledged audit event (its spool is replayed when it comes back on the same data directory).
func TestReplicas(t *testing.T) {
	rs := newReplicaSet(t)
	dsn := strings.TrimPrefix(rs.common[0], "SENDEVAGT_DATABASE_URL=")
	a, aURL := rs.start("")
	bDir := t.TempDir()
	b, _ := rs.start(bDir)
	token := rs.env.token()

	// 1. A policy saved on replica A's admin page decides on replica B within 5 s.
	scanB := func() *onsendResponse {
		status, resp, raw, err := b.post(context.Background(), token, smallRequest(0))
		if err != nil || status != 200 {
			t.Fatalf("scan on B: %d %v %s", status, err, raw)
		}
		return resp
	}
	if got := scanB().Action; got != "secure" {
		t.Fatalf("before the change B gives %s, want secure", got)
	}
	rs.env.entra.SetSignInUser(fakeentra.SignInUser{ObjectID: "7d6c5b4a-0000-4000-8000-0000000000aa",
		Name: "Dorte Databeskyttelse", UPN: "dpo@aarhus.dk", Roles: []string{admin.RoleAdmin}})
	browser := adminClient(t, rs.env, a)
	csrf := signInOIDC(t, browser, aURL, "/admin/policy/import")
	newPolicy := corpusPolicy + "rules:\n  personal_data_unencrypted: block\n"
	form := url.Values{"_csrf": {csrf}, "yaml": {newPolicy}, "comment": {"Replikatest: bloker"}}
	resp, err := browser.PostForm(aURL+"/admin/policy/import", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "er gemt som version") {
		t.Fatalf("import on A: %d\n%.1500s", resp.StatusCode, body)
	}
	saved := time.Now()
	for scanB().Action != "block" {
		if time.Since(saved) > 5*time.Second {
			t.Fatal("replica B did not apply the policy saved on A within 5 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("policy saved on A applied by B after %v", time.Since(saved).Round(10*time.Millisecond))

	// 2. 10,000 verdicts over both replicas: exactly 10,000 new audit rows, all of them.
	before := auditRows(t, dsn)
	start := time.Now()
	acked := sendMany(t, token, 16, 10000, func() []*service { return []*service{a, b} }, nil)
	t.Logf("10,000 verdicts over two replicas in %v", time.Since(start).Round(time.Millisecond))
	// An acknowledged event is in the database or, when the database took longer than the
	// recorder's write timeout (a loaded machine), in the replica's disk spool, which a background
	// loop replays within seconds: wait for it rather than read at once.
	after := waitAuditRows(t, dsn, acked, time.Minute)
	if got := len(after) - len(before); got != 10000 {
		t.Errorf("%d new audit rows for 10,000 verdicts", got)
	}
	for id := range acked {
		if !after[id] {
			t.Errorf("acknowledged verdict %s has no audit row", id)
			break
		}
	}

	// 3. Replica B is killed halfway through another 2,000 verdicts and started again on the same
	// data directory: every acknowledged verdict is in the audit.
	var live atomic.Pointer[[]*service]
	both := []*service{a, b}
	live.Store(&both)
	var restarted *service
	acked = sendMany(t, token, 16, 2000, func() []*service { return *live.Load() }, func() {
		b.kill()
		onlyA := []*service{a}
		live.Store(&onlyA)
		t.Log("replica B killed")
	})
	restarted, _ = rs.start(bDir)
	if err := restarted.stop(); err != nil { // a graceful stop also flushes anything left in the spool
		t.Errorf("restarted replica: %v", err)
	}
	if err := a.stop(); err != nil {
		t.Errorf("replica A: %v", err)
	}
	final := waitAuditRows(t, dsn, acked, 10*time.Second)
	lost := 0
	for id := range acked {
		if !final[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d acknowledged verdicts have no audit row after the kill", lost)
	}
	if extra := len(final) - len(after) - len(acked); extra < 0 || extra > 16 {
		t.Errorf("%d audit rows beyond the acknowledged verdicts (at most the 16 requests in flight at the kill)", extra)
	}
}

// adminClient is a browser-like HTTP client: cookies, and trust in both the service's
// self-signed certificate and the fake Entra ID's.
func adminClient(t *testing.T, env *testEnv, s *service) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	for _, f := range []string{filepath.Join(s.dataDir, "tls-cert.pem"), env.caFile} {
		pemBytes, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(pemBytes)
	}
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signInOIDC signs the client in on the admin page through the fake Entra ID (authorization
// code with PKCE, following the redirects) and returns the CSRF token of the page next.
func signInOIDC(t *testing.T, c *http.Client, base, next string) string {
	t.Helper()
	resp, err := c.Get(base + "/admin/login/start?next=" + url.QueryEscape(next))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(resp.Request.URL.Path, next) {
		t.Fatalf("sign-in ended at %s with %d:\n%.1500s", resp.Request.URL, resp.StatusCode, body)
	}
	return string(m[1])
}
