package onsend

import (
	"context"
	"testing"

	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

func TestConsole(t *testing.T) {
	tests := []struct {
		name string
		to   message.Address
		want policy.Action
	}{
		{"own letter", message.Address{Name: "Jens Hansen", Address: "jens.hansen@gmail.com"}, policy.Secure},
		{"someone else's letter", message.Address{Name: "Karen Olsen", Address: "karen.olsen@gmail.com"}, policy.Block},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &fakeRecorder{}
			svc := newService(t, nil, rec)
			msg := &message.Message{To: []message.Address{tc.to}, Subject: "Afgørelse",
				Attachments: []message.Attachment{{Name: "brev.txt", ContentType: "text/plain", Data: []byte(letter)}}}
			resp, err := svc.Console(context.Background(), ConsoleUser{TenantID: "t1", ObjectID: "o1", UPN: "admin@aarhus.dk"}, msg)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Action != tc.want {
				t.Fatalf("action %s, want %s: %+v", resp.Action, tc.want, resp.Reasons)
			}
			if len(rec.events) != 1 {
				t.Fatalf("%d audit events, want 1", len(rec.events))
			}
			ev := rec.events[0]
			if !ev.Test || ev.Source != "console" || ev.UPN != "admin@aarhus.dk" || ev.ID != resp.ScanID || ev.Action != string(tc.want) {
				t.Errorf("audit event %+v", ev)
			}
			if msg.From.Address != "admin@aarhus.dk" {
				t.Errorf("sender %q, want the administrator", msg.From.Address)
			}
		})
	}
	svc := newService(t, nil, &fakeRecorder{})
	if _, err := svc.Console(context.Background(), ConsoleUser{}, nil); err == nil {
		t.Error("nil message accepted")
	}
}
