package schema

import (
	"strings"
	"unicode"

	"github.com/graphql-go/graphql"
)

func in(t graphql.Input, desc string) *graphql.InputObjectFieldConfig {
	return &graphql.InputObjectFieldConfig{Type: t, Description: desc}
}

func inputObject(name, desc string, fields graphql.InputObjectConfigFieldMap) *graphql.InputObject {
	return graphql.NewInputObject(graphql.InputObjectConfig{Name: name, Description: desc, Fields: fields})
}

// inputField is one field of an entity's create and update inputs.
type inputField struct {
	name string
	typ  graphql.Input
	desc string
	// required: non-null in the create input (still optional on update).
	required bool
	// fixed: only in the create input; the field cannot change afterwards.
	fixed bool
	// clear, when set, makes the field a value of the entity's clearable
	// enum, which update's clear sets to null; it describes what null means.
	clear string
}

// entityInputs are the inputs of an entity's create and update mutations and
// the enum of its fields that update may set to null.
type entityInputs struct {
	create, update *graphql.InputObject
	clear          *graphql.Enum
	// clearable are the input field names the enum's values stand for.
	clearable []string
}

// newEntityInputs builds XCreateInput, whose required fields are non-null,
// XUpdateInput, with every field optional and without the fixed ones, and
// XClearable, one value per optional field that may be set to null: clearing
// a required or unknown field cannot even be asked for.
func newEntityInputs(entity, createDesc, updateDesc string, fields []inputField) entityInputs {
	create, update := graphql.InputObjectConfigFieldMap{}, graphql.InputObjectConfigFieldMap{}
	values := graphql.EnumValueConfigMap{}
	var clearable []string
	for _, f := range fields {
		t := f.typ
		if f.required {
			t = graphql.NewNonNull(t)
		}
		create[f.name] = in(t, f.desc)
		if f.fixed {
			continue
		}
		update[f.name] = in(f.typ, f.desc)
		if f.clear != "" {
			values[upperSnake(f.name)] = &graphql.EnumValueConfig{Value: f.name, Description: f.clear}
			clearable = append(clearable, f.name)
		}
	}
	return entityInputs{
		create:    inputObject(entity+"CreateInput", createDesc, create),
		update:    inputObject(entity+"UpdateInput", updateDesc, update),
		clear:     graphql.NewEnum(graphql.EnumConfig{Name: entity + "Clearable", Values: values, Description: "The optional fields of " + article(entity) + " " + strings.ToLower(entity) + " that update's clear may set to null; required fields are not among them."}),
		clearable: clearable,
	}
}

// upperSnake spells an input field's name as an enum value: orgNumber is
// ORG_NUMBER, coveredSystemIds COVERED_SYSTEM_IDS.
func upperSnake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func article(word string) string {
	if strings.ContainsRune("AEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}

// byID is the id argument of a root field that returns one record.
func byID(what string) graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{"id": {Type: nn(graphql.ID), Description: "The " + what + "'s id."}}
}

// paged are the arguments of a root field that lists records a page at a
// time.
func paged(filter *graphql.InputObject) graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{
		"filter": {Type: filter, Description: "Only those that match every field given; without it, all."},
		"first":  {Type: graphql.Int, Description: "Page size, 1-500 (default 50)."},
		"after":  {Type: graphql.String, Description: "endCursor of the previous page."},
	}
}

// createArgs are the arguments of a create mutation.
func createArgs(input *graphql.InputObject, what string) graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{"input": {Type: nn(input), Description: "The new " + what + "; validated as a whole."}}
}

// updateArgs are the arguments of an update mutation.
func updateArgs(inputs entityInputs, what string) graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{
		"id":    {Type: nn(graphql.ID), Description: "The " + what + "'s id."},
		"input": {Type: nn(inputs.update), Description: "The fields to change; fields left out keep their value."},
		"clear": {Type: graphql.NewList(nn(inputs.clear)), Description: "Optional fields to set to null; a field cannot be given in input and cleared at once. " +
			"(graphql-go cannot tell an explicit null in input from a missing field.)"},
	}
}

// endArgs are the arguments of a mutation that ends something at an
// instant; at says which.
func (t *types) endArgs(what, at string) graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{
		"id": {Type: nn(graphql.ID), Description: "The " + what + "'s id."},
		"at": {Type: t.instant, Description: "Default: now. " + at},
	}
}

// periodEnd describes the at of a mutation that ends a period.
const periodEnd = "The end of its period (exclusive): after its start, and not later than an end already recorded."

// endOnArgs are the arguments of a mutation that ends a dated fact on a
// legal date.
func endOnArgs(what string) graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{
		"id": {Type: nn(graphql.ID), Description: "The " + what + "'s id."},
		"on": {Type: nn(dateScalar), Description: "First day no longer covered."},
	}
}
