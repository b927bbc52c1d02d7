package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/auth"
)

const (
	requestIDKey = "sendevagt.request_id"
	scanIDKey    = "sendevagt.scan_id"
)

// requestID takes a well-formed X-Request-ID from the caller (a load balancer's) or makes one,
// and echoes it in the response.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !safeID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// safeID accepts 1–64 characters of [A-Za-z0-9._-]: nothing else from the caller reaches a log.
func safeID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.') {
			return false
		}
	}
	return true
}

// logRequests writes one structured line per request: route (never the query), status, time,
// request and scan ids, the user's tenant and object id. Never a body, a header or a token.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // the error handler writes the response; the status below is final
		}
		d := time.Since(start)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		s.cfg.Metrics.Request(route, c.Request().Method, status, d)
		if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			return nil
		}
		attrs := []slog.Attr{
			slog.String("request_id", str(c.Get(requestIDKey))),
			slog.String("method", methodForLog(c.Request().Method)),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("ms", float64(d.Microseconds())/1000),
		}
		if id := str(c.Get(scanIDKey)); id != "" {
			attrs = append(attrs, slog.String("scan_id", id))
		}
		if u, ok := c.Get(userKey).(*auth.User); ok {
			attrs = append(attrs, slog.String("tid", u.TenantID), slog.String("oid", u.ObjectID))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", errorForLog(err)))
		}
		s.cfg.Logger.LogAttrs(c.Request().Context(), level, "request", attrs...)
		return nil
	}
}

// methodForLog is the request's method if it is a standard one, else "other": a client may
// send any token as its method.
func methodForLog(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// errorForLog is the error's text for the log. apperr causes come from our own packages, whose
// errors never carry content or tokens.
func errorForLog(err error) string {
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return msg
}

// recoverPanics turns a panic in a handler into a 500 with a JSON error; the stack goes to the
// log (code locations only), never to the caller.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if r == http.ErrAbortHandler {
				panic(r)
			}
			buf := make([]byte, 8<<10)
			buf = buf[:runtime.Stack(buf, false)]
			s.cfg.Logger.LogAttrs(c.Request().Context(), slog.LevelError, "panic in handler",
				slog.String("request_id", str(c.Get(requestIDKey))), slog.String("panic", fmt.Sprintf("%T", r)), slog.String("stack", string(buf)))
			err = apperr.Errorf(apperr.Internal, "internal error")
		}()
		return next(c)
	}
}

// securityHeaders are set on every response.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Strict-Transport-Security", "max-age=31536000")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// apiCORS answers cross-origin requests to /api/: classic Outlook's JavaScript runtime sends
// real CORS preflights even to the add-in's own origin, and an add-in served from a separate
// static origin (sendevagt addin-bundle) calls the API cross-origin everywhere. The API takes
// bearer tokens, never cookies, so by default any origin may call it (it still needs a valid
// token); with Config.CORSOrigins set only those origins get CORS headers, and a preflight from
// any other is refused with 403.
func (s *Server) apiCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		origin := r.Header.Get("Origin")
		if !strings.HasPrefix(r.URL.Path, "/api/") || origin == "" {
			return next(c)
		}
		h := c.Response().Header()
		h.Add("Vary", "Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		allow := "*"
		if len(s.cfg.CORSOrigins) > 0 {
			if !originAllowed(s.cfg.CORSOrigins, origin) {
				if preflight {
					return c.NoContent(http.StatusForbidden)
				}
				return next(c)
			}
			allow = origin
		}
		h.Set("Access-Control-Allow-Origin", allow)
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, X-Request-Id")
			h.Set("Access-Control-Max-Age", "86400")
			return c.NoContent(http.StatusNoContent)
		}
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		return next(c)
	}
}

// originAllowed compares an Origin header with the allowed origins (scheme and host are
// case-insensitive; "null" matches only a listed "null").
func originAllowed(allowed []string, origin string) bool {
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimSuffix(a, "/"), origin) {
			return true
		}
	}
	return false
}

// statusOf maps error codes to HTTP status: the one place where this happens.
var statusOf = map[string]int{
	apperr.Invalid:      http.StatusBadRequest,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.NotFound:     http.StatusNotFound,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.Timeout:      http.StatusRequestTimeout,
	apperr.Overloaded:   http.StatusServiceUnavailable,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.Internal:     http.StatusInternalServerError,
}

// errorBody is every error response: {"error":{"code","message","requestId"}}.
type errorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"requestId,omitempty"`
	} `json:"error"`
}

// handleError is Echo's HTTPErrorHandler: JSON, never a stack trace.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := apperr.CodeOf(err), apperr.MessageOf(err)
	status := statusOf[code]
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		code, msg = codeForStatus(he.Code), http.StatusText(he.Code)
	}
	if errors.Is(err, context.DeadlineExceeded) && code == apperr.Internal {
		status, code, msg = http.StatusServiceUnavailable, apperr.Unavailable, "timed out"
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.RequestID = code, msg, str(c.Get(requestIDKey))
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "1")
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if s.cfg.Admin != nil && strings.HasPrefix(c.Request().URL.Path, "/admin") {
		if status >= 500 {
			s.cfg.Logger.LogAttrs(c.Request().Context(), slog.LevelError, "admin page failed",
				slog.String("request_id", body.Error.RequestID), slog.String("error", err.Error()))
			msg = "Siden kunne ikke vises. Prøv igen, eller kontakt driften med fejl-id " + body.Error.RequestID + "."
		}
		s.cfg.Admin.RenderError(c, status, code, msg)
		return
	}
	_ = c.JSON(status, body)
}

func codeForStatus(status int) string {
	for code, st := range statusOf {
		if st == status && code != apperr.Unavailable {
			return code
		}
	}
	switch status {
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusNotFound:
		return apperr.NotFound
	}
	return "http_" + fmt.Sprint(status)
}
