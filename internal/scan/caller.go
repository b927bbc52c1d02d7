package scan

import "context"

// callerKey is the context key of the caller's key.
type callerKey struct{}

// WithCaller returns ctx carrying the key of the user a scan is made for: a keyed hash of their
// tenant and object id (never the ids themselves). What the scanner keeps across scans is
// separated by it: one user's pre-scanned documents are never another user's, and the citizen
// directory's probe limit counts per user.
func WithCaller(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, callerKey{}, key)
}

// CallerOf is the caller's key in ctx ("" for none: the command line, tests).
func CallerOf(ctx context.Context) string {
	k, _ := ctx.Value(callerKey{}).(string)
	return k
}
