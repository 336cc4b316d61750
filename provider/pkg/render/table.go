package render

import (
	"fmt"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// Table is the plan for a reviewer: each group with its rules, the flow
// matrix, and every finding with its fix.
func Table(p *plan.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d security groups, %d rules\n\n", len(p.Groups), len(p.Rules))
	byService := map[string][]rule.Rule{}
	for _, r := range p.Rules {
		byService[r.Service] = append(byService[r.Service], r)
	}
	for _, g := range p.Groups {
		kind := ""
		if g.Shared {
			kind = ", shared"
		}
		if g.InternetFacing {
			kind += ", internet-facing"
		}
		c := p.RuleCounts[g.Service]
		fmt.Fprintf(&b, "%s  (tier %s%s; %d in, %d out)\n", g.Name, g.Tier, kind, c.Inbound, c.Outbound)
		for _, r := range byService[g.Service] {
			arrow := "<-"
			if r.Direction == rule.Egress {
				arrow = "->"
			}
			fmt.Fprintf(&b, "  %-7s %-16s %s %-32s %s\n", r.Direction, r.Ports.String(), arrow, peerName(r), r.Description)
		}
		b.WriteString("\n")
	}
	b.WriteString("Flows (callers as rows, callees as columns):\n\n")
	b.WriteString(Matrix(p))
	if len(p.Findings) > 0 {
		b.WriteString("\nFindings:\n")
		for _, f := range p.Findings {
			b.WriteString("  " + f.String() + "\n")
		}
	}
	return b.String()
}

func peerName(r rule.Rule) string {
	switch {
	case r.Self():
		return "self"
	case r.Peer.Kind == flow.Group:
		return "group " + r.Peer.Service
	default:
		return endpointName(r.Peer)
	}
}
