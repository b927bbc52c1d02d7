package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/semaphore"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/formdata"
	"github.com/sendevagt/sendevagt/internal/onsend"
)

const userKey = "sendevagt.user"

// authenticate requires a valid bearer token and puts the user on the context.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw, err := auth.BearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
		if err == nil {
			var u *auth.User
			if u, err = s.cfg.Auth.Validate(c.Request().Context(), raw); err == nil {
				c.Set(userKey, u)
				return next(c)
			}
		}
		s.cfg.Metrics.Rejected("unauthorized")
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer error="invalid_token"`)
		return apperr.Wrap(apperr.Unauthorized, err, unauthorizedMessage(err))
	}
}

// unauthorizedMessage is the reason a token was refused, safe to show (auth's reasons never
// carry the token).
func unauthorizedMessage(err error) string {
	if err == nil {
		return "invalid token"
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

// limitBody refuses bodies over MaxBodyBytes with 413, by Content-Length up front and while
// reading otherwise.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > s.cfg.MaxBodyBytes {
			s.cfg.Metrics.Rejected("too_large")
			return apperr.Errorf(apperr.TooLarge, "request body is larger than %d MB", s.cfg.MaxBodyBytes>>20)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBodyBytes)
		return next(c)
	}
}

// onsend answers the add-in on Send. The body is read first, under its own deadline and minimum
// rate and counted against the user's open requests; only then is a scan slot taken, for the
// decoding and the scan: a slow or stalled upload never holds capacity other users' verdicts need.
func (s *Server) onsend(c echo.Context) error {
	start := time.Now()
	u, _ := c.Get(userKey).(*auth.User)
	var req onsend.Request
	done, err := s.admit(c, u, s.onsendUsers, s.limiter, &req)
	if err != nil {
		return err
	}
	defer done()
	resp, err := s.cfg.OnSend.Check(c.Request().Context(), u, &req)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Invalid {
			s.cfg.Metrics.Rejected("invalid")
		}
		return err
	}
	source := "graph"
	if req.Inline != nil {
		source = "inline"
	}
	c.Set(scanIDKey, resp.ScanID)
	s.cfg.Metrics.OnSend(source, string(resp.Action), time.Since(start))
	return c.JSON(http.StatusOK, resp)
}

// prescan reads attachments ahead of Send, with the same order as onsend (body first, then a
// pre-scan slot) and a smaller per-user quota: pre-scans are a convenience, verdicts are not.
func (s *Server) prescan(c echo.Context) error {
	u, _ := c.Get(userKey).(*auth.User)
	var req onsend.PrescanRequest
	done, err := s.admit(c, u, s.prescanUsers, s.prescans, &req)
	if err != nil {
		return err
	}
	defer done()
	resp, err := s.cfg.OnSend.Prescan(c.Request().Context(), u, &req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, resp)
}

func (s *Server) scanDetail(c echo.Context) error {
	u, _ := c.Get(userKey).(*auth.User)
	resp, err := s.cfg.OnSend.Scan(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, resp)
}

func (s *Server) feedback(c echo.Context) error {
	u, _ := c.Get(userKey).(*auth.User)
	var req onsend.FeedbackRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	resp, err := s.cfg.OnSend.Feedback(c.Request().Context(), u, &req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, resp)
}

// override records the employee's decision to send despite a warning, with a justification.
func (s *Server) override(c echo.Context) error {
	u, _ := c.Get(userKey).(*auth.User)
	var req onsend.OverrideRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	resp, err := s.cfg.OnSend.Override(c.Request().Context(), u, &req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, resp)
}

// enterUser counts one more open request of u in users, or refuses it (503) when the user
// already has as many open as allowed.
// admit takes a request with a body in the one order that keeps capacity for everybody: the
// user's quota of open requests, then the body (read whole under its deadline), then a slot of
// slots, and only then decodes the body into req. done gives back what was taken, in reverse.
func (s *Server) admit(c echo.Context, u *auth.User, users *perUser, slots *limiter, req partBinder) (_ func(), err error) {
	var undo []func()
	undoAll := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	defer func() {
		if err != nil {
			undoAll()
		}
	}()
	leave, err := s.enterUser(u, users)
	if err != nil {
		return nil, err
	}
	undo = append(undo, leave)
	body, release, err := s.readBody(c)
	if err != nil {
		return nil, err
	}
	undo = append(undo, release)
	free, err := slots.acquire(c.Request().Context(), s.cfg.Metrics)
	if err != nil {
		return nil, err
	}
	undo = append(undo, free)
	if err := s.decodeRequest(c, body, req); err != nil {
		return nil, err
	}
	return undoAll, nil
}

func (s *Server) enterUser(u *auth.User, users *perUser) (func(), error) {
	if u == nil {
		return nil, apperr.Errorf(apperr.Unauthorized, "no user")
	}
	leave, ok := users.enter(u.TenantID + "/" + u.ObjectID)
	if !ok {
		s.cfg.Metrics.Rejected("user_limit")
		return nil, apperr.Errorf(apperr.Overloaded, "too many requests of this user at once, try again")
	}
	return leave, nil
}

// readBody reads the whole request body (at most MaxBodyBytes) under its own deadline: it must
// arrive at BodyMinRate after a grace period of BodyGrace, and within BodyTimeout in all. A
// client slower than that is cut off with 408.
func (s *Server) readBody(c echo.Context) (body []byte, release func(), err error) {
	r := c.Request()
	// Memory for bodies is a shared budget (BodyBufferBytes), taken as bytes arrive and given
	// back when the request ends: requests waiting for a scan slot with their bodies read cannot
	// together take more than that; beyond it a body waits (within its deadline) for room.
	var held int64
	giveBack := func() {
		if held > 0 {
			s.bodies.Release(held)
			held = 0
		}
	}
	defer func() {
		if err != nil {
			giveBack()
		}
	}()
	rc := http.NewResponseController(c.Response().Writer)
	start := time.Now()
	hard := start.Add(s.cfg.BodyTimeout)
	deadline := func(n int64) time.Time {
		d := start.Add(s.cfg.BodyGrace + time.Duration(float64(n)/float64(s.cfg.BodyMinRate)*float64(time.Second)))
		if d.After(hard) {
			d = hard
		}
		return d
	}
	_ = rc.SetReadDeadline(deadline(0)) // not every transport supports it (tests); the server's ReadTimeout still holds
	// Beyond a small announced length (below), memory follows the bytes that actually arrive,
	// not what a client announces: the body is read into pooled chunks as bytes arrive, then
	// copied once into a buffer of exactly its size. The chunks go back to the pool at once;
	// they never leave this function, so no scan can still be reading one. (Growing one buffer
	// by doubling allocated twice a body's size, and zeroing and collecting those buffers was a
	// fifth of the service's CPU for 5 MB messages.) The budget is reserved ahead of the chunks,
	// from 1 MiB by doubling and never beyond the announced length: a handful of waits per body.
	// The final buffer keeps the reservation, trimmed to its size.
	announced := int(s.cfg.MaxBodyBytes)
	if r.ContentLength >= 0 && r.ContentLength < s.cfg.MaxBodyBytes {
		announced = int(r.ContentLength)
	}
	total := 0 // bytes read
	// wait takes n of sem within the body's deadline; a body that gets no room in time is told
	// the service is busy. The upload rate is asked of the client only while its body may be
	// read: the time waited moves the rate deadline (the overall limit still counts from the
	// request).
	wait := func(sem *semaphore.Weighted, n int64) error {
		ctx, cancel := context.WithDeadline(r.Context(), hard)
		defer cancel()
		t0 := time.Now()
		if err := sem.Acquire(ctx, n); err != nil {
			s.cfg.Metrics.Rejected("overloaded")
			return apperr.Wrap(apperr.Overloaded, err, "service busy, try again")
		}
		start = start.Add(time.Since(t0))
		_ = rc.SetReadDeadline(deadline(int64(total)))
		return nil
	}
	reserve := func(need int) error {
		if int64(need) <= held {
			return nil
		}
		target := max(int64(need), min(max(2*held, 1<<20), int64(announced)+1))
		if err := wait(s.bodies, target-held); err != nil {
			return err
		}
		held = target
		return nil
	}
	// read reads into p and moves the deadline with what arrived; io.EOF comes only at the end
	// of the body (one that ends before its announced length could not be read).
	read := func(p []byte) (int, error) {
		n, err := r.Body.Read(p)
		total += n
		if n > 0 {
			_ = rc.SetReadDeadline(deadline(int64(total)))
		}
		if err == io.EOF && r.ContentLength >= 0 && int64(total) < r.ContentLength {
			err = io.ErrUnexpectedEOF
		}
		if err != nil && err != io.EOF {
			return n, s.bodyError(c, err)
		}
		return n, err
	}
	// done hands the body over with the reservation trimmed to its size.
	done := func(body []byte) ([]byte, func(), error) {
		_ = rc.SetReadDeadline(time.Time{})
		if spare := held - int64(len(body)); spare > 0 {
			s.bodies.Release(spare)
			held -= spare
		}
		return body, giveBack, nil
	}
	// A body that announces a length of at most a sixteenth of the budget reserves all of it
	// before its first byte is read, so it never waits while holding a part: fifty 5 MB
	// uploads that each held a part of the budget waited for one another until their
	// deadlines. Holding its reservation costs a client as much as holding half of it through
	// bytes sent (the rate deadline below), so the bound on what a slow client can take stays.
	if r.ContentLength >= 0 && r.ContentLength < s.cfg.MaxBodyBytes && r.ContentLength+1 <= s.cfg.BodyBufferBytes/16 {
		if err := reserve(announced + 1); err != nil {
			return nil, nil, err
		}
		// Its memory is reserved, so it is read straight into a buffer of its size: no chunks and
		// no second copy. (The server's body reader ends at the announced length.)
		body := make([]byte, announced)
		for total < len(body) {
			if _, err := read(body[total:]); err == io.EOF {
				break
			} else if err != nil {
				return nil, nil, err
			}
		}
		return done(body)
	}
	// A larger body, or one of unknown length, reserves the budget as it arrives, and so may
	// wait for room while it holds a part. Before its first byte it takes a claim on what it
	// can grow to (its announced length, or MaxBodyBytes), given back once it is read whole.
	// Claims never add up to more than the budget, so the bodies that grow at one time can all
	// complete: one waiting for room waits only for bodies that finish (others within their
	// claims, read ones whose scans end), and a claim is waited for while holding nothing.
	// (Without claims, sixteen 5 MB uploads to a 32 MB budget each held 4 MB and waited for
	// one another until their deadlines.)
	claim := min(int64(announced)+1, s.cfg.BodyBufferBytes)
	if err := wait(s.claims, claim); err != nil {
		return nil, nil, err
	}
	defer s.claims.Release(claim)
	var chunks []*bodyChunk
	defer func() {
		for _, c := range chunks {
			s.chunks.Put(c)
		}
	}()
	fill := bodyChunkSize
	for {
		if fill == bodyChunkSize {
			// What this chunk can hold, but never more than the announced length (and one byte
			// to see that it ends).
			if err := reserve(min(total+bodyChunkSize, announced+1)); err != nil {
				return nil, nil, err
			}
			chunks = append(chunks, s.chunks.Get().(*bodyChunk))
			fill = 0
		}
		n, err := read(chunks[len(chunks)-1][fill:])
		fill += n
		if err == io.EOF {
			body := make([]byte, total)
			off := 0
			for _, c := range chunks {
				off += copy(body[off:], c[:])
			}
			return done(body)
		}
		if err != nil {
			return nil, nil, err
		}
	}
}

// bodyError is the answer to a body that could not be read whole. The connection is not reused:
// the server must not wait for the rest of the body.
func (s *Server) bodyError(c echo.Context, err error) error {
	c.Response().Header().Set(echo.HeaderConnection, "close")
	var tooLarge *http.MaxBytesError
	var nerr net.Error
	switch {
	case errors.As(err, &tooLarge):
		s.cfg.Metrics.Rejected("too_large")
		return apperr.Wrap(apperr.TooLarge, err, fmt.Sprintf("request body is larger than %d MB", s.cfg.MaxBodyBytes>>20))
	case errors.As(err, &nerr) && nerr.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		s.cfg.Metrics.Rejected("slow_body")
		return apperr.Wrap(apperr.Timeout, err, "request body arrived too slowly")
	}
	s.cfg.Metrics.Rejected("invalid")
	return apperr.Wrap(apperr.Invalid, err, "request body could not be read")
}

// maxMembers bounds the members of any one JSON object in a request body. The decoder keeps
// every member name of an object to refuse duplicates; a million invented names would cost
// hundreds of megabytes. Real requests have a dozen.
const maxMembers = 1000

// checkShape refuses a body with an object of more than maxMembers members. It is one byte scan
// that keeps no names (strings are skipped with IndexByte, so megabytes of base64 cost
// microseconds); syntax errors are left to the decoder, which reports them.
func checkShape(b []byte) error {
	var stack []int // per open object its members so far; -1 for an array
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			j := i + 1
			for {
				k := bytes.IndexByte(b[j:], '"')
				if k < 0 {
					return nil // unterminated string: the decoder says so
				}
				j += k
				esc := 0
				for p := j - 1; p > i && b[p] == '\\'; p-- {
					esc++
				}
				if esc%2 == 0 {
					break
				}
				j++
			}
			i = j
		case '{', '[':
			if len(stack) >= maxDepth {
				return nil // the decoder refuses nesting this deep
			}
			n := 0
			if b[i] == '[' {
				n = -1
			}
			stack = append(stack, n)
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ':':
			if n := len(stack); n > 0 && stack[n-1] >= 0 {
				if stack[n-1]++; stack[n-1] > maxMembers {
					return fmt.Errorf("json: object with more than %d members at byte %d", maxMembers, i)
				}
			}
		}
	}
	return nil
}

// maxDepth is where checkShape stops looking; the decoder's own nesting limit is 10,000.
const maxDepth = 10_000

// partBinder is a request whose attachments may come as parts of a multipart/form-data body.
type partBinder interface {
	BindParts(parts map[string][]byte) error
}

// requestPart is the name of the multipart/form-data part that holds the request's JSON.
const requestPart = "request"

// decodeRequest decodes an on-send or pre-scan body: JSON (attachments as base64 inside it), or
// multipart/form-data with the JSON in the part "request" and the attachments as binary parts
// that the JSON names. The parts stay slices of body: nothing is decoded or copied.
func (s *Server) decodeRequest(c echo.Context, body []byte, v partBinder) error {
	boundary, ok := formdata.Is(c.Request().Header.Get(echo.HeaderContentType))
	if !ok {
		// The JSON v2 decoder scans megabytes of base64 several times faster than encoding/json;
		// it also refuses duplicate names, trailing data and invalid UTF-8.
		return s.decodeBytes(body, v)
	}
	parts, err := formdata.Parse(body, boundary)
	if err != nil {
		s.cfg.Metrics.Rejected("invalid")
		return apperr.Wrap(apperr.Invalid, err, "request body is not well-formed multipart/form-data")
	}
	var request []byte
	found := false
	byName := make(map[string][]byte, len(parts))
	for _, p := range parts {
		if _, dup := byName[p.Name]; dup || (p.Name == requestPart && found) {
			s.cfg.Metrics.Rejected("invalid")
			return apperr.Errorf(apperr.Invalid, "multipart/form-data part names must be unique")
		}
		if p.Name == requestPart {
			request, found = p.Data, true
			continue
		}
		byName[p.Name] = p.Data
	}
	if !found {
		s.cfg.Metrics.Rejected("invalid")
		return apperr.Errorf(apperr.Invalid, "multipart/form-data body has no part %q with the request", requestPart)
	}
	if err := s.decodeBytes(request, v); err != nil {
		return err
	}
	return v.BindParts(byName)
}

// decodeBytes decodes a JSON request body into v, mapping problems to 400.
func (s *Server) decodeBytes(body []byte, v any) error {
	if err := checkShape(body); err != nil {
		s.cfg.Metrics.Rejected("invalid")
		return apperr.Wrap(apperr.Invalid, err, fmt.Sprintf("request body has an object with more than %d members", maxMembers))
	}
	if err := jsonv2.Unmarshal(body, v); err != nil {
		s.cfg.Metrics.Rejected("invalid")
		// The decoder's own error may quote the body (a duplicate member name, a pointer into
		// the document): neither the answer nor the log gets more than its kind and offset.
		return apperr.Wrap(apperr.Invalid, jsonCause(err), jsonProblem(err))
	}
	return nil
}

// decode reads a JSON request body into v, mapping problems to 400 or 413.
func (s *Server) decode(c echo.Context, v any) error {
	if err := jsonv2.UnmarshalRead(c.Request().Body, v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.cfg.Metrics.Rejected("too_large")
			return apperr.Wrap(apperr.TooLarge, err, fmt.Sprintf("request body is larger than %d MB", s.cfg.MaxBodyBytes>>20))
		}
		s.cfg.Metrics.Rejected("invalid")
		// The decoder's own error may quote the body (a duplicate member name, a pointer into
		// the document): neither the answer nor the log gets more than its kind and offset.
		return apperr.Wrap(apperr.Invalid, jsonCause(err), jsonProblem(err))
	}
	return nil
}

// jsonCause is a decoding error reduced to its kind and byte offset, for the log.
func jsonCause(err error) error {
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("json: unexpected end of input")
	case errors.As(err, &syn):
		kind := "syntax error"
		switch {
		case errors.Is(syn.Err, jsontext.ErrDuplicateName):
			kind = "duplicate member name"
		case errors.Is(syn.Err, jsontext.ErrNonStringName):
			kind = "member name not a string"
		}
		return fmt.Errorf("json: %s at byte %d", kind, syn.ByteOffset)
	case errors.As(err, &sem):
		return fmt.Errorf("json: value of the wrong type at byte %d", sem.ByteOffset)
	}
	return errors.New("json: the body could not be read")
}

// safePointer accepts a JSON pointer made only of field names and indexes of the request types
// (letters, digits, '/'); anything else could be text from the body.
func safePointer(p string) bool {
	if len(p) > 100 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !(c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// jsonProblem describes a decoding error without quoting the body.
func jsonProblem(err error) string {
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "request body is empty or cut short"
	case errors.As(err, &syn):
		return fmt.Sprintf("request body is not valid JSON (at byte %d)", syn.ByteOffset)
	case errors.As(err, &sem):
		if p := string(sem.JSONPointer); p != "" && safePointer(p) {
			return fmt.Sprintf("request body: %s has the wrong type", p)
		}
		return "request body has a value of the wrong type"
	}
	return "request body could not be read"
}
