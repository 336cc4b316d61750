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
	"maps"
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

// ReplacesDeleteFirst says whether pulumi-aws replaces a resource of the
// type by deleting it before creating its successor, so traffic it allows
// stops meanwhile: a rule (DeleteBeforeReplace in pulumi-aws's
// resources.go) and a group (its name is set). A network ACL and its rules
// are replaced create-first (pulumi/pulumi-aws#3244; a changed entry has a
// new number, package nacl).
func ReplacesDeleteFirst(typ string) bool { return typ == GroupType || typ == RuleType }

// ReplaceOn lists the inputs whose change replaces a resource of each type:
// ForceNew in terraform-provider-aws v5 (vpc_security_group.go,
// vpc_security_group_rule.go). Every other input updates in place.
var ReplaceOn = map[string][]string{
	GroupType: {"name", "namePrefix", "description", "vpcId"},
	RuleType: {"type", "securityGroupId", "protocol", "fromPort", "toPort", flow.FieldCidrBlocks,
		flow.FieldIpv6CidrBlocks, flow.FieldPrefixListIDs, flow.FieldSourceSecurityGroupID, flow.FieldSelf},
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
	// DeletedWithGroup says a rule is deleted with its group (the engine
	// skips its delete; EC2 drops a group's rules with it). Not so for a rule
	// referencing another mesh group that keeps rules on delete (the mesh's
	// revokeRulesOnDelete off, or an adopted group): that group's delete
	// fails with DependencyViolation while the rule stands, so the rule is
	// deleted first, in dependency order.
	DeletedWithGroup bool
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

// RuleInputs are an aws.ec2.SecurityGroupRule's inputs. SecurityGroup names
// the rule's group by its logical name (its id exists only at run time); the
// peer's fields are the peer's own EC2 form (flow.EC2Peer), mapped 1:1 onto
// the SDK's arguments.
type RuleInputs struct {
	Type             string
	SecurityGroup    string
	Protocol         string
	FromPort, ToPort int
	Description      string
	flow.EC2Peer
}

// Group is the rule's own group as a reference.
func (in *RuleInputs) Group() flow.GroupRef { return flow.GroupRef{Name: in.SecurityGroup} }

// Of lists the children of a plan for a ServiceMesh named mesh: the groups,
// sorted by name, then the rules, sorted by name, so every rule follows the
// groups it references; then the network ACLs, each before its rules.
func Of(mesh string, p *plan.Plan) []Resource {
	groupName := func(service string) string { return mesh + "-" + service }
	out := make([]Resource, 0, len(p.Groups)+len(p.Rules))
	adopted := map[string]rule.Group{}
	keeps := map[string]bool{} // logical names of groups that keep other groups' rules on delete
	for _, g := range p.Groups {
		keeps[groupName(g.Service)] = g.KeepRulesOnDelete || g.AdoptID != ""
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
	ids := KnownIDs(p)
	external := map[string]string{}
	for ref, id := range ids {
		external[ref.Name] = id
	}
	ctx := flow.EC2Context{GroupName: groupName, ExternalIDs: external, Lists: p.Lists}
	rules := make([]Resource, 0, len(p.Rules))
	for _, r := range p.Rules {
		peer := r.PeerOf()
		from, to := r.Ports.EC2()
		in := &RuleInputs{Type: string(r.Direction), SecurityGroup: groupName(r.Service), Protocol: r.Ports.Protocol,
			FromPort: from, ToPort: to, Description: r.Description, EC2Peer: peer.EC2(ctx)}
		dir := "from"
		if r.Direction == rule.Egress {
			dir = "to"
		}
		src := in.SourceSecurityGroup
		rules = append(rules, Resource{
			Type: RuleType, Name: RuleName(mesh, r), Service: r.Service, Rule: in,
			DeletedWithGroup: src == nil || src.External || !keeps[src.Name],
			About:            fmt.Sprintf("rule: %s %s %s %s %s", r.Service, r.Direction, r.Ports, dir, peer.Text(names[peer.CIDR])),
			ImportID:         ruleImportID(r, in, adopted, ids),
		})
	}
	slices.SortFunc(rules, func(a, b Resource) int { return cmp.Compare(a.Name, b.Name) })
	return slices.Concat(out, rules, networkACLs(mesh, p))
}

// RuleName is the logical name of a rule of the mesh named mesh.
func RuleName(mesh string, r rule.Rule) string { return mesh + "-" + rule.Name(r) }

// cidrNames maps each CIDR to the names the declaration reaches it by, sorted.
func cidrNames(flows []flow.Flow) map[string][]string {
	out := map[string][]string{}
	for _, f := range flows {
		for _, e := range []flow.Endpoint{f.From, f.To} {
			if via := e.Via.String(); e.IsCIDR() && via != "" && !slices.Contains(out[e.CIDR], via) {
				out[e.CIDR] = append(out[e.CIDR], via)
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
	in.EC2Peer.Fields(func(name, value string, ref bool) { out[name] = Field{Value: value, Ref: ref} })
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

// KnownIDs are the group ids known offline: the external groups' declared
// ids (an id may be OWNER/sg-… for another account's group) and adopted
// groups' ids, by reference.
func KnownIDs(p *plan.Plan) map[flow.GroupRef]string {
	out := map[flow.GroupRef]string{}
	for _, e := range p.ExternalGroups {
		if e.SecurityGroupID != "" {
			out[flow.GroupRef{Name: e.Name, External: true}] = e.SecurityGroupID
		}
	}
	return out
}

// ruleImportID is the import id of a rule adopt.rules lists, or "" when
// the rule is to be created: its group is not adopted, adopt.rules does not
// list it, or its peer group's id is not known offline (plan reports that).
func ruleImportID(r rule.Rule, in *RuleInputs, adopted map[string]rule.Group, known map[flow.GroupRef]string) string {
	g, ok := adopted[r.Service]
	if !ok || !slices.Contains(g.AdoptRules, r.Key) {
		return ""
	}
	ids := maps.Clone(known)
	ids[in.Group()] = g.AdoptID
	if src := in.SourceSecurityGroup; src != nil && !src.External {
		peer, ok := adopted[r.Peer.Service]
		if !ok {
			return ""
		}
		ids[*src] = peer.AdoptID
	}
	id, _ := RuleImportID(in, ids)
	return id
}

// RuleImportID is pulumi-aws's import id of a rule, the format of its
// aws_security_group_rule importer (resourceSecurityGroupRuleImport):
// SGID_TYPE_PROTOCOL_FROM_TO_SOURCE[_SOURCE…], e.g.
// sg-1_ingress_tcp_22_22_10.0.0.0/8, ..._self, ..._sg-2,
// ..._444455556666/sg-2, ..._pl-3. ids maps the rule's groups to their ids;
// ok is false when a source is not known (the importer refuses an empty one).
func RuleImportID(in *RuleInputs, ids map[flow.GroupRef]string) (id string, ok bool) {
	sources := in.Sources(ids, "self")
	ok = len(sources) > 0 && !slices.Contains(sources, "") && ids[in.Group()] != ""
	protocol := in.Protocol
	if protocol == "-1" {
		protocol = "all"
	}
	return fmt.Sprintf("%s_%s_%s_%d_%d_%s", ids[in.Group()], in.Type, protocol, in.FromPort, in.ToPort, strings.Join(sources, "_")), ok
}
