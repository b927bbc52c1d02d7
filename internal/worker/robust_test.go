package worker

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// buildBinary builds the real sendevagt binary once per test binary (removed in TestMain).
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the real binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "sendevagt-bin"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "sendevagt")
		if out, err := exec.Command(goTool, "build", "-tags", "sendevagt_testhooks", "-o", binPath, "../../server").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// rawPDF assembles a PDF from object bodies (object i+1 = objs[i]) with a correct xref table,
// unless xref/trailer are given.
func rawPDF(objs []string, xref, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	start := b.Len()
	if xref == "" {
		fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
		for _, o := range offs {
			fmt.Fprintf(&b, "%010d 00000 n \n", o)
		}
	} else {
		b.WriteString(xref)
	}
	if trailer == "" {
		trailer = fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\n", len(objs)+1)
	}
	fmt.Fprintf(&b, "%sstartxref\n%d\n%%%%EOF\n", trailer, start)
	return b.Bytes()
}

func zipBomb(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("nuller.txt")
	zero := make([]byte, 1<<20)
	for range 64 {
		w.Write(zero)
	}
	zw.Close()
	return buf.Bytes()
}

func manyEntries(t *testing.T, n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f%05d.txt", i), Method: zip.Store})
		w.Write([]byte("x"))
	}
	zw.Close()
	return buf.Bytes()
}

func nested(t *testing.T, depth int) []byte {
	data := []byte(letter)
	name := "brev.txt"
	for i := range depth {
		data = buildZip(t, zent{name, data})
		name = fmt.Sprintf("lag%02d.zip", depth-i)
	}
	return data
}

func truncated(b []byte) []byte { return b[:len(b)/2] }

func bitFlipped(b []byte, seed uint64) []byte {
	out := bytes.Clone(b)
	r := rand.New(rand.NewPCG(seed, 1))
	for range 1 + len(out)/500 {
		out[r.IntN(len(out))] ^= 1 << r.IntN(8)
	}
	return out
}

type hostile struct {
	name string
	data []byte
}

func hostileFiles(t *testing.T) []hostile {
	pdf := buildPDF(t, 3, "Kære Søren Ærbø Østergård", "CPR-nr.: 010190-1234")
	docx := buildDOCX(t, "Kære Søren Ærbø Østergård", "CPR-nr.: 010190-1234")
	xlsx := buildXLSX(t)
	page := "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
	content := func(s string) string { return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(s), s) }
	okContent := content("BT /F1 12 Tf 72 700 Td (CPR-nr.: 010190-1234) Tj ET")
	files := []hostile{
		{"zipbomb-ratio.zip", zipBomb(t)},
		{"entries-50000.zip", manyEntries(t, 50000)},
		{"nested-12.zip", nested(t, 12)},
		{"xref-2-billion.pdf", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, okContent, font},
			"xref\n0 2000000000\n0000000000 65535 f \n", "trailer\n<< /Size 2000000000 /Root 1 0 R >>\n")},
		{"kids-self.pdf", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", page, okContent, font}, "", "")},
		{"kids-cycle.pdf", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>", okContent, font}, "", "")},
		{"hex-unterminated.pdf", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page,
			content("BT /F1 12 Tf 72 700 Td <30313031393" + strings.Repeat("0", 2000)), "<< /Type /Font /Subtype /Type1 /BaseFont <48656c76"}, "", "")},
		{"lexer-garbage.pdf", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page,
			content("BT /F1 12 Tf " + strings.Repeat("[(((<<", 300) + " Tj ET"), "<< /Type /Font /Subtype " + strings.Repeat("<<[", 5000)}, "", "")},
		{"truncated.pdf", truncated(pdf)},
		{"truncated.docx", truncated(docx)},
		{"truncated.xlsx", truncated(xlsx)},
	}
	for seed := range uint64(3) {
		files = append(files,
			hostile{fmt.Sprintf("bitflip-%d.pdf", seed), bitFlipped(pdf, seed)},
			hostile{fmt.Sprintf("bitflip-%d.docx", seed), bitFlipped(docx, seed)},
			hostile{fmt.Sprintf("bitflip-%d.xlsx", seed), bitFlipped(xlsx, seed)})
	}
	return append(files, hostile{"valid.pdf", pdf}, hostile{"valid.docx", docx}, hostile{"valid.xlsx", xlsx})
}

// peakRSS polls the VmHWM of a process and of its children (the workers) until done closes.
func peakRSS(pid int, done <-chan struct{}) (self, children func() int64) {
	var s, c int64
	fin := make(chan struct{})
	go func() {
		defer close(fin)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			s = max(s, vmHWM(pid))
			tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
			for _, f := range tasks {
				b, _ := os.ReadFile(f)
				for _, cp := range strings.Fields(string(b)) {
					if n, err := strconv.Atoi(cp); err == nil {
						c = max(c, vmHWM(n))
					}
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 { <-fin; return s }, func() int64 { <-fin; return c }
}

func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

// Hostile files through the real binary: every one gets a verdict, in time, with every document
// given a status, and the scanning process stays small.
func TestHostileFilesRealBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	const limit = 45 * time.Second
	var table strings.Builder
	fmt.Fprintf(&table, "%-22s %9s %4s %7s %8s %8s %8s  %s\n", "file", "bytes", "exit", "time", "scanHWM", "wrkHWM", "maxrss", "documents (status: detail)")
	for _, f := range hostileFiles(t) {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(dir, f.name)
			if err := os.WriteFile(path, f.data, 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "scan", "--json", "--to", "borger@live.dk", path)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			self, children := peakRSS(cmd.Process.Pid, done)
			err := cmd.Wait()
			el := time.Since(start)
			close(done)
			scanHWM, workerHWM := self(), children()
			maxrss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // self and reaped workers
			code := cmd.ProcessState.ExitCode()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				t.Errorf("killed by %v (err %v)", ws.Signal(), err)
			}
			switch code {
			case 0, 3, 4, 5:
			default:
				t.Errorf("exit status %d, want a verdict (0/3/4/5); stderr:\n%s", code, stderr.String())
			}
			if el > limit-5*time.Second {
				t.Errorf("took %v", el)
			}
			if scanHWM > 1<<30 {
				t.Errorf("scan process peak RSS %d MiB", scanHWM>>20)
			}
			var res struct {
				Action    string `json:"action"`
				Documents []struct{ Name, Type, Status, Detail string }
			}
			if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
			}
			var docs []string
			for _, d := range res.Documents {
				switch d.Status {
				case "scanned", "encrypted", "unscannable", "unsupported", "too_large":
				default:
					t.Errorf("document %q has status %q", d.Name, d.Status)
				}
				if len(docs) < 3 {
					docs = append(docs, fmt.Sprintf("%s %s: %s", d.Name, d.Status, d.Detail))
				}
			}
			if len(res.Documents) == 0 || res.Documents[0].Name != f.name {
				t.Errorf("no document for %s: %+v", f.name, res.Documents)
			}
			if len(res.Documents) > 3 {
				docs = append(docs, fmt.Sprintf("… %d documents", len(res.Documents)))
			}
			fmt.Fprintf(&table, "%-22s %9d %4d %6.2fs %6dMB %6dMB %6dMB  %s\n", f.name, len(f.data), code, el.Seconds(),
				scanHWM>>20, workerHWM>>20, maxrss>>20, strings.Join(docs, " | "))
		})
	}
	t.Log("\n" + table.String())
}

// The real binary's workers, misbehaving on purpose (SENDEVAGT_WORKER_TEST_HOOKS=1): each bad
// document is reported with its reason and the others of the same message are still read.
func TestRealBinaryMisbehavingWorkers(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"brev.txt", "__oom__", "__crash__", "__panic__", "brev2.txt", "__hang__"} {
		p := filepath.Join(dir, name)
		// Plain text is read without a worker (Split): the misbehaving documents carry a file
		// signature, so that they go to a worker as every parsed format does.
		content := []byte(letter)
		if strings.HasPrefix(name, "__") {
			content = append([]byte("%PDF-1.7\n"), content...)
		}
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cmd := exec.Command(bin, append([]string{"scan", "--json", "--timeout", "3s", "--to", "borger@live.dk"}, paths...)...)
	cmd.Env = append(os.Environ(), EnvTestHooks+"=1", EnvMemoryLimit+"=268435456")
	start := time.Now()
	out, err := cmd.Output()
	el := time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != 5 {
		t.Errorf("exit %d (%v), want 5 (block)", code, err)
	}
	if el > 6*time.Second {
		t.Errorf("took %v", el)
	}
	var res struct {
		Documents []struct{ Name, Status, Detail string }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]string{
		"brev.txt":  "scanned: ",
		"__oom__":   "unscannable: parser crashed (worker died: out of memory, exit status 2)",
		"__crash__": "unscannable: parser crashed (worker died: exit status 2)",
		"__panic__": "unscannable: parser crashed (worker died: panic, exit status 2)",
		"brev2.txt": "scanned: ",
		"__hang__":  "unscannable: timed out (caller's deadline; worker killed)",
	}
	for _, d := range res.Documents {
		got := d.Status + ": " + d.Detail
		t.Logf("%-10s %s", d.Name, got)
		if got != want[d.Name] {
			t.Errorf("%s: got %q, want %q", d.Name, got, want[d.Name])
		}
		delete(want, d.Name)
	}
	if len(want) > 0 {
		t.Errorf("documents missing: %v", want)
	}
}
