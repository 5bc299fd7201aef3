package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/resolvers"
)

// New builds the schema over r.
func New(r *resolvers.Resolvers) (graphql.Schema, error) {
	t := newTypes(r)
	queryFields, mutationFields := graphql.Fields{}, graphql.Fields{}
	// Each part builds its object types and inputs and adds the root fields
	// that read and write them. Some parts name others' object types outside
	// a thunk (chain, trace and finding name Organisation, System, Link...),
	// so the parts that build those come first.
	for _, part := range []func(r *resolvers.Resolvers, query, mutation graphql.Fields){
		t.countryFields, t.organisationFields, t.systemFields, t.linkFields, t.attestationFields,
		t.chainFields, t.traceFields, t.findingFields, t.policyFields, t.basisFields, t.postureFields, t.auditFields,
		t.incidentFields, t.hygieneFields, t.conditionFields, t.tokenFields,
		t.referenceFields, t.noticeFields, t.importFields,
	} {
		part(r, queryFields, mutationFields)
	}
	query := graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: queryFields,
		Description: "What can be read: the registry's records by id and as lists, chains, responsibility, call traces, " +
			"findings and the audit log. A token's role (admin, editor, auditor, dsr) decides which fields it may use."})

	mutation := graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: mutationFields,
		Description: "What can be written. Each mutation is one transaction: bad input is refused whole. Nothing is deleted: " +
			"ending something sets the end of its period, and every change to a registry record is kept, with its author, in its history."})

	sch, err := graphql.NewSchema(graphql.SchemaConfig{Query: query, Mutation: mutation})
	if err != nil {
		return sch, err
	}
	return sch, guard(sch)
}

// add adds fields to the fields of a root type; a name added twice is a
// mistake in the schema.
func add(root, fields graphql.Fields) {
	for name, f := range fields {
		if _, dup := root[name]; dup {
			panic("schema: root field " + name + " is added twice")
		}
		root[name] = f
	}
}
