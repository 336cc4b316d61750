package awsstandin

import (
	"cmp"
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
					ToPort: r.ToPort, Description: r.Description, Peers: []string{seedPeer(g, r.Peer)}, Self: r.Peer.GroupID == g.ID}
				if sr.ID == "" {
					sr.ID = newID("sgr-")
				}
				a.Rules[sr.ID] = sr
				if owner, id, foreign := strings.Cut(strings.TrimPrefix(sr.Peers[0], "sg:"), "/"); foreign && r.Peer.GroupID != "" && a.Groups[id] == nil {
					// Another account's group, known only by the reference.
					a.Groups[id] = &Group{ID: id, OwnerID: owner, VpcID: r.Peer.GroupVpc}
				}
			}
		}
		return nil
	})
}

// seedPeer is a describe JSON source in the stand-in's form; a group of
// another account than the rule's keeps its owner (UserId), as
// sourceSecurityGroupId writes it.
func seedPeer(g ec2read.Group, p ec2read.Peer) string {
	switch {
	case p.GroupID != "" && p.GroupOwner != "" && p.GroupOwner != cmp.Or(g.OwnerID, AccountID):
		return groupPeer(p.GroupOwner, p.GroupID)
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
