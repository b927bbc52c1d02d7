package addin

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestASCII(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"Kære Åse, ø", `K\u00e6re \u00c5se, \u00f8`},
		{"… “quote”", `\u2026 \u201cquote\u201d`},
		{"\u2028", `\u2028`},
		{"😀", `\ud83d\ude00`},
		{"bad \xff byte", `bad \ufffd byte`},
	} {
		if got := string(ASCII([]byte(tt.in))); got != tt.want {
			t.Errorf("ASCII(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The served scripts are pure ASCII and, run by Node, say the same Danish words as the source.
func TestServedScriptsASCII(t *testing.T) {
	js, err := LaunchEventJS(Config{APIBase: "https://sendevagt.example.dk", Version: "prøve"})
	if err != nil {
		t.Fatal(err)
	}
	site, err := Site(Config{}, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"launchevent.js": js, "taskpane.js": site["taskpane.js"], "site launchevent.js": site["launchevent.js"]} {
		for i, c := range b {
			if c >= 0x80 {
				t.Fatalf("%s: non-ASCII byte at %d", name, i)
			}
		}
	}
	bin := node(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "launchevent.js")
	if err := os.WriteFile(file, js, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `const vm=require("vm"),fs=require("fs");const c=vm.createContext({console});` +
		`vm.runInContext(fs.readFileSync(process.argv[1],"latin1"),c);` +
		`process.stdout.write(c.svWhy("unreachable")+"|"+c.svFailText("login","block")+"|"+c.SENDEVAGT_CONFIG.version)`
	out, err := exec.Command(bin, "-e", script, file).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	want := "tjenesten kunne ikke nås|Sendevagt kunne ikke kontrollere mailen, fordi du kunne ikke logges på Sendevagt. Mailen er ikke sendt. Prøv igen om lidt, eller kontakt IT-support, hvis det bliver ved.|prøve"
	if string(out) != want {
		t.Errorf("decoded as windows-1252 the escaped script says\n%s\nwant\n%s", out, want)
	}
	if !strings.Contains(string(js), `Pr\u00f8v igen`) {
		t.Error("the Danish text is not escaped")
	}
}

// FuzzASCII: any input (invalid UTF-8 included) gives pure ASCII, and a JSON document stays the
// same document.
func FuzzASCII(f *testing.F) {
	for _, s := range []string{"", "æøå", "\xff\xfe", "😀\u2028", `{"a":"Prøv"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := ASCII(in)
		for i, c := range out {
			if c >= 0x80 {
				t.Fatalf("non-ASCII byte at %d", i)
			}
		}
		doc, err := json.Marshal(string(in))
		if err != nil {
			t.Fatal(err)
		}
		var a, b string
		if err := json.Unmarshal(doc, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(ASCII(doc), &b); err != nil || a != b {
			t.Fatalf("JSON changed: %q → %q (%v)", a, b, err)
		}
	})
}
