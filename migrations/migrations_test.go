package migrations_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	_ "github.com/lib/pq"

	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/store/storetest"
)

func TestApplyIsIdempotent(t *testing.T) {
	db := open(t, storetest.EmptyDatabase(t))
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	first, err := migrations.Apply(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(all) {
		t.Fatalf("first run applied %v, want all %d", first, len(all))
	}
	second, err := migrations.Apply(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 0 {
		t.Errorf("second run applied %v, want nothing", second)
	}
}

// Two instances starting at once on an empty database: each migration is
// applied exactly once, and neither fails.
func TestConcurrentApplyDoesNotRace(t *testing.T) {
	url := storetest.EmptyDatabase(t)
	const instances = 4
	applied := make([][]string, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := open(t, url)
			applied[i], errs[i] = migrations.Apply(context.Background(), db)
		}()
	}
	wg.Wait()
	total := 0
	for i := range instances {
		if errs[i] != nil {
			t.Errorf("instance %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	all, _ := migrations.All()
	if total != len(all) {
		t.Errorf("instances applied %d migrations in all, want %d (each once)", total, len(all))
	}
	var regions int
	if err := open(t, url).QueryRow(`SELECT count(*) FROM organisations WHERE kind = 'region'`).Scan(&regions); err != nil {
		t.Fatal(err)
	}
	if regions != 21 {
		t.Errorf("got %d regions, want the 21 Swedish regions once", regions)
	}
}

// migrated is a new database with every migration applied.
func migrated(t *testing.T) *sql.DB {
	t.Helper()
	db := open(t, storetest.EmptyDatabase(t))
	if _, err := migrations.Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
