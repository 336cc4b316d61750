package resources_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// A small mesh whose every child is written out by hand: each peer kind's
// EC2 field, 0/0 ports for "all" and a bare protocol, ICMP type and code.
func TestOfWritesEachPeerAndPortInItsEC2Form(t *testing.T) {
	m, err := spec.Decode([]byte(`
namePrefix: p-
egress: none
tiers: [{name: t, cidrBlocks: [10.0.0.0/24]}]
networks: [{name: office, cidrBlocks: [203.0.113.0/24, "2001:db8::/48"]}]
services:
  - name: A
    tier: t
    ingress:
      - {ports: [22], from: {networks: [office]}}
      - {protocol: all, from: {self: true}}
      - {protocol: "50", from: {services: [B]}}
      - {protocol: icmp, icmpType: 8, icmpCode: 0, from: {prefixListIds: [pl-0123456789abcdef0]}}
  - name: B
    tier: t
    egress:
      - {ports: [443], to: {services: [A]}}
`))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	got := map[string]map[string]resources.Field{}
	var order []string
	for _, r := range resources.Of("m", p) {
		got[r.Name] = r.Fields("vpc-1")
		order = append(order, r.Name)
	}
	ref := func(v string) resources.Field { return resources.Field{Value: v, Ref: true} }
	val := func(v string) resources.Field { return resources.Field{Value: v} }
	rule := func(typ, proto, from, to, desc string, peer map[string]resources.Field) map[string]resources.Field {
		out := map[string]resources.Field{"type": val(typ), "securityGroupId": ref("m-A"), "protocol": val(proto),
			"fromPort": val(from), "toPort": val(to), "description": val(desc)}
		if typ == "egress" {
			out["securityGroupId"] = ref("m-B")
		}
		for k, v := range peer {
			out[k] = v
		}
		return out
	}
	assert.Equal(t, []string{"m-A", "m-B",
		"m-A-ingress-all-self", "m-A-ingress-icmp-8-0-pl-0123456789abcdef0", "m-A-ingress-proto50-sg_B",
		"m-A-ingress-tcp-22-2001.db8.._48", "m-A-ingress-tcp-22-203.0.113.0_24", "m-B-egress-tcp-443-sg_A"}, order)
	assert.Equal(t, map[string]resources.Field{"name": val("p-A"), "vpcId": val("vpc-1"), "revokeRulesOnDelete": val("true"),
		"description": val("p-A security group, managed by pulumi-servicemesh"),
		"tags.Name":   val("p-A"), "tags.Service": val("A"), "tags.Tier": val("t"), "tags.ManagedBy": val("pulumi-servicemesh")},
		got["m-A"])
	assert.Equal(t, rule("ingress", "50", "0", "0", "proto50 from B", map[string]resources.Field{"sourceSecurityGroupId": ref("m-B")}), got["m-A-ingress-proto50-sg_B"])
	assert.Equal(t, rule("ingress", "-1", "0", "0", "all from A", map[string]resources.Field{"self": val("true")}), got["m-A-ingress-all-self"])
	assert.Equal(t, rule("ingress", "icmp", "8", "0", "icmp/8:0 from pl-0123456789abcdef0",
		map[string]resources.Field{"prefixListIds": val("pl-0123456789abcdef0")}), got["m-A-ingress-icmp-8-0-pl-0123456789abcdef0"])
	assert.Equal(t, rule("ingress", "tcp", "22", "22", "SSH from network:office (2001:db8::/48)",
		map[string]resources.Field{"ipv6CidrBlocks": val("2001:db8::/48")}), got["m-A-ingress-tcp-22-2001.db8.._48"])
	assert.Equal(t, rule("ingress", "tcp", "22", "22", "SSH from network:office (203.0.113.0/24)",
		map[string]resources.Field{"cidrBlocks": val("203.0.113.0/24")}), got["m-A-ingress-tcp-22-203.0.113.0_24"])
	assert.Equal(t, rule("egress", "tcp", "443", "443", "HTTPS to A",
		map[string]resources.Field{"sourceSecurityGroupId": ref("m-A")}), got["m-B-egress-tcp-443-sg_A"])
}

func TestReplaces(t *testing.T) {
	for _, tc := range []struct {
		typ, field string
		want       bool
	}{
		{resources.GroupType, "name", true},
		{resources.GroupType, "vpcId", true},
		{resources.GroupType, "tags.Name", false},
		{resources.RuleType, "fromPort", true},
		{resources.RuleType, "self", true},
		{resources.RuleType, "description", false},
	} {
		assert.Equal(t, tc.want, resources.Replaces(tc.typ, tc.field), "%s %s", tc.typ, tc.field)
	}
}

// A rule from an external group carries its id (or says whose id it will
// be) and references no group of the mesh; its name is the declared name's.
func TestOfReferencesExternalGroupsByDeclaredName(t *testing.T) {
	for _, tc := range []struct {
		id, want string
	}{
		{"sg-0123456789abcdef0", "sg-0123456789abcdef0"},
		{"", "id of external group lb"},
	} {
		m, err := spec.Decode([]byte(`
egress: none
tiers: [{name: t}]
externalGroups: [{name: lb, securityGroupId: "` + tc.id + `"}]
services: [{name: A, tier: t, ingress: [{ports: [443], from: {services: [lb]}}]}]
`))
		require.NoError(t, err)
		p, err := plan.Build(m)
		require.NoError(t, err)
		list := resources.Of("m", p)
		require.Len(t, list, 2)
		assert.Equal(t, "m-A-ingress-tcp-443-sg_lb", list[1].Name)
		assert.Equal(t, "rule: A ingress tcp/443 from external group lb", list[1].About)
		assert.Equal(t, &resources.RuleInputs{Type: "ingress", SecurityGroup: "m-A", Protocol: "tcp", FromPort: 443, ToPort: 443,
			Description: "HTTPS from lb", EC2Peer: flow.EC2Peer{SourceSecurityGroup: &flow.GroupRef{Name: "lb", External: true},
				SourceGroupID: tc.id}}, list[1].Rule)
		assert.Equal(t, resources.Field{Value: tc.want}, list[1].Fields("")["sourceSecurityGroupId"])
	}
}

// Import ids: the adopted group, and the rules adopt.rules lists; a rule
// not listed (a new one) is created, and so is everything of a new group.
func TestImportIDs(t *testing.T) {
	m, err := spec.Decode([]byte(`
egress: none
tiers: [{name: t}]
services:
  - name: A
    tier: t
    adopt: {groupId: sg-0aaaaaaaaaaaaaaaa, rules: [A/ingress/tcp-22/10.0.0.0_8, A/ingress/all/self]}
    ingress:
      - {ports: [22], from: {cidrBlocks: [10.0.0.0/8]}}
      - {protocol: all, from: {self: true}}
      - {ports: [443], from: {services: [B]}}
  - name: B
    tier: t
    ingress:
      - {ports: [80], from: {services: [A]}}
`))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	got := map[string]string{}
	for _, r := range resources.Of("m", p) {
		got[r.Name] = r.ImportID
	}
	assert.Equal(t, map[string]string{
		"m-A": "sg-0aaaaaaaaaaaaaaaa", "m-B": "",
		"m-A-ingress-tcp-22-10.0.0.0_8": "sg-0aaaaaaaaaaaaaaaa_ingress_tcp_22_22_10.0.0.0/8",
		"m-A-ingress-all-self":          "sg-0aaaaaaaaaaaaaaaa_ingress_all_0_0_self",
		"m-A-ingress-tcp-443-sg_B":      "",
		"m-B-ingress-tcp-80-sg_A":       "",
	}, got)
}

func TestAdoptRulesFindings(t *testing.T) {
	m, err := spec.Decode([]byte(`
tiers: [{name: t}]
services:
  - {name: A, tier: t, adopt: {groupId: sg-0aaaaaaaaaaaaaaaa, rules: [A/ingress/tcp-443/sg_B, A/ingress/tcp-1/self]},
     ingress: [{ports: [443], from: {services: [B]}}]}
  - {name: B, tier: t}
`))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.Error(t, err)
	var msgs []string
	for _, f := range p.Findings {
		if f.Check == "invalid-adopt" || f.Check == "stale-adopt-rule" {
			msgs = append(msgs, string(f.Severity)+" "+f.Check+": "+f.Message)
		}
	}
	assert.Equal(t, []string{
		`error invalid-adopt: adopt.rules imports "A/ingress/tcp-443/sg_B", but its peer B is a new group, so the rule cannot exist yet`,
		`warning stale-adopt-rule: adopt.rules names "A/ingress/tcp-1/self", which is not a rule of this service`,
	}, msgs)
}
