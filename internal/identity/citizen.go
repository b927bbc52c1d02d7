package identity

import (
	"strings"

	"github.com/sendevagt/sendevagt/internal/message"
)

// IsCitizen tells whether a recipient is most likely a private person (a citizen) rather than an
// organisation: an address at a private mail provider, or a person's name in the display name or
// the local part at a domain that does not name an organisation. A law firm or an authority in Cc
// is not a citizen; the rule several_external_citizens counts citizens only.
func (a *Analyzer) IsCitizen(addr message.Address) bool {
	at := strings.LastIndexByte(addr.Address, '@')
	if at < 0 {
		return false
	}
	domain := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(addr.Address[at+1:]), "."))
	if a.rules.isPersonalDomain(domain) {
		return true
	}
	if a.rules.orgDomain(addr.Address) {
		return false
	}
	labels := strings.Split(domain, ".")
	// A person's own domain ("familien-hansen.dk") is rare; a name-like local part at any other
	// domain is an employee of an organisation, unless the display name is a person's and the
	// domain has the same name in it.
	rn := describeRecipient(addr, a.lists, a.rules)
	if !rn.person || len(rn.tokens) < 2 {
		return false
	}
	d := strings.ReplaceAll(fold(labels[0]), " ", "")
	return containsVariant(d, rn.tokens[len(rn.tokens)-1])
}

func (r *rules) isPersonalDomain(domain string) bool {
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	for _, p := range r.personalDomains {
		if strings.Contains(p, ".") {
			if domain == p || strings.HasSuffix(domain, "."+p) {
				return true
			}
			continue
		}
		// a provider's name: hotmail.com, hotmail.dk, mail.hotmail.co.uk
		for _, l := range strings.Split(domain, ".") {
			if l == p {
				return true
			}
		}
	}
	return false
}

// orgDomain: the domain of an address names an organisation (a law firm, an authority, a
// hospital): "mail@brinktoft-advokat.dk", "post@region-eksempel.dk".
func (r *rules) orgDomain(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	for _, l := range strings.Split(strings.ToLower(addr[at+1:]), ".") {
		if r.isOrganisation(strings.ReplaceAll(l, "-", " ")) {
			return true
		}
		for _, w := range r.orgDomainWords {
			if strings.Contains(l, w) {
				return true
			}
		}
	}
	return false
}
