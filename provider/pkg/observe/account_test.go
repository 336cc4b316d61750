package observe

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

func TestFromAccount(t *testing.T) {
	ip := netip.MustParseAddr
	acc := &ec2read.Account{Source: "file x.json", AttachmentsKnown: true, Groups: []ec2read.Group{
		{ID: "sg-app", Name: "app", Interfaces: []ec2read.Interface{{ID: "eni-1", Addresses: []netip.Addr{ip("10.0.2.5"), ip("10.0.2.6")}}}},
		{ID: "sg-db", Name: "db", Rules: []ec2read.Rule{
			{Direction: "ingress", Protocol: "tcp", FromPort: 3306, ToPort: 3306, Peer: ec2read.Peer{GroupID: "sg-app"}},
			{Direction: "ingress", Protocol: "tcp", FromPort: 3306, ToPort: 3306, Peer: ec2read.Peer{CIDR: "10.0.0.0/16"}},
			{Direction: "ingress", Protocol: "-1", Peer: ec2read.Peer{PrefixList: "pl-1"}},
			{Direction: "egress", Protocol: "-1", Peer: ec2read.Peer{CIDR: "0.0.0.0/0"}},
		}, Interfaces: []ec2read.Interface{{ID: "eni-2", Addresses: []netip.Addr{ip("10.0.3.5")}}}},
		{ID: "sg-admin", Name: "admin", Interfaces: []ec2read.Interface{{ID: "eni-1", Addresses: []netip.Addr{ip("10.0.2.5"), ip("10.0.2.6")}}}},
	}}
	ifaces, perms, skipped, err := FromAccount(acc)
	require.NoError(t, err)
	assert.Equal(t, []Interface{
		{ID: "eni-1", Name: "admin+app", Addrs: []netip.Addr{ip("10.0.2.5"), ip("10.0.2.6")}, Groups: []string{"sg-app", "sg-admin"}},
		{ID: "eni-2", Name: "db", Addrs: []netip.Addr{ip("10.0.3.5")}, Groups: []string{"sg-db"}},
	}, ifaces)
	assert.Equal(t, []Permission{
		{Rule: "db tcp/3306 from sg-app", Group: "sg-db", Ports: ports.Range{Protocol: "tcp", From: 3306, To: 3306}, PeerGroup: "sg-app"},
		{Rule: "db tcp/3306 from 10.0.0.0/16", Group: "sg-db", Ports: ports.Range{Protocol: "tcp", From: 3306, To: 3306}, PeerPrefix: netip.MustParsePrefix("10.0.0.0/16")},
	}, perms)
	assert.Equal(t, 1, skipped)
}
