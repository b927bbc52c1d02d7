package metrics

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Label values a client or an untrusted file could choose map to a fixed set.
func TestLabelsAreBounded(t *testing.T) {
	m := New(Sources{})
	for i := range 500 {
		m.Request("/api/v1/onsend", fmt.Sprintf("X%d", i), 405, time.Millisecond)
		m.Scanned("inline", "allow", []string{"scanned", fmt.Sprintf("weird-%d", i)})
		m.Prescanned([]string{fmt.Sprintf("weird-%d", i)})
	}
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	series := 0
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, "sendevagt_") && strings.Contains(line, "{") && !strings.Contains(line, "_bucket{") {
			series++
		}
	}
	if series > 20 || strings.Contains(w.Body.String(), "weird-") || strings.Contains(w.Body.String(), `method="X1"`) {
		t.Errorf("%d series:\n%s", series, w.Body.String())
	}
}
