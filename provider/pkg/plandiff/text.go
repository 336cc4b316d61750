package plandiff

import (
	"encoding/json"
	"fmt"
	"strings"
)

// signs are `pulumi preview`'s.
var signs = map[Op]string{Create: "+", Delete: "-", Replace: "+-", Update: "~"}

// Sign is the op's sign as `pulumi preview` prints it: +, -, +-, ~.
func (o Op) Sign() string { return signs[o] }

// Text is the diff for a reviewer: a summary, then one line per touched
// resource (sign, op, name, what it is) with, under a replace or an update,
// each input that differs; under a replaced group, the flows its
// delete-first replacement cuts. It ends with a caution when groups are replaced.
func (d Diff) Text() string {
	var b strings.Builder
	if d.Empty() {
		fmt.Fprintf(&b, "ServiceMesh %q: no changes\n", d.Mesh)
		return b.String()
	}
	fmt.Fprintf(&b, "ServiceMesh %q: %d to create, %d to delete, %d to replace, %d to update\n",
		d.Mesh, len(d.Create), len(d.Delete), len(d.Replace), len(d.Update))
	b.WriteString("(resource names as `pulumi preview` lists the component's children)\n\n")
	w := 0
	for _, c := range d.Changes {
		w = max(w, len(c.Name))
	}
	groups := 0
	for _, c := range d.Changes {
		fmt.Fprintf(&b, "%-2s %-7s  %-*s  %s\n", c.Op.Sign(), c.Op, w, c.Name, c.About)
		for _, f := range c.Fields {
			why := ""
			if f.Replaces {
				why = " (forces replacement)"
			}
			fmt.Fprintf(&b, "             %s: %s => %s%s\n", f.Name, Show(f.Old), Show(f.New), why)
		}
		if c.Op == Replace && c.Type == GroupType {
			groups++
			cuts := "none"
			if len(c.Cuts) > 0 {
				cuts = strings.Join(c.Cuts, ", ")
			}
			fmt.Fprintf(&b, "             replace, delete first: flows cut: %s\n", cuts)
		}
	}
	if groups > 0 {
		fmt.Fprintf(&b, "\nCaution: %d security group(s) replaced. Each is deleted BEFORE its successor exists\n"+
			"(the AWS provider deletes first when a group's name is set, and the mesh always sets it):\n"+
			"the flows listed are cut until the new group and its rules exist, and the delete fails\n"+
			"(DependencyViolation) while a network interface still carries the old group.\n"+
			"To change namePrefix or vpcId without an outage, migrate in two steps: add a second\n"+
			"ServiceMesh with the new namePrefix or vpcId beside this one, move the instances to its\n"+
			"groups, then remove this one (README, %q).\n", groups, ReplacingHeading)
	}
	return b.String()
}

// ReplacingHeading is the README section the caution sends a reader to.
const ReplacingHeading = "Replacing and deleting groups"

// Show is an input's value as a reviewer reads it: quoted, unless it stands
// for a value not known yet ("id of ...", "unknown until ...").
func Show(v string) string {
	if strings.HasPrefix(v, "id of ") || strings.HasPrefix(v, "unknown until ") {
		return v
	}
	return fmt.Sprintf("%q", v)
}

// JSON is the diff as indented JSON, for tools.
func (d Diff) JSON() string {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil { // plain strings and slices only
		panic("encoding a diff: " + err.Error())
	}
	return string(b) + "\n"
}
