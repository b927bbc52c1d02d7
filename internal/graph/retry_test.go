package graph

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/message"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name    string
		lim     Limits
		timeout time.Duration
		inject  func(e *env, id string)
		wantErr error
		// minTime and maxTime bound how long FetchMessage took.
		minTime, maxTime time.Duration
		// messageGETs is how many GETs of the message the fake saw (0: not checked).
		messageGETs int
		wantObs     []observed // the message GETs the Observer saw (nil: not checked)
	}{
		{
			name: "429 with Retry-After 1 then success", timeout: 5 * time.Second,
			inject:  func(e *env, id string) { e.fg.Throttle(id, 1, "1") },
			minTime: 900 * time.Millisecond, maxTime: 3 * time.Second, messageGETs: 2,
			wantObs: []observed{{"message", 429, false}, {"message", 200, true}},
		},
		{
			name: "429 with Retry-After beyond the deadline", timeout: 2 * time.Second,
			inject:  func(e *env, id string) { e.fg.Throttle(id, -1, "10") },
			wantErr: ErrThrottled, maxTime: 500 * time.Millisecond, messageGETs: 1,
			wantObs: []observed{{"message", 429, false}},
		},
		{
			name: "503 without Retry-After is retried with backoff", timeout: 5 * time.Second,
			inject:  func(e *env, id string) { e.fg.Fail(id, 1, 503) },
			minTime: 900 * time.Millisecond, maxTime: 3 * time.Second, messageGETs: 2,
		},
		{
			name: "404 for the first polls then found", timeout: 5 * time.Second,
			inject:  func(e *env, id string) { e.fg.Unsynced(id, 2) },
			minTime: 2 * pollInterval, maxTime: 2 * time.Second, messageGETs: 3,
			wantObs: []observed{{"message", 404, false}, {"message", 404, true}, {"message", 200, true}},
		},
		{
			name: "404 forever", lim: Limits{NotSyncedFor: 700 * time.Millisecond}, timeout: 5 * time.Second,
			inject:  func(e *env, id string) { e.fg.Unsynced(id, -1) },
			wantErr: ErrNotSynced, minTime: 500 * time.Millisecond, maxTime: 700*time.Millisecond + 500*time.Millisecond,
		},
		{
			name: "404 forever with the deadline before NotSyncedFor", timeout: 500 * time.Millisecond,
			inject:  func(e *env, id string) { e.fg.Unsynced(id, -1) },
			wantErr: ErrNotSynced, maxTime: 500 * time.Millisecond,
		},
		{
			name: "500 forever", timeout: 5 * time.Second,
			inject:  func(e *env, id string) { e.fg.Fail(id, -1, 500) },
			wantErr: ErrUnavailable, maxTime: time.Second, messageGETs: 1,
			wantObs: []observed{{"message", 500, false}},
		},
		{
			name: "403", timeout: 5 * time.Second,
			inject:  func(e *env, id string) { e.fg.Fail(id, -1, 403) },
			wantErr: ErrAccessDenied, maxTime: time.Second, messageGETs: 1,
		},
		{
			name: "400", timeout: 5 * time.Second,
			inject:  func(e *env, id string) { e.fg.Fail(id, -1, 400) },
			wantErr: ErrBadRequest, maxTime: time.Second, messageGETs: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.lim)
			const id = "AAMkFault="
			e.fg.AddMessage(testOID, id, mail("Fejl", "tekst"))
			// Warm the token cache so that timings measure Graph only.
			e.fg.AddMessage(testOID, "warm", mail("warm", "warm"))
			if _, err := fetchAs(t, e, "", "warm", 5*time.Second); err != nil {
				t.Fatal(err)
			}
			e.obs.reset()
			tc.inject(e, id)
			start := time.Now()
			got, err := fetchAs(t, e, "", id, tc.timeout)
			took := time.Since(start)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if got.Subject != "Fejl" {
					t.Errorf("subject = %q", got.Subject)
				}
			} else if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if took < tc.minTime || took > tc.maxTime {
				t.Errorf("took %v, want between %v and %v", took, tc.minTime, tc.maxTime)
			}
			var gets int
			for _, r := range requestsFor(e.fg, id) {
				if r.Op == "message" {
					gets++
				}
			}
			if tc.messageGETs != 0 && gets != tc.messageGETs {
				t.Errorf("%d message GETs, want %d", gets, tc.messageGETs)
			}
			if tc.wantObs != nil {
				obs := e.obs.all()
				if len(obs) != len(tc.wantObs) {
					t.Fatalf("observed %+v, want %+v", obs, tc.wantObs)
				}
				for i := range obs {
					if obs[i] != tc.wantObs[i] {
						t.Errorf("observed[%d] = %+v, want %+v", i, obs[i], tc.wantObs[i])
					}
				}
			}
		})
	}
}

func TestRetryAttemptHeaderAndErrorText(t *testing.T) {
	e := newEnv(t, Limits{})
	e.fg.AddMessage(testOID, "x", mail("x", "hemmelig tekst 010190-0000"))
	e.fg.Throttle("x", 1, "0")
	if _, err := fetchAs(t, e, "", "x", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	reqs := requestsFor(e.fg, "x")
	if len(reqs) != 2 || reqs[0].RetryAttempt != "" || reqs[1].RetryAttempt != "1" {
		t.Fatalf("requests = %+v", reqs)
	}
	// Error texts carry status and code, never the token or content.
	e.fg.Fail("x", -1, 500)
	_, err := fetchAs(t, e, "", "x", 5*time.Second)
	if err == nil || strings.Contains(err.Error(), e.user.Assertion) || strings.Contains(err.Error(), "010190") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "500") {
		t.Errorf("err = %v, want the status", err)
	}
}

func TestCancelledFetch(t *testing.T) {
	e := newEnv(t, Limits{})
	e.fg.AddMessage(testOID, "c", mail("c", "c", message.Attachment{Name: "a", ContentType: "text/plain", Data: []byte("a")}))
	e.fg.SetDelay(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := e.client.FetchMessage(ctx, e.user, "", "c")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestRetryWait(t *testing.T) {
	now := time.Date(2024, 4, 2, 8, 0, 0, 0, time.UTC)
	resp := func(ra string) *http.Response {
		h := http.Header{}
		if ra != "" {
			h.Set("Retry-After", ra)
		}
		return &http.Response{StatusCode: 429, Header: h}
	}
	tests := []struct {
		name    string
		resp    *http.Response
		attempt int
		want    time.Duration
	}{
		{"seconds", resp("2"), 1, 2 * time.Second},
		{"fraction truncated as kiota does", resp("1.9"), 1, time.Second},
		{"http date", resp(now.Add(5 * time.Second).Format(time.RFC1123)), 1, 5 * time.Second},
		{"no header, first retry", resp(""), 1, 2 * time.Second},
		{"no header, third retry", resp(""), 3, 5 * time.Second},
		{"garbage", resp("soon"), 2, 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryWait(tc.resp, tc.attempt, now); got != tc.want {
				t.Errorf("retryWait = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestShouldRetryDeadline(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Duration // 0: none
		ra       string
		want     bool
	}{
		{"no deadline", 0, "30", true},
		{"fits", 3 * time.Second, "1", true},
		{"does not fit", 3 * time.Second, "5", false},
		{"backoff does not fit", 1500 * time.Millisecond, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://graph.example/v1.0/me", nil)
			body := &closeRecorder{Reader: strings.NewReader("{}")}
			resp := &http.Response{StatusCode: 429, Header: http.Header{}, Body: body}
			if tc.ra != "" {
				resp.Header.Set("Retry-After", tc.ra)
			}
			if got := shouldRetry(0, 0, req, resp); got != tc.want {
				t.Errorf("shouldRetry = %v, want %v", got, tc.want)
			}
			if body.closed != tc.want {
				t.Errorf("body closed = %v, want %v (closed exactly when retried)", body.closed, tc.want)
			}
		})
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestCappedBody(t *testing.T) {
	tests := []struct {
		size, limit int64
		wantErr     bool
	}{
		{10, 10, false}, {11, 10, true}, {0, 1, false}, {100000, 4096, true},
	}
	for _, tc := range tests {
		b := &cappedBody{rc: io.NopCloser(strings.NewReader(strings.Repeat("x", int(tc.size)))), left: tc.limit}
		data, err := io.ReadAll(b)
		if gotErr := errors.Is(err, errBodyTooLarge); gotErr != tc.wantErr {
			t.Errorf("size %d limit %d: err = %v", tc.size, tc.limit, err)
		}
		if !tc.wantErr && int64(len(data)) != tc.size {
			t.Errorf("size %d: read %d", tc.size, len(data))
		}
	}
}
