package main

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/schema"
)

// runSchema prints the GraphQL schema as SDL, so that the committed
// schema.graphql can be regenerated, and compared, without a database.
func runSchema(ctx context.Context, k *cli, args []string) error {
	f := newFlags("schema", "Print the GraphQL schema as SDL: every type, field, argument and enum value, "+
		"sorted by name, with its description. It is what schema.graphql holds; no database is needed.")
	f.example("kedja schema > schema.graphql", "kedja schema | diff schema.graphql -")
	if err := f.parse(k, args); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return fmt.Errorf("kedja schema takes no arguments; run kedja help schema")
	}
	sdl, err := schema.Printed()
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	_, err = fmt.Fprint(k.out, sdl)
	return err
}
