// Package web is the HTTP face of the service (Echo): routes, middleware, the one error handler,
// health and metrics. It holds no business logic: handlers decode, call a service, encode.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/semaphore"

	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/onsend"
)

// Authenticator validates bearer tokens (package auth).
type Authenticator interface {
	Validate(ctx context.Context, raw string) (*auth.User, error)
}

// OnSend decides on-send requests and serves the add-in's other calls (package onsend).
type OnSend interface {
	Check(ctx context.Context, user *auth.User, req *onsend.Request) (*onsend.Response, error)
	Prescan(ctx context.Context, user *auth.User, req *onsend.PrescanRequest) (*onsend.PrescanResponse, error)
	Scan(ctx context.Context, user *auth.User, id string) (*onsend.ScanDetail, error)
	Feedback(ctx context.Context, user *auth.User, req *onsend.FeedbackRequest) (*onsend.FeedbackAnswer, error)
	Override(ctx context.Context, user *auth.User, req *onsend.OverrideRequest) (*onsend.OverrideAnswer, error)
}

// Metrics records requests (package metrics).
type Metrics interface {
	Request(route, method string, code int, d time.Duration)
	OnSend(source, action string, d time.Duration)
	Rejected(reason string)
	Handler() http.Handler
}

// AdminPages are the administration pages (package admin). Errors under /admin are rendered
// by them as HTML; everywhere else they are JSON.
type AdminPages interface {
	Register(e *echo.Echo)
	RenderError(c echo.Context, status int, code, message string)
}

// Check is one readiness check (database, workers).
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Config wires the web layer.
type Config struct {
	Auth    Authenticator
	OnSend  OnSend
	Metrics Metrics
	Checks  []Check
	Logger  *slog.Logger
	// MaxBodyBytes bounds an on-send request (default 64 MiB: a 35 MB message in base64 and JSON).
	MaxBodyBytes int64
	// MaxInFlight is how many on-send requests are scanned at once (default 4 per CPU); up to
	// MaxQueue more wait for a slot at most QueueWait, the rest get 503 at once.
	MaxInFlight int
	MaxQueue    int
	QueueWait   time.Duration
	// MaxPrescans is how many pre-scan requests are read at once (default the number of CPUs);
	// up to 64 more wait at most 30 s. They have their own slots so that a burst of pre-scans
	// (OCR) never delays a verdict on Send.
	MaxPrescans int
	// MaxPerUser is how many on-send requests one user may have open at once, body reading
	// included (default 4); MaxPrescansPerUser the same for pre-scans (default 2). Beyond, that
	// user gets 503.
	MaxPerUser         int
	MaxPrescansPerUser int
	// A request body must arrive at BodyMinRate bytes per second after BodyGrace, and within
	// BodyTimeout in all (defaults 64 KiB/s, 5 s, 60 s); a slower one is cut off with 408.
	// No scan slot is held while a body is read.
	BodyMinRate int64
	BodyGrace   time.Duration
	BodyTimeout time.Duration
	// BodyBufferBytes bounds the memory of all request bodies held at once, read and waiting for
	// a slot or being scanned (default 128 MiB, at least twice MaxBodyBytes); a body that finds
	// no room waits for it within its deadline, then gets 503.
	BodyBufferBytes int64
	// CORSOrigins are the origins allowed to call /api/ from a browser (the add-in's static
	// origin, https://host[:port]); empty allows any (bearer tokens only, no cookies).
	CORSOrigins []string
	// Addin, when set, serves the Outlook add-in, its manifest and the well-known file.
	Addin *Addin
	// Admin, when set, serves the administration pages under /admin (package admin).
	Admin AdminPages
	// Version is shown by /healthz.
	Version string
	// OpsOnInternal moves /metrics and /readyz off the service's own handler: they are served
	// only by Internal(), on a listener of their own inside the network. Otherwise (local mode)
	// the service's handler serves them too.
	OpsOnInternal bool
}

// Server is the HTTP handler of the service.
type Server struct {
	cfg      Config
	echo     *echo.Echo
	limiter  *limiter
	prescans *limiter
	// Open requests per user (tenant/object id), body reading included.
	onsendUsers  *perUser
	prescanUsers *perUser
	// bodies is the memory budget of request bodies held (BodyBufferBytes).
	bodies *semaphore.Weighted
	// claims bound what the bodies reserved as they arrive may grow to, in all (see readBody).
	claims *semaphore.Weighted
	// chunks are the buffers bodies are read into before they are copied to their own.
	chunks sync.Pool
}

// bodyChunkSize is the unit a request body is read in.
const bodyChunkSize = 256 << 10

type bodyChunk [bodyChunkSize]byte

// New builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Auth == nil || cfg.OnSend == nil || cfg.Metrics == nil {
		return nil, errors.New("web: auth, onsend and metrics are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 20
	}
	if cfg.MaxPrescans <= 0 {
		cfg.MaxPrescans = runtime.NumCPU()
	}
	if cfg.MaxPerUser <= 0 {
		cfg.MaxPerUser = 4
	}
	if cfg.MaxPrescansPerUser <= 0 {
		cfg.MaxPrescansPerUser = 2
	}
	if cfg.BodyMinRate <= 0 {
		cfg.BodyMinRate = 64 << 10
	}
	if cfg.BodyGrace <= 0 {
		cfg.BodyGrace = 5 * time.Second
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = 60 * time.Second
	}
	if cfg.BodyBufferBytes <= 0 {
		cfg.BodyBufferBytes = 128 << 20
	}
	cfg.BodyBufferBytes = max(cfg.BodyBufferBytes, 2*cfg.MaxBodyBytes+2<<20)
	s := &Server{cfg: cfg, limiter: newLimiter(cfg.MaxInFlight, cfg.MaxQueue, cfg.QueueWait),
		prescans:    newLimiter(cfg.MaxPrescans, 64, 30*time.Second),
		onsendUsers: newPerUser(cfg.MaxPerUser), prescanUsers: newPerUser(cfg.MaxPrescansPerUser),
		bodies: semaphore.NewWeighted(cfg.BodyBufferBytes), claims: semaphore.NewWeighted(cfg.BodyBufferBytes)}
	s.chunks.New = func() any { return new(bodyChunk) }
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.JSONSerializer = asciiJSON{}
	e.Use(requestID, s.logRequests, s.recoverPanics, securityHeaders, s.apiCORS)

	e.GET("/healthz", s.healthz)
	if !cfg.OpsOnInternal {
		e.GET("/readyz", s.readyz)
		e.GET("/metrics", echo.WrapHandler(cfg.Metrics.Handler()))
	}

	api := e.Group("/api/v1", s.limitBody, s.authenticate)
	api.POST("/onsend", s.onsend)
	api.POST("/prescan", s.prescan)
	api.GET("/scans/:id", s.scanDetail)
	api.POST("/feedback", s.feedback)
	api.POST("/override", s.override)
	s.addinRoutes(e)
	if cfg.Admin != nil {
		cfg.Admin.Register(e)
		e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/admin/") })
	}
	s.echo = e
	return s, nil
}

// Internal is the handler of the internal listener: /healthz, /readyz and /metrics, nothing
// else. It has no authentication: listen on an address only the platform reaches.
func (s *Server) Internal() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(requestID, s.logRequests, s.recoverPanics, securityHeaders)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(s.cfg.Metrics.Handler()))
	return e
}

// InFlight is the number of on-send requests being scanned or waiting.
func (s *Server) InFlight() int { return s.limiter.inFlight() }

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

// readyz runs every check with a short deadline: a replica that cannot reach its database or
// start a worker is taken out of rotation.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	out := map[string]string{}
	ok := true
	for _, ch := range s.cfg.Checks {
		if err := ch.Run(ctx); err != nil {
			ok = false
			out[ch.Name] = "failed"
			s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "readiness check failed", slog.String("check", ch.Name), slog.String("error", err.Error()))
			continue
		}
		out[ch.Name] = "ok"
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	return c.JSON(status, map[string]any{"ready": ok, "checks": out})
}
