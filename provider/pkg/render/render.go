// Package render shows a plan to people: a flow matrix (Matrix), a Mermaid
// flowchart (Mermaid, checked by test/mermaidcheck), a reviewer's table of the
// whole plan (Table) and the plan as JSON (JSON). Every output is a pure,
// deterministic function of the plan. It imports nothing from Pulumi.
package render

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// kind is what a node of the pictures stands for. The order is the order in
// which they are listed: the outside world first, then the tiers' groups.
type kind int

const (
	internetNode      kind = iota // 0.0.0.0/0 and ::/0
	networkNode                   // a named network such as office
	tierNode                      // a tier's subnets, named as a peer
	cidrNode                      // a literal CIDR
	prefixListNode                // a customer-managed prefix list
	externalGroupNode             // a security group made outside the mesh
	serviceNode                   // a service's security group
)

// node is one end of a flow as the matrix and diagram show it: a service, or
// something outside the mesh by the name the declaration gave it.
type node struct {
	key   string // identity, unique across kinds: sg:X, net:X, tier:X, cidr:X, pl:X, internet
	label string // what a reader sees; unique across nodes
	kind  kind
	// name is the service, network, tier, CIDR or prefix list it stands for.
	name string
	// tier and rank place a service: the tier's name and its index, outermost 0.
	tier string
	rank int
	// shared and internetFacing copy the service's flags.
	shared, internetFacing bool
	// cidrs are the addresses an external node stands for, sorted.
	cidrs []string
}

// edge is every protocol and port range one caller may open on one callee.
type edge struct {
	from, to *node
	ports    []ports.Range
	// undeclared marks observed traffic no flow declares (MermaidObserved).
	undeclared bool
}

// portList is the edge's ports in protocol and numeric order: tcp/80, tcp/443.
func (e edge) portList() []string {
	out := make([]string, len(e.ports))
	for i, r := range e.ports {
		out[i] = r.String()
	}
	return out
}

// graph is the plan's flows seen as nodes and edges, without the egress
// policy's allow-all flows (stated once, by policyNote, instead of drawn from
// every group).
type graph struct {
	nodes []*node // sorted: outside world, then services by tier (outermost first) and name
	edges []edge  // sorted by caller, then callee, in node order
	// groups are the plan's services, in node order, whether or not a flow
	// reaches them.
	groups []*node
	policy string
}

// newGraph builds the graph of a plan. It is linear in the flows.
func newGraph(p *plan.Plan) *graph {
	g := &graph{policy: policyNote(p)}
	tierRank := make(map[string]int, len(p.Tiers))
	for i, t := range p.Tiers {
		tierRank[t] = i
	}
	byKey := map[string]*node{}
	for _, grp := range p.Groups {
		n := &node{key: "sg:" + grp.Service, label: grp.Service, kind: serviceNode, name: grp.Service,
			tier: grp.Tier, rank: tierRank[grp.Tier], shared: grp.Shared, internetFacing: grp.InternetFacing}
		byKey[n.key] = n
		g.groups = append(g.groups, n)
	}
	nodeOf := func(e flow.Endpoint) *node {
		n := endpointNode(e)
		if have, ok := byKey[n.key]; ok {
			n = have
		} else {
			byKey[n.key] = n
		}
		switch {
		case e.IsCIDR() && !slices.Contains(n.cidrs, e.CIDR):
			n.cidrs = append(n.cidrs, e.CIDR)
		case e.IsList() && !slices.Contains(n.cidrs, fromOutput):
			n.cidrs = append(n.cidrs, fromOutput)
		}
		return n
	}
	index := map[[2]*node]int{}
	for _, f := range p.Flows {
		if f.Origin.Rule == flow.PolicyRule {
			continue
		}
		from, to := nodeOf(f.From), nodeOf(f.To)
		k := [2]*node{from, to}
		i, ok := index[k]
		if !ok {
			i = len(g.edges)
			index[k] = i
			g.edges = append(g.edges, edge{from: from, to: to})
		}
		if !slices.Contains(g.edges[i].ports, f.Ports) {
			g.edges[i].ports = append(g.edges[i].ports, f.Ports)
		}
	}
	for _, n := range byKey {
		g.nodes = append(g.nodes, n)
		slices.SortFunc(n.cidrs, compareCIDRs)
	}
	uniqueLabels(g.nodes)
	slices.SortFunc(g.nodes, compareNodes)
	slices.SortFunc(g.groups, compareNodes)
	for i := range g.edges {
		slices.SortFunc(g.edges[i].ports, comparePorts)
	}
	slices.SortFunc(g.edges, func(a, b edge) int {
		return cmp.Or(compareNodes(a.from, b.from), compareNodes(a.to, b.to))
	})
	return g
}

// fromOutput stands in a node's CIDRs for its cidrBlocksFrom list.
const fromOutput = "cidrBlocksFrom"

// endpointNode is a new node for a flow's endpoint, named as the declaration
// named it: a service, the internet, a network or tier by name, or a literal
// CIDR or prefix list.
func endpointNode(e flow.Endpoint) *node {
	if name, external, ok := e.GroupOf(); ok {
		if external {
			return &node{key: "ext:" + name, label: name, kind: externalGroupNode, name: name}
		}
		return &node{key: "sg:" + name, label: name, kind: serviceNode, name: name}
	}
	if pl, ok := e.PrefixListID(); ok {
		return &node{key: "pl:" + pl, label: pl, kind: prefixListNode, name: pl}
	}
	if e.Via.IsInternet() {
		return &node{key: "internet", label: "internet", kind: internetNode, name: "internet"}
	}
	if n, ok := e.Via.InNetwork(); ok {
		return &node{key: "net:" + n, label: n, kind: networkNode, name: n}
	}
	if t, ok := e.Via.InTier(); ok {
		return &node{key: "tier:" + t, label: "tier " + t, kind: tierNode, name: t}
	}
	return &node{key: "cidr:" + e.CIDR, label: e.CIDR, kind: cidrNode, name: e.CIDR}
}

// uniqueLabels qualifies the label of an outside node that reads like another
// node's (a network called like a service, say) with what it is.
func uniqueLabels(nodes []*node) {
	count := map[string]int{}
	for _, n := range nodes {
		count[n.label]++
	}
	qualify := map[kind]string{internetNode: "the ", networkNode: "network ", cidrNode: "cidr ", prefixListNode: "prefix list ",
		externalGroupNode: "external group "}
	for _, n := range nodes {
		if count[n.label] > 1 && n.kind != serviceNode {
			n.label = qualify[n.kind] + n.label
		}
	}
}

// compareNodes orders the outside world first (internet, networks, tiers'
// subnets, CIDRs, prefix lists), then services by tier, outermost first, and
// by name: the order in which traffic enters the mesh.
func compareNodes(a, b *node) int {
	return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.rank, b.rank), cmp.Compare(a.label, b.label), cmp.Compare(a.key, b.key))
}

// compareCIDRs puts IPv4 before IPv6, then orders by text.
func compareCIDRs(a, b string) int {
	family := func(c string) int {
		if strings.Contains(c, ":") {
			return 6
		}
		return 4
	}
	return cmp.Or(cmp.Compare(family(a), family(b)), cmp.Compare(a, b))
}

func comparePorts(a, b ports.Range) int {
	return cmp.Or(cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
}

// policyNote says what the egress policy lets groups send beyond the flows
// drawn.
func policyNote(p *plan.Plan) string {
	switch p.Egress {
	case spec.EgressMirror:
		return "egress policy mirror: a group may send to the groups it calls what they accept from it, " +
			"and nothing else but its egress rules (the flows drawn)"
	case spec.EgressNone:
		return "egress policy none: a group may send only what its egress rules allow (the flows drawn)"
	default:
		return "egress policy allowAll: every group may also send anything to 0.0.0.0/0 and ::/0 (not drawn)"
	}
}

func sortNodes(ns []*node) { slices.SortFunc(ns, compareNodes) }
