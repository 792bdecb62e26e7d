package main

import (
	"fmt"
	"strings"

	rfc2119 "github.com/opencontainers/runtime-tools/error"
	"github.com/opencontainers/runtime-tools/specerror"
)

// tap prints test points as they come and the plan at the end.
type tap struct {
	n int
}

func (t *tap) point(ok bool, desc string, diag string) {
	t.n++
	word := "ok"
	if !ok {
		word = "not ok"
	}
	fmt.Printf("%s %d - %s\n", word, t.n, oneLine(desc))
	if !ok && diag != "" {
		for _, l := range strings.Split(strings.TrimRight(diag, "\n"), "\n") {
			fmt.Printf("#   %s\n", l)
		}
	}
}

func (t *tap) ok(ok bool, desc string, format string, args ...interface{}) bool {
	t.point(ok, desc, fmt.Sprintf(format, args...))
	return ok
}

func (t *tap) pass(desc string) { t.point(true, desc, "") }

func (t *tap) fail(desc string, format string, args ...interface{}) {
	t.point(false, desc, fmt.Sprintf(format, args...))
}

func (t *tap) skip(desc, reason string) {
	t.n++
	fmt.Printf("ok %d - %s # SKIP %s\n", t.n, oneLine(desc), oneLine(reason))
}

// spec names the spec point a test is about, from the library's table of
// error codes: "[MUST runtime.md#create]".
func spec(code specerror.Code) string {
	e, err := specerror.NewRFCError(code, fmt.Errorf("-"), "1.0.2")
	if err != nil {
		return "[?]"
	}
	ref := e.Reference
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	// A # in a TAP description would start a directive.
	ref = strings.Replace(ref, "#", " ", 1)
	return fmt.Sprintf("[%s %s]", levelWord(e.Level), ref)
}

func levelWord(l rfc2119.Level) string {
	switch l {
	case rfc2119.May, rfc2119.Optional:
		return "MAY"
	case rfc2119.Should, rfc2119.Recommended:
		return "SHOULD"
	case rfc2119.ShouldNot, rfc2119.NotRecommended:
		return "SHOULD NOT"
	case rfc2119.MustNot, rfc2119.ShallNot:
		return "MUST NOT"
	}
	return "MUST"
}

func (t *tap) done() {
	fmt.Printf("1..%d\n", t.n)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "#", "")
}
