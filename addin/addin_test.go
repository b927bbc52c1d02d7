package addin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testenv"
)

// node finds Node for the add-in's JavaScript tests: skipped on a developer's machine without
// it, a failure in CI (SENDEVAGT_REQUIRE_NODE=1).
func node(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, testenv.Node, "node not found: the add-in's JavaScript tests need Node.js 20+")
	}
	return p
}

// acorn tells whether the syntax checker's parser is installed (npm ci in addin/).
func acorn(t *testing.T) bool {
	t.Helper()
	if _, err := os.Stat(filepath.Join("node_modules", "acorn", "package.json")); err == nil {
		return true
	}
	if testenv.Required(testenv.Node) {
		t.Fatal("addin/node_modules/acorn is missing: run `npm ci --prefix addin` (CI does)")
	}
	return false
}

// TestJavaScript runs the add-in's Node tests (node --test, no framework): the on-send handler
// against a fake Office API on every verdict path, and the ECMAScript 2016 syntax check.
func TestJavaScript(t *testing.T) {
	bin := node(t)
	files, err := filepath.Glob(filepath.Join("test", "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no JavaScript tests found in addin/test (%v)", err)
	}
	if !acorn(t) {
		kept := files[:0]
		for _, f := range files {
			if !strings.HasPrefix(filepath.Base(f), "syntax") {
				kept = append(kept, f)
			}
		}
		files = kept
		t.Log("acorn not installed (npm ci --prefix addin): the syntax check is skipped here; CI runs it")
	}
	cmd := exec.Command(bin, append([]string{"--test", "--test-reporter=spec"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
}

// TestServedScriptIsES2016 checks launchevent.js as the service serves it (with its rendered
// configuration line) against the same ECMAScript 2016 rules as the source file.
func TestServedScriptIsES2016(t *testing.T) {
	bin := node(t)
	if !acorn(t) {
		testenv.Missing(t, testenv.Node, "acorn not installed (npm ci --prefix addin): the ES2016 syntax check needs it")
	}
	js, err := LaunchEventJS(Config{APIBase: "https://sendevagt.kommune.dk", ClientID: "0e7c5b1a-1d2e-4f30-9a8b-7c6d5e4f3a2b",
		APIScope: "api://sendevagt.kommune.dk/0e7c5b1a-1d2e-4f30-9a8b-7c6d5e4f3a2b/access_as_user", FailMode: "block",
		BudgetMs: 4000, Graph: true, MaxInlineBytes: 25 << 20, MaxAttachmentBytes: 35 << 20, Version: "test\u2028line"})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "launchevent.js")
	if err := os.WriteFile(f, js, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, filepath.Join("test", "check-syntax.mjs"), f).CombinedOutput(); err != nil {
		t.Fatalf("the served launchevent.js is not ES2016: %v\n%s", err, out)
	}
}

func TestLaunchEventConfigLine(t *testing.T) {
	js, err := LaunchEventJS(Config{APIBase: "https://a.example", FailMode: "warn"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(js)
	if strings.Count(s, "var SENDEVAGT_CONFIG = ") != 1 || !strings.Contains(s, `"apiBase":"https://a.example"`) ||
		!strings.Contains(s, `"taskpaneCommandId":"`+TaskpaneCommandID+`"`) {
		t.Errorf("config line not rendered:\n%s", firstLine(s, "SENDEVAGT_CONFIG"))
	}
	names := AssociatedNames()
	for _, want := range []string{"onAttachmentsChangedHandler", "onMessageSendHandler", "onRecipientsChangedHandler"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("launchevent.js does not associate %s (has %v)", want, names)
		}
	}
	for _, page := range []string{"commands.html", "taskpane.html"} {
		with, _ := Page(page, true)
		without, _ := Page(page, false)
		if !strings.Contains(string(with), `src="msal-browser.min.js"`) || strings.Contains(string(without), "msal-browser") {
			t.Errorf("%s: MSAL marker not rendered", page)
		}
	}
}

func firstLine(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
