// Package flow resolves a validated declaration into flows: who may reach
// whom on which protocol and ports. A flow is the unit of the mesh; ingress on
// the callee and egress on the caller are two projections of it (package rule).
package flow

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/order"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Kind is what sort of thing an endpoint is.
type Kind string

const (
	Group      Kind = "group"
	CIDR       Kind = "cidr"
	PrefixList Kind = "prefixList"
	// External is a security group made outside the mesh (spec.ExternalGroup),
	// named in Service. The mesh puts no rule on it.
	External Kind = "external"
	// CIDRList is a tier's or network's cidrBlocksFrom, as one endpoint
	// whatever its values: Via names it (tier:web, network:office).
	CIDRList Kind = "cidrList"
)

// Endpoint is one end of a flow: a service's group, an external group, one
// CIDR, or one prefix list.
type Endpoint struct {
	Kind Kind `json:"kind"`
	// Service is set for groups and external groups; CIDR and PrefixList for
	// the other kinds.
	Service    string `json:"service,omitempty"`
	CIDR       string `json:"cidr,omitempty"`
	PrefixList string `json:"prefixList,omitempty"`
	// Via says how a CIDR or list was named: a network, a tier or the
	// internet; zero for a literal CIDR.
	Via Named `json:"via,omitzero"`
}

// IsIPv6 reports whether the endpoint is an IPv6 CIDR.
func (e Endpoint) IsIPv6() bool { return IsIPv6(e.CIDR) }

// IsIPv6 reports whether cidr is an IPv6 prefix.
func IsIPv6(cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Addr().Is6()
}

// Origin says which declaration a flow came from.
type Origin struct {
	// Service declared it; Rule is ingress[i] or egress[i] (finding.RulePath),
	// or "egress policy".
	Service string `json:"service"`
	Rule    string `json:"rule"`
	// Index is i, kept so origins sort by declaration order without parsing
	// Rule (ingress[10] after ingress[9]); 0 for the egress policy.
	Index int `json:"-"`
}

// At is the origin of a service's rule i on side dir (ingress or egress).
func At(service, dir string, i int) Origin {
	return Origin{Service: service, Rule: finding.RulePath(dir, i), Index: i}
}

// PolicyRule is the Origin.Rule of flows implied by the mesh's egress policy.
const PolicyRule = "egress policy"

// Flow lets From reach To on Ports.
type Flow struct {
	From  Endpoint    `json:"from"`
	To    Endpoint    `json:"to"`
	Ports ports.Range `json:"ports"`
	// Declared is the side the user wrote it on: ingress (on To) or egress (on From).
	Declared    string           `json:"declared"`
	Description string           `json:"description,omitempty"`
	Origin      Origin           `json:"origin"`
	Exceptions  []spec.Exception `json:"exceptions,omitempty"`
}

// Declared sides.
const (
	Ingress = "ingress"
	Egress  = "egress"
)

// Internet is 0.0.0.0/0 and ::/0.
var Internet = []string{"0.0.0.0/0", "::/0"}

// Resolve lists the flows of a validated declaration, sorted. Egress-policy
// flows (allowAll) are included; mirror egress is a projection, not a flow.
func Resolve(m spec.Mesh) []Flow {
	r := resolver{m: m, tiers: map[string][]string{}, networks: map[string][]string{}, external: map[string]bool{},
		lists: map[string]bool{}}
	for _, e := range m.ExternalGroups {
		r.external[e.Name] = true
	}
	for _, id := range m.Unknown {
		r.lists[id] = true
	}
	for _, t := range m.Tiers {
		r.tiers[t.Name] = t.CidrBlocks
		r.lists[spec.ListID("tier", t.Name)] = r.lists[spec.ListID("tier", t.Name)] || len(t.CidrBlocksFrom) > 0
	}
	for _, n := range m.Networks {
		r.networks[n.Name] = n.CidrBlocks
		r.lists[spec.ListID("network", n.Name)] = r.lists[spec.ListID("network", n.Name)] || len(n.CidrBlocksFrom) > 0
	}
	out := make([]Flow, 0, r.most())
	for _, s := range m.Services {
		self := ServiceGroup(s.Name)
		for i, rule := range s.Ingress {
			origin := At(s.Name, Ingress, i)
			for _, rng := range mustExpand(rule.Traffic) {
				for _, peer := range r.peers(s.Name, rule.From, rng) {
					out = append(out, Flow{From: peer, To: self, Ports: rng, Declared: Ingress,
						Description: rule.Description, Origin: origin, Exceptions: rule.Exceptions})
				}
			}
		}
		for i, rule := range s.Egress {
			origin := At(s.Name, Egress, i)
			for _, rng := range mustExpand(rule.Traffic) {
				for _, peer := range r.peers(s.Name, rule.To, rng) {
					out = append(out, Flow{From: self, To: peer, Ports: rng, Declared: Egress,
						Description: rule.Description, Origin: origin, Exceptions: rule.Exceptions})
				}
			}
		}
		if m.ResolvedEgress() == spec.EgressAllowAll {
			for _, c := range Internet {
				out = append(out, Flow{From: self, To: Endpoint{Kind: CIDR, CIDR: c, Via: TheInternet},
					Ports: ports.Range{Protocol: ports.All}, Declared: Egress, Description: "Allow all outbound",
					Origin: Origin{Service: s.Name, Rule: PolicyRule}})
			}
		}
	}
	Sort(out)
	return out
}

// mustExpand expands traffic that validation has accepted.
func mustExpand(t spec.Traffic) []ports.Range {
	r, _ := ports.Expand(t)
	return r
}

type resolver struct {
	m               spec.Mesh
	tiers, networks map[string][]string
	external        map[string]bool
	// lists are the tiers and networks (spec.ListID) with a cidrBlocksFrom.
	lists map[string]bool
}

// most bounds the number of flows Resolve makes, so it allocates them once:
// each rule's ports times its peers, and the policy's two per service.
func (r resolver) most() int {
	peers := func(p spec.Peers) int {
		n := len(p.Services) + len(p.CidrBlocks) + len(p.PrefixListIDs) + 2 // self and internet's two, at most
		for _, nw := range p.Networks {
			n += len(r.networks[nw])
		}
		for _, t := range p.Tiers {
			n += len(r.tiers[t])
		}
		return n
	}
	ranges := func(t spec.Traffic) int { return len(t.Ports) + 1 } // its ports and one range (or protocol)
	n := 0
	for _, s := range r.m.Services {
		n += len(Internet)
		for _, rule := range s.Ingress {
			n += ranges(rule.Traffic) * peers(rule.From)
		}
		for _, rule := range s.Egress {
			n += ranges(rule.Traffic) * peers(rule.To)
		}
	}
	return n
}

// peers expands a rule's peers into endpoints. A service naming itself is self.
func (r resolver) peers(service string, p spec.Peers, rng ports.Range) []Endpoint {
	var out []Endpoint
	if p.Self {
		out = append(out, ServiceGroup(service))
	}
	for _, s := range p.Services {
		kind := Group
		if r.external[s] {
			kind = External
		}
		out = append(out, Endpoint{Kind: kind, Service: s})
	}
	cidrs := func(via Named, list []string) {
		for _, c := range list {
			if familyMatches(rng.Protocol, c) {
				out = append(out, Endpoint{Kind: CIDR, CIDR: c, Via: via})
			}
		}
	}
	list := func(via Named) {
		if r.lists[via.ListID()] {
			out = append(out, Endpoint{Kind: CIDRList, Via: via})
		}
	}
	for _, n := range p.Networks {
		cidrs(Network(n), r.networks[n])
		list(Network(n))
	}
	for _, t := range p.Tiers {
		cidrs(Tier(t), r.tiers[t])
		list(Tier(t))
	}
	cidrs(Named{}, p.CidrBlocks)
	if p.Internet {
		cidrs(TheInternet, Internet)
	}
	for _, pl := range p.PrefixListIDs {
		out = append(out, Endpoint{Kind: PrefixList, PrefixList: pl})
	}
	return out
}

// familyMatches drops the half of a mixed-family peer that an ICMP version can
// never match (icmp to ::/0, icmpv6 to 0.0.0.0/0).
func familyMatches(protocol, cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return true
	}
	switch protocol {
	case ports.ICMP:
		return p.Addr().Is4()
	case ports.ICMPv6:
		return p.Addr().Is6()
	}
	return true
}

// Sort orders flows by callee, caller, protocol and ports, then origin and
// description. The comparison covers every field a rule's origin does not
// determine, so an unstable sort is deterministic (and much cheaper).
//
// Sorting is the planner's hot path, so the keys are computed first: each
// distinct endpoint is ranked once, and the sort moves small keys rather
// than flows (package order).
func Sort(fs []Flow) {
	rank := make(map[Endpoint]int32, len(fs)/4)
	for i := range fs {
		rank[fs[i].From], rank[fs[i].To] = 0, 0
	}
	eps := make([]Endpoint, 0, len(rank))
	for e := range rank {
		eps = append(eps, e)
	}
	slices.SortFunc(eps, compareEndpoints)
	for i, e := range eps {
		rank[e] = int32(i)
	}
	type key struct {
		to, from int32
		i        int32
	}
	keys := make([]key, len(fs))
	for i := range fs {
		keys[i] = key{rank[fs[i].To], rank[fs[i].From], int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Or(cmp.Compare(a.to, b.to), cmp.Compare(a.from, b.from)); c != 0 {
			return c
		}
		x, y := &fs[a.i], &fs[b.i]
		return cmp.Or(
			cmp.Compare(x.Ports.Protocol, y.Ports.Protocol),
			cmp.Compare(x.Ports.From, y.Ports.From),
			cmp.Compare(x.Ports.To, y.Ports.To),
			cmp.Compare(x.Origin.Service, y.Origin.Service),
			cmp.Compare(x.Origin.Rule, y.Origin.Rule),
			cmp.Compare(x.Description, y.Description),
		)
	})
	perm := make([]int32, len(keys))
	for i, k := range keys {
		perm[i] = k.i
	}
	order.Apply(fs, perm)
}

// Summary is a flow as the component's `flows` output shows it.
type Summary struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Protocol    string `json:"protocol"`
	FromPort    int    `json:"fromPort"`
	ToPort      int    `json:"toPort"`
	Ports       string `json:"ports"`
	Description string `json:"description,omitempty"`
}

// Summaries lists flows as the `flows` output shows them.
func Summaries(fs []Flow) []Summary {
	out := make([]Summary, len(fs))
	for i, f := range fs {
		proto := f.Ports.Protocol
		if proto == ports.All {
			proto = "all"
		}
		out[i] = Summary{From: f.From.Label(), To: f.To.Label(), Protocol: proto, FromPort: f.Ports.From,
			ToPort: f.Ports.To, Ports: f.Ports.String(), Description: f.Description}
	}
	return out
}
