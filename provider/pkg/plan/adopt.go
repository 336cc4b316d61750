package plan

import (
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// adoptedRules checks adopt.rules: each key must be a rule of its service
// (a stale key, left after tightening, is a warning), and a rule imported
// with its group must have an import id that names what exists, now and
// later: its peer group exists already (adopted, or an external group whose
// id is known at plan time), and it is not a cidrBlocksFrom rule.
func adoptedRules(m spec.Mesh, groups []rule.Group, rules []rule.Rule) finding.List {
	var out finding.List
	adopted := map[string]bool{}
	for _, g := range groups {
		adopted[g.Service] = g.AdoptID != ""
	}
	externalID := map[string]string{}
	for _, e := range m.ExternalGroups {
		externalID[e.Name] = e.SecurityGroupID
	}
	byKey := map[string]rule.Rule{}
	for _, r := range rules {
		byKey[r.Key] = r
	}
	for _, g := range groups {
		for _, key := range g.AdoptRules {
			r, ok := byKey[key]
			group, external, isGroup := r.Peer.GroupOf()
			switch {
			case !ok || r.Service != g.Service:
				out.Add(finding.CheckStaleAdoptRule, g.Service, "adopt.rules",
					"remove it from adopt.rules: it is imported only once, when the group is adopted",
					"adopt.rules names %q, which is not a rule of this service", key)
			case isGroup && !external && !adopted[group] && !r.Self():
				out.Add(finding.CheckInvalidAdopt, g.Service, "adopt.rules",
					"remove it from adopt.rules so it is created, or adopt "+group+"'s existing group too",
					"adopt.rules imports %q, but its peer %s is a new group, so the rule cannot exist yet", key, group)
			case isGroup && external && externalID[group] == "":
				out.Add(finding.CheckInvalidAdopt, g.Service, "adopt.rules",
					"give external group "+group+" a securityGroupId known at plan time (the literal sg-… or OWNER/sg-…) while the rule is adopted, or remove the rule from adopt.rules and revoke the existing permission before up",
					"adopt.rules imports %q, but external group %s's id is not known at plan time, and the rule's import id must name it", key, group)
			case r.Peer.IsList():
				out.Add(finding.CheckInvalidAdopt, g.Service, "adopt.rules",
					"adopt it with the list's values written as the "+r.Peer.Via.String()+" cidrBlocks (one rule per CIDR, each with a stable import id); move them to cidrBlocksFrom after the first up if they must come from an output",
					"adopt.rules imports %q, a cidrBlocksFrom rule: its import id would be built from the list's values, so a later change of the list makes pulumi re-import (failing, or silently dropping the old CIDRs from the state)", key)
			}
		}
	}
	return slices.Clip(out)
}
