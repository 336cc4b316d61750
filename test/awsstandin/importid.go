package awsstandin

import (
	"fmt"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"
)

// This file ports, from terraform-provider-aws v5
// (internal/service/ec2/vpc_security_group_rule.go, the aws-sdk-go-v2
// version pulumi-aws 6.x builds on), what an aws.ec2.SecurityGroupRule
// import does: resourceSecurityGroupRuleImport parses the id into the
// resource's inputs, expandIPPermission turns them into one EC2 permission,
// findRuleMatch looks for it in the group, and resourceSecurityGroupRuleRead
// rewrites the id with securityGroupRuleCreateID. It is written from that
// code, not from this repository's model, so tests can hold the component's
// import ids against the real grammar.

// securityGroupProtocolIntegers are the protocol names the importer accepts
// besides numbers (securityGroupProtocolIntegers in the real package).
var securityGroupProtocolIntegers = map[string]int{"icmpv6": 58, "udp": 17, "tcp": 6, "icmp": 1, "all": -1}

// protocolForValue is the real protocolForValue: lower case, "all" and "-1"
// as "-1", the number of a named protocol as its name, anything else as given.
func protocolForValue(v string) string {
	protocol := strings.ToLower(v)
	if protocol == "-1" || protocol == "all" {
		return "-1"
	}
	if _, ok := securityGroupProtocolIntegers[protocol]; ok {
		return protocol
	}
	p, err := strconv.Atoi(protocol)
	if err != nil {
		return protocol
	}
	for k, n := range securityGroupProtocolIntegers {
		if p == n {
			return k
		}
	}
	return protocol
}

// ImportedRule is the resource data resourceSecurityGroupRuleImport sets
// from an import id, before Read looks at EC2.
type ImportedRule struct {
	SecurityGroupID string
	Type            string
	// Protocol is protocolForValue's: tcp, udp, icmp, icmpv6, -1 or a number.
	Protocol         string
	FromPort, ToPort int
	Self             bool
	// SourceSecurityGroupID is [OwnerID/]SecurityGroupID: any source holding
	// "sg-"; when several do, the last wins (each d.Set overwrites).
	SourceSecurityGroupID                     string
	CIDRBlocks, IPv6CIDRBlocks, PrefixListIDs []string
}

// ParseImportID is resourceSecurityGroupRuleImport: the id's grammar
// SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*, checked in
// the real order and refused with the real messages. Like the real importer
// it checks sources only loosely (a CIDR is anything with "." or ":"); Read
// then finds whether EC2 has them.
func ParseImportID(id string) (ImportedRule, error) {
	invalidIDError := func(msg string) error {
		return fmt.Errorf("unexpected format for ID (%q), expected SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*: %s", id, msg)
	}
	parts := strings.Split(id, "_")
	if len(parts) < 6 {
		return ImportedRule{}, invalidIDError("too few parts")
	}
	securityGroupID, ruleType, protocol, fromPort, toPort, sources := parts[0], parts[1], parts[2], parts[3], parts[4], parts[5:]
	if !strings.HasPrefix(securityGroupID, "sg-") {
		return ImportedRule{}, invalidIDError("invalid Security Group ID")
	}
	if ruleType != "ingress" && ruleType != "egress" {
		return ImportedRule{}, invalidIDError("expecting 'ingress' or 'egress'")
	}
	if _, ok := securityGroupProtocolIntegers[protocol]; !ok {
		if _, err := strconv.Atoi(protocol); err != nil {
			return ImportedRule{}, invalidIDError("protocol must be tcp/udp/icmp/icmpv6/all or a number")
		}
	}
	protocolName := protocolForValue(protocol)
	if protocolName == "icmp" || protocolName == "icmpv6" {
		if v, err := strconv.Atoi(fromPort); err != nil || v < -1 || v > 255 {
			return ImportedRule{}, invalidIDError("invalid icmp type")
		} else if v, err := strconv.Atoi(toPort); err != nil || v < -1 || v > 255 {
			return ImportedRule{}, invalidIDError("invalid icmp code")
		}
	} else {
		if p1, err := strconv.Atoi(fromPort); err != nil {
			return ImportedRule{}, invalidIDError("invalid from_port")
		} else if p2, err := strconv.Atoi(toPort); err != nil {
			return ImportedRule{}, invalidIDError("invalid to_port")
		} else if p2 < p1 {
			return ImportedRule{}, invalidIDError("to_port lower than from_port")
		}
	}
	for _, v := range sources {
		if v != "self" && !strings.Contains(v, "sg-") && !strings.Contains(v, "pl-") && !strings.Contains(v, ":") && !strings.Contains(v, ".") {
			return ImportedRule{}, invalidIDError("source must be cidr, ipv6cidr, prefix list, 'self', or a Security Group ID")
		}
	}
	out := ImportedRule{SecurityGroupID: securityGroupID, Type: ruleType, Protocol: protocolName}
	out.FromPort, _ = strconv.Atoi(fromPort)
	out.ToPort, _ = strconv.Atoi(toPort)
	for _, v := range sources {
		switch {
		case v == "self":
			out.Self = true
		case strings.Contains(v, "sg-"):
			out.SourceSecurityGroupID = v
		case strings.Contains(v, ":"):
			out.IPv6CIDRBlocks = append(out.IPv6CIDRBlocks, v)
		case strings.Contains(v, "pl-"):
			out.PrefixListIDs = append(out.PrefixListIDs, v)
		default:
			out.CIDRBlocks = append(out.CIDRBlocks, v)
		}
	}
	return out, nil
}

// permission is one EC2 IpPermission as expandIPPermission builds it from a
// rule resource's inputs: no ports for protocol -1, then the sources by kind.
type permission struct {
	Protocol         string
	HasPorts         bool
	FromPort, ToPort int
	CIDRs, IPv6s     []string
	PrefixLists      []string
	Pairs            []groupPair
}

// groupPair is a UserIdGroupPair: a group id and, for a cross-account
// reference written OwnerID/sg-…, its owner.
type groupPair struct{ UserID, GroupID string }

// expandIPPermission is the real expandIPPermission for a VPC group whose id
// is group: self first, then a source group unless it is the group itself.
func expandIPPermission(group string, r ImportedRule) permission {
	p := permission{Protocol: protocolForValue(r.Protocol), CIDRs: r.CIDRBlocks, IPv6s: r.IPv6CIDRBlocks, PrefixLists: r.PrefixListIDs}
	if p.Protocol != "-1" {
		p.HasPorts, p.FromPort, p.ToPort = true, r.FromPort, r.ToPort
	}
	if r.Self {
		p.Pairs = append(p.Pairs, groupPair{GroupID: group})
	}
	if v := r.SourceSecurityGroupID; v != "" && !(r.Self && v == group) {
		if owner, id, ok := strings.Cut(v, "/"); ok {
			p.Pairs = append(p.Pairs, groupPair{UserID: owner, GroupID: id})
		} else {
			p.Pairs = append(p.Pairs, groupPair{GroupID: v})
		}
	}
	return p
}

// createID is securityGroupRuleCreateID: "sgrule-" and the CRC-32
// (create.StringHashcode) of the group, the ports when above 0, protocol,
// type and the sorted sources — a group pair by its id, never its owner.
func (p permission) createID(group, ruleType string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s-", group)
	if p.HasPorts && p.FromPort > 0 {
		fmt.Fprintf(&b, "%d-", p.FromPort)
	}
	if p.HasPorts && p.ToPort > 0 {
		fmt.Fprintf(&b, "%d-", p.ToPort)
	}
	fmt.Fprintf(&b, "%s-%s-", p.Protocol, ruleType)
	for _, list := range [][]string{p.CIDRs, p.IPv6s, p.PrefixLists} {
		for _, v := range slices.Sorted(slices.Values(list)) {
			fmt.Fprintf(&b, "%s-", v)
		}
	}
	pairs := slices.Clone(p.Pairs)
	slices.SortFunc(pairs, func(x, y groupPair) int { return strings.Compare(x.GroupID, y.GroupID) })
	for _, g := range pairs {
		fmt.Fprintf(&b, "%s--", g.GroupID) // GroupName is nil in a VPC: "-"
	}
	return fmt.Sprintf("sgrule-%d", crc32.ChecksumIEEE([]byte(b.String())))
}

// peers are the permission's sources in the stand-in's peer form.
func (p permission) peers() []string {
	var out []string
	for _, c := range p.CIDRs {
		out = append(out, "cidr:"+c)
	}
	for _, c := range p.IPv6s {
		out = append(out, "ipv6:"+c)
	}
	for _, pl := range p.PrefixLists {
		out = append(out, "pl:"+pl)
	}
	for _, g := range p.Pairs {
		out = append(out, groupPeer(g.UserID, g.GroupID))
	}
	return out
}
