package web

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestEveryWordHasBothLanguages: each key a template words with T has a
// Swedish and an English text, so no page shows a bare key.
func TestEveryWordHasBothLanguages(t *testing.T) {
	keyed := regexp.MustCompile(`\.T "([A-Za-z.]+)"`)
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := templateFiles.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyed.FindAllStringSubmatch(string(b), -1) {
			w, ok := words[m[1]]
			if !ok || w[0] == "" || w[1] == "" {
				t.Errorf("%s: %q has no words in both languages", f, m[1])
			}
		}
	}
	for key, w := range words {
		if w[0] == "" || w[1] == "" {
			t.Errorf("%q lacks a language", key)
		}
	}
}
