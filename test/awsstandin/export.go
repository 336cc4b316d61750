package awsstandin

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// The describe JSON shapes, as the AWS CLI prints them (keys as in the EC2
// API; absent values left out).
type (
	describeGroups struct {
		SecurityGroups     []describeGroup     `json:"SecurityGroups"`
		SecurityGroupRules []describeRule      `json:"SecurityGroupRules"`
		NetworkInterfaces  []describeInterface `json:"NetworkInterfaces,omitempty"`
	}
	describeGroup struct {
		GroupID             string               `json:"GroupId"`
		GroupName           string               `json:"GroupName"`
		Description         string               `json:"Description"`
		VpcID               string               `json:"VpcId"`
		OwnerID             string               `json:"OwnerId"`
		Tags                []describeTag        `json:"Tags,omitempty"`
		IPPermissions       []describePermission `json:"IpPermissions"`
		IPPermissionsEgress []describePermission `json:"IpPermissionsEgress"`
	}
	describeTag        struct{ Key, Value string }
	describePermission struct {
		IPProtocol       string              `json:"IpProtocol"`
		FromPort         *int                `json:"FromPort,omitempty"`
		ToPort           *int                `json:"ToPort,omitempty"`
		IPRanges         []describeRange     `json:"IpRanges"`
		IPv6Ranges       []describeRange     `json:"Ipv6Ranges"`
		PrefixListIDs    []describeRange     `json:"PrefixListIds"`
		UserIDGroupPairs []describeGroupPair `json:"UserIdGroupPairs"`
	}
	// describeRange is an IpRange, Ipv6Range or PrefixListId: one of the
	// three keys set.
	describeRange struct {
		CidrIP       string `json:"CidrIp,omitempty"`
		CidrIpv6     string `json:"CidrIpv6,omitempty"`
		PrefixListID string `json:"PrefixListId,omitempty"`
		Description  string `json:"Description,omitempty"`
	}
	describeGroupPair struct {
		GroupID     string `json:"GroupId"`
		UserID      string `json:"UserId"`
		Description string `json:"Description,omitempty"`
	}
	describeRule struct {
		SecurityGroupRuleID string             `json:"SecurityGroupRuleId"`
		GroupID             string             `json:"GroupId"`
		GroupOwnerID        string             `json:"GroupOwnerId"`
		IsEgress            bool               `json:"IsEgress"`
		IPProtocol          string             `json:"IpProtocol"`
		FromPort            int                `json:"FromPort"`
		ToPort              int                `json:"ToPort"`
		CidrIpv4            string             `json:"CidrIpv4,omitempty"`
		CidrIpv6            string             `json:"CidrIpv6,omitempty"`
		PrefixListID        string             `json:"PrefixListId,omitempty"`
		ReferencedGroupInfo *describeGroupPair `json:"ReferencedGroupInfo,omitempty"`
		Description         string             `json:"Description,omitempty"`
	}
	describeInterface struct {
		NetworkInterfaceID string             `json:"NetworkInterfaceId"`
		Groups             []describeGroupRef `json:"Groups"`
	}
	describeGroupRef struct {
		GroupID string `json:"GroupId"`
	}
)

// Export writes the account at path to out as EC2 would describe it: the
// output of `aws ec2 describe-security-groups`, `describe-security-group-rules`
// and `describe-network-interfaces` merged into one object, the form
// provider/pkg/ec2read reads. Only this account's groups are listed (another
// account's group appears only where a rule references it, as a
// UserIdGroupPair with its UserId); each EC2 permission holds every source
// authorized for its protocol and ports, as EC2 merges them.
func Export(path, out string) error {
	a, err := Read(path)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(a.describe(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(data, '\n'), 0o644)
}

func (a *Account) describe() describeGroups {
	out := describeGroups{SecurityGroups: []describeGroup{}, SecurityGroupRules: []describeRule{}}
	for _, id := range sortedKeys(a.Groups) {
		g := a.Groups[id]
		if g.OwnerID != "" && g.OwnerID != AccountID {
			continue
		}
		dg := describeGroup{GroupID: g.ID, GroupName: g.Name, Description: g.Description, VpcID: g.VpcID, OwnerID: AccountID,
			IPPermissions: []describePermission{}, IPPermissionsEgress: []describePermission{}}
		for _, k := range sortedKeys(g.Tags) {
			dg.Tags = append(dg.Tags, describeTag{Key: k, Value: g.Tags[k]})
		}
		perms := map[[4]string]*describePermission{}
		for _, rid := range sortedKeys(a.Rules) {
			r := a.Rules[rid]
			if r.GroupID != g.ID {
				continue
			}
			key := [4]string{r.Type, r.Protocol, fmt.Sprint(r.FromPort), fmt.Sprint(r.ToPort)}
			p := perms[key]
			if p == nil {
				p = &describePermission{IPProtocol: r.Protocol}
				if slices.Contains([]string{"tcp", "udp", "icmp", "icmpv6"}, r.Protocol) { // EC2 prints ports for these alone
					from, to := r.FromPort, r.ToPort
					p.FromPort, p.ToPort = &from, &to
				}
				perms[key] = p
			}
			for _, peer := range r.Peers {
				out.SecurityGroupRules = append(out.SecurityGroupRules, a.describeSource(g, r, peer, p))
			}
		}
		for _, key := range slices.SortedFunc(maps.Keys(perms), func(x, y [4]string) int { return slices.Compare(x[:], y[:]) }) {
			if key[0] == "ingress" {
				dg.IPPermissions = append(dg.IPPermissions, *perms[key])
			} else {
				dg.IPPermissionsEgress = append(dg.IPPermissionsEgress, *perms[key])
			}
		}
		out.SecurityGroups = append(out.SecurityGroups, dg)
	}
	for _, eni := range sortedKeys(a.Attachments) {
		in := describeInterface{NetworkInterfaceID: eni}
		for _, g := range a.Attachments[eni] {
			in.Groups = append(in.Groups, describeGroupRef{g})
		}
		out.NetworkInterfaces = append(out.NetworkInterfaces, in)
	}
	slices.SortFunc(out.SecurityGroupRules, func(x, y describeRule) int {
		return cmp.Compare(x.SecurityGroupRuleID, y.SecurityGroupRuleID)
	})
	return out
}

// describeSource adds one source of r to its permission p and returns the
// EC2 rule (describe-security-group-rules) it is.
func (a *Account) describeSource(g *Group, r *Rule, peer string, p *describePermission) describeRule {
	dr := describeRule{SecurityGroupRuleID: r.ec2RuleID(peer), GroupID: g.ID, GroupOwnerID: AccountID,
		IsEgress: r.Type == "egress", IPProtocol: r.Protocol, FromPort: -1, ToPort: -1, Description: r.Description}
	if p.FromPort != nil {
		dr.FromPort, dr.ToPort = *p.FromPort, *p.ToPort
	}
	kind, v, _ := strings.Cut(peer, ":")
	switch kind {
	case "cidr":
		p.IPRanges = append(p.IPRanges, describeRange{CidrIP: v, Description: r.Description})
		dr.CidrIpv4 = v
	case "ipv6":
		p.IPv6Ranges = append(p.IPv6Ranges, describeRange{CidrIpv6: v, Description: r.Description})
		dr.CidrIpv6 = v
	case "pl":
		p.PrefixListIDs = append(p.PrefixListIDs, describeRange{PrefixListID: v, Description: r.Description})
		dr.PrefixListID = v
	default:
		// EC2 names every referenced group's owner: this account's
		// unless the reference says otherwise.
		owner, gid, found := strings.Cut(v, "/")
		if !found {
			owner, gid = AccountID, v
		}
		pair := describeGroupPair{GroupID: gid, UserID: owner, Description: r.Description}
		p.UserIDGroupPairs = append(p.UserIDGroupPairs, pair)
		dr.ReferencedGroupInfo = &describeGroupPair{GroupID: gid, UserID: owner}
	}
	return dr
}
