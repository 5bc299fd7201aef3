package server

// The coercion of variables and arguments below is graphql-go v0.8.1's
// (values.go), which keeps it unexported: kedja's executor (executor.go) must
// read $at, first or a filter exactly as graphql-go did, or the same request
// would mean something else depending on which executor ran it. Ported with
// its rules and messages unchanged; graphql-go is MIT-licensed, Copyright (c)
// 2015 Chris Ramón.

import (
	"math"
	"reflect"
	"sort"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// variableValues coerces a request's variables to the operation's
// definitions. ok is false when one of them is invalid or missing: the
// request then goes to graphql-go, which words that error itself.
func variableValues(schema *graphql.Schema, defs []*ast.VariableDefinition, inputs map[string]any) (map[string]any, bool) {
	values := make(map[string]any, len(defs))
	for _, def := range defs {
		if def == nil || def.Variable == nil || def.Variable.Name == nil {
			continue
		}
		t := typeFromAST(schema, def.Type)
		in, isInput := t.(graphql.Input)
		if t == nil || !isInput || !graphql.IsInputType(t) {
			return nil, false
		}
		input := inputs[def.Variable.Name.Value]
		if !validInput(input, in) {
			return nil, false
		}
		if nullish(input) && def.DefaultValue != nil {
			values[def.Variable.Name.Value] = valueFromAST(def.DefaultValue, in, nil)
			continue
		}
		values[def.Variable.Name.Value] = coerceValue(in, input)
	}
	return values, true
}

// argumentValues is a field's or directive's arguments, from the document
// and the variables, with the defaults of those not given.
func argumentValues(defs []*graphql.Argument, asts []*ast.Argument, vars map[string]any) map[string]any {
	results := make(map[string]any, len(defs))
	for _, def := range defs {
		var value ast.Value
		for _, a := range asts {
			if a.Name != nil && a.Name.Value == def.PrivateName {
				value = a.Value
				break
			}
		}
		v := valueFromAST(value, def.Type, vars)
		if nullish(v) {
			v = def.DefaultValue
		}
		if !nullish(v) {
			results[def.PrivateName] = v
		}
	}
	return results
}

func typeFromAST(schema *graphql.Schema, t ast.Type) graphql.Type {
	switch t := t.(type) {
	case *ast.List:
		inner := typeFromAST(schema, t.Type)
		if inner == nil {
			return nil
		}
		return graphql.NewList(inner)
	case *ast.NonNull:
		inner := typeFromAST(schema, t.Type)
		if inner == nil {
			return nil
		}
		return graphql.NewNonNull(inner)
	case *ast.Named:
		if t.Name == nil {
			return nil
		}
		return schema.Type(t.Name.Value)
	}
	return nil
}

func coerceValue(t graphql.Input, value any) any {
	if nullish(value) {
		return nil
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return coerceValue(t.OfType, value)
	case *graphql.List:
		values := []any{}
		rv := reflect.ValueOf(value)
		if rv.Kind() == reflect.Slice {
			for i := 0; i < rv.Len(); i++ {
				values = append(values, coerceValue(t.OfType, rv.Index(i).Interface()))
			}
			return values
		}
		return append(values, coerceValue(t.OfType, value))
	case *graphql.InputObject:
		obj := map[string]any{}
		m, _ := value.(map[string]any)
		for name, field := range t.Fields() {
			v := coerceValue(field.Type, m[name])
			if nullish(v) {
				v = field.DefaultValue
			}
			if !nullish(v) {
				obj[name] = v
			}
		}
		return obj
	case *graphql.Scalar:
		if parsed := t.ParseValue(value); !nullish(parsed) {
			return parsed
		}
	case *graphql.Enum:
		if parsed := t.ParseValue(value); !nullish(parsed) {
			return parsed
		}
	}
	return nil
}

// validInput is graphql-go's isValidInputValue without its messages:
// whether the value would be accepted for the type.
func validInput(value any, t graphql.Input) bool {
	if nullish(value) {
		_, nonNull := t.(*graphql.NonNull)
		return !nonNull
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return validInput(value, t.OfType)
	case *graphql.List:
		rv := reflect.ValueOf(value)
		if rv.Kind() == reflect.Ptr {
			rv = rv.Elem()
		}
		if rv.Kind() == reflect.Slice {
			for i := 0; i < rv.Len(); i++ {
				if !validInput(rv.Index(i).Interface(), t.OfType) {
					return false
				}
			}
			return true
		}
		return validInput(value, t.OfType)
	case *graphql.InputObject:
		m, ok := value.(map[string]any)
		if !ok {
			return false
		}
		fields := t.Fields()
		for name := range m {
			if _, ok := fields[name]; !ok {
				return false
			}
		}
		names := make([]string, 0, len(fields))
		for name := range fields {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if !validInput(m[name], fields[name].Type) {
				return false
			}
		}
		return true
	case *graphql.Scalar:
		return !nullish(t.ParseValue(value))
	case *graphql.Enum:
		return !nullish(t.ParseValue(value))
	}
	return true
}

func valueFromAST(value ast.Value, t graphql.Input, vars map[string]any) any {
	if value == nil {
		return nil
	}
	if v, ok := value.(*ast.Variable); ok {
		if v.Name == nil || vars == nil {
			return nil
		}
		// Validation has checked that the variable fits where it is used.
		return vars[v.Name.Value]
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return valueFromAST(value, t.OfType, vars)
	case *graphql.List:
		values := []any{}
		if l, ok := value.(*ast.ListValue); ok {
			for _, item := range l.Values {
				values = append(values, valueFromAST(item, t.OfType, vars))
			}
			return values
		}
		return append(values, valueFromAST(value, t.OfType, vars))
	case *graphql.InputObject:
		ov, ok := value.(*ast.ObjectValue)
		if !ok {
			return nil
		}
		given := map[string]*ast.ObjectField{}
		for _, f := range ov.Fields {
			if f != nil && f.Name != nil {
				given[f.Name.Value] = f
			}
		}
		obj := map[string]any{}
		for name, field := range t.Fields() {
			var v any
			if f, ok := given[name]; ok {
				v = valueFromAST(f.Value, field.Type, vars)
			} else {
				v = field.DefaultValue
			}
			if !nullish(v) {
				obj[name] = v
			}
		}
		return obj
	case *graphql.Scalar:
		return t.ParseLiteral(value)
	case *graphql.Enum:
		return t.ParseLiteral(value)
	}
	return nil
}

// nullish is graphql-go's isNullish: nil, a nil pointer or NaN. The common
// values of an answer are told apart without reflection.
func nullish(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string, bool, int, int32, int64, map[string]any, []any:
		return false
	case float64:
		return math.IsNaN(v)
	case float32:
		return math.IsNaN(float64(v))
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Ptr {
		if rv.IsNil() {
			return true
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return math.IsNaN(rv.Float())
	}
	return false
}

// iterable is graphql-go's isIterable: a slice or an array, or a pointer to
// one.
func iterable(v any) bool {
	if v == nil {
		return false
	}
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	return t.Kind() == reflect.Slice || t.Kind() == reflect.Array
}
