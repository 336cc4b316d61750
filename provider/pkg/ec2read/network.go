package ec2read

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// Subnet is one subnet and its address ranges.
type Subnet struct {
	ID, VpcID string
	// CIDRs are the IPv4 block, then the associated IPv6 blocks.
	CIDRs []netip.Prefix
}

// NetworkACL is one network ACL: the subnets it guards and its entries.
type NetworkACL struct {
	ID, VpcID string
	IsDefault bool
	// Subnets are the ids of the subnets associated with it, sorted.
	Subnets []string
	// Entries are sorted by direction (ingress first), then rule number.
	Entries []ACLEntry
}

// ACLEntry is one numbered network ACL rule.
type ACLEntry struct {
	RuleNumber int
	Egress     bool
	// Traffic is what it matches, in the terms of security group rules: for
	// tcp and udp its port range (all ports when EC2 gives none), for icmp and
	// icmpv6 its type and code (-1 = all); other protocols match every port,
	// whatever the entry says (CreateNetworkAclEntry API reference).
	Traffic ports.Range
	// CIDR is the entry's CidrBlock or Ipv6CidrBlock: the destination of an
	// egress entry, the source of an ingress entry.
	CIDR  netip.Prefix
	Allow bool
}

// DefaultRuleNumber is the number EC2 shows for the catch-all deny, "*" in the
// console; it cannot be changed or removed.
const DefaultRuleNumber = 32767

// String is the entry as the console lists it: "egress #100 allow tcp/443
// 10.0.1.0/24", "ingress * deny all 0.0.0.0/0".
func (e ACLEntry) String() string {
	dir, num, act := Direction(e.Egress), fmt.Sprintf("#%d", e.RuleNumber), "deny"
	if e.RuleNumber >= DefaultRuleNumber { // 32768 is the IPv6 one
		num = "*"
	}
	if e.Allow {
		act = "allow"
	}
	return fmt.Sprintf("%s %s %s %s %s", dir, num, act, e.Traffic, e.CIDR)
}

// Direction names an entry's direction as EC2 does: egress or ingress.
func Direction(egress bool) string {
	if egress {
		return Egress
	}
	return Ingress
}

// ACLOf returns the network ACL of a subnet: the one associated with it, or
// else its VPC's default ACL, which EC2 associates with every subnet not
// explicitly associated.
func (a *Account) ACLOf(subnet *Subnet) (*NetworkACL, error) {
	var dflt *NetworkACL
	for i := range a.NetworkACLs {
		acl := &a.NetworkACLs[i]
		if slices.Contains(acl.Subnets, subnet.ID) {
			return acl, nil
		}
		if acl.IsDefault && acl.VpcID == subnet.VpcID {
			dflt = acl
		}
	}
	if dflt == nil {
		return nil, fmt.Errorf("subnet %s has no network ACL in %s: give the output of `aws ec2 describe-network-acls --output json` for %s", subnet.ID, a.Source, cmp.Or(subnet.VpcID, "its VPC"))
	}
	return dflt, nil
}

// SubnetOf returns the subnet with the id, nil when it was not read.
func (a *Account) SubnetOf(id string) *Subnet {
	for i := range a.Subnets {
		if a.Subnets[i].ID == id {
			return &a.Subnets[i]
		}
	}
	return nil
}

// addNetwork adds subnets, network ACLs and every network interface to an
// Account built from the groups.
func (a *Account) addNetwork(subnets []types.Subnet, acls []types.NetworkAcl, enis []types.NetworkInterface) error {
	for _, s := range subnets {
		sn := Subnet{ID: str(s.SubnetId), VpcID: str(s.VpcId)}
		blocks := []string{str(s.CidrBlock)}
		for _, b := range s.Ipv6CidrBlockAssociationSet {
			if b.Ipv6CidrBlockState == nil || b.Ipv6CidrBlockState.State == types.SubnetCidrBlockStateCodeAssociated {
				blocks = append(blocks, str(b.Ipv6CidrBlock))
			}
		}
		for _, b := range blocks {
			if b == "" {
				continue
			}
			p, err := netip.ParsePrefix(b)
			if err != nil {
				return fmt.Errorf("%s: subnet %s: CIDR %q: %w", a.Source, sn.ID, b, err)
			}
			sn.CIDRs = append(sn.CIDRs, p)
		}
		a.Subnets = append(a.Subnets, sn)
	}
	slices.SortFunc(a.Subnets, func(x, y Subnet) int { return cmp.Compare(x.ID, y.ID) })
	for _, n := range acls {
		acl := NetworkACL{ID: str(n.NetworkAclId), VpcID: str(n.VpcId), IsDefault: n.IsDefault != nil && *n.IsDefault}
		for _, as := range n.Associations {
			acl.Subnets = append(acl.Subnets, str(as.SubnetId))
		}
		slices.Sort(acl.Subnets)
		for _, e := range n.Entries {
			entry, err := fromEntry(e)
			if err != nil {
				return fmt.Errorf("%s: network ACL %s: %w", a.Source, acl.ID, err)
			}
			acl.Entries = append(acl.Entries, entry)
		}
		slices.SortFunc(acl.Entries, func(x, y ACLEntry) int {
			if x.Egress != y.Egress { // ingress first
				if y.Egress {
					return -1
				}
				return 1
			}
			return cmp.Compare(x.RuleNumber, y.RuleNumber)
		})
		a.NetworkACLs = append(a.NetworkACLs, acl)
	}
	slices.SortFunc(a.NetworkACLs, func(x, y NetworkACL) int { return cmp.Compare(x.ID, y.ID) })
	for _, n := range enis {
		in := iface(n)
		for _, g := range n.Groups {
			in.Groups = append(in.Groups, str(g.GroupId))
		}
		slices.Sort(in.Groups)
		a.Interfaces = append(a.Interfaces, in)
	}
	slices.SortFunc(a.Interfaces, func(x, y Interface) int { return cmp.Compare(x.ID, y.ID) })
	return nil
}

// fromEntry reads one describe-network-acls entry. Its protocol is a number
// ("6", "-1"), as EC2 returns it.
func fromEntry(e types.NetworkAclEntry) (ACLEntry, error) {
	num := 0
	if e.RuleNumber != nil {
		num = int(*e.RuleNumber)
	}
	out := ACLEntry{RuleNumber: num, Egress: e.Egress != nil && *e.Egress, Allow: e.RuleAction == types.RuleActionAllow}
	where := fmt.Sprintf("entry %d", num)
	if e.RuleAction != types.RuleActionAllow && e.RuleAction != types.RuleActionDeny {
		return ACLEntry{}, fmt.Errorf("%s: RuleAction %q is neither allow nor deny", where, e.RuleAction)
	}
	proto, err := ports.ParseProtocol(str(e.Protocol))
	if err != nil || str(e.Protocol) == "" {
		return ACLEntry{}, fmt.Errorf("%s: Protocol %q is neither a protocol name nor a number 0-255", where, str(e.Protocol))
	}
	out.Traffic.Protocol = proto
	switch {
	case ports.HasPorts(proto) && e.PortRange != nil && e.PortRange.From != nil && e.PortRange.To != nil:
		out.Traffic.From, out.Traffic.To = int(*e.PortRange.From), int(*e.PortRange.To)
	case ports.HasPorts(proto):
		out.Traffic.From, out.Traffic.To = 0, 65535
	case ports.IsICMP(proto):
		out.Traffic.From, out.Traffic.To = -1, -1
		if c := e.IcmpTypeCode; c != nil && c.Type != nil {
			out.Traffic.From = int(*c.Type)
			if c.Code != nil {
				out.Traffic.To = int(*c.Code)
			}
		}
	}
	block := cmp.Or(str(e.CidrBlock), str(e.Ipv6CidrBlock))
	if out.CIDR, err = netip.ParsePrefix(block); err != nil {
		return ACLEntry{}, fmt.Errorf("%s: CidrBlock/Ipv6CidrBlock %q: %w", where, block, err)
	}
	return out, nil
}
