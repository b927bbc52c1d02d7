package scan

import "context"

// Caller is the user a scan is made for. Key is a keyed hash of their tenant and object id: what
// the scanner keeps across scans is separated by it (one user's pre-scanned documents are never
// another user's) and the citizen directory's probe limit counts by it. The ids are the
// employee's, for an alert to name them; never a citizen's.
type Caller struct {
	Key      string
	TenantID string
	ObjectID string
}

// callerKey is the context key of the Caller.
type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerOf is the Caller in ctx (zero for none: the command line, tests).
func CallerOf(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}
