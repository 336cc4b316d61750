// Package plandiff predicts what `pulumi preview` shows for a change to a
// mesh: which of the ServiceMesh component's children it creates, deletes,
// replaces or updates, by the resource names the component gives them.
//
// # Identities
//
// A ServiceMesh named N registers, as its children, one
// aws:ec2/securityGroup:SecurityGroup per service, named N-<service>, and one
// aws:ec2/securityGroupRule:SecurityGroupRule per rule, named
// N-<rule.Name(r)>. A rule's name is its key: group, direction, protocol,
// ports and peer. Diff names resources exactly so, so its names are the last
// segment of the URNs that `pulumi preview` lists.
//
// # What a change does to a resource
//
// The model is the engine's: a resource whose name is only in NEW is
// created, one only in OLD is deleted, and one in both is compared input by
// input, as the AWS provider does. A change to an input the provider cannot
// update in place (ForceNew in terraform-provider-aws) replaces the
// resource; a change to any other input updates it.
//
//   - Group: name, description and vpcId force replacement; tags update in
//     place (a Field per tag: tags.KEY). The name changes with the mesh's namePrefix; the description is
//     derived from the name and nothing else, so a service's description
//     (a tag) never replaces its group.
//   - Rule: every input but description forces replacement. Since the name is
//     derived from all of them, a rule whose protocol, ports or peer changes
//     gets a new name: its old name is deleted and its new name created (the
//     preview shows a delete and a create, not a replace; in EC2 it is the same
//     thing). Under one name, only two changes remain: the description, an
//     update; and the id of its group or its peer group, a replace, which
//     happens when that group is replaced (in a preview a replaced group's
//     id is unknown, and an unknown ForceNew input replaces).
//
// So adding, removing or reordering services and rules touches only what
// changed, and a group is replaced only when its EC2 name, description or VPC
// changes; every rule of a replaced group, and every rule naming it as a peer,
// is then replaced too.
//
// Compare works on two plans; CompareSpecs plans two declarations, taking
// their vpcId into account. Neither needs a stack.
package plandiff

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Op is what a change does to one resource, as `pulumi preview` says it.
type Op string

const (
	Create  Op = "create"
	Delete  Op = "delete"
	Replace Op = "replace"
	Update  Op = "update"
)

// Resource types, as in the URNs.
const (
	GroupType = "aws:ec2/securityGroup:SecurityGroup"
	RuleType  = "aws:ec2/securityGroupRule:SecurityGroupRule"
)

// replaceKeys are the inputs whose change replaces a resource (ForceNew in
// terraform-provider-aws; the stand-in AWS provider of the end-to-end tests
// replaces on the same list).
var replaceKeys = map[string][]string{
	GroupType: {"name", "namePrefix", "description", "vpcId"},
	RuleType: {"type", "securityGroupId", "protocol", "fromPort", "toPort", "cidrBlocks",
		"ipv6CidrBlocks", "prefixListIds", "sourceSecurityGroupId", "self"},
}

// Diff is what a change does, by resource name. The four lists name every
// touched resource once, sorted; Changes says the same with the reasons.
type Diff struct {
	// Mesh is the component's name, the prefix of every name below.
	Mesh    string   `json:"mesh"`
	Create  []string `json:"create"`
	Delete  []string `json:"delete"`
	Replace []string `json:"replace"`
	Update  []string `json:"update"`
	// Changes are the touched resources in the order above (create, delete,
	// replace, update; then by name).
	Changes []Change `json:"changes"`
}

// Change is one touched resource.
type Change struct {
	Op   Op     `json:"op"`
	Type string `json:"type"`
	Name string `json:"name"`
	// About is what the resource is, for a reader: "group MySQL (tier data)",
	// "rule: MySQL ingress tcp/3306 from group CustomerManagement-API".
	About string `json:"about"`
	// Fields are the inputs that differ, for a replace or an update.
	Fields []Field `json:"fields,omitempty"`
}

// Field is one input that differs. Replaces says it forces a replacement.
type Field struct {
	Name     string `json:"name"`
	Old      string `json:"old"`
	New      string `json:"new"`
	Replaces bool   `json:"replaces"`
}

// Empty reports whether the change touches nothing.
func (d Diff) Empty() bool { return len(d.Changes) == 0 }

// Names lists the names of the resources an op touches.
func (d Diff) Names(op Op) []string {
	switch op {
	case Create:
		return d.Create
	case Delete:
		return d.Delete
	case Replace:
		return d.Replace
	case Update:
		return d.Update
	}
	return nil
}

// Option adjusts a comparison.
type Option func(*options)

type options struct{ oldVPC, newVPC string }

// WithVPCs gives the VPC each plan's groups are created in. A group moved to
// another VPC is replaced. Without it, or when either is "", the VPC is taken
// as unchanged.
func WithVPCs(oldVPC, newVPC string) Option {
	return func(o *options) { o.oldVPC, o.newVPC = oldVPC, newVPC }
}

// CompareSpecs plans two declarations and compares them, with their vpcId.
// It fails if either declaration has errors.
func CompareSpecs(mesh string, old, new spec.Mesh) (Diff, error) {
	before, err := plan.Build(old)
	if err != nil {
		return Diff{}, fmt.Errorf("old declaration: %w", err)
	}
	after, err := plan.Build(new)
	if err != nil {
		return Diff{}, fmt.Errorf("new declaration: %w", err)
	}
	return Compare(mesh, before, after, WithVPCs(old.VpcID, new.VpcID)), nil
}

// input is one input of a resource. A ref input holds a group's id, written
// as the group's resource name: equal if the group is the same and not
// replaced.
type input struct {
	value string
	ref   bool
}

type resource struct {
	typ    string
	about  string
	inputs map[string]input
}

// resources models the component's children of a plan, by name, with the
// inputs the component gives them (see component.Emit).
func resources(mesh, vpc string, p *plan.Plan) map[string]resource {
	out := make(map[string]resource, len(p.Groups)+len(p.Rules))
	groupName := func(service string) string { return mesh + "-" + service }
	for _, g := range p.Groups {
		in := map[string]input{
			"name":        {value: g.Name},
			"description": {value: g.Description},
			"vpcId":       {value: vpc},
		}
		// One input per tag, so a diff says which tag changed.
		for k, v := range g.Tags {
			in["tags."+k] = input{value: v}
		}
		out[groupName(g.Service)] = resource{typ: GroupType, about: fmt.Sprintf("group %s (tier %s)", g.Service, g.Tier), inputs: in}
	}
	// A CIDR peer is described by the names the declaration reaches it by.
	cidrNames := map[string][]string{}
	for _, f := range p.Flows {
		for _, e := range []flow.Endpoint{f.From, f.To} {
			if e.Kind == flow.CIDR && e.Via != "" && !slices.Contains(cidrNames[e.CIDR], e.Via) {
				cidrNames[e.CIDR] = append(cidrNames[e.CIDR], e.Via)
			}
		}
	}
	for _, r := range p.Rules {
		in := map[string]input{
			"type":            {value: string(r.Direction)},
			"securityGroupId": {value: groupName(r.Service), ref: true},
			"protocol":        {value: r.Ports.Protocol},
			"fromPort":        {value: fmt.Sprint(ec2Port(r.Ports, r.Ports.From))},
			"toPort":          {value: fmt.Sprint(ec2Port(r.Ports, r.Ports.To))},
			"description":     {value: r.Description},
		}
		switch {
		case r.Self():
			in["self"] = input{value: "true"}
		case r.Peer.Kind == flow.Group:
			in["sourceSecurityGroupId"] = input{value: groupName(r.Peer.Service), ref: true}
		case r.Peer.Kind == flow.PrefixList:
			in["prefixListIds"] = input{value: r.Peer.PrefixList}
		case r.IPv6():
			in["ipv6CidrBlocks"] = input{value: r.Peer.CIDR}
		default:
			in["cidrBlocks"] = input{value: r.Peer.CIDR}
		}
		out[mesh+"-"+rule.Name(r)] = resource{typ: RuleType, about: "rule: " + describeRule(r, cidrNames[r.Peer.CIDR]), inputs: in}
	}
	return out
}

// ec2Port is the port EC2 is given, as component.Emit gives it: 0 for "all"
// and bare IP protocols.
func ec2Port(r ports.Range, v int) int {
	if ports.HasPorts(r.Protocol) || ports.IsICMP(r.Protocol) {
		return v
	}
	return 0
}

func describeRule(r rule.Rule, names []string) string {
	dir, peer := "from", r.Peer.Label()
	if r.Direction == rule.Egress {
		dir = "to"
	}
	switch {
	case r.Self():
		peer = "self"
	case r.Peer.Kind == flow.Group:
		peer = "group " + r.Peer.Service
	case r.Peer.Kind == flow.PrefixList:
		peer = "prefix list " + r.Peer.PrefixList
	case len(names) > 0:
		slices.Sort(names)
		peer = strings.Join(names, ", ") + " (" + r.Peer.CIDR + ")"
	}
	return fmt.Sprintf("%s %s %s %s %s", r.Service, r.Direction, r.Ports, dir, peer)
}

// Compare diffs two plans of a ServiceMesh named mesh.
func Compare(mesh string, old, new *plan.Plan, opts ...Option) Diff {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.oldVPC == "" || o.newVPC == "" {
		o.oldVPC, o.newVPC = "", ""
	}
	before, after := resources(mesh, o.oldVPC, old), resources(mesh, o.newVPC, new)
	d := Diff{Mesh: mesh, Create: []string{}, Delete: []string{}, Replace: []string{}, Update: []string{}, Changes: []Change{}}

	// Groups first: whether a rule is replaced depends on its groups.
	replaced := map[string]bool{}
	compare := func(typ string) {
		for _, name := range slices.Sorted(maps.Keys(after)) {
			a := after[name]
			if a.typ != typ {
				continue
			}
			b, ok := before[name]
			if !ok {
				d.Changes = append(d.Changes, Change{Op: Create, Type: a.typ, Name: name, About: a.about})
				continue
			}
			fields := diffInputs(a.typ, b.inputs, a.inputs, replaced)
			if len(fields) == 0 {
				continue
			}
			op := Update
			if slices.ContainsFunc(fields, func(f Field) bool { return f.Replaces }) {
				op = Replace
				replaced[name] = true
			}
			d.Changes = append(d.Changes, Change{Op: op, Type: a.typ, Name: name, About: a.about, Fields: fields})
		}
	}
	compare(GroupType)
	compare(RuleType)
	for name, b := range before {
		if _, ok := after[name]; !ok {
			d.Changes = append(d.Changes, Change{Op: Delete, Type: b.typ, Name: name, About: b.about})
		}
	}
	order := map[Op]int{Create: 0, Delete: 1, Replace: 2, Update: 3}
	slices.SortFunc(d.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(order[a.Op], order[b.Op]), cmp.Compare(a.Name, b.Name))
	})
	for _, c := range d.Changes {
		switch c.Op {
		case Create:
			d.Create = append(d.Create, c.Name)
		case Delete:
			d.Delete = append(d.Delete, c.Name)
		case Replace:
			d.Replace = append(d.Replace, c.Name)
		case Update:
			d.Update = append(d.Update, c.Name)
		}
	}
	return d
}

// diffInputs lists the inputs that differ, sorted by name. A ref to a
// replaced group differs even when it names the same group.
func diffInputs(typ string, old, new map[string]input, replaced map[string]bool) []Field {
	var out []Field
	keys := slices.Sorted(maps.Keys(new))
	for k := range old {
		if _, ok := new[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		o, n := old[k], new[k]
		f := Field{Name: k, Old: o.value, New: n.value, Replaces: slices.Contains(replaceKeys[typ], k)}
		switch {
		case o.value != n.value:
			if o.ref {
				f.Old = "id of " + o.value
			}
			if n.ref {
				f.New = "id of " + n.value
			}
		case n.ref && replaced[n.value]:
			f.Old, f.New = "id of "+o.value, "unknown until "+n.value+" is replaced"
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}
