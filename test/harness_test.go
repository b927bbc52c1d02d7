package test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/fakeentra"
	"github.com/sendevagt/sendevagt/internal/fakegraph"
	"github.com/sendevagt/sendevagt/internal/message"
)

// binPath is the sendevagt binary, built once by TestMain.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sendevagt-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "sendevagt")
	if out, err := exec.Command("go", "build", "-o", binPath, "../server").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildBinary returns the binary TestMain built.
func buildBinary(t *testing.T) string {
	t.Helper()
	return binPath
}

// The tenant, app and users of the end-to-end tests (all synthetic).
const (
	testTenant   = "3f1c2b7a-0d5e-4c1a-9b8e-2a6f0e9d4c11"
	otherTenant  = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	testClientID = "6e0b4a1f-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
	testSecret   = "e2e-client-secret"
	testOID      = "11111111-2222-4333-8444-555555555555"
	testUPN      = "jonas.hassan@aarhus.dk"
	// outlookDesktopApp is the client id Office's single sign-on gives Outlook's tokens (azp).
	outlookDesktopApp = "d3590ed6-52b3-4102-aeff-aad2292ab01c"
)

// testEnv is a fake Entra ID and a fake Graph on loopback, and a CA bundle that trusts both.
type testEnv struct {
	entra  *fakeentra.Server
	graph  *fakegraph.Server
	caFile string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	entra, err := fakeentra.Start(fakeentra.App{ClientID: testClientID, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(entra.Close)
	g, err := fakegraph.Start(entra.GraphTokenUser)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, append(append([]byte{}, entra.CAPEM()...), g.CAPEM()...), 0o644); err != nil {
		t.Fatal(err)
	}
	return &testEnv{entra: entra, graph: g, caFile: ca}
}

// token is a valid access token for the service, for the test user.
func (e *testEnv) token() string {
	return e.entra.MintToken(fakeentra.TokenClaims{
		Tenant: testTenant, ObjectID: testOID, UPN: testUPN, Audience: testClientID,
		Scope: "access_as_user", Version: "2.0", ClientApp: outlookDesktopApp,
	})
}

// service is the real binary, running.
type service struct {
	t       *testing.T
	cmd     *exec.Cmd
	url     string
	dataDir string
	logs    *syncBuffer // stderr: the JSON log
	stdout  *syncBuffer // the banner
	client  *http.Client
	done    chan error
	// internal is the internal listener's URL (metrics, readiness), from the banner.
	internalCh chan string
	internal   string
}

// testHMACKey is the audit key the tests give the service outside local mode (synthetic).
const testHMACKey = "c3ludGhldGljLWF1ZGl0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ=="

// corpusPolicy is the policy the corpus labels follow.
const corpusPolicy = "name: Korpus\ntrusted_domains: [randers.dk, regionmidtjylland.dk]\n"

// startService starts the binary against env (nil: local mode) with extra SENDEVAGT_* settings.
func startService(t *testing.T, env *testEnv, dataDir string, extra ...string) *service {
	t.Helper()
	return startServiceBin(t, binPath, env, dataDir, extra...)
}

// startServiceBin is startService for another build of the binary (the side-by-side comparison).
func startServiceBin(t *testing.T, bin string, env *testEnv, dataDir string, extra ...string) *service {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	policyFile := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(policyFile, []byte(corpusPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := []string{
		"SENDEVAGT_ADDR=127.0.0.1:0",
		"SENDEVAGT_DATA_DIR=" + dataDir,
		"SENDEVAGT_POLICY_FILE=" + policyFile,
		"SENDEVAGT_LOG_LEVEL=debug",
		"SENDEVAGT_INTERNAL_ADDR=127.0.0.1:0",
		"HOME=" + dataDir,
		"PATH=" + os.Getenv("PATH"),
	}
	if env != nil {
		vars = append(vars,
			"SSL_CERT_FILE="+env.caFile,
			"SENDEVAGT_TENANT_IDS="+testTenant,
			"SENDEVAGT_CLIENT_ID="+testClientID,
			"SENDEVAGT_CLIENT_SECRET="+testSecret,
			"SENDEVAGT_AUTH_ISSUER="+env.entra.URL+"/{tenantid}/v2.0",
			"SENDEVAGT_AUTH_JWKS_URL="+env.entra.JWKSURL(),
			"SENDEVAGT_AUTHORITY_HOST="+env.entra.URL,
			"SENDEVAGT_GRAPH_URL="+env.graph.URL+"/v1.0",
			// outside local mode the audit key comes from outside the data directory (a later
			// entry in extra wins)
			"SENDEVAGT_HMAC_KEY="+testHMACKey,
		)
	}
	vars = append(vars, extra...)
	cmd := exec.Command(bin, "serve")
	cmd.Env = vars
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &service{t: t, cmd: cmd, dataDir: dataDir, logs: &syncBuffer{}, stdout: &syncBuffer{}, done: make(chan error, 1),
		internalCh: make(chan string, 1)}
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`listening on (https://\S+)`)
		reInternal := regexp.MustCompile(`Internal listener on (http://\S+)`)
		for sc.Scan() {
			s.stdout.Write([]byte(sc.Text() + "\n"))
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urlCh <- m[1]
			}
			if m := reInternal.FindStringSubmatch(sc.Text()); m != nil {
				s.internalCh <- m[1]
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.url = <-urlCh:
	case err := <-s.done:
		t.Fatalf("service exited at start: %v\n%s", err, s.logs.String())
	case <-time.After(60 * time.Second):
		s.kill()
		t.Fatalf("service did not start within 60 s\n%s", s.logs.String())
	}
	s.client = s.httpClient()
	t.Cleanup(func() { s.stop() })
	return s
}

// httpClient trusts the service's self-signed certificate from its data directory.
func (s *service) httpClient() *http.Client {
	pemBytes, err := os.ReadFile(filepath.Join(s.dataDir, "tls-cert.pem"))
	if err != nil {
		s.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: pool, ServerName: "localhost"},
			MaxIdleConnsPerHost: 100,
		},
	}
}

// stop sends SIGTERM and waits for a graceful exit.
func (s *service) stop() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(30 * time.Second):
		s.kill()
		return fmt.Errorf("service did not stop within 30 s")
	}
}

// internalURL is the internal listener's URL, once the banner has named it.
func (s *service) internalURL() string {
	if s.internal == "" {
		select {
		case s.internal = <-s.internalCh:
		case <-time.After(30 * time.Second):
			s.t.Fatalf("the banner names no internal listener:\n%s", s.stdout.String())
		}
	}
	return s.internal
}

func (s *service) kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
}

// onsendResponse is the service's answer.
type onsendResponse struct {
	ScanID          string `json:"scanId"`
	Action          string `json:"action"`
	Message         string `json:"message"`
	MessageMarkdown string `json:"messageMarkdown"`
	ResendInline    bool   `json:"resendInline"`
	PolicyVersion   int    `json:"policyVersion"`
	Reasons         []struct {
		Code      string   `json:"code"`
		Message   string   `json:"message"`
		Documents []string `json:"documents"`
	} `json:"reasons"`
	Secure *struct {
		Header struct{ Name, Value string } `json:"header"`
	} `json:"secure"`
	Documents []struct{ Name, Type, Status, Detail string } `json:"documents"`
	Findings  []map[string]any                              `json:"findings"`
	Error     *struct{ Code, Message string }               `json:"error"`
}

func (r *onsendResponse) reasonCodes() []string {
	var out []string
	for _, re := range r.Reasons {
		out = append(out, re.Code)
	}
	return out
}

// post sends an on-send request and decodes the answer.
func (s *service) post(ctx context.Context, token string, body []byte) (int, *onsendResponse, []byte, error) {
	return s.postUpload(ctx, token, upload{body: body, contentType: "application/json"})
}

// postPath posts a JSON body to path with a bearer token.
func (s *service) postPath(path, token string, body []byte) (int, []byte) {
	req, err := http.NewRequest(http.MethodPost, s.url+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// get fetches path from the service; /metrics and /readyz from its internal listener.
func (s *service) get(path string) (int, []byte) {
	base := s.url
	if path == "/metrics" || path == "/readyz" {
		base = s.internalURL()
	}
	resp, err := s.client.Get(base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// syncBuffer collects the service's logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// request is the add-in's on-send body.
type request struct {
	ItemID     string            `json:"itemId,omitempty"`
	Mailbox    string            `json:"mailbox,omitempty"`
	Subject    string            `json:"subject"`
	From       *addr             `json:"from,omitempty"`
	Recipients recipients        `json:"recipients"`
	Headers    map[string]string `json:"headers,omitempty"`
	Inline     *inline           `json:"inline,omitempty"`
}

type addr struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

type recipients struct {
	To  []addr `json:"to"`
	Cc  []addr `json:"cc"`
	Bcc []addr `json:"bcc"`
}

type inline struct {
	Body        *inlineBody        `json:"body,omitempty"`
	Attachments []inlineAttachment `json:"attachments"`
}

type inlineBody struct {
	ContentType string `json:"contentType"`
	Content     string `json:"content"`
}

type inlineAttachment struct {
	Name          string `json:"name"`
	ContentType   string `json:"contentType"`
	ContentBase64 string `json:"contentBase64,omitempty"`
	Part          string `json:"part,omitempty"` // a multipart/form-data upload's part with the content
}

func addrs(list []message.Address) []addr {
	out := []addr{}
	for _, a := range list {
		out = append(out, addr{Name: a.Name, Address: a.Address})
	}
	return out
}

// envelope is what the add-in always sends: recipients, subject, sender and the headers it knows.
func envelope(m *message.Message) request {
	r := request{
		Subject:    m.Subject,
		From:       &addr{Name: m.From.Name, Address: m.From.Address},
		Recipients: recipients{To: addrs(m.To), Cc: addrs(m.Cc), Bcc: addrs(m.Bcc)},
		Headers:    map[string]string{},
	}
	for _, h := range []string{"X-Sendevagt-Route", "Content-Type"} {
		if v := m.Header.Get(h); v != "" {
			r.Headers[h] = v
		}
	}
	return r
}

// inlineRequest is the request of a client that sends the content (classic Outlook).
func inlineRequest(m *message.Message) request {
	r := envelope(m)
	in := &inline{Attachments: []inlineAttachment{}}
	if len(m.Bodies) > 0 {
		ct := "text"
		if strings.Contains(m.Bodies[0].ContentType, "html") {
			ct = "html"
		}
		var b strings.Builder
		for i, body := range m.Bodies {
			if i > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(body.Content)
		}
		in.Body = &inlineBody{ContentType: ct, Content: b.String()}
	}
	for _, a := range m.Attachments {
		in.Attachments = append(in.Attachments, inlineAttachment{Name: a.Name, ContentType: a.ContentType,
			ContentBase64: base64.StdEncoding.EncodeToString(a.Data)})
	}
	r.Inline = in
	return r
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadMessage(t testing.TB, path string) *message.Message {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := message.Parse(data)
	if err != nil && m == nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}
