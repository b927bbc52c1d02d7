package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeAndMessage(t *testing.T) {
	cause := errors.New("dial tcp: connection refused")
	tests := []struct {
		name          string
		err           error
		code, message string
	}{
		{"plain error", cause, Internal, "internal error"},
		{"error", Errorf(Invalid, "bad %s", "body"), Invalid, "bad body"},
		{"wrapped twice", fmt.Errorf("handler: %w", Wrap(Unavailable, cause, "database down")), Unavailable, "database down"},
		{"nil message", &Error{Code: TooLarge}, TooLarge, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := MessageOf(tt.err); got != tt.message {
				t.Errorf("MessageOf = %q, want %q", got, tt.message)
			}
		})
	}
	if !errors.Is(Wrap(Unavailable, cause, "x"), cause) {
		t.Error("Wrap does not unwrap to its cause")
	}
}
