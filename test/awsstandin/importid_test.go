package awsstandin

import (
	"fmt"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ids are the examples in resourceSecurityGroupRuleImport's comments and
// in terraform-provider-aws's acceptance tests (testAccSecurityGroupRuleImportStateIdFunc
// builds SGID_TYPE_PROTOCOL_FROM_TO_SOURCES); the expected fields are worked
// out by hand from the importer's switch.
func TestParseImportID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want ImportedRule
	}{
		{"sg-09a093729ef9382a6_ingress_tcp_8000_8000_10.0.3.0/24",
			ImportedRule{SecurityGroupID: "sg-09a093729ef9382a6", Type: "ingress", Protocol: "tcp", FromPort: 8000, ToPort: 8000,
				CIDRBlocks: []string{"10.0.3.0/24"}}},
		{"sg-09a093729ef9382a6_ingress_92_0_65536_10.0.3.0/24_10.0.4.0/24",
			ImportedRule{SecurityGroupID: "sg-09a093729ef9382a6", Type: "ingress", Protocol: "92", FromPort: 0, ToPort: 65536,
				CIDRBlocks: []string{"10.0.3.0/24", "10.0.4.0/24"}}},
		{"sg-09a093729ef9382a6_egress_tcp_8000_8000_pl-34800000",
			ImportedRule{SecurityGroupID: "sg-09a093729ef9382a6", Type: "egress", Protocol: "tcp", FromPort: 8000, ToPort: 8000,
				PrefixListIDs: []string{"pl-34800000"}}},
		{"sg-09a093729ef9382a6_ingress_all_0_65536_sg-08123412342323",
			ImportedRule{SecurityGroupID: "sg-09a093729ef9382a6", Type: "ingress", Protocol: "-1", FromPort: 0, ToPort: 65536,
				SourceSecurityGroupID: "sg-08123412342323"}},
		{"sg-09a093729ef9382a6_ingress_tcp_100_121_10.1.0.0/16_2001:db8::/48_10.2.0.0/16_2002:db8::/48",
			ImportedRule{SecurityGroupID: "sg-09a093729ef9382a6", Type: "ingress", Protocol: "tcp", FromPort: 100, ToPort: 121,
				CIDRBlocks: []string{"10.1.0.0/16", "10.2.0.0/16"}, IPv6CIDRBlocks: []string{"2001:db8::/48", "2002:db8::/48"}}},
		{"sg-1_ingress_6_22_22_self",
			ImportedRule{SecurityGroupID: "sg-1", Type: "ingress", Protocol: "tcp", FromPort: 22, ToPort: 22, Self: true}},
		{"sg-1_ingress_icmp_-1_-1_0.0.0.0/0",
			ImportedRule{SecurityGroupID: "sg-1", Type: "ingress", Protocol: "icmp", FromPort: -1, ToPort: -1, CIDRBlocks: []string{"0.0.0.0/0"}}},
		{"sg-1_ingress_58_128_0_::/0",
			ImportedRule{SecurityGroupID: "sg-1", Type: "ingress", Protocol: "icmpv6", FromPort: 128, ToPort: 0, IPv6CIDRBlocks: []string{"::/0"}}},
		// A cross-account source: the owner stays in sourceSecurityGroupId.
		{"sg-1_ingress_tcp_443_443_444455556666/sg-0abc",
			ImportedRule{SecurityGroupID: "sg-1", Type: "ingress", Protocol: "tcp", FromPort: 443, ToPort: 443,
				SourceSecurityGroupID: "444455556666/sg-0abc"}},
		// A prefix list beside a group: the schema allows it.
		{"sg-1_egress_tcp_443_443_pl-1_sg-2",
			ImportedRule{SecurityGroupID: "sg-1", Type: "egress", Protocol: "tcp", FromPort: 443, ToPort: 443,
				PrefixListIDs: []string{"pl-1"}, SourceSecurityGroupID: "sg-2"}},
		// Two groups: each d.Set overwrites, the last wins.
		{"sg-1_ingress_tcp_1_2_sg-2_sg-3",
			ImportedRule{SecurityGroupID: "sg-1", Type: "ingress", Protocol: "tcp", FromPort: 1, ToPort: 2, SourceSecurityGroupID: "sg-3"}},
		// ":" is tested before "pl-": an IPv6 CIDR holding "pl-" is a CIDR.
		{"sg-1_ingress_tcp_1_2_2001:db8:pl-::/48",
			ImportedRule{SecurityGroupID: "sg-1", Type: "ingress", Protocol: "tcp", FromPort: 1, ToPort: 2, IPv6CIDRBlocks: []string{"2001:db8:pl-::/48"}}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			got, err := ParseImportID(tc.id)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// Each refusal of the real importer, in its order and with its message.
func TestParseImportIDRefusals(t *testing.T) {
	for _, tc := range []struct{ id, msg string }{
		{"sg-1_ingress_tcp_22_22", "too few parts"},
		{"", "too few parts"},
		{"vpc-1_ingress_tcp_22_22_1.2.3.4/32", "invalid Security Group ID"},
		{"SG-1_ingress_tcp_22_22_1.2.3.4/32", "invalid Security Group ID"},
		{"sg-1_inbound_tcp_22_22_1.2.3.4/32", "expecting 'ingress' or 'egress'"},
		{"sg-1_Ingress_tcp_22_22_1.2.3.4/32", "expecting 'ingress' or 'egress'"},
		{"sg-1_ingress_gre_22_22_1.2.3.4/32", "protocol must be tcp/udp/icmp/icmpv6/all or a number"},
		// The names are matched as written: TCP is not tcp here.
		{"sg-1_ingress_TCP_22_22_1.2.3.4/32", "protocol must be tcp/udp/icmp/icmpv6/all or a number"},
		{"sg-1_ingress_icmp_256_0_1.2.3.4/32", "invalid icmp type"},
		{"sg-1_ingress_1_x_0_1.2.3.4/32", "invalid icmp type"},
		{"sg-1_ingress_icmpv6_8_-2_::/0", "invalid icmp code"},
		{"sg-1_ingress_tcp_a_22_1.2.3.4/32", "invalid from_port"},
		{"sg-1_ingress_udp_22_b_1.2.3.4/32", "invalid to_port"},
		{"sg-1_ingress_tcp_443_80_1.2.3.4/32", "to_port lower than from_port"},
		{"sg-1_ingress_tcp_22_22_office", "source must be cidr, ipv6cidr, prefix list, 'self', or a Security Group ID"},
		// An empty source (what a rule with no peer would print) is refused.
		{"sg-0a1_ingress_tcp_443_443_", "source must be cidr, ipv6cidr, prefix list, 'self', or a Security Group ID"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			_, err := ParseImportID(tc.id)
			require.Error(t, err)
			assert.Equal(t, fmt.Sprintf("unexpected format for ID (%q), expected SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*: %s",
				tc.id, tc.msg), err.Error())
		})
	}
}

func TestProtocolForValue(t *testing.T) {
	for in, want := range map[string]string{
		"tcp": "tcp", "TCP": "tcp", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "icmpv6": "icmpv6",
		"all": "-1", "ALL": "-1", "-1": "-1", "50": "50", "gre": "gre",
	} {
		assert.Equal(t, want, protocolForValue(in), in)
	}
}

// The provider's id of a rule, securityGroupRuleCreateID: hash input worked
// out by hand from the real function for each shape.
func TestCreateID(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     permission
		input string
	}{
		{"tcp, CIDRs sorted", permission{Protocol: "tcp", HasPorts: true, FromPort: 22, ToPort: 22, CIDRs: []string{"10.0.1.0/24", "10.0.0.0/24"}},
			"sg-1-22-22-tcp-ingress-10.0.0.0/24-10.0.1.0/24-"},
		{"all: no ports", permission{Protocol: "-1", PrefixLists: []string{"pl-1"}},
			"sg-1--1-ingress-pl-1-"},
		{"icmp type 0 is not written", permission{Protocol: "icmp", HasPorts: true, FromPort: 0, ToPort: -1, IPv6s: []string{"::/0"}},
			"sg-1-icmp-ingress-::/0-"},
		{"group pairs by id, owner left out", permission{Protocol: "tcp", HasPorts: true, FromPort: 1, ToPort: 2,
			Pairs: []groupPair{{GroupID: "sg-9"}, {UserID: "444455556666", GroupID: "sg-3"}}},
			"sg-1-1-2-tcp-ingress-sg-3--sg-9--"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, fmt.Sprintf("sgrule-%d", crc32.ChecksumIEEE([]byte(tc.input))), tc.p.createID("sg-1", "ingress"))
		})
	}
}
