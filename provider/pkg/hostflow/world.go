package hostflow

import (
	"math/big"
	"net/netip"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

// WideBits is how wide a range on an admin or database port counts as the
// world: peers that together cover at least a /4 of an address family (one
// sixteenth: 268 million IPv4 addresses, or an IPv6 /4). No private range is
// that wide (10.0.0.0/8 is a /8), and nobody's office or partner is; only
// the public internet, cut in pieces, is. Wide CIDRs below it still warn
// (wide-cidr).
const WideBits = 4

// Exposure is how open a flow from CIDRs is, judged with every other CIDR
// caller of the same host on ports that cover its own.
type Exposure struct {
	// World: together they cover all of IPv4 or all of IPv6, or at least a
	// /WideBits of one on an admin or database port.
	World bool
	// Together are the callers' CIDRs that make it so, sorted:
	// "0.0.0.0/1", "128.0.0.0/1" (the flow's own CIDR among them).
	Together []string
	// Whole: they cover the whole family, not only a /WideBits of it.
	Whole bool
}

// Exposures judges every flow of flows (the same index); a flow whose
// caller is not a CIDR is not exposed.
func Exposures(flows []flow.Flow) []Exposure {
	out := make([]Exposure, len(flows))
	byCallee := map[string][]int{}
	for i, f := range flows {
		if f.From.IsCIDR() {
			byCallee[f.To.ID()] = append(byCallee[f.To.ID()], i)
		}
	}
	for _, idx := range byCallee {
		for _, i := range idx {
			f := flows[i]
			pre, err := netip.ParsePrefix(f.From.CIDR)
			if err != nil {
				continue
			}
			var peers []netip.Prefix
			for _, j := range idx {
				if o := flows[j]; o.Ports.Covers(f.Ports) {
					if p, err := netip.ParsePrefix(o.From.CIDR); err == nil && p.Addr().Is4() == pre.Addr().Is4() {
						peers = append(peers, p.Masked())
					}
				}
			}
			need := 0 // prefix bits the union must reach: the whole family
			if HoldsKind(f.Ports, wellknown.Admin, wellknown.Database) {
				need = WideBits
			}
			union := merge(peers)
			bits := pre.Addr().BitLen()
			if !covers(union, bits, need) {
				continue
			}
			// One peer wide enough alone is the exposure (0.0.0.0/0): the
			// narrower peers beside it are not.
			if alone := slices.ContainsFunc(union, func(p netip.Prefix) bool { return p.Bits() <= need }); alone {
				if pre.Bits() > need {
					continue
				}
				union = []netip.Prefix{pre.Masked()}
			}
			out[i] = Exposure{World: true, Whole: covers(union, bits, 0)}
			for _, p := range union {
				out[i].Together = append(out[i].Together, p.String())
			}
		}
	}
	return out
}

// HoldsKind reports whether r holds a well-known port of one of kinds.
func HoldsKind(r ports.Range, kinds ...wellknown.Kind) bool {
	for _, k := range kinds {
		if len(wellknown.InRange(r.Protocol, r.From, r.To, k)) > 0 {
			return true
		}
	}
	return false
}

// merge drops the prefixes another one contains, leaving disjoint ones sorted.
func merge(ps []netip.Prefix) []netip.Prefix {
	slices.SortFunc(ps, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	var out []netip.Prefix
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].Contains(p.Addr()) {
			continue // sorted by address, widest first: contained in the last kept
		}
		out = append(out, p)
	}
	return out
}

// covers reports whether disjoint prefixes of a family of bits hold at least
// as many addresses as one /need prefix.
func covers(ps []netip.Prefix, bits, need int) bool {
	sum := new(big.Int)
	for _, p := range ps {
		sum.Add(sum, new(big.Int).Lsh(big.NewInt(1), uint(bits-p.Bits())))
	}
	return sum.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(bits-need))) >= 0
}
