package observe

import (
	"fmt"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reach"
)

// The layers a REJECT is put down to.
const (
	ByGroups = "security group"
	ByACL    = "network ACL"
	ByBoth   = "both"
)

// Refusal is a rejected request with the layer that refuses it.
type Refusal struct {
	Rejected
	// Layer is ByGroups, ByACL, ByBoth, or "not decided: " and why.
	Layer string `json:"layer"`
	// Src and Dst are the evaluated path's addresses (one record's).
	Src string `json:"src"`
	Dst string `json:"dst"`
	// Rules are the refusing layers' entries or missing rules, as package
	// reach names them.
	Rules []string `json:"rules,omitempty"`
}

// Explain asks the reach evaluator, over the account the describe files
// give, which layer refuses each rejected request. A request logged REJECT
// at the callee arrived there, so only the callee's side decides: its
// subnet's network ACL (ingress) and its security groups (ingress). Without
// network ACLs and subnets read it decides nothing rather than blame the
// security groups, and a path both layers let in (the describe files may
// be newer than the log) is not decided either.
func Explain(acc *ec2read.Account, rejected []Rejected) []Refusal {
	out := make([]Refusal, 0, len(rejected))
	for _, r := range rejected {
		x := Refusal{Rejected: r, Src: r.Src.String(), Dst: r.Dst.String()}
		x.Layer, x.Rules = explain(acc, r)
		out = append(out, x)
	}
	return out
}

func explain(acc *ec2read.Account, r Rejected) (string, []string) {
	tr, ok := traffic(flowlog.Tuple{Protocol: r.Protocol, DstPort: r.Port})
	if !ok {
		return fmt.Sprintf("not decided: protocol %d is no IP protocol", r.Protocol), nil
	}
	ans, err := reach.Evaluate(acc, reach.Query{From: r.Src.String(), To: r.Dst.String(), Traffic: tr})
	if err != nil {
		return "not decided: " + err.Error(), nil
	}
	p := ans.Paths[0]
	var groups, acl *reach.Check
	for i, c := range p.Checks {
		switch c.Layer {
		case reach.DestGroups:
			groups = &p.Checks[i]
		case reach.DestACL:
			acl = &p.Checks[i]
		}
	}
	var rules []string
	for _, c := range []*reach.Check{acl, groups} {
		if !c.Allowed {
			rules = append(rules, fmt.Sprintf("%s (%s): %s", c.Layer.Title(), c.Resource, strings.Join(c.Rules, "; ")))
		}
	}
	sameSubnet := p.From.Subnet != "" && p.From.Subnet == p.To.Subnet
	switch {
	case len(acc.NetworkACLs) == 0:
		return "not decided: no network ACLs given (add the output of aws ec2 describe-network-acls and describe-subnets to --from)", nil
	case p.To.Subnet == "":
		return fmt.Sprintf("not decided: %s is in no subnet given (add the output of aws ec2 describe-subnets to --from)", r.Dst), nil
	case !sameSubnet && !acl.Allowed && !groups.Allowed:
		return ByBoth, rules
	case !sameSubnet && !acl.Allowed:
		return ByACL, rules
	case !groups.Allowed:
		return ByGroups, rules
	}
	return "not decided: both layers let it in as described (the describe files may be newer than the log)", nil
}
