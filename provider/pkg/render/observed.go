package render

import (
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// Observation is the traffic seen on a plan's flows, for MermaidObserved.
type Observation struct {
	// Unused reports whether a declared flow was judged and carried nothing.
	Unused func(f flow.Flow) bool
	// Undeclared is accepted traffic no declared flow allows.
	Undeclared []ObservedEdge
}

// ObservedEdge is traffic from one caller to one callee, each a service of
// the plan by name, else whatever names it (an address, another group).
type ObservedEdge struct {
	From, To string
	Ports    []ports.Range
}

// MermaidObserved is Mermaid's flowchart of the plan with observed traffic
// on it: a declared edge that carried nothing is dashed and says unused (a
// port of it that carried nothing says so too); traffic no flow declares is
// an edge of its own, labelled "not declared", and the callers and callees
// outside the plan it brings are nodes of class "undeclared". Shared flows
// are drawn solid here: dashes mean unused.
func MermaidObserved(p *plan.Plan, o Observation) string {
	g := newGraph(p)
	obs := &observed{unused: map[[2]string][]ports.Range{}, used: map[[2]string][]ports.Range{}}
	for _, f := range p.Flows {
		if f.Origin.Rule == flow.PolicyRule {
			continue
		}
		k := [2]string{endpointNode(f.From).key, endpointNode(f.To).key}
		if o.Unused(f) {
			obs.unused[k] = append(obs.unused[k], f.Ports)
		} else {
			obs.used[k] = append(obs.used[k], f.Ports)
		}
	}
	byKey := map[string]*node{}
	for _, n := range g.nodes {
		byKey[n.key] = n
	}
	nodeOf := func(name string) *node {
		key := "sg:" + name
		if n, ok := byKey[key]; ok && n.kind == serviceNode {
			return n
		}
		key = "seen:" + name
		if n, ok := byKey[key]; ok {
			return n
		}
		n := &node{key: key, label: name, kind: cidrNode, name: name}
		byKey[key] = n
		g.nodes = append(g.nodes, n)
		obs.seen = append(obs.seen, n)
		return n
	}
	for _, u := range o.Undeclared {
		g.edges = append(g.edges, edge{from: nodeOf(u.From), to: nodeOf(u.To), ports: slices.SortedFunc(slices.Values(u.Ports), comparePorts), undeclared: true})
	}
	sortNodes(g.nodes)
	sortNodes(obs.seen)
	return g.mermaid(p.Tiers, obs)
}

// observed is an Observation in the graph's terms.
type observed struct {
	used, unused map[[2]string][]ports.Range // declared ports by caller and callee key
	seen         []*node                     // nodes only undeclared traffic brings
}

// brought reports whether only undeclared traffic brings n: it is of
// class undeclared, not external.
func (o *observed) brought(n *node) bool { return o != nil && slices.Contains(o.seen, n) }

// edge is an edge's arrow and label.
func (o *observed) edge(e edge) (arrow, label string) {
	if e.undeclared {
		return "-->", "not declared: " + strings.Join(e.portList(), ", ")
	}
	k := [2]string{e.from.key, e.to.key}
	var parts []string
	used := false
	for _, r := range e.ports {
		switch {
		case slices.Contains(o.used[k], r):
			used = true
			parts = append(parts, r.String())
		case slices.Contains(o.unused[k], r):
			parts = append(parts, r.String()+" unused")
		}
	}
	if !used {
		return "-.->", "unused: " + strings.Join(e.portList(), ", ")
	}
	return "-->", strings.Join(parts, ", ")
}
