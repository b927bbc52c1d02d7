package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestUserNeverPrintsToken(t *testing.T) {
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJzZWNyZXQiOiJ0b2tlbiJ9.c2lnbmF0dXJlLXRva2Vu"
	u := &User{TenantID: tenantA, ObjectID: userOID, UPN: userUPN, ClientApp: outlookID,
		Scopes: []string{"access_as_user"}, Expiry: time.Unix(1_900_000_000, 0), Token: token}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("check", "user", u, "value", *u)
	js, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"String": u.String(), "%v": fmt.Sprintf("%v", u), "%+v": fmt.Sprintf("%+v", *u),
		"%#v": fmt.Sprintf("%#v", *u), "%s": fmt.Sprintf("%s", u), "slog": logged.String(), "json": string(js),
	}
	for name, out := range outputs {
		for _, part := range strings.Split(token, ".") {
			if strings.Contains(out, part) {
				t.Errorf("%s output contains the token: %s", name, out)
			}
		}
		if name != "json" && !strings.Contains(out, userOID) {
			t.Errorf("%s output lacks the oid: %s", name, out)
		}
	}
	if !strings.Contains(u.String(), "[redacted]") {
		t.Errorf("String() = %s, want the token shown as [redacted]", u.String())
	}
	if u.Key() != tenantA+"/"+userOID {
		t.Errorf("Key() = %q", u.Key())
	}
}
