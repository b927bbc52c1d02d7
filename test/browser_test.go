package test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/testenv"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// chromiumPath finds Debian's chromium (or another Chrome) for the browser tests: skipped on a
// developer's machine without one, a failure in CI (SENDEVAGT_REQUIRE_BROWSER=1).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, testenv.Browser, "chromium not found: the admin page's browser tests need it (apt-get install chromium)")
	return ""
}

// browser is a headless Chromium at 1280x800 driven over the DevTools protocol.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string // screenshot directory
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("ignore-certificate-errors", true), // the service's self-signed local certificate
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "da-DK"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	dir := os.Getenv("SENDEVAGT_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: ctx, shots: dir}
}

// run runs actions, failing the test with what it was doing.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

// value runs one action that returns a value.
func value[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

func (b *browser) fail(what string, err error) {
	b.t.Helper()
	url, _ := chromedp.Run(b.ctx, chromedp.Location())
	body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
	b.t.Fatalf("%s: %v (at %s)\n%.2000s", what, err, url, body)
}

// screenshot saves the 1280x800 viewport as name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	buf := value(b, "screenshot "+name, chromedp.CaptureScreenshot()) // the 1280x800 viewport, PNG
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}

// waitURL waits until the page's address contains s.
func (b *browser) waitURL(s string) {
	b.t.Helper()
	var loc string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if loc, _ = chromedp.Run(b.ctx, chromedp.Location()); strings.Contains(loc, s) {
			return
		}
	}
	b.t.Fatalf("the browser is at %s, want an address containing %q", loc, s)
}

// text returns the visible text of the page's main element.
func (b *browser) text() string {
	return value(b, "read the page", chromedp.Text(chromedp.CSS("main")))
}

// signInLink reads the local one-time sign-in link from the service's banner.
func signInLink(t *testing.T, s *service) string {
	t.Helper()
	re := regexp.MustCompile(`(https://\S+/admin/login/local\?token=\S+)`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := re.FindStringSubmatch(s.stdout.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no sign-in link in the banner:\n%s", s.stdout.String())
	return ""
}

// TestAdminInBrowser drives the admin page in a real headless Chromium against the real binary
// in local mode: sign in with the one-time link, change the policy and see the new version
// decide a scan, roll back, run the test console on a generated message, filter the audit, look at
// the false-alarm reports and import the citizen directory. Every page is photographed at
// 1280x800 (SENDEVAGT_SCREENSHOT_DIR keeps them; a temporary directory otherwise).
func TestAdminInBrowser(t *testing.T) {
	b := newBrowser(t)
	// Generated messages (synthetic citizens): a letter about its recipient, not sent as secure
	// mail (secure under the default policy), and a letter about another citizen (block).
	own := generated(t, testgen.ClassOwnPlain, "secure")
	wrong := generated(t, testgen.ClassWrongCitizen, "block")
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	base := "https://localhost:" + port
	svc := startService(t, nil, "", "SENDEVAGT_ADDR="+addr, "SENDEVAGT_PUBLIC_URL="+base, "SENDEVAGT_POLICY_POLL=300ms")
	token := localToken(t, svc, base)
	ownMsg, err := message.Parse(own.EML)
	if err != nil {
		t.Fatal(err)
	}
	ownLetter := inlineRequest(ownMsg)
	scan := func() *onsendResponse {
		t.Helper()
		status, resp, raw, err := svc.post(context.Background(), token, mustJSON(t, ownLetter))
		if err != nil || status != 200 {
			t.Fatalf("scan: %d %v %s", status, err, raw)
		}
		return resp
	}
	// waitFor scans until the policy in force gives want (policies are re-read every 300 ms).
	waitFor := func(want string) *onsendResponse {
		t.Helper()
		var r *onsendResponse
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if r = scan(); r.Action == want {
				return r
			}
		}
		t.Fatalf("the scan still gives %s, want %s (policy version %d)", r.Action, want, r.PolicyVersion)
		return nil
	}
	waitFor("secure")

	// Sign in with the one-time link from the banner.
	b.run("sign in", chromedp.Navigate(signInLink(t, svc)), chromedp.WaitVisible(chromedp.CSS("nav[aria-label=Hovedmenu]")))
	if txt := b.text(); !strings.Contains(txt, "Oversigt") {
		t.Fatalf("after sign-in: %s", txt)
	}
	b.screenshot("01-oversigt")

	// Keyboard: the first Tab reaches the skip link.
	b.run("tab", chromedp.KeyEvent("\t"))
	if active := value(b, "focus", chromedp.Evaluate[string]("document.activeElement.textContent")); !strings.Contains(active, "Gå til indhold") {
		t.Errorf("first Tab focuses %q, want the skip link", active)
	}

	// Change the policy: personal data without secure mail is now blocked.
	b.run("open the policy", chromedp.Navigate(base+"/admin/policy"), chromedp.WaitVisible(chromedp.CSS("form.policy-form")))
	b.screenshot("02-politik")
	b.run("change the policy",
		chromedp.SetValue(chromedp.CSS(`select[name="rules.personal_data_unencrypted"]`), "block"),
		chromedp.SetValue(chromedp.CSS(`textarea[name="comment"]`), "Browsertest: bloker personoplysninger uden sikker mail"),
		chromedp.Click(chromedp.CSS(`form.policy-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if txt := b.text(); !strings.Contains(txt, "version 2") {
		t.Fatalf("after saving: %s", txt)
	}
	if r := waitFor("block"); r.PolicyVersion != 2 {
		t.Errorf("blocked under policy version %d, want 2", r.PolicyVersion)
	}

	// The versions, the diff, and a roll-back to version 1.
	b.run("versions", chromedp.Navigate(base+"/admin/policy/versions"), chromedp.WaitVisible(chromedp.CSS("main table")))
	b.screenshot("03-politikversioner")
	b.run("diff", chromedp.Navigate(base+"/admin/policy/versions/2"), chromedp.WaitVisible(chromedp.CSS(".diff")))
	b.screenshot("04-politik-forskel")
	if diff := value(b, "diff", chromedp.Text(chromedp.CSS(".diff"))); !strings.Contains(diff, "+  personal_data_unencrypted: block") ||
		strings.Count(diff, "\n+") > 3 {
		t.Errorf("the diff of version 2 against 1 should show the one changed rule:\n%s", diff)
	}
	b.run("roll back", chromedp.Navigate(base+"/admin/policy/versions"), chromedp.WaitVisible(chromedp.CSS("main table")),
		chromedp.Click(chromedp.CSS(`form[action="/admin/policy/versions/1/restore"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if r := waitFor("secure"); r.PolicyVersion != 3 {
		t.Errorf("after the roll-back the scan ran under version %d, want 3", r.PolicyVersion)
	}

	// The test console on the generated message labelled block.
	wrongFile := filepath.Join(t.TempDir(), wrong.Name)
	if err := os.WriteFile(wrongFile, wrong.EML, 0o600); err != nil {
		t.Fatal(err)
	}
	b.run("console", chromedp.Navigate(base+"/admin/console"), chromedp.WaitVisible(chromedp.CSS("#c-files")),
		chromedp.SetUploadFiles(chromedp.CSS("#c-files"), []string{wrongFile}),
		chromedp.Click(chromedp.CSS(`form[action="/admin/console"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".badge-block")), chromedp.ScrollIntoView(chromedp.CSS(".badge-block")))
	b.screenshot("05-testkonsol")

	// The audit, filtered to blocked verdicts: the console's test scan is left out by default,
	// the API's blocked scan is in.
	b.run("audit", chromedp.Navigate(base+"/admin/audit"), chromedp.WaitVisible(chromedp.CSS("main table")))
	b.screenshot("06-revisionslog")
	b.run("filter", chromedp.SetValue(chromedp.CSS("#f-action"), "block"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/audit"] button[type=submit]`)))
	b.waitURL("action=block")
	b.run("filtered table", chromedp.WaitVisible(chromedp.CSS("main table")))
	rows := value(b, "rows", chromedp.InnerHTML(chromedp.CSS("main table tbody")))
	if !strings.Contains(rows, "badge-block") || strings.Contains(rows, "badge-secure") || strings.Contains(rows, "badge-allow") {
		t.Errorf("filtered audit rows:\n%s", rows)
	}
	b.screenshot("07-revisionslog-filter")
	b.run("detail", chromedp.Click(chromedp.CSS(`main table tbody a[href^="/admin/audit/"]`)), chromedp.WaitVisible(chromedp.CSS("dl.props")))
	b.screenshot("08-revision-detalje")

	// A false alarm reported from the add-in, seen by the DPO.
	last := waitFor("secure")
	body := mustJSON(t, map[string]string{"scanId": last.ScanID, "kind": "false_alarm", "comment": "Borgeren har bedt om det"})
	if code, raw := svc.postPath("/api/v1/feedback", token, body); code != 201 {
		t.Fatalf("feedback: %d %s", code, raw)
	}
	b.run("feedback", chromedp.Navigate(base+"/admin/feedback"), chromedp.WaitVisible(chromedp.CSS("main")))
	if txt := b.text(); !strings.Contains(txt, "Borgeren har bedt om det") {
		t.Errorf("feedback page: %s", txt)
	}
	b.screenshot("09-falske-alarmer")

	// The citizen directory: import a CSV.
	csvFile := filepath.Join(t.TempDir(), "borgere.csv")
	csv := "email;cpr;navn\nkaren.olsen@gmail.com;010190-1234;Karen Olsen\nugyldig-adresse;0101901234;Anders And\n"
	if err := os.WriteFile(csvFile, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	b.run("directory", chromedp.Navigate(base+"/admin/directory"), chromedp.WaitVisible(chromedp.CSS("#dir-file")),
		chromedp.SetUploadFiles(chromedp.CSS("#dir-file"), []string{csvFile}),
		chromedp.Click(chromedp.CSS(`form[action="/admin/directory/import"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#report-h")))
	if txt := b.text(); !strings.Contains(txt, "1 række") || strings.Contains(txt, "010190-1234") {
		t.Errorf("directory import report: %s", txt)
	}
	b.screenshot("10-borgerregister")

	// Sign out: the pages ask for sign-in again.
	b.run("sign out", chromedp.Navigate(base+"/admin/"), chromedp.WaitVisible(chromedp.CSS("nav[aria-label=Hovedmenu]")),
		chromedp.Click(chromedp.CSS(`form[action="/admin/logout"] button`)))
	b.waitURL("/admin/login")
	b.run("sign-in page", chromedp.WaitVisible(chromedp.CSS("main")))
	b.screenshot("11-log-ind")
	b.run("a page after sign-out", chromedp.Navigate(base+"/admin/audit"))
	b.waitURL("/admin/login?next=")
}

// localToken is a development token from the service's data directory (local mode).
func localToken(t *testing.T, s *service, publicURL string) string {
	t.Helper()
	out, err := exec.Command(binPath, "token", "--data-dir", s.dataDir, "--public-url", publicURL).Output()
	if err != nil {
		t.Fatalf("sendevagt token: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// generated is a generated message of class, which the generator labels action.
func generated(t *testing.T, class, action string) testgen.Message {
	t.Helper()
	m := testgen.MessagesOf([]string{class}, 1, 1707)[0]
	if m.Label.Action != action {
		t.Fatalf("the generated %s message is labelled %s, want %s", class, m.Label.Action, action)
	}
	return m
}
