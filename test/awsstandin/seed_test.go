package awsstandin

import (
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
)

func TestSeed(t *testing.T) {
	p := newProvider(t)
	require.NoError(t, Seed(p.State, legacy.Files()...))
	a := account(t, p)
	assert.Len(t, a.Groups, 7, "the six groups, and the partner account's group one of them references")
	assert.Equal(t, Group{ID: "sg-0fff00000000000aa", OwnerID: "444455556666"}, *a.Groups["sg-0fff00000000000aa"])
	assert.Len(t, a.Rules, 26, "one stand-in rule per EC2 rule and peer")
	var partner []string
	for _, r := range a.Rules {
		for _, p := range r.Peers {
			if strings.Contains(p, "sg-0fff00000000000aa") {
				partner = append(partner, p)
			}
		}
	}
	assert.Equal(t, []string{"sg:444455556666/sg-0fff00000000000aa"}, partner, "a cross-account reference keeps its owner")
	g := a.Groups["sg-0a000000000000001"]
	require.NotNil(t, g)
	assert.Equal(t, Group{ID: "sg-0a000000000000001", Name: "launch-wizard-1", VpcID: legacy.VPC,
		Description: "launch-wizard-1 created 2019-03-02T10:11:12.000+01:00", Tags: map[string]string{"Name": "bastion host"}}, *g)
	assert.Equal(t, &Rule{ID: "sgr-0b000000000000002", GroupID: "sg-0a000000000000001", Type: "ingress", Protocol: "tcp",
		FromPort: 22, ToPort: 22, Peers: []string{"cidr:0.0.0.0/0"}, Description: "temp debug - remove"}, a.Rules["sgr-0b000000000000002"])
	assert.ErrorContains(t, Seed(p.State, legacy.Groups()), "InvalidGroup.Duplicate")
}

// Read answers an import by pulumi-aws's rule id as its importer does: the
// permission it names (under the provider's sgrule- id), nothing when none
// matches, an error for a malformed id.
func TestReadImportID(t *testing.T) {
	p := newProvider(t)
	require.NoError(t, Seed(p.State, legacy.Files()...))
	u := urn(RuleType, "r")
	for _, tc := range []struct{ id, want string }{
		{"sg-0a000000000000005_ingress_tcp_3306_3306_10.0.2.0/24", "sgr-"},
		{"sg-0a000000000000005_ingress_tcp_1186_1186_self", "sgr-"},
		{"sg-0a000000000000005_ingress_6_22_22_sg-0a000000000000001", "sgr-"},
		{"sg-0a000000000000005_ingress_tcp_3306_3306_pl-0123456789abcdef0", "sgr-"},
		{"sg-0a000000000000002_ingress_tcp_443_443_::/0", "sgr-"},
		{"sg-0a000000000000005_egress_all_0_0_0.0.0.0/0", "sgr-"},
		{"sg-0a000000000000003_ingress_icmp_8_-1_10.0.0.0/16", "sgr-"},
		{"sg-0a000000000000003_ingress_17_8125_8125_2001:db8:1::/48", "sgr-"},
		{"sg-0a000000000000005_ingress_tcp_5432_5432_10.0.2.0/24", ""},
		{"sg-0a000000000000005_ingress_tcp_3306_3306_10.0.9.0/24", ""},
	} {
		resp, err := p.Read(ctx, &pulumirpc.ReadRequest{Urn: u, Id: tc.id})
		require.NoError(t, err, tc.id)
		if tc.want == "" {
			assert.Empty(t, resp.GetId(), "%s names no rule", tc.id)
			continue
		}
		assert.Regexp(t, `^sgrule-\d+$`, resp.GetId(), tc.id)
		assert.Regexp(t, "^sgr-0b", propsOf(t, resp.GetProperties())["securityGroupRuleId"].StringValue(), tc.id)
		assert.Equal(t, "sg-0a"+tc.id[5:20], propsOf(t, resp.GetInputs())["securityGroupId"].StringValue())
	}
	for id, want := range map[string]string{
		"sg-1_ingress_tcp_22":                "too few parts",
		"vpc-1_ingress_tcp_22_22_1.2.3.4/32": "invalid Security Group ID",
		"sg-1_inbound_tcp_22_22_1.2.3.4/32":  "expecting 'ingress' or 'egress'",
		"sg-1_ingress_gre_22_22_1.2.3.4/32":  "protocol must be",
		"sg-1_ingress_tcp_22_22_office":      "source must be",
	} {
		_, err := p.Read(ctx, &pulumirpc.ReadRequest{Urn: u, Id: id})
		assert.ErrorContains(t, err, want, id)
	}
}
