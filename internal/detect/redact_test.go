package detect

import "testing"

func TestRedact(t *testing.T) {
	e := testEngine(t)
	tests := []struct{ in, want string }{
		{"Afgørelse.pdf", "Afgørelse.pdf"},
		{"Afgørelse 010190-1234.pdf", "Afgørelse 010190-xxxx.pdf"},
		{"brev_0101901234_final.docx", "brev_010190-xxxx_final.docx"},
		{"Bilag til Jens Hansen.pdf", "Bilag til J. H..pdf"},
		{"Faktura 2024-001.pdf", "Faktura 2024-001.pdf"},
		{"Faktura_1101562261.pdf", "Faktura_110156-xxxx.pdf"},
		{"Ordre 9912345678.pdf", "Ordre 9912345678.pdf"},
	}
	for _, tt := range tests {
		if got := e.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
