package extract

import (
	"math"
	"strconv"
	"strings"
)

// number renders a numeric cell: integers without decimals, a number shown through an all-zero
// custom format ("0000000000", "000000-0000") padded as Excel shows it, so that a CPR number
// stored as a number reads as one.
func (x *xlsBook) number(v float64, ixfe uint16) string {
	if int(ixfe) < len(x.xfs) {
		if f, ok := x.formats[x.xfs[ixfe]]; ok {
			if s, ok := zeroPadFormat(v, f); ok {
				return s
			}
		}
	}
	return generalNumber(v)
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
