package fakegraph

import "strings"

// RestrictMailbox makes mailbox (an object id or UPN; a shared or delegated mailbox) readable
// only by the users with the given object ids, besides the mailbox's own user: every other
// user's request for it answers 403 ErrorAccessDenied, as Exchange does for a delegated token
// without rights on the mailbox (or without Mail.Read.Shared). Called again, it replaces the
// list; with no readers only the mailbox itself may read it.
func (s *Server) RestrictMailbox(mailbox string, readers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := map[string]bool{}
	for _, r := range readers {
		set[s.canon(r)] = true
	}
	s.readers[s.canon(mailbox)] = set
}

// mayRead reports whether user oid may read mailbox key; s.mu must be held.
func (s *Server) mayRead(oid, key string) bool {
	set, restricted := s.readers[key]
	if !restricted {
		return true
	}
	return strings.EqualFold(s.canon(oid), key) || set[s.canon(oid)]
}
