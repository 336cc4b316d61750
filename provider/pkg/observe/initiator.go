// Package observe attributes observed traffic (flowlog tuples) to the mesh.
// This first part decides which side of a tuple started the connection:
// replies are records of their own, with the ports swapped, and a rule
// allows the request, never the reply (security groups are stateful).
package observe

import (
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

// Direction is a tuple's place in its connection.
type Direction uint8

const (
	Unknown Direction = iota
	Request           // the source initiated: a rule of the destination (ingress) allows it
	Reply             // the source answers a request; no rule is needed
)

func (d Direction) String() string {
	return [...]string{Unknown: "unknown", Request: "request", Reply: "reply"}[d]
}

// Method is how a tuple's direction was decided, so a report can say how
// much of it rests on heuristics.
type Method string

const (
	ByTCPFlags      Method = "tcp-flags"      // SYN (2) seen: request; SYN-ACK (18) seen: reply
	ByServicePort   Method = "service-port"   // the destination port is one a service listens on
	ByEphemeralPort Method = "ephemeral-port" // the destination port is in the ephemeral range: reply
	Undecided       Method = "undecided"
)

const (
	tcp        = 6
	flagSYN    = 2
	flagSYNACK = 18
	// EphemeralFloor is the lowest port taken as a client's source port:
	// Linux's default ip_local_port_range starts at 32768 (Windows at 49152).
	EphemeralFloor = 32768
)

// Classify decides t's direction. AWS logs ACK only together with SYN, and
// ORs the flags of an interval, so a SYN-ACK bit anywhere in a tuple means
// its source answered, and SYN without it means its source called; a tuple
// whose records carry only FIN or RST, or that is not TCP, falls back on
// ports: listening reports the ports services accept (the declared rules',
// and the well-known ones), and a destination port in the ephemeral range
// is a reply. What neither decides is Unknown.
func Classify(t flowlog.Tuple, listening func(protocol, port int) bool) (Direction, Method) {
	if t.Protocol == tcp {
		switch {
		case t.TCPFlags&flagSYNACK == flagSYNACK:
			return Reply, ByTCPFlags
		case t.TCPFlags&flagSYN != 0:
			return Request, ByTCPFlags
		}
	}
	switch {
	case t.DstPort >= 0 && listening(t.Protocol, t.DstPort):
		return Request, ByServicePort
	case t.DstPort >= EphemeralFloor:
		return Reply, ByEphemeralPort
	}
	return Unknown, Undecided
}

// Tally counts the records (not tuples) each method decided.
type Tally map[Method]int64

// Add classifies t and counts its records under the method; it returns the
// direction.
func (tally Tally) Add(t flowlog.Tuple, listening func(protocol, port int) bool) Direction {
	d, m := Classify(t, listening)
	tally[m] += t.Count
	return d
}

// How a request record's side was decided: flow-direction says whether the
// packets entered or left the interface (not who initiated: a reply enters
// its caller too), so it decides the side when the format has it; else the
// destination address is the interface's or not.
const (
	ByFlowDirection Method = "flow-direction"
	ByAddress       Method = "address"
)

// arrived reports whether t, a request logged on in, was logged where it
// arrived, and counts its records under the way that was decided.
func (tally Tally) arrived(t flowlog.Tuple, in Interface) bool {
	if t.FlowDirection != flowlog.NoDirection {
		tally[ByFlowDirection] += t.Count
		return t.FlowDirection == flowlog.Ingress
	}
	tally[ByAddress] += t.Count
	return slices.Contains(in.Addrs, t.DstAddr)
}

// Listening is the ports services accept, for Classify: every rule's ports
// (ranges of up to maxListening ports) and the well-known ports.
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
