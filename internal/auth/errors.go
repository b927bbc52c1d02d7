package auth

import "errors"

// ErrInvalidToken is wrapped by every rejection of a token. The error's message is
// "invalid token: <reason>" with a short reason that is safe to show a caller ("expired", "wrong
// audience", "unknown signing key", "tenant not allowed", "missing scope access_as_user", ...); it
// never contains the token.
var ErrInvalidToken = errors.New("invalid token")

// ErrInsufficientScope is wrapped, besides ErrInvalidToken, when an otherwise valid token lacks
// the required delegated scope (including app-only tokens, which carry roles instead).
var ErrInsufficientScope = errors.New("insufficient scope")

// ErrNoKeys is returned by Validator.Ready while no signing key has been loaded yet.
var ErrNoKeys = errors.New("no token signing keys loaded")

// ValidationError is the error of a rejected token. Its message is only the safe reason; the
// underlying cause (from the JWT or key set library, never containing the token) is available
// through errors.Unwrap / errors.Is / errors.As for logs.
type ValidationError struct {
	// Reason is short, lower case and safe to show a caller.
	Reason string
	kind   error // ErrInvalidToken, or ErrInsufficientScope as well
	cause  error
}

func (e *ValidationError) Error() string { return "invalid token: " + e.Reason }

// Unwrap returns ErrInvalidToken, ErrInsufficientScope when it applies, and the cause.
func (e *ValidationError) Unwrap() []error {
	errs := []error{ErrInvalidToken}
	if e.kind != nil && e.kind != ErrInvalidToken {
		errs = append(errs, e.kind)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

func reject(reason string, cause error) error {
	return &ValidationError{Reason: reason, cause: cause}
}

func rejectScope(reason string) error {
	return &ValidationError{Reason: reason, kind: ErrInsufficientScope}
}
