// Package audit compares a planned mesh with the security groups that exist
// (read by ec2read): rules added by hand, planned rules missing, groups whose
// name, description or VPC differ, groups attached nowhere, and, given the
// stack's state, orphans an interrupted `pulumi up` left, with the exact
// pulumi command that adopts each. It imports nothing from Pulumi.
package audit

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
)

// Drift kinds.
const (
	KindUnplannedRule = "unplanned-rule"
	KindMissingRule   = "missing-rule"
	KindMissingGroup  = "missing-group"
	KindGroupDiffers  = "group-differs"
	KindUnattached    = "unattached-group"
	KindOrphanGroup   = "orphan-group"
	KindOrphanRule    = "orphan-rule"
)

// Drift is one difference between the plan and what exists.
type Drift struct {
	Kind    string `json:"kind"`
	Service string `json:"service"`
	GroupID string `json:"groupId,omitempty"`
	// Rule is the rule as EC2 shows it: ingress tcp/22 from 10.0.0.0/8.
	Rule   string `json:"rule,omitempty"`
	Detail string `json:"detail"`
	// Fix is what to do; for orphans, the exact pulumi command.
	Fix string `json:"fix,omitempty"`
}

// Options say what the audit knows beyond the plan and the account.
type Options struct {
	// Mesh is the ServiceMesh resource's name (its children's name prefix).
	Mesh string
	// VpcID is the declaration's VPC, "" when not set.
	VpcID string
	// State is the stack's state (`pulumi stack export`), nil when not given.
	State *State
}

// permission is one rule by content, in group ids, as both sides state it.
type permission struct {
	group, dir, protocol string
	from, to             int
	peer                 string
}

func (p permission) text() string {
	dir := "from"
	if p.dir == "egress" {
		dir = "to"
	}
	r := ec2read.Rule{Direction: p.dir, Protocol: p.protocol, FromPort: p.from, ToPort: p.to}
	return fmt.Sprintf("%s %s %s %s", p.dir, r.Ports(), dir, p.peer)
}

// Compare audits a plan against an account.
func Compare(p *plan.Plan, a *ec2read.Account, o Options) []Drift {
	var out []Drift
	list := resources.Of(o.Mesh, p)
	ids := resources.KnownIDs(p)    // group reference -> existing group id
	adopted := map[string]bool{}    // logical group names of adopted groups
	services := map[string]string{} // existing group id -> service
	planned := map[permission]resources.Resource{}
	for _, r := range list {
		if r.Group == nil {
			continue
		}
		g, err := find(a, r, o.VpcID)
		if err != nil {
			out = append(out, Drift{Kind: KindMissingGroup, Service: r.Service, GroupID: r.ImportID, Detail: err.Error(),
				Fix: "run pulumi up to create it, or adopt the existing group with adopt: {groupId: ...}"})
			continue
		}
		ids[flow.GroupRef{Name: r.Name}], services[g.ID], adopted[r.Name] = g.ID, r.Service, r.ImportID != ""
		out = append(out, groupDrift(r, g, o.VpcID, a.AttachmentsKnown)...)
		if o.State != nil && r.ImportID == "" && !o.State.HasID(resources.GroupType, g.ID) {
			out = append(out, Drift{Kind: KindOrphanGroup, Service: r.Service, GroupID: g.ID,
				Detail: fmt.Sprintf("group %q exists but the stack's state does not hold it (an interrupted pulumi up?)", g.Name),
				Fix:    o.State.AdoptCommand(o.Mesh, r, g.ID)})
		}
	}
	for _, r := range list {
		in := r.Rule
		if in == nil || ids[in.Group()] == "" || (in.SourceSecurityGroup != nil && ids[*in.SourceSecurityGroup] == "") {
			continue // its group, or its peer's, is missing: reported above (an external group's id unknown offline: not judged)
		}
		for _, perm := range permissionsOf(in, ids) {
			planned[perm] = r
		}
	}
	existing := map[permission]bool{}
	for gid, service := range services {
		g, _ := a.Group(gid)
		for _, r := range g.Rules {
			perm := permission{gid, r.Direction, r.Protocol, r.FromPort, r.ToPort, r.Peer.Reference(g.OwnerID)}
			existing[perm] = true
			if _, ok := planned[perm]; !ok {
				out = append(out, Drift{Kind: KindUnplannedRule, Service: service, GroupID: gid, Rule: perm.text(),
					Detail: "in AWS but not in the plan: added by hand? (rule resources cannot see it; pulumi refresh does not report it)",
					Fix:    "declare it, or revoke it: aws ec2 revoke-security-group-" + r.Direction + " --group-id " + gid + ruleRef(r)})
			}
		}
	}
	for perm, r := range planned {
		switch {
		case !existing[perm]:
			out = append(out, Drift{Kind: KindMissingRule, Service: r.Service, GroupID: perm.group, Rule: perm.text(),
				Detail: "planned but not in AWS: deleted by hand, or never created", Fix: "run pulumi refresh, then pulumi up to recreate it"})
		case o.State != nil && r.ImportID == "" && !o.State.HasURN(resources.RuleType, r.Name):
			id, _ := resources.RuleImportID(r.Rule, ids)
			fix := o.State.AdoptCommand(o.Mesh, r, id)
			if adopted[r.Rule.SecurityGroup] {
				fix = "list its key (servicemesh plan --format json) in adopt.rules so pulumi up imports it, or: " + fix
			}
			out = append(out, Drift{Kind: KindOrphanRule, Service: r.Service, GroupID: perm.group, Rule: perm.text(),
				Detail: "exists but the stack's state does not hold it (an interrupted pulumi up?); pulumi up would fail creating it",
				Fix:    fix})
		}
	}
	slices.SortFunc(out, func(x, y Drift) int {
		return cmp.Or(cmp.Compare(x.Service, y.Service), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Rule, y.Rule))
	})
	return out
}

// GroupIDs matches the plan's groups with the account's as Compare does:
// the ids by reference (adopted groups, groups found by name in the VPC,
// and external groups' declared ids), the service of each group id found,
// and the services whose group was not found.
func GroupIDs(mesh string, p *plan.Plan, a *ec2read.Account, vpc string) (ids map[flow.GroupRef]string, services map[string]string, missing []string) {
	ids, services = resources.KnownIDs(p), map[string]string{}
	for _, r := range resources.Of(mesh, p) {
		if r.Group == nil {
			continue
		}
		g, err := find(a, r, vpc)
		if err != nil {
			missing = append(missing, r.Service)
			continue
		}
		ids[flow.GroupRef{Name: r.Name}], services[g.ID] = g.ID, r.Service
	}
	return ids, services, missing
}

// find is the existing group a planned group is: the adopted id, else the
// group of that name in the VPC.
func find(a *ec2read.Account, r resources.Resource, vpc string) (*ec2read.Group, error) {
	if r.ImportID != "" {
		return a.Group(r.ImportID)
	}
	for i, g := range a.Groups {
		if strings.EqualFold(g.Name, r.Group.Name) && (vpc == "" || g.VpcID == vpc) {
			return &a.Groups[i], nil
		}
	}
	return nil, fmt.Errorf("group %q does not exist in %s", r.Group.Name, a.Source)
}

func groupDrift(r resources.Resource, g *ec2read.Group, vpc string, attachmentsKnown bool) []Drift {
	var out []Drift
	differs := func(field, want, got string) {
		if want != got {
			out = append(out, Drift{Kind: KindGroupDiffers, Service: r.Service, GroupID: g.ID,
				Detail: fmt.Sprintf("%s is %q in AWS, %q in the plan", field, got, want),
				Fix:    "EC2 replaces a group whose " + field + " changes: declare the existing value (adopt: {" + field + ": ...}) unless a replacement is meant"})
		}
	}
	differs("name", r.Group.Name, g.Name)
	differs("description", r.Group.Description, g.Description)
	if vpc != "" {
		differs("vpcId", vpc, g.VpcID)
	}
	if attachmentsKnown && len(g.Interfaces) == 0 {
		out = append(out, Drift{Kind: KindUnattached, Service: r.Service, GroupID: g.ID,
			Detail: "no network interface carries the group", Fix: "attach it to the service's instances, or remove the service"})
	}
	return out
}

// permissionsOf states a planned rule in group ids, one per peer.
func permissionsOf(in *resources.RuleInputs, ids map[flow.GroupRef]string) []permission {
	base := permission{group: ids[in.Group()], dir: in.Type, protocol: in.Protocol, from: in.FromPort, to: in.ToPort}
	peers := in.Sources(ids, base.group)
	out := make([]permission, 0, len(peers))
	for _, p := range peers {
		perm := base
		perm.peer = p
		out = append(out, perm)
	}
	return out
}

// ruleRef is the rule's revoke argument: its id when known, else the rule
// itself as --ip-permissions JSON, so the command runs as printed.
func ruleRef(r ec2read.Rule) string {
	if r.ID != "" {
		return " --security-group-rule-ids " + r.ID
	}
	perm := map[string]any{"IpProtocol": r.Protocol}
	if ports.HasPorts(r.Protocol) || ports.IsICMP(r.Protocol) {
		perm["FromPort"], perm["ToPort"] = r.FromPort, r.ToPort
	}
	switch p := r.Peer; {
	case p.GroupID != "":
		pair := map[string]string{"GroupId": p.GroupID}
		if p.GroupOwner != "" {
			pair["UserId"] = p.GroupOwner
		}
		perm["UserIdGroupPairs"] = []any{pair}
	case p.PrefixList != "":
		perm["PrefixListIds"] = []any{map[string]string{"PrefixListId": p.PrefixList}}
	case flow.IsIPv6(p.CIDR):
		perm["Ipv6Ranges"] = []any{map[string]string{"CidrIpv6": p.CIDR}}
	default:
		perm["IpRanges"] = []any{map[string]string{"CidrIp": p.CIDR}}
	}
	js, err := json.Marshal([]any{perm})
	if err != nil { // strings and numbers only
		panic("encoding a revoke command: " + err.Error())
	}
	return " --ip-permissions '" + string(js) + "'"
}
