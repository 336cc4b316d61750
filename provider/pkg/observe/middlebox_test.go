package observe

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// A web tier behind a load balancer, an API calling out through a NAT
// gateway, worked by hand. Interfaces: the web instance eni-web
// (10.0.1.10) carries sg-web; the balancer's eni-lb (10.0.0.20) carries
// sg-lb; the NAT gateway's eni-nat (10.0.0.5) carries none; the API's
// eni-api (10.0.2.10, and 10.0.2.11 secondary) carries sg-api. Rules: web
// 443 from sg-lb, api 7500 from sg-web.
func middleboxWorld() (*Inventory, []Permission) {
	ip := netip.MustParseAddr
	inv := NewInventory([]Interface{
		{ID: "eni-web", Name: "web", Addrs: []netip.Addr{ip("10.0.1.10")}, Groups: []string{"sg-web"}},
		{ID: "eni-lb", Name: "lb", Addrs: []netip.Addr{ip("10.0.0.20")}, Groups: []string{"sg-lb"}},
		{ID: "eni-nat", Addrs: []netip.Addr{ip("10.0.0.5")}, Transit: true},
		{ID: "eni-api", Name: "api", Addrs: []netip.Addr{ip("10.0.2.10"), ip("10.0.2.11")}, Groups: []string{"sg-api"}},
	})
	tcp := func(p int) ports.Range { return ports.Range{Protocol: "tcp", From: p, To: p} }
	return inv, []Permission{
		{Rule: "web tcp/443 from sg-lb", Group: "sg-web", Ports: tcp(443), PeerGroup: "sg-lb"},
		{Rule: "api tcp/7500 from sg-web", Group: "sg-api", Ports: tcp(7500), PeerGroup: "sg-web"},
	}
}

func TestAttributeMiddleboxes(t *testing.T) {
	ip := netip.MustParseAddr
	in, out := flowlog.Ingress, flowlog.Egress
	tests := []struct {
		name   string
		tuples []flowlog.Tuple
		check  func(t *testing.T, rep Report)
	}{
		{
			// The API calls 192.0.2.50:443 through the NAT gateway. On the
			// gateway's interface the request arrives addressed to the gateway
			// (pkt-dstaddr the API's real destination): transit, not a request
			// to a service, and no rule is missing.
			name: "NAT gateway records are transit",
			tuples: []flowlog.Tuple{
				{InterfaceID: "eni-nat", SrcAddr: ip("10.0.2.10"), DstAddr: ip("10.0.0.5"), PktSrcAddr: ip("10.0.2.10"), PktDstAddr: ip("192.0.2.50"),
					DstPort: 443, Protocol: 6, Action: "ACCEPT", FlowDirection: in, Count: 3, TCPFlags: 3, Start: 100, End: 160},
				{InterfaceID: "eni-nat", SrcAddr: ip("10.0.0.5"), DstAddr: ip("192.0.2.50"), PktSrcAddr: ip("10.0.0.5"), PktDstAddr: ip("192.0.2.50"),
					DstPort: 443, Protocol: 6, Action: "ACCEPT", FlowDirection: out, Count: 3, TCPFlags: 3, Start: 100, End: 160},
				{InterfaceID: "eni-api", SrcAddr: ip("10.0.2.10"), DstAddr: ip("192.0.2.50"), DstPort: 443, Protocol: 6, Action: "ACCEPT",
					FlowDirection: out, Count: 3, TCPFlags: 3, Start: 100, End: 160},
			},
			check: func(t *testing.T, rep Report) {
				assert.Equal(t, int64(3), rep.Transit)
				assert.Equal(t, []Forwarded{{Caller: "api", Via: "eni-nat", Destination: "192.0.2.50", Protocol: 6, Port: 443, Records: 3}}, rep.Forwarded,
					"pkt-dstaddr names where the gateway forwarded it")
				assert.Zero(t, rep.Unexplained)
				assert.Equal(t, Tally{ByFlowDirection: 9}, rep.Sides)
			},
		},
		{
			// The balancer's health checks (SYN and FIN in each interval) reach
			// the web instance from the balancer's address: the rule that lets
			// the balancer's group in allows them.
			name: "health checks hit the rule naming the balancer's group",
			tuples: []flowlog.Tuple{
				{InterfaceID: "eni-web", SrcAddr: ip("10.0.0.20"), DstAddr: ip("10.0.1.10"), DstPort: 443, Protocol: 6, Action: "ACCEPT",
					FlowDirection: in, Count: 60, Packets: 360, Bytes: 21600, TCPFlags: 3, Start: 0, End: 3599},
			},
			check: func(t *testing.T, rep Report) {
				assert.Equal(t, Hit{Rule: "web tcp/443 from sg-lb", Flows: 1, Records: 60, Packets: 360, Bytes: 21600, FirstSeen: 0, LastSeen: 3599,
					Callers: []string{"lb"}}, rep.Hits[1])
			},
		},
		{
			// The web instance calls the API's secondary address, and the API
			// answers from it: the secondary address is the API's.
			name: "a secondary address is its interface's",
			tuples: []flowlog.Tuple{
				{InterfaceID: "eni-api", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.2.11"), DstPort: 7500, Protocol: 6, Action: "ACCEPT",
					Count: 2, Packets: 20, Bytes: 2000, TCPFlags: 2, Start: 10, End: 70},
			},
			check: func(t *testing.T, rep Report) {
				assert.Equal(t, Hit{Rule: "api tcp/7500 from sg-web", Flows: 1, Records: 2, Packets: 20, Bytes: 2000, FirstSeen: 10, LastSeen: 70,
					Callers: []string{"web"}}, rep.Hits[0])
				assert.Equal(t, Tally{ByAddress: 2}, rep.Sides)
			},
		},
		{
			// flow-direction says where the record was logged: a request that
			// arrived at an address the inventory does not list for the
			// interface (one of a prefix delegated to it) is still the
			// interface's. Without the field only the address can tell, and
			// it cannot.
			name: "flow-direction decides the side before addresses",
			tuples: []flowlog.Tuple{
				{InterfaceID: "eni-api", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.2.80"), DstPort: 7500, Protocol: 6, Action: "ACCEPT",
					FlowDirection: in, Count: 4, TCPFlags: 2, Start: 10, End: 70},
				{InterfaceID: "eni-api", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.2.81"), DstPort: 7500, Protocol: 6, Action: "ACCEPT",
					Count: 5, TCPFlags: 2, Start: 10, End: 70},
			},
			check: func(t *testing.T, rep Report) {
				assert.Equal(t, int64(4), rep.Hits[0].Records)
				assert.Equal(t, Tally{ByFlowDirection: 4, ByAddress: 5}, rep.Sides)
			},
		},
		{
			name: "requests on an interface no snapshot has are counted",
			tuples: []flowlog.Tuple{
				{InterfaceID: "eni-gone", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.2.99"), DstPort: 7500, Protocol: 6, Action: "ACCEPT",
					Count: 7, TCPFlags: 2, Start: 10, End: 70},
			},
			check: func(t *testing.T, rep Report) {
				assert.Equal(t, int64(7), rep.NoInterface)
				assert.Zero(t, rep.Unexplained)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, perms := middleboxWorld()
			each := func(fn func(flowlog.Tuple)) {
				for _, tu := range tt.tuples {
					fn(tu)
				}
			}
			tt.check(t, Attribute(each, inv, perms, Listening(perms)))
		})
	}
}

// TestAttributeBalancerPreservingClients, worked by hand: a Network Load
// Balancer (eni-nlb, 10.0.0.30, sg-nlb, InterfaceType
// network_load_balancer) preserves client addresses, so its target web
// (eni-web, sg-web, rule 8443 from sg-nlb) sees the client's. Records
// written as AWS logs them (version 5, flow-direction, tcp-flags).
func TestAttributeBalancerPreservingClients(t *testing.T) {
	ip := netip.MustParseAddr
	header := "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags flow-direction log-status\n"
	inv := NewInventory([]Interface{
		{ID: "eni-web", Name: "web", Addrs: []netip.Addr{ip("10.0.1.10")}, Groups: []string{"sg-web"}},
		{ID: "eni-nlb", Name: "nlb", Addrs: []netip.Addr{ip("10.0.0.30")}, Groups: []string{"sg-nlb"}, Balancer: true},
	})
	tcp := func(p int) ports.Range { return ports.Range{Protocol: "tcp", From: p, To: p} }
	perms := []Permission{
		{Rule: "nlb tcp/443 from 0.0.0.0/0", Group: "sg-nlb", Ports: tcp(443), PeerPrefix: netip.MustParsePrefix("0.0.0.0/0")},
		{Rule: "web tcp/8443 from sg-nlb", Group: "sg-web", Ports: tcp(8443), PeerGroup: "sg-nlb"},
	}
	// The client 198.51.100.7 calls the balancer on 443; the balancer
	// delivers it to web on 8443 with the client's address and port.
	front := "5 eni-nlb 198.51.100.7 10.0.0.30 50001 443 6 10 1000 1000 1060 ACCEPT 2 ingress OK\n"
	target := "5 eni-web 198.51.100.7 10.0.1.10 50001 8443 6 10 1000 1010 1070 ACCEPT 2 ingress OK\n"
	tests := []struct {
		name        string
		records     string
		webHit      Hit
		via, unexpl int64
	}{
		{"the balancer logged the client in the interval: the rule naming its group", front + target,
			Hit{Rule: "web tcp/8443 from sg-nlb", Flows: 1, Records: 1, Packets: 10, Bytes: 1000, FirstSeen: 1010, LastSeen: 1070, Callers: []string{"nlb"}}, 1, 0},
		{"no record of the client at the balancer: unexplained", target,
			Hit{Rule: "web tcp/8443 from sg-nlb"}, 0, 1},
		{"the balancer's record of the client is an hour earlier: unexplained",
			"5 eni-nlb 198.51.100.7 10.0.0.30 50001 443 6 10 1000 1000 1060 ACCEPT 2 ingress OK\n" +
				"5 eni-web 198.51.100.7 10.0.1.10 50001 8443 6 10 1000 4600 4660 ACCEPT 2 ingress OK\n",
			Hit{Rule: "web tcp/8443 from sg-nlb"}, 0, 1},
		{"another client at the balancer: unexplained",
			"5 eni-nlb 198.51.100.8 10.0.0.30 50001 443 6 10 1000 1000 1060 ACCEPT 2 ingress OK\n" + target,
			Hit{Rule: "web tcp/8443 from sg-nlb"}, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table := flowlog.NewTable()
			s := flowlog.NewScanner("flows.log", strings.NewReader(header+tc.records), nil)
			table.Add(s)
			require.NoError(t, s.Err())
			rep := Attribute(table.Each, inv, perms, Listening(perms))
			assert.Equal(t, tc.webHit, rep.Hits[1])
			assert.Equal(t, tc.via, rep.ViaBalancer, "records attributed through the balancer")
			assert.Equal(t, tc.unexpl, rep.Unexplained)
		})
	}
}
