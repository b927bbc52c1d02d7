package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/addin"
	"github.com/sendevagt/sendevagt/manifest"
)

// clearManifestEnv keeps the caller's environment out of the manifest command's tests.
func clearManifestEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{"public-url", "client-id", "send-mode", "manifest-id", "manifest-version", "manifest-provider", "addin-url"} {
		t.Setenv(envVar(name), "")
	}
}

func TestManifestCommand(t *testing.T) {
	clearManifestEnv(t)
	const u = "https://sendevagt.kommune.dk"
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"defaults", []string{"manifest", "--public-url", u}, exitAllow,
			[]string{`xsi:type="MailApp"`, `SendMode="SoftBlock"`, "<Version>1.0.0.0</Version>", "<ProviderName>Sendevagt</ProviderName>",
				"<Id>" + manifest.DefaultID(u) + "</Id>", u + "/addin/launchevent.js"}, nil},
		{"all flags", []string{"manifest", "--public-url", u + ":8443/", "--client-id", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
			"--send-mode", "promptUser", "--id", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "--version", "1.2.0.0", "--provider", "Aarhus Kommune & IT"}, exitAllow,
			[]string{`SendMode="PromptUser"`, "<Id>6f9619ff-8b86-d011-b42d-00c04fc964ff</Id>", "<Version>1.2.0.0</Version>",
				"<ProviderName>Aarhus Kommune &amp; IT</ProviderName>", "<Resource>api://sendevagt.kommune.dk:8443/3f2504e0-4f89-11d3-9a0c-0305e82c3301</Resource>",
				"https://sendevagt.kommune.dk:8443/addin/commands.html"}, nil},
		{"Block", []string{"manifest", "--public-url", u, "--send-mode", "Block"}, exitAllow, []string{`SendMode="Block"`}, nil},
		{"help", []string{"manifest", "-h"}, exitAllow, nil, []string{"Usage: sendevagt manifest", "SENDEVAGT_PUBLIC_URL", "SENDEVAGT_MANIFEST_ID", "SENDEVAGT_MANIFEST_VERSION"}},
		{"no public URL", []string{"manifest"}, exitUsage, nil, []string{"--public-url (or SENDEVAGT_PUBLIC_URL) is required"}},
		{"http public URL", []string{"manifest", "--public-url", "http://sendevagt.kommune.dk"}, exitUsage, nil, []string{"must be an https URL"}},
		{"public URL with a path", []string{"manifest", "--public-url", u + "/sendevagt"}, exitUsage, nil, []string{"without a path"}},
		{"bad send mode", []string{"manifest", "--public-url", u, "--send-mode", "Hard"}, exitUsage, nil, []string{`send mode "Hard"`}},
		{"bad version", []string{"manifest", "--public-url", u, "--version", "2"}, exitUsage, nil, []string{"four numeric parts"}},
		{"bad id", []string{"manifest", "--public-url", u, "--id", "sendevagt"}, exitUsage, nil, []string{"not a GUID"}},
		{"bad client id", []string{"manifest", "--public-url", u, "--client-id", "api://x"}, exitUsage, nil, []string{"client id"}},
		{"unknown flag", []string{"manifest", "--public-url", u, "--nope"}, exitUsage, nil, []string{"flag provided but not defined"}},
		{"stray argument", []string{"manifest", "--public-url", u, "manifest.xml"}, exitUsage, nil, []string{`unexpected argument "manifest.xml"`}},
		{"unwritable output", []string{"manifest", "--public-url", u, "-o", filepath.Join(t.TempDir(), "no", "such", "dir", "manifest.xml")}, exitError, nil, []string{"no such file"}},
		{"listed in help", []string{"help"}, exitAllow, []string{"sendevagt manifest"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.code, stderr)
			}
			wantContains(t, "stdout", stdout, tt.stdout)
			wantContains(t, "stderr", stderr, tt.stderr)
			if code != exitAllow && stdout != "" {
				t.Errorf("stdout on failure:\n%s", stdout)
			}
			if code == exitAllow && len(tt.args) > 1 && tt.args[1] != "-h" {
				origin, _ := manifest.Origin(argAfter(tt.args, "--public-url"))
				wk, _ := manifest.WellKnown(origin)
				if errs := manifest.Check([]byte(stdout), manifest.Expect{Origin: origin, Associated: addin.AssociatedNames(), WellKnown: wk}); len(errs) > 0 {
					t.Errorf("written manifest fails Check: %v", errors.Join(errs...))
				}
			}
		})
	}
}

func argAfter(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// Every flag but -o can come from the environment; a flag wins over its variable.
func TestManifestFromEnvironment(t *testing.T) {
	clearManifestEnv(t)
	t.Setenv("SENDEVAGT_PUBLIC_URL", "https://sendevagt.aarhus.dk")
	t.Setenv("SENDEVAGT_CLIENT_ID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
	t.Setenv("SENDEVAGT_SEND_MODE", "block")
	t.Setenv("SENDEVAGT_MANIFEST_ID", "6f9619ff-8b86-d011-b42d-00c04fc964ff")
	t.Setenv("SENDEVAGT_MANIFEST_VERSION", "1.0.3.0")
	t.Setenv("SENDEVAGT_MANIFEST_PROVIDER", "Aarhus Kommune")

	code, stdout, stderr := runCLI(t, "manifest")
	if code != exitAllow {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{`SendMode="Block"`, "<Id>6f9619ff-8b86-d011-b42d-00c04fc964ff</Id>", "<Version>1.0.3.0</Version>",
		"<ProviderName>Aarhus Kommune</ProviderName>", "<Id>3f2504e0-4f89-11d3-9a0c-0305e82c3301</Id>", "https://sendevagt.aarhus.dk/addin/"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("manifest lacks %q", s)
		}
	}

	code, stdout, stderr = runCLI(t, "manifest", "--public-url", "https://sendevagt.kommune.dk", "--send-mode", "SoftBlock", "--version", "1.0.4.0")
	if code != exitAllow {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{`SendMode="SoftBlock"`, "<Version>1.0.4.0</Version>", "https://sendevagt.kommune.dk/addin/"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("flag did not win over its variable: manifest lacks %q", s)
		}
	}
	if strings.Contains(stdout, "sendevagt.aarhus.dk") {
		t.Error("the environment's public URL leaked past --public-url")
	}

	t.Setenv("SENDEVAGT_SEND_MODE", "Hard")
	if code, _, stderr := runCLI(t, "manifest"); code != exitUsage || !strings.Contains(stderr, `send mode "Hard"`) {
		t.Errorf("bad SENDEVAGT_SEND_MODE: exit %d, %s", code, stderr)
	}
}

// -o writes the same bytes standard output gets, and runs are reproducible.
func TestManifestOutputFile(t *testing.T) {
	clearManifestEnv(t)
	args := []string{"manifest", "--public-url", "https://sendevagt.kommune.dk", "--client-id", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"}
	_, first, _ := runCLI(t, args...)
	_, second, _ := runCLI(t, args...)
	if first == "" || first != second {
		t.Fatal("two runs with the same flags print different manifests")
	}
	out := filepath.Join(t.TempDir(), "manifest.xml")
	code, stdout, stderr := runCLI(t, append(args, "-o", out)...)
	if code != exitAllow {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout with -o: %s", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != first {
		t.Error("the file differs from standard output")
	}
	if !strings.Contains(stderr, out) {
		t.Errorf("stderr does not name the file: %s", stderr)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("temporary files left beside the manifest: %v", entries)
	}
}

// A manifest that does not match the add-in is refused with every problem listed, and nothing
// is written.
func TestManifestRefusesFailingCheck(t *testing.T) {
	clearManifestEnv(t)
	old := manifestAssociated
	manifestAssociated = func() []string { return []string{"onMessageSendHandler"} }
	t.Cleanup(func() { manifestAssociated = old })

	out := filepath.Join(t.TempDir(), "manifest.xml")
	code, stdout, stderr := runCLI(t, "manifest", "--public-url", "https://sendevagt.kommune.dk", "-o", out)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	for _, s := range []string{"refusing", "4 problem(s)", `"onAppointmentSendHandler" is not associated`, `"onAttachmentsChangedHandler" is not associated`, `"onRecipientsChangedHandler" is not associated`} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("stdout: %s", stdout)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused manifest was written (%v)", err)
	}
}
