package registry

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The domain imports the standard library only: no database driver (store
// reads and writes registry values through rows of its own) and nothing of
// kedja's other packages, which import it. The standard library imports
// nothing outside itself, so checking the package's own imports covers all
// it depends on.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if !standard(path) {
				t.Errorf("%s imports %q: package registry imports the standard library only", name, path)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files found: the test must run in the package's folder")
	}
}

// standard reports whether path names a standard library package: as for
// the go command, one whose first element has no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
