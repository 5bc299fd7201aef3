package migrations_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/lib/pq"
)

// TestPathLawFromTheEnd: kedja_path_law and kedja_path_law_country (0041)
// name the law of the nearest sender up the path that has one, and its
// country; EU law and no country where no sender has one. Region (SE) ->
// London (GB) -> Bangkok (TH) -> Pune (IN) -> Austin (US), and Chiang Mai
// (TH) -> Delhi (IN) with no law on the way. The UK GDPR applies from 2021;
// in 2020 the United Kingdom was still under EU law.
func TestPathLawFromTheEnd(t *testing.T) {
	ctx := context.Background()
	db := migrated(t)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // the test only reads what it wrote
	if _, err := tx.ExecContext(ctx, `SELECT set_config('kedja.actor', 't', true)`); err != nil {
		t.Fatal(err)
	}
	org := func(name, country string) int64 {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (legal_name, country_code, kind) VALUES ($1, $2, 'company') RETURNING id`,
			name, country).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	link := func(from, to int64) int64 {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO links (from_id, to_id, role, purpose, valid)
			VALUES ($1, $2, 'processor', 'calls', tstzrange('2015-01-01', NULL)) RETURNING id`, from, to).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	region, london, bangkok, pune, austin := org("Region", "SE"), org("London", "GB"), org("Bangkok", "TH"), org("Pune", "IN"), org("Austin", "US")
	chiangMai, delhi := org("Chiang Mai", "TH"), org("Delhi", "IN")
	toLondon, toBangkok, toPune, toAustin := link(region, london), link(london, bangkok), link(bangkok, pune), link(pune, austin)
	toDelhi := link(chiangMai, delhi)
	const noLink = -1

	cases := []struct {
		name        string
		path        []int64 // nil: NULL
		at          string
		wantLaw     string
		wantCountry string // "": NULL
	}{
		{"TheRegionSendsUnderEULaw", []int64{toLondon}, "2024-03-01", "eu", "SE"},
		{"LondonSendsUnderTheUKGDPR", []int64{toLondon, toBangkok}, "2024-03-01", "uk", "GB"},
		{"BangkokSendsUnderLondonsLaw", []int64{toLondon, toBangkok, toPune}, "2024-03-01", "uk", "GB"},
		{"PuneTwoLawlessSendersDown", []int64{toLondon, toBangkok, toPune, toAustin}, "2024-03-01", "uk", "GB"},
		{"LondonUnderEULawIn2020", []int64{toLondon, toBangkok, toPune}, "2020-03-01", "eu", "GB"},
		{"NoSenderWithALaw", []int64{toDelhi}, "2024-03-01", "eu", ""},
		{"ALinkThatIsNoneIsPassedOver", []int64{toLondon, noLink}, "2024-03-01", "eu", "SE"},
		{"EmptyPath", []int64{}, "2024-03-01", "eu", ""},
		{"NullPath", nil, "2024-03-01", "eu", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var law string
			var country sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT kedja_path_law(CAST($1 AS bigint[]), CAST($2 AS timestamptz)),
				kedja_path_law_country(CAST($1 AS bigint[]), CAST($2 AS timestamptz))`, pq.Array(c.path), c.at).Scan(&law, &country); err != nil {
				t.Fatal(err)
			}
			if law != c.wantLaw || country.String != c.wantCountry {
				t.Errorf("path %v at %s: law %q, country %q; want %q, %q", c.path, c.at, law, country.String, c.wantLaw, c.wantCountry)
			}
		})
	}
}
