package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
)

// Mermaid is a flowchart of the mesh: tiers as subgraphs (outermost first),
// groups as nodes, external networks and the internet as their own nodes,
// edges labelled with ports, shared services drawn distinct.
func Mermaid(p *plan.Plan) string {
	ids := nodeIDs{}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	fmt.Fprintf(&b, "  %%%% %s\n", policyNote(p))

	es := edges(p)
	var external []flow.Endpoint
	for _, e := range es {
		if e.from.Kind != flow.Group && !slices.ContainsFunc(external, func(x flow.Endpoint) bool { return endpointName(x) == endpointName(e.from) }) {
			external = append(external, e.from)
		}
		if e.to.Kind != flow.Group && !slices.ContainsFunc(external, func(x flow.Endpoint) bool { return endpointName(x) == endpointName(e.to) }) {
			external = append(external, e.to)
		}
	}
	slices.SortFunc(external, func(a, c flow.Endpoint) int { return strings.Compare(endpointName(a), endpointName(c)) })
	if len(external) > 0 {
		b.WriteString("  subgraph external[\"external\"]\n")
		for _, e := range external {
			name := endpointName(e)
			if name == "internet" {
				fmt.Fprintf(&b, "    %s((\"internet\"))\n", ids.of(name))
			} else {
				fmt.Fprintf(&b, "    %s[/\"%s\"/]\n", ids.of(name), name)
			}
		}
		b.WriteString("  end\n")
	}
	var shared []string
	for _, t := range p.Tiers {
		fmt.Fprintf(&b, "  subgraph %s[\"tier %s\"]\n", ids.of("tier "+t), t)
		for _, g := range p.Groups {
			if g.Tier == t {
				fmt.Fprintf(&b, "    %s[\"%s\"]\n", ids.of(g.Service), g.Name)
				if g.Shared {
					shared = append(shared, ids.of(g.Service))
				}
			}
		}
		b.WriteString("  end\n")
	}
	for _, e := range es {
		fmt.Fprintf(&b, "  %s -->|%s| %s\n", ids.of(endpointName(e.from)), e.portList(", "), ids.of(endpointName(e.to)))
	}
	b.WriteString("  classDef shared fill:#eef2ff,stroke:#6366f1,stroke-dasharray:4 2\n")
	if len(shared) > 0 {
		fmt.Fprintf(&b, "  class %s shared\n", strings.Join(shared, ","))
	}
	return b.String()
}

// nodeIDs gives each name a Mermaid-safe id, unique even where sanitising
// would make two names alike.
type nodeIDs map[string]string

func (n nodeIDs) of(name string) string {
	if id, ok := n[name]; ok {
		return id
	}
	var b strings.Builder
	b.WriteString("n_")
	for _, r := range name {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	id := b.String()
	for taken := true; taken; {
		taken = false
		for _, other := range n {
			if other == id {
				id += "_"
				taken = true
				break
			}
		}
	}
	n[name] = id
	return id
}
