package store

import "context"

// ScanBothWays reads query's rows of T through T's explicit scanner and
// through sqlx (selectx and its rows), for TestExplicitScanMatchesSqlx.
func ScanBothWays[T any](ctx context.Context, s *Store, query string, args ...any) (explicit, viaSqlx []T, hasScanner bool, err error) {
	_, hasScanner = scannerOf[T]()
	if explicit, err = selectRows[T](ctx, s, s.q(ctx), query, args...); err != nil {
		return nil, nil, hasScanner, err
	}
	err = s.selectx(ctx, s.q(ctx), &viaSqlx, query, args...)
	return explicit, viaSqlx, hasScanner, err
}

// Relation queries of the types read explicitly, for the same test.
var (
	OrganisationCols = organisations.cols
	SystemCols       = systems.cols
	LinkCols         = links.cols
	SystemUseCols    = systemUses.cols
	FindingCols      = findingCols
)

// InSnapshot runs fn in a read snapshot of s, as a trace's reads run.
func InSnapshot(ctx context.Context, s *Store, fn func(ctx context.Context) error) error {
	return s.snapshot(ctx, fn)
}
