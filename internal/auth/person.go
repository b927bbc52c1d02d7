package auth

// App roles (Entra ID app roles on the Sendevagt app registration) that let a person use the
// admin pages.
const (
	RoleAdmin   = "Sendevagt.Admin"
	RoleAuditor = "Sendevagt.Auditor"
)

// Person is someone signed in to the admin pages (OIDC or local mode's one-time link).
type Person struct {
	Subject  string   `json:"sub"` // Entra oid (or "local")
	TenantID string   `json:"tid"`
	Name     string   `json:"name"`
	Email    string   `json:"email"` // the UPN / preferred_username
	Roles    []string `json:"roles"`
}

// IsAdmin tells whether p may change things.
func (p *Person) IsAdmin() bool { return p != nil && p.has(RoleAdmin) }

// CanReadAudit tells whether p may read the audit (admins and auditors).
func (p *Person) CanReadAudit() bool { return p != nil && (p.has(RoleAdmin) || p.has(RoleAuditor)) }

func (p *Person) has(role string) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Author is how p is named in policy versions and decisions.
func (p *Person) Author() string {
	if p == nil {
		return ""
	}
	if p.Email != "" {
		return p.Email
	}
	return p.Subject
}
