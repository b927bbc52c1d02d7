package fakegraph

// Fault injection. A fault set for message id "" applies to every request; otherwise to every
// request for that message (the message itself, its attachments and their $value). times counts
// the requests that get the fault; -1 means forever. Faults are checked in the order throttle,
// failure, not synced, failing attachment, after authentication.

type counted struct {
	remaining  int
	status     int
	retryAfter string
}

type faults struct {
	throttle map[string]*counted
	fail     map[string]*counted
	unsynced map[string]*counted
	failAtt  map[[2]string]int // message id, attachment name → status
}

func newFaults() faults {
	return faults{
		throttle: map[string]*counted{},
		fail:     map[string]*counted{},
		unsynced: map[string]*counted{},
		failAtt:  map[[2]string]int{},
	}
}

// Throttle answers the next `times` requests for message id with 429 and the given Retry-After
// header ("" for none), with Graph's JSON error body (code "ApplicationThrottled").
func (s *Server) Throttle(id string, times int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.throttle[id] = &counted{remaining: times, status: 429, retryAfter: retryAfter}
}

// Unsynced answers the next `times` requests for message id with 404 ErrorItemNotFound, as
// Exchange does for a draft that classic Outlook in cached mode has not uploaded yet.
func (s *Server) Unsynced(id string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.unsynced[id] = &counted{remaining: times, status: 404}
}

// Fail answers the next `times` requests for message id with status (a 5xx, or any status)
// and a JSON error body.
func (s *Server) Fail(id string, times int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.fail[id] = &counted{remaining: times, status: status}
}

// FailAttachment answers every request for the attachment named attachmentName of message id
// (its JSON and its $value) with status. Status 0 removes the fault.
func (s *Server) FailAttachment(id, attachmentName string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{id, attachmentName}
	if status == 0 {
		delete(s.faults.failAtt, k)
		return
	}
	s.faults.failAtt[k] = status
}

// take consumes one occurrence of the fault in m for message id (or the global one).
func take(m map[string]*counted, id string) *counted {
	for _, k := range []string{id, ""} {
		c := m[k]
		if c == nil || c.remaining == 0 {
			continue
		}
		if c.remaining > 0 {
			c.remaining--
		}
		return c
	}
	return nil
}
