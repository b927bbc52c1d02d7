// Package scan runs one scan end to end: message → extract → detect → identity → policy. The
// service, the admin test console and the command line all use it, so what the CLI says about a
// message is what Outlook shows.
package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// Extractor turns one attachment into documents with text (package extract).
type Extractor interface {
	Extract(ctx context.Context, name, contentType string, data []byte) []extract.Document
}

// InputExtractor is an Extractor that also takes what the source says about an attachment
// (extract.Input: a picture of the body's layout); the scan uses it when the Extractor has it.
type InputExtractor interface {
	ExtractInput(ctx context.Context, in extract.Input) []extract.Document
}

// Detector finds personal data in text (package detect).
type Detector interface {
	Detect(text string) []detect.Finding
}

// Analyzer works out whom the data is about (package identity).
type Analyzer interface {
	Analyze(docs []identity.Document, recipients, staff []message.Address) []identity.Person
	// IsCitizen tells a private person's address from an organisation's.
	IsCitizen(addr message.Address) bool
}

// Cache keeps extracted documents across scans, keyed by content (package doccache): what a
// pre-scan extracted is reused on Send.
type Cache interface {
	Lookup(key string) ([]extract.Document, bool)
	Documents(ctx context.Context, key string, run func(ctx context.Context) []extract.Document) ([]extract.Document, bool, error)
}

// ContentHash is the hex SHA-256 of an attachment's content, as the add-in and the cache name it.
func ContentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// CacheKey is the cache key of an attachment for a caller (WithCaller): the caller's key, the
// content hash, and the name and media type that decide how the content is read and what its
// documents are called. Another user's key never finds the entry, even with the same file.
func CacheKey(caller, contentHash, name, contentType string) string {
	return caller + "\x00" + contentHash + "\x00" + name + "\x00" + contentType
}

// Names of the documents that are parts of the message itself.
const (
	SubjectDocument = "(emne)"
	BodyDocument    = "(mailtekst)"
	MessageDocument = "(mailen)"
)

// Options bound one scan; zero values mean the defaults.
type Options struct {
	// MaxMessageBytes is the budget for all attachments of one message (default 150 MiB);
	// attachments beyond it are too large.
	MaxMessageBytes int64
	// MaxAttachments is how many attachments of one message are read (default 250, in the
	// message's order); the ones beyond are reported too large and the message still gets its
	// verdict from what was read. The service, the console, the pre-scan and the CLI share it.
	MaxAttachments int
	// Concurrency is how many documents of one message are extracted at once (default the
	// number of CPUs; a worker pool queues beyond its size).
	Concurrency int
	// Cache, when set, keeps the documents of every attachment by content hash.
	Cache Cache
	// Background, when set, extracts for Prepare (the add-in's pre-scan) instead of the main
	// extractor: a lane of the worker pool that leaves workers free for verdicts on Send.
	Background Extractor
	// Directory, when set together with Hasher, is the citizen directory: it corrects the
	// relation of persons to the recipients it knows (see applyDirectory in directory.go).
	Directory Directory
	// Hasher makes the keyed hashes the directory is compared by (the audit's Hasher).
	Hasher *audit.Hasher
	// Probes, when set, limits the distinct CPR numbers one caller may check against one
	// directory address (see ProbeGuard); nil means no limit (the command line, tests).
	Probes *ProbeGuard
	// Logger, when set, receives directory failures (which never fail a scan).
	Logger *slog.Logger
}

// DefaultMaxMessageBytes is the default per-message attachment budget.
const DefaultMaxMessageBytes = 150 << 20

// DefaultMaxAttachments is the default number of attachments read per message.
const DefaultMaxAttachments = 250

// Scanner scans messages. It holds no per-message state and is safe for concurrent use.
type Scanner struct {
	extractor Extractor
	detector  Detector
	analyzer  Analyzer
	opts      Options
}

// New returns a Scanner from its parts.
func New(x Extractor, d Detector, a Analyzer, opts Options) *Scanner {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = runtime.NumCPU()
	}
	if opts.MaxAttachments <= 0 {
		opts.MaxAttachments = DefaultMaxAttachments
	}
	return &Scanner{extractor: x, detector: d, analyzer: a, opts: opts}
}

// Result is the outcome of one scan. Documents carry their text and Findings their values only
// in memory: output and storage must use the masked forms.
type Result struct {
	Verdict   policy.Verdict
	Documents []extract.Document
	Findings  []detect.Finding // the findings that count under the policy, in document order
	Persons   []identity.Person
	// Citizens tells, per recipient (in the order of Message.Recipients), whether it is a
	// private person: an entry of the citizen directory, a private mail address or a person's
	// own domain.
	Citizens []bool
}

// Scan extracts, detects, resolves identities and applies the policy to one message.
func (s *Scanner) Scan(ctx context.Context, msg *message.Message, pol *policy.Policy) (*Result, error) {
	if msg == nil || pol == nil {
		return nil, fmt.Errorf("scan: %w: message and policy are required", policy.ErrScan)
	}
	docs := s.documents(ctx, msg)
	// A message whose time ran out is still decided: the documents that were not read carry
	// their own status ("timed out") and the policy acts on it. Only a cancelled scan (the
	// caller gave up) has no verdict.
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil, fmt.Errorf("scan: %w: %w", policy.ErrScan, ctx.Err())
	}
	res := &Result{Documents: docs}
	idDocs := make([]identity.Document, 0, len(docs))
	for _, d := range docs {
		if len(d.Pages) == 0 {
			continue
		}
		idd := identity.Document{Name: d.Name}
		first := len(res.Findings)
		for _, p := range d.Pages {
			ip := identity.Page{Number: p.Number, Text: p.Text}
			if len(p.Blocks) > 0 {
				ip.Blocks = make([]identity.Block, len(p.Blocks))
				for i, b := range p.Blocks {
					ip.Blocks[i] = identity.Block{Start: b.Start, End: b.End, HasBox: b.HasBox, Y0: b.Y0}
				}
			}
			idd.Pages = append(idd.Pages, ip)
			// The findings are filtered in place: a list of a hundred thousand names and
			// numbers is not copied again finding by finding.
			fs := s.detector.Detect(p.Text)
			kept := fs[:0]
			for _, f := range fs {
				if !counts(pol, f) {
					continue
				}
				f.Document, f.Page = d.Name, p.Number
				kept = append(kept, f)
			}
			if res.Findings == nil {
				res.Findings = kept // the first page's findings become the list: no copy
			} else {
				res.Findings = append(res.Findings, kept...)
			}
		}
		// The document's findings are its range of the message's list (clipped: an append to
		// one never writes into the next).
		idd.Findings = res.Findings[first:len(res.Findings):len(res.Findings)]
		idDocs = append(idDocs, idd)
	}

	recipients := msg.Recipients()
	staff := []message.Address{msg.From}
	for _, r := range recipients {
		if pol.ZoneOf(msg.From.Address, r.Address) == policy.Internal {
			staff = append(staff, r)
		}
	}
	res.Persons = s.analyzer.Analyze(idDocs, recipients, staff)
	inDirectory := s.applyDirectory(ctx, recipients, res.Persons)
	citizens := make([]bool, len(recipients))
	for i, r := range recipients {
		citizens[i] = (i < len(inDirectory) && inDirectory[i]) || s.analyzer.IsCitizen(r)
	}
	res.Citizens = citizens
	res.Verdict = pol.Evaluate(facts(msg, res))
	return res, nil
}

// documents extracts the subject, the bodies and every attachment. Bodies and attachments are
// extracted concurrently (the worker pool gives back-pressure); the order of the result is the
// order of the message. Attachments beyond the message's byte budget are not read: they are
// too large, never clean.
func (s *Scanner) documents(ctx context.Context, msg *message.Message) []extract.Document {
	type job struct {
		name, contentType string
		data              []byte
		msg               *message.Message   // an attached email already parsed (Attachment.Message)
		inline            bool               // a picture of the body's layout (Attachment.Inline)
		prefix            bool               // body: nested document names keep the body's name as prefix
		done              []extract.Document // known without extracting
		key               string             // cache key of an attachment ("" for bodies, or without a cache)
	}
	var jobs []job
	for i, b := range msg.Bodies {
		name := BodyDocument
		if i > 0 {
			name = fmt.Sprintf("%s %d", BodyDocument, i+1)
		}
		jobs = append(jobs, job{name: name, contentType: b.ContentType, data: []byte(b.Content), prefix: true})
	}
	var total int64
	for i, a := range msg.Attachments {
		j := job{name: a.Name, contentType: a.ContentType, data: a.Data, msg: a.Message, inline: a.Inline}
		total += int64(len(a.Data)) + a.Message.Size()
		switch {
		case i >= s.opts.MaxAttachments:
			j.done = []extract.Document{s.overCount(a)}
		case a.Unread != nil:
			j.done = []extract.Document{{Name: a.Name, Type: typeOf(a), Status: extract.Status(a.Unread.Status), Detail: a.Unread.Detail}}
		case len(a.Data) == 0 && a.SHA256 != "":
			j.done = s.cached(ctx, a)
		case s.opts.MaxMessageBytes > 0 && total > s.opts.MaxMessageBytes:
			j.done = []extract.Document{{Name: a.Name, Type: "unknown", Status: extract.TooLarge,
				Detail: fmt.Sprintf("message larger than %d MB (MaxMessageBytes)", s.opts.MaxMessageBytes>>20)}}
		case s.opts.Cache != nil && a.Message == nil:
			j.key = CacheKey(CallerOf(ctx).Key, ContentHash(a.Data), a.Name, a.ContentType)
		}
		jobs = append(jobs, j)
	}
	results := make([][]extract.Document, len(jobs))
	sem := make(chan struct{}, s.opts.Concurrency)
	var wg sync.WaitGroup
	for i, j := range jobs {
		if j.done != nil {
			results[i] = j.done
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = s.extract(ctx, s.extractor, extract.Input{Name: j.name, ContentType: j.contentType, Data: j.data, Message: j.msg, Inline: j.inline}, j.key)
		}()
	}
	wg.Wait()

	var docs []extract.Document
	if strings.TrimSpace(msg.Subject) != "" {
		docs = append(docs, extract.Document{
			Name: SubjectDocument, Type: "text", Status: extract.Scanned,
			Pages: []extract.Page{{Number: 1, Text: extract.NormalizeText(msg.Subject)}},
		})
	}
	for i, r := range results {
		for _, d := range r {
			if jobs[i].prefix {
				d.Name = jobs[i].name + strings.TrimPrefix(d.Name, jobs[i].name)
			}
			docs = append(docs, d)
		}
	}
	if msg.Incomplete != "" {
		docs = append(docs, extract.Document{Name: MessageDocument, Type: "eml", Status: extract.Unscannable,
			Detail: "part of the message could not be read"})
	}
	// A document read only in part is not clean: what was read is scanned, and the document
	// counts as too large for the policy (the detail names the limit).
	for i := range docs {
		if docs[i].Truncated && docs[i].Status == extract.Scanned {
			docs[i].Status = extract.TooLarge
		}
	}
	return docs
}

// overCount is the document of an attachment beyond MaxAttachments: not read, too large.
func (s *Scanner) overCount(a message.Attachment) extract.Document {
	return extract.Document{Name: a.Name, Type: typeOf(a), Status: extract.TooLarge,
		Detail: fmt.Sprintf("more than %d attachments in the message; this one was not read", s.opts.MaxAttachments)}
}

// extract reads one attachment or body, through the cache when it has a key. The key leaves
// out the Inline hint: it changes only what becomes of an image OCR cannot read, and the
// pre-scan and Send name the same attachment alike.
func (s *Scanner) extract(ctx context.Context, x Extractor, in extract.Input, key string) []extract.Document {
	name, contentType := in.Name, in.ContentType
	run := func(ctx context.Context) []extract.Document {
		if xi, ok := x.(InputExtractor); ok {
			return xi.ExtractInput(ctx, in)
		}
		if in.Message != nil { // an extractor of bytes only: the parsed mail must not pass as empty
			return []extract.Document{{Name: name, Type: typeOf(message.Attachment{Name: name, ContentType: contentType}),
				Status: extract.Unscannable, Detail: "attached email could not be handed to the extractor"}}
		}
		return x.Extract(ctx, in.Name, in.ContentType, in.Data)
	}
	if key == "" || s.opts.Cache == nil {
		return run(ctx)
	}
	docs, _, err := s.opts.Cache.Documents(ctx, key, run)
	if err != nil { // this scan's time ran out while another request was still extracting it
		return []extract.Document{{Name: name, Type: typeOf(message.Attachment{Name: name, ContentType: contentType}),
			Status: extract.Unscannable, Detail: "time limit reached while the attachment was still being read"}}
	}
	return docs
}

// cached returns the pre-scanned documents of an attachment sent by its hash only, or a
// document saying it could not be read.
func (s *Scanner) cached(ctx context.Context, a message.Attachment) []extract.Document {
	if s.opts.Cache != nil {
		if docs, ok := s.opts.Cache.Lookup(CacheKey(CallerOf(ctx).Key, a.SHA256, a.Name, a.ContentType)); ok && len(docs) > 0 {
			return docs
		}
	}
	return []extract.Document{{Name: a.Name, Type: typeOf(a), Status: extract.Unscannable,
		Detail: "content not sent and no longer in the pre-scan cache"}}
}

// Prepared is one pre-scanned attachment: its content hash and its documents.
type Prepared struct {
	Name        string
	ContentType string
	SHA256      string
	Documents   []extract.Document
}

// Prepare extracts attachments ahead of Send (the add-in's pre-scan) and keeps their documents
// in the cache, so the scan on Send finds them there. It needs a Cache; ctx bounds the whole
// pre-scan (it may be far longer than the on-send budget: OCR belongs here).
func (s *Scanner) Prepare(ctx context.Context, atts []message.Attachment) []Prepared {
	out := make([]Prepared, len(atts))
	sem := make(chan struct{}, s.opts.Concurrency)
	var wg sync.WaitGroup
	for i, a := range atts {
		out[i] = Prepared{Name: a.Name, ContentType: a.ContentType}
		if i >= s.opts.MaxAttachments {
			out[i].Documents = []extract.Document{s.overCount(a)}
			continue
		}
		if a.Unread != nil {
			out[i].Documents = []extract.Document{{Name: a.Name, Type: typeOf(a), Status: extract.Status(a.Unread.Status), Detail: a.Unread.Detail}}
			continue
		}
		out[i].SHA256 = ContentHash(a.Data)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			key := ""
			if s.opts.Cache != nil {
				key = CacheKey(CallerOf(ctx).Key, out[i].SHA256, a.Name, a.ContentType)
			}
			x := s.extractor
			if s.opts.Background != nil {
				x = s.opts.Background
			}
			out[i].Documents = s.extract(ctx, x, extract.Input{Name: a.Name, ContentType: a.ContentType, Data: a.Data, Inline: a.Inline}, key)
		}()
	}
	wg.Wait()
	return out
}

// PersonIdentifier is a person's masked identifier: initials and masked CPR number
// ("M. A. F., 010764-xxxx"), either alone when the other is unknown.
func PersonIdentifier(p identity.Person) string {
	switch {
	case p.NameMasked != "" && p.CPRMasked != "":
		return p.NameMasked + ", " + p.CPRMasked
	case p.CPRMasked != "":
		return p.CPRMasked
	}
	return p.NameMasked
}

func counts(pol *policy.Policy, f detect.Finding) bool {
	switch f.Kind {
	case detect.KindCPR:
		return pol.CountsCPR(f.Confidence)
	case detect.KindName, detect.KindAddress:
		return pol.CountsName(f.Confidence)
	case detect.KindSensitive:
		return pol.CountsSensitive(f.Category, f.Confidence)
	}
	return false
}

func facts(msg *message.Message, res *Result) policy.Facts {
	f := policy.Facts{Message: msg}
	for _, d := range res.Documents {
		f.Documents = append(f.Documents, policy.Document{Name: d.Name, Status: string(d.Status), Detail: d.Detail})
	}
	for _, fi := range res.Findings {
		if fi.Kind == detect.KindCPR {
			f.CPRs = append(f.CPRs, policy.CPR{Document: fi.Document, Key: fi.Value, Masked: fi.Masked})
		}
	}
	for _, p := range res.Persons {
		rels := make([]string, len(p.Relations))
		for i, r := range p.Relations {
			rels[i] = string(r)
		}
		f.Persons = append(f.Persons, policy.Person{
			Document: p.Document, Page: p.Page, Identifier: PersonIdentifier(p), Key: p.Key,
			HasCPR: p.HasCPR, Sensitive: p.Sensitive, Relations: rels,
		})
	}
	f.Citizens = res.Citizens
	return f
}

// typeOf names the type of an attachment that was not read, from its name or media type.
func typeOf(a message.Attachment) string {
	if i := strings.LastIndexByte(a.Name, '.'); i >= 0 && i < len(a.Name)-1 && len(a.Name)-i <= 6 {
		return strings.ToLower(a.Name[i+1:])
	}
	if a.ContentType != "" {
		return a.ContentType
	}
	return "unknown"
}
