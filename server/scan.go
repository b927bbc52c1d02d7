package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/report"
	"github.com/sendevagt/sendevagt/internal/scan"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// scanConfig is the parsed command line of `sendevagt scan`.
type scanConfig struct {
	json, showValues bool
	inProcess        bool
	policyFile       string
	from, subject    string
	to, cc, bcc      listFlag
	internal         listFlag
	trusted          listFlag
	timeout          time.Duration
	limits           extract.Limits
	maxMessageMB     int64
	maxDocumentMB    int64
	files            []string
}

const scanUsage = `Usage: sendevagt scan [flags] FILE...

A .eml file is a whole message; other files are attachments of one message built from the flags.
Exit status: 0 allow, 3 warn, 4 secure, 5 block, 1 error, 2 usage.

Flags:
`

func parseScanFlags(args []string, stderr io.Writer) (*scanConfig, error) {
	c := &scanConfig{}
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, scanUsage); fs.PrintDefaults() }
	fs.BoolVar(&c.json, "json", false, "print the result as one JSON object")
	fs.BoolVar(&c.showValues, "show-values", false, "include the full values of findings (never use in logs)")
	fs.StringVar(&c.policyFile, "policy", "", "policy `FILE` (YAML) instead of the built-in policy")
	fs.StringVar(&c.from, "from", "", "sender `ADDRESS` (\"Name <a@b>\" or a@b)")
	fs.Var(&c.to, "to", "To recipient `ADDRESS` (repeatable)")
	fs.Var(&c.cc, "cc", "Cc recipient `ADDRESS` (repeatable)")
	fs.Var(&c.bcc, "bcc", "Bcc recipient `ADDRESS` (repeatable)")
	fs.StringVar(&c.subject, "subject", "", "`SUBJECT` of the message")
	fs.Var(&c.internal, "internal-domain", "internal `DOMAIN` besides the sender's own (repeatable)")
	fs.Var(&c.trusted, "trusted-domain", "trusted (enforced TLS) `DOMAIN` (repeatable)")
	fs.BoolVar(&c.inProcess, "in-process", false, "extract attachments in this process instead of isolated workers (debugging)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "time limit per message")
	d := extract.DefaultLimits
	fs.DurationVar(&c.limits.Timeout, "document-timeout", d.Timeout, "time limit per attachment (the worker is killed after it)")
	fs.Int64Var(&c.maxMessageMB, "max-message-mb", scan.DefaultMaxMessageBytes>>20, "attachments of one message, in `MB`; beyond it they are too_large")
	fs.Int64Var(&c.maxDocumentMB, "max-document-mb", d.MaxDocumentBytes>>20, "one document after decompression, in `MB`")
	fs.IntVar(&c.limits.MaxEntries, "max-entries", d.MaxEntries, "entries per archive")
	fs.Int64Var(&c.limits.MaxRatio, "max-ratio", d.MaxRatio, "decompressed:compressed ratio per archive entry")
	fs.IntVar(&c.limits.MaxDepth, "max-depth", d.MaxDepth, "nesting of archives and attached mails")
	fs.IntVar(&c.limits.MaxPages, "max-pages", d.MaxPages, "pages per document")
	fs.IntVar(&c.limits.MaxOCRPages, "max-ocr-pages", d.MaxOCRPages, "scanned pages per document to OCR")
	// Flags may come before, between and after the files.
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		c.files = append(c.files, args[0])
		args = args[1:]
	}
	if len(c.files) == 0 {
		fs.Usage()
		return nil, errors.New("no file given")
	}
	return c, nil
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseScanFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllow
		}
		fmt.Fprintf(stderr, "sendevagt scan: %v\n", err)
		return exitUsage
	}
	pol, err := loadPolicy(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt scan: %v\n", err)
		return exitError
	}
	msgs, err := loadMessages(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt scan: %v\n", err)
		return exitError
	}
	lim := cfg.limits
	lim.MaxDocumentBytes = cfg.maxDocumentMB << 20
	scanner, closeScanner, err := newScanner(lim, scan.Options{MaxMessageBytes: cfg.maxMessageMB << 20}, cfg.inProcess)
	if err != nil {
		fmt.Fprintf(stderr, "sendevagt scan: %v\n", err)
		return exitError
	}
	defer closeScanner()
	// One write per 64 KiB, not one per line of the report.
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	stdout = out
	worst := policy.Allow
	for _, lm := range msgs {
		mctx, cancel := context.WithTimeout(ctx, cfg.timeout)
		res, err := scanner.Scan(mctx, lm.msg, pol)
		cancel()
		if err != nil {
			fmt.Fprintf(stderr, "sendevagt scan: %s: %v\n", lm.source, err)
			return exitError
		}
		worst = policy.Worse(worst, res.Verdict.Action)
		if cfg.json {
			if err := writeJSON(stdout, res, cfg.showValues); err != nil {
				fmt.Fprintf(stderr, "sendevagt scan: %v\n", err)
				return exitError
			}
		} else {
			writeText(stdout, lm.source, res, cfg.showValues)
		}
	}
	return exitCode(worst)
}

func exitCode(a policy.Action) int {
	switch a {
	case policy.Warn:
		return exitWarn
	case policy.Secure:
		return exitSecure
	case policy.Block:
		return exitBlock
	}
	return exitAllow
}

// newScanner wires the scan pipeline with the built-in detectors. Attachments are extracted in
// worker processes unless inProcess; close stops the workers.
func newScanner(lim extract.Limits, opts scan.Options, inProcess bool) (s *scan.Scanner, close func(), err error) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("loading detectors: %w", err)
	}
	x, close, err := newExtraction(lim, inProcess)
	if err != nil {
		return nil, nil, fmt.Errorf("starting extraction: %w", err)
	}
	return scan.New(x, det, identity.New(det, identity.Options{}), opts), close, nil
}

func loadPolicy(cfg *scanConfig) (*policy.Policy, error) {
	pol := policy.Default()
	if cfg.policyFile != "" {
		data, err := os.ReadFile(cfg.policyFile)
		if err != nil {
			return nil, fmt.Errorf("reading policy: %w", err)
		}
		if pol, err = policy.Parse(data); err != nil {
			return nil, fmt.Errorf("policy %s: %w", cfg.policyFile, err)
		}
	}
	for _, d := range cfg.internal {
		pol.InternalDomains = append(pol.InternalDomains, strings.ToLower(strings.TrimSpace(d)))
	}
	for _, d := range cfg.trusted {
		pol.TrustedDomains = append(pol.TrustedDomains, strings.ToLower(strings.TrimSpace(d)))
	}
	return pol, nil
}

// loadedMessage is one message to scan and where it came from.
type loadedMessage struct {
	source string
	msg    *message.Message
}

// maxInputFile bounds what the command line reads of one file.
const maxInputFile = 150 << 20

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	if st.Size() > maxInputFile {
		return nil, fmt.Errorf("%s is larger than %d MB", path, maxInputFile>>20)
	}
	// One buffer of the file's size (io.ReadAll would grow one by doubling: twice the file's size
	// at the peak and a fifth of a large scan's CPU spent zeroing the copies).
	buf := make([]byte, st.Size()+1)
	n, err := io.ReadFull(f, buf)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return buf[:n], nil
	case err != nil:
		return nil, err
	}
	// The file grew since Stat: read the rest, within the limit.
	rest, err := io.ReadAll(io.LimitReader(f, maxInputFile+1-int64(n)))
	return append(buf, rest...), err
}

// loadMessages reads every .eml and .msg file as a message of its own and puts all other files as
// attachments into one message built from the flags.
func loadMessages(cfg *scanConfig, stderr io.Writer) ([]loadedMessage, error) {
	var out []loadedMessage
	var attachments []message.Attachment
	for _, path := range cfg.files {
		data, err := readFile(path)
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".eml", ".msg":
			// The bytes say what the file is: an Outlook message saved as .eml is read as one.
			m, err := message.ParseAny(data)
			if m == nil {
				// Not readable as a message (no header at all: a text file named .eml; a
				// damaged or oversized file): it is scanned as an attachment, which reads it as
				// what it is or reports why not, so it still gets a verdict.
				fmt.Fprintf(stderr, "sendevagt scan: %s: not read as a message (%v); scanned as a file\n", path, err)
				attachments = append(attachments, message.Attachment{Name: filepath.Base(path), Data: data})
				continue
			}
			if err != nil {
				// A message too complex or damaged to read whole: what was read is scanned.
				fmt.Fprintf(stderr, "sendevagt scan: %s: part of the message could not be read: %v\n", path, err)
				m.Incomplete = err.Error()
			}
			if err := applyFlags(cfg, m); err != nil {
				return nil, err
			}
			out = append(out, loadedMessage{source: path, msg: m})
		default:
			// No content type: extraction tells a file's type from its bytes and its name (and the
			// system's MIME table, which mime.TypeByExtension loads, costs a one-line scan 4 ms).
			attachments = append(attachments, message.Attachment{Name: filepath.Base(path), Data: data})
		}
	}
	if len(attachments) > 0 {
		m := &message.Message{Attachments: attachments, Subject: cfg.subject}
		if err := applyFlags(cfg, m); err != nil {
			return nil, err
		}
		if len(m.Recipients()) == 0 {
			fmt.Fprintln(stderr, "sendevagt scan: no --to given: scanning as if the files went to an external recipient")
			m.To = []message.Address{{Address: "ukendt@ekstern.invalid"}}
		}
		out = append(out, loadedMessage{source: strings.Join(cfg.files, " "), msg: m})
	}
	return out, nil
}

// applyFlags lets --from/--to/--cc/--bcc/--subject replace what a message says.
func applyFlags(cfg *scanConfig, m *message.Message) error {
	parse := func(list []string) ([]message.Address, error) {
		var out []message.Address
		for _, s := range list {
			a, err := parseAddress(s)
			if err != nil {
				return nil, fmt.Errorf("bad address %q: %w", s, err)
			}
			out = append(out, a)
		}
		return out, nil
	}
	if cfg.from != "" {
		a, err := parseAddress(cfg.from)
		if err != nil {
			return fmt.Errorf("bad --from address %q: %w", cfg.from, err)
		}
		m.From = a
	}
	if len(cfg.to)+len(cfg.cc)+len(cfg.bcc) > 0 {
		var err error
		if m.To, err = parse(cfg.to); err != nil {
			return err
		}
		if m.Cc, err = parse(cfg.cc); err != nil {
			return err
		}
		if m.Bcc, err = parse(cfg.bcc); err != nil {
			return err
		}
	}
	if cfg.subject != "" {
		m.Subject = cfg.subject
	}
	return nil
}

func writeJSON(w io.Writer, res *scan.Result, showValues bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(report.New(res, showValues))
}

var actionText = map[policy.Action]string{
	policy.Allow:  "ALLOW  – mailen kan sendes",
	policy.Warn:   "WARN   – advarsel; medarbejderen kan sende alligevel",
	policy.Secure: "SECURE – mailen skal sendes som sikker mail",
	policy.Block:  "BLOCK  – mailen må ikke sendes",
}

// writeText writes the human-readable report. It reads the result directly rather than through
// report.New: the text shows no word counts (a pass over every page) and needs no second list of
// every finding.
func writeText(w io.Writer, source string, res *scan.Result, showValues bool) {
	fmt.Fprintf(w, "%s\n  Verdict: %s\n", source, actionText[res.Verdict.Action])
	for _, r := range res.Verdict.Reasons {
		fmt.Fprintf(w, "  - [%s] %s\n", r.Code, r.Message)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  Documents:")
	for _, d := range res.Documents {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", d.Status, d.Type, d.Name, d.Detail)
	}
	tw.Flush()
	if len(res.Findings) > 0 {
		fmt.Fprintln(w, "  Findings:")
	}
	// The findings are aligned in blocks: a list of a hundred thousand is not held whole.
	t := findingTable{showValues: showValues}
	for i := 0; i < len(res.Findings); i += findingsBlock {
		t.write(w, res.Findings[i:min(i+findingsBlock, len(res.Findings))])
	}
}

// findingsBlock is how many findings the text output aligns together.
const findingsBlock = 4096

// findingTable writes findings as aligned columns (kind, document and page, value, confidence,
// category), laid out as text/tabwriter lays out cells: each column as wide as its widest cell
// in the block plus two spaces, widths counted in characters. It is done by hand because the
// table writer parses every byte of every line once more (a list's findings spent a twentieth
// of the scan there). Tabs and line breaks in a cell (a document's name) become spaces, so
// that a name cannot break the table.
type findingTable struct {
	showValues bool
	line       []byte
}

func (t *findingTable) write(w io.Writer, fs []detect.Finding) {
	var width [4]int
	for i := range fs {
		for c, n := range t.widths(&fs[i]) {
			width[c] = max(width[c], n)
		}
	}
	for i := range fs {
		f := &fs[i]
		t.line = t.line[:0]
		for c, n := range t.widths(f) {
			t.line = t.cell(t.line, f, c)
			t.line = appendSpaces(t.line, max(2, width[c]+2)-n)
		}
		t.line = appendCell(t.line, f.Category)
		t.line = append(t.line, '\n')
		w.Write(t.line)
	}
}

// value is the finding's value as shown: masked unless values are shown.
func (t *findingTable) value(f *detect.Finding) string {
	if t.showValues {
		return f.Value
	}
	return f.Masked
}

// cell appends column c of a finding's line.
func (t *findingTable) cell(b []byte, f *detect.Finding, c int) []byte {
	switch c {
	case 0:
		return appendCell(append(b, "    "...), string(f.Kind))
	case 1:
		return strconv.AppendInt(append(appendCell(b, f.Document), " p."...), int64(f.Page), 10)
	case 2:
		return appendCell(b, t.value(f))
	}
	return appendConfidence(b, f.Confidence)
}

// widths are the widths in characters of a finding's four aligned cells, counted without
// writing them.
func (t *findingTable) widths(f *detect.Finding) [4]int {
	var num [32]byte
	return [4]int{
		4 + utf8.RuneCountInString(string(f.Kind)),
		utf8.RuneCountInString(f.Document) + len(" p.") + len(strconv.AppendInt(num[:0], int64(f.Page), 10)),
		utf8.RuneCountInString(t.value(f)),
		len(appendConfidence(num[:0], f.Confidence)),
	}
}

// appendConfidence appends a confidence rounded as the report rounds it, with two decimals.
func appendConfidence(b []byte, c float64) []byte {
	v := int(c*100 + 0.5) // report.Confidence's rounding, in hundredths
	if v < 0 || v > 999 {
		return strconv.AppendFloat(b, report.Confidence(c), 'f', 2, 64)
	}
	return append(b, byte('0'+v/100), '.', byte('0'+v/10%10), byte('0'+v%10))
}

// appendCell appends a cell's text with tabs and line breaks as spaces.
func appendCell(b []byte, s string) []byte {
	n := len(b)
	b = append(b, s...)
	for i := n; i < len(b); i++ {
		switch b[i] {
		case '\t', '\n', '\r', '\v', '\f':
			b[i] = ' '
		}
	}
	return b
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

func parseAddress(s string) (message.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return message.Address{}, err
	}
	return message.Address{Name: a.Name, Address: a.Address}, nil
}
