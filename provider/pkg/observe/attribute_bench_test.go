package observe

import (
	"fmt"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// BenchmarkAttribute: 1 million distinct tuples against a 1,000-service
// mesh (3 interfaces and 10 permissions per service: 5 group peers, 5 CIDR
// peers). Target (issue 19): under 2 s.
func BenchmarkAttribute(b *testing.B) {
	const services, perService, tuples = 1000, 3, 1_000_000
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}) }
	var ifaces []Interface
	var perms []Permission
	for s := range services {
		group := fmt.Sprintf("sg-%04d", s)
		for k := range perService {
			ifaces = append(ifaces, Interface{ID: fmt.Sprintf("eni-%04d-%d", s, k), Name: fmt.Sprintf("svc-%04d", s),
				Addrs: []netip.Addr{addr(s*perService + k)}, Groups: []string{group, "sg-admin"}})
		}
		for r := range 5 {
			perms = append(perms,
				Permission{Rule: fmt.Sprintf("%s-g%d", group, r), Group: group, Ports: ports.Range{Protocol: "tcp", From: 8000 + r, To: 8000 + r}, PeerGroup: fmt.Sprintf("sg-%04d", (s+r+1)%services)},
				Permission{Rule: fmt.Sprintf("%s-c%d", group, r), Group: group, Ports: ports.Range{Protocol: "tcp", From: 9000 + r, To: 9000 + r}, PeerPrefix: netip.MustParsePrefix("10.0.0.0/16")})
		}
	}
	inv := NewInventory(ifaces)
	ts := make([]flowlog.Tuple, tuples)
	for i := range ts {
		callee, caller := i%len(ifaces), (i/len(ifaces)+i)%len(ifaces)
		port := 8000 + i%5
		if i%2 == 1 {
			port = 9000 + i%5
		}
		ts[i] = flowlog.Tuple{InterfaceID: ifaces[callee].ID, SrcAddr: ifaces[caller].Addrs[0], DstAddr: ifaces[callee].Addrs[0],
			DstPort: port, Protocol: 6, Action: "ACCEPT", Count: 1, Packets: 10, Bytes: 1000, TCPFlags: 2, Start: int64(1000 + i%600), End: int64(1060 + i%600)}
	}
	each := func(fn func(flowlog.Tuple)) {
		for _, t := range ts {
			fn(t)
		}
	}
	listening := func(int, int) bool { return false }
	cpu := cpuTime()
	for b.Loop() {
		Attribute(each, inv, perms, listening)
	}
	// CPU seconds too: on a shared machine the wall clock measures the
	// neighbours.
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
