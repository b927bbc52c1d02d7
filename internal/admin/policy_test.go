package admin

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/store"
)

// The SQL store is a PolicyStore.
var _ PolicyStore = (*store.Store)(nil)

// memPolicies is an in-memory PolicyStore.
type memPolicies struct {
	mu       sync.Mutex
	versions []store.PolicyVersion // oldest first
}

func (m *memPolicies) LatestPolicy(context.Context) (store.PolicyVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.versions) == 0 {
		return store.PolicyVersion{}, store.ErrNotFound
	}
	return m.versions[len(m.versions)-1], nil
}

func (m *memPolicies) SavePolicy(_ context.Context, yaml []byte, author, comment string) (store.PolicyVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := store.PolicyVersion{Version: len(m.versions) + 1, YAML: append([]byte(nil), yaml...), Author: author, Comment: comment,
		Created: time.Date(2026, 3, 1, 9, len(m.versions), 0, 0, time.UTC)}
	m.versions = append(m.versions, p)
	return p, nil
}

func (m *memPolicies) ListPolicies(context.Context) ([]store.PolicyVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]store.PolicyVersion, 0, len(m.versions))
	for i := len(m.versions) - 1; i >= 0; i-- {
		out = append(out, m.versions[i])
	}
	return out, nil
}

func (m *memPolicies) GetPolicy(_ context.Context, v int) (store.PolicyVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v < 1 || v > len(m.versions) {
		return store.PolicyVersion{}, store.ErrNotFound
	}
	return m.versions[v-1], nil
}

func (m *memPolicies) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.versions)
}

func (m *memPolicies) latest(t *testing.T) (store.PolicyVersion, *policy.Policy) {
	t.Helper()
	pv, err := m.LatestPolicy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(pv.YAML)
	if err != nil {
		t.Fatalf("saved policy does not parse: %v\n%s", err, pv.YAML)
	}
	return pv, p
}

func newPolicyAdmin(t *testing.T, roles ...string) (*memPolicies, *testClient) {
	t.Helper()
	ps := &memPolicies{}
	_, tc := newTestAdmin(t, Config{Policies: ps, SendMode: "SoftBlock"}, roles...)
	return ps, tc
}

// validForm is the default policy as the form posts it, with a comment.
func validForm(base int) url.Values {
	v := policyFormValues(policy.Default())
	v.Set("comment", "Tilpasset til kommunen")
	v.Set("base", string(rune('0'+base)))
	return v
}

func TestPolicyFormRendersEveryField(t *testing.T) {
	_, tc := newPolicyAdmin(t, RoleAdmin)
	w := tc.get("/admin/policy")
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	for name := range policyFormValues(policy.Default()) {
		if !strings.Contains(body, `name="`+name+`"`) {
			t.Errorf("no input for %s", name)
		}
	}
	// Fields that are unset in the default still have inputs.
	for _, name := range []string{"simulation", "secure.add_subject_tag", "secure.confirm", "secure.sensitivity_label_id",
		"exemptions.senders", "exemptions.recipients", "exemptions.domains", "comment", "_csrf", "base"} {
		if !strings.Contains(body, `name="`+name+`"`) {
			t.Errorf("no input for %s", name)
		}
	}
	for _, c := range policy.Categories {
		wantBody(t, w, `value="`+c+`" checked`)
	}
	for _, s := range policy.Statuses {
		wantBody(t, w, `name="rules.unreadable_attachment.statuses" value="`+s+`" checked`)
	}
	for _, code := range policy.MessageCodes {
		if !strings.Contains(body, `name="messages.`+code+`"`) {
			t.Errorf("no message field for %s", code)
		}
	}
	wantBody(t, w, "<legend>Domæner</legend>", "<legend>Sikker mail</legend>", "<legend>Personoplysninger</legend>",
		"<legend>Regler</legend>", "<legend>Fejltilstand</legend>", "<legend>Undtagelser</legend>",
		"<legend>Beskeder til medarbejderne</legend>", "<legend>Simulering</legend>", "<legend>Afsendelsestilstand</legend>",
		"SoftBlock", "Kommentar til ændringen", "Standard (der er endnu ikke gemt en politik)",
		`<option value="block" selected>Blokér</option>`, `value="X-Sendevagt-Route"`, "{documents}")
	// Every input has a label and help text.
	if strings.Count(body, `aria-describedby="f-`) < len(policyFormValues(policy.Default())) {
		t.Error("inputs without help text")
	}
}

func TestPolicyAccess(t *testing.T) {
	_, auditor := newPolicyAdmin(t, RoleAuditor)
	for _, path := range []string{"/admin/policy", "/admin/policy/versions", "/admin/policy/versions/0", "/admin/policy/export", "/admin/policy/import"} {
		if w := auditor.get(path); w.Code != http.StatusForbidden {
			t.Errorf("auditor GET %s: %d, want 403", path, w.Code)
		}
	}
	ps, auditor := newPolicyAdmin(t, RoleAuditor)
	if w := auditor.post("/admin/policy", validForm(0)); w.Code != http.StatusForbidden {
		t.Errorf("auditor POST: %d, want 403", w.Code)
	}
	if w := auditor.post("/admin/policy/versions/0/restore", nil); w.Code != http.StatusForbidden {
		t.Errorf("auditor restore: %d, want 403", w.Code)
	}
	if ps.count() != 0 {
		t.Error("an auditor saved a policy")
	}
	_, anon := newPolicyAdmin(t)
	if w := anon.get("/admin/policy"); w.Code != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want 303 to sign-in", w.Code)
	}
	ps, admin := newPolicyAdmin(t, RoleAdmin)
	form := validForm(0)
	form.Set("_csrf", "wrong")
	if w := admin.postRaw("/admin/policy", form); w.Code != http.StatusForbidden || ps.count() != 0 {
		t.Errorf("post with a wrong CSRF token: %d", w.Code)
	}
}

func TestPolicySave(t *testing.T) {
	ps, tc := newPolicyAdmin(t, RoleAdmin)
	form := validForm(0)
	form.Set("trusted_domains", "Randers.dk\nregionmidtjylland.dk")
	form.Set("rules.bulk_cpr.threshold", "5")
	form.Set("personal_data.cpr_min_confidence", "0,7")
	form.Set("secure.sensitivity_label_id", "8A2B1C3D-0000-4000-8000-00000000ABCD")
	form.Set("exemptions.senders", "direktion@aarhus.dk")
	form.Set("simulation", "on")
	form.Set("override_reason", policy.OverrideRequired)
	form["personal_data.categories"] = []string{"health", "social"}
	w := tc.post("/admin/policy", form)
	wantStatus(t, w, http.StatusSeeOther)
	loc, _ := url.Parse(w.Header().Get("Location"))
	if loc.Path != "/admin/policy" || loc.Query().Get("ok") != "policy-saved" || loc.Query().Get("n") != "1" {
		t.Errorf("redirect to %s", w.Header().Get("Location"))
	}
	pv, p := ps.latest(t)
	if pv.Version != 1 || pv.Author != "dpo@testkommune.dk" || pv.Comment != "Tilpasset til kommunen" {
		t.Errorf("saved %d by %q: %q", pv.Version, pv.Author, pv.Comment)
	}
	if strings.Join(p.TrustedDomains, ",") != "randers.dk,regionmidtjylland.dk" || p.Rules.BulkCPR.Threshold != 5 ||
		p.PersonalData.CPRMinConfidence != 0.7 || p.Secure.SensitivityLabelID != "8a2b1c3d-0000-4000-8000-00000000abcd" ||
		!p.Simulation || p.Exemptions.Senders[0] != "direktion@aarhus.dk" || strings.Join(p.PersonalData.Categories, ",") != "health,social" ||
		p.Secure.AddSubjectTag || !p.Secure.SMIME || p.Messages[policy.CodeBulkCPR] != policy.Default().Messages[policy.CodeBulkCPR] ||
		p.OverrideReason != policy.OverrideRequired {
		t.Errorf("saved policy %+v", p)
	}
	// The page shows the new version and its state; the flash comes from the redirect.
	w = tc.get(loc.String())
	wantBody(t, w, "Politikken er gemt som version 1.", "Simulering", "Tilpasset til kommunen", `value="5"`, "randers.dk\nregionmidtjylland.dk")

	// The next save from version 1 is version 2.
	form = validForm(1)
	form.Set("comment", "Tilbage til standard")
	wantStatus(t, tc.post("/admin/policy", form), http.StatusSeeOther)
	if pv, p := ps.latest(t); pv.Version != 2 || p.Simulation {
		t.Errorf("second save: version %d simulation %v", pv.Version, p.Simulation)
	}
}

func TestPolicySaveInvalid(t *testing.T) {
	tests := []struct {
		name, field, value string
		want               []string // in the body: the error and the kept input
	}{
		{"bad domain", "trusted_domains", "randers dk", []string{"»randers dk« er ikke et domænenavn", ">randers dk</textarea>"}},
		{"threshold 0", "rules.bulk_cpr.threshold", "0", []string{"Skal være mindst 1.", `name="rules.bulk_cpr.threshold" value="0"`}},
		{"threshold not a number", "rules.several_external_citizens.threshold", "to", []string{"Skriv et helt tal.", `value="to"`}},
		{"unknown action", "rules.different_citizen", "stop", []string{"Ukendt handling »stop«"}},
		{"confidence 2", "personal_data.name_min_confidence", "2", []string{"Skal være et tal mellem 0 og 1.", `name="personal_data.name_min_confidence" value="2"`}},
		{"bad GUID", "secure.sensitivity_label_id", "ikke-et-guid", []string{"»ikke-et-guid« er ikke et GUID", `value="ikke-et-guid"`}},
		{"empty comment", "comment", "  ", []string{"Skriv en kommentar til ændringen."}},
		{"bad exempt sender", "exemptions.senders", "direktionen", []string{"»direktionen« er ikke en mailadresse"}},
		{"unknown placeholder", "messages.bulk_cpr", "Der er {antal} CPR-numre", []string{"Ukendt pladsholder {antal}", "Der er {antal} CPR-numre</textarea>"}},
		{"header value missing", "secure.header.value", "", []string{"Skal udfyldes, når der er angivet et headernavn."}},
		{"fail mode allow", "fail_mode", "allow", []string{"Vælg Advarsel eller Blokér."}},
		{"unknown override setting", "override_reason", "always", []string{"Vælg Nej, Valgfri begrundelse eller Begrundelse påkrævet."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, tc := newPolicyAdmin(t, RoleAdmin)
			form := validForm(0)
			form.Set("internal_domains", "aarhus.dk\nmail.aarhus.dk") // another field's input is kept too
			form.Set(tt.field, tt.value)
			w := tc.post("/admin/policy", form)
			wantStatus(t, w, http.StatusBadRequest)
			wantBody(t, w, tt.want...)
			wantBody(t, w, "has-error", `class="field-error" id="`+policyFieldID(tt.field)+`-error"`, ">aarhus.dk\nmail.aarhus.dk</textarea>",
				"Politikken blev ikke gemt")
			if ps.count() != 0 {
				t.Error("an invalid policy was saved")
			}
		})
	}
	// Several errors at once are all shown.
	_, tc := newPolicyAdmin(t, RoleAdmin)
	form := validForm(0)
	form.Set("trusted_domains", "randers dk")
	form.Set("rules.bulk_cpr.threshold", "0")
	form.Set("comment", "")
	w := tc.post("/admin/policy", form)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, w, "3 felter skal rettes", "er ikke et domænenavn", "Skal være mindst 1.", "Skriv en kommentar")
}

func TestPolicySaveConflict(t *testing.T) {
	ps, tc := newPolicyAdmin(t, RoleAdmin)
	if _, err := ps.SavePolicy(context.Background(), policy.DefaultYAML(), "kollega@testkommune.dk", "Andens ændring"); err != nil {
		t.Fatal(err)
	}
	form := validForm(0) // opened before version 1 was saved
	form.Set("rules.bulk_cpr.threshold", "7")
	w := tc.post("/admin/policy", form)
	wantStatus(t, w, http.StatusConflict)
	wantBody(t, w, "version 1 er gemt af kollega@testkommune.dk", `name="base" value="1"`, `name="rules.bulk_cpr.threshold" value="7"`)
	if ps.count() != 1 {
		t.Fatal("saved over a newer version")
	}
	form.Set("base", "1")
	wantStatus(t, tc.post("/admin/policy", form), http.StatusSeeOther)
	if pv, p := ps.latest(t); pv.Version != 2 || p.Rules.BulkCPR.Threshold != 7 {
		t.Errorf("version %d threshold %d", pv.Version, p.Rules.BulkCPR.Threshold)
	}
}

func saveVersions(t *testing.T, tc *testClient, edits ...func(url.Values)) {
	t.Helper()
	for i, edit := range edits {
		form := validForm(i)
		edit(form)
		wantStatus(t, tc.post("/admin/policy", form), http.StatusSeeOther)
	}
}

func TestPolicyVersionsAndDiff(t *testing.T) {
	ps, tc := newPolicyAdmin(t, RoleAdmin)
	saveVersions(t, tc,
		func(v url.Values) { v.Set("comment", "Første") },
		func(v url.Values) {
			v.Set("comment", "Lavere grænse")
			v.Set("rules.bulk_cpr.threshold", "5")
			v.Set("trusted_domains", "randers.dk")
		},
	)
	w := tc.get("/admin/policy/versions")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "Første", "Lavere grænse", "dpo@testkommune.dk", "I kraft", `href="/admin/policy/versions/2"`,
		`action="/admin/policy/versions/1/restore"`, "Sammenlign med forrige", `<th scope="row" class="num">2</th>`)
	if strings.Contains(w.Body.String(), `action="/admin/policy/versions/2/restore"`) {
		t.Error("the version in force can be restored")
	}

	w = tc.get("/admin/policy/versions/2")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, `<div class="del">-    threshold: 10</div>`, `<div class="add">&#43;    threshold: 5</div>`,
		`<div class="add">&#43;  - randers.dk</div>`, `<div class="del">-trusted_domains: []</div>`, `<div class="ctx">@@ -`,
		`<option value="1" selected>Version 1</option>`, "Lavere grænse")
	// Against an explicit version; and no difference.
	w = tc.get("/admin/policy/versions/1?against=2")
	wantBody(t, w, `<div class="add">&#43;    threshold: 10</div>`, `<div class="del">-    threshold: 5</div>`)
	w = tc.get("/admin/policy/versions/1?against=0")
	wantBody(t, w, "Ingen forskel fra standardpolitikken")
	wantStatus(t, tc.get("/admin/policy/versions/9"), http.StatusNotFound)
	wantStatus(t, tc.get("/admin/policy/versions/x"), http.StatusNotFound)
	wantStatus(t, tc.get("/admin/policy/versions/1?against=9"), http.StatusNotFound)
	w = tc.get("/admin/policy/versions/0")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "Standardpolitikken", "# Sendevagt default policy")
	_ = ps
}

func TestPolicyRestore(t *testing.T) {
	ps, tc := newPolicyAdmin(t, RoleAdmin)
	saveVersions(t, tc,
		func(v url.Values) { v.Set("rules.bulk_cpr.threshold", "3") },
		func(v url.Values) { v.Set("rules.bulk_cpr.threshold", "20") },
	)
	w := tc.post("/admin/policy/versions/1/restore", url.Values{"comment": {"Grænsen 20 gav for mange fund"}})
	wantStatus(t, w, http.StatusSeeOther)
	if !strings.Contains(w.Header().Get("Location"), "n=3&ok=policy-saved") {
		t.Errorf("redirect %s", w.Header().Get("Location"))
	}
	pv, p := ps.latest(t)
	v1, _ := ps.GetPolicy(context.Background(), 1)
	if pv.Version != 3 || !bytes.Equal(pv.YAML, v1.YAML) || p.Rules.BulkCPR.Threshold != 3 ||
		pv.Comment != "Gendannet fra version 1: Grænsen 20 gav for mange fund" || pv.Author != "dpo@testkommune.dk" {
		t.Errorf("restored %+v", pv)
	}
	// Restoring the default.
	wantStatus(t, tc.post("/admin/policy/versions/0/restore", nil), http.StatusSeeOther)
	if pv, p := ps.latest(t); pv.Version != 4 || pv.Comment != "Gendannet fra standardpolitikken" || p.Rules.BulkCPR.Threshold != 10 {
		t.Errorf("restored default %+v", pv)
	}
	wantStatus(t, tc.post("/admin/policy/versions/17/restore", nil), http.StatusNotFound)
	// A version this program cannot read is not restored.
	if _, err := ps.SavePolicy(context.Background(), []byte("rulez: {}\n"), "x", "gammel"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, tc.post("/admin/policy/versions/5/restore", nil), http.StatusBadRequest)
}

// multipartBody builds a multipart form with fields and one file.
func multipartBody(t *testing.T, fields map[string]string, fileName, file string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(file))
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.String()
}

func TestPolicyExportImport(t *testing.T) {
	ps, tc := newPolicyAdmin(t, RoleAdmin)
	// Before anything is saved the export is the built-in default, with its comments.
	w := tc.get("/admin/policy/export")
	wantStatus(t, w, http.StatusOK)
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="sendevagt-politik-v0.yaml"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !bytes.Equal(w.Body.Bytes(), policy.DefaultYAML()) {
		t.Error("the default export is not the default policy file")
	}
	saveVersions(t, tc, func(v url.Values) {
		v.Set("rules.bulk_cpr.threshold", "4")
		v.Set("exemptions.domains", "ankestyrelsen.dk")
	})
	w = tc.get("/admin/policy/export?version=1")
	wantStatus(t, w, http.StatusOK)
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="sendevagt-politik-v1.yaml"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	exported := w.Body.String()
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/yaml") || !strings.Contains(exported, "threshold: 4") {
		t.Errorf("export %s:\n%s", w.Header().Get("Content-Type"), exported)
	}
	wantStatus(t, tc.get("/admin/policy/export?version=8"), http.StatusNotFound)

	// Import as an uploaded file.
	ct, body := multipartBody(t, map[string]string{"comment": "Fra testmiljøet", "_csrf": tc.csrf}, "sendevagt-politik-v1.yaml", exported)
	w = tc.postMultipart("/admin/policy/import", ct, body)
	wantStatus(t, w, http.StatusSeeOther)
	pv, p := ps.latest(t)
	if pv.Version != 2 || string(pv.YAML) != exported || pv.Comment != "Fra testmiljøet" || p.Rules.BulkCPR.Threshold != 4 ||
		p.Exemptions.Domains[0] != "ankestyrelsen.dk" {
		t.Errorf("imported %+v", pv)
	}
	// Import from the text area; a partial file keeps the defaults.
	w = tc.post("/admin/policy/import", url.Values{"yaml": {"rules:\n  bulk_cpr:\n    threshold: 6\n"}, "comment": {"Kun grænsen"}})
	wantStatus(t, w, http.StatusSeeOther)
	if pv, p := ps.latest(t); pv.Version != 3 || p.Rules.BulkCPR.Threshold != 6 || p.Rules.DifferentCitizen != policy.Block {
		t.Errorf("imported %+v", pv)
	}
	wantBody(t, tc.get("/admin/policy/import"), "Importér en politik", `enctype="multipart/form-data"`)
}

func TestPolicyImportInvalid(t *testing.T) {
	tests := []struct {
		name, yaml, comment string
		want                []string
	}{
		{"bad value names its line", "name: Test\nrules:\n  bulk_cpr:\n    threshold: 0\n", "x",
			[]string{"Linje 4: rules.bulk_cpr.threshold: Skal være mindst 1.", "threshold: 0\n</textarea>"}},
		{"two problems", "trusted_domains: [\"randers dk\"]\nfail_mode: allow\n", "x",
			[]string{"Linje 1: trusted_domains", "Linje 2: fail_mode"}},
		{"syntax error", "rules: [\n", "x", []string{"YAML-fejl: linje"}},
		{"unknown field", "name: x\nrulez: {}\n", "x", []string{"YAML-fejl: linje 2"}},
		{"empty", "", "x", []string{"Indsæt politikken som YAML, eller vælg en fil."}},
		{"no comment", "name: x\n", "", []string{"Skriv en kommentar til importen.", ">name: x\n</textarea>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, tc := newPolicyAdmin(t, RoleAdmin)
			w := tc.post("/admin/policy/import", url.Values{"yaml": {tt.yaml}, "comment": {tt.comment}})
			wantStatus(t, w, http.StatusBadRequest)
			wantBody(t, w, tt.want...)
			wantBody(t, w, "Politikken blev ikke importeret.")
			if ps.count() != 0 {
				t.Error("saved")
			}
		})
	}
	// A bad uploaded file too.
	ps, tc := newPolicyAdmin(t, RoleAdmin)
	ct, body := multipartBody(t, map[string]string{"comment": "fil", "_csrf": tc.csrf}, "p.yaml", "rules:\n  different_citizen: stop\n")
	w := tc.postMultipart("/admin/policy/import", ct, body)
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, w, "Linje 2: rules.different_citizen: Ukendt handling »stop«")
	if ps.count() != 0 {
		t.Error("saved")
	}
}

func TestPolicyUnifiedDiff(t *testing.T) {
	lines, err := policyUnifiedDiff("a", "b", "x\ny\nz\n", "x\nY\nz\nw")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines {
		got = append(got, l.Class+"|"+l.Text)
	}
	want := "del|--- a\nadd|+++ b\nctx|@@ -1,3 +1,4 @@\nctx| x\ndel|-y\nadd|+Y\nctx| z\nadd|+w"
	if strings.Join(got, "\n") != want {
		t.Errorf("diff\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	if lines, _ := policyUnifiedDiff("a", "b", "x\n", "x\n"); len(lines) != 0 {
		t.Errorf("equal texts: %v", lines)
	}
}
