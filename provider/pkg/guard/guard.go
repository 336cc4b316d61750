// Package guard holds the guardrails that run on a planned mesh at preview,
// after rule projection: tier adjacency, quotas, a security lint, and EC2's
// own rules for names, descriptions and tags. It imports nothing from Pulumi.
//
// # Check ids
//
// Every finding carries a stable kebab-case check id (the constants below and
// in limits.go); tests, tooling and exceptions match on it.
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
//   - Only the checks in Acknowledgeable can be acknowledged: they are about
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
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/validate"
)

// Check ids of the tier policy, the lint, EC2's rules and exceptions.
const (
	// CheckTierAdjacency: a flow between tiers that are neither equal nor adjacent.
	CheckTierAdjacency = "tier-adjacency"
	// CheckWorldOpen: ingress from 0.0.0.0/0 or ::/0 other than tcp/80 and
	// tcp/443 of an internetFacing service.
	CheckWorldOpen = "world-open"
	// CheckWorldOpenAdmin: an admin (SSH, RDP) or database port open to the world.
	CheckWorldOpenAdmin = "world-open-admin-port"
	// CheckWorldOpenAll: protocol all open to the world.
	CheckWorldOpenAll = "world-open-all"
	// CheckWideCIDR (warning): a peer CIDR wider than /8 (IPv4) or /32 (IPv6).
	CheckWideCIDR = "wide-cidr"
	// CheckShadowedRule (warning): a rule another rule of the same group,
	// direction and peer already allows, or that two declarations both yield.
	CheckShadowedRule = "shadowed-rule"
	// CheckUnusedService (warning): nothing may reach the service and it
	// reaches nothing beyond the egress policy.
	CheckUnusedService = "unused-service"
	// CheckRedundantAttachment (warning): attachedWith names the service itself
	// or one service twice.
	CheckRedundantAttachment = "redundant-attachment"
	// CheckInvalidText: a group or rule description EC2 would refuse.
	CheckInvalidText = "invalid-description"
	// CheckInvalidTag: a tag EC2 would refuse, or too many tags.
	CheckInvalidTag = "invalid-tag"
	// CheckInvalidName: a group name EC2 would refuse (validate owns this id
	// for the declared names; guard checks the names as emitted).
	CheckInvalidName = validate.CheckInvalidName
	// CheckDuplicateName: two group names EC2 considers equal (case-insensitive).
	CheckDuplicateName = validate.CheckDuplicateName
	// CheckUnknownException: an exception names a check a rule cannot acknowledge.
	CheckUnknownException = "unknown-exception"
	// CheckUnneededException (warning): an exception acknowledges nothing.
	CheckUnneededException = "unneeded-exception"
)

// Acknowledgeable lists the checks a rule's exception may name, sorted.
var Acknowledgeable = []string{CheckShadowedRule, CheckTierAdjacency, CheckWideCIDR,
	CheckWorldOpen, CheckWorldOpenAdmin, CheckWorldOpenAll}

// notPerRule are real checks that are not about one rule, with what to do
// instead of an exception.
var notPerRule = map[string]string{
	CheckRulesPerGroup:       "quotas cannot be acknowledged; raise limits to what AWS granted your account",
	CheckGroupsPerInterface:  "quotas cannot be acknowledged; raise limits to what AWS granted your account",
	CheckRulesTimesGroups:    "quotas cannot be acknowledged; raise limits to what AWS granted your account",
	CheckGroupsPerRegion:     "quotas cannot be acknowledged; raise limits to what AWS granted your account",
	CheckInvalidLimits:       "fix the limits input",
	CheckUnusedService:       "it is a warning about a service, not a rule; remove the service or give it rules",
	CheckRedundantAttachment: "it is a warning about attachedWith; remove the repeated name",
	CheckInvalidText:         "EC2 would refuse the description; change it",
	CheckInvalidTag:          "EC2 would refuse the tag; change it",
	CheckInvalidName:         "EC2 would refuse the name; change it",
	CheckDuplicateName:       "EC2 would refuse the name; change it",
	CheckUnknownException:    "fix the exception",
	CheckUnneededException:   "remove the exception",
	// Structural checks stop the plan before any guardrail runs.
	validate.CheckUnknownReference: structural,
	validate.CheckInvalidCIDR:      structural,
	validate.CheckInvalidPeer:      structural,
	validate.CheckInvalidException: structural,
	validate.CheckInvalidEgress:    structural,
	validate.CheckEmpty:            structural,
	"invalid-port":                 structural,
	"invalid-protocol":             structural,
}

const structural = "it is a structural error that nothing can acknowledge; fix the declaration"

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
	for _, f := range flows {
		g.tiers(f)
		g.lint(f)
	}
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
	// sources are the declarations each emitted rule comes from.
	sources map[ruleID][]source
}

// ruleID is an emitted rule's identity, as rule.Key spells it, without
// building the string (this runs once per flow on the planner's hot path).
type ruleID struct {
	service string
	dir     rule.Direction
	ports   ports.Range
	peer    flow.Endpoint
}

func idOf(r rule.Rule) ruleID { return ruleID{r.Service, r.Direction, r.Ports, r.Peer} }

type ackKey struct {
	origin flow.Origin
	check  string
}

// source is one declaration an emitted rule comes from. Mirrored marks the
// caller-side egress copy the mirror policy makes of an ingress rule.
type source struct {
	flow.Origin
	mirrored bool
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
			g.acks[flow.Origin{Service: s.Name, Rule: ruleName(flow.Ingress, i)}] = r.Exceptions
		}
		for i, r := range s.Egress {
			g.acks[flow.Origin{Service: s.Name, Rule: ruleName(flow.Egress, i)}] = r.Exceptions
		}
	}
	g.sources = sources(flows, cmp.Or(m.Egress, spec.EgressAllowAll))
	return g
}

func ruleName(dir string, i int) string { return dir + "[" + strconv.Itoa(i) + "]" }

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
func (g *guard) report(f flow.Flow, sev finding.Severity, check, fix, format string, args ...any) {
	if g.acknowledged(f.Origin, check) {
		return
	}
	g.out.Add(sev, check, f.Origin.Service, f.Origin.Rule, fix, format, args...)
}

// sources replays rule.Project to learn which declarations each emitted rule
// comes from, so findings about rules can name the rule a user wrote.
func sources(flows []flow.Flow, policy spec.EgressPolicy) map[ruleID][]source {
	out := make(map[ruleID][]source, len(flows))
	add := func(service string, dir rule.Direction, peer flow.Endpoint, f flow.Flow, mirrored bool) {
		if peer.Kind != flow.CIDRList { // as rule.Project keys rules
			peer.Via = ""
		}
		k := ruleID{service, dir, f.Ports, peer}
		s := source{f.Origin, mirrored}
		if !slices.Contains(out[k], s) {
			out[k] = append(out[k], s)
		}
	}
	for _, f := range flows {
		switch f.Declared {
		case flow.Ingress:
			add(f.To.Service, rule.Ingress, f.From, f, false)
			if policy == spec.EgressMirror && f.From.Kind == flow.Group {
				add(f.From.Service, rule.Egress, f.To, f, true)
			}
		case flow.Egress:
			add(f.From.Service, rule.Egress, f.To, f, false)
		}
	}
	for _, ss := range out {
		slices.SortFunc(ss, compareSources)
	}
	return out
}

// compareSources orders what a user did not write (the egress policy, mirror
// copies) first, then declarations by service, direction and index.
func compareSources(a, b source) int {
	written := func(s source) int {
		if s.mirrored || s.Rule == flow.PolicyRule {
			return 0
		}
		return 1
	}
	dir := func(s source) (string, int) {
		d, idx, _ := strings.Cut(strings.TrimSuffix(s.Rule, "]"), "[")
		n, _ := strconv.Atoi(idx)
		return d, n
	}
	ad, ai := dir(a)
	bd, bi := dir(b)
	return cmp.Or(cmp.Compare(written(a), written(b)), cmp.Compare(a.Service, b.Service),
		cmp.Compare(ad, bd), cmp.Compare(ai, bi))
}

// describe names a source for a reader, relative to the service a finding is on.
func (s source) describe(on string) string {
	switch {
	case s.Rule == flow.PolicyRule:
		return "the egress policy"
	case s.mirrored:
		return "the mirror egress of " + s.Service + " " + s.Rule
	case s.Service == on:
		return s.Rule
	default:
		return s.Service + " " + s.Rule
	}
}

// exceptions rejects exceptions naming checks a rule cannot acknowledge and
// warns of those that acknowledged nothing.
func (g *guard) exceptions() {
	for _, s := range g.m.Services {
		check := func(where string, es []spec.Exception) {
			for _, e := range es {
				instead, known := notPerRule[e.Check]
				switch {
				case slices.Contains(Acknowledgeable, e.Check):
					if !g.used[ackKey{flow.Origin{Service: s.Name, Rule: where}, e.Check}] {
						g.out.Add(finding.Warning, CheckUnneededException, s.Name, where, "remove the exception",
							"exception for %s acknowledges nothing: the rule does not trigger it", e.Check)
					}
				case known:
					g.out.Add(finding.Error, CheckUnknownException, s.Name, where,
						instead+"; a rule can acknowledge: "+strings.Join(Acknowledgeable, ", "),
						"check %q cannot be acknowledged by a rule's exception", e.Check)
				default:
					g.out.Add(finding.Error, CheckUnknownException, s.Name, where, "use one of: "+strings.Join(Acknowledgeable, ", "),
						"exception names unknown check %q", e.Check)
				}
			}
		}
		for i, r := range s.Ingress {
			check(ruleName(flow.Ingress, i), r.Exceptions)
		}
		for i, r := range s.Egress {
			check(ruleName(flow.Egress, i), r.Exceptions)
		}
	}
}
