package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/metrics"
	"github.com/sendevagt/sendevagt/internal/onsend"
	"github.com/sendevagt/sendevagt/internal/policy"
)

type fakeAuth struct{}

func (fakeAuth) Validate(_ context.Context, raw string) (*auth.User, error) {
	if raw == "good" {
		return &auth.User{TenantID: "t", ObjectID: "o", Token: raw}, nil
	}
	if raw == "other" {
		return &auth.User{TenantID: "t", ObjectID: "o2", Token: raw}, nil
	}
	return nil, errors.New("invalid token: wrong audience")
}

type fakeOnSend struct {
	block chan struct{}
	fn    func(req *onsend.Request) (*onsend.Response, error)
}

func (f *fakeOnSend) Check(ctx context.Context, _ *auth.User, req *onsend.Request) (*onsend.Response, error) {
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
		}
	}
	if f.fn != nil {
		return f.fn(req)
	}
	return &onsend.Response{ScanID: "s1", Action: policy.Allow}, nil
}

func (f *fakeOnSend) Prescan(_ context.Context, _ *auth.User, req *onsend.PrescanRequest) (*onsend.PrescanResponse, error) {
	out := &onsend.PrescanResponse{PolicyVersion: 1}
	for _, a := range req.Attachments {
		out.Attachments = append(out.Attachments, onsend.PrescanResult{Name: a.Name, SHA256: strings.Repeat("a", 64), Status: "scanned"})
	}
	return out, nil
}

func (f *fakeOnSend) Scan(_ context.Context, _ *auth.User, id string) (*onsend.ScanDetail, error) {
	if id != "s1" {
		return nil, apperr.Errorf(apperr.NotFound, "no such scan")
	}
	return &onsend.ScanDetail{ScanID: id, Action: "block"}, nil
}

func (f *fakeOnSend) Feedback(_ context.Context, _ *auth.User, req *onsend.FeedbackRequest) (*onsend.FeedbackAnswer, error) {
	if req.ScanID != "s1" {
		return nil, apperr.Errorf(apperr.NotFound, "no such scan")
	}
	return &onsend.FeedbackAnswer{ID: "f1", ScanID: req.ScanID, Kind: "false_alarm", Status: "open"}, nil
}

func (f *fakeOnSend) Override(_ context.Context, _ *auth.User, req *onsend.OverrideRequest) (*onsend.OverrideAnswer, error) {
	if req.ScanID != "s1" {
		return nil, apperr.Errorf(apperr.NotFound, "no such scan")
	}
	return &onsend.OverrideAnswer{OverrideID: "o1", Justification: req.Reason}, nil
}

func newTestServer(t *testing.T, os *fakeOnSend, cfg Config) *Server {
	t.Helper()
	cfg.Auth, cfg.OnSend, cfg.Metrics = fakeAuth{}, os, metrics.New(metrics.Sources{})
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func do(s http.Handler, method, path, token string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body is not JSON: %s", w.Body.String())
	}
	if b.Error.Message == "" || b.Error.RequestID == "" {
		t.Errorf("error body lacks message or request id: %s", w.Body.String())
	}
	return b.Error.Code
}

func TestErrors(t *testing.T) {
	fo := &fakeOnSend{}
	s := newTestServer(t, fo, Config{MaxBodyBytes: 1000})
	valid := []byte(`{"itemId":"x"}`)
	tests := []struct {
		name   string
		method string
		path   string
		token  string
		body   []byte
		fn     func(*onsend.Request) (*onsend.Response, error)
		status int
		code   string
	}{
		{"ok", "POST", "/api/v1/onsend", "good", valid, nil, 200, ""},
		{"no token", "POST", "/api/v1/onsend", "", valid, nil, 401, apperr.Unauthorized},
		{"bad token", "POST", "/api/v1/onsend", "bad", valid, nil, 401, apperr.Unauthorized},
		{"bad json", "POST", "/api/v1/onsend", "good", []byte(`{"itemId":`), nil, 400, apperr.Invalid},
		{"too large", "POST", "/api/v1/onsend", "good", []byte(`{"itemId":"` + strings.Repeat("x", 2000) + `"}`), nil, 413, apperr.TooLarge},
		{"service says invalid", "POST", "/api/v1/onsend", "good", valid, func(*onsend.Request) (*onsend.Response, error) {
			return nil, apperr.Errorf(apperr.Invalid, "no")
		}, 400, apperr.Invalid},
		{"unexpected error", "POST", "/api/v1/onsend", "good", valid, func(*onsend.Request) (*onsend.Response, error) {
			return nil, errors.New("boom at /home/x/y.go:12")
		}, 500, apperr.Internal},
		{"panic", "POST", "/api/v1/onsend", "good", valid, func(*onsend.Request) (*onsend.Response, error) {
			panic("nil map")
		}, 500, apperr.Internal},
		{"unknown route", "GET", "/nope", "", nil, nil, 404, apperr.NotFound},
		{"wrong method", "GET", "/api/v1/onsend", "good", nil, nil, 404, apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fo.fn = tt.fn
			w := do(s, tt.method, tt.path, tt.token, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body.String())
			}
			if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
				t.Errorf("content type %q", w.Header().Get("Content-Type"))
			}
			if strings.Contains(w.Body.String(), ".go:") || strings.Contains(w.Body.String(), "goroutine") || strings.Contains(w.Body.String(), "nil map") {
				t.Errorf("internals in the answer: %s", w.Body.String())
			}
			if tt.code != "" {
				if got := errorCode(t, w); got != tt.code {
					t.Errorf("code %q, want %q", got, tt.code)
				}
			}
			if w.Header().Get("X-Request-Id") == "" {
				t.Error("no request id")
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{})
	for in, keep := range map[string]bool{"lb-1234.abc": true, "bad id\nwith newline": false, strings.Repeat("a", 65): false} {
		r := httptest.NewRequest("GET", "/healthz", nil)
		r.Header.Set("X-Request-Id", in)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if got := w.Header().Get("X-Request-Id"); (got == in) != keep || got == "" {
			t.Errorf("%q → %q", in, got)
		}
	}
}

func TestOverload(t *testing.T) {
	fo := &fakeOnSend{block: make(chan struct{})}
	s := newTestServer(t, fo, Config{MaxInFlight: 2, MaxQueue: 1, QueueWait: 200 * time.Millisecond})
	var wg sync.WaitGroup
	results := make(chan int, 10)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- do(s, "POST", "/api/v1/onsend", "good", []byte(`{"itemId":"x"}`)).Code
		}()
	}
	waitFor(t, func() bool { return s.InFlight() == 2 })
	// The third waits in the queue and times out; the fourth finds the queue full.
	wg.Add(1)
	go func() {
		defer wg.Done()
		results <- do(s, "POST", "/api/v1/onsend", "good", []byte(`{"itemId":"x"}`)).Code
	}()
	waitFor(t, func() bool { return s.InFlight() == 3 })
	w := do(s, "POST", "/api/v1/onsend", "good", []byte(`{"itemId":"x"}`))
	if w.Code != 503 || w.Header().Get("Retry-After") == "" || errorCode(t, w) != apperr.Overloaded {
		t.Errorf("queue full: %d %s", w.Code, w.Body.String())
	}
	if got := <-results; got != 503 {
		t.Errorf("queued past QueueWait: %d, want 503", got)
	}
	close(fo.block)
	wg.Wait()
	close(results)
	for code := range results {
		if code != 200 {
			t.Errorf("admitted request: %d", code)
		}
	}
}

func TestReadyz(t *testing.T) {
	fail := errors.New("database is locked")
	var mu sync.Mutex
	var dbErr error
	s := newTestServer(t, &fakeOnSend{}, Config{Checks: []Check{
		{Name: "database", Run: func(context.Context) error { mu.Lock(); defer mu.Unlock(); return dbErr }},
		{Name: "workers", Run: func(context.Context) error { return nil }},
	}})
	if w := do(s, "GET", "/readyz", "", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `"database":"ok"`) {
		t.Errorf("%d %s", w.Code, w.Body.String())
	}
	mu.Lock()
	dbErr = fail
	mu.Unlock()
	w := do(s, "GET", "/readyz", "", nil)
	if w.Code != 503 || !strings.Contains(w.Body.String(), `"database":"failed"`) || strings.Contains(w.Body.String(), "locked") {
		t.Errorf("%d %s", w.Code, w.Body.String())
	}
	if w := do(s, "GET", "/healthz", "", nil); w.Code != 200 {
		t.Errorf("healthz %d", w.Code)
	}
	if w := do(s, "GET", "/metrics", "", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "sendevagt_http_request_duration_seconds") {
		t.Errorf("metrics %d", w.Code)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Invented HTTP methods do not become metric series or log values of their own.
func TestMetricsMethodLabelIsBounded(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{})
	for i := range 300 {
		do(s, fmt.Sprintf("XMETHOD%d", i), "/api/v1/onsend", "good", nil)
		do(s, fmt.Sprintf("FOO%d", i), "/nope", "", nil)
	}
	w := do(s, "GET", "/metrics", "", nil)
	methods := map[string]bool{}
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if !strings.HasPrefix(line, "sendevagt_http_request_duration_seconds_count{") {
			continue
		}
		i := strings.Index(line, `method="`)
		rest := line[i+len(`method="`):]
		methods[rest[:strings.IndexByte(rest, '"')]] = true
	}
	if len(methods) > 3 || !methods["other"] {
		t.Errorf("method label values %v, want a fixed set with other", methods)
	}
}

// A malformed body is logged by the kind of error and its offset, never by its content (here a
// duplicate member name that is a CPR number).
func TestMalformedBodyIsNotLogged(t *testing.T) {
	var logs bytes.Buffer
	s := newTestServer(t, &fakeOnSend{}, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	for _, body := range []string{
		`{"itemId":"x","inline":{"body":{"contentType":"text","content":"a"}},"2101904321":1,"2101904321":2}`,
		`{"itemId":"x","recipients":{"to":[{"name":"Ida 2101904321","address":"a@b.dk"}],"to":[]}}`,
		`{"itemId":"x","subject":{"2101904321":1}}`,
	} {
		w := do(s, "POST", "/api/v1/onsend", "good", []byte(body))
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", body, w.Code)
		}
		if strings.Contains(w.Body.String(), "2101904321") {
			t.Errorf("answer quotes the body: %s", w.Body)
		}
	}
	if strings.Contains(logs.String(), "2101904321") || !strings.Contains(logs.String(), "duplicate member name at byte") {
		t.Errorf("log: %s", logs.String())
	}
}

// A slow body holds no scan slot: while one user's uploads stall, another user's on-send is
// answered; and one user cannot open more than MaxPerUser at once.
func TestSlowBodiesDoNotHoldSlots(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{MaxInFlight: 1, MaxQueue: 1, QueueWait: 200 * time.Millisecond, MaxPerUser: 2})
	var writers []*io.PipeWriter
	results := make(chan int, 3)
	for range 2 {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		go func() {
			r := httptest.NewRequest("POST", "/api/v1/onsend", pr)
			r.Header.Set("Authorization", "Bearer good")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			results <- w.Code
		}()
		if _, err := pw.Write([]byte(`{"itemId":`)); err != nil { // returns once the handler reads
			t.Fatal(err)
		}
	}
	if w := do(s, "POST", "/api/v1/onsend", "good", []byte(`{"itemId":"x"}`)); w.Code != http.StatusServiceUnavailable {
		t.Errorf("third open request of the same user: %d, want 503", w.Code)
	}
	if w := do(s, "POST", "/api/v1/onsend", "other", []byte(`{"itemId":"x"}`)); w.Code != http.StatusOK {
		t.Errorf("another user while the first one's bodies stall: %d %s, want 200", w.Code, w.Body)
	}
	for _, pw := range writers {
		pw.Write([]byte(`"x"}`))
		pw.Close()
	}
	for range writers {
		if code := <-results; code != http.StatusOK {
			t.Errorf("stalled request once complete: %d", code)
		}
	}
}

// A body that stalls is cut off by its own deadline (408), well before the server's timeouts.
func TestStalledBodyTimesOut(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{BodyGrace: 200 * time.Millisecond, BodyMinRate: 1 << 20, BodyTimeout: 2 * time.Second})
	ts := httptest.NewServer(s)
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/onsend HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"itemId\":")
	conn.SetReadDeadline(time.Now().Add(20 * time.Second)) // a bound for a loaded machine, not a timing assertion
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("stalled body: %d, want 408", resp.StatusCode)
	}
}

// With OpsOnInternal, /metrics and /readyz are only on the internal handler.
func TestOpsOnInternal(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{OpsOnInternal: true, Checks: []Check{{Name: "database", Run: func(context.Context) error { return nil }}}})
	for _, p := range []string{"/metrics", "/readyz"} {
		if w := do(s, "GET", p, "", nil); w.Code != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404", p, w.Code)
		}
		if w := do(s.Internal(), "GET", p, "", nil); w.Code != http.StatusOK {
			t.Errorf("internal %s: %d, want 200", p, w.Code)
		}
	}
	if w := do(s, "GET", "/healthz", "", nil); w.Code != http.StatusOK {
		t.Errorf("public /healthz: %d", w.Code)
	}
	if w := do(s.Internal(), "POST", "/api/v1/onsend", "good", []byte(`{"itemId":"x"}`)); w.Code != http.StatusNotFound {
		t.Errorf("internal on-send: %d, want 404", w.Code)
	}
}

func TestCheckShape(t *testing.T) {
	members := func(n int, quoteTricks bool) string {
		var b strings.Builder
		b.WriteString(`{"headers":{`)
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			if quoteTricks {
				fmt.Fprintf(&b, `"a\\\":{%d":"\\\\"`, i) // escaped quotes, colons and braces inside strings
			} else {
				fmt.Fprintf(&b, `"X-%d":"v"`, i)
			}
		}
		b.WriteString(`}}`)
		return b.String()
	}
	for _, tc := range []struct {
		name string
		body string
		ok   bool
	}{
		{"small", `{"itemId":"x","headers":{"a":"b"}}`, true},
		{"at the limit", members(maxMembers, false), true},
		{"over the limit", members(maxMembers+1, false), false},
		{"strings with quotes and colons", members(maxMembers, true), true},
		{"strings with quotes and colons over", members(maxMembers+1, true), false},
		{"many array elements", `{"a":[` + strings.Repeat(`{"x":1},`, 5000) + `{}]}`, true},
		{"unterminated", `{"a":"x`, true},
		{"deep", strings.Repeat("[", 20000), true},
	} {
		if err := checkShape([]byte(tc.body)); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// Bodies of any size arrive whole, whether their length is announced or not.
func TestReadBodySizes(t *testing.T) {
	var got int
	fo := &fakeOnSend{fn: func(req *onsend.Request) (*onsend.Response, error) {
		got = len(req.Subject)
		return &onsend.Response{ScanID: "s1", Action: policy.Allow}, nil
	}}
	s := newTestServer(t, fo, Config{})
	for _, n := range []int{0, 1, 64<<10 - 5, 1 << 20, 3<<20 + 7} {
		for _, announced := range []bool{true, false} {
			body := []byte(`{"itemId":"x","subject":"` + strings.Repeat("a", n) + `"}`)
			r := httptest.NewRequest("POST", "/api/v1/onsend", bytes.NewReader(body))
			if !announced {
				r.ContentLength = -1
			}
			r.Header.Set("Authorization", "Bearer good")
			w := httptest.NewRecorder()
			got = -1
			s.ServeHTTP(w, r)
			if w.Code != http.StatusOK || got != n {
				t.Errorf("%d bytes (announced %v): %d, subject of %d", n, announced, w.Code, got)
			}
		}
	}
}

// Many bodies of a few MB arriving at once, more than the body budget holds together, are all
// answered: none waits for more budget while holding a part of it, which had every upload wait
// for the others until its deadline.
func TestBodiesBeyondTheBudgetAllComplete(t *testing.T) {
	tests := []struct {
		name      string
		size      int  // bytes of the subject
		announced bool // Content-Length given (else the body is chunked)
		clients   int
	}{
		{"small bodies, reserved whole", 3 << 19, true, 40}, // 1.5 MiB, below a sixteenth of the budget
		{"large bodies, reserved as they arrive", 5 << 20, true, 16},
		{"bodies of unknown length", 5 << 20, false, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, &fakeOnSend{}, Config{MaxBodyBytes: 8 << 20, BodyBufferBytes: 32 << 20,
				MaxInFlight: 64, MaxQueue: 64, MaxPerUser: 64, BodyTimeout: 20 * time.Second})
			body := []byte(`{"itemId":"x","subject":"` + strings.Repeat("a", tt.size) + `"}`)
			codes := make(chan int, tt.clients)
			for range tt.clients {
				go func() {
					pr, pw := io.Pipe()
					go func() {
						// Two thirds of the body, a pause in which the others arrive, then the rest.
						pw.Write(body[:len(body)*2/3])
						time.Sleep(200 * time.Millisecond)
						pw.Write(body[len(body)*2/3:])
						pw.Close()
					}()
					r := httptest.NewRequest("POST", "/api/v1/onsend", pr)
					r.ContentLength = -1
					if tt.announced {
						r.ContentLength = int64(len(body))
					}
					r.Header.Set("Authorization", "Bearer good")
					w := httptest.NewRecorder()
					s.ServeHTTP(w, r)
					codes <- w.Code
				}()
			}
			for range tt.clients {
				if code := <-codes; code != http.StatusOK {
					t.Errorf("upload answered %d, want 200", code)
				}
			}
		})
	}
}

// A body that ends before its announced length is refused as unreadable (and the connection is
// not reused), whether it was read straight into its buffer or in chunks.
func TestBodyShorterThanAnnounced(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{MaxBodyBytes: 8 << 20, BodyBufferBytes: 32 << 20})
	for _, n := range []int{1 << 10, 1 << 20, 3 << 20} { // the last beyond a sixteenth of the budget
		body := []byte(`{"itemId":"x","subject":"` + strings.Repeat("a", n) + `"}`)
		r := httptest.NewRequest("POST", "/api/v1/onsend", bytes.NewReader(body[:len(body)/2]))
		r.ContentLength = int64(len(body))
		r.Header.Set("Authorization", "Bearer good")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusBadRequest || w.Header().Get("Connection") != "close" {
			t.Errorf("%d bytes announced, half sent: %d, Connection %q; want 400 and close", len(body), w.Code, w.Header().Get("Connection"))
		}
	}
}

// A body that waits for its claim (other large uploads are being read) gets its rate deadline
// from when it may start: the wait is not counted as the client sending too slowly.
func TestBodyWaitingForItsClaimKeepsItsTime(t *testing.T) {
	s := newTestServer(t, &fakeOnSend{}, Config{MaxBodyBytes: 8 << 20, BodyBufferBytes: 18 << 20,
		MaxInFlight: 64, MaxQueue: 64, MaxPerUser: 64, BodyGrace: 300 * time.Millisecond, BodyTimeout: 20 * time.Second})
	ts := httptest.NewServer(s) // a real connection: its read deadlines hold
	defer ts.Close()
	body := []byte(`{"itemId":"x","subject":"` + strings.Repeat("a", 7<<20) + `"}`) // two claims fit the budget
	const clients = 4
	codes := make(chan int, clients)
	for range clients {
		go func() {
			pr, pw := io.Pipe()
			go func() {
				// Fast, but with a pause longer than the grace period: the third and fourth
				// uploads wait that long for a claim.
				pw.Write(body[:len(body)/2])
				time.Sleep(time.Second)
				pw.Write(body[len(body)/2:])
				pw.Close()
			}()
			req, _ := http.NewRequest("POST", ts.URL+"/api/v1/onsend", pr)
			req.ContentLength = int64(len(body))
			req.Header.Set("Authorization", "Bearer good")
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Error(err)
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	for range clients {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("upload answered %d, want 200", code)
		}
	}
}
