package guard

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Defaults are AWS's documented quotas today. The article's 2016 figures are
// limits: {inboundRulesPerGroup: 50, outboundRulesPerGroup: 50,
// groupsPerInterface: 5, rulesTimesGroups: 250, groupsPerRegion: 500}.
var Defaults = spec.Limits{
	InboundRulesPerGroup:  60,
	OutboundRulesPerGroup: 60,
	GroupsPerInterface:    5,
	RulesTimesGroups:      1000,
	GroupsPerRegion:       2500,
}

// MaxGroupsPerInterface is AWS's hard ceiling on groups per interface.
const MaxGroupsPerInterface = 16

// Resolve fills unset (zero) limits with the defaults.
func Resolve(l *spec.Limits) spec.Limits {
	if l == nil {
		return Defaults
	}
	return spec.Limits{
		InboundRulesPerGroup:  cmp.Or(l.InboundRulesPerGroup, Defaults.InboundRulesPerGroup),
		OutboundRulesPerGroup: cmp.Or(l.OutboundRulesPerGroup, Defaults.OutboundRulesPerGroup),
		GroupsPerInterface:    cmp.Or(l.GroupsPerInterface, Defaults.GroupsPerInterface),
		RulesTimesGroups:      cmp.Or(l.RulesTimesGroups, Defaults.RulesTimesGroups),
		GroupsPerRegion:       cmp.Or(l.GroupsPerRegion, Defaults.GroupsPerRegion),
	}
}

// Usage is one quota figure against its limit (the quotaUsage output).
type Usage struct {
	Quota string `json:"quota"`
	Scope string `json:"scope"`
	Used  int    `json:"used"`
	Limit int    `json:"limit"`
}

// tradeOffs is the article's table of rules x groups, scaled to the bound.
func tradeOffs(bound int) string {
	return fmt.Sprintf("AWS trades rules per group against groups per interface within %d: e.g. %dx5, %dx10, %dx16 "+
		"(the article's 250: 50x5, 25x10, 10x25, 5x50); ask AWS for the pair you need and set limits to match",
		bound, bound/5, bound/10, bound/16)
}

// quotas computes every quota figure of the plan and reports overruns.
//
// What is counted, and against what:
//
//   - inbound/outboundRulesPerGroup, per group, per direction, IPv4 and IPv6
//     separately, as AWS enforces them. An emitted rule is one EC2 rule with
//     one peer. A CIDR counts once in its own family. A group reference
//     (self included) or a prefix list counts once in each family: AWS
//     counts a rule referencing a group or prefix list as one IPv4 and one
//     IPv6 rule. A customer-managed prefix list really counts as its maximum
//     size, which the plan cannot know, so it is counted as 1: leave
//     headroom for prefix lists.
//   - groupsPerInterface, per service: an interface of the service carries
//     its own group plus its distinct attachedWith groups. The limit input
//     must be 1..16 (AWS's ceiling).
//   - rulesTimesGroups. AWS's bound is on the quotas themselves: the rules
//     per group quota times the groups per interface quota may not exceed it
//     (1,000 today, 250 in the article). So the limits input is checked:
//     max(inbound, outbound) x groupsPerInterface <= rulesTimesGroups
//     (scope "limits"). For each interface the figure is also reported: the
//     rules its groups hold together, in the fullest direction and family,
//     against the same bound (scope "interface of X"). With limits that pass
//     the first check, an interface that passes the per-group and
//     per-interface checks is within the bound, so its overrun can only
//     accompany a limits error; it is still reported, naming the interface.
//   - groupsPerRegion: the mesh's groups. Other groups in the Region (each
//     VPC's default group, other stacks) count too and are invisible here.
//
// Every overrun names the group or interface, the count, the limit and the
// ways out. Zero limits take the defaults; negative ones are errors
// (invalid-limits), and nothing is reported as over a negative limit.
func quotas(m spec.Mesh, rules []rule.Rule) ([]Usage, finding.List) {
	lim := Resolve(m.Limits)
	var out finding.List
	var usage []Usage
	if lim.GroupsPerInterface < 1 || lim.GroupsPerInterface > MaxGroupsPerInterface {
		out.Add(finding.CheckInvalidLimits, "", "limits", fmt.Sprintf("set groupsPerInterface from 1 to %d", MaxGroupsPerInterface),
			"groupsPerInterface %d is outside AWS's 1-%d", lim.GroupsPerInterface, MaxGroupsPerInterface)
	}
	for _, l := range []struct {
		name string
		v    int
	}{{"inboundRulesPerGroup", lim.InboundRulesPerGroup}, {"outboundRulesPerGroup", lim.OutboundRulesPerGroup},
		{"rulesTimesGroups", lim.RulesTimesGroups}, {"groupsPerRegion", lim.GroupsPerRegion}} {
		if l.v < 0 {
			out.Add(finding.CheckInvalidLimits, "", "limits", "use a positive number, or leave it out for AWS's default", "%s is negative (%d)", l.name, l.v)
		}
	}

	perGroup := max(lim.InboundRulesPerGroup, lim.OutboundRulesPerGroup)
	product, capped := saturatingMul(perGroup, lim.GroupsPerInterface)
	usage = append(usage, Usage{"rulesTimesGroups", "limits", product, lim.RulesTimesGroups})
	if product > lim.RulesTimesGroups && lim.RulesTimesGroups >= 0 && lim.GroupsPerInterface >= 1 && perGroup >= 0 {
		is := "="
		if capped {
			is = "is more than"
		}
		out.Add(finding.CheckRulesTimesGroups, "", "limits", tradeOffs(max(lim.RulesTimesGroups, 0)),
			"%d rules per group x %d groups per interface %s %d, over AWS's bound of %d", perGroup, lim.GroupsPerInterface,
			is, product, lim.RulesTimesGroups)
	}

	counts := map[string]*counter{}
	for _, s := range m.Services {
		counts[s.Name] = &counter{}
	}
	for _, r := range rules {
		counts[r.Service].add(r)
	}
	for _, s := range m.Services {
		c := counts[s.Name]
		for _, f := range c.figures(lim) {
			usage = append(usage, Usage{f.quota, "group " + s.Name, f.used, f.limit})
			if f.used > f.limit && f.limit >= 0 {
				out.Add(finding.CheckRulesPerGroup, s.Name, "",
					"split the service into narrower groups, merge ports into ranges, use a prefix list, or raise the limit with AWS (then set limits); "+tradeOffs(lim.RulesTimesGroups),
					"group has %d %s rules, over the limit of %d", f.used, f.quota, f.limit)
			}
		}

		groups := InterfaceGroups(s)
		usage = append(usage, Usage{"groupsPerInterface", "interface of " + s.Name, len(groups), lim.GroupsPerInterface})
		if len(groups) > lim.GroupsPerInterface && lim.GroupsPerInterface >= 1 {
			out.Add(finding.CheckGroupsPerInterface, s.Name, "attachedWith",
				fmt.Sprintf("attach fewer groups, or raise groupsPerInterface (up to %d) and lower rules per group to stay within the bound; ", MaxGroupsPerInterface)+tradeOffs(lim.RulesTimesGroups),
				"its network interfaces carry %d groups (%s), over the limit of %d", len(groups), strings.Join(groups, ", "), lim.GroupsPerInterface)
		}
		var sum counter
		for _, gname := range groups {
			if c := counts[gname]; c != nil { // an external group's own rules are not the mesh's to count
				sum.plus(*c)
			}
		}
		total := sum.fullest()
		usage = append(usage, Usage{"rulesTimesGroups", "interface of " + s.Name, total.used, lim.RulesTimesGroups})
		if total.used > lim.RulesTimesGroups && lim.RulesTimesGroups >= 0 {
			out.Add(finding.CheckRulesTimesGroups, s.Name, "attachedWith", tradeOffs(max(lim.RulesTimesGroups, 0)),
				"its network interfaces' %d groups hold %d %s rules together, over AWS's bound of %d", len(groups), total.used, total.quota, lim.RulesTimesGroups)
		}
		for i, other := range s.AttachedWith {
			switch {
			case other == s.Name:
				out.Add(finding.CheckRedundantAttachment, s.Name, "attachedWith", "remove it; list only the other services whose groups the instances carry",
					"attachedWith names the service itself, whose group its interfaces carry anyway")
			case slices.Contains(s.AttachedWith[:i], other):
				out.Add(finding.CheckRedundantAttachment, s.Name, "attachedWith", "list each service once",
					"attachedWith names %q more than once (an interface carries a group once)", other)
			}
		}
	}

	usage = append(usage, Usage{"groupsPerRegion", "mesh", len(m.Services), lim.GroupsPerRegion})
	if len(m.Services) > lim.GroupsPerRegion && lim.GroupsPerRegion >= 0 {
		out.Add(finding.CheckGroupsPerRegion, "", "services", "request a higher quota from AWS and set limits.groupsPerRegion, or split the mesh across Regions",
			"the mesh declares %d groups, over the limit of %d per Region", len(m.Services), lim.GroupsPerRegion)
	}
	slices.SortStableFunc(usage, func(a, b Usage) int { return cmp.Or(cmp.Compare(a.Quota, b.Quota), cmp.Compare(a.Scope, b.Scope)) })
	return usage, out
}

// InterfaceGroups lists the groups a service's interfaces carry: its own,
// then its distinct attachedWith groups in order. The component's
// attachments output is this list, so the quota counts what users attach.
func InterfaceGroups(s spec.Service) []string {
	out := []string{s.Name}
	for _, o := range s.AttachedWith {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// counter counts a group's rules by direction and family.
type counter struct{ in4, in6, out4, out6 int }

// add counts one emitted rule: a CIDR in its own family, a group reference
// or prefix list in both (see quotas).
func (c *counter) add(r rule.Rule) {
	four, six := &c.in4, &c.in6
	if r.Direction == rule.Egress {
		four, six = &c.out4, &c.out6
	}
	v4, v6 := r.Peer.Families()
	if v4 {
		*four++
	}
	if v6 {
		*six++
	}
}

func (c *counter) plus(o counter) {
	c.in4, c.in6, c.out4, c.out6 = c.in4+o.in4, c.in6+o.in6, c.out4+o.out4, c.out6+o.out6
}

type figure struct {
	quota       string
	used, limit int
}

// figures are the four per-group figures, in a fixed order.
func (c counter) figures(lim spec.Limits) []figure {
	return []figure{
		{"inboundRulesPerGroup (IPv4)", c.in4, lim.InboundRulesPerGroup},
		{"inboundRulesPerGroup (IPv6)", c.in6, lim.InboundRulesPerGroup},
		{"outboundRulesPerGroup (IPv4)", c.out4, lim.OutboundRulesPerGroup},
		{"outboundRulesPerGroup (IPv6)", c.out6, lim.OutboundRulesPerGroup},
	}
}

// fullest is the largest of the four figures (the first of equals).
func (c counter) fullest() figure {
	fs := c.figures(spec.Limits{})
	best := fs[0]
	for _, f := range fs[1:] {
		if f.used > best.used {
			best = f
		}
	}
	best.quota = map[string]string{
		"inboundRulesPerGroup (IPv4)": "inbound IPv4", "inboundRulesPerGroup (IPv6)": "inbound IPv6",
		"outboundRulesPerGroup (IPv4)": "outbound IPv4", "outboundRulesPerGroup (IPv6)": "outbound IPv6",
	}[best.quota]
	return best
}

// saturatingMul multiplies limits without overflowing: the product of
// positive operands saturates at the largest int (capped); a non-positive
// operand (an error reported elsewhere) yields 0.
func saturatingMul(a, b int) (product int, capped bool) {
	switch {
	case a <= 0 || b <= 0:
		return 0, false
	case a > math.MaxInt/b:
		return math.MaxInt, true
	}
	return a * b, false
}
