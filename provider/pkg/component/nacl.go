package component

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/nacl"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// newNetworkACL registers a tier's network ACL with its subnets, and its
// entries inline when they come from cidrBlocksFrom lists.
func newNetworkACL(ctx *pulumi.Context, r resources.Resource, refs Args, opts ...pulumi.ResourceOption) (*ec2.NetworkAcl, error) {
	a := r.ACL
	subnets := refs.SubnetIDs[a.Tier]
	if subnets == nil {
		subnets = pulumi.ToStringArray(a.SubnetIDs)
	}
	args := &ec2.NetworkAclArgs{VpcId: refs.VpcID, SubnetIds: subnets, Tags: pulumi.ToStringMap(a.Tags)}
	if a.Inline {
		entries := inlineEntries(a, refs)
		args.Ingress = entries.ApplyT(func(v any) []ec2.NetworkAclIngress {
			var out []ec2.NetworkAclIngress
			for _, e := range v.([]nacl.Entry) {
				if !e.Egress {
					out = append(out, ec2.NetworkAclIngress(inlineEntry(e)))
				}
			}
			return out
		}).(ec2.NetworkAclIngressArrayOutput)
		args.Egress = entries.ApplyT(func(v any) []ec2.NetworkAclEgress {
			var out []ec2.NetworkAclEgress
			for _, e := range v.([]nacl.Entry) {
				if e.Egress {
					out = append(out, inlineEntry(e))
				}
			}
			return out
		}).(ec2.NetworkAclEgressArrayOutput)
	}
	acl, err := ec2.NewNetworkAcl(ctx, r.Name, args, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating network ACL %q: %w", r.Name, err)
	}
	return acl, nil
}

// inlineEntries are the tier's entries once its lists' values are known:
// the declaration planned again with the values, so the one generator
// (package nacl) numbers them. Without a declaration (Emit called with a
// plan only) they are the plan's.
func inlineEntries(a *resources.ACLInputs, refs Args) pulumi.AnyOutput {
	if len(refs.Mesh.Tiers) == 0 {
		return pulumi.Any(a.Entries)
	}
	lists := make([]any, len(a.Lists))
	for i, id := range a.Lists {
		lists[i] = refs.CidrBlocksFrom[id]
	}
	return pulumi.All(lists...).ApplyT(func(values []any) ([]nacl.Entry, error) {
		m := withLists(refs.Mesh, a.Lists, values)
		p, err := plan.Build(m)
		if err != nil {
			return nil, fmt.Errorf("network ACL of tier %s: %w", a.Tier, err)
		}
		for _, acl := range p.NetworkAcls.ACLs {
			if acl.Tier == a.Tier {
				return acl.Entries, nil
			}
		}
		return nil, nil
	}).(pulumi.AnyOutput)
}

// withLists is the declaration with the given cidrBlocksFrom values known.
func withLists(m spec.Mesh, ids []string, values []any) spec.Mesh {
	known := map[string][]string{}
	for i, id := range ids {
		known[id], _ = values[i].([]string)
	}
	m.Tiers, m.Networks = slices.Clone(m.Tiers), slices.Clone(m.Networks)
	for i, t := range m.Tiers {
		if v, ok := known[spec.ListID("tier", t.Name)]; ok {
			m.Tiers[i].CidrBlocksFrom = v
		}
	}
	for i, n := range m.Networks {
		if v, ok := known[spec.ListID("network", n.Name)]; ok {
			m.Networks[i].CidrBlocksFrom = v
		}
	}
	m.Unknown = slices.DeleteFunc(slices.Clone(m.Unknown), func(id string) bool { _, ok := known[id]; return ok })
	return m
}

func inlineEntry(e nacl.Entry) ec2.NetworkAclEgress {
	from, to, typ, code := resources.ACLPorts(e)
	out := ec2.NetworkAclEgress{Action: "allow", Protocol: resources.ACLProtocol(e), RuleNo: e.Number, FromPort: from, ToPort: to}
	if e.IPv6() {
		out.Ipv6CidrBlock = &e.CIDR
	} else {
		out.CidrBlock = &e.CIDR
	}
	if typ != 0 || code != 0 {
		out.IcmpType, out.IcmpCode = &typ, &code
	}
	return out
}

// aclRuleArgs maps an entry onto a NetworkAclRule's inputs.
func aclRuleArgs(in *resources.ACLRuleInputs, acl *ec2.NetworkAcl) *ec2.NetworkAclRuleArgs {
	e := in.Entry
	from, to, typ, code := resources.ACLPorts(e)
	args := &ec2.NetworkAclRuleArgs{
		NetworkAclId: acl.ID(), RuleNumber: pulumi.Int(e.Number), Egress: pulumi.Bool(e.Egress),
		Protocol: pulumi.String(resources.ACLProtocol(e)), RuleAction: pulumi.String("allow"),
		FromPort: pulumi.Int(from), ToPort: pulumi.Int(to),
	}
	if e.IPv6() {
		args.Ipv6CidrBlock = pulumi.String(e.CIDR)
	} else {
		args.CidrBlock = pulumi.String(e.CIDR)
	}
	if typ != 0 || code != 0 {
		args.IcmpType, args.IcmpCode = pulumi.Int(typ), pulumi.Int(code)
	}
	return args
}
