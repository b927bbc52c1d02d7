package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MinKeyLen is the shortest key NewHasher accepts, in bytes.
const MinKeyLen = 32

// ErrShortKey is returned by NewHasher for a key shorter than MinKeyLen.
var ErrShortKey = errors.New("audit: hash key too short")

// Hasher computes keyed hashes (HMAC-SHA256) of identifiers such as CPR numbers, so the audit can
// answer "was this citizen's data sent?" without storing the number. The hash is keyed with the
// installation's secret on purpose: there are only about 3.6e9 CPR numbers, so a plain hash in a
// stolen database could be reversed by trying them all; without the key it cannot. Keep the key
// out of the database and its backups, and keep it stable: a new key makes old hashes
// unsearchable. A Hasher is safe for concurrent use.
type Hasher struct {
	key []byte
}

// NewHasher returns a Hasher with a copy of key, which must be at least MinKeyLen bytes of
// secret random data.
func NewHasher(key []byte) (*Hasher, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("%w: %d bytes, need at least %d", ErrShortKey, len(key), MinKeyLen)
	}
	return &Hasher{key: append([]byte(nil), key...)}, nil
}

// Hash returns the lower-case hex HMAC-SHA256 of kind + 0x00 + the normalized value. The kind
// ("cpr", "person", ...) is trimmed and lower-cased. A "cpr" value is reduced to its digits, so
// "010190-1234", "010190 1234" and "0101901234" hash alike; any other value is NFC-normalized,
// lower-cased and its whitespace collapsed to single spaces.
func (h *Hasher) Hash(kind, value string) string {
	kind = strings.ToLower(strings.TrimSpace(kind))
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(normalizeValue(kind, value)))
	return hex.EncodeToString(mac.Sum(nil))
}

// String keeps the key out of logs and %v.
func (h *Hasher) String() string { return "audit.Hasher{key:redacted}" }

// GoString keeps the key out of %#v.
func (h *Hasher) GoString() string { return h.String() }

func normalizeValue(kind, value string) string {
	if kind == "cpr" {
		var b strings.Builder
		for i := 0; i < len(value); i++ {
			if c := value[i]; c >= '0' && c <= '9' {
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	return strings.Join(strings.FieldsFunc(strings.ToLower(norm.NFC.String(value)), unicode.IsSpace), " ")
}

// isHash tells whether s has the form Hash produces: 64 lower-case hex digits.
func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
