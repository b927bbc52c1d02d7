package auth

import (
	"errors"
	"testing"
)

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"Bearer abc.def.ghi", "abc.def.ghi", true},
		{"bearer abc.def.ghi", "abc.def.ghi", true},
		{"BEARER  abc.def.ghi ", "abc.def.ghi", true},
		{"", "", false},
		{"   ", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Bearerabc", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearer abc def", "", false},
		{"Token abc", "", false},
	}
	for _, tt := range tests {
		got, err := BearerToken(tt.header)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("BearerToken(%q) = %q, %v; want %q", tt.header, got, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidToken) || got != "" {
			t.Errorf("BearerToken(%q) = %q, %v; want ErrInvalidToken", tt.header, got, err)
		}
	}
}
