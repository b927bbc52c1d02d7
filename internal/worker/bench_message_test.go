package worker

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/cputime"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// benchMessage is the on-send message of issue 16: three attachments, about 5 MB, mostly PDF —
// a letter to a citizen (testgen's letter bundle, one page with a scanned signature), a copy
// of it, and a Word hearing letter with an embedded photo (random bytes standing in for it).
func benchMessage(b *testing.B) []extract.Input {
	b.Helper()
	pdf := func(seed int64, image int) []byte {
		data, _, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 1, Seed: seed, ImageBytes: image})
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	photo := make([]byte, 1_700_000)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range photo {
		photo[i] = byte(r.Uint32())
	}
	paras := []string{"Partshøring", "Kære Søren Ærbø Østergård", "CPR-nr.: 010190-1234", "Vi har lagt vægt på din diagnose og din indlæggelse."}
	docx := buildDOCX(b, paras...)
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		b.Fatal(err)
	}
	var withPhoto bytes.Buffer
	zw := zip.NewWriter(&withPhoto)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			b.Fatal(err)
		}
	}
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "word/media/image1.jpeg", Method: zip.Store})
	w.Write(photo)
	zw.Close()
	return []extract.Input{
		{Name: "Afgørelse.pdf", ContentType: "application/pdf", Data: pdf(100, 1_600_000)},
		{Name: "Afgørelse med underskrift.pdf", ContentType: "application/pdf", Data: pdf(101, 1_700_000)},
		{Name: "Partshøring.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: withPhoto.Bytes()},
	}
}

// benchTextMessage is the text-heavy message of issue 16: about 5 MB of Danish text in two
// attachments (lists of synthetic citizens, as mail-merge data) and a letter PDF.
func benchTextMessage(b *testing.B) []extract.Input {
	b.Helper()
	people := testgen.Citizens(500, 7)
	list := func(n int, variant string) []byte {
		var buf bytes.Buffer
		for i := 0; buf.Len() < n; i++ {
			c := people[i%len(people)]
			fmt.Fprintf(&buf, "%d. %s %s, %s, %s %s, CPR-nr. %s. %s har fået bevilget hjælp efter serviceloven (sag %d).\n",
				i+1, c.FirstName, c.LastName, c.Street, c.Postcode, c.City, c.CPR, variant, 20260000+i)
		}
		return buf.Bytes()
	}
	pdf, err := testgen.LetterBundlePDF(3, 8)
	if err != nil {
		b.Fatal(err)
	}
	return []extract.Input{
		{Name: "Bevillinger.txt", ContentType: "text/plain", Data: list(2_500_000, "Borgeren")},
		{Name: "Bevillinger 2.csv", ContentType: "text/plain", Data: list(2_500_000, "Ansøgeren")},
		{Name: "Afgørelse.pdf", ContentType: "application/pdf", Data: pdf},
	}
}

// cpuSelf is this process's user+system CPU time.
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (p *Pool) workerCPU(tb testing.TB) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var d time.Duration
	for w := range p.live {
		d += cputime.Of(w.cmd.Process.Pid)
	}
	return d
}

// BenchmarkMessage extracts each 5 MB on-send message (pdf: three attachments, mostly PDF;
// text: mostly plain text) through a pool of one worker process, with
// the earlier gob frames and with the raw frames (through the pipe, and through the shared
// region), in one run. It reports CPU per message of
// the service side (this process) and of the worker, and the service side's allocations:
//
//	go test ./internal/worker/ -run '^$' -bench BenchmarkMessage -benchtime 100x
func BenchmarkMessage(b *testing.B) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		b.Skip("needs /proc for the worker's CPU time")
	}
	for _, m := range []struct {
		name string
		msg  func(*testing.B) []extract.Input
	}{{"pdf", benchMessage}, {"text", benchTextMessage}} {
		b.Run(m.name, func(b *testing.B) { benchMessageCodecs(b, m.msg(b)) })
	}
}

func benchMessageCodecs(b *testing.B, msg []extract.Input) {
	total := 0
	for _, in := range msg {
		total += len(in.Data)
	}
	for _, c := range []struct {
		name     string
		codec    codec
		pipeOnly bool
	}{{"gob", gobCodec{}, true}, {"raw-pipe", rawCodec{}, true}, {"raw-shared", rawCodec{}, false}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := testConfig(1)
			if c.name == "gob" {
				cfg.Env = append(cfg.Env, envTestWorkerMode+"=gob")
			}
			p := newTestPool(b, cfg)
			p.codec, p.pipeOnly = c.codec, c.pipeOnly
			text := 0
			for _, in := range msg { // start the worker and warm it up
				for _, d := range p.ExtractInput(context.Background(), in) {
					if d.Status != extract.Scanned {
						b.Fatalf("%s: %s %s", d.Name, d.Status, d.Detail)
					}
					text += len(allText([]extract.Document{d}))
				}
			}
			b.SetBytes(int64(total))
			b.ReportAllocs()
			svc0, wrk0 := cpuSelf(), p.workerCPU(b)
			for b.Loop() {
				for _, in := range msg {
					p.ExtractInput(context.Background(), in)
				}
			}
			svc, wrk := cpuSelf()-svc0, p.workerCPU(b)-wrk0
			n := float64(b.N)
			b.ReportMetric(float64(svc.Microseconds())/1000/n, "svc-cpu-ms/msg")
			b.ReportMetric(float64(wrk.Microseconds())/1000/n, "wrk-cpu-ms/msg")
			b.ReportMetric(float64((svc+wrk).Microseconds())/1000/n, "cpu-ms/msg")
			b.ReportMetric(float64(text), "text-bytes/msg")
		})
	}
}

// BenchmarkProtocol is the protocol alone for the same messages, both ends in this process over
// a pipe (so allocations and CPU cover parent and worker): the request frames of the three
// attachments out, and the documents the extractor made of them back.
//
//	go test ./internal/worker/ -run '^$' -bench BenchmarkProtocol
func BenchmarkProtocol(b *testing.B) {
	for _, m := range []struct {
		name string
		msg  func(*testing.B) []extract.Input
	}{{"pdf", benchMessage}, {"text", benchTextMessage}} {
		b.Run(m.name, func(b *testing.B) { benchProtocolCodecs(b, m.msg(b)) })
	}
}

func benchProtocolCodecs(b *testing.B, msg []extract.Input) {
	x := formats.New(extract.Limits{})
	var results [][]extract.Document
	total := 0
	for _, in := range msg {
		results = append(results, x.ExtractInput(context.Background(), in))
		total += len(in.Data)
	}
	for _, c := range []struct {
		name  string
		codec codec
	}{{"gob", gobCodec{}}, {"raw", rawCodec{}}} {
		b.Run(c.name, func(b *testing.B) {
			toW, fromP, err := os.Pipe()
			if err != nil {
				b.Fatal(err)
			}
			fromW, toP, err := os.Pipe()
			if err != nil {
				b.Fatal(err)
			}
			defer toW.Close()
			defer fromW.Close()
			go func() { // the worker's end
				defer toP.Close()
				br := bufio.NewReaderSize(toW, 64<<10)
				bw := bufio.NewWriterSize(toP, 64<<10)
				var buf []byte
				for i := 0; ; i++ {
					var req Request
					if err := c.codec.readRequest(br, MaxRequestFrame, &buf, &req); err != nil {
						return
					}
					c.codec.writeResponse(bw, req.ID, results[i%len(results)], maxResponse(DefaultMaxOutput))
					bw.Flush()
				}
			}()
			br := bufio.NewReaderSize(fromW, 64<<10)
			var hdr []byte
			b.SetBytes(int64(total))
			b.ReportAllocs()
			cpu0 := cpuSelf()
			for b.Loop() {
				for _, in := range msg {
					req := &Request{Name: in.Name, ContentType: in.ContentType, Data: in.Data, MaxOutputBytes: DefaultMaxOutput, ID: 7}
					if err := c.codec.writeRequest(fromP, &hdr, req); err != nil {
						b.Fatal(err)
					}
					if _, err := c.codec.readResponse(br, maxResponse(DefaultMaxOutput), 7); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64((cpuSelf()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/msg")
			fromP.Close()
		})
	}
}
