package guard

import (
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// MaxRulesPerGroup is AWS's hard ceiling on a group's rules in one direction
// and address family: rules per group x groups per interface may not
// exceed 1,000, and an interface carries at least one group.
const MaxRulesPerGroup = 1000

// Expansion counts, before any rule is projected, the EC2 rules each
// service's declared rules expand to, and refuses a service whose rules in
// one direction must exceed what its group can hold. Each distinct port
// range and peer of a declared rule is at least one EC2 rule, and a group
// holds at most its quota in each of IPv4 and IPv6 (AWS's hard ceiling when
// the limits say more); so such a declaration can never be applied, and
// projecting it (2,000 ports x 2,000 peers is 4 million rules) would take
// minutes and gigabytes before the quota check said so.
func Expansion(m spec.Mesh) finding.List {
	lim := Resolve(m.Limits)
	var out finding.List
	for _, s := range m.Services {
		for _, dir := range []struct {
			name  string
			limit int
			rules []expanding
		}{
			{"inbound", lim.InboundRulesPerGroup, ingressRules(s)},
			{"outbound", lim.OutboundRulesPerGroup, egressRules(s)},
		} {
			if dir.limit < 0 {
				continue // invalid-limits, reported with the plan
			}
			most := 2 * min(dir.limit, MaxRulesPerGroup)
			total, biggest, where := 0, 0, ""
			for _, r := range dir.rules {
				n := atLeast(r.traffic, r.peers)
				total += n
				if n > biggest {
					biggest, where = n, r.where
				}
			}
			if total > most {
				out.Add(finding.CheckRulesPerGroup, s.Name, where,
					"merge ports into a portRange, name fewer peers per rule (a prefix list or a tier stands for many CIDRs), or split the service",
					"its %s rules expand to at least %d EC2 rules (this one to %d: each port range times each peer), more than a group can hold (%d: %d per address family); refused before planning them",
					dir.name, total, biggest, most, most/2)
			}
		}
	}
	return out
}

type expanding struct {
	where   string
	traffic spec.Traffic
	peers   spec.Peers
}

func ingressRules(s spec.Service) []expanding {
	out := make([]expanding, len(s.Ingress))
	for i, r := range s.Ingress {
		out[i] = expanding{finding.RulePath("ingress", i), r.Traffic, r.From}
	}
	return out
}

func egressRules(s spec.Service) []expanding {
	out := make([]expanding, len(s.Egress))
	for i, r := range s.Egress {
		out[i] = expanding{finding.RulePath("egress", i), r.Traffic, r.To}
	}
	return out
}

// atLeast is the number of distinct port ranges times distinct peers of a
// rule: a lower bound of the EC2 rules it yields (a network or tier may
// stand for several CIDRs, and the internet for two).
func atLeast(t spec.Traffic, p spec.Peers) int {
	ranges, _ := ports.Expand(t)
	peers := distinct(p.Services) + distinct(p.Networks) + distinct(p.Tiers) + distinct(p.CidrBlocks) + distinct(p.PrefixListIDs)
	for _, on := range []bool{p.Self, p.Internet} {
		if on {
			peers++
		}
	}
	return distinct(ranges) * peers
}

func distinct[T comparable](list []T) int {
	seen := make(map[T]bool, len(list))
	for _, x := range list {
		seen[x] = true
	}
	return len(seen)
}
