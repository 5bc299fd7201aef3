package jobs_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/jobs"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, stockholm)
	if err != nil {
		panic(err)
	}
	return t
}

type finding struct {
	Check, Kind, Subject, Controller, Severity, Status, Message string
}

// findings lists the findings with names, sorted.
func findings(t *testing.T, s *store.Store, where string) []finding {
	t.Helper()
	rows, err := s.DB().Query(`SELECT f.check_id, f.subject_kind,
		COALESCE(o.legal_name, sy.name, lf.legal_name || ' -> ' || lt.legal_name), c.legal_name, f.severity, f.status, f.message
		FROM findings f
		JOIN organisations c ON c.id = f.controller_id
		LEFT JOIN organisations o ON f.subject_kind = 'party' AND o.id = f.subject_id
		LEFT JOIN systems sy ON f.subject_kind = 'system' AND sy.id = f.subject_id
		LEFT JOIN links l ON f.subject_kind = 'link' AND l.id = f.subject_id
		LEFT JOIN organisations lf ON lf.id = l.from_id LEFT JOIN organisations lt ON lt.id = l.to_id
		WHERE ` + where)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []finding
	for rows.Next() {
		var f finding
		if err := rows.Scan(&f.Check, &f.Kind, &f.Subject, &f.Controller, &f.Severity, &f.Status, &f.Message); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func demoStore(t *testing.T) *store.Store {
	t.Helper()
	s := storetest.Store(t)
	if _, err := demo.Seed(context.Background(), s, stockholm); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDemoRunFlagsThe2019Failures(t *testing.T) {
	s := demoStore(t)
	r := &jobs.Runner{DB: s.DB()}
	res, err := r.Run(context.Background(), jobs.RunOptions{At: at("2019-02-01T12:00"), Trigger: "api", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	all := findings(t, s, "true")
	for _, f := range all {
		t.Logf("%+v", f)
	}
	if res.Found != len(all) || res.Opened != len(all) {
		t.Errorf("run says found %d, opened %d; the table holds %d", res.Found, res.Opened, len(all))
	}
}
