// Package meshproof proves, with the reachability evaluator (package reach),
// that a mesh's two layers agree with its declaration: it builds the EC2
// account the plan would make (a subnet per tier, its network ACL with
// EC2's catch-all denies, the groups and their rules, two network interfaces
// per service carrying its attachments), then checks that every declared
// flow passes both layers, reply included, and lists what the network ACLs
// let through between tiers that the declaration does not: the stateless
// reply residue, which the security groups must refuse.
//
// It is the hook for property tests too: Prove takes any plan with network
// ACLs whose tiers have known IPv4 ranges (cidrBlocks, or cidrBlocksFrom
// with its values).
package meshproof

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reach"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Report is what the proof found.
type Report struct {
	// Paths is how many interface pairs the declared flows were checked on.
	Paths int
	// Refused are declared flows a layer refuses: each names the flow, the
	// path and the refusing layer and rule. Empty when the layers agree.
	Refused []string
	// Residue is what the network ACLs let through from one tier to another
	// beyond the declared flows, by tier pair.
	Residue []Residue
	// Unrefused is residue the security groups let through too: traffic
	// only the declaration's absence should stop. Empty when proven.
	Unrefused []string
	// Skipped are flows the proof cannot check, and why.
	Skipped []string
	// Flows are the declared flows, in the plan's order, with each layer's
	// verdict over every path checked.
	Flows []Verdict
}

// Verdict is one declared flow through each layer: "" when every path
// checked passes it, or else the first refusal.
type Verdict struct {
	Flow         flow.Flow
	Groups, ACLs string
	Checked      bool
}

// Residue is what the network ACLs pass from tier From to tier To, in one
// address family, that no declared flow asks for.
type Residue struct {
	From, To string
	IPv6     bool
	Traffic  []ports.Range
}

// Layers is the flow matrix's second column, for servicemesh plan: each
// declared flow through the security groups and through the network ACLs,
// reply included.
func (r Report) Layers() string {
	var b strings.Builder
	b.WriteString("Both layers, per declared flow (network ACLs on; replies checked):\n")
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "caller\tcallee\ttraffic\tsecurity groups\tnetwork ACLs")
	verdict := func(checked bool, refusal string) string {
		switch {
		case !checked:
			return "not checked"
		case refusal == "":
			return "pass"
		}
		return "REFUSED " + refusal
	}
	for _, v := range r.Flows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", label(v.Flow.From), label(v.Flow.To), v.Flow.Ports,
			verdict(v.Checked, v.Groups), verdict(v.Checked, v.ACLs))
	}
	w.Flush()
	for _, x := range r.Skipped {
		fmt.Fprintf(&b, "not checked: %s\n", x)
	}
	if len(r.Residue) > 0 {
		b.WriteString("Between tiers the network ACLs also pass what replies need (the security groups must refuse it):\n")
	}
	for _, x := range r.Residue {
		fmt.Fprintf(&b, "  %s\n", x)
	}
	for _, x := range r.Unrefused {
		fmt.Fprintf(&b, "NOT REFUSED by the security groups: %s\n", x)
	}
	return b.String()
}

// label names a flow's end as the declaration does, with its range.
func label(e flow.Endpoint) string {
	if e.CIDR != "" {
		return cmp.Or(e.Via.String(), "cidr") + " " + e.CIDR
	}
	return cmp.Or(e.Service, e.Via.String(), e.PrefixList)
}

func (r Residue) String() string {
	var parts []string
	for _, t := range r.Traffic {
		parts = append(parts, t.String())
	}
	fam := ""
	if r.IPv6 {
		fam = " (IPv6)"
	}
	return fmt.Sprintf("%s -> %s%s: %s", r.From, r.To, fam, strings.Join(parts, ", "))
}

// Probes are the traffic each tier pair is tried on: every tcp and udp port,
// an echo request and the path-MTU message of the family (IPv4 3:4,
// ICMPv6 2:0).
var Probes = []ports.Range{
	{Protocol: ports.TCP, From: 0, To: 65535},
	{Protocol: ports.UDP, From: 0, To: 65535},
	{Protocol: ports.ICMP, From: 8, To: -1},
	{Protocol: ports.ICMP, From: 3, To: 4},
	{Protocol: ports.ICMPv6, From: 128, To: -1},
	{Protocol: ports.ICMPv6, From: 2, To: 0},
}

func probesOf(v6 bool) []ports.Range {
	if v6 {
		return slices.Concat(Probes[:2], Probes[4:])
	}
	return Probes[:4]
}

// world are the addresses the proof stands for a CIDR outside the tiers
// with: one in it, a documentation address (RFC 5737, RFC 9637) when it is
// there.
var world = []netip.Addr{netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("3fff::7")}

// WithACLs is m with network ACLs on and a subnet per tier, for a property
// test that proves meshes declared without them: plan it, then Prove.
func WithACLs(m spec.Mesh) spec.Mesh {
	out := m
	out.NetworkAcls = &spec.NetworkAcls{Enabled: true}
	if m.NetworkAcls != nil {
		acls := *m.NetworkAcls
		acls.Enabled = true
		out.NetworkAcls = &acls
	}
	out.Tiers = slices.Clone(m.Tiers)
	for i, t := range out.Tiers {
		if len(t.SubnetIDs) == 0 {
			out.Tiers[i].SubnetIDs = []string{"subnet-" + t.Name}
		}
	}
	return out
}

// Prove builds the account the plan would make and checks it.
func Prove(m spec.Mesh, p *plan.Plan) (Report, error) {
	inv, err := Build(m, p)
	if err != nil {
		return Report{}, err
	}
	var r Report
	eph := ports.Range{Protocol: ports.TCP, From: p.NetworkAcls.Ephemeral.From, To: p.NetworkAcls.Ephemeral.To}
	for _, f := range p.Flows {
		from, to := inv.places(f.From), inv.places(f.To)
		if len(from) == 0 || len(to) == 0 {
			r.Skipped = append(r.Skipped, fmt.Sprintf("%s: an end the proof cannot place (prefix list, external group without a tier, unknown list)", describe(f)))
			r.Flows = append(r.Flows, Verdict{Flow: f})
			continue
		}
		checked := r.Paths
		v := Verdict{Flow: f}
		for _, t := range probes(f.Ports) {
			for _, src := range from {
				for _, dst := range to {
					if src.Interface != "" && src.Interface == dst.Interface {
						continue
					}
					if src.Address.Is4() != dst.Address.Is4() {
						continue
					}
					r.Paths++
					path := reach.Between(inv.Account, src, dst, t, eph)
					if c := path.Refusal(); c != nil {
						r.Refused = append(r.Refused, fmt.Sprintf("%s on %s: %s -> %s refused by the %s (%s): %s",
							describe(f), t, src, dst, c.Layer.Title(), c.Resource, strings.Join(c.Rules, "; ")))
					}
					for _, c := range path.Checks {
						layer := &v.ACLs
						if c.Layer == reach.SourceGroups || c.Layer == reach.DestGroups {
							layer = &v.Groups
						}
						if !c.Allowed && *layer == "" {
							*layer = fmt.Sprintf("%s: %s", c.Layer, strings.Join(c.Rules, "; "))
						}
					}
				}
			}
		}
		v.Checked = r.Paths > checked
		r.Flows = append(r.Flows, v)
		if !v.Checked {
			r.Skipped = append(r.Skipped, fmt.Sprintf("%s: its ends have no address family in common (a tier without IPv6 cidrBlocks)", describe(f)))
		}
	}
	r.residue(inv, p)
	return r, nil
}

// probes is the traffic a flow is checked on: its own, but "all" as every
// tcp and udp port, the protocols whose replies a network ACL can carry.
func probes(t ports.Range) []ports.Range {
	if t.Protocol == ports.All {
		return Probes[:2]
	}
	return []ports.Range{t}
}

func describe(f flow.Flow) string {
	return fmt.Sprintf("%s %s (%s -> %s)", f.Origin.Service, f.Origin.Rule, f.From.ID(), f.To.ID())
}

// residue fills r.Residue and r.Unrefused: for every ordered pair of
// distinct tiers, what passes both network ACLs on the request path minus
// what the declaration connects, then whether any pair of interfaces gets
// any of it through the security groups.
func (r *Report) residue(inv *Inventory, p *plan.Plan) {
	for _, s := range inv.tiers {
		for _, d := range inv.tiers {
			if s.name == d.name {
				continue
			}
			for _, v6 := range []bool{false, true} {
				srcs, dsts := family(s.enis, v6), family(d.enis, v6)
				if len(srcs) == 0 || len(dsts) == 0 {
					continue
				}
				res := Residue{From: s.name, To: d.name, IPv6: v6}
				for _, probe := range probesOf(v6) {
					acls, _ := reach.Passing(inv.Account, srcs[0], dsts[0], probe)
					for _, a := range acls {
						res.Traffic = append(res.Traffic, minus(a, inv.declared(p, s, d))...)
					}
				}
				if len(res.Traffic) == 0 {
					continue
				}
				r.Residue = append(r.Residue, res)
				for _, t := range res.Traffic {
					for _, src := range srcs {
						for _, dst := range dsts {
							if _, groups := reach.Passing(inv.Account, src, dst, t); len(groups) > 0 {
								r.Unrefused = append(r.Unrefused, fmt.Sprintf("%s -> %s on %s: the security groups let %v through", src, dst, t, groups))
							}
						}
					}
				}
			}
		}
	}
}

// family keeps the endpoints of one address family.
func family(eps []reach.Endpoint, v6 bool) []reach.Endpoint {
	var out []reach.Endpoint
	for _, e := range eps {
		if e.Address.Is6() == v6 {
			out = append(out, e)
		}
	}
	return out
}

// minus is t without every range of cut of its protocol (ICMP: without
// what a cut range covers).
func minus(t ports.Range, cut []ports.Range) []ports.Range {
	out := []ports.Range{t}
	for _, c := range cut {
		var next []ports.Range
		for _, o := range out {
			switch {
			case c.Covers(o):
			case !ports.HasPorts(o.Protocol) || c.Protocol != o.Protocol || c.To < o.From || c.From > o.To:
				next = append(next, o)
			default:
				if o.From < c.From {
					next = append(next, ports.Range{Protocol: o.Protocol, From: o.From, To: c.From - 1})
				}
				if o.To > c.To {
					next = append(next, ports.Range{Protocol: o.Protocol, From: c.To + 1, To: o.To})
				}
			}
		}
		out = next
	}
	return out
}

// Inventory is the account a plan would make, with where the proof put
// each tier's and service's interfaces.
type Inventory struct {
	*ec2read.Account
	tiers []tier
	// enis are each service's interfaces.
	enis map[string][]reach.Endpoint
	// carriers are, per group, the services whose interfaces carry it.
	carriers map[string][]string
	// lists are the known cidrBlocksFrom values.
	lists map[string][]string
}

type tier struct {
	name  string
	cidrs []netip.Prefix
	enis  []reach.Endpoint
}

// declared is the traffic the declaration lets from tier s to tier d: flows
// whose callee is placed in d (a group carried there, or d named as a tier)
// and whose caller is placed in s or is a range holding s's.
func (inv *Inventory) declared(p *plan.Plan, s, d tier) []ports.Range {
	var out []ports.Range
	for _, f := range p.Flows {
		if inv.inTier(f.To, d, false) && inv.inTier(f.From, s, true) {
			out = append(out, f.Ports)
		}
	}
	return out
}

// inTier reports whether an endpoint is placed in tier t; a CIDR holding
// all of t's ranges counts when wide is set (a caller on the internet is a
// caller in every tier).
func (inv *Inventory) inTier(e flow.Endpoint, t tier, wide bool) bool {
	if name, _, ok := e.GroupOf(); ok {
		return slices.ContainsFunc(inv.carriers[name], func(svc string) bool {
			return slices.ContainsFunc(inv.enis[svc], func(x reach.Endpoint) bool { return slices.ContainsFunc(t.enis, sameENI(x)) })
		})
	}
	if !e.Addresses() {
		return false
	}
	if e.Via == flow.Tier(t.name) {
		return true
	}
	if !wide {
		return false
	}
	for _, c := range inv.cidrsOf(e) {
		if slices.ContainsFunc(t.cidrs, func(tc netip.Prefix) bool { return c.Bits() <= tc.Bits() && c.Contains(tc.Addr()) }) {
			return true
		}
	}
	return false
}

func sameENI(x reach.Endpoint) func(reach.Endpoint) bool {
	return func(y reach.Endpoint) bool { return x.Interface == y.Interface }
}

func (inv *Inventory) cidrsOf(e flow.Endpoint) []netip.Prefix {
	texts := []string{e.CIDR}
	if e.IsList() {
		texts = inv.lists[e.Via.ListID()]
	}
	var out []netip.Prefix
	for _, c := range texts {
		if pr, err := netip.ParsePrefix(c); err == nil {
			out = append(out, pr)
		}
	}
	return out
}

// places are the endpoints standing for a flow's end: every interface
// carrying a group, every interface of a tier named as a CIDR, or one
// address in a range outside the tiers.
func (inv *Inventory) places(e flow.Endpoint) []reach.Endpoint {
	if name, _, ok := e.GroupOf(); ok {
		var out []reach.Endpoint
		for _, svc := range inv.carriers[name] {
			out = append(out, inv.enis[svc]...)
		}
		return out
	}
	if !e.Addresses() {
		return nil
	}
	if name, ok := e.Via.InTier(); ok {
		for _, t := range inv.tiers {
			if t.name == name {
				return t.enis
			}
		}
	}
	var out []reach.Endpoint
	for _, c := range inv.cidrsOf(e) {
		addr := c.Addr().Next()
		if i := slices.IndexFunc(world, c.Contains); i >= 0 {
			addr = world[i]
		}
		out = append(out, reach.Endpoint{Address: addr})
	}
	return out
}

// Build is the account the plan would make, in EC2's describe shapes: the
// evaluator reads it as it reads a real account's.
func Build(m spec.Mesh, p *plan.Plan) (*Inventory, error) {
	if p.NetworkAcls == nil {
		return nil, fmt.Errorf("the mesh has no network ACLs: set networkAcls.enabled and the tiers' subnetIds")
	}
	inv := &Inventory{enis: map[string][]reach.Endpoint{}, carriers: map[string][]string{}, lists: p.Lists}
	var d ec2read.Describe
	const vpc = "vpc-mesh"
	acls := map[string]bool{}
	for _, a := range p.NetworkAcls.ACLs {
		acls[a.Tier] = a.Subnets
	}
	tierOf := map[string]int{}
	for _, t := range m.Tiers {
		tt := tier{name: t.Name}
		// cidrBlocksFrom counts when its values are known (a property test's
		// resolved declaration): the ACLs were planned from them too.
		for _, c := range slices.Concat(t.CidrBlocks, t.CidrBlocksFrom) {
			if pr, err := netip.ParsePrefix(c); err == nil {
				tt.cidrs = append(tt.cidrs, pr)
			}
		}
		if !slices.ContainsFunc(tt.cidrs, netip.Prefix.IsValid) {
			return nil, fmt.Errorf("tier %s: the proof places interfaces in its known cidrBlocks or cidrBlocksFrom; give it one", t.Name)
		}
		subnet := types.Subnet{SubnetId: aws.String("subnet-" + t.Name), VpcId: aws.String(vpc)}
		for _, c := range tt.cidrs {
			if c.Addr().Is4() && subnet.CidrBlock == nil {
				subnet.CidrBlock = aws.String(c.String())
			} else if c.Addr().Is6() {
				subnet.Ipv6CidrBlockAssociationSet = append(subnet.Ipv6CidrBlockAssociationSet,
					types.SubnetIpv6CidrBlockAssociation{Ipv6CidrBlock: aws.String(c.String())})
			}
		}
		d.Subnets = append(d.Subnets, subnet)
		tierOf[t.Name] = len(inv.tiers)
		inv.tiers = append(inv.tiers, tt)
	}
	for _, a := range p.NetworkAcls.ACLs {
		if !a.Subnets {
			continue
		}
		acl := types.NetworkAcl{NetworkAclId: aws.String("acl-" + a.Tier), VpcId: aws.String(vpc), IsDefault: aws.Bool(false),
			Associations: []types.NetworkAclAssociation{{SubnetId: aws.String("subnet-" + a.Tier)}}}
		for _, e := range a.Entries {
			acl.Entries = append(acl.Entries, entry(e.Egress, e.Number, e.Range(), e.CIDR, types.RuleActionAllow))
		}
		// EC2's catch-all denies of a new ACL, IPv4 and IPv6.
		for _, egress := range []bool{false, true} {
			acl.Entries = append(acl.Entries,
				entry(egress, 32767, ports.Range{Protocol: ports.All}, "0.0.0.0/0", types.RuleActionDeny),
				entry(egress, 32768, ports.Range{Protocol: ports.All}, "::/0", types.RuleActionDeny))
		}
		d.NetworkAcls = append(d.NetworkAcls, acl)
	}
	// The VPC's default ACL allows everything; tiers without subnetIds keep it.
	dflt := types.NetworkAcl{NetworkAclId: aws.String("acl-default"), VpcId: aws.String(vpc), IsDefault: aws.Bool(true)}
	for _, egress := range []bool{false, true} {
		dflt.Entries = append(dflt.Entries,
			entry(egress, 100, ports.Range{Protocol: ports.All}, "0.0.0.0/0", types.RuleActionAllow),
			entry(egress, 101, ports.Range{Protocol: ports.All}, "::/0", types.RuleActionAllow))
	}
	d.NetworkAcls = append(d.NetworkAcls, dflt)

	groups := map[string]*types.SecurityGroup{}
	for _, g := range p.Groups {
		groups[g.Service] = &types.SecurityGroup{GroupId: aws.String(groupID(g.Service)), GroupName: aws.String(g.Name), VpcId: aws.String(vpc)}
	}
	for _, rl := range p.Rules {
		g := groups[rl.Service]
		if g == nil {
			continue
		}
		perm, ok := Permission(rl, p.Lists, groupID)
		if !ok {
			continue
		}
		if rl.Direction == rule.Ingress {
			g.IpPermissions = append(g.IpPermissions, perm)
		} else {
			g.IpPermissionsEgress = append(g.IpPermissionsEgress, perm)
		}
	}
	for _, svc := range slices.Sorted(maps.Keys(groups)) {
		d.SecurityGroups = append(d.SecurityGroups, *groups[svc])
	}

	next := map[string]int{} // tier -> interfaces placed
	for _, svc := range slices.Sorted(maps.Keys(groups)) {
		g := p.Groups[slices.IndexFunc(p.Groups, func(g rule.Group) bool { return g.Service == svc })]
		ti, ok := tierOf[g.Tier]
		if !ok {
			continue
		}
		for _, suffix := range []string{"a", "b"} {
			next[g.Tier]++
			eni := types.NetworkInterface{NetworkInterfaceId: aws.String("eni-" + svc + "-" + suffix),
				SubnetId: aws.String("subnet-" + g.Tier), VpcId: aws.String(vpc)}
			for _, c := range inv.tiers[ti].cidrs {
				addr := nth(c, 9+next[g.Tier])
				if addr.Is4() {
					eni.PrivateIpAddresses = append(eni.PrivateIpAddresses, types.NetworkInterfacePrivateIpAddress{PrivateIpAddress: aws.String(addr.String())})
				} else {
					eni.Ipv6Addresses = append(eni.Ipv6Addresses, types.NetworkInterfaceIpv6Address{Ipv6Address: aws.String(addr.String())})
				}
			}
			carried := p.Attachments[svc]
			if len(carried) == 0 {
				carried = []string{svc}
			}
			for _, carried := range carried {
				eni.Groups = append(eni.Groups, types.GroupIdentifier{GroupId: aws.String(groupID(carried))})
				if !slices.Contains(inv.carriers[carried], svc) {
					inv.carriers[carried] = append(inv.carriers[carried], svc)
				}
			}
			d.NetworkInterfaces = append(d.NetworkInterfaces, eni)
		}
	}
	a, err := ec2read.FromDescribe("the plan's account", d)
	if err != nil {
		return nil, err
	}
	inv.Account = a
	for _, in := range a.Interfaces {
		svc := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(in.ID, "eni-"), "-a"), "-b")
		for _, addr := range in.Addresses {
			ep := reach.Endpoint{Interface: in.ID, Address: addr, Subnet: in.SubnetID, Groups: in.Groups}
			inv.enis[svc] = append(inv.enis[svc], ep)
			t := &inv.tiers[tierOf[strings.TrimPrefix(in.SubnetID, "subnet-")]]
			t.enis = append(t.enis, ep)
		}
	}
	return inv, nil
}

func groupID(service string) string { return "sg-" + service }

// nth is the n-th address of a prefix.
func nth(p netip.Prefix, n int) netip.Addr {
	a := p.Masked().Addr()
	for range n {
		a = a.Next()
	}
	return a
}

// entry is a network ACL entry as describe-network-acls writes it.
func entry(egress bool, number int, r ports.Range, cidr string, action types.RuleAction) types.NetworkAclEntry {
	e := types.NetworkAclEntry{Egress: aws.Bool(egress), RuleNumber: aws.Int32(int32(number)), Protocol: aws.String(ports.Number(r.Protocol)), RuleAction: action}
	switch {
	case ports.HasPorts(r.Protocol):
		e.PortRange = &types.PortRange{From: aws.Int32(int32(r.From)), To: aws.Int32(int32(r.To))}
	case ports.IsICMP(r.Protocol):
		e.IcmpTypeCode = &types.IcmpTypeCode{Type: aws.Int32(int32(r.From)), Code: aws.Int32(int32(r.To))}
	}
	if strings.Contains(cidr, ":") {
		e.Ipv6CidrBlock = aws.String(cidr)
	} else {
		e.CidrBlock = aws.String(cidr)
	}
	return e
}

// Permission is a planned rule as describe-security-groups writes it: the
// peer's own EC2 form (flow.EC2Peer), field by field, with a group (a mesh
// group named by its service, or self) as groupID gives its id. ok is false
// for a list whose values are not known. The flow-log generator
// (test/flowgen) writes its accounts with it too.
func Permission(rl rule.Rule, lists map[string][]string, groupID func(service string) string) (perm types.IpPermission, ok bool) {
	from, to := rl.Ports.EC2()
	perm = types.IpPermission{IpProtocol: aws.String(rl.Ports.Protocol), FromPort: aws.Int32(int32(from)), ToPort: aws.Int32(int32(to))}
	peer := rl.PeerOf().EC2(flow.EC2Context{GroupName: func(service string) string { return service }, Lists: lists})
	switch g := peer.SourceSecurityGroup; {
	case peer.Self:
		perm.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: aws.String(groupID(rl.Service))}}
	case g != nil:
		perm.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: aws.String(groupID(g.Name))}}
	}
	for _, c := range peer.CidrBlocks {
		perm.IpRanges = append(perm.IpRanges, types.IpRange{CidrIp: aws.String(c)})
	}
	for _, c := range peer.Ipv6CidrBlocks {
		perm.Ipv6Ranges = append(perm.Ipv6Ranges, types.Ipv6Range{CidrIpv6: aws.String(c)})
	}
	for _, pl := range peer.PrefixListIDs {
		perm.PrefixListIds = append(perm.PrefixListIds, types.PrefixListId{PrefixListId: aws.String(pl)})
	}
	return perm, len(perm.UserIdGroupPairs)+len(perm.IpRanges)+len(perm.Ipv6Ranges)+len(perm.PrefixListIds) > 0
}
