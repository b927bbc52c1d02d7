package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/store"
)

func testSessions(t *testing.T, s *store.Store) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Millisecond)
	sess := store.AdminSession{
		IDHash: "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b", Subject: "0b9c8d7e-0000-4000-8000-000000000001",
		TenantID: "6f1d2c3b-0000-4000-8000-00000000000a", Name: "Dorte Databeskyttelse", Email: "dpo@testkommune.dk",
		Roles: []string{"Sendevagt.Admin", "Sendevagt.Auditor"}, CSRF: "csrf-token-æøå",
		Created: now, Expires: now.Add(8 * time.Hour),
	}
	if err := s.SaveSession(ctx, sess); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	got, err := s.GetSession(ctx, sess.IDHash)
	if err != nil || !reflect.DeepEqual(got, sess) {
		t.Errorf("GetSession = %+v, %v\nwant %+v", got, err, sess)
	}
	// Saving again replaces it.
	sess.Roles, sess.Name = []string{"Sendevagt.Auditor"}, "Revisor"
	if err := s.SaveSession(ctx, sess); err != nil {
		t.Fatalf("SaveSession again: %v", err)
	}
	if got, err := s.GetSession(ctx, sess.IDHash); err != nil || !reflect.DeepEqual(got, sess) {
		t.Errorf("GetSession after replace = %+v, %v\nwant %+v", got, err, sess)
	}
	// No roles round-trip as nil.
	noRoles := sess
	noRoles.IDHash, noRoles.Roles = "no-roles", nil
	if err := s.SaveSession(ctx, noRoles); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetSession(ctx, noRoles.IDHash); err != nil || got.Roles != nil {
		t.Errorf("GetSession(no roles) roles = %#v, %v", got.Roles, err)
	}
	if _, err := s.GetSession(ctx, "unknown"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSession(unknown) error = %v, want ErrNotFound", err)
	}
	// An expired session is not returned (and is cleaned up by the next save).
	expired := sess
	expired.IDHash, expired.Created, expired.Expires = "expired", now.Add(-9*time.Hour), now.Add(-time.Hour)
	if err := s.SaveSession(ctx, expired); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(ctx, expired.IDHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSession(expired) error = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, sess.IDHash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := s.GetSession(ctx, sess.IDHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSession after delete error = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, sess.IDHash); err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSession(deleted) error = %v", err)
	}
	if err := s.SaveSession(ctx, store.AdminSession{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SaveSession(no id hash) error = %v, want ErrInvalid", err)
	}

	// Pending sign-ins: taken exactly once.
	pl := store.PendingLogin{State: "state-1", Nonce: "nonce-1", Verifier: "verifier-1", ReturnTo: "/admin/audit?action=block",
		Expires: now.Add(10 * time.Minute)}
	if err := s.SavePendingLogin(ctx, pl); err != nil {
		t.Fatalf("SavePendingLogin: %v", err)
	}
	if got, err := s.TakePendingLogin(ctx, pl.State); err != nil || !reflect.DeepEqual(got, pl) {
		t.Errorf("TakePendingLogin = %+v, %v\nwant %+v", got, err, pl)
	}
	if _, err := s.TakePendingLogin(ctx, pl.State); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakePendingLogin twice: error = %v, want ErrNotFound", err)
	}
	if _, err := s.TakePendingLogin(ctx, "unknown"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakePendingLogin(unknown) error = %v, want ErrNotFound", err)
	}
	old := store.PendingLogin{State: "state-old", Nonce: "n", Verifier: "v", ReturnTo: "/admin/", Expires: now.Add(-time.Second)}
	if err := s.SavePendingLogin(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakePendingLogin(ctx, old.State); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakePendingLogin(expired) error = %v, want ErrNotFound", err)
	}
	if err := s.SavePendingLogin(ctx, pl); err != nil {
		t.Fatalf("SavePendingLogin after take: %v", err)
	}
	if err := s.SavePendingLogin(ctx, pl); err == nil {
		t.Error("SavePendingLogin with a state in use: no error")
	}
	// Concurrent takes of one state: exactly one wins.
	const racers = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for range racers {
		wg.Go(func() {
			_, err := s.TakePendingLogin(t.Context(), pl.State)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrNotFound):
				t.Error(fmt.Errorf("concurrent TakePendingLogin: %w", err))
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("concurrent TakePendingLogin: %d winners, want 1", wins)
	}
}
