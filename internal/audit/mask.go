package audit

import (
	"slices"

	"github.com/sendevagt/sendevagt/internal/cprshape"
)

// Redactor masks the person names (and CPR numbers) it recognises in a short string, such as a
// document name or a parser's detail. detect.Engine satisfies it.
type Redactor interface {
	Redact(text string) string
}

// Mask returns the form of e that is stored: every free-text field (source, user, recipient
// domains, action, reasons, document names, types, statuses and details, findings' kinds,
// masked forms and categories, error) passed through r when r is not nil (person names) and
// then with every CPR shape (internal/cprshape, the same definition ValidateEvent checks) and
// every masked birth date ("010190-xxxx") replaced by "xxxxxx-xxxx". Stored events keep keyed
// hashes of the full numbers for the audit search, so they keep no birth date beside them.
// Tenant and object ids that are not GUIDs are masked alike; the event's own id is not (an id
// with a CPR shape is refused by ValidateEvent). e itself is not changed.
func Mask(e Event, r Redactor) Event {
	text := func(s string) string {
		if r != nil && s != "" {
			s = r.Redact(s)
		}
		return cprshape.Hide(s)
	}
	code := func(s string) string { return cprshape.Hide(s) } // machine values: no name redaction
	e.Source = code(e.Source)
	if !isGUID(e.TenantID) {
		e.TenantID = code(e.TenantID)
	}
	if !isGUID(e.ObjectID) {
		e.ObjectID = code(e.ObjectID)
	}
	e.UPN = code(e.UPN)
	if e.RecipientDomains != nil {
		ds := make([]string, len(e.RecipientDomains))
		for i, d := range e.RecipientDomains {
			ds[i] = code(d)
		}
		slices.Sort(ds)
		e.RecipientDomains = slices.Compact(ds)
	}
	e.Action = code(e.Action)
	if e.Reasons != nil {
		rs := make([]string, len(e.Reasons))
		for i, c := range e.Reasons {
			rs[i] = code(c)
		}
		e.Reasons = rs
	}
	if e.Documents != nil {
		docs := make([]Document, len(e.Documents))
		for i, d := range e.Documents {
			d.Name = text(d.Name)
			d.Type = code(d.Type)
			d.Status = code(d.Status)
			d.Detail = text(d.Detail)
			if d.Findings != nil {
				fs := make([]Finding, len(d.Findings))
				for j, f := range d.Findings {
					f.Kind = code(f.Kind)
					f.Masked = code(f.Masked)
					f.Category = code(f.Category)
					fs[j] = f
				}
				d.Findings = fs
			}
			docs[i] = d
		}
		e.Documents = docs
	}
	e.Error = code(e.Error)
	return e
}
