// Package finding is how every stage reports a problem with a declaration:
// which service and rule, what is wrong, and how to fix it.
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity orders findings; errors stop a plan, warnings are reported.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one problem. Service and Rule locate it ("" when mesh-wide);
// Check is a stable id that tests, exceptions and tooling can match on.
type Finding struct {
	Severity Severity `json:"severity"`
	Check    string   `json:"check"`
	Service  string   `json:"service,omitempty"`
	// Rule is the rule's path within the service, e.g. ingress[1].
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// String renders a finding as one line a user can act on.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(string(f.Severity))
	b.WriteString(" [")
	b.WriteString(f.Check)
	b.WriteString("]")
	switch {
	case f.Service != "" && f.Rule != "":
		fmt.Fprintf(&b, " service %q rule %s", f.Service, f.Rule)
	case f.Service != "":
		fmt.Fprintf(&b, " service %q", f.Service)
	case f.Rule != "": // a mesh-level location such as networks[0]
		fmt.Fprintf(&b, " %s", f.Rule)
	}
	b.WriteString(": ")
	b.WriteString(f.Message)
	if f.Fix != "" {
		b.WriteString("; fix: ")
		b.WriteString(f.Fix)
	}
	return b.String()
}

// List collects findings from the stages of a plan.
type List []Finding

// Add appends a finding built from its parts, with the check's registered
// severity.
func (l *List) Add(check, service, rule, fix, format string, args ...any) {
	*l = append(*l, Finding{Severity: mustLookup(check).Severity, Check: check, Service: service, Rule: rule,
		Message: fmt.Sprintf(format, args...), Fix: fix})
}

// Errors returns only the error findings.
func (l List) Errors() List { return l.only(Error) }

// Warnings returns only the warning findings.
func (l List) Warnings() List { return l.only(Warning) }

func (l List) only(sev Severity) List {
	var out List
	for _, f := range l {
		if f.Severity == sev {
			out = append(out, f)
		}
	}
	return out
}

// Sort orders findings deterministically: errors first, then by location.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Severity != b.Severity {
			return a.Severity == Error
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Message < b.Message
	})
}

// Err returns nil when l holds no errors, or an error listing every one.
func (l List) Err() error {
	errs := l.Errors()
	if len(errs) == 0 {
		return nil
	}
	return &Errors{Findings: errs}
}

// Errors is the error a plan fails with: all its error findings at once, so a
// user fixes a declaration in one pass rather than one error per preview.
type Errors struct{ Findings List }

func (e *Errors) Error() string {
	lines := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		lines[i] = "  " + f.String()
	}
	noun := "problems"
	if len(lines) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("service mesh declaration has %d %s:\n%s", len(lines), noun, strings.Join(lines, "\n"))
}
