package privdir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestEnsure(t *testing.T) {
	tests := []struct {
		name     string
		mode     os.FileMode // of a pre-created directory; 0: not created
		wantErr  bool
		wantMode os.FileMode
	}{
		{"created", 0, false, 0o700},
		{"private", 0o700, false, 0o700},
		{"readable by others is made private", 0o755, false, 0o700},
		{"world-writable", 0o777, true, 0o777},
		{"group-writable", 0o770, true, 0o770},
		{"world-writable with sticky bit", 0o1777, true, 0o777},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if tc.mode != 0 {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, tc.mode|map[bool]os.FileMode{true: os.ModeSticky}[tc.mode&0o1000 != 0]); err != nil {
					t.Fatal(err)
				}
			}
			err := Ensure(dir)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Ensure: %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && !errors.Is(err, ErrNotPrivate) {
				t.Errorf("error %v does not wrap ErrNotPrivate", err)
			}
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tc.wantMode {
				t.Errorf("mode %#o, want %#o", fi.Mode().Perm(), tc.wantMode)
			}
		})
	}
}

func TestEnsureRefusesAFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(p); err == nil {
		t.Error("Ensure(a file) succeeded")
	}
}
