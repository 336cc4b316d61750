// Package flowdiff says who can reach whom after a change that could not
// before, and who lost access: the question a reviewer of a security-group
// change asks first. It compares the flows of two plans, not their resource
// names, so a change that renames or reorders nothing a flow depends on opens
// and closes nothing.
//
// The flows compared are the effective ones, host by host (package hostflow):
// a service whose instances carry another group by attachedWith can be
// reached on that group's flows, so adding a group to attachedWith opens
// flows even though no rule changed.
//
// A flow's identity is its caller, its callee and its protocol/ports, as
// package flow resolves them (a CIDR is one endpoint however it is named); an
// external group's id is part of its identity, so re-pointing it at another
// group closes the old group's flows and opens the new one's. The flows
// opened (or closed) between one caller and one callee are reported as one
// Change listing all their ports, so adding a CIDR to a named network is one
// opened flow per host that admits that network.
package flowdiff

import (
	"cmp"
	"maps"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/hostflow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Diff is the flows a change opens and closes, most sensitive first: flows
// from the whole internet, then flows into a sensitive (data) tier, then
// the rest by callee and caller.
type Diff struct {
	Opened []Change `json:"opened"`
	Closed []Change `json:"closed"`
	// Tiers is set when the tier list (names or order) changed: adjacency
	// is judged in the new order.
	Tiers *TierChange `json:"tiers,omitempty"`
}

// TierChange is the tier list before and after, outermost first.
type TierChange struct {
	Old []string `json:"old"`
	New []string `json:"new"`
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
	// WorldOpen: the caller is the whole internet: 0.0.0.0/0 or ::/0, or
	// CIDRs that together cover it, or on an admin or database port cover
	// as much as hostflow.WideBits says is the world.
	WorldOpen bool `json:"worldOpen,omitempty"`
	// IntoSensitive: the callee is in a sensitive tier (SensitiveTiers of
	// both plans).
	IntoSensitive bool `json:"intoSensitive,omitempty"`
	// Via are the groups the ends carry by attachedWith through which the
	// flows reach them; empty when every flow names the ends' own groups.
	Via []string `json:"via,omitempty"`
	// Exceptions acknowledge guardrails on the declaring rules, with reasons.
	Exceptions []spec.Exception `json:"exceptions,omitempty"`
	// Rules are the declarations the flows come from: "MySQL ingress[0]".
	Rules []string `json:"rules"`
	// Descriptions are the declaring rules' descriptions.
	Descriptions []string `json:"descriptions,omitempty"`
}

// Empty reports whether no flow is opened or closed.
func (d Diff) Empty() bool { return len(d.Opened) == 0 && len(d.Closed) == 0 && d.Tiers == nil }

// Sensitive reports whether a reviewer must see the change whatever else
// there is: it opens or closes world-open access or access into a sensitive tier.
func (c Change) Sensitive() bool { return c.WorldOpen || c.IntoSensitive }

// Compare lists the flows of new that old lacks (opened) and those of old
// that new lacks (closed). A nil plan has no flows: a new mesh opens all of
// its flows.
func Compare(old, new *plan.Plan) Diff {
	before, after := index(old), index(new)
	sensitive := SensitiveTiers(old, new)
	d := Diff{Opened: changes(new, after, before, sensitive), Closed: changes(old, before, after, sensitive)}
	if old != nil && new != nil && !slices.Equal(old.Tiers, new.Tiers) {
		d.Tiers = &TierChange{Old: slices.Clone(old.Tiers), New: slices.Clone(new.Tiers)}
	}
	return d
}

// SensitiveTiers are the tiers a flow into which a reviewer must see: the
// innermost tier that holds a service (the data tier), in either plan. A
// tier without services added after it, or a reorder around it, does not
// move it; a new innermost tier with a service adds to it (the old one stays
// sensitive for this change) and the tier change is reported.
func SensitiveTiers(plans ...*plan.Plan) map[string]bool {
	out := map[string]bool{}
	for _, p := range plans {
		if p == nil {
			continue
		}
		for i := len(p.Tiers) - 1; i >= 0; i-- {
			if slices.ContainsFunc(p.Groups, func(g rule.Group) bool { return g.Tier == p.Tiers[i] }) {
				out[p.Tiers[i]] = true
				break
			}
		}
	}
	return out
}

// key is a flow's identity: caller, callee, protocol and ports.
type key struct {
	from, to, protocol string
	lo, hi             int
}

// effective is one effective flow as the diff sees it.
type effective struct {
	hostflow.Flow
	world bool
}

func compareKeys(a, b key) int {
	return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to), cmp.Compare(a.protocol, b.protocol),
		cmp.Compare(a.lo, b.lo), cmp.Compare(a.hi, b.hi))
}

// index groups a plan's effective flows by identity: one identity may come
// from several rules (ingress on the callee and egress on the caller, or a
// host's own group and a group it carries).
func index(p *plan.Plan) map[key][]effective {
	out := map[key][]effective{}
	if p == nil {
		return out
	}
	ids := map[string]string{}
	for _, e := range p.ExternalGroups {
		ids[e.Name] = e.SecurityGroupID
	}
	flows := hostflow.Of(p.Flows, p.Attachments)
	plain := make([]flow.Flow, len(flows))
	for i, f := range flows {
		plain[i] = f.Flow
	}
	exposed := hostflow.Exposures(plain)
	id := func(e flow.Endpoint) string {
		if name, ok := e.External(); ok {
			return e.ID() + "=" + ids[name]
		}
		return e.ID()
	}
	for i, f := range flows {
		k := key{id(f.From), id(f.To), f.Ports.Protocol, f.Ports.From, f.Ports.To}
		world := exposed[i].World || f.From.IsWorld()
		out[k] = append(out[k], effective{Flow: f, world: world})
	}
	return out
}

// changes lists the flows of p (indexed as mine) that other lacks, one
// Change per caller and callee.
func changes(p *plan.Plan, mine, other map[key][]effective, sensitive map[string]bool) []Change {
	if p == nil {
		return []Change{}
	}
	tiers := map[string]string{}
	for _, g := range p.Groups {
		tiers[g.Service] = g.Tier
	}
	ids := map[string]string{}
	for _, e := range p.ExternalGroups {
		tiers[e.Name] = e.Tier
		ids[e.Name] = e.SecurityGroupID
	}
	label := func(e flow.Endpoint) string {
		if name, ok := e.External(); ok && ids[name] != "" {
			return e.Label() + " (" + ids[name] + ")"
		}
		return e.Label()
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
			c = &Change{Caller: label(f.From), Callee: label(f.To),
				CallerTier: tierOf(f.From, tiers), CalleeTier: tierOf(f.To, tiers)}
			c.IntoSensitive = sensitive[c.CalleeTier]
			byPair[pair{k.from, k.to}] = c
		}
		c.Ports = append(c.Ports, f.Ports.String())
		// A flow a host has by its own group is not "carried": name the
		// groups only for what attachedWith alone grants.
		carried := !slices.ContainsFunc(fs, func(f effective) bool { return len(f.Via) == 0 })
		for _, f := range fs {
			c.WorldOpen = c.WorldOpen || f.world
			c.Rules = append(c.Rules, f.Origin.Service+" "+f.Origin.Rule)
			if f.Description != "" {
				c.Descriptions = append(c.Descriptions, f.Description)
			}
			c.Exceptions = append(c.Exceptions, f.Exceptions...)
			if carried {
				c.Via = append(c.Via, f.Via...)
			}
		}
	}
	out := make([]Change, 0, len(byPair))
	for _, c := range byPair {
		c.Rules = sortedUnique(c.Rules)
		c.Descriptions = sortedUnique(c.Descriptions)
		if c.Via = sortedUnique(c.Via); len(c.Via) == 0 {
			c.Via = nil
		}
		slices.SortFunc(c.Exceptions, func(a, b spec.Exception) int {
			return cmp.Or(cmp.Compare(a.Check, b.Check), cmp.Compare(a.Reason, b.Reason))
		})
		c.Exceptions = slices.Compact(c.Exceptions)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Change) int {
		return cmp.Or(compareFirst(a.WorldOpen, b.WorldOpen), compareFirst(a.IntoSensitive, b.IntoSensitive),
			cmp.Compare(a.Callee, b.Callee), cmp.Compare(a.Caller, b.Caller))
	})
	return out
}

// tierOf is the tier an endpoint sits in, if it has one.
func tierOf(e flow.Endpoint, groups map[string]string) string {
	if name, _, ok := e.GroupOf(); ok {
		return groups[name]
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
