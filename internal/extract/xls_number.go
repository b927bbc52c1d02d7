package extract

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// number renders a numeric cell: integers without decimals, a number shown through an all-zero
// custom format ("0000000000", "000000-0000") padded as Excel shows it, so that a CPR number
// stored as a number reads as one.
// A number shown through a date or time format reads as a Danish date (02-01-2006) and time.
func (x *xlsBook) number(v float64, ixfe uint16) string {
	if int(ixfe) < len(x.xfs) {
		id := x.xfs[ixfe]
		f, custom := x.formats[id]
		if custom {
			if s, ok := zeroPadFormat(v, f); ok {
				return s
			}
		}
		if date, clock := dateFormat(id, f, custom); date || clock {
			if s, ok := excelDate(v, date, clock, x.date1904); ok {
				return s
			}
		}
	}
	return generalNumber(v)
}

// dateFormat says whether a number format shows a date, a time of day, or both: the built-in
// formats 14–22 and 45–47, or a format whose only letters are date and time codes (y, m, d, h,
// s, AM/PM) outside quotes, escapes and brackets.
func dateFormat(id uint16, format string, custom bool) (date, clock bool) {
	if !custom {
		switch {
		case id >= 14 && id <= 17:
			return true, false
		case id >= 18 && id <= 21, id >= 45 && id <= 47:
			return false, true
		case id == 22:
			return true, true
		}
		return false, false
	}
	sec, _, _ := strings.Cut(format, ";")
	for i := 0; i < len(sec); i++ {
		switch c := sec[i] | 0x20; {
		case sec[i] == '"':
			if k := strings.IndexByte(sec[i+1:], '"'); k >= 0 {
				i += k + 1
			} else {
				i = len(sec)
			}
		case sec[i] == '[':
			if k := strings.IndexByte(sec[i+1:], ']'); k >= 0 {
				i += k + 1
			}
		case sec[i] == '\\':
			i++
		case sec[i] == '0' || sec[i] == '#' || sec[i] == '?' || sec[i] == '@':
			return false, false // a number or text format with a date-like letter in it
		case c == 'y' || c == 'd':
			date = true
		case c == 'h' || c == 's':
			clock = true
		case c == 'm' || c == 'a' || c == 'p':
			// month or minute, AM/PM
		case c >= 'a' && c <= 'z':
			return false, false // "General", "Standard", currency words
		}
	}
	return date, clock
}

// excelDate renders a serial date: days since 1899-12-30 (since 1904-01-01 in the 1904 system),
// the fraction the time of day. Excel counts a 29 February 1900 that never was; serials before
// it are one day later than the plain count.
func excelDate(v float64, date, clock, date1904 bool) (string, bool) {
	if math.IsNaN(v) || v < 0 || v >= 2958466 { // 31-12-9999
		return "", false
	}
	days := math.Floor(v)
	secs := int(math.Round((v - days) * 86400))
	if secs == 86400 {
		days, secs = days+1, 0
	}
	var t time.Time
	switch {
	case date1904:
		t = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days == 60:
		if !clock {
			return "29-02-1900", true
		}
		return "", false
	case days < 60:
		t = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		t = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	t = t.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	switch {
	case date && clock:
		return t.Format("02-01-2006 15:04:05"), true
	case date:
		return t.Format("02-01-2006"), true
	default:
		return t.Format("15:04:05"), true
	}
}

func generalNumber(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return ""
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return formatInt(int64(v))
	}
	return strconv.FormatFloat(v, 'g', 15, 64)
}

func formatInt(v int64) string { return strconv.FormatInt(v, 10) }

// zeroPadFormat applies a number format made only of digit placeholders "0" and separators
// (-, space, /, quoted or escaped) to a non-negative integer, e.g. "000000-0000".
func zeroPadFormat(v float64, format string) (string, bool) {
	sec, _, _ := strings.Cut(format, ";")
	var pat []rune
	zeros := 0
	quoted := false
	for i := 0; i < len(sec); i++ {
		c := sec[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
			pat = append(pat, rune(c)|0x100000) // literal
		case c == '\\' && i+1 < len(sec):
			i++
			pat = append(pat, rune(sec[i])|0x100000)
		case c == '0':
			zeros++
			pat = append(pat, '0')
		case c == '-' || c == ' ' || c == '/':
			pat = append(pat, rune(c)|0x100000)
		default:
			return "", false
		}
	}
	if zeros < 6 || zeros > 18 || v < 0 || v != math.Trunc(v) || v >= math.Pow10(zeros) {
		return "", false
	}
	digits := formatInt(int64(v))
	digits = strings.Repeat("0", zeros-len(digits)) + digits
	var b strings.Builder
	k := 0
	for _, p := range pat {
		if p == '0' {
			b.WriteByte(digits[k])
			k++
		} else {
			b.WriteRune(p &^ 0x100000)
		}
	}
	return b.String(), true
}

// rkValue decodes an RK number: a 30-bit integer or the top 30 bits of a double, optionally
// divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&0xFFFFFFFC) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}
