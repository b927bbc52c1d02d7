// Package metrics holds the service's Prometheus metrics in a registry of its own (no global
// state). The other packages report through small observer interfaces they define; this type
// implements them.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's metrics.
type Metrics struct {
	reg *prometheus.Registry

	requests      *prometheus.HistogramVec // HTTP requests by route, method, status
	onsend        *prometheus.HistogramVec // on-send verdict latency by action and source
	scans         *prometheus.CounterVec   // scans by source and action
	documents     *prometheus.CounterVec   // documents by status
	prescanned    *prometheus.CounterVec   // pre-scanned attachments by status
	graphCalls    *prometheus.CounterVec   // Graph HTTP attempts by operation and status
	graphRetries  *prometheus.CounterVec   // retried Graph attempts by operation
	auditSpooled  prometheus.Counter
	auditReplayed prometheus.Counter
	auditFailed   prometheus.Counter
	rejected      *prometheus.CounterVec // requests refused before a scan, by reason
	probes        prometheus.Counter     // callers past the citizen directory's probe limit
}

// Sources are functions read at scrape time (worker pool and audit spool state).
type Sources struct {
	WorkerStarts   func() int64
	WorkerRestarts func() int64
	InFlight       func() int
}

// latencyBuckets cover the Send budget: most answers are well under a second, Outlook's dialog
// shows at 5 s.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .2, .3, .5, .75, 1, 1.5, 2, 3, 4, 5, 8}

// New returns the metrics, registered in a new registry together with the Go and process
// collectors.
func New(src Sources) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sendevagt_http_request_duration_seconds", Help: "HTTP requests by route, method and status code.",
		Buckets: latencyBuckets,
	}, []string{"route", "method", "code"})
	m.onsend = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sendevagt_onsend_duration_seconds", Help: "Time to answer an on-send request, by verdict action and message source (graph or inline).",
		Buckets: latencyBuckets,
	}, []string{"action", "source"})
	m.scans = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sendevagt_scans_total", Help: "Messages scanned, by source and verdict action.",
	}, []string{"source", "action"})
	m.documents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sendevagt_documents_total", Help: "Documents (body, attachments, archive entries) scanned, by status.",
	}, []string{"status"})
	m.graphCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sendevagt_graph_requests_total", Help: "Microsoft Graph HTTP attempts, by operation and status code (0: no response).",
	}, []string{"op", "code"})
	m.graphRetries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sendevagt_graph_retries_total", Help: "Microsoft Graph attempts that were retries (429/503/504 or a draft not yet synced).",
	}, []string{"op"})
	m.auditSpooled = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "sendevagt_audit_spooled_total", Help: "Audit events written to the disk spool because the database did not take them in time.",
	})
	m.auditReplayed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "sendevagt_audit_replayed_total", Help: "Spooled audit events later written to the database.",
	})
	m.auditFailed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "sendevagt_audit_failures_total", Help: "Audit events that could be written neither to the database nor to the spool.",
	})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sendevagt_requests_rejected_total", Help: "On-send requests refused before a scan, by reason (unauthorized, invalid, too_large, overloaded).",
	}, []string{"reason"})
	m.prescanned = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sendevagt_prescan_attachments_total", Help: "Attachments pre-scanned for the add-in, by status.",
	}, []string{"status"})
	m.probes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "sendevagt_directory_probes_total",
		Help: "Times a user went past the limit of distinct CPR numbers sent to one citizen-directory address in the window (alert on any).",
	})
	m.reg.MustRegister(m.prescanned, m.probes)
	m.reg.MustRegister(m.requests, m.onsend, m.scans, m.documents, m.graphCalls, m.graphRetries,
		m.auditSpooled, m.auditReplayed, m.auditFailed, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.WorkerStarts != nil {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "sendevagt_worker_starts_total", Help: "Extraction worker processes started.",
		}, func() float64 { return float64(src.WorkerStarts()) }))
	}
	if src.WorkerRestarts != nil {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "sendevagt_worker_restarts_total", Help: "Extraction workers replaced after a crash, a hang or a limit.",
		}, func() float64 { return float64(src.WorkerRestarts()) }))
	}
	if src.InFlight != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "sendevagt_onsend_in_flight", Help: "On-send requests being scanned or waiting for a slot.",
		}, func() float64 { return float64(src.InFlight()) }))
	}
	return m
}

// AddAuditPending registers the gauge of audit events waiting in the spool (the recorder is
// made after the metrics, as it reports to them).
func (m *Metrics) AddAuditPending(pending func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "sendevagt_audit_spool_pending", Help: "Audit events waiting in the disk spool.",
	}, func() float64 { return float64(pending()) }))
}

// CacheStats are the counters of the pre-scan document cache (doccache.Stats).
type CacheStats struct {
	Entries      int
	Bytes        int64
	Hits, Misses uint64
}

// AddDocumentCache exports the pre-scan document cache's size and hit counters.
func (m *Metrics) AddDocumentCache(stats func() CacheStats) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "sendevagt_document_cache_entries", Help: "Attachments whose extracted documents are cached for Send.",
		}, func() float64 { return float64(stats().Entries) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "sendevagt_document_cache_bytes", Help: "Approximate memory held by the document cache.",
		}, func() float64 { return float64(stats().Bytes) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "sendevagt_document_cache_hits_total", Help: "Attachments answered from the document cache.",
		}, func() float64 { return float64(stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "sendevagt_document_cache_misses_total", Help: "Attachment look-ups the document cache could not answer.",
		}, func() float64 { return float64(stats().Misses) }),
	)
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request records one HTTP request. route must be a route template (a fixed set); the method is
// the client's and is mapped to a fixed set of label values, so invented methods cannot grow the
// series without bound.
func (m *Metrics) Request(route, method string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, MethodLabel(method), strconv.Itoa(code)).Observe(d.Seconds())
}

// MethodLabel maps an HTTP method to a fixed label value: the standard methods as they are,
// anything else "other".
func MethodLabel(method string) string {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return method
	}
	return "other"
}

// OnSend records one answered on-send request.
func (m *Metrics) OnSend(source, action string, d time.Duration) {
	m.onsend.WithLabelValues(action, source).Observe(d.Seconds())
}

// Scanned records one scan and the status of each of its documents.
func (m *Metrics) Scanned(source, action string, statuses []string) {
	m.scans.WithLabelValues(source, action).Inc()
	for _, s := range statuses {
		m.documents.WithLabelValues(StatusLabel(s)).Inc()
	}
}

// Prescanned records the attachments of one pre-scan request by status.
func (m *Metrics) Prescanned(statuses []string) {
	for _, s := range statuses {
		m.prescanned.WithLabelValues(StatusLabel(s)).Inc()
	}
}

// StatusLabel is a document status as a label value: the known statuses, anything else "other"
// (a status comes back from a worker that parsed an untrusted file; the label set stays fixed
// whatever it says).
func StatusLabel(s string) string {
	switch s {
	case "scanned", "encrypted", "unscannable", "unsupported", "too_large":
		return s
	}
	return "other"
}

// Rejected records an on-send request refused before a scan.
func (m *Metrics) Rejected(reason string) { m.rejected.WithLabelValues(reason).Inc() }

// GraphCall records one Microsoft Graph HTTP attempt (graph.Observer).
func (m *Metrics) GraphCall(op string, status int, retry bool) {
	m.graphCalls.WithLabelValues(op, strconv.Itoa(status)).Inc()
	if retry {
		m.graphRetries.WithLabelValues(op).Inc()
	}
}

// Spooled, Replayed and ReplayFailed implement the audit recorder's observer.
func (m *Metrics) Spooled()       { m.auditSpooled.Inc() }
func (m *Metrics) Replayed(n int) { m.auditReplayed.Add(float64(n)) }
func (m *Metrics) ReplayFailed()  {}

// DirectoryProbe records a user past the citizen directory's probe limit.
func (m *Metrics) DirectoryProbe() { m.probes.Inc() }

// AuditFailed records an event that could not be stored at all.
func (m *Metrics) AuditFailed() { m.auditFailed.Inc() }
