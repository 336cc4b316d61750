package awsstandin

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// groupPeer is a group reference in the stand-in's peer form: "sg:<id>", or
// "sg:<owner>/<id>" for a group of another account, as sourceSecurityGroupId
// writes it ([OwnerID/]SecurityGroupID).
func groupPeer(owner, id string) string {
	if owner == "" {
		return "sg:" + id
	}
	return "sg:" + owner + "/" + id
}

// peerKey is what EC2 compares two sources by: a group by its id alone
// (ids are unique across accounts; findRuleMatch compares GroupId only),
// anything else as written.
func peerKey(peer string) string {
	if v, ok := strings.CutPrefix(peer, "sg:"); ok {
		_, id, found := strings.Cut(v, "/")
		if found {
			return "sg:" + id
		}
	}
	return peer
}

// ruleData reads a rule resource's inputs or state as the real provider's
// schema holds them, for expandIPPermission.
func ruleData(m resource.PropertyMap) ImportedRule {
	r := ImportedRule{SecurityGroupID: str(m, "securityGroupId"), Type: str(m, "type"), Protocol: str(m, "protocol"),
		SourceSecurityGroupID: str(m, "sourceSecurityGroupId"), CIDRBlocks: strs(m, "cidrBlocks"),
		IPv6CIDRBlocks: strs(m, "ipv6CidrBlocks"), PrefixListIDs: strs(m, "prefixListIds")}
	if v := m["fromPort"]; v.IsNumber() {
		r.FromPort = int(v.NumberValue())
	}
	if v := m["toPort"]; v.IsNumber() {
		r.ToPort = int(v.NumberValue())
	}
	r.Self = m["self"].IsBool() && m["self"].BoolValue()
	return r
}

// permissionRules are the stand-in rules that make up the one EC2
// permission p would be compared with: EC2 keeps one permission per group,
// direction, protocol and port range, holding every source authorized for
// it; without ports (protocol -1) findRuleMatch compares the protocol alone.
func (a *Account) permissionRules(group, typ string, p permission) []*Rule {
	var out []*Rule
	for _, id := range sortedKeys(a.Rules) {
		r := a.Rules[id]
		if r.GroupID == group && r.Type == typ && r.Protocol == p.Protocol &&
			(!p.HasPorts || r.FromPort == p.FromPort && r.ToPort == p.ToPort) {
			out = append(out, r)
		}
	}
	return out
}

// findRuleMatch is the real findRuleMatch: the permission matches when it
// holds EVERY source of p — a subset of its sources, not the same set — and
// the description is the first one found among the matched sources.
func (a *Account) findRuleMatch(group, typ string, p permission) (ok bool, description string) {
	rules := a.permissionRules(group, typ, p)
	if len(rules) == 0 {
		return false, ""
	}
	held := map[string]string{}
	for _, r := range rules {
		for _, peer := range r.Peers {
			held[peerKey(peer)] = r.Description
		}
	}
	for _, peer := range p.peers() {
		d, ok := held[peerKey(peer)]
		if !ok {
			return false, ""
		}
		if description == "" {
			description = d
		}
	}
	return true, description
}

// findSecurityGroupRuleMatch is the real one: EC2's sgr- id of the single
// EC2 rule p names, or "" when p has more than one source.
func (a *Account) findSecurityGroupRuleMatch(group, typ string, p permission) string {
	peers := p.peers()
	if len(peers) != 1 {
		return ""
	}
	for _, r := range a.permissionRules(group, typ, p) {
		for _, peer := range r.Peers {
			if peerKey(peer) == peerKey(peers[0]) {
				return r.ec2RuleID(peer)
			}
		}
	}
	return ""
}

// ec2RuleID is EC2's sgr- id of one source of r: EC2 makes one rule per
// source. A rule the stand-in created with one source has the id it
// reported; a seeded rule is keyed by its sgr- id; the sources of a
// multi-source create get ids derived from the rule and the source, stable
// across reads.
func (r *Rule) ec2RuleID(peer string) string {
	switch {
	case len(r.Peers) == 1 && r.SGRID != "":
		return r.SGRID
	case len(r.Peers) == 1 && strings.HasPrefix(r.ID, "sgr-"):
		return r.ID
	}
	sum := sha256.Sum256([]byte(r.ID + " " + peerKey(peer)))
	return "sgr-" + hex.EncodeToString(sum[:])[:17]
}

// revoke is RevokeSecurityGroupIngress/Egress of p: each of its sources that
// EC2 holds goes; one it does not hold is skipped (the provider treats
// InvalidPermission.NotFound as done). A stand-in rule left without sources
// is gone.
func (a *Account) revoke(group, typ string, p permission) {
	gone := map[string]bool{}
	for _, peer := range p.peers() {
		gone[peerKey(peer)] = true
	}
	for _, r := range a.permissionRules(group, typ, p) {
		r.Peers = slices.DeleteFunc(r.Peers, func(peer string) bool { return gone[peerKey(peer)] })
		if len(r.Peers) == 0 {
			delete(a.Rules, r.ID)
		}
	}
}

// importedState is what resourceSecurityGroupRuleRead leaves after an
// import: flattenIpPermission of the permission the id described (not of
// the EC2 permission it matched, which may hold more sources), the
// description found, and the id rewritten by securityGroupRuleCreateID.
func importedState(r ImportedRule, p permission, description string) resource.PropertyMap {
	m := resource.PropertyMap{
		"type":            resource.NewStringProperty(r.Type),
		"securityGroupId": resource.NewStringProperty(r.SecurityGroupID),
		"protocol":        resource.NewStringProperty(p.Protocol),
		"fromPort":        resource.NewNumberProperty(float64(p.FromPort)), // 0 without ports, as flattening nil gives
		"toPort":          resource.NewNumberProperty(float64(p.ToPort)),
	}
	list := func(k resource.PropertyKey, vals []string) {
		if len(vals) > 0 {
			m[k] = resource.NewPropertyValue(vals)
		}
	}
	list("cidrBlocks", p.CIDRs)
	list("ipv6CidrBlocks", p.IPv6s)
	list("prefixListIds", p.PrefixLists)
	if r.Self {
		m["self"] = resource.NewBoolProperty(true)
	}
	if r.SourceSecurityGroupID != "" && len(p.Pairs) > 0 {
		// flattenIpPermission keeps the owner only when the old value had one.
		v := p.Pairs[0]
		src := v.GroupID
		if strings.Contains(r.SourceSecurityGroupID, "/") && v.UserID != "" {
			src = v.UserID + "/" + v.GroupID
		}
		m["sourceSecurityGroupId"] = resource.NewStringProperty(src)
	}
	if description != "" {
		m["description"] = resource.NewStringProperty(description)
	}
	return m
}

// permission is the EC2 permission r authorized, for its provider id.
func (r *Rule) permission() permission {
	p := permission{Protocol: r.Protocol, HasPorts: r.Protocol != "-1", FromPort: r.FromPort, ToPort: r.ToPort}
	for _, peer := range r.Peers {
		kind, v, _ := strings.Cut(peer, ":")
		switch kind {
		case "cidr":
			p.CIDRs = append(p.CIDRs, v)
		case "ipv6":
			p.IPv6s = append(p.IPv6s, v)
		case "pl":
			p.PrefixLists = append(p.PrefixLists, v)
		default:
			owner, id, found := strings.Cut(v, "/")
			if !found {
				owner, id = "", v
			}
			p.Pairs = append(p.Pairs, groupPair{UserID: owner, GroupID: id})
		}
	}
	return p
}
