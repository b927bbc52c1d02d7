package worker

import (
	"context"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Split reads plain text in the calling process and hands everything else to isolated workers.
// Reading plain text runs no parser on the bytes (they are only decoded from their charset and
// normalised, within the same limits), so it needs no isolation; what it saves is the round
// trip of the bytes and the text through a worker's pipes, and for `sendevagt scan` of a text
// file the start of a worker process.
type Split struct {
	Local    InputExtractor // in this process, for plain text (an *extract.Extractor)
	Isolated InputExtractor // the Pool or one of its Lanes
}

// Extract is ExtractInput for bare bytes.
func (s Split) Extract(ctx context.Context, name, contentType string, data []byte) []extract.Document {
	return s.ExtractInput(ctx, extract.Input{Name: name, ContentType: contentType, Data: data})
}

// ExtractInput reads in here when it is plain text, in a worker otherwise.
func (s Split) ExtractInput(ctx context.Context, in extract.Input) []extract.Document {
	if extract.PlainText(in) {
		return s.Local.ExtractInput(ctx, in)
	}
	return s.Isolated.ExtractInput(ctx, in)
}
