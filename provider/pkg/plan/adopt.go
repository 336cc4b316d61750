package plan

import (
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// adoptedRules checks adopt.rules: each key must be a rule of its service
// (a stale key, left after tightening, is a warning), and a rule imported
// with its group can reference only groups that exist already: adopted ones.
func adoptedRules(groups []rule.Group, rules []rule.Rule) finding.List {
	var out finding.List
	adopted := map[string]bool{}
	for _, g := range groups {
		adopted[g.Service] = g.AdoptID != ""
	}
	byKey := map[string]rule.Rule{}
	for _, r := range rules {
		byKey[r.Key] = r
	}
	for _, g := range groups {
		for _, key := range g.AdoptRules {
			r, ok := byKey[key]
			switch {
			case !ok || r.Service != g.Service:
				out.Add(finding.CheckStaleAdoptRule, g.Service, "adopt.rules",
					"remove it from adopt.rules: it is imported only once, when the group is adopted",
					"adopt.rules names %q, which is not a rule of this service", key)
			case r.Peer.Kind == flow.Group && !adopted[r.Peer.Service]:
				out.Add(finding.CheckInvalidAdopt, g.Service, "adopt.rules",
					"remove it from adopt.rules so it is created, or adopt "+r.Peer.Service+"'s existing group too",
					"adopt.rules imports %q, but its peer %s is a new group, so the rule cannot exist yet", key, r.Peer.Service)
			}
		}
	}
	return slices.Clip(out)
}
