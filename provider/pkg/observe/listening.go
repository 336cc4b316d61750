package observe

import (
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

// Listening is the ports services accept: every rule's ports (ranges of up
// to maxListening ports) and the well-known ports.
func Listening(perms []Permission) func(protocol, port int) bool {
	const maxListening = 100
	type key struct{ protocol, port int }
	set := map[key]bool{}
	number := map[string]int{ports.TCP: 6, ports.UDP: 17}
	for _, p := range perms {
		n, ok := number[p.Ports.Protocol]
		if !ok || p.Ports.To-p.Ports.From >= maxListening {
			continue
		}
		for port := p.Ports.From; port <= p.Ports.To; port++ {
			set[key{n, port}] = true
		}
	}
	for _, w := range wellknown.Table {
		set[key{number[w.Protocol], w.Port}] = true
	}
	return func(protocol, port int) bool { return set[key{protocol, port}] }
}
