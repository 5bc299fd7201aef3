package resolvers

import "github.com/kedja/kedja/registry"

// Conditions is the loader of links' agreement conditions, for the schema.
func Conditions(l *loaders) *loader[relKey, []registry.AgreementCondition] { return l.conditions }

// DecodeCondition maps an AgreementConditionInput.
func DecodeCondition(in *input, c *registry.AgreementCondition) {
	in.id("linkId", &c.LinkID)
	in.str("kind", &c.Kind)
	in.strs("allowedCountries", &c.AllowedCountries)
	in.optStr("clause", &c.Clause)
	in.optStr("note", &c.Note)
	in.instant("validFrom", &c.From)
	in.optInstant("validTo", &c.To)
}
