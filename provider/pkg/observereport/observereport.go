// Package observereport shows people what observed traffic says (package
// observe): per rule of a mesh, its planned rules by their resource names
// with the account's groups matched as audit matches them, or, with no
// declaration, per permission of the account's groups; the declared flows
// never observed and the observed flows no rule declares; what was refused.
// Text for a terminal, JSON, Markdown for a pull request (through mdtext)
// and a Mermaid diagram of observed against declared flows (through
// render). It imports nothing from Pulumi.
package observereport

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/audit"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// Mesh is a declaration's plan as the observation sees it: the account's
// interfaces named by the mesh's services, and one permission per EC2 peer
// of each planned rule, named by the rule's resource name: every ingress
// rule, and every egress rule but the egress policy's (allowAll's rules
// declare no flow, and would carry every request).
type Mesh struct {
	Name        string
	Plan        *plan.Plan
	Inventory   *observe.Inventory
	Permissions []observe.Permission
	// About is each rule's description for a reader, by resource name.
	About map[string]string
	// Service is each rule's service, by resource name.
	Service map[string]string
	// Notes say what is not judged, and why.
	Notes []string
}

// FromMesh matches a plan with the account, read at one time or several
// (observe.FromAccounts): each planned group with the existing group audit
// finds for it in the latest snapshot (the adopted id, else the group of
// its name in the VPC); each interface of every snapshot is named by the
// services whose groups it carries (else as observe.FromAccount names it).
// Rules whose group or peer group does not exist, and rules naming prefix
// lists whose entries were not read, are not judged, and the notes say so.
func FromMesh(name string, p *plan.Plan, snaps []observe.TimedAccount, vpc string) (*Mesh, error) {
	if len(snaps) == 0 {
		return nil, fmt.Errorf("no account to observe the mesh in")
	}
	snaps = slices.Clone(snaps)
	slices.SortStableFunc(snaps, func(a, b observe.TimedAccount) int { return cmp.Compare(a.Taken, b.Taken) })
	acc := snaps[len(snaps)-1].Account
	ids, services, missing := audit.GroupIDs(name, p, acc, vpc)
	m := &Mesh{Name: name, Plan: p, About: map[string]string{}, Service: map[string]string{}}
	for _, s := range missing {
		m.Notes = append(m.Notes, fmt.Sprintf("service %s: its group does not exist in %s (servicemesh audit says more); its rules are not judged", s, acc.Source))
	}
	var timed []observe.Snapshot
	for _, snap := range snaps {
		ifaces, _, _, err := observe.FromAccount(snap.Account)
		if err != nil {
			return nil, err
		}
		for i, in := range ifaces {
			var names []string
			for _, g := range in.Groups {
				if s, ok := services[g]; ok && !slices.Contains(names, s) {
					names = append(names, s)
				}
			}
			if len(names) > 0 {
				slices.Sort(names)
				ifaces[i].Name = strings.Join(names, "+")
			}
		}
		timed = append(timed, observe.Snapshot{Taken: snap.Taken, Interfaces: ifaces})
	}
	m.Inventory = observe.FromSnapshots(timed)
	policyOnly := map[string]bool{}
	for _, r := range p.Rules {
		if r.Direction == rule.Egress && !slices.ContainsFunc(r.Sources, func(s rule.Source) bool { return s.Rule != flow.PolicyRule }) {
			policyOnly[resources.RuleName(name, r)] = true
		}
	}
	for _, r := range resources.Of(name, p) {
		in := r.Rule
		if in == nil || policyOnly[r.Name] {
			continue
		}
		group := ids[in.Group()]
		if group == "" {
			continue // the group is missing: noted above
		}
		m.About[r.Name], m.Service[r.Name] = r.About, r.Service
		base := observe.Permission{Rule: r.Name, Group: group, Ports: ports.Range{Protocol: in.Protocol, From: in.FromPort, To: in.ToPort},
			Egress: in.Type == string(rule.Egress)}
		switch src := in.SourceSecurityGroup; {
		case in.Self:
			base.PeerGroup = group
			m.Permissions = append(m.Permissions, base)
			continue
		case src != nil:
			if base.PeerGroup = ids[*src]; base.PeerGroup == "" {
				m.Notes = append(m.Notes, fmt.Sprintf("rule %s: its peer group's id is not known; not judged", r.Name))
				continue
			}
			m.Permissions = append(m.Permissions, base)
			continue
		}
		for _, id := range in.PrefixListIDs {
			pl := acc.PrefixList(id)
			if pl == nil {
				m.Notes = append(m.Notes, fmt.Sprintf("rule %s: prefix list %s's entries were not read (give get-managed-prefix-list-entries as --from %s=FILE); not judged", r.Name, id, id))
				continue
			}
			perm := base
			perm.PeerList = pl.CIDRs
			m.Permissions = append(m.Permissions, perm)
		}
		for _, c := range slices.Concat(in.CidrBlocks, in.Ipv6CidrBlocks) {
			pre, err := netip.ParsePrefix(c)
			if err != nil {
				return nil, fmt.Errorf("rule %s: CIDR %q: %v", r.Name, c, err)
			}
			perm := base
			perm.PeerPrefix = pre
			m.Permissions = append(m.Permissions, perm)
		}
		if in.CidrBlocksFrom != "" && len(in.CidrBlocks)+len(in.Ipv6CidrBlocks) == 0 {
			m.Notes = append(m.Notes, fmt.Sprintf("rule %s: its cidrBlocksFrom values are not known offline; not judged", r.Name))
		}
	}
	return m, nil
}

// Rule is one rule (with a mesh) or one permission (without) and the
// traffic it allowed.
type Rule struct {
	observe.Hit
	Service string `json:"service,omitempty"`
	About   string `json:"about,omitempty"`
}

// Flow is a declared flow and whether its rule carried traffic.
type Flow struct {
	flow.Summary
	Rule     string `json:"rule"`
	Observed bool   `json:"observed"`
}

// Report is what the observation says, ready to render.
type Report struct {
	Mesh     string        `json:"mesh,omitempty"`
	Files    int           `json:"files"`
	Records  int64         `json:"records"`
	NoData   int64         `json:"noData"`
	SkipData int64         `json:"skipData"`
	Tuples   int           `json:"tuples"`
	From     int64         `json:"from,omitempty"` // the window: first start, last end seen on a rule
	Until    int64         `json:"until,omitempty"`
	Methods  observe.Tally `json:"methods"`
	// Sides counts request records by how the side they were logged on was
	// decided; Transit and NoInterface are observe.Report's.
	Sides       observe.Tally       `json:"sides"`
	Transit     int64               `json:"transitRecords"`
	NoInterface int64               `json:"noInterfaceRecords"`
	ViaBalancer int64               `json:"viaBalancerRecords,omitempty"`
	Forwarded   []observe.Forwarded `json:"forwarded,omitempty"`
	Rules       []Rule              `json:"rules"`
	Flows       []Flow              `json:"flows,omitempty"`
	Undeclared  []observe.Unmatched `json:"undeclared"`
	Unexplained int64               `json:"unexplainedRecords"`
	Rejected    []observe.Rejected  `json:"rejected"`
	// Refusals say, rejection by rejection (same order), which layer
	// refuses it; nil when no network ACLs were given (nothing is guessed).
	Refusals []observe.Refusal `json:"refusals,omitempty"`
	Notes    []string          `json:"notes,omitempty"`
	// flowsUsed says, per declared flow judged, whether its rule carried traffic (for Mermaid).
	flowsUsed map[flowKey]bool
}

// Stats is what reading the logs counted, and the rules naming prefix
// lists left out for want of their entries (observe.FromAccount).
type Stats struct {
	Files                     int
	Records, NoData, SkipData int64
	Tuples                    int
	SkippedRules              int
}

type flowKey struct {
	from, to flow.Endpoint
	ports    ports.Range
}

// Build makes the report of an attribution. m is nil for the brownfield
// case (permissions of the account's groups); then Flows is empty.
func Build(st Stats, rep observe.Report, m *Mesh) Report {
	out := Report{Files: st.Files, Records: st.Records, NoData: st.NoData, SkipData: st.SkipData, Tuples: st.Tuples,
		Methods: rep.Methods, Sides: rep.Sides, Transit: rep.Transit, NoInterface: rep.NoInterface, ViaBalancer: rep.ViaBalancer, Forwarded: rep.Forwarded,
		Undeclared: rep.UnmatchedFlows, Unexplained: rep.Unexplained, Rejected: rep.Rejected, flowsUsed: map[flowKey]bool{}}
	if st.SkippedRules > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d rules naming prefix lists were not attributed: give get-managed-prefix-list-entries as --from pl-ID=FILE", st.SkippedRules))
	}
	// A rule with several CIDRs is several permissions: one line per rule.
	byRule := map[string]*Rule{}
	var order []string
	for _, h := range rep.Hits {
		r := byRule[h.Rule]
		if r == nil {
			r = &Rule{Hit: observe.Hit{Rule: h.Rule, NameableCallers: true}}
			if m != nil {
				r.Service, r.About = m.Service[h.Rule], m.About[h.Rule]
			}
			byRule[h.Rule] = r
			order = append(order, h.Rule)
		}
		merge(&r.Hit, h)
	}
	for _, name := range order {
		r := byRule[name]
		r.NameableCallers = r.NameableCallers && r.Flows > 0
		out.Rules = append(out.Rules, *r)
		if r.Flows > 0 {
			out.From = minNonZero(out.From, r.FirstSeen)
			out.Until = max(out.Until, r.LastSeen)
		}
	}
	slices.SortFunc(out.Rules, func(a, b Rule) int { return cmp.Compare(a.Rule, b.Rule) })
	if m == nil {
		return out
	}
	out.Mesh = m.Name
	out.Notes = append(out.Notes, m.Notes...)
	keys := map[string]rule.Rule{}
	for _, r := range m.Plan.Rules {
		keys[r.Key] = r
	}
	for _, f := range m.Plan.Flows {
		if f.Origin.Rule == flow.PolicyRule {
			continue
		}
		key := rule.IngressKey(f)
		if f.Declared == flow.Egress {
			key = rule.EgressKey(f)
		}
		name := resources.RuleName(m.Name, keys[key])
		r, judged := byRule[name]
		if !judged {
			continue // its group is missing, or its peer names a prefix list: noted
		}
		used := r.Flows > 0
		out.Flows = append(out.Flows, Flow{Summary: flow.Summaries([]flow.Flow{f})[0], Rule: name, Observed: used})
		out.flowsUsed[flowKey{f.From, f.To, f.Ports}] = used
	}
	return out
}

func merge(into *observe.Hit, h observe.Hit) {
	if h.Flows == 0 {
		return
	}
	if into.Flows == 0 || h.FirstSeen < into.FirstSeen {
		into.FirstSeen = h.FirstSeen
	}
	into.LastSeen = max(into.LastSeen, h.LastSeen)
	into.Flows += h.Flows
	into.Records += h.Records
	into.Packets += h.Packets
	into.Bytes += h.Bytes
	for _, c := range h.Callers {
		if !slices.Contains(into.Callers, c) {
			into.Callers = append(into.Callers, c)
		}
	}
	slices.Sort(into.Callers)
	into.NameableCallers = into.NameableCallers && h.NameableCallers
}

func minNonZero(a, b int64) int64 {
	if a == 0 || b < a {
		return b
	}
	return a
}

// Unused are the rules that carried no accepted request in the window.
func (r Report) Unused() []Rule {
	return slices.DeleteFunc(slices.Clone(r.Rules), func(x Rule) bool { return x.Flows > 0 })
}

// NeverObserved are the declared flows whose rule carried nothing.
func (r Report) NeverObserved() []Flow {
	return slices.DeleteFunc(slices.Clone(r.Flows), func(f Flow) bool { return f.Observed })
}

// Tighter are the CIDR rules whose every caller carries known groups.
func (r Report) Tighter() []Rule {
	return slices.DeleteFunc(slices.Clone(r.Rules), func(x Rule) bool { return !x.NameableCallers })
}
