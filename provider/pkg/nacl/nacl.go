// Package nacl derives a network ACL per tier from the same declaration as
// the security groups: the second, subnet-level layer. A network ACL is
// stateless, so every flow between tiers yields four entries (the callee's
// ingress and its egress for the replies, the caller's egress and its
// ingress for the replies). Entry numbers and names come from what an entry
// allows, never from a list position, so editing the declaration changes
// only the entries whose content changed. It imports nothing from Pulumi.
package nacl

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// DefaultEphemeral is the default range replies go back to: 1024-65535,
// the union of the clients' source ports that reach a tier — Linux
// 32768-60999 (net.ipv4.ip_local_port_range), Windows 49152-65535, ELB,
// NAT gateways and Lambda 1024-65535 — and what AWS's network ACL
// documentation recommends. A narrower range breaks the clients outside it.
var DefaultEphemeral = spec.PortRange{From: 1024, To: 65535}

// Quotas: rules per network ACL, per direction and per address family.
// "Amazon VPC quotas", Network ACLs, "Rules per network ACL": 20 by
// default, adjustable up to 40, "a one-way quota ... enforced separately for
// IPv4 rules and IPv6 rules", and "This quota includes the default deny
// rules (rule number 32767 for IPv4 and 32768 for IPv6 ...)": so one fewer
// entry of the mesh's own fits (https://docs.aws.amazon.com/vpc/latest/
// userguide/amazon-vpc-limits.html#vpc-limits-nacls).
const (
	DefaultRulesPerDirection = 20
	MaxRulesPerDirection     = 40
)

// Preferred numbers are drawn from [Low, High], fallback numbers from
// [FallbackLow, FallbackHigh] (EC2 accepts 1-32766), so the two never meet.
// Below Low stays free for rules made by hand, e.g. an emergency deny, which
// must sort before the mesh's allows (EC2 evaluates the lowest number first;
// the mesh's entries are all allows, so their order among themselves does
// not matter).
const (
	Low          = 100
	High         = 32699
	FallbackLow  = 32700
	FallbackHigh = 32766
)

// Entry is one network ACL rule: allow Protocol on From-To (ports, or ICMP
// type and code) from (ingress) or to (egress) CIDR.
type Entry struct {
	Egress   bool   `json:"egress"`
	Number   int    `json:"ruleNumber"`
	Protocol string `json:"protocol"`
	CIDR     string `json:"cidrBlock"`
	From     int    `json:"fromPort"`
	To       int    `json:"toPort"`
	// Why says which flows need it, for a reader; not part of its identity.
	Why string `json:"why"`
}

// Range is the entry's traffic as package ports names it.
func (e Entry) Range() ports.Range { return ports.Range{Protocol: e.Protocol, From: e.From, To: e.To} }

// IPv6 reports whether the entry's CIDR is IPv6.
func (e Entry) IPv6() bool { return flow.IsIPv6(e.CIDR) }

// Direction is ingress or egress.
func (e Entry) Direction() string {
	if e.Egress {
		return flow.Egress
	}
	return flow.Ingress
}

// Key is the entry's content within its ACL: what it allows. Its number and
// its resource name derive from it.
func (e Entry) Key() string {
	return fmt.Sprintf("%s %s %s", e.Direction(), e.Range(), e.CIDR)
}

// Slug is the Key made safe for a resource name: in-tcp-443-10.0.0.0_24.
func (e Entry) Slug() string {
	dir := "in"
	if e.Egress {
		dir = "out"
	}
	return dir + "-" + e.Range().Slug() + "-" + strings.NewReplacer("/", "_", ":", ".").Replace(e.CIDR)
}

// ACL is one tier's network ACL.
type ACL struct {
	Tier string `json:"tier"`
	// Subnets says whether the tier has subnets; only then is the ACL made.
	Subnets bool `json:"subnets"`
	// SubnetIDs are the tier's subnetIds when known offline.
	SubnetIDs []string `json:"subnetIds,omitempty"`
	// Tags are the mesh's tags plus Name, Tier and ManagedBy.
	Tags map[string]string `json:"tags"`
	// Lists are the cidrBlocksFrom lists (spec.ListID) some entry's CIDR
	// comes from: the ACL then holds its entries inline (see README).
	Lists []string `json:"lists,omitempty"`
	// Entries are sorted ingress first, then by number.
	Entries []Entry `json:"entries"`
	// Aggregated says the entries were merged to fit the quota.
	Aggregated bool `json:"aggregated,omitempty"`
}

// Plan is the network ACLs of a mesh, one per tier, outermost tier first.
type Plan struct {
	ACLs []ACL `json:"acls"`
	// Notes are what the ACLs cannot express, for the preview's log.
	Notes []string `json:"notes,omitempty"`
	// Ephemeral is the reply range in use.
	Ephemeral spec.PortRange `json:"ephemeralPorts"`
}

// Enabled reports whether the mesh asks for network ACLs.
func Enabled(m spec.Mesh) bool { return m.NetworkAcls != nil && m.NetworkAcls.Enabled }

// Build derives the network ACLs of a validated mesh from its flows. It
// returns nil when the mesh does not enable them. Findings are a bad
// networkAcls input and tiers over the quota even after aggregation.
func Build(m spec.Mesh, flows []flow.Flow) (*Plan, finding.List) {
	if !Enabled(m) {
		return nil, nil
	}
	eph, limit, bad := options(*m.NetworkAcls)
	if bad != nil {
		return nil, bad
	}
	hs, notes := hops(m, flows)
	acls := map[string]*ACL{}
	for _, t := range m.Tiers {
		tags := maps.Clone(m.Tags)
		if tags == nil {
			tags = map[string]string{}
		}
		tags["Name"], tags["Tier"], tags["ManagedBy"] = m.NamePrefix+t.Name, t.Name, rule.ManagedBy
		acls[t.Name] = &ACL{Tier: t.Name, Subnets: m.HasSubnets(t), SubnetIDs: t.SubnetIDs, Tags: tags}
	}
	entries := map[string]map[string]Entry{} // tier -> key -> entry
	add := func(tier string, e Entry, lists []string) {
		a := acls[tier]
		a.Lists = append(a.Lists, lists...)
		if entries[tier] == nil {
			entries[tier] = map[string]Entry{}
		}
		if old, ok := entries[tier][e.Key()]; ok {
			e.Why = joinWhy(old.Why, e.Why)
		}
		entries[tier][e.Key()] = e
	}
	for _, h := range hs {
		why := h.origin
		if h.to.tier != "" {
			for _, c := range h.from.cidrs {
				for _, r := range forward(h.ports, c) {
					add(h.to.tier, entry(false, r, c, why), h.from.lists)
				}
				for _, r := range replies(h.ports, eph, c) {
					add(h.to.tier, entry(true, r, c, "replies: "+why), h.from.lists)
				}
			}
		}
		if h.from.tier != "" {
			for _, c := range h.to.cidrs {
				for _, r := range forward(h.ports, c) {
					add(h.from.tier, entry(true, r, c, why), h.to.lists)
				}
				for _, r := range replies(h.ports, eph, c) {
					add(h.from.tier, entry(false, r, c, "replies: "+why), h.to.lists)
				}
			}
		}
	}
	var out finding.List
	p := &Plan{Notes: notes, Ephemeral: eph}
	for _, t := range m.Tiers {
		a := acls[t.Name]
		list := pmtud(slices.Collect(maps.Values(entries[t.Name])))
		list = dropCovered(list)
		list, a.Aggregated = fit(list, limit)
		number(list)
		a.Entries = list
		slices.Sort(a.Lists)
		a.Lists = slices.Compact(a.Lists)
		if a.Subnets {
			out = append(out, quota(a, limit)...)
		} else {
			p.Notes = append(p.Notes, fmt.Sprintf("tier %s has no subnetIds: no network ACL is made for it "+
				"(its %d entries are planned only); give the tier subnetIds to protect its subnets", t.Name, len(list)))
		}
		p.ACLs = append(p.ACLs, *a)
	}
	return p, out
}

func joinWhy(a, b string) string {
	parts := slices.Concat(strings.Split(a, "; "), strings.Split(b, "; "))
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), "; ")
}

// options are the networkAcls input with defaults applied, or what is wrong with it.
func options(o spec.NetworkAcls) (spec.PortRange, int, finding.List) {
	var bad finding.List
	eph := DefaultEphemeral
	if r := o.EphemeralPorts; r != nil {
		eph = *r
		if r.From < 1 || r.To > 65535 || r.From > r.To {
			bad.Add(finding.CheckInvalidPort, "", "networkAcls.ephemeralPorts", fmt.Sprintf(
				"use a range within 1-65535 that covers your clients' source ports, or leave it out for %d-%d",
				DefaultEphemeral.From, DefaultEphemeral.To), "ephemeral range %d-%d is not a port range", r.From, r.To)
		}
	}
	limit := cmp.Or(o.RulesPerDirection, DefaultRulesPerDirection)
	if limit < 2 || limit > MaxRulesPerDirection {
		bad.Add(finding.CheckInvalidLimits, "", "networkAcls.rulesPerDirection", fmt.Sprintf(
			"set it from 2 to %d (what AWS granted your account), or leave it out for %d", MaxRulesPerDirection,
			DefaultRulesPerDirection), "%d rules per network ACL and direction is not a quota AWS grants", limit)
	}
	return eph, limit, bad
}

// entry builds an entry of range r to or from cidr.
func entry(egress bool, r ports.Range, cidr, why string) Entry {
	from, to := r.EC2()
	return Entry{Egress: egress, Protocol: r.Protocol, CIDR: cidr, From: from, To: to, Why: why}
}

// forward is the flow's own traffic as entries for cidr: an ICMP version
// never matches the other family.
func forward(r ports.Range, cidr string) []ports.Range {
	if !familyFits(r.Protocol, cidr) {
		return nil
	}
	return []ports.Range{r}
}

// replies is what comes back for r: tcp and udp to the ephemeral range; an
// echo request's echo reply; the same bare IP protocol. "all" replies on tcp
// and udp only, so allowAll egress does not open every port inbound.
func replies(r ports.Range, eph spec.PortRange, cidr string) []ports.Range {
	var out []ports.Range
	switch {
	case ports.HasPorts(r.Protocol):
		out = []ports.Range{{Protocol: r.Protocol, From: eph.From, To: eph.To}}
	case r.Protocol == ports.All:
		out = []ports.Range{{Protocol: ports.TCP, From: eph.From, To: eph.To}, {Protocol: ports.UDP, From: eph.From, To: eph.To}}
	case r.Protocol == ports.ICMP && r.From == -1, r.Protocol == ports.ICMPv6 && r.From == -1:
		out = []ports.Range{r}
	case r.Protocol == ports.ICMP && r.From == echoRequest4:
		out = []ports.Range{{Protocol: ports.ICMP, From: echoReply4, To: -1}}
	case r.Protocol == ports.ICMPv6 && r.From == echoRequest6:
		out = []ports.Range{{Protocol: ports.ICMPv6, From: echoReply6, To: -1}}
	case !ports.IsICMP(r.Protocol):
		out = []ports.Range{r}
	}
	return slices.DeleteFunc(out, func(x ports.Range) bool { return !familyFits(x.Protocol, cidr) })
}

// ICMP types: echo request and reply (RFC 792, RFC 4443), and the two path
// MTU discovery messages a tier must accept from any router on the path:
// IPv4 destination unreachable / fragmentation needed (3/4) and ICMPv6
// packet too big (2/0). Dropping them black-holes large packets.
const (
	echoRequest4, echoReply4 = 8, 0
	echoRequest6, echoReply6 = 128, 129
)

var pmtudEntries = []Entry{
	{Protocol: ports.ICMP, CIDR: "0.0.0.0/0", From: 3, To: 4, Why: "path MTU discovery"},
	{Protocol: ports.ICMPv6, CIDR: "::/0", From: 2, To: 0, Why: "path MTU discovery"},
}

// pmtud adds the ingress path-MTU entries of each family the ACL carries.
func pmtud(list []Entry) []Entry {
	for _, p := range pmtudEntries {
		if slices.ContainsFunc(list, func(e Entry) bool { return e.IPv6() == p.IPv6() }) {
			list = append(list, p)
		}
	}
	return list
}

func familyFits(protocol, cidr string) bool {
	switch protocol {
	case ports.ICMP:
		return !flow.IsIPv6(cidr)
	case ports.ICMPv6:
		return flow.IsIPv6(cidr)
	}
	return true
}

// dropCovered removes entries another entry of the same direction already
// allows (a wider CIDR and a range that covers it): all entries allow, so
// they change nothing but the count. Equal entries were merged before.
func dropCovered(list []Entry) []Entry {
	return slices.DeleteFunc(slices.Clone(list), func(e Entry) bool {
		return slices.ContainsFunc(list, func(o Entry) bool {
			return o.Key() != e.Key() && o.Egress == e.Egress && o.Range().Covers(e.Range()) && contains(o.CIDR, e.CIDR)
		})
	})
}

// contains reports whether prefix a holds all of prefix b.
func contains(a, b string) bool {
	pa, err1 := netip.ParsePrefix(a)
	pb, err2 := netip.ParsePrefix(b)
	return err1 == nil && err2 == nil && pa.Bits() <= pb.Bits() && pa.Contains(pb.Addr())
}

// Count is an ACL's number of entries in one direction and family.
type Count struct {
	Egress bool
	IPv6   bool
	N      int
}

// Counts lists an ACL's entry counts, ingress first, IPv4 first; the
// default deny rule is not among them (quota adds it).
func Counts(list []Entry) []Count {
	var out []Count
	for _, egress := range []bool{false, true} {
		for _, six := range []bool{false, true} {
			n := 0
			for _, e := range list {
				if e.Egress == egress && e.IPv6() == six {
					n++
				}
			}
			out = append(out, Count{egress, six, n})
		}
	}
	return out
}

// fit aggregates the entries of each direction and family over the quota
// (which counts the default deny rule too), and only those, so an ACL near
// its quota changes no more entries than it must.
func fit(list []Entry, limit int) ([]Entry, bool) {
	aggregated := false
	for _, c := range Counts(list) {
		if c.N+1 <= limit {
			continue
		}
		in := func(e Entry) bool { return e.Egress == c.Egress && e.IPv6() == c.IPv6 }
		var part, rest []Entry
		for _, e := range list {
			if in(e) {
				part = append(part, e)
			} else {
				rest = append(rest, e)
			}
		}
		list, aggregated = append(rest, dropCovered(aggregate(part))...), true
	}
	return list, aggregated
}

// quota refuses each direction and family of an ACL over the limit.
func quota(a *ACL, limit int) finding.List {
	var out finding.List
	for _, c := range Counts(a.Entries) {
		if c.N+1 <= limit {
			continue
		}
		dir, fam := "inbound", "IPv4"
		if c.Egress {
			dir = "outbound"
		}
		if c.IPv6 {
			fam = "IPv6"
		}
		fix := fmt.Sprintf("raise networkAcls.rulesPerDirection to what AWS granted your account (at most %d), "+
			"or give tier %s fewer distinct ports and peer ranges (a portRange is one entry)", MaxRulesPerDirection, a.Tier)
		if limit >= MaxRulesPerDirection {
			fix = fmt.Sprintf("give tier %s fewer distinct ports and peer ranges (a portRange is one entry), or split it into two tiers", a.Tier)
		}
		out.Add(finding.CheckNetworkACLRules, "", "tiers."+a.Tier, fix,
			"tier %s's network ACL needs %d %s %s rules after aggregating adjacent ranges, plus the default deny rule: %d; the limit is %d",
			a.Tier, c.N, dir, fam, c.N+1, limit)
	}
	return out
}

// sortEntries orders an ACL's entries ingress first, then by number, then key.
func sortEntries(list []Entry) {
	slices.SortFunc(list, func(a, b Entry) int {
		return cmp.Or(compareBool(a.Egress, b.Egress), cmp.Compare(a.Number, b.Number), cmp.Compare(a.Key(), b.Key()))
	})
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}
