package nacl

import (
	"fmt"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// place is where one end of a flow sits, at subnet granularity: a tier of
// the mesh (its ACL gets entries) or ranges outside every tier. cidrs are
// its known ranges; lists the cidrBlocksFrom lists (spec.ListID) among them.
type place struct {
	tier  string
	cidrs []string
	lists []string
}

// hop is a flow between two places.
type hop struct {
	from, to place
	ports    ports.Range
	// origin is the declaration the flow came from: "MySQL ingress[0]".
	origin string
}

// hops is the one place this package reads flows and their endpoints: it
// turns each flow into hops between places. A group's instances sit in its
// service's tier and in the tier of every service whose interfaces carry it
// (attachedWith), so AdminAccess is in every tier that carries it. What a
// network ACL cannot name (prefix lists, external groups without a tier) is
// returned as notes.
func hops(m spec.Mesh, flows []flow.Flow) ([]hop, []string) {
	tiers := map[string]place{}
	for _, t := range m.Tiers {
		p := place{tier: t.Name, cidrs: slices.Concat(t.CidrBlocks, t.CidrBlocksFrom)}
		if id := spec.ListID("tier", t.Name); len(t.CidrBlocksFrom) > 0 || slices.Contains(m.Unknown, id) {
			p.lists = []string{id}
		}
		tiers[t.Name] = p
	}
	lists := map[string][]string{} // known cidrBlocksFrom values by spec.ListID
	for _, t := range m.Tiers {
		lists[spec.ListID("tier", t.Name)] = t.CidrBlocksFrom
	}
	for _, n := range m.Networks {
		lists[spec.ListID("network", n.Name)] = n.CidrBlocksFrom
	}
	carriers := map[string][]string{} // group -> tiers its instances sit in
	addCarrier := func(group, tier string) {
		if tier != "" && !slices.Contains(carriers[group], tier) {
			carriers[group] = append(carriers[group], tier)
		}
	}
	for _, s := range m.Services {
		addCarrier(s.Name, s.Tier)
		for _, g := range s.AttachedWith {
			addCarrier(g, s.Tier)
		}
	}
	for _, e := range m.ExternalGroups {
		addCarrier(e.Name, e.Tier)
	}
	var notes []string
	note := func(format string, args ...any) {
		if n := fmt.Sprintf(format, args...); !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	placesOf := func(e flow.Endpoint) []place {
		if name, _, ok := e.GroupOf(); ok {
			var out []place
			for _, t := range slices.Sorted(slices.Values(carriers[name])) {
				out = append(out, tiers[t])
			}
			if out == nil {
				note("group %s has no tier: the network ACLs carry nothing for its flows; give it a tier", name)
			}
			return out
		}
		if pl, ok := e.PrefixListID(); ok {
			note("prefix list %s: a network ACL cannot name a prefix list, so its flows get no network ACL entries; "+
				"name its ranges as a network to let them through the ACLs", pl)
			return nil
		}
		at := place{cidrs: []string{e.CIDR}}
		if e.IsList() {
			id := e.Via.ListID()
			at = place{cidrs: lists[id], lists: []string{id}}
		}
		if name, ok := e.Via.InTier(); ok {
			at.tier = name
		}
		return []place{at}
	}
	var out []hop
	for _, f := range flows {
		for _, from := range placesOf(f.From) {
			for _, to := range placesOf(f.To) {
				out = append(out, hop{from: from, to: to, ports: f.Ports, origin: f.Origin.Service + " " + f.Origin.Rule})
			}
		}
	}
	return out, notes
}
