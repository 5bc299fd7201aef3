package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/resolvers"
)

// guard wraps every field of every object type with its rule from access.
// A field without a rule fails the build, so nothing new is reachable by
// accident.
func guard(s graphql.Schema) error {
	var missing []string
	for name, t := range s.TypeMap() {
		obj, ok := t.(*graphql.Object)
		if !ok || strings.HasPrefix(name, "__") {
			continue
		}
		for fname, f := range obj.Fields() {
			roles, ok := access.Rule(name, fname)
			if !ok {
				missing = append(missing, name+"."+fname)
				continue
			}
			next := f.Resolve
			if next == nil {
				next = graphql.DefaultResolveFn
			}
			f.Resolve = resolvers.Guard(roles, next)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("schema: no access rule for %s", strings.Join(missing, ", "))
	}
	return nil
}
