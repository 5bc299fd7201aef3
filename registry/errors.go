// Package registry is kedja's domain: the parties, systems, links and evidence
// of a processing chain, their validation rules, and the errors callers see.
// It imports nothing of the project.
package registry

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers; the transport puts it in
// extensions.code.
type Code string

// The codes callers can act on. Anything else is INTERNAL and its detail is
// logged, never shown.
const (
	EInvalid  Code = "INVALID_INPUT"
	ENotFound Code = "NOT_FOUND"
	EConflict Code = "CONFLICT"
	EInternal Code = "INTERNAL"
	// EUnavailable says the database could not be reached: nothing was
	// done, and the same request may succeed shortly (HTTP 503 with
	// Retry-After).
	EUnavailable Code = "UNAVAILABLE"
)

// Error is an error a caller may see: a code, the input field it concerns
// (empty when none) and a message written for a person.
type Error struct {
	Code    Code
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Invalid reports bad input in field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports that the object field refers to does not exist.
func NotFound(field, format string, args ...any) *Error {
	return &Error{Code: ENotFound, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflict reports input that contradicts what the registry already holds.
func Conflict(field, format string, args ...any) *Error {
	return &Error{Code: EConflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Unavailable reports that the database could not be reached.
func Unavailable() *Error {
	return &Error{Code: EUnavailable, Message: "the database is unavailable; try again shortly"}
}

// AsError returns the caller-visible error inside err, or nil when err is
// internal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrorCode returns err's code, EInternal for errors not meant for callers.
func ErrorCode(err error) Code {
	if e := AsError(err); e != nil {
		return e.Code
	}
	return EInternal
}
