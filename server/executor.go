package server

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
)

// executeQuery runs a query operation with kedja's own executor; ok is
// false for what it leaves to graphql-go's (mutations, an operation that
// cannot be chosen, variables that do not fit their definitions), whose
// answers and messages for those stay exactly as they were.
//
// Why an executor of kedja's own: under the nested procurement query of
// issue 18, graphql-go's executor made about 60% of the bytes a request
// allocated and most of its CPU: for every field of every object it
// re-collects the sub-selection, re-reads the arguments, copies a
// ResolveInfo into closures and builds a map, and each answer is then
// walked twice more (thunks, encoding). This one plans each selection once
// per request and object type, reads each field's arguments once per
// request, and builds the answer as slices in key order, which the encoder
// writes without sorting. What a resolver sees (ResolveParams, its Info,
// thunks forced a level at a time so that loaders batch) and what the
// answer says (values, nulls, errors and their paths) are graphql-go's;
// TestExecutorsAnswerAlike holds them to it.
//
// A panic of the executor's own (not a resolver's, which is the field's
// error) is returned as err, for the caller to log and answer as an
// internal error: its text is not for callers.
func executeQuery(ctx context.Context, schema *graphql.Schema, doc *ast.Document, opName string, inputs map[string]any) (res *graphql.Result, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, ok, err = nil, true, fmt.Errorf("executor: %v", r)
		}
	}()
	var op *ast.OperationDefinition
	fragments := map[string]ast.Definition{}
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.OperationDefinition:
			if opName == "" && op != nil {
				return nil, false, nil
			}
			if opName == "" || d.GetName() != nil && d.GetName().Value == opName {
				op = d
			}
		case *ast.FragmentDefinition:
			if d.GetName() != nil {
				fragments[d.GetName().Value] = d
			}
		default:
			return nil, false, nil
		}
	}
	if op == nil || op.Operation != ast.OperationTypeQuery || schema.QueryType() == nil {
		return nil, false, nil
	}
	vars, valid := variableValues(schema, op.VariableDefinitions, inputs)
	if !valid {
		return nil, false, nil
	}
	e := &execution{ctx: ctx, schema: schema, fragments: fragments, op: op, vars: vars, plans: map[planKey]*objectPlan{}}
	root := schema.QueryType()
	var data any
	// Root resolvers are given an empty map as their source, as graphql-go
	// gives them.
	e.completeObject(nil, root, map[string]any{}, &data, &data, nil)
	for len(e.queue) > 0 {
		if ctx.Err() != nil {
			break
		}
		// Each round forces the thunks the previous one made: every
		// resolver of a level has queued its keys before the first thunk
		// of that level fetches them all.
		round := e.queue
		e.queue = nil
		for i := range round {
			e.force(&round[i])
		}
	}
	if err := ctx.Err(); err != nil {
		// As graphql-go: a request past its deadline answers that alone.
		return &graphql.Result{Errors: []gqlerrors.FormattedError{gqlerrors.FormatError(err)}}, true, nil
	}
	return &graphql.Result{Data: data, Errors: e.errs}, true, nil
}

// execution is one query being answered.
type execution struct {
	ctx       context.Context
	schema    *graphql.Schema
	fragments map[string]ast.Definition
	op        *ast.OperationDefinition
	vars      map[string]any
	errs      []gqlerrors.FormattedError
	queue     []pending
	plans     map[planKey]*objectPlan
}

// planKey names a selection made on one object type: the field whose
// selection it is (nil for the operation's own) and the type.
type planKey struct {
	field *fieldPlan
	typ   *graphql.Object
}

// objectPlan is what to answer for an object of one type: its fields in
// the order the answer gives them (by response name, as json.Marshal orders
// a map's keys).
type objectPlan struct {
	typ    *graphql.Object
	fields []*fieldPlan
}

// fieldPlan is one response key of an object plan.
type fieldPlan struct {
	name     string // the response name: alias or field name
	key      any    // name, boxed once for the paths
	asts     []*ast.Field
	def      *graphql.FieldDefinition
	parent   *graphql.Object
	args     map[string]any
	typename bool
	nodes    []ast.Node // for errors, made on the first
}

// object is an object of the answer: plan.fields[i]'s value is
// slots[i].val.
type object struct {
	plan  *objectPlan
	slots []slot
}

// slot is a field's value and its path, allocated with the object's other
// fields: one allocation per object rather than one per path.
type slot struct {
	val  any
	path graphql.ResponsePath
}

// pending is a thunk a resolver returned, with where its value goes.
type pending struct {
	thunk  func() (any, error)
	field  *fieldPlan
	typ    graphql.Type
	slot   *any
	target *any
	path   *graphql.ResponsePath
}

// A value goes to a slot; target is the slot that becomes null when the
// value cannot be had: the slot itself where the type allows null, else
// that of the nearest position above that does (for a field of the root
// type, the answer's data).

func (e *execution) completeObject(f *fieldPlan, t *graphql.Object, source any, into, target *any, path *graphql.ResponsePath) {
	p := e.plan(f, t)
	obj := &object{plan: p, slots: make([]slot, len(p.fields))}
	*into = obj
	for i, sub := range p.fields {
		s := &obj.slots[i]
		s.path = graphql.ResponsePath{Prev: path, Key: sub.key}
		e.resolve(sub, source, &s.val, target, &s.path)
	}
}

func (e *execution) resolve(f *fieldPlan, source any, slot, parentTarget *any, path *graphql.ResponsePath) {
	if f.typename {
		*slot = f.parent.Name()
		return
	}
	target := slot
	if _, nonNull := f.def.Type.(*graphql.NonNull); nonNull {
		target = parentTarget
	}
	result, err := e.call(f, source, path)
	if err != nil {
		e.fail(err, f, path, target)
		return
	}
	e.complete(f, f.def.Type, result, slot, target, path)
}

// call runs the field's resolver; a panic in it is the field's error, as in
// graphql-go.
func (e *execution) call(f *fieldPlan, source any, path *graphql.ResponsePath) (result any, err any) {
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, r
		}
	}()
	resolve := f.def.Resolve
	if resolve == nil {
		resolve = graphql.DefaultResolveFn
	}
	v, rerr := resolve(graphql.ResolveParams{Source: source, Args: f.args, Context: e.ctx, Info: e.info(f, path)})
	if rerr != nil {
		return nil, rerr
	}
	return v, nil
}

func (e *execution) force(p *pending) {
	v, err := func() (v any, err any) {
		defer func() {
			if r := recover(); r != nil {
				v, err = nil, r
			}
		}()
		v, ferr := p.thunk()
		if ferr != nil {
			return nil, ferr
		}
		return v, nil
	}()
	if err != nil {
		e.fail(err, p.field, p.path, p.target)
		return
	}
	e.complete(p.field, p.typ, v, p.slot, p.target, p.path)
}

// complete puts the value v of type t in slot; target is where a null goes
// when v cannot be completed (slot, unless t is non-null).
func (e *execution) complete(f *fieldPlan, t graphql.Type, v any, slot, target *any, path *graphql.ResponsePath) {
	if thunk, ok := v.(func() (any, error)); ok {
		e.queue = append(e.queue, pending{thunk: thunk, field: f, typ: t, slot: slot, target: target, path: path})
		return
	}
	if v != nil && reflect.TypeOf(v).Kind() == reflect.Func {
		e.fail(errors.New("Error resolving func. Expected `func() (interface{}, error)` signature"), f, path, target)
		return
	}
	if nn, ok := t.(*graphql.NonNull); ok {
		if nullish(v) || e.completeNullable(f, nn.OfType, v, slot, target, path) {
			e.fail(fmt.Sprintf("Cannot return null for non-nullable field %v.%v.", f.parent, f.def.Name), f, path, target)
		}
		return
	}
	if nullish(v) {
		*slot = nil
		return
	}
	e.completeNullable(f, t, v, slot, target, path)
}

// completeNullable completes v, not null, as t, not a non-null type. It
// says whether v came out null with no error of its own (a leaf that
// serialises to null), which a non-null type makes an error; any other
// failure it has recorded and nulled target for.
func (e *execution) completeNullable(f *fieldPlan, t graphql.Type, v any, slot, target *any, path *graphql.ResponsePath) bool {
	switch t := t.(type) {
	case *graphql.Scalar:
		return e.leaf(f, t, v, slot, target, path)
	case *graphql.Enum:
		return e.leaf(f, t, v, slot, target, path)
	case *graphql.List:
		e.list(f, t, v, slot, target, path)
	case *graphql.Object:
		if t.IsTypeOf != nil && !t.IsTypeOf(graphql.IsTypeOfParams{Value: v, Context: e.ctx, Info: e.info(f, path)}) {
			e.fail(fmt.Sprintf(`Expected value of type "%v" but got: %T.`, t, v), f, path, target)
			return false
		}
		e.completeObject(f, t, v, slot, target, path)
	case graphql.Abstract:
		rt, err := e.runtimeType(f, t, v, path)
		if err != nil {
			e.fail(err, f, path, target)
			return false
		}
		e.completeObject(f, rt, v, slot, target, path)
	default:
		e.fail(fmt.Sprintf(`Cannot complete value of unexpected type "%v."`, t), f, path, target)
	}
	return false
}

func (e *execution) leaf(f *fieldPlan, t graphql.Leaf, v any, slot, target *any, path *graphql.ResponsePath) (null bool) {
	defer func() {
		if r := recover(); r != nil {
			e.fail(r, f, path, target)
			null = false
		}
	}()
	// graphql-go's String and ID serialise every value with
	// fmt.Sprintf("%v"), which copies even a string: a plain string is its
	// own serialisation, and keeping it saves a copy of every text in the
	// answer.
	if _, plain := v.(string); plain && (t == graphql.Leaf(graphql.String) || t == graphql.Leaf(graphql.ID)) {
		*slot = v
		return false
	}
	s := t.Serialize(v)
	if nullish(s) {
		*slot = nil
		return true
	}
	*slot = s
	return false
}

func (e *execution) list(f *fieldPlan, t *graphql.List, v any, slot, target *any, path *graphql.ResponsePath) {
	item := t.OfType
	_, itemNonNull := item.(*graphql.NonNull)
	each := func(n int, at func(int) any) {
		out := make([]any, n)
		paths := make([]graphql.ResponsePath, n)
		*slot = out
		for i := 0; i < n; i++ {
			itemSlot, itemTarget := &out[i], &out[i]
			if itemNonNull {
				itemTarget = target
			}
			paths[i] = graphql.ResponsePath{Prev: path, Key: i}
			e.complete(f, item, at(i), itemSlot, itemTarget, &paths[i])
		}
	}
	if vs, ok := v.([]any); ok {
		each(len(vs), func(i int) any { return vs[i] })
		return
	}
	if !iterable(v) {
		e.fail(fmt.Sprintf("User Error: expected iterable, but did not find one for field %v.%v.", f.parent.Name(), f.def.Name), f, path, target)
		return
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Ptr {
		rv = rv.Elem()
	}
	each(rv.Len(), func(i int) any { return rv.Index(i).Interface() })
}

func (e *execution) runtimeType(f *fieldPlan, t graphql.Abstract, v any, path *graphql.ResponsePath) (rt *graphql.Object, err any) {
	defer func() {
		if r := recover(); r != nil {
			rt, err = nil, r
		}
	}()
	p := graphql.ResolveTypeParams{Value: v, Info: e.info(f, path), Context: e.ctx}
	switch t := t.(type) {
	case *graphql.Union:
		if t.ResolveType != nil {
			rt = t.ResolveType(p)
		}
	case *graphql.Interface:
		if t.ResolveType != nil {
			rt = t.ResolveType(p)
		}
	}
	if rt == nil {
		for _, pt := range e.schema.PossibleTypes(t) {
			if pt.IsTypeOf != nil && pt.IsTypeOf(graphql.IsTypeOfParams{Value: v, Info: p.Info, Context: e.ctx}) {
				rt = pt
				break
			}
		}
	}
	if rt == nil {
		return nil, fmt.Sprintf(`Abstract type %v must resolve to an Object type at runtime for field %v.%v with value "%v", received "%v".`,
			t, f.parent, f.def.Name, v, rt)
	}
	if !e.schema.IsPossibleType(t, rt) {
		return nil, fmt.Sprintf(`Runtime Object type "%v" is not a possible type for "%v".`, rt, t)
	}
	return rt, nil
}

func (e *execution) info(f *fieldPlan, path *graphql.ResponsePath) graphql.ResolveInfo {
	return graphql.ResolveInfo{FieldName: f.def.Name, FieldASTs: f.asts, Path: path, ReturnType: f.def.Type, ParentType: f.parent,
		Schema: *e.schema, Fragments: e.fragments, Operation: e.op, VariableValues: e.vars}
}

// fail records err (an error, a message or a recovered panic) for the field
// at path and nulls target, as graphql-go's handleFieldError does.
func (e *execution) fail(err any, f *fieldPlan, path *graphql.ResponsePath, target *any) {
	if f.nodes == nil {
		f.nodes = graphql.FieldASTsToNodeASTs(f.asts)
	}
	e.errs = append(e.errs, gqlerrors.FormatError(graphql.NewLocatedErrorWithPath(err, f.nodes, path.AsArray())))
	*target = nil
}

// plan is the object plan of f's selection (the operation's, for nil) on
// type t, made once per request.
func (e *execution) plan(f *fieldPlan, t *graphql.Object) *objectPlan {
	key := planKey{f, t}
	if p, ok := e.plans[key]; ok {
		return p
	}
	var order []string
	byName := map[string][]*ast.Field{}
	visited := map[string]bool{}
	if f == nil {
		e.collect(t, e.op.SelectionSet, byName, &order, visited)
	} else {
		for _, a := range f.asts {
			if a != nil && a.SelectionSet != nil {
				e.collect(t, a.SelectionSet, byName, &order, visited)
			}
		}
	}
	p := &objectPlan{typ: t, fields: make([]*fieldPlan, 0, len(order))}
	for _, name := range order {
		asts := byName[name]
		fp := &fieldPlan{name: name, key: name, asts: asts, parent: t}
		fieldName := ""
		if asts[0].Name != nil {
			fieldName = asts[0].Name.Value
		}
		switch {
		case fieldName == graphql.TypeNameMetaFieldDef.Name:
			fp.def, fp.typename = graphql.TypeNameMetaFieldDef, true
		case fieldName == graphql.SchemaMetaFieldDef.Name && t == e.schema.QueryType():
			fp.def = graphql.SchemaMetaFieldDef
		case fieldName == graphql.TypeMetaFieldDef.Name && t == e.schema.QueryType():
			fp.def = graphql.TypeMetaFieldDef
		default:
			fp.def = t.Fields()[fieldName]
		}
		if fp.def == nil {
			continue // as graphql-go: a field the type lacks is left out
		}
		fp.args = argumentValues(fp.def.Args, asts[0].Arguments, e.vars)
		p.fields = append(p.fields, fp)
	}
	slices.SortFunc(p.fields, func(a, b *fieldPlan) int { return strings.Compare(a.name, b.name) })
	e.plans[key] = p
	return p
}

// collect is graphql-go's collectFields: the fields a selection set asks of
// an object of type t, by response name, in the order first asked.
func (e *execution) collect(t *graphql.Object, set *ast.SelectionSet, byName map[string][]*ast.Field, order *[]string, visited map[string]bool) {
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.Field:
			if !e.include(sel.Directives) {
				continue
			}
			name := ""
			switch {
			case sel.Alias != nil && sel.Alias.Value != "":
				name = sel.Alias.Value
			case sel.Name != nil:
				name = sel.Name.Value
			}
			if _, ok := byName[name]; !ok {
				*order = append(*order, name)
			}
			byName[name] = append(byName[name], sel)
		case *ast.InlineFragment:
			if !e.include(sel.Directives) || !e.matches(sel.TypeCondition, t) {
				continue
			}
			e.collect(t, sel.SelectionSet, byName, order, visited)
		case *ast.FragmentSpread:
			name := ""
			if sel.Name != nil {
				name = sel.Name.Value
			}
			if visited[name] || !e.include(sel.Directives) {
				continue
			}
			visited[name] = true
			frag, ok := e.fragments[name].(*ast.FragmentDefinition)
			if !ok || !e.matches(frag.TypeCondition, t) {
				continue
			}
			e.collect(t, frag.SelectionSet, byName, order, visited)
		}
	}
}

// include applies @skip and @include, @skip first.
func (e *execution) include(directives []*ast.Directive) bool {
	for _, d := range directives {
		if d != nil && d.Name != nil && d.Name.Value == graphql.SkipDirective.Name {
			if skip, ok := argumentValues(graphql.SkipDirective.Args, d.Arguments, e.vars)["if"].(bool); ok && skip {
				return false
			}
		}
	}
	for _, d := range directives {
		if d != nil && d.Name != nil && d.Name.Value == graphql.IncludeDirective.Name {
			if incl, ok := argumentValues(graphql.IncludeDirective.Args, d.Arguments, e.vars)["if"].(bool); ok && !incl {
				return false
			}
		}
	}
	return true
}

// matches says whether a fragment on cond applies to an object of type t.
func (e *execution) matches(cond *ast.Named, t *graphql.Object) bool {
	if cond == nil {
		return true
	}
	ct := typeFromAST(e.schema, cond)
	if ct == nil {
		return false
	}
	if ct == graphql.Type(t) || ct.Name() == t.Name() {
		return true
	}
	if a, ok := ct.(graphql.Abstract); ok {
		return e.schema.IsPossibleType(a, t)
	}
	return false
}
