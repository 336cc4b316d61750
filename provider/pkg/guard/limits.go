package guard

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Defaults are AWS's documented quotas today. The article's 2016 figures are
// InboundRulesPerGroup 50, GroupsPerInterface 5, RulesTimesGroups 250,
// GroupsPerRegion 500, and can be set through the limits input.
var Defaults = spec.Limits{
	InboundRulesPerGroup:  60,
	OutboundRulesPerGroup: 60,
	GroupsPerInterface:    5,
	RulesTimesGroups:      1000,
	GroupsPerRegion:       2500,
}

// MaxGroupsPerInterface is AWS's hard ceiling on groups per interface.
const MaxGroupsPerInterface = 16

// Resolve fills unset limits with the defaults.
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

// Quota check ids.
const (
	CheckRulesPerGroup      = "quota-rules-per-group"
	CheckGroupsPerInterface = "quota-groups-per-interface"
	CheckRulesTimesGroups   = "quota-rules-times-groups"
	CheckGroupsPerRegion    = "quota-groups-per-region"
	CheckInvalidLimits      = "invalid-limits"
)

// tradeOffs is the article's table of rules x groups, scaled to the bound.
func tradeOffs(bound int) string {
	return fmt.Sprintf("AWS trades rules per group against groups per interface within %d: e.g. %dx5, %dx10, %dx16 "+
		"(the article's 250: 50x5, 25x10, 10x25, 5x50); ask AWS for the pair you need and set limits to match",
		bound, bound/5, bound/10, bound/16)
}

// quotas counts every figure and reports overruns. Rules count per group and
// direction, IPv4 and IPv6 separately as AWS enforces them; a group reference
// or a prefix list counts once in each family (a customer-managed prefix list
// really counts as its maximum size, which the plan cannot know). An
// interface carries a service's group plus its attachedWith groups.
func quotas(m spec.Mesh, rules []rule.Rule) ([]Usage, finding.List) {
	lim := Resolve(m.Limits)
	var out finding.List
	if lim.GroupsPerInterface < 1 || lim.GroupsPerInterface > MaxGroupsPerInterface {
		out.Add(finding.Error, CheckInvalidLimits, "", "limits", fmt.Sprintf("set groupsPerInterface from 1 to %d", MaxGroupsPerInterface),
			"groupsPerInterface %d is outside AWS's 1-%d", lim.GroupsPerInterface, MaxGroupsPerInterface)
	}
	for _, l := range []struct {
		name string
		v    int
	}{{"inboundRulesPerGroup", lim.InboundRulesPerGroup}, {"outboundRulesPerGroup", lim.OutboundRulesPerGroup},
		{"rulesTimesGroups", lim.RulesTimesGroups}, {"groupsPerRegion", lim.GroupsPerRegion}} {
		if l.v < 0 {
			out.Add(finding.Error, CheckInvalidLimits, "", "limits", "use a positive number, or leave it out for AWS's default", "%s is negative (%d)", l.name, l.v)
		}
	}
	perGroup := max(lim.InboundRulesPerGroup, lim.OutboundRulesPerGroup)
	var usage []Usage
	usage = append(usage, Usage{"rulesTimesGroups", "limits", perGroup * lim.GroupsPerInterface, lim.RulesTimesGroups})
	if perGroup*lim.GroupsPerInterface > lim.RulesTimesGroups {
		out.Add(finding.Error, CheckRulesTimesGroups, "", "limits", tradeOffs(lim.RulesTimesGroups),
			"%d rules per group x %d groups per interface = %d, over AWS's bound of %d", perGroup, lim.GroupsPerInterface,
			perGroup*lim.GroupsPerInterface, lim.RulesTimesGroups)
	}

	type counter struct{ in4, in6, out4, out6 int }
	counts := map[string]*counter{}
	for _, s := range m.Services {
		counts[s.Name] = &counter{}
	}
	for _, r := range rules {
		c := counts[r.Service]
		// A CIDR counts in its own family; a group reference or prefix list
		// counts once in each, as AWS counts it.
		v4, v6 := !r.IPv6(), r.IPv6() || r.Peer.Kind != flow.CIDR
		four, six := &c.in4, &c.in6
		if r.Direction == rule.Egress {
			four, six = &c.out4, &c.out6
		}
		if v4 {
			*four++
		}
		if v6 {
			*six++
		}
	}
	for _, s := range m.Services {
		c := counts[s.Name]
		for _, f := range []struct {
			quota string
			used  int
			limit int
		}{{"inboundRulesPerGroup (IPv4)", c.in4, lim.InboundRulesPerGroup}, {"inboundRulesPerGroup (IPv6)", c.in6, lim.InboundRulesPerGroup},
			{"outboundRulesPerGroup (IPv4)", c.out4, lim.OutboundRulesPerGroup}, {"outboundRulesPerGroup (IPv6)", c.out6, lim.OutboundRulesPerGroup}} {
			usage = append(usage, Usage{f.quota, "group " + s.Name, f.used, f.limit})
			if f.used > f.limit {
				out.Add(finding.Error, CheckRulesPerGroup, s.Name, "",
					"split the service into narrower groups, merge ports into ranges, use a prefix list, or raise the limit with AWS (then set limits); "+tradeOffs(lim.RulesTimesGroups),
					"group has %d %s rules, over the limit of %d", f.used, f.quota, f.limit)
			}
		}
		groups := 1 + len(s.AttachedWith)
		usage = append(usage, Usage{"groupsPerInterface", "interface of " + s.Name, groups, lim.GroupsPerInterface})
		if groups > lim.GroupsPerInterface {
			out.Add(finding.Error, CheckGroupsPerInterface, s.Name, "attachedWith",
				"attach fewer groups, or raise groupsPerInterface (up to 16) and lower rules per group to stay within the bound; "+tradeOffs(lim.RulesTimesGroups),
				"its network interfaces carry %d groups, over the limit of %d", groups, lim.GroupsPerInterface)
		}
	}
	usage = append(usage, Usage{"groupsPerRegion", "mesh", len(m.Services), lim.GroupsPerRegion})
	if len(m.Services) > lim.GroupsPerRegion {
		out.Add(finding.Error, CheckGroupsPerRegion, "", "services", "request a higher quota from AWS and set limits.groupsPerRegion, or split the mesh across Regions",
			"the mesh declares %d groups, over the limit of %d per Region", len(m.Services), lim.GroupsPerRegion)
	}
	slices.SortStableFunc(usage, func(a, b Usage) int { return cmp.Or(cmp.Compare(a.Quota, b.Quota), cmp.Compare(a.Scope, b.Scope)) })
	return usage, out
}
