package guard

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/hostflow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

// Widest CIDRs the lint accepts without a warning. The IPv6 analogue of an
// IPv4 /8 is /32: the size of a large RIR allocation to one network.
const (
	widestIPv4 = 8
	widestIPv6 = 32
)

// lint checks a declared flow's CIDR peer: ingress from the whole world
// (0.0.0.0/0 or ::/0, however it was named: internet, a network, a CIDR or a
// tier, or CIDRs that cover it together: hostflow.Exposures) is world-open, as
// is ingress on an admin or database port from CIDRs covering at least a
// /hostflow.WideBits; any other peer wider than /8 (IPv4) or /32 (IPv6), in
// either direction, is a wide-cidr warning. Egress to the world is what the
// egress policy and internet egress rules are for, and is not linted.
func (g *guard) lint(f flow.Flow, exp hostflow.Exposure) {
	if f.Origin.Rule == flow.PolicyRule {
		return
	}
	peer := f.From
	if f.Declared == flow.Egress {
		peer = f.To
	}
	if !peer.IsCIDR() {
		return
	}
	pre, err := netip.ParsePrefix(peer.CIDR)
	if err != nil {
		return
	}
	if world := worldText(f, exp); world != "" && f.Declared == flow.Ingress {
		g.worldOpen(f, world)
	}
	widest := map[bool]int{true: widestIPv4, false: widestIPv6}[pre.Addr().Is4()]
	if pre.Bits() > 0 && pre.Bits() < widest {
		g.report(f, finding.CheckWideCIDR,
			fmt.Sprintf("narrow it to the addresses that need access, or add exceptions: [{check: %s, reason: ...}]", finding.CheckWideCIDR),
			"%s is wider than /%d", peer.CIDR, widest)
	}
}

// worldText names the world a flow from CIDRs is open to, "" if it is not:
// its CIDR (0.0.0.0/0), or the CIDRs that cover it together.
func worldText(f flow.Flow, exp hostflow.Exposure) string {
	switch {
	case !f.From.IsCIDR():
		return ""
	case f.From.IsWorld():
		return f.From.CIDR
	case exp.World && exp.Whole:
		return strings.Join(exp.Together, ", ") + " (together, the whole address space)"
	case exp.World:
		return fmt.Sprintf("%s (at least a /%d of the address space, as good as the world on an admin or database port)",
			strings.Join(exp.Together, ", "), hostflow.WideBits)
	}
	return ""
}

// worldOpenAt judges ingress from the world, most serious first: every
// protocol; then admin and database ports (wellknown kinds admin and
// database), on any service; then anything on a service that is not
// internetFacing; then anything but tcp/80 and tcp/443.
func (g *guard) worldOpen(f flow.Flow, world string) {
	svc := g.services[f.To.Service]
	ack := func(check string) string {
		return fmt.Sprintf("open it to the callers' groups or networks instead, or add exceptions: [{check: %s, reason: ...}]", check)
	}
	var sensitive []string
	for _, k := range []wellknown.Kind{wellknown.Admin, wellknown.Database} {
		for _, p := range wellknown.InRange(f.Ports.Protocol, f.Ports.From, f.Ports.To, k) {
			sensitive = append(sensitive, fmt.Sprintf("%s %d", p.Description, p.Port))
		}
	}
	switch {
	case f.Ports.Protocol == ports.All:
		g.report(f, finding.CheckWorldOpenAll, ack(finding.CheckWorldOpenAll), "every protocol and port is open to %s", world)
	case len(sensitive) > 0:
		g.report(f, finding.CheckWorldOpenAdmin, ack(finding.CheckWorldOpenAdmin),
			"%s (%s) is open to %s", f.Ports, strings.Join(sensitive, ", "), world)
	case !svc.InternetFacing:
		g.report(f, finding.CheckWorldOpen, "mark the service internetFacing if it is a public endpoint, or "+ack(finding.CheckWorldOpen),
			"%s is open to %s on a service that is not internetFacing", f.Ports, world)
	case !isWebPort(f.Ports):
		g.report(f, finding.CheckWorldOpen, "open only tcp/80 and tcp/443 to the internet, or "+ack(finding.CheckWorldOpen),
			"%s is open to %s; only tcp/80 and tcp/443 may be", f.Ports, world)
	}
}

// isWebPort reports whether r is exactly tcp/80 or tcp/443 (wellknown kind web).
func isWebPort(r ports.Range) bool {
	if r.Protocol != ports.TCP || r.From != r.To {
		return false
	}
	p, ok := wellknown.Lookup(r.Protocol, r.From)
	return ok && p.Kind == wellknown.Web
}

// unused warns of services nothing may reach and that reach nothing beyond
// the egress policy. A service other services' interfaces carry
// (attachedWith) is in use: its members are those instances.
func (g *guard) unused(flows []flow.Flow) {
	touched := map[string]bool{}
	for _, f := range flows {
		if f.Origin.Rule == flow.PolicyRule {
			continue
		}
		for _, e := range []flow.Endpoint{f.From, f.To} {
			if service, ok := e.Group(); ok {
				touched[service] = true
			}
		}
	}
	for _, s := range g.m.Services {
		for _, other := range s.AttachedWith {
			if other != s.Name {
				touched[other] = true
			}
		}
	}
	for _, s := range g.m.Services {
		if !touched[s.Name] {
			g.out.Add(finding.CheckUnusedService, s.Name, "", "give it ingress rules, name it as a peer, or remove it",
				"nothing may reach the service and it reaches nothing beyond the egress policy")
		}
	}
}

// shadowed warns of emitted rules that add nothing: one another rule of the
// same group, direction and peer covers (ports.Range.Covers), or one that
// two declarations both yield. The warning is on each declaration the user
// wrote that yields the redundant rule (not on the egress policy or a mirror
// copy, which they did not write), and names what already allows it.
func (g *guard) shadowed(rules []rule.Rule) {
	type key struct {
		service string
		dir     rule.Direction
		peer    flow.Endpoint
	}
	byKey := make(map[key][]int, len(rules))
	for i, r := range rules {
		k := key{r.Service, r.Direction, r.Peer}
		byKey[k] = append(byKey[k], i)
	}
	for _, r := range rules {
		srcs := r.Sources
		var by string
		same := byKey[key{r.Service, r.Direction, r.Peer}]
		if i := slices.IndexFunc(same, func(o int) bool {
			return rules[o].Key != r.Key && rules[o].Ports.Covers(r.Ports)
		}); i >= 0 {
			o := rules[same[i]]
			by = o.Ports.String()
			if len(o.Sources) > 0 {
				by += " of " + o.Sources[0].Text(r.Service)
			}
		} else if len(srcs) > 1 {
			// Two declarations yield this very rule: the first (the policy or a
			// mirror copy, else the first declared) stands, the others repeat it.
			by = srcs[0].Text(r.Service)
			srcs = srcs[1:]
		} else {
			continue
		}
		for _, s := range srcs {
			if !s.Written() || g.acknowledged(s.Origin, finding.CheckShadowedRule) {
				continue
			}
			g.out.Add(finding.CheckShadowedRule, s.Service, s.Rule,
				fmt.Sprintf("remove the redundant part of the rule, or add exceptions: [{check: %s, reason: ...}]", finding.CheckShadowedRule),
				"%s %s is already allowed by %s", r.Ports, peerText(r), by)
		}
	}
}

func peerText(r rule.Rule) string {
	switch {
	case r.Self() && r.Direction == rule.Ingress:
		return "ingress from self"
	case r.Self():
		return "egress to self"
	}
	if r.Direction == rule.Ingress {
		return "ingress from " + r.Peer.Label()
	}
	return "egress to " + r.Peer.Label()
}
