// Package reach answers, from EC2's own data (security groups, network ACLs,
// subnets and network interfaces, as package ec2read reads them), whether A
// can reach B on some traffic, the reply included, and if not, which layer
// and which rule refuses. It reads nothing the planner makes: it is the
// independent oracle for the groups and network ACLs the planner generates,
// and an offline stand-in for AWS's Reachability Analyzer.
//
// The semantics, from the Amazon VPC User Guide ("Security group rules",
// "Network ACL rules"): security groups are stateful and allow only (no rule
// matches: refused), the groups of an interface act as one; a network ACL is
// stateless, evaluates its entries from the lowest rule number up and the
// first entry that matches decides, "*" (32767) denies the rest; ACLs do not
// filter traffic between two addresses of one subnet. Routes, gateways and
// prefix-list contents are not read.
package reach

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/suggest"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// Layer names one place a packet or its reply is checked, in the order the
// packet meets them.
type Layer string

// The layers, request then reply.
const (
	SourceGroups   Layer = "source-sg-egress"
	SourceACL      Layer = "source-nacl-egress"
	DestACL        Layer = "destination-nacl-ingress"
	DestGroups     Layer = "destination-sg-ingress"
	ReplyDestACL   Layer = "reply-destination-nacl-egress"
	ReplySourceACL Layer = "reply-source-nacl-ingress"
)

// Title is the layer for a reader.
func (l Layer) Title() string {
	return map[Layer]string{
		SourceGroups:   "source security groups, egress",
		SourceACL:      "source subnet's network ACL, egress",
		DestACL:        "destination subnet's network ACL, ingress",
		DestGroups:     "destination security groups, ingress",
		ReplyDestACL:   "reply: destination subnet's network ACL, egress",
		ReplySourceACL: "reply: source subnet's network ACL, ingress",
	}[l]
}

// DefaultEphemeral is the client port range a reply is checked on unless the
// query names one: the widest range AWS documents for clients (ELB, NAT
// gateways and Lambda use 1024-65535; Linux 32768-60999 and Windows
// 49152-65535 lie inside it).
var DefaultEphemeral = ports.Range{Protocol: ports.TCP, From: 1024, To: 65535}

// Query asks whether From can reach To on Traffic. From and To are each a
// network interface id, an IP address, or a security group's id or name (every
// interface carrying it).
type Query struct {
	From, To string
	Traffic  ports.Range
	// Ephemeral is the client's source port range, where tcp and udp replies
	// go; its protocol is ignored. Zero means DefaultEphemeral.
	Ephemeral ports.Range
}

// Answer is the verdict for every pair of interfaces or addresses the query
// names.
type Answer struct {
	Query   Query  `json:"-"`
	Allowed bool   `json:"allowed"`
	Paths   []Path `json:"paths"`
	// Unchecked names the layers that could not be evaluated for lack of
	// data; Allowed then holds only for the others.
	Unchecked []string `json:"unchecked,omitempty"`
}

// Endpoint is one end of a path.
type Endpoint struct {
	// Interface is the network interface holding Address; "" for an address
	// no interface in the inventory holds (outside the VPC, say).
	Interface string     `json:"interface,omitempty"`
	Address   netip.Addr `json:"address"`
	// Subnet holds Address; "" outside every subnet read.
	Subnet string `json:"subnet,omitempty"`
	// Groups are the interface's security groups.
	Groups []string `json:"groups,omitempty"`
}

func (e Endpoint) String() string {
	if e.Interface == "" {
		return e.Address.String()
	}
	return e.Interface + " " + e.Address.String()
}

// Path is the verdict for one source and one destination.
type Path struct {
	From    Endpoint `json:"from"`
	To      Endpoint `json:"to"`
	Allowed bool     `json:"allowed"`
	Checks  []Check  `json:"checks"`
}

// Refusal is the first check that refuses, nil when the path is allowed.
func (p Path) Refusal() *Check {
	for i := range p.Checks {
		if !p.Checks[i].Allowed {
			return &p.Checks[i]
		}
	}
	return nil
}

// Check is one layer's verdict.
type Check struct {
	Layer Layer `json:"layer"`
	// Resource is what decided: the ACL's id, or the interface's group ids.
	Resource string      `json:"resource,omitempty"`
	Traffic  ports.Range `json:"traffic"`
	Allowed  bool        `json:"allowed"`
	// Skipped says why the layer does not apply (Allowed is then true).
	Skipped string `json:"skipped,omitempty"`
	// Rules are the rules or entries that allow, or the one entry that
	// refuses.
	Rules []string `json:"rules,omitempty"`
	// Refused is the part of Traffic refused first (the lowest ports), when
	// the check refuses.
	Refused *ports.Range `json:"refused,omitempty"`
	// Notes are rules that might have matched but could not be evaluated.
	Notes []string `json:"notes,omitempty"`
}

// Evaluate answers q over the inventory a. It fails on an endpoint it cannot
// resolve, naming it and what it could be.
func Evaluate(a *ec2read.Account, q Query) (Answer, error) {
	if q.Ephemeral == (ports.Range{}) {
		q.Ephemeral = DefaultEphemeral
	}
	var errs []string
	from, err := resolve(a, q.From)
	if err != nil {
		errs = append(errs, "--from: "+err.Error())
	}
	to, err := resolve(a, q.To)
	if err != nil {
		errs = append(errs, "--to: "+err.Error())
	}
	if len(errs) > 0 {
		return Answer{}, errors.New(strings.Join(errs, "\n"))
	}
	ans := Answer{Query: q, Allowed: true}
	var unpaired []string
	for _, f := range from {
		for _, t := range to {
			if f.Interface != "" && f.Interface == t.Interface {
				continue // an interface to itself never leaves it
			}
			src, dst, ok := pair(f, t)
			if !ok {
				unpaired = append(unpaired, fmt.Sprintf("%s and %s have no address family in common", f, t))
				continue
			}
			p := Between(a, src, dst, q.Traffic, q.Ephemeral)
			ans.Paths = append(ans.Paths, p)
			ans.Allowed = ans.Allowed && p.Allowed
		}
	}
	switch {
	case len(ans.Paths) == 0 && len(unpaired) > 0:
		return Answer{}, errors.New(strings.Join(unpaired, "\n"))
	case len(ans.Paths) == 0:
		return Answer{}, fmt.Errorf("%s and %s name the same single interface: nothing to check", q.From, q.To)
	}
	// Pairs of a group's interfaces without a common family are not paths.
	ans.Unchecked = append(ans.Unchecked, unpaired...)
	if len(a.NetworkACLs) == 0 {
		ans.Unchecked = append(ans.Unchecked, "network ACLs: none read (give the output of `aws ec2 describe-network-acls --output json`, and of describe-subnets)")
	}
	return ans, nil
}

// candidate is an endpoint with every address it may use.
type candidate struct {
	Endpoint
	addrs []netip.Addr
}

// String names the candidate with the addresses it may use.
func (c candidate) String() string {
	var addrs []string
	for _, a := range c.addrs {
		addrs = append(addrs, a.String())
	}
	if c.Interface == "" {
		return strings.Join(addrs, ", ")
	}
	return c.Interface + " (" + strings.Join(addrs, ", ") + ")"
}

// pair picks one address of each, IPv4 first, of one family.
func pair(f, t candidate) (Endpoint, Endpoint, bool) {
	for _, v4 := range []bool{true, false} {
		i := slices.IndexFunc(f.addrs, func(a netip.Addr) bool { return a.Is4() == v4 })
		j := slices.IndexFunc(t.addrs, func(a netip.Addr) bool { return a.Is4() == v4 })
		if i >= 0 && j >= 0 {
			src, dst := f.Endpoint, t.Endpoint
			src.Address, dst.Address = f.addrs[i], t.addrs[j]
			return src, dst, true
		}
	}
	return Endpoint{}, Endpoint{}, false
}

// resolve turns a name into the endpoints it means: an interface id, an IP
// address (with the interface holding it, if any), or a security group's id,
// name or service (the mesh's Service tag): every interface carrying it.
func resolve(a *ec2read.Account, name string) ([]candidate, error) {
	if ip, err := netip.ParseAddr(name); err == nil {
		for _, in := range a.Interfaces {
			if slices.Contains(in.Addresses, ip) {
				c := fromInterface(in)
				c.addrs = []netip.Addr{ip}
				return []candidate{c}, nil
			}
		}
		c := candidate{Endpoint: Endpoint{Address: ip}, addrs: []netip.Addr{ip}}
		for _, s := range a.Subnets {
			if slices.ContainsFunc(s.CIDRs, func(p netip.Prefix) bool { return p.Contains(ip) }) {
				c.Subnet = s.ID
			}
		}
		return []candidate{c}, nil
	}
	for _, in := range a.Interfaces {
		if in.ID == name {
			return []candidate{fromInterface(in)}, nil
		}
	}
	var groups []string
	for _, g := range a.Groups {
		if g.ID == name || g.Name == name || g.Tags[rule.ServiceTag] == name {
			groups = append(groups, g.ID)
		}
	}
	if len(groups) > 1 {
		return nil, fmt.Errorf("%q names %d security groups (%s): give the group id", name, len(groups), strings.Join(groups, ", "))
	}
	if len(groups) == 1 {
		var out []candidate
		for _, in := range a.Interfaces {
			if slices.Contains(in.Groups, groups[0]) {
				out = append(out, fromInterface(in))
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("security group %s (%s) is attached to no network interface in %s: name an interface or an address, or give the output of `aws ec2 describe-network-interfaces --output json`", groups[0], name, a.Source)
		}
		return out, nil
	}
	return nil, unknown(a, name)
}

func unknown(a *ec2read.Account, name string) error {
	msg := fmt.Sprintf("%q is not a network interface id, an IP address, or a security group's id, name or service in %s", name, a.Source)
	var known []string
	for _, g := range a.Groups {
		known = append(known, g.ID, g.Name)
		if s := g.Tags[rule.ServiceTag]; s != "" {
			known = append(known, s)
		}
	}
	for _, in := range a.Interfaces {
		known = append(known, in.ID)
	}
	if s, ok := suggest.Closest(name, known); ok {
		return fmt.Errorf("%s: did you mean %q?", msg, s)
	}
	return fmt.Errorf("%s: list them with aws ec2 describe-security-groups and describe-network-interfaces", msg)
}

func fromInterface(in ec2read.Interface) candidate {
	c := candidate{Endpoint: Endpoint{Interface: in.ID, Subnet: in.SubnetID, Groups: in.Groups}, addrs: in.Addresses}
	if len(in.Addresses) > 0 {
		c.Address = in.Addresses[0]
	}
	return c
}

// Between is the verdict for one packet from src to dst on traffic and its
// reply to the client's ephemeral ports: the six layers in the order the
// packet and the reply meet them. Every layer is evaluated, so a path
// refused twice says so.
func Between(a *ec2read.Account, src, dst Endpoint, traffic, ephemeral ports.Range) Path {
	sameSubnet := src.Subnet != "" && src.Subnet == dst.Subnet
	reply, replies := replyOf(traffic, ephemeral)
	p := Path{From: src, To: dst}
	add := func(c Check, _ []span) { p.Checks = append(p.Checks, c) }
	add(groupsCheck(a, SourceGroups, src, dst, traffic))
	add(aclCheck(a, SourceACL, src, dst.Address, true, traffic, sameSubnet))
	add(aclCheck(a, DestACL, dst, src.Address, false, traffic, sameSubnet))
	add(groupsCheck(a, DestGroups, dst, src, traffic))
	if replies {
		add(aclCheck(a, ReplyDestACL, dst, src.Address, true, reply, sameSubnet))
		add(aclCheck(a, ReplySourceACL, src, dst.Address, false, reply, sameSubnet))
	}
	p.Allowed = p.Refusal() == nil
	return p
}

// Passing is the part of traffic the request from src to dst gets through,
// per layer: through both network ACLs (source egress, destination
// ingress), and through both ends' security groups. A layer that does not
// apply passes everything. For traffic without ports the answer is all of it
// or nothing.
func Passing(a *ec2read.Account, src, dst Endpoint, traffic ports.Range) (acls, groups []ports.Range) {
	sameSubnet := src.Subnet != "" && src.Subnet == dst.Subnet
	_, out := aclCheck(a, SourceACL, src, dst.Address, true, traffic, sameSubnet)
	_, in := aclCheck(a, DestACL, dst, src.Address, false, traffic, sameSubnet)
	acls = ranges(traffic, both(out, in))
	_, out = groupsCheck(a, SourceGroups, src, dst, traffic)
	_, in = groupsCheck(a, DestGroups, dst, src, traffic)
	return acls, ranges(traffic, both(out, in))
}

// both is the intersection of two sets of spans.
func both(x, y []span) []span {
	var out []span
	for _, s := range y {
		out = append(out, intersect(x, s)...)
	}
	slices.SortFunc(out, func(p, q span) int { return cmp.Compare(p.lo, q.lo) })
	return out
}

func ranges(t ports.Range, set []span) []ports.Range {
	var out []ports.Range
	for _, s := range set {
		out = append(out, *refused(t, s))
	}
	return out
}

// replyOf is the traffic of the reply: to the client's ephemeral ports for
// tcp and udp, an echo reply for an echo request, the same protocol for one
// without ports; other ICMP messages have none.
func replyOf(t, ephemeral ports.Range) (ports.Range, bool) {
	switch {
	case ports.HasPorts(t.Protocol):
		return ports.Range{Protocol: t.Protocol, From: ephemeral.From, To: ephemeral.To}, true
	case t.Protocol == ports.ICMP && t.From == 8:
		return ports.Range{Protocol: ports.ICMP, From: 0, To: 0}, true
	case t.Protocol == ports.ICMPv6 && t.From == 128:
		return ports.Range{Protocol: ports.ICMPv6, From: 129, To: 0}, true
	case ports.IsICMP(t.Protocol):
		return ports.Range{}, false
	}
	return t, true
}

// groupsCheck evaluates the groups of self (egress for the source, ingress
// for the destination) for traffic to or from peer, and returns the spans of
// traffic they allow.
func groupsCheck(a *ec2read.Account, layer Layer, self, peer Endpoint, traffic ports.Range) (Check, []span) {
	c := Check{Layer: layer, Traffic: traffic, Resource: strings.Join(self.Groups, ","), Allowed: true}
	if self.Interface == "" {
		c.Skipped = "no network interface holds " + self.Address.String() + " in the inventory"
		return c, []span{whole(traffic)}
	}
	dir, towards := ec2read.Egress, "to"
	if layer == DestGroups {
		dir, towards = ec2read.Ingress, "from"
	}
	var covered []span
	for _, id := range self.Groups {
		g, err := a.Group(id)
		if err != nil {
			c.Notes = append(c.Notes, err.Error())
			continue
		}
		for _, r := range g.Rules {
			if r.Direction != dir {
				continue
			}
			s, ok := within(ports.Range{Protocol: r.Protocol, From: r.FromPort, To: r.ToPort}, traffic)
			if !ok || len(intersect([]span{whole(traffic)}, s)) == 0 {
				continue
			}
			switch {
			case r.Peer.PrefixList != "":
				c.Notes = append(c.Notes, fmt.Sprintf("%s %s %s %s %s: prefix list entries not read, not counted", g.ID, dir, r.Ports(), towards, r.Peer))
				continue
			case r.Peer.GroupID != "" && !slices.Contains(peer.Groups, r.Peer.GroupID):
				continue
			case r.Peer.CIDR != "":
				p, err := netip.ParsePrefix(r.Peer.CIDR)
				if err != nil || !p.Contains(peer.Address) {
					continue
				}
			}
			covered = append(covered, s)
			c.Rules = append(c.Rules, fmt.Sprintf("%s %s %s %s %s", g.ID, dir, r.Ports(), towards, r.Peer))
		}
	}
	gaps := subtract([]span{whole(traffic)}, covered)
	if len(gaps) > 0 {
		c.Allowed, c.Rules = false, nil
		c.Refused = refused(traffic, gaps[0])
		c.Rules = []string{fmt.Sprintf("no %s rule of %s allows %s %s %s", dir, cmp.Or(c.Resource, "its (no) groups"), c.Refused, towards, peer.Address)}
	}
	slices.Sort(c.Rules)
	c.Rules = slices.Compact(c.Rules)
	return c, subtract([]span{whole(traffic)}, gaps)
}

// aclCheck evaluates the network ACL of self's subnet on traffic leaving it
// (egress, to peer) or entering it (from peer): entries in rule-number order,
// the first that matches a port decides it. It returns the spans of traffic
// the ACL allows.
func aclCheck(a *ec2read.Account, layer Layer, self Endpoint, peer netip.Addr, egress bool, traffic ports.Range, sameSubnet bool) (Check, []span) {
	c := Check{Layer: layer, Traffic: traffic, Allowed: true}
	switch {
	case sameSubnet:
		c.Skipped = "same subnet: network ACLs do not filter traffic within a subnet"
	case self.Subnet == "":
		c.Skipped = self.Address.String() + " is in no subnet of the inventory"
	case len(a.NetworkACLs) == 0:
		c.Skipped = "network ACLs not read"
	}
	if c.Skipped != "" {
		return c, []span{whole(traffic)}
	}
	subnet := a.SubnetOf(self.Subnet)
	if subnet == nil {
		subnet = &ec2read.Subnet{ID: self.Subnet}
	}
	acl, err := a.ACLOf(subnet)
	if err != nil {
		c.Allowed, c.Refused, c.Rules = false, &traffic, []string{err.Error()}
		return c, nil
	}
	c.Resource = acl.ID
	open := []span{whole(traffic)}
	var denied []span
	var denier []string
	for _, e := range acl.Entries {
		if e.Egress != egress || !e.CIDR.Contains(peer) {
			continue
		}
		s, ok := within(e.Traffic, traffic)
		if !ok {
			continue
		}
		hit := intersect(open, s)
		if len(hit) == 0 {
			continue
		}
		open = subtract(open, []span{s})
		if e.Allow {
			c.Rules = append(c.Rules, e.String())
			continue
		}
		for _, h := range hit {
			denied, denier = append(denied, h), append(denier, e.String())
		}
	}
	if len(open) > 0 {
		// No entry matched: EC2's "*" denies, whether or not the
		// inventory lists it.
		for _, h := range open {
			denied, denier = append(denied, h), append(denier, fmt.Sprintf("%s * deny all (no entry matches)", ec2read.Direction(egress)))
		}
	}
	if len(denied) > 0 {
		first := 0
		for i := range denied {
			if denied[i].lo < denied[first].lo {
				first = i
			}
		}
		c.Allowed, c.Refused, c.Rules = false, refused(traffic, denied[first]), []string{denier[first]}
	}
	return c, subtract([]span{whole(traffic)}, denied)
}

// span is a closed range of ports; traffic without ports is the one point 0.
type span struct{ lo, hi int }

func whole(t ports.Range) span {
	if ports.HasPorts(t.Protocol) {
		return span{t.From, t.To}
	}
	return span{0, 0}
}

// within is the part of traffic's span a rule matches: for tcp and udp the
// ports both hold; otherwise all or nothing, as the rule covers the traffic.
func within(rule, traffic ports.Range) (span, bool) {
	if ports.HasPorts(traffic.Protocol) {
		switch rule.Protocol {
		case ports.All:
			return span{0, 65535}, true
		case traffic.Protocol:
			return span{rule.From, rule.To}, true
		}
		return span{}, false
	}
	return span{0, 0}, rule.Covers(traffic)
}

func refused(t ports.Range, s span) *ports.Range {
	if !ports.HasPorts(t.Protocol) {
		return &t
	}
	return &ports.Range{Protocol: t.Protocol, From: s.lo, To: s.hi}
}

// subtract removes every span of cut from set.
func subtract(set, cut []span) []span {
	for _, c := range cut {
		var next []span
		for _, s := range set {
			if c.hi < s.lo || c.lo > s.hi {
				next = append(next, s)
				continue
			}
			if s.lo < c.lo {
				next = append(next, span{s.lo, c.lo - 1})
			}
			if s.hi > c.hi {
				next = append(next, span{c.hi + 1, s.hi})
			}
		}
		set = next
	}
	return set
}

// intersect is the part of set inside s.
func intersect(set []span, s span) []span {
	var out []span
	for _, x := range set {
		if lo, hi := max(x.lo, s.lo), min(x.hi, s.hi); lo <= hi {
			out = append(out, span{lo, hi})
		}
	}
	return out
}
