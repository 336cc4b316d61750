package render

import (
	"fmt"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
)

// Mermaid is a flowchart of the mesh, left to right as traffic enters it:
//
//   - the outside world first, as nodes of its own outside every tier: the
//     internet as a circle, named networks (with their CIDRs), literal CIDRs
//     and prefix lists, all of class "external";
//   - each tier that holds anything as a subgraph, outermost first, holding its services' groups
//     (internet-facing ones as stadiums) and, when a rule names the tier as a
//     peer, a node for the tier's subnets;
//   - one edge per caller and callee, labelled with every protocol/port the
//     caller may open ("tcp/80, tcp/443"); a self rule is an edge from a group
//     to itself;
//   - shared services (admin access, logging, monitoring) of class "shared",
//     and their flows, which tier adjacency exempts, drawn dotted.
//
// Node ids are the names sanitised to [A-Za-z0-9_] behind a prefix per kind
// (svc_, net_, ...), made unique; every label is quoted. The output is
// within the subset test/mermaidcheck accepts.
func Mermaid(p *plan.Plan) string { return newGraph(p).mermaid(p.Tiers, nil) }

// mermaid draws the graph; obs, when set, marks each edge with the traffic
// observed on it (MermaidObserved).
func (g *graph) mermaid(tiers []string, obs *observed) string {
	ids := mermaidIDs{taken: map[string]bool{}, of: map[*node]string{}}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	fmt.Fprintf(&b, "  %%%% %s\n", g.policy)

	var external, shared []string
	declare := func(indent string, n *node) {
		id := ids.id(n)
		fmt.Fprintf(&b, "%s%s%s\n", indent, id, shape(n))
		switch {
		case n.kind == serviceNode && n.shared:
			shared = append(shared, id)
		case n.kind != serviceNode && !obs.brought(n):
			external = append(external, id)
		}
	}
	inTier := map[string][]*node{}
	declared := map[string]bool{}
	for _, t := range tiers {
		declared[t] = true
	}
	for _, n := range g.groups {
		if declared[n.tier] {
			inTier[n.tier] = append(inTier[n.tier], n)
		}
	}
	for _, n := range g.nodes {
		switch {
		case n.kind == tierNode && declared[n.name]:
			// drawn inside its tier, first
			inTier[n.name] = append([]*node{n}, inTier[n.name]...)
		case n.kind == serviceNode && declared[n.tier]:
		default:
			declare("  ", n)
		}
	}
	for _, t := range tiers {
		if len(inTier[t]) == 0 {
			continue // an empty box says nothing, and Mermaid lays it out badly
		}
		fmt.Fprintf(&b, "  subgraph %s[%s]\n", ids.fresh("tier_"+t), quote("tier "+t))
		for _, n := range inTier[t] {
			declare("    ", n)
		}
		b.WriteString("  end\n")
	}
	for _, e := range g.edges {
		arrow := "-->"
		if e.from.shared || e.to.shared {
			arrow = "-.->"
		}
		label := strings.Join(e.portList(), ", ")
		if obs != nil {
			arrow, label = obs.edge(e)
		}
		fmt.Fprintf(&b, "  %s %s|%s| %s\n", ids.id(e.from), arrow, quote(label), ids.id(e.to))
	}
	if obs != nil && len(obs.seen) > 0 {
		b.WriteString("  classDef undeclared fill:#fef2f2,stroke:#dc2626,stroke-width:2px\n")
		var seen []string
		for _, n := range obs.seen {
			seen = append(seen, ids.id(n))
		}
		fmt.Fprintf(&b, "  class %s undeclared\n", strings.Join(seen, ","))
	}
	if len(shared) > 0 {
		b.WriteString("  classDef shared fill:#eef2ff,stroke:#6366f1,stroke-dasharray:4 2\n")
		fmt.Fprintf(&b, "  class %s shared\n", strings.Join(shared, ","))
	}
	if len(external) > 0 {
		b.WriteString("  classDef external fill:#fff7ed,stroke:#ea580c\n")
		fmt.Fprintf(&b, "  class %s external\n", strings.Join(external, ","))
	}
	return b.String()
}

// shape is a node's Mermaid shape and label.
func shape(n *node) string {
	switch n.kind {
	case internetNode:
		return "((" + quote(n.label) + "))"
	case networkNode:
		return "[/" + quote(n.label+" ("+strings.Join(n.cidrs, ", ")+")") + "/]"
	case tierNode:
		return "[/" + quote(n.name+" subnets ("+strings.Join(n.cidrs, ", ")+")") + "/]"
	case cidrNode:
		return "[/" + quote(n.label) + "/]"
	case prefixListNode:
		return "{{" + quote(n.label) + "}}"
	case externalGroupNode:
		return "[" + quote("external group "+n.label) + "]"
	default:
		if n.internetFacing {
			return "([" + quote(n.label) + "])"
		}
		return "[" + quote(n.label) + "]"
	}
}

// quote makes text a Mermaid string: in double quotes, with the quote and
// the entity character written as entities.
func quote(s string) string {
	s = strings.ReplaceAll(s, "#", "#35;")
	s = strings.ReplaceAll(s, `"`, "#quot;")
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	return `"` + s + `"`
}

// mermaidIDs gives nodes and subgraphs ids that are safe in Mermaid: a
// prefix per kind (so no id is a keyword such as end, or starts with the o or
// x that Mermaid reads as an arrow head), then the name with everything but
// letters and digits as "_", suffixed to stay unique (a.b and a-b).
type mermaidIDs struct {
	taken map[string]bool
	of    map[*node]string
}

var idPrefix = map[kind]string{internetNode: "ext_", networkNode: "net_", tierNode: "subnets_", cidrNode: "cidr_",
	prefixListNode: "pl_", serviceNode: "svc_"}

func (m mermaidIDs) id(n *node) string {
	if id, ok := m.of[n]; ok {
		return id
	}
	prefix := idPrefix[n.kind]
	if n.kind == prefixListNode && strings.HasPrefix(n.name, "pl-") {
		prefix = "" // pl_0123...: already safe and telling
	}
	id := m.fresh(prefix + n.name)
	m.of[n] = id
	return id
}

// fresh sanitises name into an id no one has taken, and takes it.
func (m mermaidIDs) fresh(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	id := b.String()
	for i := 2; m.taken[id]; i++ {
		id = fmt.Sprintf("%s_%d", b.String(), i)
	}
	m.taken[id] = true
	return id
}
