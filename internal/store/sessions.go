package store

import "time"

// AdminSession is a signed-in administrator's session. The session id itself is only in the
// browser's cookie: the store keeps its SHA-256 (IDHash), so a copy of the database signs no
// one in.
type AdminSession struct {
	IDHash   string
	Subject  string // Entra oid, or "local"
	TenantID string
	Name     string
	Email    string
	Roles    []string
	CSRF     string // the session's CSRF token
	Created  time.Time
	Expires  time.Time
}

// PendingLogin is an OpenID Connect sign-in under way: the state the browser brings back, the
// nonce expected in the ID token, the PKCE verifier and where to go afterwards. It is taken
// (read and deleted) exactly once.
type PendingLogin struct {
	State    string
	Nonce    string
	Verifier string
	ReturnTo string
	Expires  time.Time
}
