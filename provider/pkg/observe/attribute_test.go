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

// A small account, worked by hand: MySQL (eni-db, 10.0.3.10) allows 3306
// from the API's group and, as a legacy rule, from the VPC's /16. The API
// instance (eni-api) has two addresses. 10.0.2.50 is the API's until t=2000,
// when the interface is reused by the web tier.
func TestAttribute(t *testing.T) {
	ip := netip.MustParseAddr
	snaps := []Snapshot{
		{Taken: 1000, Interfaces: []Interface{
			{ID: "eni-db", Name: "MySQL", Addrs: []netip.Addr{ip("10.0.3.10")}, Groups: []string{"sg-mysql"}},
			{ID: "eni-api", Name: "CustomerManagement-API", Addrs: []netip.Addr{ip("10.0.2.20"), ip("10.0.2.21")}, Groups: []string{"sg-api", "sg-admin"}},
			{ID: "eni-old", Name: "CustomerManagement-API", Addrs: []netip.Addr{ip("10.0.2.50")}, Groups: []string{"sg-api"}},
		}},
		{Taken: 2000, Interfaces: []Interface{
			{ID: "eni-db", Name: "MySQL", Addrs: []netip.Addr{ip("10.0.3.10")}, Groups: []string{"sg-mysql"}},
			{ID: "eni-api", Name: "CustomerManagement-API", Addrs: []netip.Addr{ip("10.0.2.20"), ip("10.0.2.21")}, Groups: []string{"sg-api", "sg-admin"}},
			{ID: "eni-old", Name: "FrontEnd-Web", Addrs: []netip.Addr{ip("10.0.2.50")}, Groups: []string{"sg-web"}},
		}},
	}
	perms := []Permission{
		{Rule: "MySQL from CustomerManagement-API 3306", Group: "sg-mysql", Ports: ports.Range{Protocol: "tcp", From: 3306, To: 3306}, PeerGroup: "sg-api"},
		{Rule: "MySQL from 10.0.0.0/16 3306", Group: "sg-mysql", Ports: ports.Range{Protocol: "tcp", From: 3306, To: 3306}, PeerPrefix: netip.MustParsePrefix("10.0.0.0/16")},
		{Rule: "MySQL from MySQL 1186", Group: "sg-mysql", Ports: ports.Range{Protocol: "tcp", From: 1186, To: 1186}, PeerGroup: "sg-mysql"},
	}
	tuples := []flowlog.Tuple{
		// API → MySQL on the callee's interface (SYN), from the primary and the
		// secondary address: both rules allow each.
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.2.20"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 4, Packets: 40, Bytes: 4000, TCPFlags: 3, Start: 1100, End: 1160},
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.2.21"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 1, Packets: 5, Bytes: 500, TCPFlags: 2, Start: 1500, End: 1560},
		// MySQL's SYN-ACK back: a reply, no rule.
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.3.10"), DstAddr: ip("10.0.2.20"), DstPort: 40001, Protocol: 6, Action: "ACCEPT", Count: 4, Packets: 30, Bytes: 9000, TCPFlags: 19, Start: 1100, End: 1160},
		// The same connection logged on the caller's interface: not counted again.
		{InterfaceID: "eni-api", SrcAddr: ip("10.0.2.20"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 4, Packets: 40, Bytes: 4000, TCPFlags: 3, Start: 1100, End: 1160},
		// 10.0.2.50 before the reuse: the API; after it: the web tier, which
		// only the /16 rule allows.
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.2.50"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 2, Packets: 2, Bytes: 200, TCPFlags: 2, Start: 1900, End: 1960},
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.2.50"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 3, Packets: 3, Bytes: 300, TCPFlags: 2, Start: 2100, End: 2160},
		// Accepted from outside every rule (another group's rule, not given).
		{InterfaceID: "eni-db", SrcAddr: ip("192.168.9.9"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 7, TCPFlags: 2, Start: 1200, End: 1260},
		// Refused: the API on 1186 five times (a missing rule?), a scanner once,
		// and the API on 22 twice (too few to call).
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.2.20"), DstAddr: ip("10.0.3.10"), DstPort: 1186, Protocol: 6, Action: "REJECT", Count: 5, TCPFlags: 2, Start: 1300, End: 1360},
		{InterfaceID: "eni-db", SrcAddr: ip("198.51.100.7"), DstAddr: ip("10.0.3.10"), DstPort: 3389, Protocol: 6, Action: "REJECT", Count: 1, TCPFlags: 2, Start: 1300, End: 1360},
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.2.21"), DstAddr: ip("10.0.3.10"), DstPort: 22, Protocol: 6, Action: "REJECT", Count: 2, TCPFlags: 2, Start: 1300, End: 1360},
	}
	each := func(fn func(flowlog.Tuple)) {
		for _, tu := range tuples {
			fn(tu)
		}
	}
	rep := Attribute(each, FromSnapshots(snaps), perms, func(int, int) bool { return false })
	assert.Equal(t, []Hit{
		// 10.0.2.50's two tuples (before and after the reuse) are one flow.
		{Rule: "MySQL from 10.0.0.0/16 3306", Flows: 3, Records: 10, Packets: 50, Bytes: 5000, FirstSeen: 1100, LastSeen: 2160,
			Callers: []string{"CustomerManagement-API", "FrontEnd-Web"}, NameableCallers: true},
		{Rule: "MySQL from CustomerManagement-API 3306", Flows: 3, Records: 7, Packets: 47, Bytes: 4700, FirstSeen: 1100, LastSeen: 1960,
			Callers: []string{"CustomerManagement-API"}},
		{Rule: "MySQL from MySQL 1186"},
	}, rep.Hits)
	assert.Equal(t, int64(7), rep.Unexplained)
	assert.Equal(t, []Rejected{
		{Caller: "198.51.100.7", Callee: "MySQL", Protocol: 6, Port: 3389, Records: 1, Src: ip("198.51.100.7"), Dst: ip("10.0.3.10")},
		{Caller: "CustomerManagement-API", Callee: "MySQL", Protocol: 6, Port: 22, Records: 2, FromKnownService: true, Src: ip("10.0.2.21"), Dst: ip("10.0.3.10")},
		{Caller: "CustomerManagement-API", Callee: "MySQL", Protocol: 6, Port: 1186, Records: 5, FromKnownService: true, LooksLikeMissing: true,
			Src: ip("10.0.2.20"), Dst: ip("10.0.3.10")},
	}, rep.Rejected)
	assert.Equal(t, Tally{ByTCPFlags: 4 + 1 + 4 + 4 + 2 + 3 + 7 + 5 + 1 + 2}, rep.Methods)
}

// An address reused mid-window by another service, calling the same
// callee on the same port before and after: the records aggregate to one
// tuple unless the table splits at the inventory's change, and a tuple is
// attributed with the inventory at its first record. Split, each rule gets
// its own records, and the flow counts once for each.
func TestAttributeSplitAtInventoryChanges(t *testing.T) {
	ip := netip.MustParseAddr
	inv := FromSnapshots([]Snapshot{
		{Taken: 1000, Interfaces: []Interface{
			{ID: "eni-db", Name: "db", Addrs: []netip.Addr{ip("10.0.3.10")}, Groups: []string{"sg-db"}},
			{ID: "eni-x", Name: "api", Addrs: []netip.Addr{ip("10.0.2.50")}, Groups: []string{"sg-api"}},
		}},
		{Taken: 2000, Interfaces: []Interface{
			{ID: "eni-db", Name: "db", Addrs: []netip.Addr{ip("10.0.3.10")}, Groups: []string{"sg-db"}},
			{ID: "eni-x", Name: "report", Addrs: []netip.Addr{ip("10.0.2.50")}, Groups: []string{"sg-report"}},
		}},
	})
	assert.Equal(t, []int64{2000}, inv.Changes())
	tcp := ports.Range{Protocol: "tcp", From: 3306, To: 3306}
	perms := []Permission{
		{Rule: "db from api", Group: "sg-db", Ports: tcp, PeerGroup: "sg-api"},
		{Rule: "db from report", Group: "sg-db", Ports: tcp, PeerGroup: "sg-report"},
	}
	records := "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status\n" +
		"5 eni-db 10.0.2.50 10.0.3.10 40001 3306 6 10 1000 1500 1560 ACCEPT 3 OK\n" +
		"5 eni-db 10.0.2.50 10.0.3.10 40002 3306 6 20 2000 2500 2560 ACCEPT 3 OK\n" +
		"5 eni-db 10.0.2.50 10.0.3.10 40003 3306 6 40 4000 2600 2660 ACCEPT 3 OK\n"
	for _, tc := range []struct {
		name  string
		split []int64
		want  []Hit
	}{
		{"split at the change", inv.Changes(), []Hit{
			{Rule: "db from api", Flows: 1, Records: 1, Packets: 10, Bytes: 1000, FirstSeen: 1500, LastSeen: 1560, Callers: []string{"api"}},
			{Rule: "db from report", Flows: 1, Records: 2, Packets: 60, Bytes: 6000, FirstSeen: 2500, LastSeen: 2660, Callers: []string{"report"}},
		}},
		{"not split: all the api's", nil, []Hit{
			{Rule: "db from api", Flows: 1, Records: 3, Packets: 70, Bytes: 7000, FirstSeen: 1500, LastSeen: 2660, Callers: []string{"api"}},
			{Rule: "db from report"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table := flowlog.NewTable()
			table.SplitAt(tc.split)
			s := flowlog.NewScanner("flows.log", strings.NewReader(records), nil)
			table.Add(s)
			require.NoError(t, s.Err())
			assert.Equal(t, tc.want, Attribute(table.Each, inv, perms, Listening(perms)).Hits)
		})
	}
}

// TestAttributeEgress, worked by hand: the API (eni-api, sg-api) has
// egress rules to the database's group on 3306, to the internet on 443
// and to 10.0.9.0/24 on 5432; the database allows 3306 from the API. A
// request inside the VPC counts for the caller's egress and the callee's
// ingress where it arrives; one to the internet for the caller's egress
// where it leaves (flow-direction egress, or the caller's address as
// source on its interface): each rule once.
func TestAttributeEgress(t *testing.T) {
	ip := netip.MustParseAddr
	inv := NewInventory([]Interface{
		{ID: "eni-api", Name: "api", Addrs: []netip.Addr{ip("10.0.2.20")}, Groups: []string{"sg-api"}},
		{ID: "eni-db", Name: "db", Addrs: []netip.Addr{ip("10.0.3.10")}, Groups: []string{"sg-db"}},
		{ID: "eni-nat", Addrs: []netip.Addr{ip("10.0.0.5")}, Transit: true},
	})
	tcp := func(port int) ports.Range { return ports.Range{Protocol: "tcp", From: port, To: port} }
	perms := []Permission{
		{Rule: "api to db 3306", Group: "sg-api", Ports: tcp(3306), PeerGroup: "sg-db", Egress: true},
		{Rule: "api to internet 443", Group: "sg-api", Ports: tcp(443), PeerPrefix: netip.MustParsePrefix("0.0.0.0/0"), Egress: true},
		{Rule: "api to 10.0.9.0/24 5432", Group: "sg-api", Ports: tcp(5432), PeerPrefix: netip.MustParsePrefix("10.0.9.0/24"), Egress: true},
		{Rule: "db from api 3306", Group: "sg-db", Ports: tcp(3306), PeerGroup: "sg-api"},
	}
	tuples := []flowlog.Tuple{
		// API → db, leaving the API (flow-direction egress) and arriving at
		// db: counted at db, for both rules.
		{InterfaceID: "eni-api", SrcAddr: ip("10.0.2.20"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 2, Packets: 20, Bytes: 2000, TCPFlags: 2, Start: 100, End: 160, FlowDirection: flowlog.Egress},
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.2.20"), DstAddr: ip("10.0.3.10"), DstPort: 3306, Protocol: 6, Action: "ACCEPT", Count: 2, Packets: 20, Bytes: 2000, TCPFlags: 2, Start: 100, End: 160, FlowDirection: flowlog.Ingress},
		// db's SYN-ACK logged on the API: a reply, no rule's.
		{InterfaceID: "eni-api", SrcAddr: ip("10.0.3.10"), DstAddr: ip("10.0.2.20"), DstPort: 40001, Protocol: 6, Action: "ACCEPT", Count: 2, Packets: 20, Bytes: 9000, TCPFlags: 18, Start: 100, End: 160, FlowDirection: flowlog.Ingress},
		// API → the internet, a v2 record (no flow-direction): the source is the API's address.
		{InterfaceID: "eni-api", SrcAddr: ip("10.0.2.20"), DstAddr: ip("93.184.216.34"), DstPort: 443, Protocol: 6, Action: "ACCEPT", Count: 3, Packets: 30, Bytes: 3000, TCPFlags: 2, Start: 200, End: 260},
		// Neither end is the API's address, and no flow-direction: not the API's request.
		{InterfaceID: "eni-api", SrcAddr: ip("10.0.2.99"), DstAddr: ip("93.184.216.34"), DstPort: 443, Protocol: 6, Action: "ACCEPT", Count: 5, Packets: 50, Bytes: 5000, TCPFlags: 2, Start: 200, End: 260},
		// The same request leaving the NAT gateway: forwarded, no group's egress.
		{InterfaceID: "eni-nat", SrcAddr: ip("10.0.0.5"), DstAddr: ip("93.184.216.34"), DstPort: 443, Protocol: 6, Action: "ACCEPT", Count: 3, Packets: 30, Bytes: 3000, TCPFlags: 2, Start: 200, End: 260, FlowDirection: flowlog.Egress},
		// Refused leaving the API: a REJECT counts where it arrives, so not here.
		{InterfaceID: "eni-api", SrcAddr: ip("10.0.2.20"), DstAddr: ip("10.0.3.10"), DstPort: 22, Protocol: 6, Action: "REJECT", Count: 1, TCPFlags: 2, Start: 300, End: 360, FlowDirection: flowlog.Egress},
		// To db on 5432, logged leaving only: db is an interface of the
		// inventory, so it counts where it arrives, which was not logged.
		{InterfaceID: "eni-api", SrcAddr: ip("10.0.2.20"), DstAddr: ip("10.0.3.10"), DstPort: 5432, Protocol: 6, Action: "ACCEPT", Count: 1, TCPFlags: 2, Start: 400, End: 460, FlowDirection: flowlog.Egress},
	}
	each := func(fn func(flowlog.Tuple)) {
		for _, tu := range tuples {
			fn(tu)
		}
	}
	rep := Attribute(each, inv, perms, func(int, int) bool { return false })
	assert.Equal(t, []Hit{
		{Rule: "api to 10.0.9.0/24 5432"},
		{Rule: "api to db 3306", Flows: 1, Records: 2, Packets: 20, Bytes: 2000, FirstSeen: 100, LastSeen: 160, Callers: []string{"api"}},
		// An egress CIDR rule's callers are its own group: nothing to name instead.
		{Rule: "api to internet 443", Flows: 1, Records: 3, Packets: 30, Bytes: 3000, FirstSeen: 200, LastSeen: 260, Callers: []string{"api"}},
		{Rule: "db from api 3306", Flows: 1, Records: 2, Packets: 20, Bytes: 2000, FirstSeen: 100, LastSeen: 160, Callers: []string{"api"}},
	}, rep.Hits)
	assert.Zero(t, rep.Unexplained)
	assert.Empty(t, rep.Rejected)
	assert.Zero(t, rep.Transit)
	assert.Equal(t, Tally{ByFlowDirection: 2 + 2 + 3 + 1 + 1, ByAddress: 3 + 5}, rep.Sides)
}
