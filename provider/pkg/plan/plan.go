// Package plan runs the one-way pipeline from a declaration to what the
// Pulumi layer emits: validate -> resolve flows -> project rules -> guard
// (tier policy, quotas, lint).
// It imports nothing from Pulumi.
package plan

import (
	"cmp"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/guard"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/validate"
)

// Plan is everything a declaration yields, deterministic for a given input.
type Plan struct {
	// Tiers are the tier names, outermost first.
	Tiers      []string             `json:"tiers"`
	Groups     []rule.Group         `json:"groups"`
	Rules      []rule.Rule          `json:"rules"`
	Flows      []flow.Flow          `json:"flows"`
	RuleCounts map[string]RuleCount `json:"ruleCounts"`
	Findings   finding.List         `json:"findings"`
	QuotaUsage []guard.Usage        `json:"quotaUsage"`
}

// RuleCount is a group's number of rules in each direction.
type RuleCount struct {
	Inbound  int `json:"inbound"`
	Outbound int `json:"outbound"`
}

// Build plans a declaration. It returns the plan and, when any finding is an
// error, a *finding.Errors listing them all; the plan is then incomplete and
// must not be emitted.
func Build(m spec.Mesh) (*Plan, error) {
	p := &Plan{Findings: validate.Mesh(m)}
	if err := p.Findings.Err(); err != nil {
		return p, err
	}
	for _, t := range m.Tiers {
		p.Tiers = append(p.Tiers, t.Name)
	}
	p.Groups = rule.Groups(m)
	p.Flows = flow.Resolve(m)
	p.Rules = rule.Project(p.Flows, cmp.Or(m.Egress, spec.EgressAllowAll))
	p.RuleCounts = countRules(p.Groups, p.Rules)
	p.Findings = append(p.Findings, uniqueNames(p.Rules)...)
	p.Findings = append(p.Findings, adoptedRules(p.Groups, p.Rules)...)
	g := guard.Check(m, p.Groups, p.Flows, p.Rules)
	p.Findings = append(p.Findings, g.Findings...)
	p.QuotaUsage = g.Usage
	p.Findings.Sort()
	return p, p.Findings.Err()
}

func countRules(groups []rule.Group, rules []rule.Rule) map[string]RuleCount {
	out := make(map[string]RuleCount, len(groups))
	for _, g := range groups {
		out[g.Service] = RuleCount{}
	}
	for _, r := range rules {
		c := out[r.Service]
		if r.Direction == rule.Ingress {
			c.Inbound++
		} else {
			c.Outbound++
		}
		out[r.Service] = c
	}
	return out
}

// uniqueNames guards the one way two distinct rules could share a resource
// name: service names that embed another rule's name parts.
func uniqueNames(rules []rule.Rule) finding.List {
	var out finding.List
	seen := map[string]string{}
	for _, r := range rules {
		n := rule.Name(r)
		if other, ok := seen[n]; ok {
			out.Add(finding.Error, validate.CheckDuplicateName, r.Service, "", "rename one of the services so their names do not run into each other",
				"rules %q and %q would share the resource name %q", other, r.Key, n)
		}
		seen[n] = r.Key
	}
	return out
}
