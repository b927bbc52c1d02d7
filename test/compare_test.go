package test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/cputime"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// TestCompare measures an older build (SENDEVAGT_BENCH_OLD_BIN) and this one side by side, in
// one run on the same machine, the builds taking turns, and prints each figure of issue 16 with
// the ratio new/old:
//
//   - on-send CPU per message, service and workers together (the load generator's own CPU is
//     not counted): the 5 MB message of three attachments, mostly PDF, and a text-heavy one
//     (5 MB of Danish text in two attachments and a letter PDF, different bytes each request);
//     both with the pre-scan cache off. The old build gets base64 in JSON (all it reads), the
//     new one binary parts (what the add-in sends now) and, for comparison, JSON too;
//   - throughput and latency at 8 and at 50 clients (SENDEVAGT_BENCH_DURATION each, 20 s);
//   - `sendevagt scan` of 30 MB of generated Danish text (SENDEVAGT_BENCH_TEXT_MB) against
//     `grep -oE` of the CPR pattern into a file, with the peak RSS of the process tree;
//   - the start-up of `sendevagt scan` on a one-line file.
//
// test/bench/compare.sh builds the old binary from a git revision and runs this test.
func TestCompare(t *testing.T) {
	oldBin := os.Getenv("SENDEVAGT_BENCH_OLD_BIN")
	if oldBin == "" {
		t.Skip("SENDEVAGT_BENCH_OLD_BIN is not set (test/bench/compare.sh builds an old binary and sets it)")
	}
	duration := 20 * time.Second
	if v := os.Getenv("SENDEVAGT_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		duration = d
	}
	env := newTestEnv(t)
	type build struct {
		name, bin string
		parts     bool // upload attachments as binary parts
	}
	// The old build gets base64 JSON, all that the tree before issue 16 reads; an old build that
	// reads binary parts too (SENDEVAGT_BENCH_OLD_PARTS=1) gets what the add-in sends now, so two
	// recent revisions are compared like for like.
	builds := []build{{"old", oldBin, os.Getenv("SENDEVAGT_BENCH_OLD_PARTS") == "1"}, {"new (JSON)", binPath, false}, {"new", binPath, true}}

	// The messages: four PDF-heavy ones (sent again and again, as the load test does), and
	// text-heavy ones that never repeat their bytes.
	var heavy [][]file
	var heavyReq []request
	for i := range 4 {
		req, files := heavyMessage(t, int64(100+i))
		heavyReq, heavy = append(heavyReq, req), append(heavy, files)
	}
	const textMessages = 12
	var text [][]file
	var textReq []request
	for i := range textMessages {
		req, files := textMessage(t, int64(500+i))
		textReq, text = append(textReq, req), append(text, files)
	}

	var rows []string
	row := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		rows = append(rows, line)
		t.Log(line)
	}
	figures := map[string]map[string]float64{}
	record := func(b build, key string, v float64) {
		if figures[key] == nil {
			figures[key] = map[string]float64{}
		}
		figures[key][b.name] = v
	}
	// All builds run at once and are measured in turn, message by message and load run by load
	// run (old, new, then new, old), so that a machine that slows down or speeds up during the
	// run (they do, by ±15 %) weighs on both alike instead of on whichever came last.
	type running struct {
		build
		svc             *service
		heavyUp, textUp []upload
	}
	var runs []*running
	for _, b := range builds {
		encode := func(reqs []request, files [][]file) []upload {
			out := make([]upload, len(reqs))
			for i := range reqs {
				out[i] = encodeUpload(t, reqs[i], files[i], b.parts)
			}
			return out
		}
		r := &running{build: b, heavyUp: encode(heavyReq, heavy), textUp: encode(textReq, text)}
		r.svc = startServiceBin(t, b.bin, env, "", "SENDEVAGT_CACHE_MB=0")
		defer r.svc.stop()
		runs = append(runs, r)
	}
	token := env.tokenFor("00000000-0000-4000-8000-00000000abcd", "ansat.bench@aarhus.dk")
	post := func(r *running, up upload) {
		status, _, raw, err := r.svc.postUpload(context.Background(), token, up)
		if err != nil || status != 200 {
			t.Fatalf("%s: status %d %v %.200s", r.name, status, err, raw)
		}
	}
	for _, r := range runs { // warm: workers started, connections open
		for i := range 3 {
			post(r, r.heavyUp[i%len(r.heavyUp)])
		}
	}
	// cpu sends n messages to each build in rounds of per, and returns each build's CPU per
	// message, service and workers together.
	cpu := func(ups func(*running) []upload, n, per int) map[string]time.Duration {
		total := map[string]time.Duration{}
		for round := 0; round*per < n; round++ {
			for _, r := range runs {
				before := treeCPU(r.svc.cmd.Process.Pid)
				for i := round * per; i < min(n, (round+1)*per); i++ {
					post(r, ups(r)[i%len(ups(r))])
				}
				total[r.name] += treeCPU(r.svc.cmd.Process.Pid) - before
			}
		}
		for k := range total {
			total[k] /= time.Duration(n)
		}
		return total
	}
	pdf := cpu(func(r *running) []upload { return r.heavyUp }, 40, 4)
	txt := cpu(func(r *running) []upload { return r.textUp }, textMessages, 1)
	for _, r := range runs {
		record(r.build, "cpu-pdf", float64(pdf[r.name].Microseconds())/1000)
		record(r.build, "cpu-text", float64(txt[r.name].Microseconds())/1000)
		row("%-10s on-send CPU per message (service+workers): PDF-heavy %.1f ms, text-heavy %.1f ms",
			r.name, float64(pdf[r.name].Microseconds())/1000, float64(txt[r.name].Microseconds())/1000)
	}
	// Throughput is compared between what the add-ins send: old and new, in the order old, new
	// for 8 clients and new, old for 50.
	loaded := []*running{runs[0], runs[2]}
	for _, step := range []struct {
		clients int
		order   []*running
	}{{8, loaded}, {50, []*running{loaded[1], loaded[0]}}} {
		for _, r := range step.order {
			// This tree must answer every request; the old build's failures are a figure (the
			// tree before issue 16 could stall under 50 uploads, its bodies waiting for one
			// another's share of the body budget).
			fail := t.Errorf
			if r.svc == runs[0].svc {
				fail = t.Logf
			}
			res := runLoad(t, fail, env, []*service{r.svc}, step.clients, duration, 0, func(rng *rand.Rand) upload {
				return r.heavyUp[rng.IntN(len(r.heavyUp))]
			})
			record(r.build, fmt.Sprintf("tput-%d", step.clients), res.throughput)
			row("%-10s %d clients: %.1f /s, p50 %v p95 %v p99 %v, %d failed, peak RSS service %d MB, with workers %d MB", r.name, step.clients,
				res.throughput, res.p50, res.p95, res.p99, res.failed, res.rss.main>>20, res.rss.tree>>20)
		}
	}
	for _, r := range runs {
		r.svc.stop()
	}

	// The command line: 30 MB of Danish text (SENDEVAGT_BENCH_TEXT_MB), and a one-line file.
	textMB := 30
	if v := os.Getenv("SENDEVAGT_BENCH_TEXT_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("SENDEVAGT_BENCH_TEXT_MB=%q", v)
		}
		textMB = n
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "tekst.txt")
	bigText := testgen.DanishText(textMB<<20, 1)
	if err := os.WriteFile(big, bigText, 0o644); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(dir, "en-linje.txt")
	if err := os.WriteFile(one, []byte("Hej, vi ses i morgen.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	grep := runMeasured(t, dir, "grep", "-oE", "[0-9]{6}-?[0-9]{4}", big)
	row("grep -oE of the CPR pattern into a file, %d MB: %.0f ms wall, %.0f ms CPU", textMB, ms(grep.wall), ms(grep.cpu))
	// The two binaries in turn: the 30 MB scan three times each, the one-line file ten times
	// each (after one run each to warm the page cache); means, and the highest peak.
	cli := []build{builds[0], builds[2]}
	type cliFigures struct {
		wall, cpu time.Duration
		peak      int64
	}
	measure := func(file string, runs int) map[string]cliFigures {
		out := map[string]cliFigures{}
		for range runs {
			for _, b := range cli {
				r := runMeasured(t, dir, b.bin, "scan", "--to", "borger@gmail.com", file)
				f := out[b.name]
				f.wall, f.cpu, f.peak = f.wall+r.wall/time.Duration(runs), f.cpu+r.cpu/time.Duration(runs), max(f.peak, r.peakTree)
				out[b.name] = f
			}
		}
		return out
	}
	large := measure(big, 3)
	for _, b := range cli {
		runMeasured(t, dir, b.bin, "scan", "--to", "borger@gmail.com", one) // page cache warm
	}
	small := measure(one, 10)
	for _, b := range cli {
		r, s := large[b.name], small[b.name]
		record(b, "scan-30mb", ms(r.cpu))
		row("%-10s sendevagt scan %d MB: %.0f ms wall, %.0f ms CPU (%.1f× grep's CPU, %.1f× its wall; mean of 3); peak RSS of the process tree %d MB (%.1f× the text)",
			b.name, textMB, ms(r.wall), ms(r.cpu), ms(r.cpu)/ms(grep.cpu), ms(r.wall)/ms(grep.wall), r.peak>>20, float64(r.peak)/float64(len(bigText)))
		record(b, "startup", ms(s.wall))
		row("%-10s sendevagt scan of a one-line file: %.0f ms wall, %.0f ms CPU (mean of 10)", b.name, ms(s.wall), ms(s.cpu))
	}

	row("ratios new/old: on-send CPU PDF-heavy %.2f, text-heavy %.2f; throughput 8 clients %.2f×, 50 clients %.2f×; scan %d MB CPU %.2f; start-up %.2f",
		figures["cpu-pdf"]["new"]/figures["cpu-pdf"]["old"], figures["cpu-text"]["new"]/figures["cpu-text"]["old"],
		figures["tput-8"]["new"]/figures["tput-8"]["old"], figures["tput-50"]["new"]/figures["tput-50"]["old"],
		textMB, figures["scan-30mb"]["new"]/figures["scan-30mb"]["old"], figures["startup"]["new"]/figures["startup"]["old"])
	fmt.Println(strings.Join(rows, "\n"))
}

// textMessage is the text-heavy on-send message: two lists of about 2.5 MB of Danish case text
// each (mail-merge data about synthetic citizens) and a three-page letter PDF; each seed gives
// other bytes.
func textMessage(t testing.TB, seed int64) (request, []file) {
	t.Helper()
	pdf, people, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 3, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return citizenRequest(people[0], "Bevillinger"), []file{
		{"Bevillinger.txt", "text/plain", testgen.DanishText(2_500_000, 2*seed)},
		{"Bevillinger 2.csv", "text/csv", testgen.DanishText(2_500_000, 2*seed+1)},
		{"Afgørelse.pdf", "application/pdf", pdf},
	}
}

// treeCPU is the CPU time of a process and of its children (the workers), from schedstat
// (nanoseconds; stat's clock ticks are too coarse for a few milliseconds a message).
func treeCPU(pid int) time.Duration {
	total := cputime.Of(pid)
	for _, c := range childrenOf(pid) {
		total += cputime.Of(c)
	}
	return total
}

// measured is one command's wall time, CPU (its own and its waited-for children's) and the
// peak RSS of its process tree.
type measured struct {
	wall, cpu time.Duration
	peakTree  int64
}

// runMeasured runs a command with its standard output to a file (GNU grep stops at the first
// match when it writes to /dev/null). Exit codes 3–5 of `sendevagt scan` are verdicts.
func runMeasured(t *testing.T, dir, bin string, args ...string) measured {
	t.Helper()
	out, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout = out
	cmd.Env = append(os.Environ(), "HOME="+dir)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := newPeakRSS(cmd.Process.Pid)
	err = cmd.Wait()
	wall := time.Since(start)
	rss := peak.stop()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() > 5 {
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var cpu time.Duration
	if ru != nil {
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	// (Not ru.Maxrss: Linux keeps it across exec, so it starts at this test process's own size.)
	return measured{wall: wall, cpu: cpu, peakTree: rss.tree}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
