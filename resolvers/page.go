package resolvers

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// Connection is one page of a list.
type Connection struct {
	Nodes       any
	HasNextPage bool
	EndCursor   *string
}

const maxPage = 500

// pageSize reads the first argument of a list field: 1-500, default 50.
func pageSize(p graphql.ResolveParams) (int, error) {
	n, ok := p.Args["first"].(int)
	if !ok {
		return 50, nil
	}
	if n < 1 || n > maxPage {
		return 0, registry.Invalid("first", "must be between 1 and %d", maxPage)
	}
	return n, nil
}

// page reads the first/after arguments of a list field.
func page(p graphql.ResolveParams) (registry.Page, error) {
	var pg registry.Page
	var err error
	if pg.First, err = pageSize(p); err != nil {
		return pg, err
	}
	if c, ok := p.Args["after"].(string); ok && c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		id, perr := strconv.ParseInt(strings.TrimPrefix(string(b), "id:"), 10, 64)
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "id:") || id < 0 {
			return pg, registry.Invalid("after", "not a cursor from this list")
		}
		pg.After = id
	}
	return pg, nil
}

func connection[T any](rows []T, more bool, id func(*T) int64) Connection {
	c := Connection{Nodes: rows, HasNextPage: more}
	if rows == nil {
		c.Nodes = []T{}
	}
	if n := len(rows); n > 0 {
		s := base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id(&rows[n-1]), 10)))
		c.EndCursor = &s
	}
	return c
}
