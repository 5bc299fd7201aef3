package resolvers

import (
	"context"
	"strings"
	"testing"

	"github.com/kedja/kedja/registry"
)

// The schema's enum of clearable fields and the decoders are written apart;
// Update refuses, when the schema is built, a clearable name its decoder
// does not set to null, so the two cannot drift apart unnoticed.
func TestUpdateRefusesClearableNamesItsDecoderDoesNotClear(t *testing.T) {
	noStore := func(registry.LinkService, context.Context, string, int64, func(*registry.Link) error) (registry.Link, error) {
		return registry.Link{}, nil
	}
	tests := []struct {
		name      string
		clearable []string
		wantPanic string // empty: builds
	}{
		{"OptionalFields", []string{"validTo", "agreementRef", "dataCategories", "routingWindows", "routingShare", "sccModule"}, ""},
		{"RequiredField", []string{"agreementRef", "purpose"}, `"purpose"`},
		{"FieldThatCannotChange", []string{"toId"}, `"toId"`},
		{"UnknownField", []string{"nickname"}, `"nickname"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			func() {
				defer func() {
					if p := recover(); p != nil {
						got, _ = p.(string)
						if got == "" {
							got = "a panic that is not a message"
						}
					}
				}()
				Update(&Resolvers{}, LinkSvc, DecodeLink, noStore, tt.clearable)
			}()
			if (tt.wantPanic == "") != (got == "") || !strings.Contains(got, tt.wantPanic) {
				t.Errorf("Update with clearable %q: panic %q, want one naming %s", tt.clearable, got, tt.wantPanic)
			}
		})
	}
}
