package testenv

import "testing"

func TestRequired(t *testing.T) {
	tests := []struct {
		one, all string
		want     bool
	}{
		{"", "", false},
		{"1", "", true},
		{"true", "", true},
		{"0", "", false},
		{"false", "", false},
		{"", "1", true},
		{"0", "1", true},
	}
	for _, tc := range tests {
		t.Setenv("SENDEVAGT_REQUIRE_NODE", tc.one)
		t.Setenv(RequireAll, tc.all)
		if got := Required(Node); got != tc.want {
			t.Errorf("REQUIRE_NODE=%q REQUIRE_ALL=%q: Required = %v, want %v", tc.one, tc.all, got, tc.want)
		}
	}
}

func TestCorpusDirMissing(t *testing.T) {
	t.Setenv(CorpusEnv, t.TempDir()) // no cases.jsonl
	t.Setenv("SENDEVAGT_REQUIRE_CORPUS", "")
	t.Setenv(RequireAll, "")
	ran := false
	t.Run("skips", func(t *testing.T) {
		CorpusDir(t)
		ran = true
	})
	if ran {
		t.Error("CorpusDir returned without a corpus")
	}
}

func TestRepoRoot(t *testing.T) {
	if _, err := RepoRoot(); err != nil {
		t.Fatal(err)
	}
}
