package resolvers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// decoder maps an input object onto a registry value. One decoder serves an
// entity's create and update inputs: fields absent from the object leave the
// value as it was. Fields that cannot change (a link's parties, an
// attestation's subject) are not in the update input, so the schema refuses
// them before a decoder runs.
type decoder[V any] func(in *input, v *V)

// Create resolves a create mutation: decode, validate and store in one
// transaction.
func Create[S, V any](r *Resolvers, svc Service[S], decode decoder[V], create func(s S, ctx context.Context, actor string, v *V) (V, error)) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		m, _ := p.Args["input"].(map[string]any)
		in := newInput(m, "", nil, r.Location)
		var v V
		decode(in, &v)
		if err := in.finish(); err != nil {
			return nil, err
		}
		out, err := create(svc(r.Services), p.Context, actor(p.Context), &v)
		noteChanged(p.Context, out, err)
		return out, err
	})
}

// Update resolves an update mutation: the fields given replace the stored
// ones, the fields in clear (values of the schema's enum of clearable fields,
// each an input field's name) are set to null, and the result is validated as
// a whole before it is stored. clearable lists those names; Update panics,
// and so the schema does not build, if decode does not treat one of them as
// an optional field it can set to null.
func Update[S, V any](r *Resolvers, svc Service[S], decode decoder[V], update func(s S, ctx context.Context, actor string, id int64, apply func(*V) error) (V, error), clearable []string) graphql.FieldResolveFn {
	for _, k := range clearable {
		in := newInput(nil, "", []any{k}, time.UTC)
		var v V
		decode(in, &v)
		if err := in.finish(); err != nil {
			panic(fmt.Sprintf("resolvers: %T: %q is listed as clearable but is not an optional field of its decoder", v, k))
		}
	}
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		m, _ := p.Args["input"].(map[string]any)
		clear, _ := p.Args["clear"].([]any)
		out, err := update(svc(r.Services), p.Context, actor(p.Context), id, func(v *V) error {
			in := newInput(m, "", clear, r.Location)
			decode(in, v)
			return in.finish()
		})
		noteChanged(p.Context, out, err)
		return out, err
	})
}

// End resolves a mutation that ends something at an instant (default now).
func End[S, V any](r *Resolvers, svc Service[S], end func(s S, ctx context.Context, actor string, id int64, at time.Time) (V, error)) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		at, err := r.atOrNow(p, "at")
		if err != nil {
			return nil, err
		}
		out, err := end(svc(r.Services), p.Context, actor(p.Context), id, at)
		noteChanged(p.Context, out, err)
		return out, err
	})
}

// EndOnDate resolves a mutation that ends a dated fact on a legal date.
func EndOnDate[S, V any](r *Resolvers, svc Service[S], end func(s S, ctx context.Context, actor string, id int64, on time.Time) (V, error)) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		s, _ := p.Args["on"].(string)
		on, err := registry.ParseDate("on", s)
		if err != nil {
			return nil, err
		}
		out, err := end(svc(r.Services), p.Context, actor(p.Context), id, on)
		noteChanged(p.Context, out, err)
		return out, err
	})
}

// noteChanged tells the audit log which object a mutation wrote.
func noteChanged(ctx context.Context, v any, err error) {
	if err != nil {
		return
	}
	var kind string
	var id int64
	switch x := v.(type) {
	case registry.Organisation:
		kind, id = "organisation", x.ID
	case registry.System:
		kind, id = "system", x.ID
	case registry.SystemProfile:
		kind, id = "system_profile", x.ID
	case registry.SystemLocation:
		kind, id = "system_location", x.ID
	case registry.Link:
		kind, id = "link", x.ID
	case registry.RoleFinding:
		kind, id = "role_finding", x.ID
	case registry.SystemUse:
		kind, id = "system_use", x.ID
	case registry.DataMove:
		kind, id = "data_move", x.ID
	case registry.Attestation:
		kind, id = "attestation", x.ID
	case registry.EEAMembership:
		kind, id = "eea_membership", x.ID
	case registry.AdequacyDecision:
		kind, id = "adequacy_decision", x.ID
	case registry.LocationPolicy:
		kind, id = "location_policy", x.ID
	case registry.AccessPath:
		kind, id = "access_path", x.ID
	case registry.SystemRelation:
		kind, id = "system_relation", x.ID
	case registry.Finding:
		kind, id = "finding", x.ID
	case registry.SoftwareComponent:
		kind, id = "software_component", x.ID
	case registry.VulnerabilityScan:
		kind, id = "vulnerability_scan", x.ID
	case registry.ExploitedVulnerability:
		kind, id = "exploited_vulnerability", x.ID
	case registry.SystemTenancy:
		kind, id = "system_tenancy", x.ID
	case registry.NameIdentifiers:
		kind, id = "name_identifiers", x.ID
	case registry.InstructionConduct:
		kind, id = "instruction_conduct", x.ID
	case registry.AgreementCondition:
		kind, id = "agreement_condition", x.ID
	case registry.NoticePeriod:
		kind, id = "notice_period", x.ID
	case registry.ChangeNotice:
		kind, id = "change_notice", x.ID
	case registry.NoticeResponse:
		kind, id = "notice_response", x.ID
	case registry.RiskAssessment:
		kind, id = "risk_assessment", x.ID
	case registry.DisclosureBasis:
		kind, id = "disclosure_basis", x.ID
	case registry.SubcontractorApproval:
		kind, id = "subcontractor_approval", x.ID
	case registry.CallerNotice:
		kind, id = "caller_notice", x.ID
	case registry.ProcessingRecord:
		kind, id = "processing_record", x.ID
	case registry.Incident:
		kind, id = "incident", x.ID
	case registry.IncidentParty:
		kind, id = "incident_party", x.ID
	case registry.Notification:
		kind, id = "incident_notification", x.ID
	case registry.Country:
		access.Note(ctx, "country:"+x.Code, "")
		return
	default:
		return
	}
	access.Note(ctx, kind+":"+strconv.FormatInt(id, 10), "")
}
