package onsend

import (
	"context"
	"testing"

	"github.com/sendevagt/sendevagt/internal/graph"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// A draft in a shared mailbox is read from that mailbox; when Graph refuses it (no rights, or no
// Mail.Read.Shared) the add-in is asked for the content inline.
func TestSharedMailbox(t *testing.T) {
	for _, tt := range []struct {
		name, mailbox, want string
		err                 error
		resend              bool
	}{
		{"own mailbox by address", "Jonas.Hassan@aarhus.dk", "", nil, false},
		{"own mailbox empty", "", "", nil, false},
		{"shared, readable", "ydelse@aarhus.dk", "ydelse@aarhus.dk", nil, false},
		{"shared, access denied", "ydelse@aarhus.dk", "ydelse@aarhus.dk", graph.ErrAccessDenied, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFetcher{msg: &message.Message{Subject: "x", Bodies: []message.Body{{ContentType: "text/plain", Content: "Hej"}}}, err: tt.err}
			if tt.err != nil {
				f.msg = nil
			}
			svc := newService(t, f, &fakeRecorder{})
			req := &Request{ItemID: "AAMk=", Mailbox: tt.mailbox, Recipients: Recipients{To: []Address{{Address: "a@kommune.dk"}}}}
			resp, err := svc.Check(context.Background(), user, req)
			if err != nil {
				t.Fatal(err)
			}
			if f.box != tt.want {
				t.Errorf("mailbox = %q, want %q", f.box, tt.want)
			}
			if resp.ResendInline != tt.resend {
				t.Errorf("resendInline = %v", resp.ResendInline)
			}
			if tt.resend && resp.Action != policy.Warn {
				t.Errorf("action = %s", resp.Action)
			}
		})
	}
}
