package store_test

import (
	"context"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

func storeProfiles(ctx context.Context, s *store.Store, systemID int64, at *time.Time) ([]registry.SystemProfile, error) {
	m, err := s.ProfilesBySystem(ctx, []int64{systemID}, at)
	return m[systemID], err
}
