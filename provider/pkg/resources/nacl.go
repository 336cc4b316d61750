package resources

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/nacl"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// Network ACL resource types, as in the URNs.
const (
	NetworkACLType     = "aws:ec2/networkAcl:NetworkAcl"
	NetworkACLRuleType = "aws:ec2/networkAclRule:NetworkAclRule"
)

// The ForceNew fields of terraform-provider-aws v5: vpc_network_acl.go
// (only vpc_id; subnet_ids, ingress, egress and tags update in place) and
// vpc_network_acl_rule.go (every field).
func init() {
	ReplaceOn[NetworkACLType] = []string{"vpcId"}
	ReplaceOn[NetworkACLRuleType] = []string{"networkAclId", "ruleNumber", "egress", "protocol", "ruleAction",
		"cidrBlock", "ipv6CidrBlock", "fromPort", "toPort", "icmpType", "icmpCode"}
}

// ACLInputs are an aws.ec2.NetworkAcl's inputs. The ACL holds its subnets
// (its subnetIds input) rather than separate associations: one resource
// owns the tier's subnets. Inline is set when some entry's CIDR comes from
// a cidrBlocksFrom list: the entries are then the ACL's ingress and egress
// inputs, computed by the component once the values are known, and Entries
// shows those known offline.
type ACLInputs struct {
	Tier string
	// SubnetIDs are the tier's subnetIds when known offline.
	SubnetIDs []string
	Tags      map[string]string
	Inline    bool
	Lists     []string
	Entries   []nacl.Entry
}

// ACLRuleInputs are an aws.ec2.NetworkAclRule's inputs; ACL is the logical
// name of its NetworkAcl, whose id exists only at run time.
type ACLRuleInputs struct {
	ACL   string
	Entry nacl.Entry
}

// ACLName is the logical name of a tier's network ACL.
func ACLName(mesh, tier string) string { return mesh + "-nacl-" + tier }

// networkACLs lists the NACL children of a plan: per tier with subnets, its
// NetworkAcl, then (unless it holds them inline) one NetworkAclRule per
// entry, named from the entry's content.
func networkACLs(mesh string, p *plan.Plan) []Resource {
	if p.NetworkAcls == nil {
		return nil
	}
	var out []Resource
	for _, a := range p.NetworkAcls.ACLs {
		if !a.Subnets {
			continue
		}
		name := ACLName(mesh, a.Tier)
		acl := &ACLInputs{Tier: a.Tier, SubnetIDs: a.SubnetIDs, Tags: a.Tags, Inline: len(a.Lists) > 0, Lists: a.Lists, Entries: a.Entries}
		about := fmt.Sprintf("network ACL of tier %s", a.Tier)
		if acl.Inline {
			about += " (entries inline: they come from " + strings.Join(a.Lists, ", ") + ")"
		}
		out = append(out, Resource{Type: NetworkACLType, Name: name, About: about, ACL: acl})
		if acl.Inline {
			continue
		}
		for _, e := range a.Entries {
			out = append(out, Resource{Type: NetworkACLRuleType, Name: name + "-" + e.Slug(),
				About:   fmt.Sprintf("network ACL rule: tier %s %s #%d %s %s (%s)", a.Tier, e.Direction(), e.Number, e.Range(), e.CIDR, e.Why),
				ACLRule: &ACLRuleInputs{ACL: name, Entry: e}})
		}
	}
	return out
}

// ACLProtocol is an entry's protocol as the NetworkAclRule input takes it:
// tcp, udp, icmp, -1, or the number (58 for ICMPv6, which the provider
// knows by number).
func ACLProtocol(e nacl.Entry) string {
	if e.Protocol == ports.ICMPv6 {
		return "58"
	}
	return e.Protocol
}

// ACLPorts are an entry's fromPort/toPort and icmpType/icmpCode inputs.
func ACLPorts(e nacl.Entry) (from, to, icmpType, icmpCode int) {
	if ports.IsICMP(e.Protocol) {
		return 0, 0, e.From, e.To
	}
	return e.From, e.To, 0, 0
}

// aclFields are a NetworkAcl's or NetworkAclRule's inputs as text.
func (r Resource) aclFields(vpc string) map[string]Field {
	if a := r.ACL; a != nil {
		out := map[string]Field{"vpcId": {Value: vpc}, "subnetIds": {Value: strings.Join(a.SubnetIDs, ",")}}
		if len(a.SubnetIDs) == 0 {
			out["subnetIds"] = Field{Value: "subnetIds of tier " + a.Tier}
		}
		for k, v := range a.Tags {
			out["tags."+k] = Field{Value: v}
		}
		if a.Inline {
			var in, eg []string
			for _, e := range a.Entries {
				line := fmt.Sprintf("#%d %s %s", e.Number, e.Range(), e.CIDR)
				if e.Egress {
					eg = append(eg, line)
				} else {
					in = append(in, line)
				}
			}
			out["ingress"] = Field{Value: strings.Join(in, "; ")}
			out["egress"] = Field{Value: strings.Join(eg, "; ")}
		}
		return out
	}
	e := r.ACLRule.Entry
	from, to, typ, code := ACLPorts(e)
	cidr := "cidrBlock"
	if e.IPv6() {
		cidr = "ipv6CidrBlock"
	}
	return map[string]Field{
		"networkAclId": {Value: r.ACLRule.ACL, Ref: true},
		"ruleNumber":   {Value: strconv.Itoa(e.Number)},
		"egress":       {Value: strconv.FormatBool(e.Egress)},
		"protocol":     {Value: ACLProtocol(e)},
		"ruleAction":   {Value: "allow"},
		cidr:           {Value: e.CIDR},
		"fromPort":     {Value: strconv.Itoa(from)},
		"toPort":       {Value: strconv.Itoa(to)},
		"icmpType":     {Value: strconv.Itoa(typ)},
		"icmpCode":     {Value: strconv.Itoa(code)},
	}
}
