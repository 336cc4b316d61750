// Package plan runs the one-way pipeline from a declaration to what the
// Pulumi layer emits: validate -> resolve flows -> project rules -> guard
// (tier policy, quotas, lint).
// It imports nothing from Pulumi.
package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/guard"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/nacl"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/validate"
)

// Plan is everything a declaration yields, deterministic for a given input.
type Plan struct {
	// Tiers are the tier names, outermost first.
	Tiers []string `json:"tiers"`
	// Egress is the mesh's egress policy, default applied. Not in the JSON:
	// the flows and rules already show what it yields.
	Egress     spec.EgressPolicy    `json:"-"`
	Groups     []rule.Group         `json:"groups"`
	Rules      []rule.Rule          `json:"rules"`
	Flows      []flow.Flow          `json:"flows"`
	RuleCounts map[string]RuleCount `json:"ruleCounts"`
	Findings   finding.List         `json:"findings"`
	QuotaUsage []guard.Usage        `json:"quotaUsage"`

	// ExternalGroups are the groups made outside the mesh that rules may
	// reference, sorted by name; the mesh emits nothing for them.
	ExternalGroups []spec.ExternalGroup `json:"externalGroups,omitempty"`
	// Attachments are, per service, the groups an instance of it carries:
	// its own, then its distinct attachedWith groups (services or external
	// groups), in declared order. The groups-per-interface quota counts them.
	// The component shows them, by id, as its attachments output.
	Attachments map[string][]string `json:"-"`
	// Deferred says which checks wait for cidrBlocksFrom values that are not
	// known yet (spec.Mesh.Unknown), and why; they run once the values are.
	Deferred []string `json:"deferred,omitempty"`
	// Lists are the known cidrBlocksFrom values by spec.ListID, sorted and
	// without repeats (flow.NormalList), as the rules carry them.
	Lists map[string][]string `json:"-"`
	// NetworkAcls are the tiers' network ACLs when the mesh enables them.
	NetworkAcls *nacl.Plan `json:"networkAcls,omitempty"`
}

// RuleCount is a group's number of rules in each direction.
type RuleCount struct {
	Inbound  int `json:"inbound"`
	Outbound int `json:"outbound"`
}

// Build plans a declaration. It returns the plan and, when any finding is an
// error, a *finding.Errors listing them all; the plan is then incomplete and
// must not be emitted.
//
// Rules name a cidrBlocksFrom list by its tier or network, so the resources
// are the same whether or not its values are known. The checks that need
// the values (tier overlap, world-open, wide CIDRs, quotas by CIDR count)
// run on the declaration with every known list written out as cidrBlocks,
// which is exactly what EC2 will hold; lists still unknown are Deferred.
func Build(m spec.Mesh) (*Plan, error) {
	p, _ := build(m)
	if hasKnownLists(m) {
		// The rules' own checks (names, adopt.rules) judge the rules as
		// emitted, one per list; the written-out plan has one per CIDR.
		values, _ := build(writeOut(m))
		p.Findings = slices.DeleteFunc(values.Findings, func(f finding.Finding) bool { return ofRules[f.Check] })
		p.Findings = append(p.Findings, uniqueNames(p.Rules)...)
		p.Findings = append(p.Findings, adoptedRules(m, p.Groups, p.Rules)...)
		p.Findings = append(p.Findings, duplicatePermissions(p.Rules, p.Lists)...)
		p.Findings.Sort()
		p.Findings = slices.Compact(p.Findings)
		p.QuotaUsage = values.QuotaUsage
	}
	p.Findings = waitingExceptions(p, m.Unknown)
	return p, p.Findings.Err()
}

// ofRules are the checks of the emitted rules themselves, not of the values.
var ofRules = map[string]bool{finding.CheckDuplicateName: true, finding.CheckStaleAdoptRule: true, finding.CheckInvalidAdopt: true}

func hasKnownLists(m spec.Mesh) bool {
	return slices.ContainsFunc(m.Tiers, func(t spec.Tier) bool { return len(t.CidrBlocksFrom) > 0 }) ||
		slices.ContainsFunc(m.Networks, func(n spec.Network) bool { return len(n.CidrBlocksFrom) > 0 })
}

// writeOut moves the known cidrBlocksFrom values into cidrBlocks.
func writeOut(m spec.Mesh) spec.Mesh {
	m.Tiers = slices.Clone(m.Tiers)
	for i, t := range m.Tiers {
		m.Tiers[i].CidrBlocks, m.Tiers[i].CidrBlocksFrom = slices.Concat(t.CidrBlocks, t.CidrBlocksFrom), nil
	}
	m.Networks = slices.Clone(m.Networks)
	for i, n := range m.Networks {
		m.Networks[i].CidrBlocks, m.Networks[i].CidrBlocksFrom = slices.Concat(n.CidrBlocks, n.CidrBlocksFrom), nil
	}
	return m
}

// waitingExceptions drops the unneeded-exception warnings of rules that
// reach an unknown list: whether their exception is needed is one of the
// checks that wait for the values.
func waitingExceptions(p *Plan, unknown []string) finding.List {
	if len(unknown) == 0 {
		return p.Findings
	}
	// Keyed by service and rule text, as findings name them.
	type at struct{ service, rule string }
	waiting := map[at]bool{}
	for _, f := range p.Flows {
		for _, e := range []flow.Endpoint{f.From, f.To} {
			if e.IsList() && slices.Contains(unknown, e.Via.ListID()) {
				waiting[at{f.Origin.Service, f.Origin.Rule}] = true
			}
		}
	}
	return slices.DeleteFunc(p.Findings, func(f finding.Finding) bool {
		return f.Check == finding.CheckUnneededException && waiting[at{f.Service, f.Rule}]
	})
}

// deferred says, for each unknown list, what waits for it.
func deferred(m spec.Mesh) []string {
	var out []string
	for _, id := range slices.Sorted(slices.Values(m.Unknown)) {
		what := "world-open and wide-cidr checks, tier overlap of its CIDRs, the rule quotas (each CIDR is one EC2 rule), and duplicate permissions with the group's other rules"
		if i := slices.IndexFunc(m.Tiers, func(t spec.Tier) bool { return flow.Tier(t.Name).ListID() == id }); i >= 0 {
			what += ", and tier adjacency of CIDRs overlapping tier " + m.Tiers[i].Name
		}
		out = append(out, id+": cidrBlocksFrom is another resource's output, not known yet; deferred until it is (at up at the latest, before any rule is created): "+what)
	}
	return out
}

func build(m spec.Mesh) (*Plan, error) {
	p := &Plan{Findings: validate.Mesh(m), Deferred: deferred(m)}
	if p.Findings.Err() != nil {
		p.Findings = append(p.Findings, besideBrokenRules(m, p.Findings)...)
		p.Findings.Sort()
		return p, p.Findings.Err()
	}
	if huge := guard.Expansion(m); len(huge) > 0 {
		p.Findings = append(p.Findings, huge...)
		p.Findings.Sort()
		return p, p.Findings.Err()
	}
	for _, t := range m.Tiers {
		p.Tiers = append(p.Tiers, t.Name)
	}
	p.Groups = rule.Groups(m)
	p.Lists = map[string][]string{}
	for _, t := range m.Tiers {
		if len(t.CidrBlocksFrom) > 0 {
			p.Lists[flow.Tier(t.Name).ListID()] = flow.NormalList(t.CidrBlocksFrom)
		}
	}
	for _, n := range m.Networks {
		if len(n.CidrBlocksFrom) > 0 {
			p.Lists[flow.Network(n.Name).ListID()] = flow.NormalList(n.CidrBlocksFrom)
		}
	}
	p.ExternalGroups = slices.SortedFunc(slices.Values(m.ExternalGroups),
		func(a, b spec.ExternalGroup) int { return cmp.Compare(a.Name, b.Name) })
	p.Attachments = make(map[string][]string, len(m.Services))
	for _, s := range m.Services {
		p.Attachments[s.Name] = guard.InterfaceGroups(s)
	}
	p.Flows = flow.Resolve(m)
	p.Egress = m.ResolvedEgress()
	p.Rules = rule.Project(p.Flows, p.Egress)
	p.RuleCounts = countRules(p.Groups, p.Rules)
	p.Findings = append(p.Findings, uniqueNames(p.Rules)...)
	p.Findings = append(p.Findings, adoptedRules(m, p.Groups, p.Rules)...)
	g := guard.Check(m, p.Groups, p.Flows, p.Rules)
	p.Findings = append(p.Findings, g.Findings...)
	p.QuotaUsage = g.Usage
	var aclFindings finding.List
	p.NetworkAcls, aclFindings = nacl.Build(m, p.Flows)
	p.Findings = append(p.Findings, aclFindings...)
	p.Findings.Sort()
	return p, p.Findings.Err()
}

// besideBrokenRules plans m without the rules that validation refused, so
// that one broken rule (protocol: tpc) does not hide the errors of the
// others (a world-open admin port): every error at once. Only errors are
// kept: a warning could come from the removal itself (an unused service).
// When what remains is still invalid (an error not about one rule, such as
// a service's undeclared tier), there is nothing more to say.
func besideBrokenRules(m spec.Mesh, found finding.List) finding.List {
	errs := found.Errors()
	at := func(f finding.Finding, service, path string) bool {
		return f.Service == service && (f.Rule == path || strings.HasPrefix(f.Rule, path+"."))
	}
	broken := func(service, path string) bool {
		return slices.ContainsFunc(errs, func(f finding.Finding) bool { return at(f, service, path) })
	}
	// kept maps a service's rule paths in the pruned mesh back to m's.
	type kept struct{ service, path, was string }
	var renames []kept
	pruned := m
	pruned.Services = slices.Clone(m.Services)
	for i, s := range pruned.Services {
		s.Ingress, s.Egress = nil, nil
		for j, r := range m.Services[i].Ingress {
			if was := finding.RulePath("ingress", j); !broken(s.Name, was) {
				renames = append(renames, kept{s.Name, finding.RulePath("ingress", len(s.Ingress)), was})
				s.Ingress = append(s.Ingress, r)
			}
		}
		for j, r := range m.Services[i].Egress {
			if was := finding.RulePath("egress", j); !broken(s.Name, was) {
				renames = append(renames, kept{s.Name, finding.RulePath("egress", len(s.Egress)), was})
				s.Egress = append(s.Egress, r)
			}
		}
		pruned.Services[i] = s
	}
	if validate.Mesh(pruned).Err() != nil {
		return nil
	}
	q, _ := build(pruned)
	out := q.Findings.Errors()
	for i, f := range out {
		if k := slices.IndexFunc(renames, func(k kept) bool { return at(f, k.service, k.path) }); k >= 0 {
			out[i].Rule = renames[k].was + strings.TrimPrefix(f.Rule, renames[k].path)
		}
	}
	return out
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
			out.Add(finding.CheckDuplicateName, r.Service, "", "rename one of the services so their names do not run into each other",
				"rules %q and %q would share the resource name %q", other, r.Key, n)
		}
		seen[n] = r.Key
	}
	return out
}

// duplicatePermissions finds one CIDR held by two rules of a group, direction
// and ports: a known cidrBlocksFrom list and a literal CIDR, or two lists.
// EC2 holds a permission once and refuses the second rule at up
// (InvalidPermission.Duplicate). Literal CIDRs never collide: one CIDR
// named twice is one rule already.
func duplicatePermissions(rules []rule.Rule, lists map[string][]string) finding.List {
	type at struct {
		service string
		dir     rule.Direction
		ports   ports.Range
		cidr    string
	}
	holders := map[at][]rule.Rule{}
	var order []at
	for _, r := range rules {
		cidrs := []string{r.Peer.CIDR}
		if r.Peer.IsList() {
			cidrs = lists[r.Peer.Via.ListID()]
		} else if !r.Peer.IsCIDR() {
			continue
		}
		for _, c := range cidrs {
			k := at{r.Service, r.Direction, r.Ports, c}
			if len(holders[k]) == 1 {
				order = append(order, k)
			}
			holders[k] = append(holders[k], r)
		}
	}
	var out finding.List
	for _, k := range order {
		hs := holders[k]
		if !slices.ContainsFunc(hs, func(r rule.Rule) bool { return r.Peer.IsList() }) {
			continue
		}
		texts := make([]string, len(hs))
		for i, r := range hs {
			texts[i] = fmt.Sprintf("%q (%s)", r.Key, r.PeerOf().Text(nil))
		}
		out.Add(finding.CheckDuplicatePermission, k.service, "",
			"remove "+k.cidr+" from one of them: from the literal cidrBlocks, or from the list's values",
			"rules %s both hold %s on %s %s: EC2 refuses the second as InvalidPermission.Duplicate at up",
			strings.Join(texts, " and "), k.cidr, k.dir, k.ports)
	}
	return out
}
