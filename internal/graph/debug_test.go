package graph
import ("testing";"time";"fmt"
"github.com/sendevagt/sendevagt/internal/message")
func TestDebugValue(t *testing.T) {
	lim := Limits{InlineAttachmentBytes: 1000, MaxAttachmentBytes: 50_000, MaxMessageBytes: 80_000}
	e := newEnv(t, lim)
	e.fg.AddMessage(testOID, "big", mail("Store bilag", "se bilag",
		message.Attachment{Name: "small.bin", ContentType: "application/octet-stream", Data: pattern(900,1)},
		message.Attachment{Name: "large.pdf", ContentType: "application/pdf", Data: pattern(40000,2)},
	))
	m, err := fetchAs(t, e, "", "big", 5*time.Second)
	fmt.Println(err, names(m.Attachments))
	for _, r := range e.fg.Requests() { fmt.Printf("%+v\n", r) }
}
