package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/sendevagt/sendevagt/internal/store"
)

// testPolicyVersions: ListPolicies lists newest first, GetPolicy finds each version and refuses
// unknown ones with ErrNotFound.
func testPolicyVersions(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if list, err := s.ListPolicies(ctx); err != nil || len(list) != 0 {
		t.Fatalf("ListPolicies on an empty store = %v, %v; want none", list, err)
	}
	for _, v := range []int{0, 1, -1} {
		if _, err := s.GetPolicy(ctx, v); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetPolicy(%d) on an empty store: %v, want ErrNotFound", v, err)
		}
	}
	var saved []store.PolicyVersion
	for i := 1; i <= 4; i++ {
		p, err := s.SavePolicy(ctx, fmt.Appendf(nil, "name: Version %d æøå\n", i), fmt.Sprintf("admin%d@testkommune.dk", i), fmt.Sprintf("ændring %d", i))
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, p)
	}
	list, err := s.ListPolicies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(saved) {
		t.Fatalf("ListPolicies returned %d versions, want %d", len(list), len(saved))
	}
	for i, p := range list {
		want := saved[len(saved)-1-i]
		if p.Version != want.Version || string(p.YAML) != string(want.YAML) || p.Author != want.Author ||
			p.Comment != want.Comment || !p.Created.Equal(want.Created) {
			t.Errorf("ListPolicies[%d] = %+v, want %+v", i, p, want)
		}
		if i > 0 && p.Version >= list[i-1].Version {
			t.Errorf("ListPolicies not newest first: %d after %d", p.Version, list[i-1].Version)
		}
	}
	for _, want := range saved {
		got, err := s.GetPolicy(ctx, want.Version)
		if err != nil {
			t.Fatalf("GetPolicy(%d): %v", want.Version, err)
		}
		if got.Version != want.Version || string(got.YAML) != string(want.YAML) || got.Author != want.Author ||
			got.Comment != want.Comment || !got.Created.Equal(want.Created) || got.Created.Location().String() != "UTC" {
			t.Errorf("GetPolicy(%d) = %+v, want %+v", want.Version, got, want)
		}
	}
	if _, err := s.GetPolicy(ctx, saved[len(saved)-1].Version+1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetPolicy(next) = %v, want ErrNotFound", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.ListPolicies(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("ListPolicies with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.GetPolicy(cctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("GetPolicy with a cancelled context: %v, want context.Canceled", err)
	}
}
