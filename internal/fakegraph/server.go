// Package fakegraph is a faithful fake of the part of Microsoft Graph that Sendevagt reads: a
// user's or shared mailbox's messages with their file, item and reference attachments, served
// over HTTPS on loopback with Graph's URL shapes, query options, Prefer headers, JSON error
// bodies and throttling behaviour. Tests and the end-to-end harness point package graph at it.
//
// It never imports "testing": the end-to-end harness and local tools use it as well.
package fakegraph

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"
)

// TokenCheck validates a bearer token presented to Graph and tells whose it is (for instance
// fakeentra's GraphTokenUser). /me resolves to the returned object id.
type TokenCheck func(bearer string) (tenant, oid string, ok bool)

// Server is a running fake Graph. Its Graph base URL is URL + "/v1.0".
type Server struct {
	// URL is https://127.0.0.1:PORT.
	URL string

	srv        *httptest.Server
	tokenCheck TokenCheck

	mu        sync.Mutex
	mailboxes map[string]map[string]*item // mailbox key (lower case) → message id → message
	aliases   map[string]string           // UPN (lower case) → object id (lower case)
	requests  []*Request
	inFlight  map[string]int
	maxFlight map[string]int
	faults    faults
	delay     time.Duration
	limit     int
	// readers restricts a mailbox (key) to the listed users (object ids, lower case); a mailbox
	// not in the map is readable by every user (see RestrictMailbox).
	readers map[string]map[string]bool
}

// Request is one request the fake received, for assertions (no bodies, no tokens).
type Request struct {
	Method string
	// Path is the unescaped URL path, e.g. "/v1.0/users/a@b.dk/messages/AAMk=/attachments/x/$value".
	Path  string
	Query map[string][]string
	// Prefer is every Prefer header value joined with ", ".
	Prefer string
	// RetryAttempt is the Retry-Attempt header kiota sets on retried attempts ("" on first tries).
	RetryAttempt string
	// Op is "message", "attachment", "item" (attachment with the item expanded),
	// "attachment_value", or "" for anything else.
	Op string
	// Mailbox is the mailbox key the request addressed (the token's object id for /me, else the
	// lower-cased {user} segment); MessageID and AttachmentID are unescaped ids.
	Mailbox, MessageID, AttachmentID string
	// Status is the HTTP status the fake answered.
	Status int
	// Gzip is true when the request body was gzip-encoded.
	Gzip bool
}

// Start starts a fake Graph on an ephemeral loopback port with a self-signed certificate.
// tokenCheck validates bearer tokens; when nil, any non-empty token is accepted and /me is the
// mailbox "me".
func Start(tokenCheck TokenCheck) (*Server, error) {
	s := &Server{
		tokenCheck: tokenCheck,
		mailboxes:  map[string]map[string]*item{},
		aliases:    map[string]string{},
		inFlight:   map[string]int{},
		maxFlight:  map[string]int{},
		faults:     newFaults(),
		readers:    map[string]map[string]bool{},
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	// Clients that drop connections while the server closes are normal in tests.
	srv.Config.ErrorLog = log.New(handshakeFilter{os.Stderr}, "fakegraph: ", 0)
	srv.StartTLS()
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		srv.Close()
		return nil, fmt.Errorf("fakegraph: unexpected listener URL %q", srv.URL)
	}
	s.srv = srv
	s.URL = srv.URL
	return s, nil
}

// Close shuts the server down and waits for running requests.
func (s *Server) Close() { s.srv.Close() }

// GraphURL is the Graph base URL of this fake: URL + "/v1.0".
func (s *Server) GraphURL() string { return s.URL + "/v1.0" }

// CAPEM is the PEM of the server's self-signed certificate, to trust it.
func (s *Server) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Client returns an HTTP client that trusts the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// TLSConfig returns a client TLS configuration that trusts the server (clone it before changes).
func (s *Server) TLSConfig() *tls.Config {
	if tr, ok := s.srv.Client().Transport.(*http.Transport); ok && tr.TLSClientConfig != nil {
		return tr.TLSClientConfig.Clone()
	}
	return nil
}

// SetDelay makes every answer wait d first (while counted as in flight), so that tests can
// observe concurrency.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// LimitConcurrency makes the fake enforce Outlook's per-mailbox concurrency limit as Exchange
// Online does: a request beyond n in flight for one mailbox gets 429 ApplicationThrottled
// ("MailboxConcurrency") with Retry-After: 1. 0 (the default) only counts.
func (s *Server) LimitConcurrency(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = n
}

// Requests returns a copy of every request received so far, in order of arrival. A request
// appears as soon as it arrived; its Status once the answer's header was written (0 before).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
	}
	return out
}

// ResetRequests forgets the recorded requests and concurrency maxima.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.maxFlight = map[string]int{}
}

// MaxConcurrent is the most requests that were in flight at once for mailbox (an object id or
// UPN, case-insensitive; as addressed in the URL, or the token's object id for /me).
func (s *Server) MaxConcurrent(mailbox string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxFlight[s.canon(mailbox)]
}

// handshakeFilter drops the server's "TLS handshake error" lines.
type handshakeFilter struct{ w io.Writer }

func (f handshakeFilter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		return len(p), nil
	}
	return f.w.Write(p)
}
