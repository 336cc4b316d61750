package plan

import (
	"fmt"
	"slices"
	"strings"

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
				out.Add(finding.CheckStaleAdoptRule, g.Service, "adopt.rules", staleFix(key, g.Service, rules),
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

// staleFix says what to do with a stale adopt.rules key. A key begins with
// its service's name, so after a rename every key of the service is stale
// while its rule still exists in AWS: removing the key would make pulumi up
// create that rule again, which EC2 refuses as a duplicate.
func staleFix(key, service string, rules []rule.Rule) string {
	for _, r := range rules {
		// The key of the same rule under another service name.
		if r.Service == service && strings.HasSuffix(key, strings.TrimPrefix(r.Key, r.Service)) {
			return fmt.Sprintf("if %s was renamed, rename the key to %q: keys begin with the service's name, and removing the key "+
				"would make pulumi up create the existing rule again (EC2 refuses the duplicate)", service, r.Key)
		}
	}
	return "if the service was renamed, rename the key's prefix to its new name (removing it would make pulumi up create the " +
		"existing rule again, which EC2 refuses as a duplicate); if the rule was removed from the declaration, remove the key: " +
		"a rule is imported only once, when its group is adopted"
}
