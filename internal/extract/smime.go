package extract

import (
	"errors"
	"math"

	"github.com/sendevagt/sendevagt/internal/message"
)

// detailSignature is the Detail of a detached S/MIME signature: read, and nothing in it.
const detailSignature = "S/MIME signature (no content)"

// signedData reads S/MIME signed data (.p7s, or .p7m with smime-type signed-data). A detached
// signature holds no content: it is Scanned, with nothing to find. Signed content is a nested
// document, "smime.p7m/indhold.eml" when it is a MIME entity (an opaque-signed mail), else
// "indhold" read as whatever its bytes are (a signed file).
func (w *walker) signedData(j *job) error {
	if j.depth >= w.lim.MaxDepth {
		return &statusError{TooLarge, w.depthDetail()}
	}
	content, detached, err := message.SignedContent(j.data, int(min(w.lim.MaxDocumentBytes, math.MaxInt32)))
	switch {
	case errors.Is(err, message.ErrTooLarge):
		return &statusError{TooLarge, "signed content: " + w.docDetail()}
	case err != nil:
		return &statusError{Unscannable, "corrupt S/MIME signed data"}
	case detached:
		return &statusError{Scanned, detailSignature}
	}
	name, ctype := "indhold", ""
	if looksMIME(content) {
		name, ctype = "indhold.eml", "message/rfc822"
	}
	w.nested(j, j.name+"/"+name, name, ctype, content)
	return &statusError{Scanned, "S/MIME signed data; its content is read as " + name}
}
