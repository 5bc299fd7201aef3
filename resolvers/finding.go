package resolvers

import (
	"strconv"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// Findings resolves findings(filter, first, after).
func (r *Resolvers) Findings() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.FindingFilter
		in := r.filterOf(p)
		in.optStr("severity", &f.Severity)
		in.optStr("check", &f.Check)
		in.optStr("status", &f.Status)
		in.optStr("subjectKind", &f.SubjectKind)
		in.optID("subjectId", &f.SubjectID)
		in.optID("controllerId", &f.ControllerID)
		in.optInstant("since", &f.Since)
		if err := in.finish(); err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Findings.ListFindings(p.Context, f, pg)
		return connection(rows, more, func(v *registry.Finding) int64 { return v.ID }), err
	})
}

// Finding resolves finding(id).
func (r *Resolvers) Finding() graphql.FieldResolveFn {
	return one(r, checkSvc, registry.CheckService.Finding)
}

// CheckRuns resolves checkRuns(first, after), newest first.
func (r *Resolvers) CheckRuns() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Findings.ListCheckRuns(p.Context, pg)
		return connection(rows, more, func(v *registry.CheckRun) int64 { return v.ID }), err
	})
}

// RunNowTolerance is how far from the server's clock runChecks accepts
// its at: a run keeps the live findings, so it evaluates the registry now.
const RunNowTolerance = 5 * time.Minute

// checkIDs reads the optional list argument checks.
func checkIDs(p graphql.ResolveParams) []string {
	var ids []string
	if list, ok := p.Args["checks"].([]any); ok {
		for _, v := range list {
			ids = append(ids, v.(string))
		}
	}
	return ids
}

// checkPeriods reads the optional arguments restoreTestDays and scanDays;
// the service validates them.
func checkPeriods(p graphql.ResolveParams) registry.CheckPeriods {
	days := func(k string) int {
		if v, ok := p.Args[k].(int); ok {
			return v
		}
		return 0
	}
	return registry.CheckPeriods{RestoreTestDays: days("restoreTestDays"), ScanDays: days("scanDays")}
}

// RunChecks resolves runChecks(at, checks): it runs checks now, in the
// request, and returns the run. The findings it keeps are the live ones,
// so it refuses an at that is not now (INVALID_INPUT on at): what the
// checks would have said then is evaluateChecks, which keeps nothing.
func (r *Resolvers) RunChecks() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.at(p, "at")
		if err != nil {
			return nil, err
		}
		if at != nil {
			if d := at.Sub(r.Now()); d < -RunNowTolerance || d > RunNowTolerance {
				return nil, registry.Invalid("at", "a run keeps the live findings and evaluates the registry now; "+
					"ask evaluateChecks(at: ...) what the checks would say as of another instant, without changing them")
			}
		}
		res, err := r.Services.Checks.RunChecks(p.Context, registry.RunOptions{At: deref(at), Checks: checkIDs(p), Trigger: "api",
			Actor: actor(p.Context), Periods: checkPeriods(p)})
		if err != nil {
			return nil, err
		}
		access.Note(p.Context, "check_run:"+strconv.FormatInt(res.RunID, 10), "")
		return r.Services.Checks.CheckRun(p.Context, res.RunID)
	})
}

// CheckEvaluation is what evaluateChecks answers.
type CheckEvaluation struct {
	At       time.Time
	Checks   []string
	Findings []registry.Finding
}

// EvaluateChecks resolves evaluateChecks(at, checks): what the checks would
// find as of at, kept nowhere.
func (r *Resolvers) EvaluateChecks() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.requiredAt(p, "at")
		if err != nil {
			return nil, err
		}
		ids := checkIDs(p)
		fs, err := r.Services.Checks.EvaluateChecks(p.Context, at, ids, checkPeriods(p))
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			for _, c := range r.Services.Checks.Checks() {
				ids = append(ids, c.ID)
			}
		}
		if fs == nil {
			fs = []registry.Finding{}
		}
		return CheckEvaluation{At: at, Checks: ids, Findings: fs}, nil
	})
}

// FindingSummary resolves findingSummary(controllerId).
func (r *Resolvers) FindingSummary() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		var ctl *int64
		if v, ok := p.Args["controllerId"]; ok && v != nil {
			id, err := parseID("controllerId", v)
			if err != nil {
				return nil, err
			}
			ctl = &id
		}
		return r.Services.Findings.FindingSummary(p.Context, ctl)
	})
}

// AcceptFinding resolves acceptFinding(id, justification, until).
func (r *Resolvers) AcceptFinding() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		s, _ := p.Args["until"].(string)
		until, err := registry.ParseDate("until", s)
		if err != nil {
			return nil, err
		}
		why, _ := p.Args["justification"].(string)
		out, err := r.Services.Checks.AcceptFinding(p.Context, actor(p.Context), id, why, until)
		noteChanged(p.Context, out, err)
		return out, err
	})
}

// Catalogue resolves checks: the catalogue, in the order the checks run.
func (r *Resolvers) Catalogue() graphql.FieldResolveFn {
	return func(graphql.ResolveParams) (any, error) { return r.Services.Checks.Checks(), nil }
}

// OpenFindings resolves the open findings about a subject, reading of
// their costlier parts only those the field shows (findingParts).
func OpenFindings[S any](r *Resolvers, kind string, id func(S) int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.at(p, "at")
		if err != nil {
			return nil, err
		}
		key := findingKey{atKey(id(p.Source.(S)), at), findingParts(p.Info)}
		th := loadersOf(p.Context).findingsOf[kind].load(p.Context, key)
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []registry.Finding{}
			}
			return v, err
		}, nil
	})
}
