//go:build !sendevagt_testhooks

package worker

// testHooksBuilt is false in every normal build: the production binary never honours
// SENDEVAGT_WORKER_TEST_HOOKS. Tests that drive the real binary build it with
// -tags sendevagt_testhooks.
const testHooksBuilt = false
