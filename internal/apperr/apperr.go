// Package apperr is the one error type of the service: a code that says what kind of failure it
// is, and a short message that is safe to show a caller (no content, no token, no stack). Other
// packages wrap their own errors in it; package web maps the codes to HTTP status in one place.
package apperr

import (
	"errors"
	"fmt"
)

// Codes. Each maps to one HTTP status in package web.
const (
	Invalid      = "invalid"      // the request is malformed (400)
	Unauthorized = "unauthorized" // no or a bad token (401)
	Forbidden    = "forbidden"    // authenticated, but not allowed (403)
	NotFound     = "not_found"    // (404)
	TooLarge     = "too_large"    // the request body is over the limit (413)
	Timeout      = "timeout"      // the request body did not arrive in time (408)
	Overloaded   = "overloaded"   // no capacity now; try again shortly (503)
	Unavailable  = "unavailable"  // a dependency is down (503)
	Internal     = "internal"     // a bug or an unexpected failure (500)
)

// Error is a failure with a code and a message for the caller. Err, if set, is the cause; it is
// logged but never shown.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error with code and message whose cause is err.
func Wrap(code string, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// CodeOf returns the code of the first Error in err's chain, or Internal.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the caller-safe message of the first Error in err's chain, or a generic one.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "internal error"
}
