package fakegraph

import (
	"compress/gzip"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// route is a parsed Graph mail URL.
type route struct {
	mailbox, messageID, attachmentID string
	value                            bool // .../$value
}

// op names the kind of request, as package graph's Observer does.
func (rt route) op(expandItem bool) string {
	switch {
	case rt.attachmentID == "":
		return "message"
	case rt.value:
		return "attachment_value"
	case expandItem:
		return "item"
	}
	return "attachment"
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// The request is recorded on arrival and its status when the header is written, so that a
	// client that has read the answer always finds the request in Requests.
	req := &Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		Prefer:       strings.Join(r.Header.Values("Prefer"), ", "),
		RetryAttempt: r.Header.Get("Retry-Attempt"),
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w, onStatus: func(code int) {
		s.mu.Lock()
		defer s.mu.Unlock()
		req.Status = code
	}}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") && r.Body != nil {
		// kiota's CompressionHandler gzips request bodies.
		s.setRequest(func() { req.Gzip = true })
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			writeError(rec, r, http.StatusBadRequest, "BadRequest", "Invalid gzip request body.")
			return
		}
		defer zr.Close()
		r.Body = zr
		r.Header.Del("Content-Encoding")
	}
	s.handle(rec, r, req)
}

// setRequest changes a recorded request under the lock.
func (s *Server) setRequest(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, req *Request) {
	oid, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
		msg := "Access token validation failure. Invalid audience."
		if bearer(r) == "" {
			msg = "Access token is empty."
		}
		writeError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return
	}
	rt, errMsg := parseRoute(r.URL, oid)
	if errMsg != "" {
		writeError(w, r, http.StatusBadRequest, "BadRequest", errMsg)
		return
	}
	q := r.URL.Query()
	expandItem := false
	if rt.attachmentID != "" && !rt.value {
		for _, e := range parseExpand(q.Get("$expand")) {
			if strings.EqualFold(e.name, "microsoft.graph.itemattachment/item") || strings.EqualFold(e.name, "item") {
				expandItem = true
			}
		}
	}
	s.setRequest(func() {
		req.Op, req.Mailbox, req.MessageID, req.AttachmentID = rt.op(expandItem), rt.mailbox, rt.messageID, rt.attachmentID
	})
	if r.Method != http.MethodGet {
		writeError(w, r, http.StatusMethodNotAllowed, "ErrorInvalidRequest", "The OData request is not supported.")
		return
	}

	s.mu.Lock()
	rt.mailbox = s.canon(rt.mailbox)
	allowed := s.mayRead(oid, rt.mailbox)
	s.mu.Unlock()
	if !allowed {
		// Exchange's answer to a delegated token without Mail.Read.Shared or without rights on
		// the shared mailbox.
		writeError(w, r, http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return
	}
	release, over := s.enter(rt.mailbox)
	defer release()
	if d := s.currentDelay(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if over {
		w.Header().Set("Retry-After", "1")
		writeError(w, r, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
		return
	}
	if s.injectFault(w, r, rt) {
		return
	}
	it := s.lookup(rt.mailbox, rt.messageID)
	if it == nil {
		writeError(w, r, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
		return
	}
	if rt.attachmentID == "" {
		s.serveMessage(w, r, it)
		return
	}
	att := it.attachmentByID(rt.attachmentID)
	if att == nil {
		writeError(w, r, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
		return
	}
	if status := s.attachmentFault(rt.messageID, att.name); status != 0 {
		writeError(w, r, status, codeFor(status), "Injected failure.")
		return
	}
	if rt.value {
		serveValue(w, r, att)
		return
	}
	serveAttachment(w, r, att, expandItem)
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(h[7:])
}

// authenticate returns the object id of the token's user.
func (s *Server) authenticate(r *http.Request) (string, bool) {
	tok := bearer(r)
	if tok == "" {
		return "", false
	}
	if s.tokenCheck == nil {
		return "me", true
	}
	_, oid, ok := s.tokenCheck(tok)
	return strings.ToLower(oid), ok && oid != ""
}

// parseRoute reads /v1.0/me/messages/{id}[/attachments/{id}[/$value]] and the /users/{user}
// form. Segments are split before unescaping, so ids may hold any character.
func parseRoute(u *url.URL, oid string) (route, string) {
	const prefix = "/v1.0/"
	p := u.EscapedPath()
	if !strings.HasPrefix(p, prefix) {
		return route{}, "Invalid version."
	}
	raw := strings.Split(strings.TrimSuffix(p[len(prefix):], "/"), "/")
	seg := make([]string, len(raw))
	for i, r := range raw {
		v, err := url.PathUnescape(r)
		if err != nil || v == "" {
			return route{}, "Invalid request URL."
		}
		seg[i] = v
	}
	var rt route
	switch {
	case strings.EqualFold(seg[0], "me"):
		rt.mailbox, seg = oid, seg[1:]
	case strings.EqualFold(seg[0], "users") && len(seg) >= 2:
		rt.mailbox, seg = strings.ToLower(seg[1]), seg[2:]
	default:
		return route{}, "Resource not found for the segment '" + seg[0] + "'."
	}
	if len(seg) < 2 || !strings.EqualFold(seg[0], "messages") {
		return route{}, "Unsupported request: only messages are served by this fake."
	}
	rt.messageID, seg = seg[1], seg[2:]
	if len(seg) == 0 {
		return rt, ""
	}
	if len(seg) < 2 || !strings.EqualFold(seg[0], "attachments") {
		return route{}, "Resource not found for the segment '" + seg[0] + "'."
	}
	rt.attachmentID, seg = seg[1], seg[2:]
	switch {
	case len(seg) == 0:
		return rt, ""
	case len(seg) == 1 && seg[0] == "$value":
		rt.value = true
		return rt, ""
	}
	return route{}, "Resource not found for the segment '" + seg[0] + "'."
}

// enter counts a request in flight for mailbox; over reports that it exceeds the enforced limit.
func (s *Server) enter(mailbox string) (release func(), over bool) {
	s.mu.Lock()
	s.inFlight[mailbox]++
	n := s.inFlight[mailbox]
	if n > s.maxFlight[mailbox] {
		s.maxFlight[mailbox] = n
	}
	over = s.limit > 0 && n > s.limit
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.inFlight[mailbox]--
	}, over
}

func (s *Server) currentDelay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delay
}

// injectFault answers with the first fault due for the route's message, if any.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, rt route) bool {
	s.mu.Lock()
	throttle := take(s.faults.throttle, rt.messageID)
	var fail, unsynced *counted
	if throttle == nil {
		fail = take(s.faults.fail, rt.messageID)
	}
	if throttle == nil && fail == nil {
		unsynced = take(s.faults.unsynced, rt.messageID)
	}
	s.mu.Unlock()
	switch {
	case throttle != nil:
		if throttle.retryAfter != "" {
			w.Header().Set("Retry-After", throttle.retryAfter)
		}
		writeError(w, r, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
	case fail != nil:
		writeError(w, r, fail.status, codeFor(fail.status), "Injected failure.")
	case unsynced != nil:
		writeError(w, r, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
	default:
		return false
	}
	return true
}

func (s *Server) attachmentFault(messageID, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.failAtt[[2]string{messageID, name}]
}

// codeFor is the Graph error code Exchange uses with status.
func codeFor(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "ApplicationThrottled"
	case status == http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	case status == http.StatusGatewayTimeout:
		return "GatewayTimeout"
	case status == http.StatusUnauthorized:
		return "InvalidAuthenticationToken"
	case status == http.StatusForbidden:
		return "ErrorAccessDenied"
	case status == http.StatusNotFound:
		return "ErrorItemNotFound"
	case status >= 500:
		return "UnknownError"
	}
	return "BadRequest"
}

// preferText reports whether the request prefers text bodies (any Prefer header, values
// separated by commas).
func preferText(r *http.Request) bool {
	for _, h := range r.Header.Values("Prefer") {
		for _, v := range strings.Split(h, ",") {
			v = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(v), " ", ""))
			if v == `outlook.body-content-type="text"` || v == "outlook.body-content-type=text" {
				return true
			}
		}
	}
	return false
}

// statusRecorder reports the status of the answer as it is written.
type statusRecorder struct {
	http.ResponseWriter
	onStatus func(int)
	written  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.written {
		r.written = true
		r.onStatus(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.written {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
