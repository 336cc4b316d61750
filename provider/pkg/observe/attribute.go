package observe

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// Interface is a network interface as one inventory snapshot saw it, and the
// time it is taken to hold for: [From, Until), Unix seconds, 0 for open.
type Interface struct {
	ID     string
	Name   string       // the service whose groups it carries, "" when none: callers are then named by address
	Addrs  []netip.Addr // primary and secondary private addresses
	Groups []string     // security group ids
	// Transit marks a middlebox that forwards what arrives at it with no
	// security group of its own deciding: a NAT gateway, a requester-managed
	// interface carrying no group (a Network Load Balancer without groups).
	// A request arriving there is no service's.
	Transit bool
	// Balancer marks a Network Load Balancer's interface: what arrives
	// there is what its targets may see with the client's address
	// (client IP preservation).
	Balancer bool
	From     int64
	Until    int64
}

// Snapshot is describe-network-interfaces at one time.
type Snapshot struct {
	Taken      int64
	Interfaces []Interface
}

// Inventory answers which interface had an id or an address at a time.
// Interfaces and addresses are reused, so a record is attributed with the
// interface as it was when logged.
type Inventory struct {
	byID   map[string][]Interface
	byAddr map[netip.Addr][]Interface
	// changes are the times an interface's holding begins or ends.
	changes []int64
	// balancers says whether any interface is a Network Load Balancer's.
	balancers bool
}

// Changes are the times (Unix seconds, ascending) the inventory changes:
// aggregate tuples split at them (flowlog.Table.SplitAt), so that each
// tuple's records are attributed with one inventory.
func (inv *Inventory) Changes() []int64 { return inv.changes }

// FromSnapshots builds an inventory in which each snapshot holds from when
// it was taken until the next was: between two snapshots the earlier one is
// believed, and the first holds before it, the last after it.
func FromSnapshots(snaps []Snapshot) *Inventory {
	snaps = slices.Clone(snaps)
	slices.SortFunc(snaps, func(a, b Snapshot) int { return cmp.Compare(a.Taken, b.Taken) })
	var all []Interface
	for i, s := range snaps {
		for _, in := range s.Interfaces {
			in.From, in.Until = 0, 0
			if i > 0 {
				in.From = s.Taken
			}
			if i+1 < len(snaps) {
				in.Until = snaps[i+1].Taken
			}
			all = append(all, in)
		}
	}
	return NewInventory(all)
}

// NewInventory indexes interfaces with their own time bounds.
func NewInventory(interfaces []Interface) *Inventory {
	inv := &Inventory{byID: map[string][]Interface{}, byAddr: map[netip.Addr][]Interface{}}
	for _, in := range interfaces {
		inv.balancers = inv.balancers || in.Balancer
		inv.byID[in.ID] = append(inv.byID[in.ID], in)
		for _, a := range in.Addrs {
			inv.byAddr[a] = append(inv.byAddr[a], in)
		}
		for _, t := range []int64{in.From, in.Until} {
			if t != 0 && !slices.Contains(inv.changes, t) {
				inv.changes = append(inv.changes, t)
			}
		}
	}
	slices.Sort(inv.changes)
	return inv
}

func at(list []Interface, t int64) (Interface, bool) {
	for _, in := range list {
		if (in.From == 0 || t >= in.From) && (in.Until == 0 || t < in.Until) {
			return in, true
		}
	}
	return Interface{}, false
}

// Permission is one permission of a group. Ingress: callers carrying
// PeerGroup, or in PeerPrefix, may reach Group's interfaces on the ports.
// Egress: Group's interfaces may call destinations carrying PeerGroup, or
// in PeerPrefix, on the ports.
type Permission struct {
	Rule       string // the name reports use
	Group      string
	Ports      ports.Range
	PeerGroup  string
	PeerPrefix netip.Prefix
	// PeerList are the entries of the prefix list the rule names.
	PeerList []netip.Prefix
	Egress   bool
}

// protocolNames are the ports package's names of the IP protocol numbers,
// so a tuple's protocol compares with a rule's.
var protocolNames = func() (names [256]string) {
	for n := range names {
		names[n], _ = ports.ParseProtocol(strconv.Itoa(n))
	}
	return names
}()

// TupleTraffic names a protocol number and destination port as rules do:
// tcp/3306.
func TupleTraffic(protocol, port int) string {
	tr, ok := TupleRange(protocol, port)
	if !ok {
		return "unknown protocol"
	}
	return tr.String()
}

// TupleRange is a protocol number and destination port in the rules' terms;
// false for a number that is no IP protocol.
func TupleRange(protocol, port int) (ports.Range, bool) {
	return traffic(flowlog.Tuple{Protocol: protocol, DstPort: port})
}

// traffic is what a tuple carries, in the rules' terms.
func traffic(t flowlog.Tuple) (ports.Range, bool) {
	if t.Protocol < 0 || t.Protocol > 255 {
		return ports.Range{}, false
	}
	return ports.Range{Protocol: protocolNames[t.Protocol], From: t.DstPort, To: t.DstPort}, true
}

// allows says whether p lets t through; peer is the other end as the rule
// sees it: the caller's address and groups for ingress, the destination's
// for egress.
func (p Permission) allows(tr ports.Range, peer netip.Addr, peerGroups []string) bool {
	if !p.Ports.Covers(tr) {
		return false
	}
	if p.PeerGroup != "" {
		return slices.Contains(peerGroups, p.PeerGroup)
	}
	if p.PeerPrefix.IsValid() {
		return p.PeerPrefix.Contains(peer)
	}
	return slices.ContainsFunc(p.PeerList, func(c netip.Prefix) bool { return c.Contains(peer) })
}

// Hit is the traffic one rule allowed.
type Hit struct {
	Rule                string
	Flows               int64 // distinct (interface, source, destination, port, protocol)
	Records             int64
	Packets, Bytes      int64
	FirstSeen, LastSeen int64    // Unix seconds; 0 when unused
	Callers             []string // distinct, sorted: services, else addresses
	// NameableCallers is set on a CIDR rule with traffic whose every caller
	// carries known groups: the rule could name them (Callers) instead of the
	// range, the tighter proposal.
	NameableCallers bool
}

// Rejected is refused traffic from one caller to one callee on one port.
// A REJECT does not say whether a security group or a network ACL refused.
type Rejected struct {
	Caller, Callee   string
	Protocol, Port   int
	Records          int64
	FromKnownService bool
	LooksLikeMissing bool // repeated, from a caller the inventory knows: a rule may be missing; else scanning noise
	// Src and Dst are the addresses of its records with the lowest source
	// (then destination): the path Explain evaluates.
	Src, Dst netip.Addr `json:"-"`
}

// Unmatched is accepted traffic from one caller to one callee on one port
// that no permission given explains: with a mesh's rules, a flow observed
// but not declared.
type Unmatched struct {
	Caller, Callee string
	Protocol, Port int
	Records        int64
}

// Report is what the observed traffic says about the permissions.
type Report struct {
	Hits        []Hit // one per permission, by rule name; Flows 0: unused in the window
	Rejected    []Rejected
	Unexplained int64 // records of accepted requests no permission explains (another group, or an NACL-only path)
	// UnmatchedFlows are the Unexplained records by caller, callee and port.
	UnmatchedFlows []Unmatched
	Methods        Tally
	// Sides counts the request records by how their side was decided:
	// logged where they arrived (attributed there) or where they left.
	Sides Tally
	// Transit are records of requests that arrived at a middlebox's
	// interface (Interface.Transit): forwarded, no group's rule allowed them.
	// Forwarded are they by caller, middlebox and original destination.
	Transit   int64
	Forwarded []Forwarded
	// NoInterface are records of requests logged on an interface no
	// snapshot of the inventory has, at the time they were logged.
	NoInterface int64
	// ViaBalancer are records of requests that arrived at a target with a
	// client's address (a Network Load Balancer preserving client
	// addresses) and were attributed to the target's rule naming the
	// balancer's group, because the balancer's interface logged a request
	// from the same client in an overlapping interval.
	ViaBalancer int64
}

// Forwarded is what one caller sent through a middlebox (Via, its
// interface) to one destination on one port: for a NAT gateway, the
// internet endpoint pkt-dstaddr names.
type Forwarded struct {
	Caller, Via, Destination string
	Protocol, Port           int
	Records                  int64
}

// missingThreshold is how many rejected records from a known caller make a
// missing rule rather than a one-off.
const missingThreshold = 3

// Attribute walks the tuples once. A request is attributed to ingress
// permissions where it arrives: on the callee's interface (its destination
// address is the interface's), so a connection logged on both ends is
// counted once; every permission of the callee's groups that allows it gets
// the hit. An accepted request also counts for every egress permission of
// the caller's groups that allows it (by the destination's address and
// groups), once: where it arrives when the caller is an interface of the
// inventory, else where it leaves the caller when the destination is no
// interface of it (the internet, a peered network). A request no egress
// permission allows is not counted unexplained (ingress judges what
// arrives), and a REJECT counts for no egress permission.
func Attribute(each func(func(flowlog.Tuple)), inv *Inventory, perms []Permission, listening func(protocol, port int) bool) Report {
	return attribute(each, inv, perms, listening, false)
}

// A request a target's rules do not explain, from an address no interface
// has, may have come through a Network Load Balancer that preserves client
// addresses: the target sees the client's address, and its rule names the
// balancer's group. The tuples carry no source port (the aggregation
// drops it), so the balancer's own records are matched by the client's
// address and time alone: a tuple on a balancer's interface (InterfaceType
// network_load_balancer) from the same client whose interval overlaps the
// target's. The first such balancer, by interface id, whose groups a
// target rule names takes it; the records are counted in
// Report.ViaBalancer. A client calling the target directly while it also
// calls the balancer is counted as the balancer's too.
//
// AttributeUnmatched is Attribute that also lists the records no
// permission explains by caller, callee and port (Report.UnmatchedFlows):
// a map entry per distinct one, which a report for people wants and the
// bare attribution does not pay for.
func AttributeUnmatched(each func(func(flowlog.Tuple)), inv *Inventory, perms []Permission, listening func(protocol, port int) bool) Report {
	return attribute(each, inv, perms, listening, true)
}

func attribute(each func(func(flowlog.Tuple)), inv *Inventory, perms []Permission, listening func(protocol, port int) bool, listUnmatched bool) Report {
	byGroup, egressBy := map[string][]int{}, map[string][]int{}
	for i, p := range perms {
		if p.Egress {
			egressBy[p.Group] = append(egressBy[p.Group], i)
		} else {
			byGroup[p.Group] = append(byGroup[p.Group], i)
		}
	}
	hits := make([]Hit, len(perms))
	// Callers are kept as a name or an address, made text only at the end.
	type callerKey struct {
		name string
		addr netip.Addr
	}
	callers := make([]map[callerKey]struct{}, len(perms))
	// A flow is counted once per rule, though the table splits its records
	// into a tuple per inventory period (Inventory.Changes); with one period
	// a tuple is a flow, and the set is not needed (nor paid for).
	type flowKey struct {
		perm           int
		eni            string
		src, dst       netip.Addr
		port, protocol int
	}
	var flows map[flowKey]struct{}
	if len(inv.changes) > 0 {
		flows = map[flowKey]struct{}{}
	}
	type rejKey struct {
		caller, callee string
		protocol, port int
	}
	rejected := map[rejKey]*Rejected{}
	// Unmatched traffic by caller (a name or an address, text only at the
	// end), callee and port: records.
	type unmatchedKey struct {
		who            callerKey
		callee         string
		protocol, port int
	}
	unmatched := map[unmatchedKey]int64{}
	rep := Report{Methods: Tally{}, Sides: Tally{}}
	// What arrives at a middlebox, by caller and the destination it was
	// forwarded to: pkt-dstaddr, the original destination, when the format
	// has it (dstaddr is the middlebox's own address there).
	type fwdKey struct {
		caller, via, to string
		protocol, port  int
	}
	forwarded := map[fwdKey]int64{}
	forward := func(t flowlog.Tuple, via Interface) {
		to := t.DstAddr
		if t.PktDstAddr.IsValid() {
			to = t.PktDstAddr
		}
		caller := t.SrcAddr.String()
		if in, ok := at(inv.byAddr[t.SrcAddr], t.Start); ok && in.Name != "" {
			caller = in.Name
		}
		forwarded[fwdKey{caller, via.ID, to.String(), t.Protocol, t.DstPort}] += t.Count
	}
	// hit counts t for every permission of groups (by group) that allows it.
	hit := func(t flowlog.Tuple, groups []string, by map[string][]int, peer netip.Addr, peerGroups []string, who callerKey) bool {
		tr, ok := traffic(t)
		if !ok {
			return false
		}
		matched := false
		for _, g := range groups {
			for _, i := range by[g] {
				if !perms[i].allows(tr, peer, peerGroups) {
					continue
				}
				matched = true
				h := &hits[i]
				if h.Flows == 0 || t.Start < h.FirstSeen {
					h.FirstSeen = t.Start
				}
				h.LastSeen = max(h.LastSeen, t.End)
				if flows == nil {
					h.Flows++
				} else if k := (flowKey{i, t.InterfaceID, t.SrcAddr, t.DstAddr, t.DstPort, t.Protocol}); !has(flows, k) {
					flows[k] = struct{}{}
					h.Flows++
				}
				h.Records += t.Count
				h.Packets += t.Packets
				h.Bytes += t.Bytes
				if callers[i] == nil {
					callers[i] = map[callerKey]struct{}{}
				}
				callers[i][who] = struct{}{}
			}
		}
		return matched
	}
	// Balancers' records of their clients, and the target-side requests
	// waiting for them (only when the inventory has a balancer).
	type front struct {
		via        Interface
		start, end int64
	}
	var fronts map[netip.Addr][]front
	type pending struct {
		t      flowlog.Tuple
		callee Interface
		who    callerKey
	}
	var waiting []pending
	if inv.balancers {
		fronts = map[netip.Addr][]front{}
	}
	unexplained := func(t flowlog.Tuple, callee Interface, who callerKey) {
		rep.Unexplained += t.Count
		if listUnmatched {
			unmatched[unmatchedKey{who, label(callee), t.Protocol, t.DstPort}] += t.Count
		}
	}
	each(func(t flowlog.Tuple) {
		if rep.Methods.Add(t, listening) != Request {
			return
		}
		callee, ok := at(inv.byID[t.InterfaceID], t.Start)
		switch {
		case !ok:
			rep.NoInterface += t.Count
			return
		case !rep.Sides.arrived(t, callee):
			// Logged where it left. A request to an interface of the
			// inventory counts where it arrives, for egress too; one to
			// elsewhere (the internet, a peered network) here, on the
			// caller's egress. A middlebox forwards for others. Without
			// flow-direction, only the interface's own address as source
			// makes it the caller (not an address it does not list).
			if len(egressBy) > 0 && t.Action == "ACCEPT" && !callee.Transit &&
				(t.FlowDirection == flowlog.Egress || slices.Contains(callee.Addrs, t.SrcAddr)) {
				if _, inside := at(inv.byAddr[t.DstAddr], t.Start); !inside {
					who := callerKey{addr: t.SrcAddr}
					if callee.Name != "" {
						who = callerKey{name: callee.Name}
					}
					hit(t, callee.Groups, egressBy, t.DstAddr, nil, who)
				}
			}
			return
		case callee.Balancer && t.Action == "ACCEPT":
			fronts[t.SrcAddr] = append(fronts[t.SrcAddr], front{callee, t.Start, t.End})
		}
		caller, known := at(inv.byAddr[t.SrcAddr], t.Start)
		who := callerKey{addr: t.SrcAddr}
		if known && caller.Name != "" {
			who = callerKey{name: caller.Name}
		}
		// Arrived from an interface of the inventory: its egress rules
		// allowed it to leave.
		if len(egressBy) > 0 && known && t.Action == "ACCEPT" {
			hit(t, caller.Groups, egressBy, t.DstAddr, callee.Groups, who)
		}
		if callee.Transit {
			rep.Transit += t.Count
			forward(t, callee)
			return
		}
		if t.Action == "REJECT" {
			k := rejKey{who.name, label(callee), t.Protocol, t.DstPort}
			if k.caller == "" {
				k.caller = t.SrcAddr.String()
			}
			r := rejected[k]
			if r == nil {
				r = &Rejected{Caller: k.caller, Callee: k.callee, Protocol: k.protocol, Port: k.port, FromKnownService: known && caller.Name != ""}
				rejected[k] = r
			}
			r.Records += t.Count
			if !r.Src.IsValid() || cmp.Or(t.SrcAddr.Compare(r.Src), t.DstAddr.Compare(r.Dst)) < 0 {
				r.Src, r.Dst = t.SrcAddr, t.DstAddr
			}
			return
		}
		switch {
		case hit(t, callee.Groups, byGroup, t.SrcAddr, caller.Groups, who):
		case fronts != nil && !known:
			waiting = append(waiting, pending{t, callee, who})
		default:
			unexplained(t, callee, who)
		}
	})
	for _, list := range fronts {
		slices.SortFunc(list, func(a, b front) int {
			return cmp.Or(cmp.Compare(a.via.ID, b.via.ID), cmp.Compare(a.start, b.start))
		})
	}
	for _, w := range waiting {
		through := false
		for _, f := range fronts[w.t.SrcAddr] {
			if f.start <= w.t.End && w.t.Start <= f.end &&
				hit(w.t, w.callee.Groups, byGroup, w.t.SrcAddr, f.via.Groups, callerKey{name: label(f.via)}) {
				through = true
				break
			}
		}
		if through {
			rep.ViaBalancer += w.t.Count
		} else {
			unexplained(w.t, w.callee, w.who)
		}
	}
	for i, p := range perms {
		hits[i].Rule = p.Rule
		// An egress rule's peer is the destination: its callers are its own group's.
		hits[i].NameableCallers = !p.Egress && (p.PeerPrefix.IsValid() || p.PeerList != nil) && len(callers[i]) > 0
		for c := range callers[i] {
			if c.name == "" {
				hits[i].NameableCallers = false
				c.name = c.addr.String()
			}
			hits[i].Callers = append(hits[i].Callers, c.name)
		}
		slices.Sort(hits[i].Callers)
	}
	slices.SortFunc(hits, func(a, b Hit) int { return cmp.Compare(a.Rule, b.Rule) })
	rep.Hits = hits
	for _, r := range rejected {
		r.LooksLikeMissing = r.FromKnownService && r.Records >= missingThreshold
		rep.Rejected = append(rep.Rejected, *r)
	}
	slices.SortFunc(rep.Rejected, func(a, b Rejected) int {
		return cmp.Or(cmp.Compare(a.Caller, b.Caller), cmp.Compare(a.Callee, b.Callee), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Port, b.Port))
	})
	for k, n := range forwarded {
		rep.Forwarded = append(rep.Forwarded, Forwarded{Caller: k.caller, Via: k.via, Destination: k.to, Protocol: k.protocol, Port: k.port, Records: n})
	}
	slices.SortFunc(rep.Forwarded, func(a, b Forwarded) int {
		return cmp.Or(cmp.Compare(a.Caller, b.Caller), cmp.Compare(a.Via, b.Via), cmp.Compare(a.Destination, b.Destination),
			cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Port, b.Port))
	})
	for k, records := range unmatched {
		caller := k.who.name
		if caller == "" {
			caller = k.who.addr.String()
		}
		rep.UnmatchedFlows = append(rep.UnmatchedFlows, Unmatched{Caller: caller, Callee: k.callee, Protocol: k.protocol, Port: k.port, Records: records})
	}
	slices.SortFunc(rep.UnmatchedFlows, func(a, b Unmatched) int {
		return cmp.Or(cmp.Compare(a.Caller, b.Caller), cmp.Compare(a.Callee, b.Callee), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Port, b.Port))
	})
	return rep
}

func label(in Interface) string {
	if in.Name != "" {
		return in.Name
	}
	return in.ID
}

func has[K comparable](m map[K]struct{}, k K) bool {
	_, ok := m[k]
	return ok
}
