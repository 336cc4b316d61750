package render

import (
	"fmt"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
)

// networkACLs lists each tier's network ACL entries, inbound first, by
// number, with the declarations that need them; and what the ACLs cannot
// carry. Nothing when the mesh does not enable them.
func networkACLs(b *strings.Builder, p *plan.Plan) {
	if p.NetworkAcls == nil {
		return
	}
	e := p.NetworkAcls.Ephemeral
	fmt.Fprintf(b, "\nNetwork ACLs, one per tier with subnets (stateless: replies on %d-%d)\n", e.From, e.To)
	for _, a := range p.NetworkAcls.ACLs {
		if !a.Subnets {
			fmt.Fprintf(b, "  %s: no subnetIds, no network ACL\n", a.Tier)
			continue
		}
		aggregated := ""
		if a.Aggregated {
			aggregated = ", aggregated to fit the quota"
		}
		fmt.Fprintf(b, "  %s%s\n", a.Tier, aggregated)
		for _, x := range a.Entries {
			dir := "in "
			if x.Egress {
				dir = "out"
			}
			fmt.Fprintf(b, "    %s #%-5d %-18s %-20s %s\n", dir, x.Number, x.Range(), x.CIDR, x.Why)
		}
	}
	for _, n := range p.NetworkAcls.Notes {
		fmt.Fprintf(b, "  note: %s\n", n)
	}
}
