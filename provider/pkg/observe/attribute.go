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
	From   int64
	Until  int64
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
}

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
		inv.byID[in.ID] = append(inv.byID[in.ID], in)
		for _, a := range in.Addrs {
			inv.byAddr[a] = append(inv.byAddr[a], in)
		}
	}
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

// Permission is one ingress permission of a group: callers carrying
// PeerGroup, or in PeerPrefix, may reach Group's interfaces on the ports.
type Permission struct {
	Rule       string // the name reports use
	Group      string
	Ports      ports.Range
	PeerGroup  string
	PeerPrefix netip.Prefix
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
	tr, ok := traffic(flowlog.Tuple{Protocol: protocol, DstPort: port})
	if !ok {
		return "unknown protocol"
	}
	return tr.String()
}

// traffic is what a tuple carries, in the rules' terms.
func traffic(t flowlog.Tuple) (ports.Range, bool) {
	if t.Protocol < 0 || t.Protocol > 255 {
		return ports.Range{}, false
	}
	return ports.Range{Protocol: protocolNames[t.Protocol], From: t.DstPort, To: t.DstPort}, true
}

func (p Permission) allows(t flowlog.Tuple, tr ports.Range, callerGroups []string) bool {
	if !p.Ports.Covers(tr) {
		return false
	}
	if p.PeerGroup != "" {
		return slices.Contains(callerGroups, p.PeerGroup)
	}
	return p.PeerPrefix.IsValid() && p.PeerPrefix.Contains(t.SrcAddr)
}

// Hit is the traffic one rule allowed.
type Hit struct {
	Rule                string
	Flows               int64 // tuples
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

// Report is what the observed traffic says about the permissions.
type Report struct {
	Hits        []Hit // one per permission, by rule name; Flows 0: unused in the window
	Rejected    []Rejected
	Unexplained int64 // records of accepted requests no permission explains (another group, or an NACL-only path)
	Methods     Tally
}

// missingThreshold is how many rejected records from a known caller make a
// missing rule rather than a one-off.
const missingThreshold = 3

// Attribute walks the tuples once. A request is attributed where it arrives:
// on the callee's interface (its destination address is the interface's),
// so a connection logged on both ends is counted once; every permission of
// the callee's groups that allows it gets the hit.
func Attribute(each func(func(flowlog.Tuple)), inv *Inventory, perms []Permission, listening func(protocol, port int) bool) Report {
	byGroup := map[string][]int{}
	for i, p := range perms {
		byGroup[p.Group] = append(byGroup[p.Group], i)
	}
	hits := make([]Hit, len(perms))
	// Callers are kept as a name or an address, made text only at the end.
	type callerKey struct {
		name string
		addr netip.Addr
	}
	callers := make([]map[callerKey]struct{}, len(perms))
	type rejKey struct {
		caller, callee string
		protocol, port int
	}
	rejected := map[rejKey]*Rejected{}
	rep := Report{Methods: Tally{}}
	each(func(t flowlog.Tuple) {
		if rep.Methods.Add(t, listening) != Request {
			return
		}
		callee, ok := at(inv.byID[t.InterfaceID], t.Start)
		if !ok || !slices.Contains(callee.Addrs, t.DstAddr) {
			return // logged on the caller's side, or an interface the inventory lacks
		}
		caller, known := at(inv.byAddr[t.SrcAddr], t.Start)
		who := callerKey{addr: t.SrcAddr}
		if known && caller.Name != "" {
			who = callerKey{name: caller.Name}
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
		tr, ok := traffic(t)
		if !ok {
			rep.Unexplained += t.Count
			return
		}
		matched := false
		for _, g := range callee.Groups {
			for _, i := range byGroup[g] {
				if !perms[i].allows(t, tr, caller.Groups) {
					continue
				}
				matched = true
				h := &hits[i]
				if h.Flows == 0 || t.Start < h.FirstSeen {
					h.FirstSeen = t.Start
				}
				h.LastSeen = max(h.LastSeen, t.End)
				h.Flows++
				h.Records += t.Count
				h.Packets += t.Packets
				h.Bytes += t.Bytes
				if callers[i] == nil {
					callers[i] = map[callerKey]struct{}{}
				}
				callers[i][who] = struct{}{}
			}
		}
		if !matched {
			rep.Unexplained += t.Count
		}
	})
	for i, p := range perms {
		hits[i].Rule = p.Rule
		hits[i].NameableCallers = p.PeerPrefix.IsValid() && len(callers[i]) > 0
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
	return rep
}

func label(in Interface) string {
	if in.Name != "" {
		return in.Name
	}
	return in.ID
}
