package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/onsend"
)

// Console scans an uploaded message as Outlook would (package onsend): the same pipeline and
// response as on Send, with only an audit line marked as a test stored.
type Console interface {
	Console(ctx context.Context, user onsend.ConsoleUser, msg *message.Message) (*onsend.Response, error)
}

// maxConsoleUpload bounds one test-console upload (all files together).
const maxConsoleUpload = 35 << 20

// noRecipient is the recipient of files uploaded without one: an external citizen.
const noRecipient = "ukendt@ekstern.invalid"

func (a *Admin) consoleRoutes(g *echo.Group) {
	if a.cfg.Console == nil {
		return
	}
	g.GET("/console", a.consolePage, a.requireAdmin)
	g.POST("/console", a.consoleScan, a.requireAdmin)
}

// consoleView is the page's data: the form as typed and, after a scan, the verdict.
type consoleView struct {
	From, To, Cc, Subject string
	Errors                map[string]string
	Result                *consoleResult
}

// consoleResult is a verdict as the add-in received it, prepared for the page.
type consoleResult struct {
	Resp        *onsend.Response
	Action      string
	Files       []string
	Whole       bool // an .eml/.msg: the message as it was
	NoRecipient bool
	Incomplete  bool
	Findings    []consoleFinding
	JSON        string
}

type consoleFinding struct {
	Kind, Document, Masked, Category string
	Page                             int
	Confidence                       float64
}

func (a *Admin) consolePage(c echo.Context) error {
	return a.renderConsole(c, http.StatusOK, &consoleView{Errors: map[string]string{}})
}

func (a *Admin) renderConsole(c echo.Context, status int, v *consoleView) error {
	return a.render(c, status, "console.html", Page{Title: "Testkonsol", Section: "console", Data: v})
}

func tooLarge() error {
	return apperr.Errorf(apperr.TooLarge, "Filerne fylder mere end %d MB. Testkonsollen kontrollerer højst %d MB ad gangen.",
		maxConsoleUpload>>20, maxConsoleUpload>>20)
}

func (a *Admin) consoleScan(c echo.Context) error {
	r := c.Request()
	// The form is read here unless the CSRF check read it already (token in a form field).
	if r.ContentLength > maxConsoleUpload+1<<20 {
		return tooLarge()
	}
	if r.MultipartForm == nil {
		r.Body = http.MaxBytesReader(c.Response(), r.Body, maxConsoleUpload+1<<20)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge()
			}
			return badRequest("Formularen kunne ikke læses. Vælg filerne igen og prøv igen.")
		}
	}
	form := r.MultipartForm
	if form == nil {
		return badRequest("Formularen skal sendes som multipart/form-data.")
	}
	v := &consoleView{
		From: strings.TrimSpace(c.FormValue("from")), To: strings.TrimSpace(c.FormValue("to")),
		Cc: strings.TrimSpace(c.FormValue("cc")), Subject: strings.TrimSpace(c.FormValue("subject")),
		Errors: map[string]string{},
	}
	files := form.File["files"]
	var total int64
	for _, fh := range files {
		total += fh.Size
	}
	if total > maxConsoleUpload {
		return tooLarge()
	}
	from, err := parseAddressList(v.From)
	if err != nil || len(from) > 1 {
		v.Errors["from"] = "Angiv én gyldig afsenderadresse, fx navn@kommune.dk."
	}
	to, err := parseAddressList(v.To)
	if err != nil {
		v.Errors["to"] = "En af adresserne er ikke gyldig. Adskil flere adresser med komma."
	}
	cc, err := parseAddressList(v.Cc)
	if err != nil {
		v.Errors["cc"] = "En af adresserne er ikke gyldig. Adskil flere adresser med komma."
	}
	if len(files) == 0 {
		v.Errors["files"] = "Vælg en .eml- eller .msg-fil, eller de filer der skal vedhæftes."
	}
	var msg *message.Message
	res := &consoleResult{}
	if len(v.Errors) == 0 {
		msg, err = consoleMessage(files, res)
		if err != nil {
			v.Errors["files"] = err.Error()
		}
	}
	if len(v.Errors) > 0 {
		return a.renderConsole(c, http.StatusUnprocessableEntity, v)
	}
	if len(from) == 1 {
		msg.From = from[0]
	}
	if len(to)+len(cc) > 0 {
		msg.To, msg.Cc, msg.Bcc = to, cc, nil
	}
	if v.Subject != "" {
		msg.Subject = v.Subject
	}
	if len(msg.Recipients()) == 0 {
		msg.To = []message.Address{{Address: noRecipient}}
		res.NoRecipient = true
	}
	u := userOf(c)
	resp, err := a.cfg.Console.Console(r.Context(), onsend.ConsoleUser{TenantID: u.TenantID, ObjectID: u.Subject, UPN: u.Email}, msg)
	if err != nil {
		return err
	}
	res.Resp, res.Action = resp, string(resp.Action)
	for _, f := range resp.Findings {
		res.Findings = append(res.Findings, consoleFinding{Kind: kindLabel(f.Kind), Document: f.Document, Masked: f.Masked,
			Category: f.Category, Page: f.Page, Confidence: f.Confidence})
	}
	js, err := json.MarshalIndent(resp, "", "  ")
	if err != nil {
		return err
	}
	res.JSON = string(js)
	v.Result = res
	a.cfg.Logger.Info("admin: test console scan", "by", u.Author(), "scan_id", resp.ScanID, "action", res.Action)
	return a.renderConsole(c, http.StatusOK, v)
}

// consoleMessage builds the message to scan: one .eml or .msg file is a whole message; other
// files are the attachments of a message built from the form's fields (as the command line
// does). The error text is Danish and safe to show.
func consoleMessage(files []*multipart.FileHeader, res *consoleResult) (*message.Message, error) {
	whole := 0
	for _, fh := range files {
		res.Files = append(res.Files, filepath.Base(fh.Filename))
		if isMessageFile(fh.Filename) {
			whole++
		}
	}
	if whole > 0 && len(files) > 1 {
		return nil, errors.New("Vælg enten én .eml- eller .msg-fil (en hel mail) eller en eller flere andre filer, der skal vedhæftes.")
	}
	if whole == 1 {
		res.Whole = true
		data, err := readUpload(files[0])
		if err != nil {
			return nil, err
		}
		parse := message.Parse
		if strings.EqualFold(filepath.Ext(files[0].Filename), ".msg") {
			parse = message.ParseMSG
		}
		m, err := parse(data)
		if m == nil {
			return nil, errors.New("Filen kunne ikke læses som en mail. Gem mailen som .eml eller .msg og prøv igen.")
		}
		if err != nil {
			m.Incomplete = err.Error()
			res.Incomplete = true
		}
		return m, nil
	}
	m := &message.Message{}
	for _, fh := range files {
		data, err := readUpload(fh)
		if err != nil {
			return nil, err
		}
		m.Attachments = append(m.Attachments, message.Attachment{Name: filepath.Base(fh.Filename), ContentType: uploadType(fh), Data: data})
	}
	return m, nil
}

func isMessageFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".eml" || ext == ".msg"
}

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("Filen %s kunne ikke læses.", filepath.Base(fh.Filename))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConsoleUpload+1))
	if err != nil {
		return nil, fmt.Errorf("Filen %s kunne ikke læses.", filepath.Base(fh.Filename))
	}
	return data, nil
}

// uploadType is the media type of an uploaded file: from its extension, else what the browser
// said, without parameters and lower case.
func uploadType(fh *multipart.FileHeader) string {
	ct := mime.TypeByExtension(filepath.Ext(fh.Filename))
	if ct == "" {
		ct = fh.Header.Get("Content-Type")
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return strings.ToLower(mt)
	}
	return ""
}

// parseAddressList reads "Navn <a@b.dk>, c@d.dk" (commas or semicolons).
func parseAddressList(s string) ([]message.Address, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ";", ","))
	if s == "" {
		return nil, nil
	}
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return nil, err
	}
	out := make([]message.Address, len(list))
	for i, a := range list {
		out[i] = message.Address{Name: a.Name, Address: a.Address}
	}
	return out, nil
}

func kindLabel(k string) string {
	switch k {
	case "cpr":
		return "CPR-nummer"
	case "name":
		return "Navn"
	case "address":
		return "Adresse"
	case "sensitive":
		return "Følsom oplysning"
	}
	return k
}
