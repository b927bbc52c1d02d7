package admin

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
)

var copenhagen = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Copenhagen"); err == nil {
		return l
	}
	return time.UTC
}()

// funcs are the helpers every template may use.
var funcs = template.FuncMap{
	// relationLabel names a person's relation to a recipient in Danish.
	"relationLabel": func(r string) string {
		switch r {
		case "same":
			return "modtageren selv"
		case "addressed":
			return "knyttet til modtageren (fx barn)"
		case "different":
			return "en anden borger"
		}
		return "uvist"
	},
	// when formats a time in Danish local time: 23-11-2026 14:05.
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(copenhagen).Format("02-01-2006 15:04")
	},
	"date": func(t time.Time) string { return t.In(copenhagen).Format("02-01-2006") },
	// action names a verdict in Danish.
	"action": actionLabel,
	// reason names a reason code in Danish.
	"reason": reasonLabel,
	// status names a document status in Danish.
	"status": statusLabel,
	"join":   strings.Join,
	"query": func(pairs ...string) template.URL {
		v := url.Values{}
		for i := 0; i+1 < len(pairs); i += 2 {
			if pairs[i+1] != "" {
				v.Set(pairs[i], pairs[i+1])
			}
		}
		return template.URL(v.Encode())
	},
	"add":     func(a, b int) int { return a + b },
	"percent": func(f float64) string { return fmt.Sprintf("%.0f %%", f*100) },
	"svg":     func(s string) template.HTML { return template.HTML(s) }, // only for SVG built by this package
	"contains": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
}

func actionLabel(a string) string {
	switch a {
	case "allow":
		return "Tilladt"
	case "warn":
		return "Advarsel"
	case "secure":
		return "Sikker mail"
	case "block":
		return "Blokeret"
	}
	return a
}

var reasonLabels = map[string]string{
	"different_citizen":         "Oplysninger om en anden borger end modtageren",
	"bulk_cpr":                  "Mange CPR-numre",
	"bulk_persons":              "Mange personer",
	"several_external_citizens": "Flere eksterne modtagere med personoplysninger",
	"personal_data_unencrypted": "Personoplysninger uden sikker mail",
	"unreadable_attachment":     "Vedhæftning kunne ikke læses",
	"scan_failed":               "Kontrollen fejlede",
	"item_not_synced":           "Kladden var ikke synkroniseret",
	"fetch_failed":              "Kladden kunne ikke hentes",
	"content_required":          "Indhold skulle sendes igen",
	"exempt":                    "Undtaget i politikken",
	"override":                  "Sendt trods advarsel",
}

func reasonLabel(code string) string {
	if l, ok := reasonLabels[code]; ok {
		return l
	}
	return code
}

func statusLabel(s string) string {
	switch s {
	case "scanned":
		return "Kontrolleret"
	case "encrypted":
		return "Krypteret"
	case "unscannable":
		return "Kunne ikke læses"
	case "unsupported":
		return "Ikke understøttet"
	case "too_large":
		return "For stor"
	}
	return s
}
