package extract

import (
	"errors"

	"github.com/sendevagt/sendevagt/internal/message"
)

// tnef reads a TNEF stream (winmail.dat, application/ms-tnef: Outlook's rich-text mail as
// other mail systems receive it). Its page is the subject ("Emne: …") and the body; each of
// its attachments is a nested document "winmail.dat/Brev.pdf", an attached message a nested
// "msg" document, all within the same limits and byte budget. An attachment whose content is
// not in the stream (a linked file) is reported with its own status, never dropped.
func (w *walker) tnef(j *job) error {
	if j.depth >= w.lim.MaxDepth {
		return &statusError{TooLarge, w.depthDetail()}
	}
	msg, err := message.ParseTNEF(j.data)
	if msg == nil {
		if errors.Is(err, message.ErrTooLarge) {
			return &statusError{TooLarge, "TNEF stream larger than the message parser's size limit"}
		}
		return &statusError{Unscannable, "corrupt TNEF (winmail.dat): not a TNEF stream"}
	}
	if msg.Subject != "" {
		j.s.write("Emne: " + oneLine(msg.Subject) + "\n\n")
	}
	if err := w.bodies(j.s, msg.Bodies); err != nil {
		return err
	}
	if err := w.attachments(j, msg.Attachments); err != nil {
		return err
	}
	switch {
	case errors.Is(err, message.ErrTooComplex):
		return &statusError{TooLarge, "TNEF (winmail.dat) beyond the message parser's limits (nesting or attachments); only part read"}
	case err != nil:
		return &statusError{Unscannable, "corrupt TNEF (winmail.dat): part of it could not be read"}
	}
	return nil
}
