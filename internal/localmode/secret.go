package localmode

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AuditKeyFile holds local mode's audit key in the data directory.
const AuditKeyFile = "audit-hmac.key"

// AuditKey returns the audit's HMAC key kept in dir, making a random one the first time. A
// damaged file is an error, never replaced: without the key earlier hashes cannot be searched.
func AuditKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, AuditKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("%s is damaged: restore it from backup (without it, earlier audit hashes cannot be searched)", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return k, writePrivate(path, []byte(hex.EncodeToString(k)+"\n"))
}

// writePrivate writes a secret file atomically with mode 0600.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
