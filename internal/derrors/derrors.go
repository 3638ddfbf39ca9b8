// Package derrors defines the few kinds of error that callers act on and the
// helpers to make, wrap and classify them.
//
// A *Error carries a Kind and a message that is safe to show a user. Any other
// error is internal: the API shows "internal error" and logs it in full, the
// CLI prints it and exits with a distinct code.
package derrors

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what a caller should do about it.
type Kind string

// The kinds of error. Internal is the zero meaning: anything unclassified.
const (
	Internal        Kind = "internal"
	Invalid         Kind = "invalid"
	NotFound        Kind = "not_found"
	Conflict        Kind = "conflict"
	Forbidden       Kind = "forbidden"
	Unauthenticated Kind = "unauthenticated"
	TooMany         Kind = "too_many_requests"
)

// Error is an error of a known kind with a message safe to show a user.
type Error struct {
	Kind    Kind
	Message string
	// Err is an optional underlying cause, logged but never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// E returns an *Error of kind k with a formatted message.
func E(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an Invalid error; the message should name the field, row
// or parameter and what was expected.
func Invalidf(format string, args ...any) error { return E(Invalid, format, args...) }

// NotFoundf returns a NotFound error.
func NotFoundf(format string, args ...any) error { return E(NotFound, format, args...) }

// Forbiddenf returns a Forbidden error.
func Forbiddenf(format string, args ...any) error { return E(Forbidden, format, args...) }

// Conflictf returns a Conflict error.
func Conflictf(format string, args ...any) error { return E(Conflict, format, args...) }

// KindOf reports the kind of err: the kind of the first *Error in its chain,
// else Internal. KindOf(nil) is "".
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Message returns the user-safe message of err: the message of its *Error, or
// "internal error" for anything else.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Wrap prefixes *errp with a formatted context, keeping its kind. Use it as
// `defer derrors.Wrap(&err, "sqlite.GetAccount(%d)", id)`.
func Wrap(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	ctx := fmt.Sprintf(format, args...)
	var e *Error
	if errors.As(*errp, &e) {
		// Keep the user-facing message as is; add the context to the cause.
		*errp = &Error{Kind: e.Kind, Message: e.Message, Err: fmt.Errorf("%s: %w", ctx, *errp)}
		return
	}
	*errp = fmt.Errorf("%s: %w", ctx, *errp)
}
