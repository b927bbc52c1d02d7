package pdf

import (
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"encoding/ascii85"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Stream filters the library lacks. Its Value.Reader decodes FlateDecode (without a predictor or
// with PNG-Up only) and ASCII85Decode, and panics on anything else: a content stream in
// LZWDecode (older writers), ASCIIHexDecode, RunLengthDecode or with a predictor other than 12
// left the whole page unread. pdfRawStream reads such a stream's bytes from the file itself (the
// library prints a stream as its dictionary and "@offset") and decodes them here. Not for
// encrypted files: their raw bytes would need decrypting first.

const pdfMaxFilters = 8

var errPDFFilter = errors.New("unsupported stream filter")

// pdfRawStream decodes stream v of a file read through raw, at most max bytes.
func pdfRawStream(raw io.ReaderAt, size int64, v pdf.Value, max int) ([]byte, error) {
	s := v.String()
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return nil, errPDFFilter
	}
	off, err := strconv.ParseInt(s[at+1:], 10, 64)
	length := v.Key("Length").Int64()
	if err != nil || off < 0 || length <= 0 || off >= size {
		return nil, errPDFFilter
	}
	if off+length > size {
		length = size - off
	}
	var rd io.Reader = io.NewSectionReader(raw, off, length)
	filters, params := v.Key("Filter"), v.Key("DecodeParms")
	var names []string
	var parms []pdf.Value
	switch filters.Kind() {
	case pdf.Name:
		names, parms = []string{filters.Name()}, []pdf.Value{params}
	case pdf.Array:
		for i := 0; i < filters.Len() && i < pdfMaxFilters; i++ {
			names = append(names, filters.Index(i).Name())
			parms = append(parms, params.Index(i))
		}
	}
	for i, name := range names {
		if rd, err = pdfFilter(rd, name, parms[i]); err != nil {
			return nil, err
		}
	}
	data, err := io.ReadAll(io.LimitReader(rd, int64(max)+1))
	if len(data) > max {
		data = data[:max]
	}
	return data, err
}

func pdfFilter(rd io.Reader, name string, parm pdf.Value) (io.Reader, error) {
	switch name {
	case "FlateDecode", "Fl":
		zr, err := zlib.NewReader(rd)
		if err != nil {
			return nil, fmt.Errorf("flate: %w", err)
		}
		return pdfPredict(zr, parm)
	case "LZWDecode", "LZW":
		if parm.Key("EarlyChange").Kind() == pdf.Integer && parm.Key("EarlyChange").Int64() == 0 {
			return nil, errPDFFilter // compress/lzw implements the PDF default (early change) only
		}
		return pdfPredict(lzw.NewReader(rd, lzw.MSB, 8), parm)
	case "ASCIIHexDecode", "AHx":
		return pdfHexReader(rd)
	case "ASCII85Decode", "A85":
		data, err := io.ReadAll(io.LimitReader(rd, pdfMaxContentBytes))
		if err != nil {
			return nil, err
		}
		if i := bytes.Index(data, []byte("~>")); i >= 0 {
			data = data[:i]
		}
		data = bytes.TrimPrefix(bytes.TrimSpace(data), []byte("<~"))
		return ascii85.NewDecoder(bytes.NewReader(data)), nil
	case "RunLengthDecode", "RL":
		return pdfRunLength(rd)
	}
	return nil, errPDFFilter
}

// pdfPredict undoes a PNG predictor (10–15: one filter byte per row) or none (1); the TIFF
// predictor (2) is not used for text.
func pdfPredict(rd io.Reader, parm pdf.Value) (io.Reader, error) {
	pred := parm.Key("Predictor").Int64()
	if pred <= 1 {
		return rd, nil
	}
	if pred < 10 {
		return nil, errPDFFilter
	}
	colors, bpc, columns := parm.Key("Colors").Int64(), parm.Key("BitsPerComponent").Int64(), parm.Key("Columns").Int64()
	if colors <= 0 {
		colors = 1
	}
	if bpc <= 0 {
		bpc = 8
	}
	if columns <= 0 {
		columns = 1
	}
	bpp := int((colors*bpc + 7) / 8)
	row := int((colors*bpc*columns + 7) / 8)
	if row <= 0 || row > 1<<20 || bpp > 64 {
		return nil, errPDFFilter
	}
	data, err := io.ReadAll(io.LimitReader(rd, pdfMaxContentBytes))
	if err != nil && len(data) == 0 {
		return nil, err
	}
	out := make([]byte, 0, len(data))
	prev := make([]byte, row)
	cur := make([]byte, row)
	for p := 0; p+1 <= len(data); p += row + 1 {
		ft := data[p]
		n := copy(cur, data[p+1:min(len(data), p+1+row)])
		for i := n; i < row; i++ {
			cur[i] = 0
		}
		for i := 0; i < row; i++ {
			var a, c byte
			if i >= bpp {
				a, c = cur[i-bpp], prev[i-bpp]
			}
			b := prev[i]
			switch ft {
			case 1:
				cur[i] += a
			case 2:
				cur[i] += b
			case 3:
				cur[i] += byte((int(a) + int(b)) / 2)
			case 4:
				cur[i] += pdfPaeth(a, b, c)
			}
		}
		out = append(out, cur[:n]...)
		prev, cur = cur, prev
	}
	return bytes.NewReader(out), nil
}

func pdfPaeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := p-int(a), p-int(b), p-int(c)
	if pa < 0 {
		pa = -pa
	}
	if pb < 0 {
		pb = -pb
	}
	if pc < 0 {
		pc = -pc
	}
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func pdfHexReader(rd io.Reader) (io.Reader, error) {
	data, err := io.ReadAll(io.LimitReader(rd, 2*pdfMaxContentBytes))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)/2)
	hi := -1
	for _, c := range data {
		if c == '>' {
			break
		}
		v := pdfUnhex(c)
		if v < 0 {
			continue
		}
		if hi < 0 {
			hi = v
			continue
		}
		out = append(out, byte(hi<<4|v))
		hi = -1
	}
	if hi >= 0 {
		out = append(out, byte(hi<<4))
	}
	return bytes.NewReader(out), nil
}

func pdfRunLength(rd io.Reader) (io.Reader, error) {
	data, err := io.ReadAll(io.LimitReader(rd, pdfMaxContentBytes))
	if err != nil {
		return nil, err
	}
	var out []byte
	for p := 0; p < len(data) && len(out) < pdfMaxContentBytes; {
		n := int(data[p])
		p++
		switch {
		case n == 128:
			return bytes.NewReader(out), nil
		case n < 128:
			end := min(len(data), p+n+1)
			out = append(out, data[p:end]...)
			p = end
		default:
			if p < len(data) {
				out = append(out, bytes.Repeat(data[p:p+1], 257-n)...)
				p++
			}
		}
	}
	return bytes.NewReader(out), nil
}
