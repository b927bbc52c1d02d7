package admin

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/sendevagt/sendevagt/internal/directory"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// directoryAdmin builds the pages on a real SQLite store (the DPO test reads its file).
func directoryAdmin(t *testing.T, now func() time.Time) (*store.Store, string, *testClient) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sendevagt.db")
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	_, tc := newTestAdmin(t, Config{Directory: st, Keys: directory.NewKeys(storetest.Hasher(t)), Now: now}, RoleAdmin)
	return st, path, tc
}

// upload posts a file to the import form.
func upload(tc *testClient, name string, data []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return tc.postMultipart("/admin/directory/import", mw.FormDataContentType(), body.String())
}

// Synthetic citizens.
const directoryCSV = "e-mail;cpr;navn\n" +
	"jens.hansen@gmail.com;010190-1234;Jens Hansen\n" + // fails modulus 11: accepted with a note
	"karen.olsen@hotmail.com;0708814318;Karen Olsen\n" +
	"ikke-en-adresse;0101901234;Per Nielsen\n" +
	"per@example.dk;310290-1234;Per Nielsen\n" + // 31 February
	"per@example.dk;12345;Per Nielsen\n" +
	";0101901234;Ingen Adresse\n" +
	"\n" +
	"søren.østergård@example.dk;1503671234;Søren Østergård\n"

func TestDirectoryImport(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		data      []byte
		status    int
		wantBody  []string
		imported  int
		forbidden []string
	}{
		{"semicolon, UTF-8", []byte(directoryCSV), 200,
			[]string{"3 rækker importeret, 4 afvist.", "E-mailadressen er ikke gyldig.", "CPR-nummerets fødselsdato findes ikke.",
				"CPR-nummeret skal være 10 cifre", "E-mailadressen mangler.", "modulus 11", "<td class=\"num\">4</td>", "adskilt med semikolon"},
			3, []string{"ikke-en-adresse", "310290", "Ingen Adresse"}},
		{"comma, BOM, English headers", append([]byte("\xef\xbb\xbf"), "Email,CPR-nummer,Name\n\"jens.hansen@gmail.com\",0101901234,\"Hansen, Jens\"\n"...), 200,
			[]string{"1 rækker importeret, 0 afvist.", "UTF-8 med BOM", "adskilt med komma"}, 1, nil},
		{"windows-1252", func() []byte {
			b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte("mail;personnummer;navn\nsoeren@example.dk;1503671234;Søren Ærbø\n"))
			return b
		}(), 200, []string{"1 rækker importeret, 0 afvist.", "Windows-1252", "S. Æ."}, 1, nil},
		{"no name column", []byte("email;cpr\nx@example.dk;0101901234\n"), 200, []string{"1 rækker importeret", "ingen navnekolonne"}, 1, nil},
		{"missing cpr column", []byte("e-mail;navn\nx@example.dk;Jens Hansen\n"), 422, []string{"Kolonnen cpr mangler."}, 0, nil},
		{"empty file", nil, 422, []string{"Filen er tom."}, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _, c := directoryAdmin(t, func() time.Time { return now })
			w := upload(c, "borgere.csv", tc.data)
			wantStatus(t, w, tc.status)
			wantBody(t, w, tc.wantBody...)
			for _, s := range tc.forbidden {
				if strings.Contains(w.Body.String(), s) {
					t.Errorf("the report shows a value from the file: %q", s)
				}
			}
			if n, _ := st.CountDirectory(t.Context()); n != tc.imported {
				t.Errorf("%d rows stored, want %d", n, tc.imported)
			}
		})
	}
}

// The database file holds no address, CPR number or name in plain text, and the identity check
// finds the imported citizens through the lookup.
func TestDirectoryNoPlainValues(t *testing.T) {
	st, path, c := directoryAdmin(t, time.Now)
	wantStatus(t, upload(c, "borgere.csv", []byte(directoryCSV)), 200)
	db := storetest.DatabaseFiles(t, path)
	for _, v := range []string{"jens.hansen", "gmail.com\x00", "karen.olsen", "0101901234", "010190-1234", "0708814318",
		"Jens Hansen", "Karen Olsen", "Hansen", "Olsen", "Østergård", "oestergaard", "1503671234"} {
		if bytes.Contains(db, []byte(v)) {
			t.Errorf("the database file holds %q", v)
		}
	}
	w := c.get("/admin/directory")
	wantStatus(t, w, 200)
	wantBody(t, w, "j…n@gmail.com", "010190-xxxx", "J. H.", "k…n@hotmail.com", "3</div>")
	for _, v := range []string{"jens.hansen@", "0101901234", "Jens Hansen"} {
		if strings.Contains(w.Body.String(), v) {
			t.Errorf("the page shows %q", v)
		}
	}

	h := storetest.Hasher(t)
	got, err := directory.NewLookup(st, h).Lookup(t.Context(), []string{"jens.hansen@gmail.com", "ukendt@example.dk"})
	if err != nil {
		t.Fatal(err)
	}
	want := []scan.DirectoryEntry{{CPRHash: scan.HashCPR(h, "0101901234"), NameHash: scan.HashName(h, "Jens Hansen")}}
	if len(got) != 1 || fmt.Sprint(got["jens.hansen@gmail.com"]) != fmt.Sprint(want) {
		t.Errorf("Lookup = %v, want %v for jens.hansen@gmail.com only", got, want)
	}

	// Search by address, then delete.
	w = c.get("/admin/directory?email=" + url.QueryEscape("Karen.Olsen@hotmail.com"))
	wantBody(t, w, "1 rækker for den søgte adresse", "k…n@hotmail.com")
	if strings.Contains(w.Body.String(), "j…n@gmail.com</td>") {
		t.Error("search shows other addresses")
	}
	rows, _, _ := st.ListDirectory(t.Context(), store.DirectoryFilter{EmailHash: scan.HashEmail(h, "karen.olsen@hotmail.com")})
	if len(rows) != 1 {
		t.Fatalf("rows for karen: %d", len(rows))
	}
	w = c.post(fmt.Sprintf("/admin/directory/%d/delete", rows[0].ID), nil)
	wantStatus(t, w, http.StatusSeeOther)
	if w = c.post(fmt.Sprintf("/admin/directory/%d/delete", rows[0].ID), nil); w.Code != http.StatusNotFound {
		t.Errorf("deleting twice: %d, want 404", w.Code)
	}
	wantStatus(t, c.post("/admin/directory/delete-by-email", url.Values{"email": {"JENS.HANSEN@gmail.com"}}), http.StatusSeeOther)
	if n, _ := st.CountDirectory(t.Context()); n != 1 {
		t.Errorf("%d rows left, want 1", n)
	}
}

func TestDirectoryRetention(t *testing.T) {
	clock := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	st, _, c := directoryAdmin(t, func() time.Time { return clock })
	wantStatus(t, c.post("/admin/directory/retention", url.Values{"days": {"-1"}}), http.StatusUnprocessableEntity)
	wantStatus(t, c.post("/admin/directory/retention", url.Values{"days": {"30"}}), http.StatusSeeOther)
	if v, _ := st.GetSetting(t.Context(), retentionSetting); v != "30" {
		t.Errorf("retention setting %q", v)
	}
	w := upload(c, "borgere.csv", []byte(directoryCSV))
	wantBody(t, w, "13-04-2026")
	clock = clock.Add(29 * 24 * time.Hour)
	wantBody(t, c.get("/admin/directory"), "3</div>")
	clock = clock.Add(2 * 24 * time.Hour)
	w = c.get("/admin/directory")
	wantBody(t, w, "3 rækker havde overskredet opbevaringstiden", "0</div>")
	if n, _ := st.CountDirectory(t.Context()); n != 0 {
		t.Errorf("%d rows after retention, want 0", n)
	}
	// Auditors may not see or change the directory.
	_, auditor := newTestAdmin(t, Config{Directory: st, Keys: directory.NewKeys(storetest.Hasher(t))}, RoleAuditor)
	wantStatus(t, auditor.get("/admin/directory"), http.StatusForbidden)
}
