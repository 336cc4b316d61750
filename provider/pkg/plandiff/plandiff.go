// Package plandiff compares two plans by the identities the component gives
// its resources, so it predicts what `pulumi preview` will show: resources
// created, deleted, replaced in place of themselves, or updated.
package plandiff

import (
	"maps"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// Diff lists resource names (as the component names them under a mesh
// called "mesh") by what a change does to them.
type Diff struct {
	Create  []string `json:"create"`
	Delete  []string `json:"delete"`
	Replace []string `json:"replace"`
	Update  []string `json:"update"`
}

// Empty reports whether the change touches nothing.
func (d Diff) Empty() bool {
	return len(d.Create)+len(d.Delete)+len(d.Replace)+len(d.Update) == 0
}

// resource is what a resource's diff depends on: the fields whose change
// replaces it in EC2, and those updated in place.
type resource struct{ replaceOn, updateOn string }

func resources(mesh string, p *plan.Plan) map[string]resource {
	out := map[string]resource{}
	for _, g := range p.Groups {
		tags := slices.Sorted(maps.Keys(g.Tags))
		upd := ""
		for _, k := range tags {
			upd += k + "=" + g.Tags[k] + ";"
		}
		out[mesh+"-"+g.Service] = resource{replaceOn: g.Name + "|" + g.Description, updateOn: upd}
	}
	for _, r := range p.Rules {
		// A rule's name is its key, so every field EC2 replaces on is in the
		// name; only the description can change under the same name.
		out[mesh+"-"+rule.Name(r)] = resource{updateOn: r.Description}
	}
	return out
}

// Compare diffs two plans of a mesh named mesh.
func Compare(mesh string, old, new *plan.Plan) Diff {
	before, after := resources(mesh, old), resources(mesh, new)
	var d Diff
	for name, a := range after {
		b, ok := before[name]
		switch {
		case !ok:
			d.Create = append(d.Create, name)
		case a.replaceOn != b.replaceOn:
			d.Replace = append(d.Replace, name)
		case a.updateOn != b.updateOn:
			d.Update = append(d.Update, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			d.Delete = append(d.Delete, name)
		}
	}
	for _, l := range []*[]string{&d.Create, &d.Delete, &d.Replace, &d.Update} {
		slices.Sort(*l)
	}
	return d
}
