package extract

import (
	"bytes"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsx reads a workbook with excelize: one page per sheet (hidden sheets too), a line per row,
// cells separated by tabs, each value shown with its cell's number format (so a CPR number stored
// as the number 101901234 with format 0000000000 reads 0101901234, as Excel shows it).
func (w *walker) xlsx(j *job) error {
	p, err := w.openPkg(j)
	if err != nil {
		return err
	}
	// excelize unzips the whole package into memory: check the declared sizes against our limits
	// first (archive/zip fails an entry that decompresses to more than it declares).
	var total int64
	for _, f := range p.zr.File {
		if entryEncrypted(f) {
			return &statusError{Encrypted, "password-protected ZIP entry"}
		}
		if f.UncompressedSize64 > uint64(w.ratioCap(f)) {
			return &statusError{TooLarge, w.ratioDetail()}
		}
		if f.UncompressedSize64 > uint64(w.lim.MaxDocumentBytes) {
			return &statusError{TooLarge, w.docDetail()}
		}
		total += int64(f.UncompressedSize64)
	}
	switch {
	case total > w.lim.MaxDocumentBytes:
		return &statusError{TooLarge, w.docDetail()}
	case total > w.budget:
		return &statusError{TooLarge, w.totalDetail()}
	}
	w.budget -= total
	if !p.has(p.mainPart("xl/workbook.xml")) {
		return errMissing("xl/workbook.xml")
	}
	// The limit is what the entries declare (checked above; excelize enforces it again). Equal
	// limits mean excelize never moves a part to a temporary file: content stays in memory.
	// Zero would mean excelize's default of 16 GB.
	limit := max(total, 1)
	f, err := excelize.OpenReader(bytes.NewReader(j.data), excelize.Options{UnzipSizeLimit: limit, UnzipXMLSizeLimit: limit})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return &statusError{TooLarge, w.docDetail()}
		}
		return err
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		j.s.startPage()
		if j.s.full() {
			break
		}
		rows, err := f.Rows(sheet)
		if err != nil {
			return err
		}
		for n := 0; rows.Next(); n++ {
			if n&255 == 0 && w.ctx.Err() != nil {
				rows.Close()
				return w.ctx.Err()
			}
			cols, err := rows.Columns()
			if err != nil {
				rows.Close()
				return err
			}
			line := cols
			for len(line) > 0 && strings.TrimSpace(line[len(line)-1]) == "" {
				line = line[:len(line)-1]
			}
			if len(line) == 0 {
				continue
			}
			for i, c := range line {
				if i > 0 {
					j.s.writeByte('\t')
				}
				// A line break inside a cell would split the row; keep the row on one line.
				j.s.write(cellLine.Replace(c))
			}
			j.s.writeByte('\n')
			if j.s.full() {
				break
			}
		}
		if err := rows.Error(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
	}
	w.embeddings(j, p, "xl/embeddings/")
	p.xlsxPictures(j)
	return nil
}

var cellLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
