package policy

import (
	"strings"
	"testing"
)

func TestOverrideReasonSetting(t *testing.T) {
	if p := Default(); p.OverrideReason != OverrideOff {
		t.Errorf("default %q, want off", p.OverrideReason)
	}
	base := string(DefaultYAML())
	for _, tt := range []struct {
		value, want string
		ok          bool
	}{
		{"optional", OverrideOptional, true},
		{"required", OverrideRequired, true},
		{"off", OverrideOff, true},
		{"always", "", false},
	} {
		p, err := Parse([]byte(strings.Replace(base, "override_reason: off", "override_reason: "+tt.value, 1)))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err %v", tt.value, err)
			continue
		}
		if tt.ok && p.OverrideReason != tt.want {
			t.Errorf("%s: got %q", tt.value, p.OverrideReason)
		}
	}
	// A policy file from before the setting means off.
	p, err := Parse([]byte(strings.Replace(base, "override_reason: off\n", "", 1)))
	if err != nil || p.OverrideReason != OverrideOff {
		t.Errorf("without the setting: %v %q", err, p.OverrideReason)
	}
}
