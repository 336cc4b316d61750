// Package guard holds the guardrails that run on a planned mesh at preview:
// tier adjacency, quotas, a security lint, and EC2's own rules for names,
// descriptions and tags. A rule can acknowledge a finding on purpose with an
// exception {check, reason}; an acknowledged finding is not reported. It
// imports nothing from Pulumi.
package guard

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

// Check ids a rule's exceptions may name.
const (
	CheckTierAdjacency     = "tier-adjacency"
	CheckWorldOpen         = "world-open"
	CheckWorldOpenAdmin    = "world-open-admin-port"
	CheckWorldOpenAll      = "world-open-all"
	CheckWideCIDR          = "wide-cidr"
	CheckShadowedRule      = "shadowed-rule"
	CheckUnusedService     = "unused-service"
	CheckInvalidText       = "invalid-description"
	CheckInvalidTag        = "invalid-tag"
	CheckUnknownException  = "unknown-exception"
	CheckUnneededException = "unneeded-exception"
)

// Acknowledgeable lists the checks an exception may name, sorted.
var Acknowledgeable = []string{CheckTierAdjacency, CheckWideCIDR, CheckWorldOpen, CheckWorldOpenAdmin, CheckWorldOpenAll}

// Result is what the guardrails found.
type Result struct {
	Findings finding.List
	Usage    []Usage
}

// Check runs every guardrail over a validated declaration and its plan.
func Check(m spec.Mesh, flows []flow.Flow, rules []rule.Rule) Result {
	g := guard{m: m, services: map[string]spec.Service{}, tierIndex: map[string]int{}, used: map[string]bool{}}
	for i, t := range m.Tiers {
		g.tierIndex[t.Name] = i
	}
	for _, s := range m.Services {
		g.services[s.Name] = s
	}
	for _, f := range flows {
		g.tiers(f)
		g.lint(f)
	}
	g.unused(flows)
	g.shadowed(rules)
	g.ec2Text()
	g.exceptions()
	usage, qf := quotas(m, rules)
	g.out = append(g.out, qf...)
	g.out.Sort()
	return Result{Findings: g.out, Usage: usage}
}

type guard struct {
	m         spec.Mesh
	services  map[string]spec.Service
	tierIndex map[string]int
	out       finding.List
	// used records "service/rule/check" for every exception that suppressed a finding.
	used map[string]bool
}

// report adds a finding for a flow's rule unless the rule acknowledges it.
func (g *guard) report(f flow.Flow, sev finding.Severity, check, fix, format string, args ...any) {
	if slices.ContainsFunc(f.Exceptions, func(e spec.Exception) bool { return e.Check == check }) {
		g.used[f.Origin.Service+"/"+f.Origin.Rule+"/"+check] = true
		return
	}
	g.out.Add(sev, check, f.Origin.Service, f.Origin.Rule, fix, format, args...)
}

// tiers enforces the article's rule: a tier talks only to itself and its
// direct neighbours. Shared services (logging, monitoring, admin access) are
// exempt; a `tiers:` peer is checked like a service in that tier; networks,
// CIDRs and prefix lists are outside the tiers and not checked.
func (g *guard) tiers(f flow.Flow) {
	from, fromTier, ok1 := g.tierOf(f.From)
	to, toTier, ok2 := g.tierOf(f.To)
	if !ok1 || !ok2 || g.services[from].Shared || g.services[to].Shared {
		return
	}
	d := g.tierIndex[fromTier] - g.tierIndex[toTier]
	if d <= 1 && d >= -1 {
		return
	}
	lo, hi := min(g.tierIndex[fromTier], g.tierIndex[toTier]), max(g.tierIndex[fromTier], g.tierIndex[toTier])
	var between []string
	for _, t := range g.m.Tiers[lo+1 : hi] {
		between = append(between, t.Name)
	}
	g.report(f, finding.Error, CheckTierAdjacency,
		fmt.Sprintf("route it through a service in tier %s, mark a cross-cutting service shared, or add exceptions: [{check: %s, reason: ...}] to the rule",
			strings.Join(between, ", "), CheckTierAdjacency),
		"%s -> %s on %s skips tier %s", g.where(from, fromTier), g.where(to, toTier), f.Ports, strings.Join(between, ", "))
}

// where names an endpoint with its tier, once.
func (g *guard) where(name, tier string) string {
	if strings.HasPrefix(name, "tier ") {
		return name
	}
	return name + " (tier " + tier + ")"
}

// tierOf names an endpoint's tier: a service's own, or a tiers: peer's.
func (g *guard) tierOf(e flow.Endpoint) (name, tier string, ok bool) {
	if e.Kind == flow.Group {
		s, ok := g.services[e.Service]
		return e.Service, s.Tier, ok
	}
	if t, ok := strings.CutPrefix(e.Via, "tier:"); ok {
		return "tier " + t, t, true
	}
	return "", "", false
}

// lint flags world-open ingress and CIDRs wider than a reviewer expects.
func (g *guard) lint(f flow.Flow) {
	if f.Origin.Rule == flow.PolicyRule {
		return
	}
	peer := f.From
	if f.Declared == flow.Egress {
		peer = f.To
	}
	if peer.Kind != flow.CIDR {
		return
	}
	pre, err := netip.ParsePrefix(peer.CIDR)
	if err != nil {
		return
	}
	if pre.Bits() == 0 && f.Declared == flow.Ingress {
		g.worldOpen(f)
		return
	}
	if pre.Bits() > 0 && (pre.Addr().Is4() && pre.Bits() < 8 || pre.Addr().Is6() && pre.Bits() < 32) {
		g.report(f, finding.Warning, CheckWideCIDR, "narrow it to the addresses that need access, or acknowledge it with an exception",
			"%s is wider than /%d", peer.CIDR, map[bool]int{true: 8, false: 32}[pre.Addr().Is4()])
	}
}

func (g *guard) worldOpen(f flow.Flow) {
	svc := g.services[f.To.Service]
	world := f.From.CIDR
	ack := func(check string) string {
		return fmt.Sprintf("open it to the callers' groups or networks instead, or add exceptions: [{check: %s, reason: ...}]", check)
	}
	switch {
	case f.Ports.Protocol == ports.All:
		g.report(f, finding.Error, CheckWorldOpenAll, ack(CheckWorldOpenAll), "every protocol and port is open to %s", world)
	case len(wellknown.InRange(f.Ports.Protocol, f.Ports.From, f.Ports.To, wellknown.Admin)) > 0 ||
		len(wellknown.InRange(f.Ports.Protocol, f.Ports.From, f.Ports.To, wellknown.Database)) > 0:
		var names []string
		for _, k := range []wellknown.Kind{wellknown.Admin, wellknown.Database} {
			for _, p := range wellknown.InRange(f.Ports.Protocol, f.Ports.From, f.Ports.To, k) {
				names = append(names, fmt.Sprintf("%s %d", p.Description, p.Port))
			}
		}
		g.report(f, finding.Error, CheckWorldOpenAdmin, ack(CheckWorldOpenAdmin),
			"%s (%s) is open to %s", f.Ports, strings.Join(names, ", "), world)
	case !svc.InternetFacing:
		g.report(f, finding.Error, CheckWorldOpen, "mark the service internetFacing if it is a public endpoint, or "+ack(CheckWorldOpen),
			"%s is open to %s on a service that is not internetFacing", f.Ports, world)
	case !(ports.HasPorts(f.Ports.Protocol) && f.Ports.Protocol == ports.TCP && f.Ports.From == f.Ports.To && (f.Ports.From == 80 || f.Ports.From == 443)):
		g.report(f, finding.Error, CheckWorldOpen, "open only tcp/80 and tcp/443 to the internet, or "+ack(CheckWorldOpen),
			"%s is open to %s; only tcp/80 and tcp/443 may be", f.Ports, world)
	}
}

// unused warns of services nothing may reach and that reach nothing beyond
// the egress policy.
func (g *guard) unused(flows []flow.Flow) {
	touched := map[string]bool{}
	for _, f := range flows {
		if f.Origin.Rule == flow.PolicyRule {
			continue
		}
		touched[f.From.Service] = true
		touched[f.To.Service] = true
	}
	for _, s := range g.m.Services {
		if !touched[s.Name] && !slices.ContainsFunc(g.m.Services, func(o spec.Service) bool { return slices.Contains(o.AttachedWith, s.Name) }) {
			g.out.Add(finding.Warning, CheckUnusedService, s.Name, "", "give it ingress rules, name it as a peer, or remove it",
				"nothing may reach the service and it reaches nothing beyond the egress policy")
		}
	}
}

// shadowed warns of rules another rule of the same group, direction and peer
// already covers.
func (g *guard) shadowed(rules []rule.Rule) {
	type key struct {
		service string
		dir     rule.Direction
		peer    string
	}
	byKey := map[key][]rule.Rule{}
	for _, r := range rules {
		k := key{r.Service, r.Direction, r.Peer.ID()}
		byKey[k] = append(byKey[k], r)
	}
	for _, rs := range byKey {
		for _, r := range rs {
			for _, o := range rs {
				if o.Key != r.Key && o.Ports.Covers(r.Ports) {
					g.out.Add(finding.Warning, CheckShadowedRule, r.Service, string(r.Direction), "remove the narrower rule",
						"%s %s is already allowed by %s", r.Ports, peerText(r), o.Ports)
					break
				}
			}
		}
	}
}

func peerText(r rule.Rule) string {
	if r.Self() {
		return "from self"
	}
	if r.Direction == rule.Ingress {
		return "from " + r.Peer.Label()
	}
	return "to " + r.Peer.Label()
}

// ec2Chars are the characters EC2 allows in group and rule descriptions.
var ec2Chars = regexp.MustCompile(`^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*$`)

// ec2Text checks what EC2 would refuse at create time: descriptions and tags.
func (g *guard) ec2Text() {
	for _, s := range g.m.Services {
		rules := func(dir string, ts []spec.Traffic) {
			for i, t := range ts {
				if len(t.Description) > 255 || !ec2Chars.MatchString(t.Description) {
					g.out.Add(finding.Error, CheckInvalidText, s.Name, fmt.Sprintf("%s[%d]", dir, i),
						"use at most 255 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*", "description %q is not one EC2 accepts", t.Description)
				}
			}
		}
		rules("ingress", traffics(s.Ingress, func(r spec.IngressRule) spec.Traffic { return r.Traffic }))
		rules("egress", traffics(s.Egress, func(r spec.EgressRule) spec.Traffic { return r.Traffic }))
		if len(s.Description) > 256 {
			g.out.Add(finding.Error, CheckInvalidTag, s.Name, "description", "shorten it to 256 characters (it is kept in the Description tag)",
				"description is %d characters long", len(s.Description))
		}
	}
	const ours = 5 // Name, Service, Tier, ManagedBy, Description
	if n := len(g.m.Tags) + ours; n > 50 {
		g.out.Add(finding.Error, CheckInvalidTag, "", "tags", fmt.Sprintf("use at most %d tags (the component adds %d of EC2's 50)", 50-ours, ours),
			"%d tags are more than EC2 allows", n)
	}
	for k, v := range g.m.Tags {
		switch {
		case len(k) == 0 || len(k) > 128:
			g.out.Add(finding.Error, CheckInvalidTag, "", "tags", "use keys of 1 to 128 characters", "tag key %q has %d characters", k, len(k))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			g.out.Add(finding.Error, CheckInvalidTag, "", "tags", "rename it; the aws: prefix is reserved", "tag key %q starts with aws:", k)
		case len(v) > 256:
			g.out.Add(finding.Error, CheckInvalidTag, "", "tags", "shorten it to 256 characters", "tag %q has a value of %d characters", k, len(v))
		case slices.Contains([]string{"Name", "Service", "Tier", "ManagedBy", "Description"}, k):
			g.out.Add(finding.Error, CheckInvalidTag, "", "tags", "rename it; the component sets this tag on every group", "tag key %q is the component's own", k)
		}
	}
}

func traffics[R any](rs []R, get func(R) spec.Traffic) []spec.Traffic {
	out := make([]spec.Traffic, len(rs))
	for i, r := range rs {
		out[i] = get(r)
	}
	return out
}

// exceptions rejects exceptions naming unknown checks and warns of those
// that acknowledged nothing.
func (g *guard) exceptions() {
	for _, s := range g.m.Services {
		check := func(dir string, ts []spec.Traffic) {
			for i, t := range ts {
				where := fmt.Sprintf("%s[%d]", dir, i)
				for _, e := range t.Exceptions {
					switch {
					case !slices.Contains(Acknowledgeable, e.Check):
						g.out.Add(finding.Error, CheckUnknownException, s.Name, where, "use one of: "+strings.Join(Acknowledgeable, ", "),
							"exception names unknown check %q", e.Check)
					case !g.used[s.Name+"/"+where+"/"+e.Check]:
						g.out.Add(finding.Warning, CheckUnneededException, s.Name, where, "remove the exception",
							"exception for %s acknowledges nothing: the rule does not trigger it", e.Check)
					}
				}
			}
		}
		check("ingress", traffics(s.Ingress, func(r spec.IngressRule) spec.Traffic { return r.Traffic }))
		check("egress", traffics(s.Egress, func(r spec.EgressRule) spec.Traffic { return r.Traffic }))
	}
}
