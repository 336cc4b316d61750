// Package guard holds the guardrails that run on a planned mesh at preview,
// after rule projection: tier adjacency, quotas, a security lint, and EC2's
// own rules for names, descriptions and tags. It imports nothing from Pulumi.
//
// # Check ids
//
// Every finding carries a stable kebab-case check id, registered in package
// finding with its severity and whether an exception may acknowledge it;
// tests, tooling and exceptions match on it.
//
// # Exceptions
//
// A rule may carry exceptions: [{check, reason}] (validate insists on both).
// Semantics, exactly:
//
//   - An exception acknowledges findings of its check on the rule that carries
//     it, for every flow that rule yields (every port, every peer). An
//     acknowledged finding is not reported at all, neither as an error nor as
//     a warning: the exception and its reason sit in the declaration, where a
//     reviewer reads them in the diff, and repeating them on every preview
//     would train people to ignore warnings.
//   - Only the checks finding.Acknowledgeable lists can be acknowledged: they are about
//     one rule's traffic. World-open admin and database ports are errors
//     "always" in the sense that no other property (internetFacing, shared)
//     exempts them; an explicit exception still does.
//   - An exception naming a check id that does not exist is an error
//     (unknown-exception) whose fix lists the valid ids; one naming a real
//     check that is not about a rule (quotas, names, tags, unused services) is
//     the same error with a fix saying what to do instead.
//   - An exception for a check that does not fire on its rule is a warning
//     (unneeded-exception), so exceptions do not outlive their reason.
//   - An exception on a rule whose flows a mirror egress policy copies applies
//     to the copies too (they are that rule's flows).
package guard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/hostflow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Result is what the guardrails found.
type Result struct {
	Findings finding.List
	Usage    []Usage
}

// Check runs every guardrail over a validated declaration and its plan (the
// groups, flows and rules that rule.Groups, flow.Resolve and rule.Project made
// of it). Findings come back sorted and without duplicates.
func Check(m spec.Mesh, groups []rule.Group, flows []flow.Flow, rules []rule.Rule) Result {
	g := newGuard(m, flows)
	exposed := hostflow.Exposures(flows)
	for i, f := range flows {
		g.tiers(f)
		g.lint(f, exposed[i])
	}
	g.attached(flows)
	g.unused(flows)
	g.shadowed(rules)
	g.ec2Names(groups)
	g.ec2Text(groups, rules)
	g.exceptions()
	usage, qf := quotas(m, rules)
	g.out = append(g.out, qf...)
	g.out.Sort()
	return Result{Findings: slices.Compact(g.out), Usage: usage}
}

type guard struct {
	m         spec.Mesh
	services  map[string]spec.Service
	external  map[string]spec.ExternalGroup
	tierIndex map[string]int
	tierNets  []tierNet
	out       finding.List
	// acks are each declared rule's exceptions; used records the ones that
	// suppressed a finding, by origin and check.
	acks map[flow.Origin][]spec.Exception
	used map[ackKey]bool
}

type ackKey struct {
	origin flow.Origin
	check  string
}

func newGuard(m spec.Mesh, flows []flow.Flow) *guard {
	g := &guard{m: m, services: map[string]spec.Service{}, external: map[string]spec.ExternalGroup{},
		tierIndex: map[string]int{}, acks: map[flow.Origin][]spec.Exception{}, used: map[ackKey]bool{}}
	for _, e := range m.ExternalGroups {
		g.external[e.Name] = e
	}
	for i, t := range m.Tiers {
		g.tierIndex[t.Name] = i
	}
	g.tierNets = tierNets(m)
	for _, s := range m.Services {
		g.services[s.Name] = s
		for i, r := range s.Ingress {
			if len(r.Exceptions) > 0 {
				g.acks[flow.At(s.Name, flow.Ingress, i)] = r.Exceptions
			}
		}
		for i, r := range s.Egress {
			if len(r.Exceptions) > 0 {
				g.acks[flow.At(s.Name, flow.Egress, i)] = r.Exceptions
			}
		}
	}
	return g
}

// acknowledged reports whether the declaration acknowledges check, and
// records that its exception was needed.
func (g *guard) acknowledged(o flow.Origin, check string) bool {
	if !slices.ContainsFunc(g.acks[o], func(e spec.Exception) bool { return e.Check == check }) {
		return false
	}
	g.used[ackKey{o, check}] = true
	return true
}

// report adds a finding for a flow's rule unless the rule acknowledges it.
func (g *guard) report(f flow.Flow, check, fix, format string, args ...any) {
	g.reportAt(f.Origin, check, fix, format, args...)
}

// reportAt adds a finding at a declaration unless it acknowledges it.
func (g *guard) reportAt(at flow.Origin, check, fix, format string, args ...any) {
	if g.acknowledged(at, check) {
		return
	}
	g.out.Add(check, at.Service, at.Rule, fix, format, args...)
}

// attached judges what services gain by the groups their instances carry
// (attachedWith, package reach), where it is more than the carried group's
// own rules were judged for: tier adjacency between the hosts when the
// declared flow keeps to adjacent tiers, and world-open on a host that is
// not internetFacing reached through an internetFacing group. (World-open
// admin ports and protocol all are judged on the declaring rule, whoever
// carries the group.) A flow through a shared group is exempt from
// adjacency, as the group's own flows are. The finding is on the carrying
// service's attachedWith, where no exception can acknowledge it: the fix is
// to carry fewer groups or to declare the access on the service's own group.
func (g *guard) attached(flows []flow.Flow) {
	attachments := make(map[string][]string, len(g.m.Services))
	for _, s := range g.m.Services {
		attachments[s.Name] = InterfaceGroups(s)
	}
	for _, f := range hostflow.Of(flows, attachments) {
		if len(f.Via) == 0 || f.Origin.Rule == flow.PolicyRule {
			continue
		}
		host := f.Carrier
		at := flow.Origin{Service: host, Rule: "attachedWith"}
		fix := fmt.Sprintf("remove %s from %s's attachedWith, or declare the access on %s's own group", strings.Join(f.Via, ", "), host, host)
		shared := slices.ContainsFunc(f.Via, func(v string) bool { return g.services[v].Shared || g.external[v].Shared })
		if _, _, dist := g.farthest(f.AsDeclared); !shared && dist <= 1 {
			g.tiersAt(f.Flow, at, fix)
		}
		if f.To.IsGroup(host) && f.From.IsWorld() &&
			g.services[f.AsDeclared.To.Service].InternetFacing && !g.services[host].InternetFacing {
			g.out.Add(finding.CheckWorldOpen, host, "attachedWith", fix,
				"%s is open to %s on a service that is not internetFacing: it carries %s, whose %s it is", f.Ports, f.From.CIDR,
				f.Origin.Service, f.Origin.Rule)
		}
	}
}

// exceptions rejects exceptions naming checks a rule cannot acknowledge and
// warns of those that acknowledged nothing.
func (g *guard) exceptions() {
	for _, s := range g.m.Services {
		check := func(o flow.Origin, es []spec.Exception) {
			where := o.Rule
			ackable := strings.Join(finding.Acknowledgeable(), ", ")
			for _, e := range es {
				c, known := finding.Lookup(e.Check)
				switch {
				case c.Acknowledgeable:
					if !g.used[ackKey{o, e.Check}] {
						g.out.Add(finding.CheckUnneededException, s.Name, where, "remove the exception",
							"exception for %s acknowledges nothing: the rule does not trigger it", e.Check)
					}
				case known:
					g.out.Add(finding.CheckUnknownException, s.Name, where,
						c.Instead+"; a rule can acknowledge: "+ackable,
						"check %q cannot be acknowledged by a rule's exception", e.Check)
				default:
					g.out.Add(finding.CheckUnknownException, s.Name, where, "use one of: "+ackable,
						"exception names unknown check %q", e.Check)
				}
			}
		}
		for i, r := range s.Ingress {
			if len(r.Exceptions) > 0 {
				check(flow.At(s.Name, flow.Ingress, i), r.Exceptions)
			}
		}
		for i, r := range s.Egress {
			if len(r.Exceptions) > 0 {
				check(flow.At(s.Name, flow.Egress, i), r.Exceptions)
			}
		}
	}
}
