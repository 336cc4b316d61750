// Package flowdiff says who can reach whom after a change that could not
// before, and who lost access: the question a reviewer of a security-group
// change asks first. It compares the flows of two plans, not their resource
// names, so a change that renames or reorders nothing a flow depends on opens
// and closes nothing.
//
// A flow's identity is its caller, its callee and its protocol/ports, as
// package flow resolves them (a CIDR is one endpoint however it is named). The
// flows opened (or closed) between one caller and one callee are reported as
// one Change listing all their ports, so adding a CIDR to a named network is
// one opened flow per service that admits that network.
package flowdiff

import (
	"cmp"
	"maps"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Diff is the flows a change opens and closes, most sensitive first: flows
// from the whole internet, then flows into the innermost (data) tier, then
// the rest by callee and caller.
type Diff struct {
	Opened []Change `json:"opened"`
	Closed []Change `json:"closed"`
}

// Change is every flow opened (or closed) from one caller to one callee.
type Change struct {
	Caller string `json:"caller"`
	Callee string `json:"callee"`
	// Ports are protocol/port ranges as flow prints them: tcp/443, udp/8125, all.
	Ports []string `json:"ports"`
	// CallerTier and CalleeTier are the tiers of the endpoints: a group's
	// tier, the tier a tier CIDR names, else "" (a network, a CIDR, a prefix list).
	CallerTier string `json:"callerTier,omitempty"`
	CalleeTier string `json:"calleeTier,omitempty"`
	// WorldOpen: the caller is the whole internet (0.0.0.0/0 or ::/0).
	WorldOpen bool `json:"worldOpen,omitempty"`
	// IntoInnermost: the callee is in the innermost tier (the data tier).
	IntoInnermost bool `json:"intoInnermost,omitempty"`
	// Exceptions acknowledge guardrails on the declaring rules, with reasons.
	Exceptions []spec.Exception `json:"exceptions,omitempty"`
	// Rules are the declarations the flows come from: "MySQL ingress[0]".
	Rules []string `json:"rules"`
	// Descriptions are the declaring rules' descriptions.
	Descriptions []string `json:"descriptions,omitempty"`
}

// Empty reports whether no flow is opened or closed.
func (d Diff) Empty() bool { return len(d.Opened) == 0 && len(d.Closed) == 0 }

// Compare lists the flows of new that old lacks (opened) and those of old
// that new lacks (closed). A nil plan has no flows: a new mesh opens all of
// its flows.
func Compare(old, new *plan.Plan) Diff {
	before, after := index(old), index(new)
	return Diff{Opened: changes(new, after, before), Closed: changes(old, before, after)}
}

// key is a flow's identity: caller, callee, protocol and ports.
type key struct {
	from, to, protocol string
	lo, hi             int
}

func compareKeys(a, b key) int {
	return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to), cmp.Compare(a.protocol, b.protocol),
		cmp.Compare(a.lo, b.lo), cmp.Compare(a.hi, b.hi))
}

func keyOf(f flow.Flow) key {
	return key{f.From.ID(), f.To.ID(), f.Ports.Protocol, f.Ports.From, f.Ports.To}
}

// index groups a plan's flows by identity: one identity may be declared by
// several rules (ingress on the callee and egress on the caller).
func index(p *plan.Plan) map[key][]flow.Flow {
	out := map[key][]flow.Flow{}
	if p == nil {
		return out
	}
	for _, f := range p.Flows {
		out[keyOf(f)] = append(out[keyOf(f)], f)
	}
	return out
}

// changes lists the flows of p (indexed as mine) that other lacks, one
// Change per caller and callee.
func changes(p *plan.Plan, mine, other map[key][]flow.Flow) []Change {
	if p == nil {
		return []Change{}
	}
	tiers := map[string]string{}
	for _, g := range p.Groups {
		tiers[g.Service] = g.Tier
	}
	innermost := ""
	if len(p.Tiers) > 0 {
		innermost = p.Tiers[len(p.Tiers)-1]
	}
	type pair struct{ from, to string }
	byPair := map[pair]*Change{}
	// In key order: a pair's ports come sorted, and the label of an endpoint
	// named two ways (one CIDR as a network and as a tier) is chosen the same
	// way every time.
	for _, k := range slices.SortedFunc(maps.Keys(mine), compareKeys) {
		if _, ok := other[k]; ok {
			continue
		}
		fs := mine[k]
		f := fs[0]
		c := byPair[pair{k.from, k.to}]
		if c == nil {
			c = &Change{Caller: f.From.Label(), Callee: f.To.Label(),
				CallerTier: tierOf(f.From, tiers), CalleeTier: tierOf(f.To, tiers),
				WorldOpen: f.From.Kind == flow.CIDR && slices.Contains(flow.Internet, f.From.CIDR)}
			c.IntoInnermost = innermost != "" && c.CalleeTier == innermost
			byPair[pair{k.from, k.to}] = c
		}
		c.Ports = append(c.Ports, f.Ports.String())
		for _, f := range fs {
			c.Rules = append(c.Rules, f.Origin.Service+" "+f.Origin.Rule)
			if f.Description != "" {
				c.Descriptions = append(c.Descriptions, f.Description)
			}
			c.Exceptions = append(c.Exceptions, f.Exceptions...)
		}
	}
	out := make([]Change, 0, len(byPair))
	for _, c := range byPair {
		c.Rules = sortedUnique(c.Rules)
		c.Descriptions = sortedUnique(c.Descriptions)
		slices.SortFunc(c.Exceptions, func(a, b spec.Exception) int {
			return cmp.Or(cmp.Compare(a.Check, b.Check), cmp.Compare(a.Reason, b.Reason))
		})
		c.Exceptions = slices.Compact(c.Exceptions)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Change) int {
		return cmp.Or(compareFirst(a.WorldOpen, b.WorldOpen), compareFirst(a.IntoInnermost, b.IntoInnermost),
			cmp.Compare(a.Callee, b.Callee), cmp.Compare(a.Caller, b.Caller))
	})
	return out
}

// tierOf is the tier an endpoint sits in, if it has one.
func tierOf(e flow.Endpoint, groups map[string]string) string {
	if e.Kind == flow.Group {
		return groups[e.Service]
	}
	if t, ok := e.Via.InTier(); ok {
		return t
	}
	return ""
}

// compareFirst orders true before false.
func compareFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
