package nacl

import (
	"net/netip"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// aggregate merges entries to fit the quota without widening what they
// allow: two sibling CIDRs with the same traffic become their parent
// (10.0.2.0/24 and 10.0.3.0/24 are 10.0.2.0/23), and tcp or udp ranges to
// one CIDR that touch or overlap become one range. It runs only when an ACL
// is over the quota, because a merged entry is new content (a new number):
// aggregating always would replace entries whenever a neighbour came or went.
func aggregate(list []Entry) []Entry {
	for {
		merged, changed := mergeOnce(list)
		if !changed {
			return merged
		}
		list = merged
	}
}

// mergeOnce performs the first merge it finds, or reports none.
func mergeOnce(list []Entry) ([]Entry, bool) {
	slices.SortFunc(list, compareKeys)
	for i, a := range list {
		for j, b := range list {
			if i == j || a.Egress != b.Egress {
				continue
			}
			m, ok := mergeCIDRs(a, b)
			if !ok {
				m, ok = mergePorts(a, b)
			}
			if ok {
				m.Why = joinWhy(a.Why, b.Why)
				out := slices.Delete(slices.Clone(list), max(i, j), max(i, j)+1)
				out = slices.Delete(out, min(i, j), min(i, j)+1)
				return append(out, m), true
			}
		}
	}
	return list, false
}

// mergeCIDRs joins two entries with the same traffic whose CIDRs are the
// two halves of one prefix.
func mergeCIDRs(a, b Entry) (Entry, bool) {
	if a.Range() != b.Range() {
		return Entry{}, false
	}
	pa, err1 := netip.ParsePrefix(a.CIDR)
	pb, err2 := netip.ParsePrefix(b.CIDR)
	if err1 != nil || err2 != nil || pa == pb || pa.Bits() != pb.Bits() || pa.Bits() == 0 {
		return Entry{}, false
	}
	parent, _ := pa.Addr().Prefix(pa.Bits() - 1)
	other, _ := pb.Addr().Prefix(pb.Bits() - 1)
	if parent != other {
		return Entry{}, false
	}
	a.CIDR = parent.String()
	return a, true
}

// mergePorts joins two tcp or udp entries to one CIDR whose port ranges
// touch or overlap.
func mergePorts(a, b Entry) (Entry, bool) {
	if a.CIDR != b.CIDR || a.Protocol != b.Protocol || !ports.HasPorts(a.Protocol) ||
		a.To+1 < b.From || b.To+1 < a.From {
		return Entry{}, false
	}
	a.From, a.To = min(a.From, b.From), max(a.To, b.To)
	return a, true
}
