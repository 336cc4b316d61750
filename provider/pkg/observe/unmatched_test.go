package observe

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// TestUnmatchedFlows: accepted requests no permission explains are listed
// (AttributeUnmatched)
// by caller, callee and port (a service by name, else an address), summed
// over tuples; replies and rejected traffic are not among them.
func TestUnmatchedFlows(t *testing.T) {
	ip := netip.MustParseAddr
	inv := NewInventory([]Interface{
		{ID: "eni-db", Name: "db", Addrs: []netip.Addr{ip("10.0.3.10")}, Groups: []string{"sg-db"}},
		{ID: "eni-web", Name: "web", Addrs: []netip.Addr{ip("10.0.1.10")}, Groups: []string{"sg-web"}},
	})
	perms := []Permission{{Rule: "db 5432 from api", Group: "sg-db", Ports: ports.Range{Protocol: "tcp", From: 5432, To: 5432}, PeerGroup: "sg-api"}}
	tuples := []flowlog.Tuple{
		// web on 5432 (two records): no rule names web's group.
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.3.10"), DstPort: 5432, Protocol: 6, Action: "ACCEPT", Count: 2, TCPFlags: 2},
		// an unknown address on 5432 and on 6379.
		{InterfaceID: "eni-db", SrcAddr: ip("10.9.9.9"), DstAddr: ip("10.0.3.10"), DstPort: 5432, Protocol: 6, Action: "ACCEPT", Count: 1, TCPFlags: 2},
		{InterfaceID: "eni-db", SrcAddr: ip("10.9.9.9"), DstAddr: ip("10.0.3.10"), DstPort: 6379, Protocol: 6, Action: "ACCEPT", Count: 4, TCPFlags: 2},
		// db's reply to web, and a refused request: neither is unmatched.
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.3.10"), DstAddr: ip("10.0.1.10"), DstPort: 40000, Protocol: 6, Action: "ACCEPT", Count: 2, TCPFlags: 18},
		{InterfaceID: "eni-db", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.3.10"), DstPort: 22, Protocol: 6, Action: "REJECT", Count: 1, TCPFlags: 2},
	}
	each := func(fn func(flowlog.Tuple)) {
		for _, tu := range tuples {
			fn(tu)
		}
	}
	rep := AttributeUnmatched(each, inv, perms, func(int, int) bool { return false })
	assert.Equal(t, []Unmatched{
		{Caller: "10.9.9.9", Callee: "db", Protocol: 6, Port: 5432, Records: 1},
		{Caller: "10.9.9.9", Callee: "db", Protocol: 6, Port: 6379, Records: 4},
		{Caller: "web", Callee: "db", Protocol: 6, Port: 5432, Records: 2},
	}, rep.UnmatchedFlows)
	assert.Equal(t, int64(7), rep.Unexplained, "the unmatched records, summed")

	bare := Attribute(each, inv, perms, func(int, int) bool { return false })
	assert.Nil(t, bare.UnmatchedFlows, "Attribute does not pay for the list")
	assert.Equal(t, int64(7), bare.Unexplained)
}
