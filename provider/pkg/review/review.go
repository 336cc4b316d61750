// Package review writes the Markdown review of a change to a mesh: what a
// pull-request comment says, in the order a security reviewer reads it. It
// reads the resource diff (plandiff) and the flow diff (flowdiff); plandiff
// itself is the resource diff only.
package review

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowdiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/guard"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/mdtext"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
)

// CommentLimit is the most characters a GitHub comment holds
// (mdtext.CommentLimit), less room for a caller's header.
const CommentLimit = mdtext.CommentLimit - 536

// Review is what a pull-request comment says about a change to a mesh, in the
// order a security reviewer reads it: a summary line, the flows opened and
// closed, the findings and quota headroom, then the resources.
type Review struct {
	// Title names the change: "ServiceMesh `mesh` (mesh.yaml)".
	Title string
	// FromNothing: there is no OLD; every flow and resource is new.
	FromNothing bool
	// Flows are the flows opened and closed; nil for a preview's review,
	// which knows what resources change but neither flows nor findings.
	Flows *flowdiff.Diff
	// Changes are the touched resources; GroupOf maps each one's name to
	// the name of the security group or network ACL it belongs to (a group
	// or ACL to itself).
	Changes []plandiff.Change
	GroupOf map[string]string
	// Findings are NEW's findings; with an error nothing else is planned.
	Findings finding.List
	// Quota is the quota usage that changed.
	Quota []QuotaChange
	// BaseError says why OLD could not be planned: the review then shows
	// NEW as if from nothing (FromNothing), and says so first.
	BaseError string
}

// QuotaChange is one quota figure whose usage changed. Old (or New) is -1
// when the figure did not (or no longer does) exist: a group added or removed.
type QuotaChange struct {
	Quota string `json:"quota"`
	Scope string `json:"scope"`
	Old   int    `json:"old"`
	New   int    `json:"new"`
	Limit int    `json:"limit"`
}

// Of is the review of a planned change: d, as Compare found it between
// old and new (old nil for a new mesh).
func Of(title string, d plandiff.Diff, old, new *plan.Plan) Review {
	groupOf := map[string]string{}
	for _, p := range []*plan.Plan{old, new} {
		if p == nil {
			continue
		}
		for _, r := range resources.Of(d.Mesh, p) {
			groupOf[r.Name] = r.Name
			if r.Rule != nil {
				groupOf[r.Name] = r.Rule.SecurityGroup
			}
			if r.ACLRule != nil {
				groupOf[r.Name] = r.ACLRule.ACL
			}
		}
	}
	flows := flowdiff.Compare(old, new)
	var before []guard.Usage
	if old != nil {
		before = old.QuotaUsage
	}
	return Review{Title: title, FromNothing: old == nil, Flows: &flows, Changes: d.Changes, GroupOf: groupOf,
		Findings: new.Findings, Quota: QuotaChanges(before, new.QuotaUsage)}
}

// QuotaChanges lists the figures whose usage differs, sorted by quota and scope.
func QuotaChanges(old, new []guard.Usage) []QuotaChange {
	type id struct{ quota, scope string }
	byID := map[id]*QuotaChange{}
	get := func(u guard.Usage) *QuotaChange {
		k := id{u.Quota, u.Scope}
		if byID[k] == nil {
			byID[k] = &QuotaChange{Quota: u.Quota, Scope: u.Scope, Old: -1, New: -1}
		}
		return byID[k]
	}
	for _, u := range old {
		c := get(u)
		c.Old, c.Limit = u.Used, u.Limit
	}
	for _, u := range new {
		c := get(u)
		c.New, c.Limit = u.Used, u.Limit
	}
	out := []QuotaChange{}
	for _, k := range slices.SortedFunc(maps.Keys(byID), func(a, b id) int {
		return cmp.Or(cmp.Compare(a.quota, b.quota), cmp.Compare(a.scope, b.scope))
	}) {
		if c := byID[k]; c.Old != c.New {
			out = append(out, *c)
		}
	}
	return out
}

// Markdown is the review as GitHub-flavoured Markdown of at most limit
// characters as GitHub counts them (mdtext.Len): past it, the resource list
// is trimmed first, then the findings, then the flow tables from their least
// sensitive end, each saying what it left out. A sensitive flow
// (flowdiff.Change.Sensitive) is never trimmed: every text cell is capped
// (mdtext.MaxCell), so they fit unless there are hundreds of them.
func (r Review) Markdown(limit int) string {
	size := mdtext.Len
	head := r.summary()
	all := len(r.Findings)
	if errs := r.Findings.Errors(); len(errs) > 0 { // nothing to emit
		if r.Flows == nil {
			return head + r.findings(largest(all, func(k int) bool { return size(head)+size(r.findings(k)) <= limit }))
		}
		// The guardrails refused flows that were resolved: show them first,
		// so a reviewer sees what the change would open and why it cannot.
		k := largest(all, func(k int) bool { return size(head)+size(r.flowSections(0))+size(r.findings(k)) <= limit })
		rows := largest(r.ordinaryRows(), func(n int) bool { return size(head)+size(r.flowSections(n))+size(r.findings(k)) <= limit })
		return head + r.flowSections(rows) + r.findings(k)
	}
	if r.Flows == nil {
		groups := r.byGroup()
		fixed := size(head) + size(r.flowSections(-1))
		n := largest(len(groups), func(n int) bool { return fixed+size(r.resourceSection(groups, n)) <= limit })
		return head + r.flowSections(-1) + r.resourceSection(groups, n)
	}
	flows, finds, quota := r.flowSections(-1), r.findings(all), r.quota()
	groups := r.byGroup()
	// Trim the resource list first, dropping whole groups from its end; then
	// the findings, warnings last; then the flows that are not sensitive.
	n := largest(len(groups), func(n int) bool {
		return size(head)+size(flows)+size(finds)+size(quota)+size(r.resourceSection(groups, n)) <= limit
	})
	res := r.resourceSection(groups, n)
	k := largest(all, func(k int) bool { return size(head)+size(flows)+size(r.findings(k))+size(quota)+size(res) <= limit })
	finds = r.findings(k)
	rows := largest(r.ordinaryRows(), func(k int) bool {
		return size(head)+size(r.flowSections(k))+size(finds)+size(quota)+size(res) <= limit
	})
	return head + r.flowSections(rows) + finds + quota + res
}

// ordinaryRows counts the flow rows that may be trimmed: those not sensitive.
func (r Review) ordinaryRows() int {
	n := 0
	for _, c := range slices.Concat(r.Flows.Opened, r.Flows.Closed) {
		if !c.Sensitive() {
			n++
		}
	}
	return n
}

// largest is the largest n in [0, upTo] for which fits holds, given that it
// holds for every n below one that fits (0 if none does).
func largest(upTo int, fits func(int) bool) int {
	lo, hi := 0, upTo
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// summary is the heading and the one line: flows, resources by kind and op,
// and whether traffic is cut.
func (r Review) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", mdtext.Visible(r.Title))
	if r.BaseError != "" {
		// A fence whose backticks outnumber any run in the text holds it verbatim.
		fence := "```" + strings.Repeat("`", longestRun(r.BaseError, '`'))
		fmt.Fprintf(&b, "⚠️ **The base could not be planned**, so this review shows the new declaration as if from nothing: "+
			"every flow is listed as opened, and the resources are not what `pulumi preview` will change.\n\n%s\n%s\n%s\n\n",
			fence, r.BaseError, fence)
	}
	if errs := r.Findings.Errors(); len(errs) > 0 {
		fmt.Fprintf(&b, "**Not planned: the new declaration has %s.** Fix %s and push again.\n\n",
			count(len(errs), "error"), plural(len(errs), "it", "them"))
		return b.String()
	}
	var parts []string
	if r.Flows != nil {
		parts = append(parts, fmt.Sprintf("**%s opened, %d closed**", count(len(r.Flows.Opened), "flow"), len(r.Flows.Closed)))
	}
	groups, rules := r.counts(plandiff.GroupType), r.counts(plandiff.RuleType)
	parts = append(parts, "groups: "+groups, "rules: "+rules)
	// The second layer is named only when it changes, so a mesh without
	// network ACLs reads as before.
	for _, k := range []struct{ typ, label string }{{resources.NetworkACLType, "network ACLs"}, {resources.NetworkACLRuleType, "network ACL rules"}} {
		if slices.ContainsFunc(r.Changes, func(c plandiff.Change) bool { return c.Type == k.typ }) {
			parts = append(parts, k.label+": "+r.counts(k.typ))
		}
	}
	line := strings.Join(parts, " · ")
	if r.FromNothing {
		line = "New mesh: " + line
	}
	b.WriteString(line + ".")
	replacedGroups, replacedRules := r.replaced(plandiff.GroupType), r.replaced(plandiff.RuleType)
	// pulumi-aws replaces a NetworkAclRule create-first (pulumi/pulumi-aws#3244).
	aclReplaced := r.replaced(resources.NetworkACLRuleType)
	switch {
	case replacedGroups > 0:
		fmt.Fprintf(&b, " ⚠️ **Breaks traffic:** %s replaced. AWS deletes a replaced group first: every flow through it stops until the new group and its rules exist, and the delete fails while network interfaces still carry it.",
			count(replacedGroups, "group"))
	case replacedRules > 0:
		fmt.Fprintf(&b, " ⚠️ **Breaks traffic briefly:** %s replaced, each deleted before its successor is created.",
			count(replacedRules, "rule"))
	case r.deleted(plandiff.RuleType)+r.deleted(resources.NetworkACLRuleType) > 0 && aclReplaced > 0:
		fmt.Fprintf(&b, " Nothing is replaced delete-first (%s replaced create-first): traffic stops only where a rule is deleted.",
			count(aclReplaced, "network ACL rule"))
	case r.deleted(plandiff.RuleType)+r.deleted(resources.NetworkACLRuleType) > 0:
		b.WriteString(" Nothing is replaced: traffic stops only where a rule is deleted.")
	case aclReplaced > 0:
		fmt.Fprintf(&b, " Breaks no traffic: %s replaced create-first (the rule at its new number, then the old one deleted); nothing deleted.",
			count(aclReplaced, "network ACL rule"))
	default:
		b.WriteString(" Breaks no traffic: nothing is replaced or deleted.")
	}
	b.WriteString("\n\n")
	if t := r.Flows; t != nil && t.Tiers != nil {
		fmt.Fprintf(&b, "**Tiers changed:** %s → %s. Tier adjacency is judged in the new order.\n\n",
			mdtext.Code(strings.Join(t.Tiers.Old, ", ")), mdtext.Code(strings.Join(t.Tiers.New, ", ")))
	}
	return b.String()
}

// counts says how many resources of a type each op touches: "2 created, 1 deleted".
func (r Review) counts(typ string) string {
	n := map[plandiff.Op]int{}
	for _, c := range r.Changes {
		if c.Type == typ {
			n[c.Op]++
		}
	}
	var parts []string
	for _, op := range []plandiff.Op{plandiff.Create, plandiff.Delete, plandiff.Replace, plandiff.Update} {
		if n[op] > 0 {
			parts = append(parts, fmt.Sprintf("%d %sd", n[op], op))
		}
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, ", ")
}

func (r Review) replaced(typ string) int { return r.count(typ, plandiff.Replace) }

func (r Review) deleted(typ string) int { return r.count(typ, plandiff.Delete) }

func (r Review) count(typ string, op plandiff.Op) int {
	n := 0
	for _, c := range r.Changes {
		if c.Type == typ && c.Op == op {
			n++
		}
	}
	return n
}

// flowSections are the two flow tables, keeping every sensitive row and at
// most keep others in all (-1: every row), opened before closed.
func (r Review) flowSections(keep int) string {
	if r.Flows == nil {
		return "_Flows: not known from a preview; `servicemesh plan --diff` lists the flows opened and closed._\n\n"
	}
	if keep < 0 {
		keep = len(r.Flows.Opened) + len(r.Flows.Closed)
	}
	var b strings.Builder
	for _, s := range []struct {
		title string
		rows  []flowdiff.Change
	}{{"Flows opened", r.Flows.Opened}, {"Flows closed", r.Flows.Closed}} {
		fmt.Fprintf(&b, "#### %s (%d)\n\n", s.title, len(s.rows))
		if len(s.rows) == 0 {
			b.WriteString("None.\n\n")
			continue
		}
		// Sensitive rows sort first (flowdiff): they are all shown.
		sensitive := slices.IndexFunc(s.rows, func(c flowdiff.Change) bool { return !c.Sensitive() })
		if sensitive < 0 {
			sensitive = len(s.rows)
		}
		ordinary := min(keep, len(s.rows)-sensitive)
		shown := s.rows[:sensitive+ordinary]
		keep -= ordinary
		if len(shown) > 0 {
			b.WriteString("| | Caller → callee | Ports | Tiers | Exceptions (reason) | Declared by |\n|---|---|---|---|---|---|\n")
		}
		for _, c := range shown {
			fmt.Fprintf(&b, "| %s | %s → %s | %s | %s → %s | %s | %s |\n", mark(c), cell(c.Caller), cell(c.Callee),
				cell(strings.Join(c.Ports, ", ")), tier(c.CallerTier), tier(c.CalleeTier), exceptions(c), declaredBy(c))
		}
		if left := len(s.rows) - len(shown); left > 0 {
			fmt.Fprintf(&b, "\n_Trimmed: %s not listed, to keep the comment under GitHub's size limit; run `servicemesh plan --diff` for all._\n",
				count(left, "more flow"))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// mark flags what a reviewer must look at first.
func mark(c flowdiff.Change) string {
	switch {
	case c.WorldOpen:
		return "**world-open**"
	case c.IntoSensitive:
		return "**into " + cell(c.CalleeTier) + "**"
	}
	return ""
}

func tier(t string) string { return cmp.Or(cell(t), "—") }

func exceptions(c flowdiff.Change) string {
	var parts []string
	for _, e := range c.Exceptions {
		parts = append(parts, "**"+cell(e.Check)+"**: "+cell(e.Reason))
	}
	return strings.Join(parts, "; ")
}

// declaredBy names the rules a row's flows come from and, when they reach a
// host through a group it carries, that group.
func declaredBy(c flowdiff.Change) string {
	s := cell(strings.Join(c.Rules, ", "))
	if len(c.Via) > 0 {
		s += "; carried by attachedWith: " + cell(strings.Join(c.Via, ", "))
	}
	return s
}

// cell is text in a table cell or a list item (mdtext.Text).
func cell(s string) string { return mdtext.Text(s) }

// findings lists NEW's findings, errors first.
func (r Review) findings(keep int) string {
	var b strings.Builder
	errs, warns := r.Findings.Errors(), r.Findings.Warnings()
	fmt.Fprintf(&b, "#### Findings (%s, %s)\n\n", count(len(errs), "error"), count(len(warns), "warning"))
	if len(r.Findings) == 0 {
		b.WriteString("None.\n\n")
		return b.String()
	}
	all := append(errs, warns...)
	for _, f := range all[:keep] {
		fmt.Fprintf(&b, "- %s\n", cell(f.String()))
	}
	if left := len(all) - keep; left > 0 {
		fmt.Fprintf(&b, "\n_Trimmed: %s not listed, to keep the comment under GitHub's size limit; run `servicemesh plan` for all._\n",
			count(left, "more finding"))
	}
	b.WriteString("\n")
	return b.String()
}

// quotaRows is how many quota changes the review lists: the tightest, as a
// change to a large mesh moves a figure for every group it touches.
const quotaRows = 10

// quota is the table of quota usage that changed, if any, least headroom first.
func (r Review) quota() string {
	if len(r.Quota) == 0 {
		return ""
	}
	headroom := func(q QuotaChange) int {
		if q.New < 0 {
			return q.Limit // a figure gone frees its whole limit
		}
		return q.Limit - q.New
	}
	rows := slices.Clone(r.Quota)
	slices.SortStableFunc(rows, func(a, b QuotaChange) int { return cmp.Compare(headroom(a), headroom(b)) })
	var b strings.Builder
	fmt.Fprintf(&b, "#### Quota headroom changed (%d)\n\n| Quota | Scope | Before | After | Limit | Headroom |\n|---|---|---|---|---|---|\n", len(r.Quota))
	used := func(n int) string {
		if n < 0 {
			return "—"
		}
		return fmt.Sprint(n)
	}
	for _, q := range rows[:min(quotaRows, len(rows))] {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s |\n", cell(q.Quota), cell(q.Scope), used(q.Old), used(q.New), q.Limit, used(max(-1, headroom(q))))
	}
	if left := len(rows) - quotaRows; left > 0 {
		fmt.Fprintf(&b, "\n_%s with more headroom not listed._\n", count(left, "more quota change"))
	}
	b.WriteString("\n")
	return b.String()
}

// group is the changes to one security group and its rules, or to one
// network ACL and its rules (acl).
type group struct {
	name    string
	acl     bool
	self    *plandiff.Change
	changes []plandiff.Change
}

// byGroup sorts the changes into their groups, by group name.
func (r Review) byGroup() []group {
	idx := map[string]*group{}
	for _, c := range r.Changes {
		name := cmp.Or(r.GroupOf[c.Name], c.Name)
		g := idx[name]
		if g == nil {
			g = &group{name: name}
			idx[name] = g
		}
		if c.Name == name && c.Type == plandiff.GroupType {
			g.self = &c
		}
		g.acl = g.acl || c.Type == resources.NetworkACLType || c.Type == resources.NetworkACLRuleType
		g.changes = append(g.changes, c)
	}
	out := make([]group, 0, len(idx))
	for _, name := range slices.Sorted(maps.Keys(idx)) {
		out = append(out, *idx[name])
	}
	return out
}

// resourceSection is the collapsed resource list, showing the first n groups.
func (r Review) resourceSection(groups []group, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary>Resource changes: %s (names as <code>pulumi preview</code> lists them)</summary>\n\n", count(len(r.Changes), "resource"))
	if len(r.Changes) == 0 {
		b.WriteString("None.\n\n")
	}
	left, leftGroups := 0, 0
	for i, g := range groups {
		if i >= n {
			left += len(g.changes)
			leftGroups++
			continue
		}
		kind := "Security group"
		if g.acl {
			kind = "Network ACL"
		}
		fmt.Fprintf(&b, "**%s %s**", kind, mdtext.Code(g.name))
		if g.self != nil && g.self.Op == plandiff.Replace {
			fmt.Fprintf(&b, " — replaced delete-first: its rules are deleted, then the group; then the new group is created, then its rules")
		}
		b.WriteString("\n\n| Op | Resource | What | Inputs that differ |\n|---|---|---|---|\n")
		for _, c := range g.changes {
			fmt.Fprintf(&b, "| %s %s | %s | %s | %s |\n", c.Op.Sign(), c.Op, mdtext.Code(c.Name), cell(c.About), fields(c.Fields))
		}
		b.WriteString("\n")
	}
	if left > 0 {
		fmt.Fprintf(&b, "_Trimmed: %s in %s not listed, to keep the comment under GitHub's size limit; run `servicemesh plan --diff` for all._\n\n",
			count(left, "resource change"), count(leftGroups, "group"))
	}
	b.WriteString("</details>\n")
	return b.String()
}

func fields(fs []plandiff.Field) string {
	var parts []string
	for _, f := range fs {
		s := fmt.Sprintf("%s: %s → %s", f.Name, plandiff.Show(f.Old), plandiff.Show(f.New))
		if f.Replaces {
			s += " (forces replacement)"
		}
		parts = append(parts, cell(s))
	}
	return strings.Join(parts, "<br>")
}

// count is "1 flow", "2 flows".
func count(n int, noun string) string {
	return fmt.Sprintf("%d %s", n, plural(n, noun, noun+"s"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := range len(s) {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}
