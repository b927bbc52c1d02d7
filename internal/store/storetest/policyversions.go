package storetest

import (
	"testing"

	"github.com/sendevagt/sendevagt/internal/store"
)

// STUB: replaced by the helper that owns it.
func testPolicyVersions(t *testing.T, s *store.Store) { _ = s }
