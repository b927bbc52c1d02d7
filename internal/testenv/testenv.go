// Package testenv is the one place the tests decide what to do when an optional dependency is
// missing: the labelled corpus beside the checkout, Node.js and acorn, Chromium, the OCR tools,
// PostgreSQL. On a developer's machine (a fresh clone, nothing installed) such a test is
// skipped with one clear message; with SENDEVAGT_REQUIRE_<NAME>=1 (or SENDEVAGT_REQUIRE_ALL=1)
// the same test fails instead, which is how CI makes sure nothing it needs was skipped.
package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dependency names: SENDEVAGT_REQUIRE_<name> requires one.
const (
	Corpus   = "CORPUS"   // ../shared/corpus beside the checkout, or $SENDEVAGT_CORPUS
	Node     = "NODE"     // node (and acorn, from npm ci --prefix addin)
	Browser  = "BROWSER"  // chromium
	OCR      = "OCR"      // pdftotext, pdftoppm, tesseract with Danish
	Postgres = "POSTGRES" // PostgreSQL on 127.0.0.1:5432 (or $SENDEVAGT_TEST_POSTGRES_URL)
)

// RequireAll requires every dependency.
const RequireAll = "SENDEVAGT_REQUIRE_ALL"

// CorpusFromRoot is the labelled corpus's path relative to the repository root: the one place
// the tests name it. $SENDEVAGT_CORPUS overrides it.
const CorpusFromRoot = "../shared/corpus"

// CorpusEnv names a corpus elsewhere.
const CorpusEnv = "SENDEVAGT_CORPUS"

// Required tells whether the dependency name must be present (SENDEVAGT_REQUIRE_<name> or
// SENDEVAGT_REQUIRE_ALL set to anything but "", "0" or "false").
func Required(name string) bool {
	return on(os.Getenv("SENDEVAGT_REQUIRE_"+name)) || on(os.Getenv(RequireAll))
}

func on(v string) bool {
	v = strings.TrimSpace(strings.ToLower(v))
	return v != "" && v != "0" && v != "false"
}

// Missing ends the test because the dependency name is not available: a skip with why and how
// to get it, or a failure when the dependency is required.
func Missing(t testing.TB, name, why string) {
	t.Helper()
	if Required(name) {
		t.Fatalf("%s (required: SENDEVAGT_REQUIRE_%s or %s is set)", why, name, RequireAll)
	}
	t.Skipf("skipped: %s (set SENDEVAGT_REQUIRE_%s=1 to make this a failure)", why, name)
}

// CorpusDir returns the labelled corpus directory (holding cases.jsonl and cases/), or ends
// the test through Missing when there is none.
func CorpusDir(t testing.TB) string {
	t.Helper()
	dir, err := FindCorpus()
	if err != nil {
		Missing(t, Corpus, "the labelled corpus is not available: "+err.Error()+
			" (put ../shared beside the checkout or set "+CorpusEnv+")")
	}
	return dir
}

// FindCorpus returns the labelled corpus directory, or an error when there is none (for seeds
// that are used only when present).
func FindCorpus() (string, error) {
	dir := os.Getenv(CorpusEnv)
	if dir == "" {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, filepath.FromSlash(CorpusFromRoot))
	}
	if _, err := os.Stat(filepath.Join(dir, "cases.jsonl")); err != nil {
		return "", err
	}
	return dir, nil
}

// RepoRoot is the directory holding the module's go.mod, found upwards from the working
// directory (a test runs in its package's directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
