package audit

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// NewID returns a new random scan id: 128 random bits as 26 lower-case base32 characters
// (a–z, 2–7). Its digits are only 2–7, so it can never look like a CPR number (no month
// 01–12) and ValidateEvent never refuses it.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (it crashes the program instead)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}
