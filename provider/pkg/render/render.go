// Package render shows a plan to people: a flow matrix, a Mermaid diagram and
// a table of groups, rules and findings. Output is deterministic. It imports
// nothing from Pulumi.
package render

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// endpointName is an endpoint as the matrix and diagram name it: a service,
// a network or tier by name, the internet, or a literal CIDR or prefix list.
func endpointName(e flow.Endpoint) string {
	switch {
	case e.Kind == flow.Group:
		return e.Service
	case e.Kind == flow.PrefixList:
		return e.PrefixList
	case e.Via == "internet":
		return "internet"
	case strings.HasPrefix(e.Via, "network:"):
		return strings.TrimPrefix(e.Via, "network:")
	case strings.HasPrefix(e.Via, "tier:"):
		return "tier " + strings.TrimPrefix(e.Via, "tier:")
	default:
		return e.CIDR
	}
}

// edge is every port one caller may use on one callee.
type edge struct {
	from, to flow.Endpoint
	ports    []ports.Range
}

// portList is an edge's ports in numeric order, as one label.
func (e edge) portList(sep string) string {
	out := make([]string, len(e.ports))
	for i, r := range e.ports {
		out[i] = r.String()
	}
	return strings.Join(out, sep)
}

// edges groups the declared flows by (caller, callee) name, leaving out the
// egress policy's allow-all flows, which the legend states once instead.
func edges(p *plan.Plan) []edge {
	index := map[[2]string]int{}
	var out []edge
	for _, f := range p.Flows {
		if f.Origin.Rule == flow.PolicyRule {
			continue
		}
		k := [2]string{endpointName(f.From), endpointName(f.To)}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, edge{from: f.From, to: f.To})
		}
		if !slices.Contains(out[i].ports, f.Ports) {
			out[i].ports = append(out[i].ports, f.Ports)
		}
	}
	for i := range out {
		slices.SortFunc(out[i].ports, func(a, b ports.Range) int {
			return cmp.Or(cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
		})
	}
	return out
}

// policyNote says what the egress policy adds beyond the drawn flows.
func policyNote(p *plan.Plan) string {
	for _, f := range p.Flows {
		if f.Origin.Rule == flow.PolicyRule {
			return "egress policy allowAll: every group may also send anything to 0.0.0.0/0 and ::/0"
		}
	}
	return "no allow-all egress: groups send only what their egress rules (or the mirror policy) allow"
}

// MaxMatrixColumns is the widest matrix drawn as a grid; a larger mesh is
// listed callee by callee instead, since a grid grows with the square of the
// services while a reader (and the stack's outputs) want what is allowed.
const MaxMatrixColumns = 16

// Matrix is the flow matrix: callers as rows, callees as numbered columns
// (named in the legend, to stay narrow enough for a preview), cells the
// protocol and ports. Past MaxMatrixColumns callees it is a list instead.
func Matrix(p *plan.Plan) string {
	es := edges(p)
	var callers, callees []string
	cells := map[[2]string]string{}
	for _, e := range es {
		f, t := endpointName(e.from), endpointName(e.to)
		if !slices.Contains(callers, f) {
			callers = append(callers, f)
		}
		if !slices.Contains(callees, t) {
			callees = append(callees, t)
		}
		cells[[2]string{f, t}] = e.portList(",")
	}
	slices.Sort(callers)
	slices.Sort(callees)
	if len(callees) > MaxMatrixColumns {
		return list(p, es, callees)
	}

	width := make([]int, len(callees)+1)
	width[0] = len("caller \\ callee")
	for _, c := range callers {
		width[0] = max(width[0], len(c))
	}
	header := []string{"caller \\ callee"}
	for j, t := range callees {
		header = append(header, fmt.Sprintf("[%d]", j+1))
		width[j+1] = len(header[j+1])
		for _, c := range callers {
			width[j+1] = max(width[j+1], len(cells[[2]string{c, t}]))
		}
	}
	var b strings.Builder
	row := func(cols []string) {
		for j, c := range cols {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(c + strings.Repeat(" ", width[j]-len(c)))
		}
		b.WriteString("\n")
	}
	row(header)
	rule := make([]string, len(width))
	for j, w := range width {
		rule[j] = strings.Repeat("-", w)
	}
	row(rule)
	for _, c := range callers {
		cols := []string{c}
		for _, t := range callees {
			v := cells[[2]string{c, t}]
			if v == "" {
				v = "."
			}
			cols = append(cols, v)
		}
		row(cols)
	}
	b.WriteString("\n")
	for j, t := range callees {
		fmt.Fprintf(&b, "[%d] %s\n", j+1, t)
	}
	b.WriteString(". no access; " + policyNote(p) + "\n")
	return b.String()
}

// list is the matrix for a large mesh: each callee, then its callers and ports.
func list(p *plan.Plan, es []edge, callees []string) string {
	byCallee := map[string][]string{}
	for _, e := range es {
		t := endpointName(e.to)
		byCallee[t] = append(byCallee[t], endpointName(e.from)+" "+e.portList(","))
	}
	var b strings.Builder
	for _, t := range callees {
		slices.Sort(byCallee[t])
		fmt.Fprintf(&b, "%s <- %s\n", t, strings.Join(byCallee[t], "; "))
	}
	b.WriteString(policyNote(p) + "\n")
	return b.String()
}
