package proposal_test

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/proposal"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
)

// TestTightenNamesTheMostSpecificGroup: the web servers' interface
// (10.0.1.10) also carries the bastion's group, as an admin group would be
// on every instance. Its calls on the app tier's VPC-wide 7000-7999 rule
// name the web servers (their group is on one interface, the bastion's on
// two), not the bastion, and not the address. A MySQL call from an address
// no interface has keeps the app tier's 3306 rule a CIDR.
func TestTightenNamesTheMostSpecificGroup(t *testing.T) {
	a, err := ec2read.ReadFiles(legacy.Files()...)
	require.NoError(t, err)
	bastion, err := a.Group("sg-0a000000000000001")
	require.NoError(t, err)
	web, err := a.Group("sg-0a000000000000003")
	require.NoError(t, err)
	bastion.Interfaces = append(bastion.Interfaces, web.Interfaces...)
	tiers, err := proposal.ParseTiers(legacy.Tiers)
	require.NoError(t, err)

	ip := netip.MustParseAddr
	tuples := []flowlog.Tuple{
		{InterfaceID: "eni-0c000000000000005", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.2.10"), DstPort: 7100, Protocol: 6, Action: "ACCEPT", Count: 3, TCPFlags: 2, Start: 1000, End: 1060},
		{InterfaceID: "eni-0c000000000000006", SrcAddr: ip("10.0.2.99"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 1, TCPFlags: 2, Start: 1000, End: 1060},
	}
	p, err := proposal.BuildWithTraffic(a, tiers, &proposal.Traffic{Files: []string{"mem"}, Records: 4, Each: func(fn func(flowlog.Tuple)) {
		for _, tu := range tuples {
			fn(tu)
		}
	}})
	require.NoError(t, err)
	peers := map[string][]spec.Peers{} // by service and first port
	for _, s := range p.Mesh.Services {
		for _, r := range s.Ingress {
			switch {
			case r.PortRange != nil:
				peers[s.Name+" "+strconv.Itoa(r.PortRange.From)] = append(peers[s.Name+" "+strconv.Itoa(r.PortRange.From)], r.From)
			case len(r.Ports) == 1:
				peers[s.Name+" "+strconv.Itoa(r.Ports[0])] = append(peers[s.Name+" "+strconv.Itoa(r.Ports[0])], r.From)
			}
		}
	}
	assert.Equal(t, []spec.Peers{{Services: []string{"web-servers-nginx"}}}, peers["app-tier 7000"])
	assert.Equal(t, []spec.Peers{{Networks: []string{"net-10.0.1.0-24"}}}, peers["app-tier 7500"], "no traffic")
	assert.Equal(t, []spec.Peers{{Networks: []string{"net-10.0.1.0-24", "net-10.0.2.0-24"}}, {PrefixListIDs: []string{"pl-0123456789abcdef0"}}},
		peers["db 3306"], "10.0.2.99 carries no group: the CIDR stays")

	var kinds []string
	for _, it := range p.Report {
		if it.Kind == proposal.KindTightened || it.Kind == proposal.KindKeptCIDR {
			kinds = append(kinds, it.Kind+" "+it.Service+" "+it.Rule)
		}
	}
	assert.ElementsMatch(t, []string{
		"tightened-by-flows app-tier ingress tcp/7000-7999 from 10.0.0.0/16",
		"kept-cidr app-tier ingress tcp/7500 from 10.0.1.0/24",
		"kept-cidr db ingress tcp/3306 from 10.0.1.0/24",
		"kept-cidr db ingress tcp/3306 from 10.0.2.0/24",
		"kept-cidr web-servers-nginx ingress tcp/443 from 10.0.0.0/24",
		"kept-cidr web-servers-nginx ingress icmp/8 from 10.0.0.0/16",
		"kept-cidr web-servers-nginx ingress udp/8125 from 2001:db8:1::/48",
		"kept-cidr bastion-host ingress tcp/22 from 203.0.113.0/24",
	}, kinds, "every ingress CIDR rule but the world's has an item")
}
