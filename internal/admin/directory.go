package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/directory"
	"github.com/sendevagt/sendevagt/internal/store"
)

// Keys makes the keyed hashes the pages search and import by (package directory's Keys).
type Keys interface {
	CPR(digits string) string
	Email(addr string) string
	// Entries turns an import's accepted rows into directory rows (hashes and masked forms).
	Entries(imp *directory.Import, now, expires time.Time) []store.DirectoryEntry
}

// DirectoryStore keeps the citizen directory (package store). Rows hold keyed hashes and masked
// forms only.
type DirectoryStore interface {
	ImportDirectory(ctx context.Context, entries []store.DirectoryEntry) (int, error)
	ListDirectory(ctx context.Context, f store.DirectoryFilter) ([]store.DirectoryEntry, int, error)
	DeleteDirectoryEntry(ctx context.Context, id int64) error
	DeleteDirectoryByEmail(ctx context.Context, emailHash string) (int, error)
	PurgeDirectory(ctx context.Context, before time.Time) (int, error)
	SetDirectoryRetention(ctx context.Context, retention time.Duration) error
	CountDirectory(ctx context.Context) (int, error)
	GetSetting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Directory settings and limits.
const (
	retentionSetting = "directory.retention_days"
	// defaultRetentionDays applies until an administrator sets the retention.
	defaultRetentionDays = 365
	maxRetentionDays     = 3650
	maxDirectoryUpload   = 20 << 20
	directoryPageSize    = 50
)

func (a *Admin) directoryRoutes(g *echo.Group) {
	if a.cfg.Directory == nil {
		return
	}
	if a.cfg.Keys == nil {
		a.cfg.Logger.Warn("admin: the citizen directory needs Keys; its pages are not mounted")
		return
	}
	g.GET("/directory", a.directoryPage, a.requireAdmin)
	g.POST("/directory/import", a.directoryImport, a.requireAdmin)
	g.POST("/directory/retention", a.directoryRetention, a.requireAdmin)
	g.POST("/directory/delete-by-email", a.directoryDeleteByEmail, a.requireAdmin)
	g.POST("/directory/:id/delete", a.directoryDelete, a.requireAdmin)
}

// PurgeDirectory deletes the directory rows whose retention has run out. The pages call it on
// every view and import; the service should also call it periodically (e.g. hourly).
func (a *Admin) PurgeDirectory(ctx context.Context) (int, error) {
	if a.cfg.Directory == nil {
		return 0, nil
	}
	return a.cfg.Directory.PurgeDirectory(ctx, a.cfg.Now())
}

// directoryView is the page's data.
type directoryView struct {
	Count         int
	RetentionDays int
	Retention     string // the retention field as typed
	Purged        int
	Email         string // the address searched for
	Entries       []store.DirectoryEntry
	Total         int
	Page, Pages   int
	PrevURL       string
	NextURL       string
	Report        *directory.Report
	Errors        map[string]string // field → message
}

func (a *Admin) directoryPage(c echo.Context) error {
	v := &directoryView{Errors: map[string]string{}}
	return a.renderDirectory(c, http.StatusOK, v, "")
}

// renderDirectory fills in the counts, the settings and the list, and renders the page.
func (a *Admin) renderDirectory(c echo.Context, status int, v *directoryView, flash string) error {
	ctx := c.Request().Context()
	n, err := a.PurgeDirectory(ctx)
	if err != nil {
		return err
	}
	v.Purged += n
	if v.RetentionDays, err = a.retentionDays(ctx); err != nil {
		return err
	}
	if v.Retention == "" {
		v.Retention = strconv.Itoa(v.RetentionDays)
	}
	if v.Count, err = a.cfg.Directory.CountDirectory(ctx); err != nil {
		return err
	}
	v.Email = strings.TrimSpace(c.QueryParam("email"))
	v.Page = pageParam(c.QueryParam("side"))
	f := store.DirectoryFilter{Limit: directoryPageSize, Offset: (v.Page - 1) * directoryPageSize}
	if v.Email != "" {
		f.EmailHash = a.cfg.Keys.Email(v.Email)
	}
	if v.Entries, v.Total, err = a.cfg.Directory.ListDirectory(ctx, f); err != nil {
		return err
	}
	v.Pages = max(1, (v.Total+directoryPageSize-1)/directoryPageSize)
	if v.Page > 1 {
		v.PrevURL = "/admin/directory?" + pageQuery(v.Email, v.Page-1)
	}
	if v.Page < v.Pages {
		v.NextURL = "/admin/directory?" + pageQuery(v.Email, v.Page+1)
	}
	return a.render(c, status, "directory.html", Page{Title: "Borgerregister", Section: "directory", Flash: flash, Data: v})
}

func pageQuery(email string, page int) string {
	q := "side=" + strconv.Itoa(page)
	if email != "" {
		q = "email=" + url.QueryEscape(email) + "&" + q
	}
	return q
}

func (a *Admin) retentionDays(ctx context.Context) (int, error) {
	s, err := a.cfg.Directory.GetSetting(ctx, retentionSetting)
	if errors.Is(err, store.ErrNotFound) {
		return defaultRetentionDays, nil
	}
	if err != nil {
		return 0, err
	}
	d, err := strconv.Atoi(s)
	if err != nil || d < 0 {
		return defaultRetentionDays, nil
	}
	return d, nil
}

func (a *Admin) directoryImport(c echo.Context) error {
	r := c.Request()
	v := &directoryView{Errors: map[string]string{}}
	if r.ContentLength > maxDirectoryUpload+1<<20 {
		return apperr.Errorf(apperr.TooLarge, "Filen er større end %d MB. Del den op i flere filer.", maxDirectoryUpload>>20)
	}
	if r.MultipartForm == nil {
		r.Body = http.MaxBytesReader(c.Response(), r.Body, maxDirectoryUpload+1<<20)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Errorf(apperr.TooLarge, "Filen er større end %d MB. Del den op i flere filer.", maxDirectoryUpload>>20)
		}
		v.Errors["file"] = "Vælg en CSV-fil at importere."
		return a.renderDirectory(c, http.StatusUnprocessableEntity, v, "")
	}
	if fh.Size > maxDirectoryUpload {
		return apperr.Errorf(apperr.TooLarge, "Filen er større end %d MB. Del den op i flere filer.", maxDirectoryUpload>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxDirectoryUpload+1))
	_ = f.Close()
	if err != nil {
		return err
	}
	parsed, err := directory.Parse(data)
	if err != nil {
		v.Errors["file"] = err.Error()
		return a.renderDirectory(c, http.StatusUnprocessableEntity, v, "")
	}
	ctx := r.Context()
	if _, err := a.PurgeDirectory(ctx); err != nil {
		return err
	}
	days, err := a.retentionDays(ctx)
	if err != nil {
		return err
	}
	now := a.cfg.Now().UTC()
	rep := &parsed.Report
	rep.Source = directory.CleanSource(fh.Filename) // shown in this answer only; never stored
	if days > 0 {
		rep.ExpiresAt = now.Add(time.Duration(days) * 24 * time.Hour)
	}
	entries := a.cfg.Keys.Entries(parsed, now, rep.ExpiresAt)
	if _, err := a.cfg.Directory.ImportDirectory(ctx, entries); err != nil {
		return err
	}
	rep.Imported = len(entries) + rep.Duplicates
	v.Report = rep
	flash := fmt.Sprintf("%d rækker importeret, %d afvist.", rep.Imported, rep.Rejected)
	a.cfg.Logger.Info("admin: citizen directory imported", "by", userOf(c).Author(),
		"imported", rep.Imported, "rejected", rep.Rejected)
	return a.renderDirectory(c, http.StatusOK, v, flash)
}

func (a *Admin) directoryRetention(c echo.Context) error {
	raw := strings.TrimSpace(c.FormValue("days"))
	d, err := strconv.Atoi(raw)
	if err != nil || d < 0 || d > maxRetentionDays {
		v := &directoryView{Errors: map[string]string{
			"days": fmt.Sprintf("Angiv et helt antal dage mellem 0 og %d (0 = indtil rækkerne slettes).", maxRetentionDays)},
			Retention: raw}
		return a.renderDirectory(c, http.StatusUnprocessableEntity, v, "")
	}
	ctx := c.Request().Context()
	if err := a.cfg.Directory.SetSetting(ctx, retentionSetting, strconv.Itoa(d)); err != nil {
		return err
	}
	if err := a.cfg.Directory.SetDirectoryRetention(ctx, time.Duration(d)*24*time.Hour); err != nil {
		return err
	}
	return redirect(c, "/admin/directory?"+flashQuery(flashRetentionSet, d))
}

func (a *Admin) directoryDelete(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return badRequest("Ukendt række.")
	}
	if err := a.cfg.Directory.DeleteDirectoryEntry(c.Request().Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Errorf(apperr.NotFound, "Rækken findes ikke (den er måske allerede slettet).")
		}
		return err
	}
	return redirect(c, "/admin/directory?"+flashQuery(flashRowDeleted, 0))
}

func (a *Admin) directoryDeleteByEmail(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	if email == "" {
		return badRequest("Angiv den e-mailadresse, hvis rækker skal slettes.")
	}
	n, err := a.cfg.Directory.DeleteDirectoryByEmail(c.Request().Context(), a.cfg.Keys.Email(email))
	if err != nil {
		return err
	}
	return redirect(c, "/admin/directory?"+flashQuery(flashRowsDeleted, n))
}
