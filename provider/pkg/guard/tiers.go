package guard

import (
	"cmp"
	"fmt"
	"net/netip"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// tierNet is one of a tier's cidrBlocks.
type tierNet struct {
	tier   string
	prefix netip.Prefix
}

func tierNets(m spec.Mesh) []tierNet {
	var out []tierNet
	for _, t := range m.Tiers {
		for _, c := range t.CidrBlocks {
			if p, err := netip.ParsePrefix(c); err == nil {
				out = append(out, tierNet{t.Name, p})
			}
		}
	}
	return out
}

// place is an endpoint's position in the tiers: e sits in tier.
type place struct {
	e    flow.Endpoint
	tier string
}

// label names the place for a reader. (Built only for a finding: places are
// computed for every flow.)
func (p place) label() string {
	if name, external, ok := p.e.GroupOf(); ok {
		if external {
			name = "external group " + name
		}
		return name + " (tier " + p.tier + ")"
	}
	if _, ok := p.e.Via.InTier(); ok {
		return "tier " + p.tier
	}
	named := ""
	if network, ok := p.e.Via.InNetwork(); ok {
		named = "network " + network + ", "
	}
	return fmt.Sprintf("%s (%soverlapping tier %s)", p.e.CIDR, named, p.tier)
}

// tiers enforces the article's rule: a tier talks only to itself and its
// direct neighbours, in the order of spec.Tiers (outermost first). Flows
// touching a shared service (admin access, logging, monitoring) are exempt;
// a rule acknowledges the rest with an exception for tier-adjacency.
//
// Where an endpoint sits:
//   - a service's group: in its tier;
//   - an external group: in its declared tier; without one, outside the
//     tiers and not checked (its flows are still listed in flows);
//   - a `tiers:` peer: in that tier;
//   - any other CIDR (a literal or a network's) that overlaps a tier's
//     cidrBlocks: in every tier it overlaps, so naming a tier's addresses is
//     no way around naming the tier;
//   - the internet (/0), CIDRs overlapping no tier, and prefix lists: outside
//     the tiers and not checked (the world is the security lint's business).
//
// A flow whose ends sit in several tiers is judged by its farthest pair.
func (g *guard) tiers(f flow.Flow) {
	if g.shared(f.From) || g.shared(f.To) {
		return
	}
	g.tiersAt(f, f.Origin, "")
}

// tiersAt judges a flow's tiers, reporting at a declaration; fix, when
// set, replaces the usual advice.
func (g *guard) tiersAt(f flow.Flow, at flow.Origin, fix string) {
	from, to, dist := g.farthest(f)
	if dist <= 1 {
		return
	}
	lo, hi := min(g.tierIndex[from.tier], g.tierIndex[to.tier]), max(g.tierIndex[from.tier], g.tierIndex[to.tier])
	var between []string
	for _, t := range g.m.Tiers[lo+1 : hi] {
		between = append(between, t.Name)
	}
	noun := "tier"
	if len(between) > 1 {
		noun = "tiers"
	}
	skipped := noun + " " + strings.Join(between, ", ")
	g.reportAt(at, finding.CheckTierAdjacency,
		cmp.Or(fix, fmt.Sprintf("route it through a service in %s, mark a cross-cutting service shared, or add exceptions: [{check: %s, reason: ...}] to the rule",
			skipped, finding.CheckTierAdjacency)),
		"%s -> %s on %s skips %s", from.label(), to.label(), f.Ports, skipped)
}

// farthest is the pair of places of a flow's ends farthest apart in the
// tier order, and their distance (-1 when an end sits in no tier).
func (g *guard) farthest(f flow.Flow) (from, to place, dist int) {
	dist = -1
	var bufA, bufB [1]place
	for _, a := range g.places(f.From, bufA[:0]) {
		for _, b := range g.places(f.To, bufB[:0]) {
			if d := abs(g.tierIndex[a.tier] - g.tierIndex[b.tier]); d > dist {
				from, to, dist = a, b, d
			}
		}
	}
	return from, to, dist
}

func (g *guard) shared(e flow.Endpoint) bool {
	name, external, ok := e.GroupOf()
	if external {
		return g.external[name].Shared
	}
	return ok && g.services[name].Shared
}

// places appends the tiers an endpoint sits in (see tiers) to buf.
func (g *guard) places(e flow.Endpoint, buf []place) []place {
	if name, external, ok := e.GroupOf(); ok {
		if !external {
			return append(buf, place{e, g.services[name].Tier})
		}
		if t := g.external[name].Tier; t != "" {
			return append(buf, place{e, t})
		}
		return buf
	}
	if e.Addresses() {
		if t, ok := e.Via.InTier(); ok {
			return append(buf, place{e, t})
		}
		if len(g.tierNets) == 0 || e.IsList() { // a network's list: checked once known (plan)
			return buf
		}
		p, err := netip.ParsePrefix(e.CIDR)
		if err != nil || p.Bits() == 0 {
			return buf
		}
		for _, tn := range g.tierNets {
			if tn.prefix.Overlaps(p) && (len(buf) == 0 || buf[len(buf)-1].tier != tn.tier) {
				buf = append(buf, place{e, tn.tier})
			}
		}
	}
	return buf
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
