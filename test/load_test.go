package test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/store/storetest"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// TestLoad holds 50 concurrent clients against the real service (inline content, so Graph is
// excluded) for SENDEVAGT_LOAD_DURATION (default 10 s; CI and the README figures use 60 s), with
// messages of 3 attachments totalling about 5 MB, and requires every request to succeed. It
// reports p50/p95/p99 latency and the service's peak memory. SENDEVAGT_LOAD_REPLICAS=N runs N
// service processes on one PostgreSQL database (SENDEVAGT_LOAD_POSTGRES=1 puts a single one on
// PostgreSQL too), the clients spread over them, the memory figure then per replica.
func TestLoad(t *testing.T) {
	duration := 10 * time.Second
	if v := os.Getenv("SENDEVAGT_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SENDEVAGT_LOAD_DURATION: %v", err)
		}
		duration = d
	}
	clients := 50
	if v := os.Getenv("SENDEVAGT_LOAD_CLIENTS"); v != "" {
		clients, _ = strconv.Atoi(v)
	}
	think := 0 * time.Millisecond
	if v := os.Getenv("SENDEVAGT_LOAD_THINK"); v != "" {
		think, _ = time.ParseDuration(v)
	}
	env := newTestEnv(t)
	// The same few messages are sent again and again: without this the pre-scan cache would
	// answer their attachments and the figures would measure the cache, not the scan.
	extra := []string{"SENDEVAGT_CACHE_MB=0"}
	if os.Getenv("SENDEVAGT_LOAD_CACHE") != "" {
		extra = nil // the pre-scanned case: attachments read once, then answered from the cache
	}
	if v := os.Getenv("SENDEVAGT_TEST_DEBUG_ADDR"); v != "" {
		extra = append(extra, "SENDEVAGT_DEBUG_ADDR="+v) // profile the service during the run
	}
	replicas := 1
	if v := os.Getenv("SENDEVAGT_LOAD_REPLICAS"); v != "" {
		replicas, _ = strconv.Atoi(v)
	}
	if replicas > 1 || os.Getenv("SENDEVAGT_LOAD_POSTGRES") != "" {
		key := base64.StdEncoding.EncodeToString([]byte("sendevagt-load-test-hmac-key-0123456789"))
		extra = append(extra, "SENDEVAGT_DATABASE_URL="+storetest.PostgresURL(t), "SENDEVAGT_HMAC_KEY="+key)
	}
	var svcs []*service
	for range max(replicas, 1) {
		svcs = append(svcs, startService(t, env, "", extra...))
	}
	// The add-in uploads attachments as binary parts; SENDEVAGT_LOAD_UPLOAD=json sends them as
	// base64 inside the JSON, as earlier add-ins (and services) do.
	asParts := os.Getenv("SENDEVAGT_LOAD_UPLOAD") != "json"
	// A handful of distinct realistic messages: each a letter to one citizen as PDF, a copy
	// with the scanned signature, and a DOCX with an embedded photo; about 5 MB together.
	var bodies []upload
	var total int
	for i := range 4 {
		req, files := heavyMessage(t, int64(100+i))
		bodies = append(bodies, encodeUpload(t, req, files, asParts))
		total = filesSize(files)
	}
	t.Logf("message: 3 attachments, %.1f MB (request %.1f MB, %s)", float64(total)/1e6, float64(len(bodies[0].body))/1e6, bodies[0].contentType)
	res := runLoad(t, t.Errorf, env, svcs, clients, duration, think, func(rng *rand.Rand) upload { return bodies[rng.IntN(len(bodies))] })
	t.Log(res)
	fmt.Println(res)
}

// loadResult is what a load run measured.
type loadResult struct {
	replicas, clients int
	duration          time.Duration
	requests          int
	throughput        float64 // answered requests per second
	failed            int64
	p50, p95, p99, mx time.Duration
	rss               rssFigures
	actions           map[string]int
}

func (r loadResult) String() string {
	return fmt.Sprintf("load: %d replica(s), %d clients, %v, %d requests (%.1f/s), %d failed; latency p50 %v p95 %v p99 %v max %v; peak RSS service %d MB, service+workers %d MB; actions %v",
		r.replicas, r.clients, r.duration, r.requests, r.throughput, r.failed, r.p50, r.p95, r.p99, r.mx, r.rss.main>>20, r.rss.tree>>20, r.actions)
}

// runLoad has clients employees send the messages next gives them, back to back (with think
// between sends), to the services in turn for duration; every request must be answered 200, and
// failures are reported through fail (t.Errorf; a benchmark of an older build only logs them).
func runLoad(t *testing.T, fail func(format string, args ...any), env *testEnv, svcs []*service, clients int, duration, think time.Duration, next func(*rand.Rand) upload) loadResult {
	t.Helper()
	// Each client is another employee: one user may have only SENDEVAGT_MAX_PER_USER requests
	// open at once.
	tokens := make([]string, clients)
	for c := range tokens {
		tokens[c] = env.tokenFor(fmt.Sprintf("00000000-0000-4000-8000-%012d", c), fmt.Sprintf("ansat%d@aarhus.dk", c))
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  atomic.Int64
		actions   = map[string]int{}
	)
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for ctx.Err() == nil {
				body := next(rng)
				t0 := time.Now()
				status, resp, raw, err := svcs[c%len(svcs)].postUpload(context.Background(), tokens[c], body)
				el := time.Since(t0)
				if err != nil || status != 200 {
					if failures.Add(1) <= 5 {
						fail("request failed: status %d err %v: %.200s", status, err, raw)
					}
					continue
				}
				mu.Lock()
				latencies = append(latencies, el)
				actions[resp.Action]++
				mu.Unlock()
				if think > 0 {
					time.Sleep(think)
				}
			}
		}()
	}
	peak := newPeakRSS(svcs[0].cmd.Process.Pid)
	wg.Wait()
	elapsed := time.Since(start)
	rss := peak.stop()

	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(float64(len(latencies))*p))].Round(time.Millisecond)
	}
	if failures.Load() > 0 {
		fail("%d requests failed", failures.Load())
	}
	if len(latencies) == 0 {
		t.Fatal("no request completed")
	}
	return loadResult{replicas: len(svcs), clients: clients, duration: duration, requests: len(latencies),
		throughput: float64(len(latencies)) / elapsed.Seconds(), failed: failures.Load(),
		p50: pct(0.50), p95: pct(0.95), p99: pct(0.99), mx: pct(1), rss: rss, actions: actions}
}

// heavyMessage is an inline on-send request with three attachments about one citizen: a letter
// as PDF, a copy with the scanned signature, and a Word hearing letter with a photo (~5 MB).
func heavyMessage(t testing.TB, seed int64) (request, []file) {
	t.Helper()
	letter, people, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 1, Seed: seed, ImageBytes: 1_600_000})
	if err != nil {
		t.Fatal(err)
	}
	signed, _, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 1, Seed: seed, ImageBytes: 1_700_000})
	if err != nil {
		t.Fatal(err)
	}
	c := people[0]
	docx := letterDOCX(t, c.FirstName+" "+c.LastName, c.Street, c.Postcode+" "+c.City, c.CPR, 1_700_000, seed)
	return citizenRequest(c, "Afgørelse om hjælp"), []file{
		{"Afgørelse.pdf", "application/pdf", letter},
		{"Afgørelse med underskrift.pdf", "application/pdf", signed},
		{"Partshøring.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx},
	}
}

// citizenRequest is an on-send request to citizen c at a private address, from a caseworker.
func citizenRequest(c testgen.Citizen, subject string) request {
	to := strings.ToLower(strings.ReplaceAll(c.FirstName+"."+c.LastName, " ", ".")) + "@gmail.com"
	return request{
		Subject:    subject,
		From:       &addr{Name: "Jonas Hassan", Address: testUPN},
		Recipients: recipients{To: []addr{{Name: c.FirstName + " " + c.LastName, Address: to}}},
		Inline: &inline{
			Body: &inlineBody{ContentType: "html", Content: "<p>Kære " + c.FirstName + "</p><p>Hermed kommunens afgørelse. Med venlig hilsen Jonas Hassan</p>"},
		},
	}
}

func filesSize(files []file) int {
	n := 0
	for _, f := range files {
		n += len(f.data)
	}
	return n
}

// letterDOCX is a Word document: a short hearing letter to one citizen and an embedded photo
// (random bytes standing in for a JPEG) that brings it to a realistic size.
func letterDOCX(t testing.TB, name, street, city, cpr string, imageBytes int, seed int64) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	add := func(n, body string) {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	var p strings.Builder
	for _, line := range []string{name, street, city, "", "CPR-nr.: " + cpr, "", "Partshøring",
		"Kære " + name + ". Kommunen overvejer at træffe afgørelse om din sag. Inden da får du mulighed for at komme med dine bemærkninger.",
		"Med venlig hilsen", "Jonas Hassan, Socialforvaltningen"} {
		p.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + line + `</w:t></w:r></w:p>`)
	}
	add("word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+p.String()+`</w:body></w:document>`)
	img := make([]byte, imageBytes)
	rng := rand.New(rand.NewPCG(uint64(seed), 99))
	for i := range img {
		img[i] = byte(rng.Uint32())
	}
	w, err := z.CreateHeader(&zip.FileHeader{Name: "word/media/image1.jpeg", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(img)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// peakRSS samples the resident memory of the service and of its worker processes.
type peakRSS struct {
	pid    int
	stopCh chan struct{}
	done   chan rssFigures
}

type rssFigures struct{ main, tree int64 }

func newPeakRSS(pid int) *peakRSS {
	p := &peakRSS{pid: pid, stopCh: make(chan struct{}), done: make(chan rssFigures, 1)}
	go func() {
		var peak rssFigures
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			// The high-water mark of the process itself catches a peak between two samples.
			main := max(rssOf(pid), hwmOf(pid))
			tree := main
			for _, c := range childrenOf(pid) {
				tree += rssOf(c)
			}
			peak.main, peak.tree = max(peak.main, main), max(peak.tree, tree)
			select {
			case <-p.stopCh:
				if hwm := hwmOf(pid); hwm > peak.main {
					peak.main = hwm
				}
				p.done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *peakRSS) stop() rssFigures {
	close(p.stopCh)
	return <-p.done
}

func statusField(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line[len(field)+1:])
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

func rssOf(pid int) int64 { return statusField(pid, "VmRSS") }
func hwmOf(pid int) int64 { return statusField(pid, "VmHWM") }

func childrenOf(pid int) []int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	// Workers may be started from any thread of the service.
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, tk := range tasks {
		if tk.Name() == strconv.Itoa(pid) {
			continue
		}
		cb, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, tk.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(cb)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
