package main

import (
	"context"

	"crypto/tls"
	"github.com/sendevagt/sendevagt/addin"
	"github.com/sendevagt/sendevagt/manifest"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer safe for the server goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// With no configuration but a free port and a data directory, serve starts in local mode,
// answers /healthz over HTTPS and stops when its context ends.
func TestServeLocalMode(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SENDEVAGT_ADDR", "127.0.0.1:0")
	t.Setenv("SENDEVAGT_DATA_DIR", dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, &stdout, &stderr) }()
	re := regexp.MustCompile(`listening on (https://\S+)`)
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == ""; {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), "Local mode") || !strings.Contains(stdout.String(), "sendevagt token") {
		t.Errorf("banner: %s", stdout.String())
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, Timeout: 5 * time.Second}
	resp, err := c.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "ok") {
		t.Errorf("/healthz: %d %s", resp.StatusCode, body)
	}
	checkAddinSite(t, c, url)
	cancel()
	select {
	case code := <-done:
		if code != exitAllow {
			t.Errorf("exit %d after shutdown: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeConfigFromEnvironment(t *testing.T) {
	env := map[string]string{
		"SENDEVAGT_PUBLIC_URL":    "https://sendevagt.kommune.dk/",
		"SENDEVAGT_TENANT_IDS":    "t1, t2",
		"SENDEVAGT_CLIENT_ID":     "cid",
		"SENDEVAGT_CLIENT_SECRET": "s",
		"SENDEVAGT_MAX_QUEUE":     "7",
	}
	cfg, err := parseServeFlags([]string{"--max-queue", "9"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.local() || !cfg.graphEnabled() || cfg.PublicURL != "https://sendevagt.kommune.dk" || cfg.Addr != ":8443" ||
		strings.Join(cfg.TenantIDs, "|") != "t1|t2" || cfg.MaxQueue != 9 ||
		strings.Join(cfg.AuthAudiences, "|") != "cid|api://sendevagt.kommune.dk/cid" {
		t.Errorf("config %+v", cfg)
	}
	if _, err := parseServeFlags(nil, func(k string) string {
		return map[string]string{"SENDEVAGT_ONSEND_TIMEOUT": "soon"}[k]
	}, io.Discard); err == nil || !strings.Contains(err.Error(), "SENDEVAGT_ONSEND_TIMEOUT") {
		t.Errorf("bad duration in the environment: %v", err)
	}
}

// checkAddinSite fetches the manifest, the well-known file and launchevent.js from a running
// service and checks that they belong together: the manifest passes its checks for the served
// well-known file, and the script is rendered for the public URL with the policy's fail mode.
func checkAddinSite(t *testing.T, c *http.Client, base string) {
	t.Helper()
	get := func(path string) []byte {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	man := get("/manifest.xml")
	wk := get("/.well-known/microsoft-officeaddins-allowed.json")
	for _, err := range manifest.Check(man, manifest.Expect{Origin: "https://localhost:8443", Associated: addin.AssociatedNames(), WellKnown: wk}) {
		t.Errorf("served manifest: %v", err)
	}
	js := string(get("/addin/launchevent.js"))
	if !strings.Contains(js, `"apiBase":"https://localhost:8443"`) || !strings.Contains(js, `"failMode":"warn"`) {
		t.Errorf("launchevent.js is not rendered for this service: %.300s", js[strings.Index(js, "var SENDEVAGT_CONFIG"):])
	}
}

// Identity settings without a client id or key set refuse to start instead of running local
// mode (development tokens) on the given address.
func TestServeConfigRefusesPartialIdentity(t *testing.T) {
	for _, env := range []map[string]string{
		{"SENDEVAGT_TENANT_IDS": "t1", "SENDEVAGT_AUTH_AUDIENCE": "api://x"},
		{"SENDEVAGT_TENANT_IDS": "t1"},
		{"SENDEVAGT_CLIENT_SECRET": "s", "SENDEVAGT_ADDR": ":443"},
	} {
		_, err := parseServeFlags(nil, func(k string) string { return env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "refusing to start in local mode") {
			t.Errorf("%v: %v", env, err)
		}
	}
}

// The token validator restricts the calling app: Office's own apps and the add-in's app by
// default, a configured list, or any with *.
func TestServeConfigClientApps(t *testing.T) {
	base := map[string]string{"SENDEVAGT_TENANT_IDS": "t1", "SENDEVAGT_CLIENT_ID": "cid"}
	cfg, err := parseServeFlags(nil, func(k string) string { return base[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	apps := strings.Join(cfg.AuthClientApps, ",")
	if !strings.Contains(apps, "d3590ed6-52b3-4102-aeff-aad2292ab01c") || !strings.Contains(apps, "bc59ab01-8403-45c6-8796-ac3ef710b3e3") || !strings.HasSuffix(apps, ",cid") {
		t.Errorf("default client apps %s", apps)
	}
	for v, want := range map[string]string{"a1, a2": "a1,a2", "*": ""} {
		base["SENDEVAGT_AUTH_CLIENT_APPS"] = v
		cfg, err := parseServeFlags(nil, func(k string) string { return base[k] }, io.Discard)
		if err != nil || strings.Join(cfg.AuthClientApps, ",") != want {
			t.Errorf("%q: %v %v", v, cfg.AuthClientApps, err)
		}
	}
}
