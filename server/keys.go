package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/sendevagt/sendevagt/internal/localmode"
	"github.com/sendevagt/sendevagt/internal/privdir"
)

// ensureDataDir creates the data directory, private to the service's user, and refuses one
// that belongs to another user or that others can write to (see privdir).
func ensureDataDir(dir string) error {
	if err := privdir.Ensure(dir); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	return nil
}

// errNoHMACKey: outside local mode the audit key must come from outside the data directory.
var errNoHMACKey = errors.New("SENDEVAGT_HMAC_KEY is required outside local mode: give the audit key (32 random bytes, base64) " +
	"from a secret store; it must not be kept in the data directory beside the hashes it protects")

// auditKey returns the HMAC key for the audit's keyed hashes: from configuration (base64, from a
// secret store), or, in local mode only, a random key kept in the data directory. Outside local
// mode a missing key refuses the start: a key in the data directory would let a copy of that
// directory reverse every hash in it. Replicas must be given the same key.
func auditKey(configured, dir string, local bool) ([]byte, error) {
	if configured != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(configured))
		if err != nil {
			return nil, fmt.Errorf("SENDEVAGT_HMAC_KEY is not base64: %w", err)
		}
		if len(k) < 32 {
			return nil, errors.New("SENDEVAGT_HMAC_KEY must be at least 32 bytes")
		}
		return k, nil
	}
	if !local {
		return nil, errNoHMACKey
	}
	return localmode.AuditKey(dir)
}
