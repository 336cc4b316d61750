package meshproof

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// TestPermissionOfEveryPeer pins, by hand, the describe-security-groups
// permission of a planned rule for each kind of peer, now that it is read
// from the peer's own EC2 form rather than a switch of its own.
func TestPermissionOfEveryPeer(t *testing.T) {
	lists := map[string][]string{"network:office": {"198.51.100.0/24", "2001:db8::/32", "192.0.2.0/24"}}
	pair := func(id string) []types.UserIdGroupPair { return []types.UserIdGroupPair{{GroupId: aws.String(id)}} }
	v4 := func(cidrs ...string) (out []types.IpRange) {
		for _, c := range cidrs {
			out = append(out, types.IpRange{CidrIp: aws.String(c)})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		peer flow.Endpoint
		want types.IpPermission
		ok   bool
	}{
		{"self", flow.ServiceGroup("api"), types.IpPermission{UserIdGroupPairs: pair("sg-api")}, true},
		{"mesh group", flow.ServiceGroup("web"), types.IpPermission{UserIdGroupPairs: pair("sg-web")}, true},
		{"external group", flow.Endpoint{Kind: flow.External, Service: "lb"}, types.IpPermission{UserIdGroupPairs: pair("sg-lb")}, true},
		{"prefix list", flow.Endpoint{Kind: flow.PrefixList, PrefixList: "pl-1"},
			types.IpPermission{PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-1")}}}, true},
		{"IPv4 CIDR", flow.Endpoint{Kind: flow.CIDR, CIDR: "10.0.0.0/8"}, types.IpPermission{IpRanges: v4("10.0.0.0/8")}, true},
		{"IPv6 CIDR", flow.Endpoint{Kind: flow.CIDR, CIDR: "::/0", Via: flow.TheInternet},
			types.IpPermission{Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}}, true},
		{"known list, split by family in its order", flow.Endpoint{Kind: flow.CIDRList, Via: flow.Network("office")},
			types.IpPermission{IpRanges: v4("198.51.100.0/24", "192.0.2.0/24"), Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("2001:db8::/32")}}}, true},
		{"list not known", flow.Endpoint{Kind: flow.CIDRList, Via: flow.Tier("web")}, types.IpPermission{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Permission(rule.Rule{Service: "api", Direction: rule.Ingress, Ports: ports.Range{Protocol: ports.TCP, From: 443, To: 443}, Peer: tc.peer}, lists, groupID)
			want := tc.want
			want.IpProtocol, want.FromPort, want.ToPort = aws.String("tcp"), aws.Int32(443), aws.Int32(443)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, want, got)
		})
	}
}
