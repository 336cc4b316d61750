// Package plandiff predicts what `pulumi preview` shows for a change to a
// mesh: which of the ServiceMesh component's children it creates, deletes,
// replaces or updates, by the resource names the component gives them.
//
// # Identities
//
// A ServiceMesh named N registers the children package resources lists: one
// aws:ec2/securityGroup:SecurityGroup per service, named N-<service>, and one
// aws:ec2/securityGroupRule:SecurityGroupRule per rule, named
// N-<rule.Name(r)>. A rule's name is its key: group, direction, protocol,
// ports and peer. Diff compares those lists, so its names are the last
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
// The AWS provider replaces a rule, and a group whose name is set (always,
// here), by deleting it before creating its successor, so each flow through
// a replaced group is cut until the new group and its rules exist: a replaced
// group's Change lists those flows (Cuts).
//
// Compare works on two plans; CompareSpecs plans two declarations, taking
// their vpcId into account. Neither needs a stack.
package plandiff

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
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
	GroupType = resources.GroupType
	RuleType  = resources.RuleType
)

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
	// Cuts are the flows through a replaced group, as "From -> To ports":
	// the AWS provider deletes the group (its name is set) before creating
	// its successor, so each is cut until the successor and its rules exist.
	Cuts []string `json:"cuts,omitempty"`
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

// Compare diffs two plans of a ServiceMesh named mesh.
func Compare(mesh string, old, new *plan.Plan, opts ...Option) Diff {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.oldVPC == "" || o.newVPC == "" {
		o.oldVPC, o.newVPC = "", ""
	}
	before, after := resources.ByName(resources.Of(mesh, old)), resources.ByName(resources.Of(mesh, new))
	d := Diff{Mesh: mesh, Create: []string{}, Delete: []string{}, Replace: []string{}, Update: []string{}, Changes: []Change{}}

	// Groups first: whether a rule is replaced depends on its groups.
	replaced := map[string]bool{}
	compare := func(typ string) {
		for _, name := range slices.Sorted(maps.Keys(after)) {
			a := after[name]
			if a.Type != typ {
				continue
			}
			b, ok := before[name]
			if !ok {
				d.Changes = append(d.Changes, Change{Op: Create, Type: a.Type, Name: name, About: a.About})
				continue
			}
			fields := diffInputs(a.Type, b.Fields(o.oldVPC), a.Fields(o.newVPC), replaced)
			if len(fields) == 0 {
				continue
			}
			c := Change{Op: Update, Type: a.Type, Name: name, About: a.About, Fields: fields}
			if slices.ContainsFunc(fields, func(f Field) bool { return f.Replaces }) {
				c.Op = Replace
				replaced[name] = true
				if typ == GroupType {
					c.Cuts = flowsThrough(old.Flows, b.Service)
				}
			}
			d.Changes = append(d.Changes, c)
		}
	}
	compare(GroupType)
	compare(RuleType)
	compare(resources.NetworkACLType)
	compare(resources.NetworkACLRuleType)
	for name, b := range before {
		if _, ok := after[name]; !ok {
			d.Changes = append(d.Changes, Change{Op: Delete, Type: b.Type, Name: name, About: b.About})
		}
	}
	SortChanges(d.Changes)
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

// flowsThrough lists, sorted and once each, the flows with service's group
// at either end.
func flowsThrough(flows []flow.Flow, service string) []string {
	var out []string
	for _, f := range flows {
		if f.From.IsGroup(service) || f.To.IsGroup(service) {
			out = append(out, fmt.Sprintf("%s -> %s %s", f.From.Label(), f.To.Label(), f.Ports))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// diffInputs lists the inputs that differ, sorted by name. A ref to a
// replaced group differs even when it names the same group.
func diffInputs(typ string, old, new map[string]resources.Field, replaced map[string]bool) []Field {
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
		f := Field{Name: k, Old: o.Value, New: n.Value, Replaces: resources.Replaces(typ, k)}
		switch {
		case o.Value != n.Value:
			if o.Ref {
				f.Old = "id of " + o.Value
			}
			if n.Ref {
				f.New = "id of " + n.Value
			}
		case n.Ref && replaced[n.Value]:
			f.Old, f.New = "id of "+o.Value, "unknown until "+n.Value+" is replaced"
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// opOrder is the order changes are listed in: create, delete, replace, update.
var opOrder = map[Op]int{Create: 0, Delete: 1, Replace: 2, Update: 3}

// SortChanges orders changes by op (create, delete, replace, update), then name.
func SortChanges(cs []Change) {
	slices.SortFunc(cs, func(a, b Change) int {
		return cmp.Or(cmp.Compare(opOrder[a.Op], opOrder[b.Op]), cmp.Compare(a.Name, b.Name))
	})
}
