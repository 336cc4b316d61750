// Package ec2read is the one reader of EC2 security groups that exist: from
// the JSON the AWS CLI writes (describe-security-groups, optionally with
// describe-security-group-rules and describe-network-interfaces), or live
// through the AWS SDK. Both paths end in the same model, Account: one rule
// per peer, protocols and ports in the AWS provider's terms.
package ec2read

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// Account is the security groups one read found, with what it knows.
type Account struct {
	// Source says where they came from, for messages: "file legacy.json" or
	// "EC2 us-east-1".
	Source string
	// Groups are sorted by id.
	Groups []Group
	// RuleIDsKnown is true when security-group-rule ids were read.
	RuleIDsKnown bool
	// AttachmentsKnown is true when network interfaces were read.
	AttachmentsKnown bool
	// Subnets, NetworkACLs and Interfaces (every network interface read,
	// sorted by id) are what the reachability evaluator needs besides the
	// groups; each is empty when not read.
	Subnets     []Subnet
	NetworkACLs []NetworkACL
	Interfaces  []Interface
	// PrefixLists are the managed prefix lists whose entries were read,
	// sorted by id.
	PrefixLists []PrefixList
}

// Group is one security group.
type Group struct {
	ID, Name, Description, VpcID, OwnerID string
	Tags                                  map[string]string
	// Rules are sorted: ingress first, then by protocol, ports and peer.
	Rules []Rule
	// Interfaces carry the group; known only when Account.AttachmentsKnown.
	Interfaces []Interface
}

// Interface is one network interface: its subnet, private addresses and
// (in Account.Interfaces) the ids of its groups, sorted. Type (EC2's
// InterfaceType: interface, nat_gateway, network_load_balancer, ...),
// RequesterManaged and Description tell a service's interface from a
// middlebox's: flow-log attribution reads them.
type Interface struct {
	ID               string
	SubnetID         string
	Addresses        []netip.Addr
	Groups           []string
	Type             string
	RequesterManaged bool
	Description      string
}

// Directions, as EC2 and the AWS provider name them.
const (
	Ingress = "ingress"
	Egress  = "egress"
)

// Rule is one permission towards one peer: what an aws.ec2.SecurityGroupRule
// holds.
type Rule struct {
	// ID is the sgr-… id when known.
	ID        string
	Direction string
	// Protocol is tcp, udp, icmp, icmpv6, -1 (all) or an IP protocol number.
	Protocol string
	// FromPort and ToPort are the AWS provider's: 0/0 for protocols without
	// ports, the ICMP type and code (-1 = all) for icmp.
	FromPort, ToPort int
	Peer             Peer
	Description      string
}

// Peer is exactly one of a CIDR, a prefix list or a group.
type Peer struct {
	CIDR       string
	PrefixList string
	GroupID    string
	// GroupOwner and GroupVpc are set by EC2 for group peers when known;
	// they differ from the rule's group for cross-account or peered refs.
	GroupOwner, GroupVpc string
}

// String is the peer as EC2 writes it.
func (p Peer) String() string { return cmp.Or(p.CIDR, p.PrefixList, p.GroupID) }

// Reference is the peer as a rule of a group of account owner names it in
// sourceSecurityGroupId: another account's group as OWNER/sg-…, the form
// the AWS provider gives UserIdGroupPairs with another UserId.
func (p Peer) Reference(owner string) string {
	if p.GroupID != "" && p.GroupOwner != "" && p.GroupOwner != owner {
		return p.GroupOwner + "/" + p.GroupID
	}
	return p.String()
}

// Key identifies a rule by content within its group (no id, no description).
func (r Rule) Key() string {
	return fmt.Sprintf("%s %s %d %d %s", r.Direction, r.Protocol, r.FromPort, r.ToPort, r.Peer)
}

// Ports is the rule's traffic for a reader, as the plan writes it: tcp/22,
// udp/8125-8126, icmp/8, all.
func (r Rule) Ports() string {
	return ports.Range{Protocol: r.Protocol, From: r.FromPort, To: r.ToPort}.String()
}

// Group returns the group with the id, or an error naming where it looked.
func (a *Account) Group(id string) (*Group, error) {
	for i := range a.Groups {
		if a.Groups[i].ID == id {
			return &a.Groups[i], nil
		}
	}
	return nil, fmt.Errorf("security group %s does not exist in %s: check the id (aws ec2 describe-security-groups --group-ids %s)", id, a.Source, id)
}

// VPCs lists the VPCs the groups are in, sorted.
func (a *Account) VPCs() []string {
	var out []string
	for _, g := range a.Groups {
		if g.VpcID != "" && !slices.Contains(out, g.VpcID) {
			out = append(out, g.VpcID)
		}
	}
	slices.Sort(out)
	return out
}

// InVPC keeps the groups of one VPC.
func (a *Account) InVPC(vpc string) *Account {
	out := *a
	out.Groups = nil
	for _, g := range a.Groups {
		if g.VpcID == vpc {
			out.Groups = append(out.Groups, g)
		}
	}
	return &out
}

// build turns the SDK's shapes into an Account. rules and enis may be nil
// (not read).
func build(source string, groups []types.SecurityGroup, rules []types.SecurityGroupRule, enis []types.NetworkInterface, withRules, withENIs bool) (*Account, error) {
	a := &Account{Source: source, RuleIDsKnown: withRules, AttachmentsKnown: withENIs}
	ids := map[string]map[string]string{} // group -> rule key -> sgr id
	for _, r := range rules {
		gid := str(r.GroupId)
		rr, err := fromRule(r)
		if err != nil {
			return nil, fmt.Errorf("%s: rule %s of %s: %w", source, str(r.SecurityGroupRuleId), gid, err)
		}
		if ids[gid] == nil {
			ids[gid] = map[string]string{}
		}
		ids[gid][rr.Key()] = rr.ID
	}
	ifaces := map[string][]Interface{}
	for _, n := range enis {
		in := iface(n)
		for _, g := range n.Groups {
			ifaces[str(g.GroupId)] = append(ifaces[str(g.GroupId)], in)
		}
	}
	for _, sg := range groups {
		g := Group{ID: str(sg.GroupId), Name: str(sg.GroupName), Description: str(sg.Description),
			VpcID: str(sg.VpcId), OwnerID: str(sg.OwnerId), Tags: map[string]string{}, Interfaces: ifaces[str(sg.GroupId)]}
		if !strings.HasPrefix(g.ID, "sg-") {
			return nil, fmt.Errorf("%s: a security group has GroupId %q; describe-security-groups output has sg-… ids", source, g.ID)
		}
		for _, t := range sg.Tags {
			g.Tags[str(t.Key)] = str(t.Value)
		}
		for dir, perms := range map[string][]types.IpPermission{Ingress: sg.IpPermissions, Egress: sg.IpPermissionsEgress} {
			for _, p := range perms {
				rs, err := fromPermission(dir, p)
				if err != nil {
					return nil, fmt.Errorf("%s: group %s (%s): %w", source, g.ID, g.Name, err)
				}
				g.Rules = append(g.Rules, rs...)
			}
		}
		for i := range g.Rules {
			g.Rules[i].ID = ids[g.ID][g.Rules[i].Key()]
		}
		slices.SortFunc(g.Rules, func(a, b Rule) int {
			return cmp.Or(cmp.Compare(b.Direction, a.Direction), cmp.Compare(a.Protocol, b.Protocol),
				cmp.Compare(a.FromPort, b.FromPort), cmp.Compare(a.ToPort, b.ToPort), cmp.Compare(a.Peer.String(), b.Peer.String()))
		})
		a.Groups = append(a.Groups, g)
	}
	slices.SortFunc(a.Groups, func(x, y Group) int { return cmp.Compare(x.ID, y.ID) })
	return a, nil
}

// iface reads a network interface's id, subnet and private addresses.
func iface(n types.NetworkInterface) Interface {
	in := Interface{ID: str(n.NetworkInterfaceId), SubnetID: str(n.SubnetId), Type: string(n.InterfaceType),
		RequesterManaged: n.RequesterManaged != nil && *n.RequesterManaged, Description: str(n.Description)}
	for _, p := range n.PrivateIpAddresses {
		if ip, err := netip.ParseAddr(str(p.PrivateIpAddress)); err == nil {
			in.Addresses = append(in.Addresses, ip)
		}
	}
	if ip, err := netip.ParseAddr(str(n.PrivateIpAddress)); err == nil && !slices.Contains(in.Addresses, ip) {
		in.Addresses = append(in.Addresses, ip)
	}
	for _, p := range n.Ipv6Addresses {
		if ip, err := netip.ParseAddr(str(p.Ipv6Address)); err == nil {
			in.Addresses = append(in.Addresses, ip)
		}
	}
	return in
}

// fromPermission splits one EC2 permission into one rule per peer.
func fromPermission(dir string, p types.IpPermission) ([]Rule, error) {
	proto, from, to, err := traffic(str(p.IpProtocol), p.FromPort, p.ToPort)
	if err != nil {
		return nil, err
	}
	base := Rule{Direction: dir, Protocol: proto, FromPort: from, ToPort: to}
	var out []Rule
	add := func(peer Peer, desc *string) {
		r := base
		r.Peer, r.Description = peer, str(desc)
		out = append(out, r)
	}
	for _, c := range p.IpRanges {
		add(Peer{CIDR: str(c.CidrIp)}, c.Description)
	}
	for _, c := range p.Ipv6Ranges {
		add(Peer{CIDR: str(c.CidrIpv6)}, c.Description)
	}
	for _, pl := range p.PrefixListIds {
		add(Peer{PrefixList: str(pl.PrefixListId)}, pl.Description)
	}
	for _, g := range p.UserIdGroupPairs {
		add(Peer{GroupID: str(g.GroupId), GroupOwner: str(g.UserId), GroupVpc: str(g.VpcId)}, g.Description)
	}
	return out, nil
}

func fromRule(r types.SecurityGroupRule) (Rule, error) {
	proto, from, to, err := traffic(str(r.IpProtocol), r.FromPort, r.ToPort)
	if err != nil {
		return Rule{}, err
	}
	out := Rule{ID: str(r.SecurityGroupRuleId), Direction: Ingress, Protocol: proto, FromPort: from, ToPort: to,
		Description: str(r.Description), Peer: Peer{CIDR: cmp.Or(str(r.CidrIpv4), str(r.CidrIpv6)), PrefixList: str(r.PrefixListId)}}
	if r.IsEgress != nil && *r.IsEgress {
		out.Direction = Egress
	}
	if g := r.ReferencedGroupInfo; g != nil {
		out.Peer.GroupID, out.Peer.GroupOwner, out.Peer.GroupVpc = str(g.GroupId), str(g.UserId), str(g.VpcId)
	}
	return out, nil
}

// traffic normalises EC2's protocol and ports to the AWS provider's, as
// the plan has them (package ports): numbers of named protocols become
// names, all is -1, and protocols without ports take 0/0.
func traffic(protocol string, from, to *int32) (string, int, int, error) {
	p, err := ports.ParseProtocol(protocol)
	if err != nil || strings.TrimSpace(protocol) == "" {
		return "", 0, 0, fmt.Errorf("IpProtocol %q is neither a protocol name nor a number 0-255", protocol)
	}
	switch {
	case ports.HasPorts(p):
		if from == nil || to == nil {
			return "", 0, 0, fmt.Errorf("%s permission without FromPort/ToPort", p)
		}
		return p, int(*from), int(*to), nil
	case ports.IsICMP(p):
		f, t := -1, -1
		if from != nil {
			f = int(*from)
		}
		if to != nil {
			t = int(*to)
		}
		return p, f, t, nil
	}
	return p, 0, 0, nil
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
