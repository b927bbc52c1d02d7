package detect

import (
	"testing"
	"time"
)

// TestCPRRules covers the exported CPR rules other packages use instead of their own copies:
// the 7th-digit century rule, real dates (leap years) and modulus 11.
func TestCPRRules(t *testing.T) {
	for _, c := range []struct {
		cpr   string
		born  string // YYYY-MM-DD, "" when no valid date
		mod11 bool
	}{
		{"0708814318", "1981-08-07", true},
		{"0101901234", "1990-01-01", false},
		{"0101364000", "2036-01-01", false}, // 7th digit 4, year ≤ 36: 2000s
		{"0101374000", "1937-01-01", false}, // 7th digit 4, year > 36: 1900s
		{"0101579000", "1957-01-01", false}, // 7th digit 9 behaves like 4
		{"0101369005", "2036-01-01", true},  // 7th digit 9, year ≤ 36: 2000s
		{"0101580004", "1958-01-01", false}, // 7th digit 0: 1900s whatever the year
		{"0101575000", "2057-01-01", false}, // 7th digit 5–8, year ≤ 57: 2000s
		{"0101585000", "1858-01-01", false}, // 7th digit 5–8, year > 57: 1800s
		{"2902004000", "2000-02-29", false}, // 2000 is a leap year
		{"2902961006", "1996-02-29", true},
		{"2902971001", "", true}, // 1997 is not: a valid modulus-11 does not make a date
		{"3104901009", "", true}, // 31 April
		{"3201901009", "", false},
		{"0000901009", "", false},
		{"2902001234", "", false}, // 7th digit 1: 1900, which is not
		{"2902014000", "", false},
		{"3102901234", "", false},
		{"0113901234", "", false},
		{"0001901234", "", false},
		{"010190-123", "", false},
		{"01019012345", "", false},
		{"29026x4000", "", false},
	} {
		born, ok := BirthDate(c.cpr)
		got := ""
		if ok {
			got = born.Format(time.DateOnly)
		}
		if got != c.born {
			t.Errorf("BirthDate(%q) = %q, want %q", c.cpr, got, c.born)
		}
		if m := Mod11(c.cpr); m != c.mod11 {
			t.Errorf("Mod11(%q) = %v, want %v", c.cpr, m, c.mod11)
		}
	}
}
