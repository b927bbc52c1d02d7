//go:build sendevagt_testhooks

package worker

// testHooksBuilt is true only in binaries built with -tags sendevagt_testhooks, for the tests
// that make a worker hang, crash or run out of memory on purpose.
const testHooksBuilt = true
