// Package resources is the one model of what a mesh emits: the aws.ec2
// children a ServiceMesh registers for a plan, each with its type, its
// logical name, its inputs in the AWS provider's own names, and which of
// them force a replacement. The component registers exactly this list;
// plandiff compares two such lists; the stand-in AWS provider's replace
// rules are checked against it. It imports nothing from Pulumi.
package resources

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// Resource types, as in the URNs.
const (
	GroupType = "aws:ec2/securityGroup:SecurityGroup"
	RuleType  = "aws:ec2/securityGroupRule:SecurityGroupRule"
)

// ReplaceOn lists the inputs whose change replaces a resource of each type:
// ForceNew in terraform-provider-aws v5 (vpc_security_group.go,
// vpc_security_group_rule.go). Every other input updates in place.
var ReplaceOn = map[string][]string{
	GroupType: {"name", "namePrefix", "description", "vpcId"},
	RuleType: {"type", "securityGroupId", "protocol", "fromPort", "toPort", rule.FieldCidrBlocks,
		rule.FieldIpv6CidrBlocks, rule.FieldPrefixListIDs, rule.FieldSourceSecurityGroupID, rule.FieldSelf},
}

// Replaces reports whether a change to the input field of a resource of type
// typ replaces it. A tag (tags.KEY) never does.
func Replaces(typ, field string) bool { return slices.Contains(ReplaceOn[typ], field) }

// Resource is one child of the component.
type Resource struct {
	Type string
	// Name is the logical name: <mesh>-<service> for a group,
	// <mesh>-<rule.Name> for a rule. It is the last segment of the URN.
	Name string
	// About says what it is, for a reader: "group MySQL (tier data)",
	// "rule: MySQL ingress tcp/3306 from group CustomerManagement-API".
	About string
	// Service is the group's service, or the service whose group holds the rule.
	Service string
	// Exactly one of Group, Rule, ACL and ACLRule is set.
	Group   *GroupInputs
	Rule    *RuleInputs
	ACL     *ACLInputs
	ACLRule *ACLRuleInputs
	// ImportID is set when the resource exists already (an adopted group and
	// the rules adopt.rules lists): the AWS provider's import id.
	ImportID string
}

// GroupInputs are an aws.ec2.SecurityGroup's inputs. Its vpcId is not here:
// the component passes its own input, and Fields takes it as known offline.
type GroupInputs struct {
	Name        string
	Description string
	Tags        map[string]string
	// RevokeRulesOnDelete lets groups that reference each other be destroyed
	// (the mesh's revokeRulesOnDelete, on by default).
	RevokeRulesOnDelete bool
}

// RuleInputs are an aws.ec2.SecurityGroupRule's inputs. SecurityGroup and
// SourceSecurityGroup name groups of the mesh by their logical name: their
// ids exist only at run time. SourceExternalGroup instead names a group made
// outside the mesh by its declared name; the component passes that group's
// id input, and SourceExternalGroupID is the id when known offline.
type RuleInputs struct {
	Type                string
	SecurityGroup       string
	Protocol            string
	FromPort, ToPort    int
	Description         string
	Self                bool
	SourceSecurityGroup string
	SourceExternalGroup string
	// SourceExternalGroupID is "" when the declaration does not give it.
	SourceExternalGroupID string
	// CidrBlocksFrom names the tier's or network's cidrBlocksFrom list
	// (spec.ListID) the rule carries: the component passes that input, split
	// by family into cidrBlocks and ipv6CidrBlocks, which hold the values
	// when known offline.
	CidrBlocksFrom string
	CidrBlocks     []string
	Ipv6CidrBlocks []string
	PrefixListIDs  []string
}

// Of lists the children of a plan for a ServiceMesh named mesh: the groups,
// sorted by name, then the rules, sorted by name, so every rule follows the
// groups it references; then the network ACLs, each before its rules.
func Of(mesh string, p *plan.Plan) []Resource {
	groupName := func(service string) string { return mesh + "-" + service }
	out := make([]Resource, 0, len(p.Groups)+len(p.Rules))
	adopted := map[string]rule.Group{}
	for _, g := range p.Groups {
		out = append(out, Resource{
			Type: GroupType, Name: groupName(g.Service), Service: g.Service,
			About:    fmt.Sprintf("group %s (tier %s)", g.Service, g.Tier),
			Group:    &GroupInputs{Name: g.Name, Description: g.Description, Tags: g.Tags, RevokeRulesOnDelete: !g.KeepRulesOnDelete},
			ImportID: g.AdoptID,
		})
		if g.AdoptID != "" {
			adopted[g.Service] = g
		}
	}
	names := cidrNames(p.Flows)
	externalIDs := map[string]string{}
	for _, e := range p.ExternalGroups {
		externalIDs[e.Name] = e.SecurityGroupID
	}
	rules := make([]Resource, 0, len(p.Rules))
	for _, r := range p.Rules {
		peer := r.PeerOf()
		from, to := r.Ports.EC2()
		in := &RuleInputs{Type: string(r.Direction), SecurityGroup: groupName(r.Service), Protocol: r.Ports.Protocol,
			FromPort: from, ToPort: to, Description: r.Description}
		switch peer.EC2Field() {
		case rule.FieldSelf:
			in.Self = true
		case rule.FieldCidrBlocks:
			if peer.Kind == flow.CIDRList {
				in.CidrBlocksFrom = peer.Via
				in.CidrBlocks, in.Ipv6CidrBlocks = SplitFamilies(p.Lists[peer.Via])
			} else {
				in.CidrBlocks = []string{peer.CIDR}
			}
		case rule.FieldSourceSecurityGroupID:
			if peer.Kind == flow.External {
				in.SourceExternalGroup, in.SourceExternalGroupID = peer.Service, externalIDs[peer.Service]
			} else {
				in.SourceSecurityGroup = groupName(peer.Service)
			}
		case rule.FieldPrefixListIDs:
			in.PrefixListIDs = []string{peer.PrefixList}
		case rule.FieldIpv6CidrBlocks:
			in.Ipv6CidrBlocks = []string{peer.CIDR}
		}
		dir := "from"
		if r.Direction == rule.Egress {
			dir = "to"
		}
		rules = append(rules, Resource{
			Type: RuleType, Name: mesh + "-" + rule.Name(r), Service: r.Service, Rule: in,
			About:    fmt.Sprintf("rule: %s %s %s %s %s", r.Service, r.Direction, r.Ports, dir, peer.Text(names[peer.CIDR])),
			ImportID: ruleImportID(r, in, adopted),
		})
	}
	slices.SortFunc(rules, func(a, b Resource) int { return cmp.Compare(a.Name, b.Name) })
	return slices.Concat(out, rules, networkACLs(mesh, p))
}

// SplitFamilies splits CIDRs into IPv4 and IPv6, in order: one EC2 rule
// carries a cidrBlocksFrom list in both fields.
func SplitFamilies(cidrs []string) (v4, v6 []string) {
	for _, c := range cidrs {
		if flow.IsIPv6(c) {
			v6 = append(v6, c)
		} else {
			v4 = append(v4, c)
		}
	}
	return v4, v6
}

// cidrNames maps each CIDR to the names the declaration reaches it by, sorted.
func cidrNames(flows []flow.Flow) map[string][]string {
	out := map[string][]string{}
	for _, f := range flows {
		for _, e := range []flow.Endpoint{f.From, f.To} {
			if e.Kind == flow.CIDR && e.Via != "" && !slices.Contains(out[e.CIDR], e.Via) {
				out[e.CIDR] = append(out[e.CIDR], e.Via)
			}
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// Field is one input as a diff sees it: its value as text, and whether the
// value is the logical name of a group of the mesh (whose id it holds).
type Field struct {
	Value string
	Ref   bool
}

// Fields are the resource's inputs by the AWS provider's names, one per tag
// (tags.KEY), as text. vpc is the groups' VPC when known offline, else "".
func (r Resource) Fields(vpc string) map[string]Field {
	if r.ACL != nil || r.ACLRule != nil {
		return r.aclFields(vpc)
	}
	if g := r.Group; g != nil {
		out := map[string]Field{"name": {Value: g.Name}, "description": {Value: g.Description}, "vpcId": {Value: vpc},
			"revokeRulesOnDelete": {Value: fmt.Sprint(g.RevokeRulesOnDelete)}}
		for k, v := range g.Tags {
			out["tags."+k] = Field{Value: v}
		}
		return out
	}
	in := r.Rule
	out := map[string]Field{
		"type":            {Value: in.Type},
		"securityGroupId": {Value: in.SecurityGroup, Ref: true},
		"protocol":        {Value: in.Protocol},
		"fromPort":        {Value: fmt.Sprint(in.FromPort)},
		"toPort":          {Value: fmt.Sprint(in.ToPort)},
		"description":     {Value: in.Description},
	}
	switch {
	case in.Self:
		out[rule.FieldSelf] = Field{Value: "true"}
	case in.SourceSecurityGroup != "":
		out[rule.FieldSourceSecurityGroupID] = Field{Value: in.SourceSecurityGroup, Ref: true}
	case in.SourceExternalGroup != "":
		out[rule.FieldSourceSecurityGroupID] = Field{Value: cmp.Or(in.SourceExternalGroupID, "id of external group "+in.SourceExternalGroup)}
	case in.CidrBlocksFrom != "" && len(in.CidrBlocks)+len(in.Ipv6CidrBlocks) == 0:
		out[rule.FieldCidrBlocks] = Field{Value: "cidrBlocksFrom of " + in.CidrBlocksFrom}
	}
	for field, list := range map[string][]string{rule.FieldCidrBlocks: in.CidrBlocks,
		rule.FieldIpv6CidrBlocks: in.Ipv6CidrBlocks, rule.FieldPrefixListIDs: in.PrefixListIDs} {
		if len(list) > 0 {
			out[field] = Field{Value: strings.Join(list, ",")}
		}
	}
	return out
}

// ByName indexes resources by logical name.
func ByName(list []Resource) map[string]Resource {
	out := make(map[string]Resource, len(list))
	for _, r := range list {
		out[r.Name] = r
	}
	return out
}

// ruleImportID is the import id of a rule adopt.rules lists, or "" when
// the rule is to be created: its group is not adopted, adopt.rules does not
// list it, or its peer group is new (plan reports that).
func ruleImportID(r rule.Rule, in *RuleInputs, adopted map[string]rule.Group) string {
	g, ok := adopted[r.Service]
	if !ok || !slices.Contains(g.AdoptRules, r.Key) {
		return ""
	}
	ids := map[string]string{in.SecurityGroup: g.AdoptID}
	if in.SourceSecurityGroup != "" {
		peer, ok := adopted[r.Peer.Service]
		if !ok {
			return ""
		}
		ids[in.SourceSecurityGroup] = peer.AdoptID
	}
	return RuleImportID(in, ids)
}

// RuleImportID is pulumi-aws's import id of a rule, the format of its
// aws_security_group_rule importer: SGID_TYPE_PROTOCOL_FROM_TO_SOURCE, e.g.
// sg-1_ingress_tcp_22_22_10.0.0.0/8, ..._self, ..._sg-2, ..._pl-3. ids maps
// the rule's logical group names to group ids.
func RuleImportID(in *RuleInputs, ids map[string]string) string {
	var source string
	switch {
	case in.Self:
		source = "self"
	case in.SourceSecurityGroup != "":
		source = ids[in.SourceSecurityGroup]
	default:
		source = strings.Join(slices.Concat(in.CidrBlocks, in.Ipv6CidrBlocks, in.PrefixListIDs), "_")
	}
	protocol := in.Protocol
	if protocol == "-1" {
		protocol = "all"
	}
	return fmt.Sprintf("%s_%s_%s_%d_%d_%s", ids[in.SecurityGroup], in.Type, protocol, in.FromPort, in.ToPort, source)
}
