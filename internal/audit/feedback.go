package audit

import (
	"fmt"
	"time"
)

// Feedback is an employee's report on one verdict ("this was a false alarm"), made from the
// add-in's task pane, for the data protection officer to confirm or dismiss.
type Feedback struct {
	ID      string    `json:"id"`
	EventID string    `json:"scanId"` // the audit event (scan) it is about
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"` // FeedbackFalseAlarm
	// Comment is the employee's optional text, with CPR-shaped numbers masked before storage.
	Comment  string `json:"comment,omitempty"`
	TenantID string `json:"tenantId"`
	ObjectID string `json:"objectId"`
	UPN      string `json:"upn"`
	// Status is FeedbackOpen until an admin confirms or dismisses it.
	Status     string    `json:"status"`
	ResolvedBy string    `json:"resolvedBy,omitempty"`
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
}

// Feedback kinds and statuses.
const (
	FeedbackFalseAlarm = "false_alarm"

	FeedbackOpen      = "open"
	FeedbackConfirmed = "confirmed" // the DPO agrees it was a false alarm
	FeedbackDismissed = "dismissed" // the verdict was right
)

// MaxFeedbackComment bounds a feedback comment, in characters.
const MaxFeedbackComment = 500

// ValidateFeedback refuses feedback that is incomplete or carries a CPR-shaped number.
func ValidateFeedback(f Feedback) error {
	switch {
	case f.ID == "" || f.EventID == "":
		return fmt.Errorf("%w: feedback needs an id and a scan id", ErrInvalidEvent)
	case f.Kind != FeedbackFalseAlarm:
		return fmt.Errorf("%w: unknown feedback kind", ErrInvalidEvent)
	case f.Status != FeedbackOpen && f.Status != FeedbackConfirmed && f.Status != FeedbackDismissed:
		return fmt.Errorf("%w: unknown feedback status", ErrInvalidEvent)
	case len([]rune(f.Comment)) > MaxFeedbackComment:
		return fmt.Errorf("%w: feedback comment longer than %d characters", ErrInvalidEvent, MaxFeedbackComment)
	case hasCPR(f.Comment):
		return fmt.Errorf("%w: feedback comment holds a CPR-shaped number", ErrInvalidEvent)
	}
	return nil
}
