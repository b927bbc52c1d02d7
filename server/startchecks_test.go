package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/localmode"
)

// Issue 13: outside local mode the audit key must come from outside the data directory, and a
// data directory others can write to is refused. Each case must stop the start with a message
// naming the problem, before anything listens.
func TestServeRefusesUnsafeStart(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("synthetic-audit-key-0123456789abcdef"))
	production := map[string]string{
		"SENDEVAGT_TENANT_IDS": "6f1d2c3b-0000-4000-8000-00000000000a", "SENDEVAGT_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
		"SENDEVAGT_AUTH_JWKS_URL": "https://127.0.0.1:1/keys",
	}
	tests := []struct {
		name    string
		env     map[string]string
		prepare func(t *testing.T, dir string)
		want    string
	}{
		{"production without a key", production, nil, "SENDEVAGT_HMAC_KEY is required outside local mode"},
		{"production with only the key file of local mode", production, func(t *testing.T, dir string) {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, localmode.AuditKeyFile), []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "SENDEVAGT_HMAC_KEY is required outside local mode"},
		{"world-writable data directory", map[string]string{"SENDEVAGT_HMAC_KEY": key}, func(t *testing.T, dir string) {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}, "writable by other users"},
		{"world-writable spool directory", nil, func(t *testing.T, dir string) {
			if err := os.MkdirAll(filepath.Join(dir, "audit-spool"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, "audit-spool"), 0o777); err != nil {
				t.Fatal(err)
			}
		}, "writable by other users"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if tc.prepare != nil {
				tc.prepare(t, dir)
			}
			t.Setenv("SENDEVAGT_ADDR", "127.0.0.1:0")
			t.Setenv("SENDEVAGT_DATA_DIR", dir)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr lockedBuffer
			code := run(ctx, nil, &stdout, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("serve exited %d, stderr %q; want a failure saying %q", code, stderr.String(), tc.want)
			}
			if strings.Contains(stdout.String(), "listening on") {
				t.Error("serve listened")
			}
		})
	}
}
