package worker

import (
	"context"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
)

// BenchmarkWorkerRoundTrip is the per-document overhead of the pool: a small text document
// through a warm worker (framing, gob, two pipe hops).
func BenchmarkWorkerRoundTrip(b *testing.B) {
	p := newTestPool(b, testConfig(1))
	data := []byte(letter)
	p.Extract(context.Background(), "brev.txt", "text/plain", data) // start the worker
	b.ResetTimer()
	for b.Loop() {
		if d := p.Extract(context.Background(), "brev.txt", "text/plain", data); d[0].Status != extract.Scanned {
			b.Fatal(d)
		}
	}
}

func benchDocs(b *testing.B) []struct {
	name string
	data []byte
} {
	lines := []string{"Kære Søren Ærbø Østergård", "CPR-nr.: 010190-1234", "Vi har lagt vægt på din diagnose og din indlæggelse."}
	var paras []string
	for range 100 {
		paras = append(paras, lines...)
	}
	return []struct {
		name string
		data []byte
	}{
		{"docx", buildDOCX(b, paras...)},
		{"pdf", buildPDF(b, 10, lines...)},
	}
}

func BenchmarkExtractInProcess(b *testing.B) {
	x := formats.New(extract.Limits{})
	for _, d := range benchDocs(b) {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			for b.Loop() {
				if r := x.Extract(context.Background(), "a."+d.name, "", d.data); r[0].Status != extract.Scanned {
					b.Fatal(r)
				}
			}
		})
	}
}

func BenchmarkExtractWorker(b *testing.B) {
	p := newTestPool(b, testConfig(1))
	for _, d := range benchDocs(b) {
		b.Run(d.name, func(b *testing.B) {
			p.Extract(context.Background(), "a."+d.name, "", d.data)
			b.SetBytes(int64(len(d.data)))
			for b.Loop() {
				if r := p.Extract(context.Background(), "a."+d.name, "", d.data); r[0].Status != extract.Scanned {
					b.Fatal(r)
				}
			}
		})
	}
}

// BenchmarkWorkerColdStart is starting a worker (this test binary) and its first document.
func BenchmarkWorkerColdStart(b *testing.B) {
	data := []byte(letter)
	for b.Loop() {
		p, err := NewPool(testConfig(1))
		if err != nil {
			b.Fatal(err)
		}
		if d := p.Extract(context.Background(), "brev.txt", "text/plain", data); d[0].Status != extract.Scanned {
			b.Fatal(d)
		}
		p.Close()
	}
}
