package admin

// The policy form, generated from the policy's struct tags (see policy.Policy): one input per
// field, in the struct's order, with the label, help text, input kind, limits and the Danish
// message for a refused value that the tags give. Choices of selects and checkbox groups are
// the option sets below, named by the tags.

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/sendevagt/sendevagt/internal/policy"
)

// policySection is a fieldset of the policy form.
type policySection struct {
	ID     string
	Legend string
	Intro  string
	Fields []policyField
}

// policyField is one input of the policy form. Name is the policy's YAML path (the input's name
// and the key of its error).
type policyField struct {
	Name    string
	ID      string
	Label   string
	Help    string
	Kind    string // text, textarea, number, checkbox, select, checks
	Value   string
	Checked bool
	Options []policyOption
	Min     string
	Max     string
	Step    string
	Rows    int
	Code    bool // monospace
	Error   string
}

// policyOption is a choice of a select or a checkbox group, or (Help set) one field of a map.
type policyOption struct {
	Value, Label string
	Help         string
	Selected     bool
}

// optionSet is a set of choices named by a form tag's options=, with the message for a value
// not among them (%s the value).
type optionSet struct {
	options []policyOption
	invalid string
}

func policyFieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(name)
}

var actionChoices = optionSet{options: []policyOption{
	{Value: "allow", Label: "Tillad"}, {Value: "warn", Label: "Advarsel"},
	{Value: "secure", Label: "Send som sikker mail"}, {Value: "block", Label: "Blokér"},
}, invalid: "Ukendt handling »%s«. Vælg Tillad, Advarsel, Send som sikker mail eller Blokér."}

var categoryLabels = map[string]string{
	"health": "Helbred", "social": "Sociale forhold", "criminal": "Strafbare forhold", "ethnicity": "Race og etnisk oprindelse",
	"political": "Politisk overbevisning", "religion": "Religion og filosofisk overbevisning", "union": "Fagforeningsforhold",
	"sexual": "Seksuelle forhold og orientering", "genetic": "Genetiske data", "biometric": "Biometriske data",
}

var statusLabels = map[string]string{
	"encrypted": "Krypteret eller beskyttet med adgangskode", "unscannable": "Kunne ikke læses (fx skannet uden tekst)",
	"unsupported": "Filtype der ikke understøttes", "too_large": "For stor til at blive kontrolleret",
}

// messageTexts are the label and help of each message's field.
var messageTexts = map[string][2]string{
	policy.CodeDifferentCitizen: {"Anden borger end modtageren",
		"Vises når et dokument handler om en anden borger end modtageren. Pladsholdere: {documents} dokumenternes navne, {identifier} maskeret CPR-nummer og initialer, {recipient} modtagerens navn (eller adresse), {page} » side N«, når oplysningerne står på én side."},
	policy.CodeBulkCPR: {"Mange CPR-numre",
		"Vises når mailen indeholder mange forskellige CPR-numre. Pladsholdere: {documents} dokumenternes navne, {count} antal CPR-numre."},
	policy.CodeBulkPersons: {"Mange personer",
		"Vises når mailen indeholder oplysninger om mange forskellige personer (navn med følsomme eller sociale oplysninger, eller CPR-nummer). Pladsholdere: {documents} dokumenternes navne, {count} antal personer."},
	policy.CodeSeveralCitizens: {"Flere eksterne modtagere",
		"Vises når mailen med personoplysninger går til flere eksterne modtagere i Til/Cc. Pladsholdere: {count} antal eksterne modtagere, {identifier} maskerede CPR-numre eller initialer."},
	policy.CodePersonalPlain: {"Personoplysninger uden sikker mail",
		"Vises når personoplysninger går til en ekstern modtager uden sikker mail. Pladsholdere: {documents} dokumenternes navne, {identifier} maskerede CPR-numre eller initialer."},
	policy.CodeUnreadable: {"Vedhæftning kunne ikke læses",
		"Vises når en vedhæftning ikke kunne kontrolleres. Pladsholdere: {documents} dokumenternes navne, {detail} hvorfor de ikke kunne læses."},
	policy.CodeScanFailed: {"Kontrollen fejlede",
		"Vises når Sendevagt ikke kunne kontrollere mailen (fejltilstand). Ingen pladsholdere."},
}

// labelled is the option set of values with their labels, in the order of values.
func labelled(values []string, labels map[string]string) optionSet {
	s := optionSet{invalid: "Ukendt værdi »%s«."}
	for _, v := range values {
		s.options = append(s.options, policyOption{Value: v, Label: labels[v]})
	}
	return s
}

// policyChoices are the option sets the policy's form tags name.
func policyChoices() map[string]optionSet {
	msgs := optionSet{}
	for _, code := range policy.MessageCodes {
		t := messageTexts[code]
		msgs.options = append(msgs.options, policyOption{Value: code, Label: t[0], Help: t[1]})
	}
	return map[string]optionSet{
		"actions": actionChoices,
		"fail_mode": {options: []policyOption{{Value: "warn", Label: "Advarsel"}, {Value: "block", Label: "Blokér"}},
			invalid: "Vælg Advarsel eller Blokér."},
		"categories": labelled(policy.Categories, categoryLabels),
		"statuses":   labelled(policy.Statuses, statusLabels),
		"messages":   msgs,
		"override_reason": {options: []policyOption{
			{Value: policy.OverrideOff, Label: "Nej (Outlooks »Send alligevel«)"},
			{Value: policy.OverrideOptional, Label: "Valgfri begrundelse"},
			{Value: policy.OverrideRequired, Label: "Begrundelse påkrævet"},
		}, invalid: "Vælg Nej, Valgfri begrundelse eller Begrundelse påkrævet."},
	}
}

// formSpec is one field of the policy as its tags describe it.
type formSpec struct {
	name                    string // YAML path
	index                   []int  // the field in policy.Policy
	section                 *policySection
	label, help, kind       string
	rows                    int
	min, max, step          string
	options                 string
	lines                   bool // one value per line (commas belong to the value)
	invalid, empty, unknown string
	typ                     reflect.Type
}

// policySpecs reads the form from policy.Policy's tags.
func policySpecs() []formSpec {
	var out []formSpec
	var walk func(t reflect.Type, prefix string, index []int, parent reflect.StructTag)
	walk = func(t reflect.Type, prefix string, index []int, parent reflect.StructTag) {
		for i := range t.NumField() {
			f := t.Field(i)
			yname, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if yname == "" || yname == "-" {
				continue
			}
			tag := func(key string) string {
				if v := parent.Get(key + "." + yname); v != "" {
					return v
				}
				return f.Tag.Get(key)
			}
			idx := append(append([]int(nil), index...), i)
			var sec *policySection
			if id := f.Tag.Get("section"); id != "" {
				sec = &policySection{ID: id, Legend: f.Tag.Get("legend"), Intro: f.Tag.Get("intro")}
			}
			if f.Type.Kind() == reflect.Struct {
				n := len(out)
				walk(f.Type, prefix+yname+".", idx, f.Tag)
				if sec != nil && len(out) > n {
					out[n].section = sec
				}
				continue
			}
			s := formSpec{name: prefix + yname, index: idx, section: sec, label: tag("label"), help: tag("help"),
				invalid: tag("invalid"), empty: tag("empty"), unknown: tag("unknown"), typ: f.Type}
			opts := strings.Split(tag("form"), ",")
			s.kind = opts[0]
			for _, o := range opts[1:] {
				k, v, _ := strings.Cut(o, "=")
				switch k {
				case "rows":
					s.rows, _ = strconv.Atoi(v)
				case "min":
					s.min = v
				case "max":
					s.max = v
				case "step":
					s.step = v
				case "options":
					s.options = v
				case "lines":
					s.lines = true
				}
			}
			out = append(out, s)
		}
	}
	walk(reflect.TypeFor[policy.Policy](), "", nil, "")
	return out
}

// isMap tells whether s is a map of texts: one field per key of its option set.
func (s formSpec) isMap() bool { return s.typ.Kind() == reflect.Map }

// policyFormValues turns a policy into form values, keyed by YAML path.
func policyFormValues(p *policy.Policy) url.Values {
	v := url.Values{}
	choices := policyChoices()
	root := reflect.ValueOf(p).Elem()
	for _, s := range policySpecs() {
		f := root.FieldByIndex(s.index)
		switch f.Kind() {
		case reflect.String:
			v.Set(s.name, f.String())
		case reflect.Bool:
			if f.Bool() {
				v.Set(s.name, "on")
			}
		case reflect.Float64:
			v.Set(s.name, strconv.FormatFloat(f.Float(), 'f', -1, 64))
		case reflect.Int:
			v.Set(s.name, strconv.Itoa(int(f.Int())))
		case reflect.Slice:
			xs := f.Interface().([]string)
			if s.kind == "checks" {
				v[s.name] = append([]string(nil), xs...)
			} else {
				v.Set(s.name, strings.Join(xs, "\n"))
			}
		case reflect.Map:
			m := f.Interface().(map[string]string)
			for _, o := range choices[s.options].options {
				v.Set(s.name+"."+o.Value, m[o.Value])
			}
		}
	}
	return v
}

// policySplitLines reads a one-per-line list (commas and semicolons separate too); blanks are dropped.
func policySplitLines(s string) []string {
	return splitNonEmpty(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' })
}

// policySplitTags reads values one per line (a value may contain commas).
func policySplitTags(s string) []string {
	return splitNonEmpty(s, func(r rune) bool { return r == '\n' || r == '\r' })
}

func splitNonEmpty(s string, sep func(rune) bool) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, sep) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// rangeProblem says in Danish that a number must lie within s's limits.
func (s formSpec) rangeProblem() string {
	if s.max != "" {
		return fmt.Sprintf("Skal være et tal mellem %s og %s.", s.min, s.max)
	}
	return fmt.Sprintf("Skal være mindst %s.", s.min)
}

// outOfRange tells whether x lies outside s's limits.
func (s formSpec) outOfRange(x float64) bool {
	lo, errLo := strconv.ParseFloat(s.min, 64)
	hi, errHi := strconv.ParseFloat(s.max, 64)
	return errLo == nil && x < lo || errHi == nil && x > hi
}

// danishNumber writes x the Danish way (decimal comma).
func danishNumber(x float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(x, 'f', -1, 64), ".", ",")
}

// policyFromForm builds a policy from the form's values. Values that are not numbers or lie
// outside their field's limits are reported in errs (Danish, by field); everything else is
// checked by policy.Validate.
func policyFromForm(v url.Values, errs map[string]string) *policy.Policy {
	p := &policy.Policy{}
	choices := policyChoices()
	root := reflect.ValueOf(p).Elem()
	for _, s := range policySpecs() {
		f := root.FieldByIndex(s.index)
		raw := v.Get(s.name)
		switch f.Kind() {
		case reflect.String:
			if s.kind != "select" {
				raw = strings.TrimSpace(raw)
			}
			f.SetString(raw)
		case reflect.Bool:
			f.SetBool(raw != "")
		case reflect.Float64, reflect.Int:
			x, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(raw), ",", "."), 64)
			if f.Kind() == reflect.Int {
				var n int
				n, err = strconv.Atoi(strings.TrimSpace(raw))
				x = float64(n)
			}
			switch {
			case err != nil && f.Kind() == reflect.Int:
				errs[s.name] = "Skriv et helt tal."
			case err != nil:
				lo, _ := strconv.ParseFloat(s.min, 64)
				hi, _ := strconv.ParseFloat(s.max, 64)
				errs[s.name] = fmt.Sprintf("Skriv et tal mellem %s og %s, fx %s.", s.min, s.max, danishNumber((lo+hi)/2))
			case s.outOfRange(x):
				errs[s.name] = s.rangeProblem()
			}
			if f.Kind() == reflect.Int {
				f.SetInt(int64(x))
			} else {
				f.SetFloat(x)
			}
		case reflect.Slice:
			var xs []string
			switch {
			case s.kind == "checks":
				xs = append([]string{}, v[s.name]...)
			case s.lines:
				xs = policySplitTags(raw)
			default:
				xs = policySplitLines(raw)
			}
			f.Set(reflect.ValueOf(xs))
		case reflect.Map:
			m := map[string]string{}
			for _, o := range choices[s.options].options {
				m[o.Value] = strings.TrimSpace(strings.ReplaceAll(v.Get(s.name+"."+o.Value), "\r\n", "\n"))
			}
			f.Set(reflect.ValueOf(m))
		}
	}
	return p
}

// policyProblemDa says what is wrong with a field in Danish, from the field's tags.
func policyProblemDa(fe *policy.FieldError) string {
	choices := policyChoices()
	for _, s := range policySpecs() {
		if s.isMap() {
			key, ok := strings.CutPrefix(fe.Field, s.name+".")
			if !ok {
				continue
			}
			known := false
			for _, o := range choices[s.options].options {
				known = known || o.Value == key
			}
			switch {
			case !known:
				return withValue(s.unknown, key)
			case fe.Value == "":
				return s.empty
			}
			return withValue(s.invalid, fe.Value)
		}
		if s.name != fe.Field {
			continue
		}
		switch {
		case s.kind == "number":
			return s.rangeProblem()
		case s.invalid != "":
			return withValue(s.invalid, fe.Value)
		case choices[s.options].invalid != "":
			return withValue(choices[s.options].invalid, fe.Value)
		}
	}
	return fe.Msg
}

func withValue(msg, value string) string {
	if strings.Contains(msg, "%s") {
		return fmt.Sprintf(msg, value)
	}
	return msg
}

// policySections builds the form's fieldsets from values and errors.
func policySections(v url.Values, errs map[string]string) []policySection {
	choices := policyChoices()
	var secs []policySection
	for _, s := range policySpecs() {
		if s.section != nil || len(secs) == 0 {
			var sec policySection
			if s.section != nil {
				sec = *s.section
			}
			secs = append(secs, sec)
		}
		cur := &secs[len(secs)-1]
		if s.isMap() {
			for _, o := range choices[s.options].options {
				cur.Fields = append(cur.Fields, s.field(s.name+"."+o.Value, o.Label, o.Help, v, errs, nil))
			}
			continue
		}
		cur.Fields = append(cur.Fields, s.field(s.name, s.label, s.help, v, errs, choices[s.options].options))
	}
	return secs
}

// field is the input for name with its value, choices and error.
func (s formSpec) field(name, label, help string, v url.Values, errs map[string]string, opts []policyOption) policyField {
	f := policyField{Name: name, ID: policyFieldID(name), Label: label, Help: help, Kind: s.kind, Value: v.Get(name),
		Min: s.min, Max: s.max, Step: s.step, Rows: s.rows, Error: errs[name],
		Code: s.kind == "textarea" && !s.isMap()}
	switch s.kind {
	case "checkbox":
		f.Value, f.Checked = "", v.Get(name) != ""
	case "checks":
		f.Value = ""
		for _, o := range opts {
			o.Selected = policyHas(v[name], o.Value)
			f.Options = append(f.Options, o)
		}
	case "select":
		for _, o := range opts {
			o.Selected = o.Value == f.Value
			f.Options = append(f.Options, o)
		}
	}
	return f
}

func policyHas(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
