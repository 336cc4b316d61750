package render

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// QuotaWarnPercent is the share of a quota from which Table flags its use.
const QuotaWarnPercent = 80

// Table is the plan for a security reviewer, in sections: a summary; the
// tiers and their groups; the outside world by name and CIDRs; every group
// with its rules (inbound first, peers by the names the declaration gave
// them); the network ACLs when enabled; the flow matrix; the fullest use of each quota; every finding with
// its fix.
func Table(p *plan.Plan) string {
	g := newGraph(p)
	var b strings.Builder
	summary(&b, p, g)
	tiers(&b, p, g)
	outside(&b, g)
	groups(&b, p, g)
	networkACLs(&b, p)
	b.WriteString("\nFlows: who may reach whom (callers as rows, callees as columns)\n\n")
	b.WriteString(g.matrix())
	quotas(&b, p)
	findings(&b, p.Findings)
	return b.String()
}

func summary(b *strings.Builder, p *plan.Plan, g *graph) {
	in, out := 0, 0
	for _, r := range p.Rules {
		if r.Direction == rule.Ingress {
			in++
		} else {
			out++
		}
	}
	fmt.Fprintf(b, "ServiceMesh plan: %s, %s (%d inbound, %d outbound), %s\n",
		plural(len(p.Groups), "security group"), plural(len(p.Rules), "rule"), in, out,
		plural(len(g.edges), "caller-callee pair"))
	fmt.Fprintf(b, "Findings: %s, %s\n", plural(len(p.Findings.Errors()), "error"), plural(len(p.Findings.Warnings()), "warning"))
}

func tiers(b *strings.Builder, p *plan.Plan, g *graph) {
	if len(p.Tiers) == 0 {
		return
	}
	b.WriteString("\nTiers, outermost first (a tier may reach itself and its neighbours; shared services are exempt)\n")
	w := 0
	for _, t := range p.Tiers {
		w = max(w, len(t))
	}
	for _, t := range p.Tiers {
		var members []string
		for _, n := range g.groups {
			if n.tier != t {
				continue
			}
			var flags []string
			if n.shared {
				flags = append(flags, "shared")
			}
			if n.internetFacing {
				flags = append(flags, "internet-facing")
			}
			if len(flags) > 0 {
				members = append(members, n.label+" ("+strings.Join(flags, ", ")+")")
			} else {
				members = append(members, n.label)
			}
		}
		if len(members) == 0 {
			members = []string{"(no groups)"}
		}
		fmt.Fprintf(b, "  %-*s  %s\n", w, t, strings.Join(members, ", "))
	}
}

func outside(b *strings.Builder, g *graph) {
	var rows [][2]string
	for _, n := range g.nodes {
		if n.kind != serviceNode {
			rows = append(rows, [2]string{n.label, describeNode(n)})
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("\nOutside the groups, by the names the declaration gives them\n")
	w := 0
	for _, r := range rows {
		w = max(w, len(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(b, "  %-*s  %s\n", w, r[0], r[1])
	}
}

func groups(b *strings.Builder, p *plan.Plan, g *graph) {
	names := cidrNames(g)
	byService := map[string][]rule.Rule{}
	for _, r := range p.Rules {
		byService[r.Service] = append(byService[r.Service], r)
	}
	type line struct{ dir, ports, peer, desc string }
	lines := map[string][]line{}
	var wDir, wPorts, wPeer int
	for svc, rs := range byService {
		slices.SortFunc(rs, func(a, c rule.Rule) int {
			return cmp.Or(-cmp.Compare(a.Direction, c.Direction), comparePorts(a.Ports, c.Ports),
				cmp.Compare(peerLabel(a, names), peerLabel(c, names)), cmp.Compare(a.Key, c.Key))
		})
		for _, r := range rs {
			l := line{dir: "in", ports: r.Ports.String(), peer: "from " + peerLabel(r, names), desc: r.Description}
			if r.Direction == rule.Egress {
				l.dir, l.peer = "out", "to   "+peerLabel(r, names)
			}
			wDir, wPorts, wPeer = max(wDir, len(l.dir)), max(wPorts, len(l.ports)), max(wPeer, len(l.peer))
			lines[svc] = append(lines[svc], l)
		}
	}
	b.WriteString("\nSecurity groups and their rules (in: who may reach the group; out: what it may reach)\n")
	ec2Names := map[string]string{}
	for _, grp := range p.Groups {
		ec2Names[grp.Service] = grp.Name
	}
	for _, n := range g.groups {
		c := p.RuleCounts[n.name]
		head := n.label
		if ec2 := ec2Names[n.name]; ec2 != n.name {
			head += " = EC2 group " + ec2
		}
		fmt.Fprintf(b, "\n%s (%s; %d inbound, %d outbound)\n", head, describeNode(n), c.Inbound, c.Outbound)
		if len(lines[n.name]) == 0 {
			b.WriteString("  (no rules)\n")
		}
		for _, l := range lines[n.name] {
			s := fmt.Sprintf("  %-*s  %-*s  %-*s  %s", wDir, l.dir, wPorts, l.ports, wPeer, l.peer, l.desc)
			b.WriteString(strings.TrimRight(s, " ") + "\n")
		}
	}
}

// cidrNames maps each CIDR to the names the declaration reaches it by.
func cidrNames(g *graph) map[string][]string {
	out := map[string][]string{}
	for _, n := range g.nodes {
		if n.kind == internetNode || n.kind == networkNode || n.kind == tierNode {
			for _, c := range n.cidrs {
				out[c] = append(out[c], n.label)
			}
		}
	}
	return out
}

// peerLabel is a rule's peer as a reader names it (rule.Peer.Text).
func peerLabel(r rule.Rule, names map[string][]string) string {
	return r.PeerOf().Text(names[r.Peer.CIDR])
}

// quotas shows, for each quota, its fullest scope: the figure a reviewer
// must watch. The JSON format lists every scope.
func quotas(b *strings.Builder, p *plan.Plan) {
	if len(p.QuotaUsage) == 0 {
		return
	}
	type fullest struct {
		quota, scope string
		used, limit  int
		alike        int // other scopes as full
	}
	var rows []*fullest
	byQuota := map[string]*fullest{}
	for _, u := range p.QuotaUsage {
		f, ok := byQuota[u.Quota]
		if !ok {
			f = &fullest{quota: u.Quota, scope: u.Scope, used: u.Used, limit: u.Limit}
			byQuota[u.Quota] = f
			rows = append(rows, f)
			continue
		}
		switch cmp.Compare(share(u.Used, u.Limit), share(f.used, f.limit)) {
		case 1:
			*f = fullest{quota: u.Quota, scope: u.Scope, used: u.Used, limit: u.Limit}
		case 0:
			f.alike++
			if u.Scope < f.scope {
				f.scope, f.used, f.limit = u.Scope, u.Used, u.Limit
			}
		}
	}
	slices.SortFunc(rows, func(a, c *fullest) int { return cmp.Compare(a.quota, c.quota) })
	b.WriteString("\nQuota usage: the fullest scope of each quota (--format json lists them all)\n")
	wq, wu, wl := len("quota"), len("used"), len("limit")
	for _, r := range rows {
		wq, wu, wl = max(wq, len(r.quota)), max(wu, len(fmt.Sprint(r.used))), max(wl, len(fmt.Sprint(r.limit)))
	}
	fmt.Fprintf(b, "  %-*s  %*s  %*s  %4s  %s\n", wq, "quota", wu, "used", wl, "limit", "use", "where")
	for _, r := range rows {
		where := r.scope
		if r.alike > 0 {
			where += fmt.Sprintf(" (and %d more as full)", r.alike)
		}
		pct := int(share(r.used, r.limit) * 100)
		flag := ""
		if pct >= QuotaWarnPercent {
			flag = "  <- near the limit"
		}
		fmt.Fprintf(b, "  %-*s  %*d  %*d  %3d%%  %s%s\n", wq, r.quota, wu, r.used, wl, r.limit, pct, where, flag)
	}
}

func share(used, limit int) float64 {
	if limit <= 0 {
		return 1
	}
	return float64(used) / float64(limit)
}

func findings(b *strings.Builder, fs finding.List) {
	if len(fs) == 0 {
		b.WriteString("\nFindings: none; every guardrail passed.\n")
		return
	}
	fmt.Fprintf(b, "\nFindings (%d)\n", len(fs))
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
