package awsstandin

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
)

// Seed fills the account at path with the groups and rules of describe
// JSON files (aws ec2 describe-security-groups, optionally with
// describe-security-group-rules for rule ids), as a brownfield VPC that
// existed before any stack: one stand-in rule per EC2 rule and peer.
func Seed(path string, files ...string) error {
	src, err := ec2read.ReadFiles(files...)
	if err != nil {
		return err
	}
	return withAccount(path, true, func(a *Account) error {
		for _, g := range src.Groups {
			if _, ok := a.Groups[g.ID]; ok {
				return ec2Error("InvalidGroup.Duplicate", "the account already holds %s", g.ID)
			}
			a.Groups[g.ID] = &Group{ID: g.ID, Name: g.Name, VpcID: g.VpcID, Description: g.Description, Tags: g.Tags}
			for _, r := range g.Rules {
				sr := &Rule{ID: r.ID, GroupID: g.ID, Type: r.Direction, Protocol: r.Protocol, FromPort: r.FromPort,
					ToPort: r.ToPort, Description: r.Description, Peers: []string{seedPeer(r.Peer)}, Self: r.Peer.GroupID == g.ID}
				if sr.ID == "" {
					sr.ID = newID("sgr-")
				}
				a.Rules[sr.ID] = sr
			}
		}
		return nil
	})
}

func seedPeer(p ec2read.Peer) string {
	switch {
	case p.GroupID != "":
		return "sg:" + p.GroupID
	case p.PrefixList != "":
		return "pl:" + p.PrefixList
	case strings.Contains(p.CIDR, ":"):
		return "ipv6:" + p.CIDR
	default:
		return "cidr:" + p.CIDR
	}
}

// importedRule finds the rule an import id names, parsed as pulumi-aws's
// aws_security_group_rule importer parses it:
// SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*, sources
// being CIDRs, IPv6 CIDRs, prefix lists, "self" or a group id. A malformed
// id is an error, as there; a well-formed one that matches no rule finds
// nothing (the engine then reports that the resource does not exist).
func (a *Account) importedRule(id string) (*Rule, error) {
	bad := func(msg string) error {
		return fmt.Errorf("unexpected format for ID (%q), expected SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*: %s", id, msg)
	}
	parts := strings.Split(id, "_")
	if len(parts) < 6 {
		return nil, bad("too few parts")
	}
	group, typ, proto := parts[0], parts[1], normalProtocol(parts[2])
	switch {
	case !strings.HasPrefix(group, "sg-"):
		return nil, bad("invalid Security Group ID")
	case typ != "ingress" && typ != "egress":
		return nil, bad("expecting 'ingress' or 'egress'")
	}
	if _, err := strconv.Atoi(proto); err != nil && !slices.Contains([]string{"tcp", "udp", "icmp", "icmpv6"}, proto) {
		return nil, bad("protocol must be tcp/udp/icmp/icmpv6/all or a number")
	}
	from, err1 := strconv.Atoi(parts[3])
	to, err2 := strconv.Atoi(parts[4])
	if err1 != nil || err2 != nil {
		return nil, bad("invalid from_port or to_port")
	}
	var peers []string
	for _, s := range parts[5:] {
		switch {
		case s == "self":
			peers = append(peers, "sg:"+group)
		case strings.HasPrefix(s, "sg-"):
			peers = append(peers, "sg:"+s)
		case strings.HasPrefix(s, "pl-"):
			peers = append(peers, "pl:"+s)
		case strings.Contains(s, ":"):
			peers = append(peers, "ipv6:"+s)
		case strings.Contains(s, "."):
			peers = append(peers, "cidr:"+s)
		default:
			return nil, bad("source must be cidr, ipv6cidr, prefix list, 'self', or a Security Group ID")
		}
	}
	for _, r := range a.Rules {
		if r.GroupID == group && r.Type == typ && r.Protocol == proto && r.FromPort == from && r.ToPort == to && sameSet(r.Peers, peers) {
			return r, nil
		}
	}
	return nil, nil
}

// sameSet reports whether a and b hold the same peers, in any order.
func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(v string) bool { return !slices.Contains(b, v) })
}
