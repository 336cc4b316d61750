// Package hostflow says who can reach whom host by host. An instance carries
// its own group and its attachedWith groups, so it may be reached on the
// union of their ingress and may reach out on the union of their egress: a
// service that gains a group in attachedWith gains that group's flows
// without any rule of its own changing. The flow diff, the review and the
// guardrails judge these effective flows, so an attachment cannot hide access.
//
// It also judges world-openness by the address space the peers of a
// service's port cover together, so splitting 0.0.0.0/0 into halves does not
// make it less open.
package hostflow

import (
	"cmp"
	"maps"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
)

// Flow is a flow between hosts: a Group endpoint stands for the instances of
// that service (its own group and the groups they carry), an External one
// for the members of an external group that no service carries.
type Flow struct {
	flow.Flow
	// Via are the groups an end carries by attachedWith that the declared
	// flow names: empty when the flow names both ends' own groups.
	Via []string
	// Carrier is the service whose instances gain the flow by carrying a
	// group: the callee when it carries one, else the caller; "" without Via.
	Carrier string
	// AsDeclared is the flow between the groups the declaration names.
	AsDeclared flow.Flow
}

// Of lists the effective flows of a plan's flows, given what each service's
// instances carry (plan.Attachments: its own group first). A flow naming
// group G reaches (or leaves from) every service whose instances carry G.
// An external group's flows stay on the external group (its own members)
// and also reach every service that carries it.
func Of(flows []flow.Flow, attachments map[string][]string) []Flow {
	carriers := map[string][]string{}
	for _, s := range slices.Sorted(maps.Keys(attachments)) {
		for _, g := range attachments[s] {
			carriers[g] = append(carriers[g], s)
		}
	}
	type end struct {
		e   flow.Endpoint
		via string
	}
	hosts := func(e flow.Endpoint) []end {
		name, external, ok := e.GroupOf()
		if !ok {
			return []end{{e: e}}
		}
		var out []end
		if external {
			out = append(out, end{e: e})
		}
		for _, s := range carriers[name] {
			h := end{e: flow.ServiceGroup(s)}
			if s != name {
				h.via = name
			}
			out = append(out, h)
		}
		if !external && len(out) == 0 { // a plan without attachments
			out = append(out, end{e: e})
		}
		return out
	}
	out := make([]Flow, 0, len(flows))
	for _, f := range flows {
		for _, from := range hosts(f.From) {
			for _, to := range hosts(f.To) {
				g := Flow{Flow: f, AsDeclared: f}
				g.From, g.To = from.e, to.e
				for _, h := range []end{to, from} {
					if h.via != "" && !slices.Contains(g.Via, h.via) {
						g.Via = append(g.Via, h.via)
						g.Carrier = cmp.Or(g.Carrier, h.e.Service)
					}
				}
				slices.Sort(g.Via)
				out = append(out, g)
			}
		}
	}
	return out
}

// Attached is the part of Of that attachments add: the effective flows with
// a Via, sorted, for the checks that already judged the declared flows.
func Attached(flows []flow.Flow, attachments map[string][]string) []Flow {
	var out []Flow
	for _, f := range Of(flows, attachments) {
		if len(f.Via) > 0 {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Flow) int {
		return cmp.Or(cmp.Compare(a.To.ID(), b.To.ID()), cmp.Compare(a.From.ID(), b.From.ID()))
	})
	return out
}
