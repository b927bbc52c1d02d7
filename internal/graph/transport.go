package graph

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	core "github.com/microsoftgraph/msgraph-sdk-go-core"
)

// call describes the Graph request a context is used for, for the transport under kiota's
// middleware, which sees every attempt (retries included).
type call struct {
	op string
	// poll marks a repeated GET of a draft that was not synced yet: every attempt is a retry.
	poll bool
	// maxBody caps the response body (0: no cap); longer bodies fail with errBodyTooLarge.
	maxBody int64
}

type callKey struct{}

func withCall(ctx context.Context, c call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// observingTransport is the parent transport of kiota's middleware pipeline: it reports each
// attempt to the Observer and caps response bodies, since kiota reads them whole.
type observingTransport struct {
	base http.RoundTripper
	obs  Observer
}

// RoundTrip implements http.RoundTripper.
func (t *observingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = fixRawPath(req)
	c, ok := req.Context().Value(callKey{}).(call)
	resp, err := t.base.RoundTrip(req)
	if !ok {
		return resp, err
	}
	if t.obs != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.obs.GraphCall(c.op, status, c.poll || req.Header.Get("Retry-Attempt") != "")
	}
	if resp != nil && resp.Body != nil && c.maxBody > 0 {
		resp.Body = &cappedBody{rc: resp.Body, left: c.maxBody}
	}
	return resp, err
}

// fixRawPath repairs what Graph's URL-replace middleware leaves behind: it rewrites
// /users/me-token-to-replace to /me in URL.Path only, so an escaped '/' in an item id (%2F in
// RawPath) would go out unescaped. The same replacement is applied to RawPath, on a copy.
func fixRawPath(req *http.Request) *http.Request {
	u := req.URL
	if u == nil || u.RawPath == "" {
		return req
	}
	if p, err := url.PathUnescape(u.RawPath); err == nil && p == u.Path {
		return req
	}
	raw := u.RawPath
	for from, to := range core.ReplacementPairs {
		raw = strings.Replace(raw, from, to, 1)
	}
	if p, err := url.PathUnescape(raw); err != nil || p != u.Path {
		return req // not ours to guess
	}
	out := req.Clone(req.Context())
	out.URL.RawPath = raw
	return out
}

// cappedBody fails with errBodyTooLarge once more than left bytes were read.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// Retry timing, mirroring kiota's RetryHandler so that shouldRetry knows the wait it agrees to.
const (
	retryBaseDelay = time.Second // RetryHandlerOptions.DelaySeconds
	retryJitter    = time.Second // kiota adds up to 1 s of jitter to its exponential backoff
	// minAttempt is the least time worth leaving for the retried attempt itself.
	minAttempt = 100 * time.Millisecond
)

// shouldRetry is the RetryHandlerOptions.ShouldRetry of every request (kiota only asks it for
// 429, 503 and 504): retry only when the wait kiota will make (Retry-After, else exponential
// backoff with jitter) still leaves time for the attempt before the context's deadline. It
// closes the response it lets kiota discard.
func shouldRetry(_ time.Duration, executionCount int, req *http.Request, resp *http.Response) bool {
	wait := retryWait(resp, executionCount+1, time.Now())
	if deadline, ok := req.Context().Deadline(); ok && time.Until(deadline) < wait+minAttempt {
		return false
	}
	if resp != nil && resp.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}
	return true
}

// retryWait is the longest time kiota waits before retry number attempt (1 for the first).
func retryWait(resp *http.Response, attempt int, now time.Time) time.Duration {
	if resp != nil {
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			if secs, err := strconv.ParseFloat(ra, 64); err == nil {
				return time.Duration(int64(secs)) * time.Second
			}
			if t, err := time.Parse(time.RFC1123, ra); err == nil {
				return t.Sub(now)
			}
		}
	}
	return retryBaseDelay*time.Duration(1<<(attempt-1)) + retryJitter
}
