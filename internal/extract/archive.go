package extract

import (
	"archive/zip"
	"errors"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// zip reads an archive: its own page lists the entry names (a file name can carry a CPR number);
// every file entry becomes a nested Document named "archive.zip/dir/file.pdf", extracted
// recursively. Limits: MaxEntries entries, MaxDocumentBytes per entry, MaxRatio per entry above a
// 1 MiB floor, MaxTotalBytes across the whole Extract call, MaxDepth of nesting. Encrypted
// entries are reported as such and the others are still read. Entry names are only names:
// nothing is written to disk.
func (w *walker) zip(j *job) error {
	zr := j.zr
	if zr == nil {
		var err error
		zr, err = openZip(j.data)
		if err != nil {
			return err
		}
	}
	files := zr.File
	tooMany := len(files) > w.lim.MaxEntries
	if tooMany {
		files = files[:w.lim.MaxEntries]
	}
	for _, f := range files {
		j.s.write(entryName(f))
		j.s.writeByte('\n')
	}
	for _, f := range files {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if skipEntry(f) {
			continue
		}
		w.entry(j, f)
	}
	if tooMany {
		return &statusError{TooLarge, w.entriesDetail()}
	}
	return nil
}

// entry extracts one archive entry as a nested document of j.
func (w *walker) entry(j *job, f *zip.File) {
	name := j.name + "/" + entryName(f)
	docLeft := w.lim.MaxDocumentBytes
	data, err := w.readEntry(f, &docLeft)
	if err != nil {
		var se *statusError
		st, detail := Unscannable, "corrupt ZIP entry: "+errSummary(err)
		switch {
		case errors.As(err, &se):
			st, detail = se.status, se.detail
		case w.ctx.Err() != nil:
			detail = ctxDetail(w.ctx, w.lim)
		}
		w.docs = append(w.docs, Document{Name: name, Type: quickType(entryName(f), "", nil), Status: st, Detail: detail, Depth: j.depth + 1})
		return
	}
	w.document(name, "", data, j.depth+1)
}

// entryName is the entry's name as UTF-8. Names not marked UTF-8 are in the archiver's DOS code
// page; Danish Windows uses 850 (where ø is 0x9B), which we assume.
func entryName(f *zip.File) string {
	if utf8.ValidString(f.Name) {
		return f.Name
	}
	if s, err := charmap.CodePage850.NewDecoder().String(f.Name); err == nil {
		return s
	}
	return strings.ToValidUTF8(f.Name, "\uFFFD")
}

// embedded extracts the files embedded in an OOXML document (an Excel sheet in a Word letter, a
// PDF in a presentation, an OLE object such as oleObject1.bin carrying a packaged file or an
// Excel 97-2003 workbook) from dir ("word/embeddings/") as nested documents; what they are is
// sniffed from their bytes, not their names. Images are left out (they are read with the
// document's media). It reports whether it had to skip embeddings because the document is
// already at MaxDepth.
func (w *walker) embedded(j *job, p *pkg, dir string) (skipped bool) {
	for _, f := range p.zr.File {
		if !strings.HasPrefix(strings.ToLower(f.Name), dir) || strings.HasSuffix(f.Name, "/") {
			continue
		}
		if extType(f.Name) == "image" {
			continue
		}
		if j.depth >= w.lim.MaxDepth {
			return true
		}
		if w.ctx.Err() != nil {
			return false
		}
		w.entry(j, f)
	}
	return false
}

// skipEntry leaves out directories and the metadata files archivers add (macOS resource forks,
// Finder and Explorer caches), which hold no document content.
func skipEntry(f *zip.File) bool {
	if strings.HasSuffix(f.Name, "/") || f.FileInfo().IsDir() {
		return true
	}
	n := strings.ReplaceAll(f.Name, "\\", "/")
	if strings.HasPrefix(n, "__MACOSX/") || strings.Contains(n, "/__MACOSX/") {
		return true
	}
	switch strings.ToLower(path.Base(n)) {
	case ".ds_store", "thumbs.db", "desktop.ini":
		return true
	}
	return false
}
