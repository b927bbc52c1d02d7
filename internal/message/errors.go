package message

import "errors"

// Sentinel errors returned (wrapped) by the parsers. Error strings never quote message content.
var (
	// ErrTooLarge means the input is bigger than the size limit; nothing was parsed.
	ErrTooLarge = errors.New("message: too large")
	// ErrTooComplex means the MIME structure exceeds a limit (nesting depth, number of parts,
	// number of header fields). The Message returned with it holds what was parsed before the
	// limit was hit and must not be treated as complete.
	ErrTooComplex = errors.New("message: too complex")
	// ErrMalformed means the input is not recognisable as a message at all.
	ErrMalformed = errors.New("message: malformed")
	// ErrCorrupt means part of the message could not be told apart from the rest (a MIME part
	// whose delimiter or header is damaged). The Message returned with it holds everything
	// that was read, the damaged part as best it could, and must not be treated as complete.
	ErrCorrupt = errors.New("message: corrupt")
)
