package testgen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// WriteSet writes messages as a labelled set in the layout of the example corpus: cases/NAME.eml
// and cases.jsonl with one label a line ({"file", "action", "cprs", "scenario", "why"}; the
// scenario is the class), so that whatever scores the corpus can score a generated set
// (SENDEVAGT_CORPUS=dir).
func WriteSet(dir string, msgs []Message) error {
	if err := os.MkdirAll(filepath.Join(dir, "cases"), 0o755); err != nil {
		return fmt.Errorf("testgen: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "cases.jsonl"))
	if err != nil {
		return fmt.Errorf("testgen: %w", err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for _, m := range msgs {
		file := "cases/" + m.Name
		if err := os.WriteFile(filepath.Join(dir, file), m.EML, 0o644); err != nil {
			return fmt.Errorf("testgen: %w", err)
		}
		cprs := m.Label.CPRs
		if cprs == nil {
			cprs = []string{}
		}
		line := struct {
			File     string   `json:"file"`
			Action   string   `json:"action"`
			CPRs     []string `json:"cprs"`
			Scenario string   `json:"scenario"`
			Why      string   `json:"why"`
		}{file, m.Label.Action, cprs, m.Label.Class, m.Label.Why}
		if err := enc.Encode(line); err != nil {
			return fmt.Errorf("testgen: %w", err)
		}
	}
	return f.Close()
}
