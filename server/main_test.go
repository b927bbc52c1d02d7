package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/report"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// A synthetic letter: Søren Ærbø Østergård and his CPR number are made up.
const letter = `Søren Ærbø Østergård
Damagervej 83
4180 Sorø

Vedr.: Afgørelse om hjælp
CPR-nr.: 010190-1234

Kære Søren Ærbø Østergård

Vi har lagt vægt på din diagnose og din indlæggelse.

Med venlig hilsen

Jonas Fisker
Aarhus Kommune
`

const eml = "From: Jonas Fisker <jonas.fisker@aarhus.dk>\r\n" +
	"To: =?utf-8?q?S=C3=B8ren_=C3=98stergaard?= <soeren.oestergaard@live.dk>\r\n" +
	"Subject: Din sag\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Hej Søren\r\n\r\nDit CPR-nr. 010190-1234 er registreret.\r\n"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestScanCommand(t *testing.T) {
	letterFile := writeFile(t, "Afgørelse.txt", letter)
	emlFile := writeFile(t, "sag.eml", eml)
	badPolicy := writeFile(t, "policy.yaml", "rules:\n  different_citizen: stop\n")
	msgFile := writeFile(t, "sag.msg", string(testgen.OutlookMSG(testgen.MSGSpec{
		Subject: "Afgørelse", SenderName: "Jonas Fisker", SenderEmail: "jonas.fisker@aarhus.dk",
		To:          []testgen.MSGRecipient{{Name: "Patrick Smith", Email: "p.smith@yahoo.dk"}},
		Body:        "Hej Patrick\n\nHermed brevet.\n",
		Attachments: []testgen.MSGAttachment{{Name: "Afgørelse.txt", MIME: "text/plain", Data: []byte(letter)}},
	})))
	brokenMsg := writeFile(t, "broken.msg", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not really")
	okPolicy := writeFile(t, "policy.yaml", "rules:\n  personal_data_unencrypted: warn\n")
	msgData, _ := os.ReadFile(msgFile)
	msgAsEml := writeFile(t, "sag-fra-outlook.eml", string(msgData))
	spacedEml := writeFile(t, "mellemrum.eml", "     \r\n\r\n"+eml)
	headerless := writeFile(t, "noter.eml", letter)
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     []string // substrings
		stderr     []string
		noInStdout []string
	}{
		{"help", []string{"help"}, exitAllow, []string{"Usage", "serve", "token"}, nil, nil},
		{"serve with a bad flag", []string{"serve", "--public-url", "http://insecure"}, exitUsage, nil, []string{"must be an https URL"}, nil},
		{"serve with half the identity settings", []string{"serve", "--client-id", "abc"}, exitUsage, nil, []string{"TENANT_IDS is required"}, nil},
		{"unknown command", []string{"frobnicate"}, exitUsage, nil, []string{"unknown command"}, nil},
		{"scan without files", []string{"scan"}, exitUsage, nil, []string{"no file given"}, nil},
		{"unknown flag", []string{"scan", "--nope", letterFile}, exitUsage, nil, []string{"flag provided but not defined"}, nil},
		{"missing file", []string{"scan", "/no/such/file.eml"}, exitError, nil, []string{"no such file"}, nil},
		{"bad policy names line and field", []string{"scan", "--policy", badPolicy, letterFile}, exitError, nil, []string{"line 2", "rules.different_citizen"}, nil},
		{"letter to the wrong citizen is blocked", []string{"scan", "--json", "--from", "jonas.fisker@aarhus.dk", "--to", "Patrick Smith <p.smith@yahoo.dk>", letterFile},
			exitBlock, []string{`"action":"block"`, `"different_citizen"`, `010190-xxxx`, `"status":"scanned"`}, nil, []string{"010190-1234", "Østergård"}},
		{"letter to its own citizen needs secure mail", []string{"scan", "--json", "--from", "jonas.fisker@aarhus.dk", "--to", "Søren Ærbø Østergård <soeren@live.dk>", letterFile},
			exitSecure, []string{`"action":"secure"`, `"personal_data_unencrypted"`}, nil, nil},
		{"secure subject tag allows it", []string{"scan", "--from", "jonas.fisker@aarhus.dk", "--subject", "Afgørelse [Sikker]", "--to", "Søren Ærbø Østergård <soeren@live.dk>", letterFile},
			exitAllow, []string{"ALLOW"}, nil, nil},
		{"internal recipient", []string{"scan", "--from", "jonas.fisker@aarhus.dk", "--to", "kollega@aarhus.dk", letterFile}, exitAllow, nil, nil, nil},
		{"internal domain flag", []string{"scan", "--from", "jonas.fisker@aarhus.dk", "--internal-domain", "aarhuskommune.dk", "--to", "a@aarhuskommune.dk", letterFile}, exitAllow, nil, nil, nil},
		{"trusted domain flag", []string{"scan", "--from", "jonas.fisker@aarhus.dk", "--trusted-domain", "randers.dk", "--to", "a@randers.dk", letterFile}, exitAllow, nil, nil, nil},
		{"no recipients given means external", []string{"scan", letterFile}, exitSecure, nil, []string{"external recipient"}, nil},
		{"policy file changes the action", []string{"scan", "--policy", okPolicy, "--from", "jonas.fisker@aarhus.dk", "--to", "Søren Ærbø Østergård <soeren@live.dk>", letterFile}, exitWarn, nil, nil, nil},
		{"eml with --show-values", []string{"scan", "--json", "--show-values", emlFile}, exitSecure, []string{`"value":"0101901234"`, `"document":"(mailtekst)"`}, nil, nil},
		{"Outlook .msg with another citizen's letter", []string{"scan", "--json", msgFile}, exitBlock, []string{`"different_citizen"`, `"name":"Afgørelse.txt"`}, nil, nil},
		{"broken .msg gets a verdict, not a crash", []string{"scan", "--json", brokenMsg}, exitWarn, []string{`"action":"warn"`, `"name":"broken.msg"`}, []string{"broken.msg", "scanned as a file"}, nil},
		{"Outlook .msg named .eml", []string{"scan", "--json", msgAsEml}, exitBlock, []string{`"different_citizen"`, `"name":"Afgørelse.txt"`}, nil, nil},
		{"eml starting with a line of spaces", []string{"scan", "--json", spacedEml}, exitSecure, []string{`"document":"(mailtekst)"`}, nil, nil},
		{"headerless text named .eml is read as text", []string{"scan", "--json", "--to", "Patrick Smith <p.smith@yahoo.dk>", headerless}, exitBlock,
			[]string{`"different_citizen"`, `"type":"text"`, `"status":"scanned"`}, []string{"scanned as a file"}, nil},
		{"flags after the file", []string{"scan", emlFile, "--json"}, exitSecure, []string{`"action":"secure"`}, nil, []string{"0101901234"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			wantContains(t, "stdout", stdout, tt.stdout)
			wantContains(t, "stderr", stderr, tt.stderr)
			for _, s := range tt.noInStdout {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout shows %q without --show-values:\n%s", s, stdout)
				}
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", stderr)
			}
		})
	}
}

func TestScanJSONShape(t *testing.T) {
	emlFile := writeFile(t, "sag.eml", eml)
	_, stdout, _ := runCLI(t, "scan", "--json", emlFile)
	var v map[string]any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	for _, k := range []string{"action", "reasons", "documents", "findings"} {
		if _, ok := v[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	f := v["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"kind", "document", "page", "masked", "confidence"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q: %v", k, f)
		}
	}
	if _, ok := f["value"]; ok {
		t.Errorf("finding has a value without --show-values: %v", f)
	}
	// The JSON is the one masked report, field for field.
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var r report.Report
	if err := dec.Decode(&r); err != nil || r.Action == "" || len(r.Findings) == 0 {
		t.Errorf("not a report.Report: %v\n%s", err, stdout)
	}
}

// wantContains reports each of wants that output (named name) lacks.
func wantContains(t *testing.T, name, output string, wants []string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(output, w) {
			t.Errorf("%s lacks %q:\n%s", name, w, output)
		}
	}
}
