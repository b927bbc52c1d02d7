// Command vulncheck reads `govulncheck -json` on stdin and fails (exit 1) when a vulnerability
// is reachable from the project's code (a finding whose trace reaches a function) and is not
// listed, with the reason it does not apply, in the allow file given as the argument. It prints
// one line per reachable finding. Imported-but-unreached findings are counted, not failed.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type message struct {
	Finding *struct {
		OSV          string `json:"osv"`
		FixedVersion string `json:"fixed_version"`
		Trace        []struct {
			Module   string `json:"module"`
			Version  string `json:"version"`
			Package  string `json:"package"`
			Function string `json:"function"`
		} `json:"trace"`
	} `json:"finding"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: govulncheck -json ./... | vulncheck ALLOWFILE")
		os.Exit(2)
	}
	allowed, err := readAllow(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulncheck:", err)
		os.Exit(2)
	}
	reachable := map[string]string{} // id → module@version, fixed
	unreached := map[string]bool{}
	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "vulncheck: reading govulncheck's output:", err)
			os.Exit(2)
		}
		f := m.Finding
		if f == nil || len(f.Trace) == 0 {
			continue
		}
		if f.Trace[0].Function == "" {
			unreached[f.OSV] = true
			continue
		}
		fixed := f.FixedVersion
		if fixed == "" {
			fixed = "no fix"
		}
		reachable[f.OSV] = fmt.Sprintf("%s@%s (fixed: %s)", f.Trace[0].Module, f.Trace[0].Version, fixed)
	}
	ids := make([]string, 0, len(reachable))
	for id := range reachable {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	failed := 0
	for _, id := range ids {
		if why, ok := allowed[id]; ok {
			fmt.Printf("reachable, allowed: %s %s: %s\n", id, reachable[id], why)
			continue
		}
		fmt.Printf("REACHABLE: %s %s\n", id, reachable[id])
		failed++
	}
	for id := range unreached {
		delete(unreached, id)
		if _, ok := reachable[id]; !ok {
			unreached[id] = true
		}
	}
	fmt.Printf("vulncheck: %d reachable (%d not allowed), %d more in code that is not reached\n", len(ids), failed, len(unreached))
	if failed > 0 {
		os.Exit(1)
	}
}

// readAllow reads "ID reason..." lines; '#' starts a comment. Every entry needs a reason.
func readAllow(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, why, _ := strings.Cut(line, " ")
		if strings.TrimSpace(why) == "" {
			return nil, fmt.Errorf("%s:%d: %s has no reason", path, i+1, id)
		}
		out[id] = strings.TrimSpace(why)
	}
	return out, nil
}
