package flowgen

// The ground-truth generator: from a planned mesh it builds an account (a
// security group per service, network interfaces carrying them, a NAT
// gateway, load balancers, an interface that another service reuses
// mid-window), sends traffic of the declared flows between them and writes
// the flow-log records AWS would: both directions of each connection with
// their tcp-flags, logged on both ends, in version 5 files and one default
// (version 2) file. What each rule should show is counted here, from what
// the generator chose to send, never by asking package observe.

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/klauspost/compress/gzip"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reach/meshproof"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// Interface types as describe-network-interfaces writes them.
const (
	TypeInterface           = "interface" // an instance's, or an Application Load Balancer's (requester-managed)
	TypeNATGateway          = "nat_gateway"
	TypeNetworkLoadBalancer = "network_load_balancer"
)

// Options shape the world and its traffic beyond the declared flows.
type Options struct {
	Start     int64 // the window's start, Unix seconds
	Intervals int   // aggregation intervals of 60 s; even, at least 12
	// LoadBalancers are the services whose group a load balancer carries,
	// with its interfaces' type: TypeNetworkLoadBalancer, or TypeInterface
	// for an Application Load Balancer. The interfaces of a service a load
	// balancer's group lets in are its targets: health-checked each interval.
	LoadBalancers map[string]string
	// Unused are rules (rule.Rule.Key) that get no traffic.
	Unused []string
	// NAT adds a NAT gateway in the outermost tier through which NATCaller's
	// instances call an internet API.
	NAT       bool
	NATCaller string
	// Scanners knock from the internet on closed ports of the first
	// internet-facing load balancer's interfaces (REJECT, one or two records
	// each).
	Scanners bool
	// Missing sends repeated refused requests from one service to another on
	// a port no rule opens: a missing rule.
	Missing *Missing
	// Secondary gives the second instance of a service a secondary private
	// address, and makes that address the one it calls from.
	Secondary string
	// Reuse is a service whose third interface is detached a little before
	// the second inventory snapshot and reattached, same id and address,
	// carrying To's groups after it.
	Reuse *Reuse
	// DefaultFormat are the services whose interfaces log in the default
	// (version 2) format, into a file of their own.
	DefaultFormat []string
}

// Missing is refused traffic from Caller to Callee on Port (tcp).
type Missing struct {
	Caller, Callee string
	Port           int
}

// Reuse is an interface of From reused by To.
type Reuse struct{ From, To string }

// Dataset is what the generator wrote, and what it knows.
type Dataset struct {
	// Snapshots are describe JSON (security groups and network interfaces
	// merged in one object), each with the time it was taken.
	Snapshots []Snapshot
	// Files are the flow-log files, gzip, as S3 delivery writes them.
	Files []File
	// PrefixListEntries are get-managed-prefix-list-entries of each prefix
	// list a rule names (the snapshots carry describe-managed-prefix-lists).
	PrefixListEntries []PrefixListEntries
	Truth             Truth
}

// PrefixListEntries is one list's get-managed-prefix-list-entries output.
type PrefixListEntries struct {
	ID   string
	JSON []byte
}

// Name is the file WriteDir writes it to.
func (e PrefixListEntries) Name() string { return "entries-" + e.ID + ".json" }

// Snapshot is one inventory snapshot.
type Snapshot struct {
	Taken int64
	JSON  []byte
}

// File is one flow-log file.
type File struct {
	Name string
	Gzip []byte
}

// Truth is what the generator sent, in the report's terms: rules are named
// "<group name> <ports> from <peer as EC2 writes it>", callers by their
// interface's group names joined with "+" (sorted), else by address.
type Truth struct {
	Rules    map[string]*RuleTruth
	Rejected []RejectedTruth
	// Transit are the records of requests that arrived at a NAT gateway's
	// interface: forwarded, no rule of a group allowed them.
	Transit int64
	// Forwarded are they by caller, gateway interface and the internet
	// endpoint they went to, sorted.
	Forwarded []ForwardedTruth
	// Unexplained are the records of accepted requests no rule allows.
	Unexplained int64
	// Unsendable are declared ingress rules the generator could not send
	// traffic for, by name (by key when their peer's values are not known),
	// with the reason: no IPv6 address on either side, an external group no
	// interface carries, a protocol other than tcp and udp.
	Unsendable map[string]string
}

// ForwardedTruth is what one caller sent through the NAT gateway to one
// endpoint on one port.
type ForwardedTruth struct {
	Caller, Via, Destination string
	Protocol, Port           int
	Records                  int64
}

// RuleTruth is the traffic one rule allowed.
type RuleTruth struct {
	Tuples                  map[TupleKey]bool
	Records, Packets, Bytes int64
	FirstSeen, LastSeen     int64
	Callers                 map[string]bool
}

// TupleKey is the aggregation key of a request on the callee's interface.
type TupleKey struct {
	Interface string
	Src, Dst  netip.Addr
	Protocol  int
	Port      int
}

// RejectedTruth is refused traffic from one caller to one callee on a port;
// Missing says whether the generator sent it as a missing rule (repeated
// from a service) rather than as scanning.
type RejectedTruth struct {
	Caller, Callee string
	Protocol, Port int
	Records        int64
	FromService    bool
	Missing        bool
}

const (
	intervalSeconds = 60
	accountID       = "123456789012"
	region          = "us-east-1"
	vpcID           = "vpc-0a1b2c3d4e5f60718"
)

// nic is one network interface and what it carries over the window.
type nic struct {
	id, subnet, owner     string
	addrs                 []netip.Addr // primary first
	typ                   string
	requesterManaged      bool
	description, instance string
	// carries is, per epoch (before and after the second snapshot), the
	// services whose groups it carries, nil when detached; active is the
	// intervals of each epoch it sends and receives in.
	carries [2][]string
	active  [2][2]int
	v2      bool
	// from is the address it calls from.
	from netip.Addr
}

type gen struct {
	p         *plan.Plan
	o         Options
	groupName map[string]string // service → EC2 group name
	groupID   map[string]string // service (or external group) → sg id
	owner     map[string]string // sg id → another account that owns it
	nics      []*nic
	nat       *nic
	records   []record
	truth     Truth
	rejected  map[rejKey]*RejectedTruth
	allows    []allow // every ingress rule the account holds
	// lists are the entries the generator gives each prefix list a rule
	// names: two /28 of 100.64.0.0/10 drawn from its id.
	lists map[string][]netip.Prefix
	used  map[netip.Addr]bool
	conn  int // connections so far: source ports and jitter derive from it
}

type rejKey struct {
	caller, callee string
	protocol, port int
}

// record is one flow-log record.
type record struct {
	eni              *nic
	src, dst         netip.Addr
	srcPort, dstPort int
	protocol         int
	packets, bytes   int64
	start, end       int64
	action           string
	flags            int
	pktSrc, pktDst   netip.Addr
	direction        string
	internet         bool // egress to the internet (traffic-path 8)
	interval         int
}

// Generate plans nothing: it takes a plan (plan.Build of a valid mesh) and
// writes its account and traffic.
func Generate(m spec.Mesh, p *plan.Plan, o Options) (*Dataset, error) {
	if o.Intervals < 12 || o.Intervals%2 != 0 {
		return nil, fmt.Errorf("flowgen: Intervals %d: give an even number, at least 12", o.Intervals)
	}
	g := &gen{p: p, o: o, groupName: map[string]string{}, groupID: map[string]string{}, owner: map[string]string{}, rejected: map[rejKey]*RejectedTruth{},
		used: map[netip.Addr]bool{}, truth: Truth{Rules: map[string]*RuleTruth{}, Unsendable: map[string]string{}}}
	for _, gr := range p.Groups {
		g.groupName[gr.Service] = gr.Name
		g.groupID[gr.Service] = hexID("sg-", gr.Service)
	}
	for _, x := range p.ExternalGroups {
		// Another account's group is OWNER/sg-…: EC2 writes the owner apart.
		owner, id, cross := strings.Cut(x.SecurityGroupID, "/")
		if !cross {
			owner, id = "", x.SecurityGroupID
		}
		g.groupID[x.Name] = cmp.Or(id, hexID("sg-", x.Name))
		g.groupName[x.Name] = x.Name
		if owner != "" {
			g.owner[g.groupID[x.Name]] = owner
		}
	}
	g.lists = map[string][]netip.Prefix{}
	for _, rl := range p.Rules {
		if id, ok := rl.Peer.PrefixListID(); ok && g.lists[id] == nil {
			x := byte(num(256, id))
			g.lists[id] = []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, x, 0}), 28), netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, x, 16}), 28)}
		}
	}
	if err := g.place(m); err != nil {
		return nil, err
	}
	g.traffic()
	return g.write()
}

// hexID is an EC2-looking id derived from content: prefix and 17 hex digits.
func hexID(prefix, content string) string {
	sum := sha256.Sum256([]byte(content))
	return prefix + "0" + hex.EncodeToString(sum[:])[:16]
}

// num is a deterministic number in [0, n) drawn from content.
func num(n int, content ...any) int {
	sum := sha256.Sum256(fmt.Append(nil, content...))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(n))
}

// place makes the interfaces: two instances per service (three for the
// reused one), none for a group other services attach (carried, not run),
// two load-balancer interfaces per load-balanced service, the NAT gateway.
func (g *gen) place(m spec.Mesh) error {
	blocks := map[string][]netip.Prefix{}
	for i, t := range m.Tiers {
		for _, c := range slices.Concat(t.CidrBlocks, t.CidrBlocksFrom) {
			if pr, err := netip.ParsePrefix(c); err == nil {
				blocks[t.Name] = append(blocks[t.Name], pr.Masked())
			}
		}
		if !slices.ContainsFunc(blocks[t.Name], func(p netip.Prefix) bool { return p.Addr().Is4() }) {
			blocks[t.Name] = append(blocks[t.Name], netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 200, byte(i), 0}), 24))
		}
	}
	next := map[string]int{}
	addr := func(tier string, v6 bool) netip.Addr {
		for _, b := range blocks[tier] {
			if b.Addr().Is6() == v6 {
				next[tier+fmt.Sprint(v6)]++
				a := nth(b, 9+next[tier+fmt.Sprint(v6)])
				g.used[a] = true
				return a
			}
		}
		return netip.Addr{}
	}
	half := g.o.Intervals / 2
	whole := [2][2]int{{0, half}, {half, g.o.Intervals}}
	mk := func(svc, tier, suffix, typ string) *nic {
		n := &nic{id: hexID("eni-", svc+"/"+suffix), subnet: hexID("subnet-", tier), owner: svc, typ: typ, active: whole}
		n.addrs = append(n.addrs, addr(tier, false))
		if v6 := addr(tier, true); v6.IsValid() {
			n.addrs = append(n.addrs, v6)
		}
		n.from = n.addrs[0]
		n.v2 = slices.Contains(g.o.DefaultFormat, svc)
		return n
	}
	outermost := ""
	if len(m.Tiers) > 0 {
		outermost = m.Tiers[0].Name
	}
	runs := Runs(g.p)
	for _, gr := range g.p.Groups {
		svc := gr.Service
		if !slices.Contains(runs, svc) {
			continue
		}
		carried := g.p.Attachments[svc]
		if len(carried) == 0 {
			carried = []string{svc}
		}
		if typ, ok := g.o.LoadBalancers[svc]; ok {
			for _, s := range []string{"a", "b"} {
				n := mk(svc, gr.Tier, "lb-"+s, typ)
				n.requesterManaged = true
				n.description = "ELB " + map[bool]string{true: "net/", false: "app/"}[typ == TypeNetworkLoadBalancer] + svc + "/" + hexID("", svc)[1:17]
				n.carries = [2][]string{{svc}, {svc}}
				g.nics = append(g.nics, n)
			}
			continue
		}
		suffixes := []string{"a", "b"}
		if g.o.Reuse != nil && g.o.Reuse.From == svc {
			suffixes = append(suffixes, "c")
		}
		for _, s := range suffixes {
			n := mk(svc, gr.Tier, s, TypeInterface)
			n.instance = hexID("i-", svc+"/"+s)
			n.description = "Primary network interface"
			n.carries = [2][]string{carried, carried}
			if s == "b" && svc == g.o.Secondary {
				sec := addr(gr.Tier, false)
				n.addrs = append(n.addrs, sec)
				n.from = sec
			}
			if s == "c" {
				// Detached two intervals before the second snapshot, attached to
				// To's instance one interval after it.
				to := g.p.Attachments[g.o.Reuse.To]
				if len(to) == 0 {
					to = []string{g.o.Reuse.To}
				}
				n.carries[1] = to
				n.active = [2][2]int{{0, half - 2}, {half + 1, g.o.Intervals}}
				n.instance = hexID("i-", g.o.Reuse.To+"/c")
			}
			g.nics = append(g.nics, n)
		}
	}
	if g.o.NAT {
		n := mk("nat", outermost, "nat", TypeNATGateway)
		n.requesterManaged = true
		n.description = "Interface for NAT Gateway " + hexID("nat-", "nat")
		g.nat = n
		g.nics = append(g.nics, n)
	}
	if g.o.Reuse != nil && !slices.ContainsFunc(g.nics, func(n *nic) bool { return n.owner == g.o.Reuse.From }) {
		return fmt.Errorf("flowgen: Reuse.From %q runs no instances", g.o.Reuse.From)
	}
	return nil
}

// Runs are the services the generator runs interfaces of, in the plan's
// order: all but those whose group other services attach (carried, not
// run, as AdminAccess is).
func Runs(p *plan.Plan) []string {
	attached := map[string]bool{}
	for svc, carried := range p.Attachments {
		for _, c := range carried {
			if c != svc {
				attached[c] = true
			}
		}
	}
	var out []string
	for _, gr := range p.Groups {
		if !attached[gr.Service] {
			out = append(out, gr.Service)
		}
	}
	return out
}

// nth is the n-th address of a prefix.
func nth(p netip.Prefix, n int) netip.Addr {
	a := p.Masked().Addr()
	for range n {
		a = a.Next()
	}
	return a
}

// carrying lists the interfaces carrying svc's group in epoch e.
func (g *gen) carrying(svc string, e int) []*nic {
	var out []*nic
	for _, n := range g.nics {
		if slices.Contains(n.carries[e], svc) {
			out = append(out, n)
		}
	}
	return out
}

// name is what a report calls the caller at addr in epoch e: its
// interface's group names, sorted and joined, else the address.
func (g *gen) name(a netip.Addr, e int) string {
	for _, n := range g.nics {
		if slices.Contains(n.addrs, a) && n.carries[e] != nil {
			return n.label(g, e)
		}
	}
	return a.String()
}

func (n *nic) label(g *gen, e int) string {
	if len(n.carries[e]) == 0 {
		return n.id
	}
	var names []string
	for _, s := range n.carries[e] {
		names = append(names, g.groupName[s])
	}
	slices.Sort(names)
	return strings.Join(names, "+")
}

// ruleName is a rule as the report names it.
func (g *gen) ruleName(rl rule.Rule, peer string) string {
	return fmt.Sprintf("%s %s from %s", g.groupName[rl.Service], rl.Ports, peer)
}

var protocolNumber = map[string]int{ports.TCP: 6, ports.UDP: 17}

// traffic sends, for each declared ingress rule, connections from callers
// it allows to every interface carrying its group, in each epoch; then the
// load balancers' health checks, the NAT gateway's traffic, the scanners
// and the missing rule.
func (g *gen) traffic() {
	rules := slices.Clone(g.p.Rules)
	slices.SortFunc(rules, func(a, b rule.Rule) int { return cmp.Compare(a.Key, b.Key) })
	// First every rule the account holds, so that a request counts for each
	// rule that allows it, whichever rule it was sent for.
	var sendable []allow
	for _, rl := range rules {
		if rl.Direction != rule.Ingress {
			continue
		}
		perm, ok := g.permission(rl)
		if !ok {
			g.truth.Unsendable[rl.Key] = "its peer's values are not known"
			continue
		}
		// EC2 holds a rule per peer: a list of CIDRs is several.
		for _, peer := range peersOf(perm) {
			a := allow{rl: rl, name: g.ruleName(rl, peer)}
			_, _, isGroup := rl.Peer.GroupOf()
			_, isList := rl.Peer.PrefixListID()
			switch {
			case rl.Self():
				a.peerGroup = rl.Service
			case isGroup:
				a.peerGroup = rl.Peer.Service
			case isList:
				a.prefixes = g.lists[peer]
			default:
				a.prefixes = []netip.Prefix{netip.MustParsePrefix(peer)}
			}
			g.truth.Rules[a.name] = &RuleTruth{Tuples: map[TupleKey]bool{}, Callers: map[string]bool{}}
			g.allows = append(g.allows, a)
			if !slices.Contains(g.o.Unused, rl.Key) {
				sendable = append(sendable, a)
			}
		}
	}
	for _, a := range sendable {
		proto, known := protocolNumber[a.rl.Ports.Protocol]
		if !known {
			g.truth.Unsendable[a.name] = "not tcp or udp"
			continue
		}
		sent := false
		for e := range 2 {
			for _, callee := range g.carrying(a.rl.Service, e) {
				for _, src := range g.callers(a, callee, e) {
					for _, port := range portsOf(a.rl.Ports) {
						sent = g.session(src, callee, e, proto, port, a.name) || sent
					}
				}
			}
		}
		if !sent {
			g.truth.Unsendable[a.name] = "no caller and callee of one address family are up together"
		}
	}
	g.healthChecks(rules)
	g.natTraffic()
	g.scanners()
	g.missing()
}

// allow is a rule the account holds, in the generator's terms: a request
// to an interface carrying rl.Service's group on its ports is allowed when
// the caller's interface carries peerGroup, or its address is in prefix.
type allow struct {
	rl        rule.Rule
	name      string
	peerGroup string
	prefixes  []netip.Prefix // a CIDR, or a prefix list's entries
}

func (a allow) allows(c conn) bool {
	name := map[int]string{6: ports.TCP, 17: ports.UDP}[c.proto]
	if !slices.Contains(c.callee.carries[c.epoch], a.rl.Service) || !a.rl.Ports.Covers(ports.Range{Protocol: name, From: c.port, To: c.port}) {
		return false
	}
	if a.peerGroup != "" {
		return c.src.nic != nil && slices.Contains(c.src.nic.carries[c.epoch], a.peerGroup)
	}
	return slices.ContainsFunc(a.prefixes, func(p netip.Prefix) bool { return p.Contains(c.src.addr) })
}

// permission is the rule as describe-security-groups writes it, another
// account's group with its owner apart.
func (g *gen) permission(rl rule.Rule) (types.IpPermission, bool) {
	perm, ok := meshproof.Permission(rl, g.p.Lists, func(s string) string { return g.groupID[s] })
	for i, pair := range perm.UserIdGroupPairs {
		if owner := g.owner[aws.ToString(pair.GroupId)]; owner != "" {
			perm.UserIdGroupPairs[i].UserId = aws.String(owner)
		}
	}
	return perm, ok
}

func peersOf(p types.IpPermission) []string {
	var out []string
	for _, x := range p.UserIdGroupPairs {
		out = append(out, aws.ToString(x.GroupId))
	}
	for _, x := range p.IpRanges {
		out = append(out, aws.ToString(x.CidrIp))
	}
	for _, x := range p.Ipv6Ranges {
		out = append(out, aws.ToString(x.CidrIpv6))
	}
	for _, x := range p.PrefixListIds {
		out = append(out, aws.ToString(x.PrefixListId))
	}
	return out
}

// portsOf are the ports a session of the rule uses: its first and last.
func portsOf(r ports.Range) []int {
	if r.From == r.To {
		return []int{r.From}
	}
	return []int{r.From, r.To}
}

// endpoint is a caller: an interface of the world, or an address outside.
type endpoint struct {
	nic  *nic
	addr netip.Addr
}

// callers are who sends a rule's traffic to callee: the interfaces
// carrying the peer group (not callee itself), or addresses in the CIDR
// that no interface has.
func (g *gen) callers(a allow, callee *nic, e int) []endpoint {
	var out []endpoint
	if a.peerGroup != "" {
		for _, n := range g.carrying(a.peerGroup, e) {
			if n != callee {
				out = append(out, endpoint{nic: n, addr: n.from})
			}
		}
		return out
	}
	for _, pr := range a.prefixes {
		for k := 0; len(out) < 2 && k < 64; k++ {
			var addr netip.Addr
			switch {
			case pr.Bits() == 0 && pr.Addr().Is4():
				addr = netip.AddrFrom4([4]byte{198, 51, 100, byte(10 + k)})
			case pr.Bits() == 0:
				addr = netip.MustParseAddr("2001:db8:5::").Next()
				for range k {
					addr = addr.Next()
				}
			default:
				addr = nth(pr, (200+k)%(1<<min(pr.Addr().BitLen()-pr.Bits(), 16)))
			}
			if pr.Contains(addr) && !g.used[addr] {
				out = append(out, endpoint{addr: addr})
			}
		}
	}
	return out
}

// session sends two connections from src to callee on the port within the
// epoch's intervals both are up in; it reports whether it could.
func (g *gen) session(src endpoint, callee *nic, e, proto, port int, ruleName string) bool {
	dst, ok := sameFamily(callee, src.addr)
	if !ok {
		return false
	}
	lo, hi := callee.active[e][0], callee.active[e][1]
	if src.nic != nil {
		lo, hi = max(lo, src.nic.active[e][0]), min(hi, src.nic.active[e][1])
	}
	if hi-lo < 4 {
		return false
	}
	for k := range 2 {
		first := lo + num(hi-lo-3, ruleName, callee.id, src.addr, port, k, e)
		g.connect(conn{src: src, callee: callee, dst: dst, proto: proto, port: port, first: first, n: 1 + num(3, first, k),
			action: "ACCEPT", rule: ruleName, epoch: e})
	}
	return true
}

func sameFamily(n *nic, a netip.Addr) (netip.Addr, bool) {
	for _, d := range n.addrs {
		if d.Is4() == a.Is4() {
			return d, true
		}
	}
	return netip.Addr{}, false
}

// conn is one connection.
type conn struct {
	src      endpoint
	callee   *nic
	dst      netip.Addr
	proto    int
	port     int
	first, n int
	action   string
	rule     string // the rule it exercises ("" for none)
	epoch    int
	// opened: the connection began before the window, so no SYN is logged.
	opened bool
	// healthCheck: two checks per interval, each a whole connection.
	healthCheck bool
}

// connect logs the connection's records for each interval it spans: the
// request direction and the reply, on the callee's interface and, when the
// caller is an interface of the world, on the caller's; a refused request
// is logged where it was refused, and as sent on the caller's side.
func (g *gen) connect(c conn) {
	g.conn++
	srcPort := 32768 + num(28000, "port", g.conn)
	last := c.first + c.n - 1
	for i := c.first; i <= last; i++ {
		start := g.o.Start + int64(i*intervalSeconds+num(10, "jitter", g.conn, i))
		end := start + 40 + int64(num(15, "end", g.conn, i))
		var reqFlags, replyFlags int
		if c.proto == 6 {
			if i == c.first && !c.opened {
				reqFlags, replyFlags = 2, 18
			}
			if i == last || c.healthCheck {
				reqFlags, replyFlags = reqFlags|1, replyFlags|1
			}
			if c.action == "REJECT" {
				reqFlags = 2
			}
		}
		packets := int64(3 + num(20, "pk", g.conn, i))
		reqBytes := packets * int64(60+num(400, "by", g.conn, i))
		replyPackets := packets + int64(num(5, "rp", g.conn, i))
		replyBytes := replyPackets * int64(100+num(1300, "rb", g.conn, i))
		if c.healthCheck {
			packets, reqBytes, replyPackets, replyBytes = 6, 6*60, 4, 4*60
		}
		req := record{src: c.src.addr, dst: c.dst, srcPort: srcPort, dstPort: c.port, protocol: c.proto, packets: packets, bytes: reqBytes,
			start: start, end: end, action: c.action, flags: reqFlags, pktSrc: c.src.addr, pktDst: c.dst, interval: i}
		reply := record{src: c.dst, dst: c.src.addr, srcPort: c.port, dstPort: srcPort, protocol: c.proto, packets: replyPackets, bytes: replyBytes,
			start: start, end: end, action: "ACCEPT", flags: replyFlags, pktSrc: c.dst, pktDst: c.src.addr, interval: i}
		// On the callee's interface: the request arrives, the reply leaves.
		in := req
		in.eni, in.direction = c.callee, "ingress"
		g.records = append(g.records, in)
		g.count(c, in)
		if c.action == "ACCEPT" && c.proto == 6 {
			out := reply
			out.eni, out.direction = c.callee, "egress"
			g.records = append(g.records, out)
		}
		// On the caller's: the request leaves (allowed out), the reply arrives.
		if c.src.nic != nil {
			out := req
			out.eni, out.direction, out.action = c.src.nic, "egress", "ACCEPT"
			g.records = append(g.records, out)
			if c.action == "ACCEPT" && c.proto == 6 {
				back := reply
				back.eni, back.direction = c.src.nic, "ingress"
				g.records = append(g.records, back)
			}
		}
	}
}

// count adds a request record logged on the callee to the truth: to every
// rule that allows it, or as unexplained.
func (g *gen) count(c conn, r record) {
	caller := g.name(c.src.addr, c.epoch)
	if c.src.nic != nil {
		caller = c.src.nic.label(g, c.epoch)
	}
	if c.action == "REJECT" {
		k := rejKey{caller, c.callee.label(g, c.epoch), c.proto, c.port}
		rj := g.rejected[k]
		if rj == nil {
			rj = &RejectedTruth{Caller: k.caller, Callee: k.callee, Protocol: c.proto, Port: c.port, FromService: c.src.nic != nil, Missing: c.rule == "missing"}
			g.rejected[k] = rj
		}
		rj.Records++
		return
	}
	allowed := false
	for _, a := range g.allows {
		if !a.allows(c) {
			continue
		}
		allowed = true
		t := g.truth.Rules[a.name]
		if len(t.Tuples) == 0 || r.start < t.FirstSeen {
			t.FirstSeen = r.start
		}
		t.LastSeen = max(t.LastSeen, r.end)
		t.Tuples[TupleKey{Interface: c.callee.id, Src: r.src, Dst: r.dst, Protocol: r.protocol, Port: r.dstPort}] = true
		t.Records++
		t.Packets += r.packets
		t.Bytes += r.bytes
		t.Callers[caller] = true
	}
	if !allowed {
		g.truth.Unexplained++
	}
}

// healthChecks: each load balancer's interfaces check every target (an
// interface that a rule naming the balancer's group lets in) on the rule's
// port, every interval, with two short connections (SYN and FIN in one
// interval). The rule that lets the balancer's group in allows them.
func (g *gen) healthChecks(rules []rule.Rule) {
	for _, lb := range slices.Sorted(maps.Keys(g.o.LoadBalancers)) {
		for _, rl := range rules {
			if rl.Direction != rule.Ingress || !rl.Peer.IsGroup(lb) || rl.Ports.Protocol != ports.TCP {
				continue
			}
			name := g.ruleName(rl, g.groupID[lb])
			if g.truth.Rules[name] == nil {
				continue
			}
			for e := range 2 {
				for _, target := range g.carrying(rl.Service, e) {
					for _, n := range g.carrying(lb, e) {
						lo := max(target.active[e][0], n.active[e][0])
						hi := min(target.active[e][1], n.active[e][1])
						if dst, ok := sameFamily(target, n.from); ok && hi > lo {
							g.connect(conn{src: endpoint{nic: n, addr: n.from}, callee: target, dst: dst, proto: 6, port: rl.Ports.From,
								first: lo, n: hi - lo, action: "ACCEPT", rule: name, epoch: e, healthCheck: true})
						}
					}
				}
			}
		}
	}
}

// natTraffic: NATCaller's instances call an internet API through the NAT
// gateway. Their own interfaces log the connection with the API's address;
// the gateway's logs it twice, translated: the instance to the gateway
// (pkt-dstaddr the API) and the gateway to the API, and the replies back.
// The request arriving at the gateway is transit: no group allowed it.
func (g *gen) natTraffic() {
	if g.nat == nil {
		return
	}
	api := netip.MustParseAddr("192.0.2.50")
	natAddr := g.nat.addrs[0]
	for e := range 2 {
		for _, n := range g.carrying(g.o.NATCaller, e) {
			if n.owner != g.o.NATCaller || !n.from.Is4() {
				continue
			}
			lo, hi := n.active[e][0], n.active[e][1]
			g.conn++
			srcPort, natPort := 32768+num(28000, "port", g.conn), 1024+num(60000, "natport", g.conn)
			i := lo + num(hi-lo, "nat", n.id, e)
			start := g.o.Start + int64(i*intervalSeconds+num(10, "jitter", g.conn))
			end := start + 30
			base := record{protocol: 6, packets: 12, bytes: 4800, start: start, end: end, action: "ACCEPT", flags: 3, interval: i}
			add := func(eni *nic, dir string, src, dst netip.Addr, sp, dp int, pktSrc, pktDst netip.Addr, reply, internet bool) {
				r := base
				r.eni, r.direction, r.src, r.dst, r.srcPort, r.dstPort, r.pktSrc, r.pktDst, r.internet = eni, dir, src, dst, sp, dp, pktSrc, pktDst, internet
				if reply {
					r.flags, r.packets, r.bytes = 19, 10, 9000
				}
				g.records = append(g.records, r)
				if eni == g.nat && dir == "ingress" && !reply {
					g.truth.Transit++
					fw := ForwardedTruth{Caller: n.label(g, e), Via: g.nat.id, Destination: api.String(), Protocol: 6, Port: 443}
					if i := slices.IndexFunc(g.truth.Forwarded, func(f ForwardedTruth) bool { f.Records = 0; return f == fw }); i >= 0 {
						g.truth.Forwarded[i].Records++
					} else {
						fw.Records = 1
						g.truth.Forwarded = append(g.truth.Forwarded, fw)
					}
				}
			}
			add(n, "egress", n.from, api, srcPort, 443, n.from, api, false, true)
			add(n, "ingress", api, n.from, 443, srcPort, api, n.from, true, false)
			add(g.nat, "ingress", n.from, natAddr, srcPort, 443, n.from, api, false, false)
			add(g.nat, "egress", natAddr, api, natPort, 443, natAddr, api, false, true)
			add(g.nat, "ingress", api, natAddr, 443, natPort, api, natAddr, true, false)
			add(g.nat, "egress", natAddr, n.from, 443, srcPort, api, n.from, true, false)
		}
	}
}

// scanners knock on closed ports of the first internet-facing load
// balancer's interfaces: refused, one or two records each.
func (g *gen) scanners() {
	if !g.o.Scanners {
		return
	}
	var lb string
	for _, gr := range g.p.Groups {
		if _, ok := g.o.LoadBalancers[gr.Service]; ok && gr.InternetFacing {
			lb = gr.Service
			break
		}
	}
	for k, port := range []int{22, 23, 3389, 8080, 6379} {
		scanner := netip.AddrFrom4([4]byte{198, 51, 100, byte(200 + k)})
		if k%2 == 1 {
			scanner = netip.AddrFrom4([4]byte{192, 0, 2, byte(100 + k)})
		}
		for _, n := range g.carrying(lb, 0) {
			g.connect(conn{src: endpoint{addr: scanner}, callee: n, dst: n.from, proto: 6, port: port,
				first: num(g.o.Intervals/2, "scan", k, n.id), n: 1 + k%2, action: "REJECT", epoch: 0})
		}
	}
}

// missing sends refused requests from the caller's first instance to the
// callee's first, four intervals running.
func (g *gen) missing() {
	if g.o.Missing == nil {
		return
	}
	var from, to *nic
	for _, n := range g.nics {
		if n.owner == g.o.Missing.Caller && from == nil {
			from = n
		}
		if n.owner == g.o.Missing.Callee && to == nil {
			to = n
		}
	}
	if from == nil || to == nil {
		return
	}
	dst, _ := sameFamily(to, from.from)
	g.connect(conn{src: endpoint{nic: from, addr: from.from}, callee: to, dst: dst, proto: 6, port: g.o.Missing.Port,
		first: 3, n: 4, action: "REJECT", rule: "missing", epoch: 0})
}

// write renders the snapshots, the files and the truth.
func (g *gen) write() (*Dataset, error) {
	ds := &Dataset{Truth: g.truth}
	for _, k := range slices.SortedFunc(maps.Keys(g.rejected), func(a, b rejKey) int {
		return cmp.Or(cmp.Compare(a.caller, b.caller), cmp.Compare(a.callee, b.callee), cmp.Compare(a.protocol, b.protocol), cmp.Compare(a.port, b.port))
	}) {
		ds.Truth.Rejected = append(ds.Truth.Rejected, *g.rejected[k])
	}
	for _, id := range slices.Sorted(maps.Keys(g.lists)) {
		var entries []types.PrefixListEntry
		for _, c := range g.lists[id] {
			entries = append(entries, types.PrefixListEntry{Cidr: aws.String(c.String())})
		}
		js, err := cliJSON(map[string]any{"Entries": entries})
		if err != nil {
			return nil, err
		}
		ds.PrefixListEntries = append(ds.PrefixListEntries, PrefixListEntries{ID: id, JSON: js})
	}
	half := g.o.Intervals / 2
	for e, taken := range []int64{g.o.Start, g.o.Start + int64(half*intervalSeconds)} {
		js, err := g.describe(e)
		if err != nil {
			return nil, err
		}
		ds.Snapshots = append(ds.Snapshots, Snapshot{Taken: taken, JSON: js})
	}
	slices.SortStableFunc(g.records, func(a, b record) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.eni.id, b.eni.id), a.src.Compare(b.src), a.dst.Compare(b.dst),
			cmp.Compare(a.srcPort, b.srcPort), cmp.Compare(a.dstPort, b.dstPort))
	})
	// Version 5 files of ten intervals each, and the default-format file.
	const per = 10
	for f := 0; f*per < g.o.Intervals; f++ {
		var b bytes.Buffer
		b.WriteString(BenchHeader + "\n")
		for _, r := range g.records {
			if !r.eni.v2 && r.interval/per == f {
				b.WriteString(r.v5() + "\n")
			}
		}
		stamp := time.Unix(g.o.Start+int64(f*per*intervalSeconds), 0).UTC().Format("20060102T1504Z")
		gz, err := gzipped(b.Bytes())
		if err != nil {
			return nil, err
		}
		ds.Files = append(ds.Files, File{Name: fmt.Sprintf("%s_vpcflowlogs_%s_fl-0reference5_%s_%s.log.gz", accountID, region, stamp, hexID("", stamp)[1:9]), Gzip: gz})
	}
	var b bytes.Buffer
	b.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for _, r := range g.records {
		if r.eni.v2 {
			b.WriteString(r.v2() + "\n")
		}
	}
	if b.Len() > 0 {
		gz, err := gzipped(b.Bytes())
		if err != nil {
			return nil, err
		}
		stamp := time.Unix(g.o.Start, 0).UTC().Format("20060102T1504Z")
		ds.Files = append(ds.Files, File{Name: fmt.Sprintf("%s_vpcflowlogs_%s_fl-0reference2_%s_%s.log.gz", accountID, region, stamp, hexID("", "v2")[1:9]), Gzip: gz})
	}
	return ds, nil
}

func gzipped(data []byte) ([]byte, error) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func dash(a netip.Addr) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}

func (r record) v2() string {
	return fmt.Sprintf("2 %s %s %s %s %d %d %d %d %d %d %d %s OK", accountID, r.eni.id, r.src, r.dst, r.srcPort, r.dstPort, r.protocol,
		r.packets, r.bytes, r.start, r.end, r.action)
}

func (r record) v5() string {
	typ := "IPv4"
	if r.src.Is6() {
		typ = "IPv6"
	}
	path := "-"
	if r.direction == "egress" {
		path = "1"
		if r.internet {
			path = "8"
		}
	}
	flags := "0"
	if r.protocol == 6 {
		flags = fmt.Sprint(r.flags)
	}
	return fmt.Sprintf("5 %s %s %s %s %d %d %d %d %d %d %d %s OK %s %s %s %s %s %s %s %s use1-az1 - - - - %s %s",
		accountID, r.eni.id, r.src, r.dst, r.srcPort, r.dstPort, r.protocol, r.packets, r.bytes, r.start, r.end, r.action,
		vpcID, r.eni.subnet, cmp.Or(r.eni.instance, "-"), flags, typ, dash(r.pktSrc), dash(r.pktDst), region, r.direction, path)
}

// describe is describe-security-groups and describe-network-interfaces, as
// the AWS CLI writes them, merged in one object, for epoch e.
func (g *gen) describe(e int) ([]byte, error) {
	var sgs []types.SecurityGroup
	byService := map[string]*types.SecurityGroup{}
	for _, gr := range g.p.Groups {
		sg := types.SecurityGroup{GroupId: aws.String(g.groupID[gr.Service]), GroupName: aws.String(gr.Name), Description: aws.String(gr.Description),
			VpcId: aws.String(vpcID), OwnerId: aws.String(accountID)}
		for _, k := range slices.Sorted(maps.Keys(gr.Tags)) {
			sg.Tags = append(sg.Tags, types.Tag{Key: aws.String(k), Value: aws.String(gr.Tags[k])})
		}
		sgs = append(sgs, sg)
		byService[gr.Service] = &sgs[len(sgs)-1]
	}
	for i := range sgs {
		byService[g.p.Groups[i].Service] = &sgs[i]
	}
	for _, rl := range g.p.Rules {
		sg := byService[rl.Service]
		perm, ok := g.permission(rl)
		if sg == nil || !ok {
			continue
		}
		if rl.Direction == rule.Ingress {
			sg.IpPermissions = append(sg.IpPermissions, perm)
		} else {
			sg.IpPermissionsEgress = append(sg.IpPermissionsEgress, perm)
		}
	}
	var enis []types.NetworkInterface
	for _, n := range g.nics {
		if n.carries[e] == nil && n.typ != TypeNATGateway {
			continue
		}
		ni := types.NetworkInterface{NetworkInterfaceId: aws.String(n.id), InterfaceType: types.NetworkInterfaceType(n.typ),
			RequesterManaged: aws.Bool(n.requesterManaged), Description: aws.String(n.description), SubnetId: aws.String(n.subnet),
			VpcId: aws.String(vpcID), OwnerId: aws.String(accountID), Status: types.NetworkInterfaceStatusInUse,
			PrivateIpAddress: aws.String(n.addrs[0].String())}
		for k, a := range n.addrs {
			if a.Is4() {
				ni.PrivateIpAddresses = append(ni.PrivateIpAddresses, types.NetworkInterfacePrivateIpAddress{PrivateIpAddress: aws.String(a.String()), Primary: aws.Bool(k == 0)})
			} else {
				ni.Ipv6Addresses = append(ni.Ipv6Addresses, types.NetworkInterfaceIpv6Address{Ipv6Address: aws.String(a.String())})
			}
		}
		for _, s := range n.carries[e] {
			ni.Groups = append(ni.Groups, types.GroupIdentifier{GroupId: aws.String(g.groupID[s]), GroupName: aws.String(g.groupName[s])})
		}
		if n.instance != "" {
			ni.Attachment = &types.NetworkInterfaceAttachment{InstanceId: aws.String(n.instance), DeviceIndex: aws.Int32(0), Status: types.AttachmentStatusAttached}
		}
		enis = append(enis, ni)
	}
	out := map[string]any{"SecurityGroups": sgs, "NetworkInterfaces": enis}
	var lists []types.ManagedPrefixList
	for _, id := range slices.Sorted(maps.Keys(g.lists)) {
		lists = append(lists, types.ManagedPrefixList{PrefixListId: aws.String(id), PrefixListName: aws.String("list-" + id),
			AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(10), OwnerId: aws.String(accountID), State: types.PrefixListStateCreateComplete})
	}
	if lists != nil {
		out["PrefixLists"] = lists
	}
	return cliJSON(out)
}

// cliJSON is v as the AWS CLI writes it: indented, without the nulls and
// empty strings the SDK's types marshal.
func cliJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	return json.MarshalIndent(pruned(tree), "", "  ")
}

// pruned drops what the AWS CLI leaves out: nulls and empty strings (the
// SDK's types marshal every field).
func pruned(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if val == nil || val == "" {
				delete(x, k)
				continue
			}
			x[k] = pruned(val)
		}
	case []any:
		for i := range x {
			x[i] = pruned(x[i])
		}
	}
	return v
}

// ReferenceStart is the reference data set's window: 2026-11-20 10:00 UTC,
// an hour.
var ReferenceStart = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).Unix()

// ReferenceOptions are the reference data set's (testdata/reference): the
// public NLB in front of the web tier, the internal ALB in front of the API,
// a NAT gateway the API calls out through, scanners on the NLB, the web tier
// trying MySQL directly (a missing rule), the API's second instance calling
// from a secondary address, an API interface reused by ELK mid-window,
// MySQL's interfaces logging in the default format, and the Graphite
// dashboard over plain HTTP and MySQL's 2202 left unused.
func ReferenceOptions() Options {
	return Options{
		Start: ReferenceStart, Intervals: 60,
		LoadBalancers: map[string]string{"ELB-FrontEnd-Web": TypeNetworkLoadBalancer, "ELB-CustomerManagement-API": TypeInterface},
		Unused:        []string{"Graphite/ingress/tcp-80/203.0.113.0_24", "MySQL/ingress/tcp-2202/self"},
		NAT:           true, NATCaller: "CustomerManagement-API",
		Scanners:      true,
		Missing:       &Missing{Caller: "FrontEnd-Web", Callee: "MySQL", Port: 3306},
		Secondary:     "CustomerManagement-API",
		Reuse:         &Reuse{From: "CustomerManagement-API", To: "ELK"},
		DefaultFormat: []string{"MySQL"},
	}
}

// SnapshotName is a snapshot's file name: describe-20261120T1000Z.json.
func SnapshotName(taken int64) string {
	return "describe-" + time.Unix(taken, 0).UTC().Format("20060102T1504Z") + ".json"
}

// WriteDir writes the snapshots and the files into dir.
func (d *Dataset) WriteDir(dir string) error {
	for _, s := range d.Snapshots {
		if err := os.WriteFile(filepath.Join(dir, SnapshotName(s.Taken)), append(s.JSON, '\n'), 0o644); err != nil {
			return err
		}
	}
	for _, f := range d.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Gzip, 0o644); err != nil {
			return err
		}
	}
	for _, e := range d.PrefixListEntries {
		if err := os.WriteFile(filepath.Join(dir, e.Name()), append(e.JSON, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Reference is the reference data set: the reference architecture planned,
// with ReferenceOptions.
func Reference() (*Dataset, error) {
	m := reference.Mesh()
	p, err := plan.Build(m)
	if err != nil {
		return nil, err
	}
	return Generate(m, p, ReferenceOptions())
}
