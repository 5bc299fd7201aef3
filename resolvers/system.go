package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// System resolves system(id).
func (r *Resolvers) System() graphql.FieldResolveFn {
	return one(r, SystemSvc, registry.SystemService.System)
}

// Systems resolves systems(filter, first, after).
func (r *Resolvers) Systems() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.SystemFilter
		in := r.filterOf(p)
		in.optStr("nameContains", &f.NameContains)
		in.optStr("kind", &f.Kind)
		in.optID("operatorId", &f.OperatorID)
		in.optID("vendorId", &f.VendorID)
		in.boolean("includeEnded", &f.IncludeEnded)
		if err := in.finish(); err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Systems.ListSystems(p.Context, f, pg)
		return connection(rows, more, func(v *registry.System) int64 { return v.ID }), err
	})
}

// DecodeSystem maps a SystemCreateInput or SystemUpdateInput.
func DecodeSystem(in *input, s *registry.System) {
	in.str("name", &s.Name)
	in.str("kind", &s.Kind)
	in.id("operatorId", &s.OperatorID)
	in.optID("vendorId", &s.VendorID)
	in.strs("dataCategories", &s.DataCategories)
	in.optStr("description", &s.Description)
}

// DecodeSystemProfile maps a SystemProfileInput.
func DecodeSystemProfile(in *input, p *registry.SystemProfile) {
	in.id("systemId", &p.SystemID)
	in.instant("validFrom", &p.From)
	in.optInstant("validTo", &p.To)
	in.optBool("internetExposed", &p.InternetExposed)
	in.optStr("authentication", &p.Authentication)
	in.optBool("transportEncryption", &p.TransportEncryption)
	in.optBool("encryptionAtRest", &p.EncryptionAtRest)
	in.optInt32("retentionDays", &p.RetentionDays)
	in.optBool("backupExists", &p.BackupExists)
	in.optDate("lastRestoreTest", &p.LastRestoreTest)
	in.optInt32("recoveryTimeHours", &p.RecoveryTimeHours)
	in.optStr("note", &p.Note)
}

// DecodeSystemLocation maps a SystemLocationInput.
func DecodeSystemLocation(in *input, l *registry.SystemLocation) {
	in.id("systemId", &l.SystemID)
	in.str("country", &l.Country)
	in.str("purpose", &l.Purpose)
	in.instant("validFrom", &l.From)
	in.optInstant("validTo", &l.To)
}
