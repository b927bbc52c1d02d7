package detect

import (
	"sync"
	"testing"
	"time"
)

// testNow is the fixed clock of the tests: 1 June 2024.
var testNow = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

var (
	sharedOnce sync.Once
	sharedEng  *Engine
	sharedErr  error
)

// testEngine returns one engine for all tests.
func testEngine(t testing.TB) *Engine {
	t.Helper()
	sharedOnce.Do(func() {
		sharedEng, sharedErr = New(Options{Now: func() time.Time { return testNow }})
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedEng
}
