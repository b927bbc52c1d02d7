package graph

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

func ptr[T any](v T) *T { return &v }

func TestConvertOtherItems(t *testing.T) {
	f := &fetch{c: &Client{lim: Limits{}.withDefaults(), log: slog.New(slog.DiscardHandler)}}

	contact := models.NewContact()
	contact.SetDisplayName(ptr("Borger Testesen"))
	contact.SetMobilePhone(ptr("+45 11 22 33 44"))
	home := models.NewPhysicalAddress()
	home.SetStreet(ptr("Testvej 1"))
	home.SetPostalCode(ptr("8000"))
	home.SetCity(ptr("Aarhus C"))
	contact.SetHomeAddress(home)
	contact.SetPersonalNotes(ptr("CPR 010190-0000"))

	event := models.NewEvent()
	event.SetSubject(ptr("Møde om sag"))
	body := models.NewItemBody()
	body.SetContent(ptr("Dagsorden: borgerens sag"))
	event.SetBody(body)
	att := models.NewAttendee()
	email := models.NewEmailAddress()
	email.SetName(ptr("Borger Testesen"))
	email.SetAddress(ptr("borger@example.dk"))
	att.SetEmailAddress(email)
	event.SetAttendees([]models.Attendeeable{att})

	post := models.NewPost()
	post.SetOdataType(ptr("#microsoft.graph.post"))

	tests := []struct {
		name       string
		item       models.OutlookItemable
		wantName   string
		wantStatus string // "" when read
		wantText   []string
	}{
		{"contact", contact, "Kontakt.txt", "", []string{"Borger Testesen", "+45 11 22 33 44", "Testvej 1, 8000 Aarhus C", "010190-0000"}},
		{"event", event, "Kontakt.txt", "", []string{"Møde om sag", "Borger Testesen <borger@example.dk>", "borgerens sag"}},
		{"post", post, "Kontakt", "unsupported", nil},
		{"missing", nil, "Kontakt", "unscannable", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var item models.OutlookItemable
			if tc.item != nil {
				item = tc.item
			}
			got := f.convertItem("Kontakt", item, 1)
			if len(got) != 1 {
				t.Fatalf("got %v", names(got))
			}
			a := got[0]
			if a.Name != tc.wantName {
				t.Errorf("name = %q, want %q", a.Name, tc.wantName)
			}
			if tc.wantStatus != "" {
				if a.Unread == nil || a.Unread.Status != tc.wantStatus {
					t.Errorf("unread = %+v", a.Unread)
				}
				return
			}
			if a.Unread != nil || a.ContentType != "text/plain" {
				t.Fatalf("attachment = %q %+v", a.ContentType, a.Unread)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(string(a.Data), w) {
					t.Errorf("text lacks %q:\n%s", w, a.Data)
				}
			}
		})
	}
}
