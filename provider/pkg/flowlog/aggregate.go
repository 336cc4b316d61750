package flowlog

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"sync"
)

// Tuple is the traffic of one (interface, source, destination, destination
// port, protocol, action, flow direction, packet source, packet destination)
// over the records read: the unit the attribution works on, and what a
// GROUP BY of those fields returns.
//
// The last three are in the key only through the formats that carry them:
// a record without them has them zero, so records of a format without them
// group by the first six alone. They are in the key because records that
// differ only there are different traffic: behind a NAT gateway, a load
// balancer or an EKS pod's secondary address, srcaddr/dstaddr are the
// middlebox's and pkt-srcaddr/pkt-dstaddr the original endpoints, and one
// interface logs both ingress and egress records of the same addresses.
// A table split at times (SplitAt) also keeps apart records that start on
// different sides of one.
type Tuple struct {
	InterfaceID            string
	SrcAddr, DstAddr       netip.Addr // invalid when AWS wrote "-"
	DstPort                int        // -1 when "-"
	Protocol               int        // -1 when "-"
	Action                 string     // ACCEPT, REJECT, or "" for "-"
	FlowDirection          Direction  // NoDirection when the format lacks it or "-"
	PktSrcAddr, PktDstAddr netip.Addr // invalid when the format lacks them or "-"
	Count                  int64      // records
	Packets, Bytes         int64      // sums; "-" counts as 0
	TCPFlags               int        // OR of the records' tcp-flags; 0 without the field
	Start, End             int64      // earliest start and latest end, Unix seconds; -1 when none
}

// TupleFields are the fields a format must have to be aggregated.
var TupleFields = []Field{InterfaceID, SrcAddr, DstAddr, DstPort, Protocol, Action}

// Direction is a record's flow-direction, relative to its interface.
type Direction uint8

const (
	NoDirection Direction = iota // the format lacks flow-direction, or AWS wrote "-"
	Ingress
	Egress
)

var directionNames = [...]string{NoDirection: "", Ingress: "ingress", Egress: "egress"}

// String is the direction as AWS writes it; "" for NoDirection.
func (d Direction) String() string { return directionNames[d] }

// parseDirection reads a flow-direction field; absent or "-" is NoDirection.
func parseDirection(b []byte) (Direction, bool) {
	switch string(b) {
	case "", "-":
		return NoDirection, true
	case "ingress":
		return Ingress, true
	case "egress":
		return Egress, true
	}
	return NoDirection, false
}

// Table aggregates records into tuples. Its memory is bounded by the
// distinct tuples, interfaces and IPv6 addresses: a record is split and
// folded in without allocating. A Table is not safe for concurrent use;
// AggregateFiles runs one per worker and merges them.
type Table struct {
	slots   []uint64  // open addressing: hash tag (high 32 bits) | entry index + 1
	chunks  [][]entry // entries, in chunks so that growth never copies them
	n       int
	enis    intern[string]
	v6      intern[netip.Addr]
	v6raw   map[string]uint32 // spelling in the file → v6 id, so a known address is not parsed again
	lastENI string
	lastID  uint32
	// splits are times (Unix seconds, ascending) a tuple is split at: its
	// records all start on the same side of each (SplitAt).
	splits []uint32
}

type entry struct {
	count, packets, bytes   uint64
	eni, src, dst, port     uint32
	psrc, pdst              uint32 // pkt-srcaddr, pkt-dstaddr
	start, end              uint32 // Unix seconds; start noStart and end 0 when none
	proto                   uint16
	action, dir, fam, flags uint8
	epoch                   uint8 // how many splits the records' start is at or after
}

const (
	chunkBits = 16
	noPort    = 1 << 16
	noProto   = 1 << 8
	noStart   = math.MaxUint32
	// maxCounter bounds one record's packets or bytes: 100 Gbit/s for the
	// longest interval (10 minutes) is under 2^43 bytes, and 2^20 such
	// records still sum within a uint64.
	maxCounter = 1 << 44
	// fam: how src (bits 0-1), dst (2-3), psrc (4-5) and pdst (6-7) are held.
	addrNone = 0
	addrV4   = 1 // the address's 32 bits
	addrV6   = 2 // an id in Table.v6
)

const (
	actionNone uint8 = iota
	actionAccept
	actionReject
)

var actionNames = [...]string{actionNone: "", actionAccept: "ACCEPT", actionReject: "REJECT"}

type intern[K comparable] struct {
	ids  map[K]uint32
	vals []K
}

func (in *intern[K]) id(k K) uint32 {
	if id, ok := in.ids[k]; ok {
		return id
	}
	if in.ids == nil {
		in.ids = map[K]uint32{}
	}
	id := uint32(len(in.vals))
	in.ids[k] = id
	in.vals = append(in.vals, k)
	return id
}

// NewTable is an empty table.
func NewTable() *Table {
	return &Table{slots: make([]uint64, 1<<10), v6raw: map[string]uint32{}}
}

// Len is the number of distinct tuples.
func (t *Table) Len() int { return t.n }

// Add folds every record of s into the table; bad records stay on s as
// its errors.
func (t *Table) Add(s *Scanner) {
	s.Require(TupleFields...)
	for s.Next() {
		if msg := t.addRecord(s); msg != "" {
			s.invalid("%s", msg)
		}
	}
}

func (t *Table) addRecord(s *Scanner) string {
	var k entry
	var ok bool
	k.eni = t.eniID(s.Field(InterfaceID))
	var kind uint8
	if k.src, kind, ok = t.addr(s.Field(SrcAddr)); !ok {
		return fmt.Sprintf("srcaddr %q is not an IP address", s.Field(SrcAddr))
	}
	k.fam = kind
	if k.dst, kind, ok = t.addr(s.Field(DstAddr)); !ok {
		return fmt.Sprintf("dstaddr %q is not an IP address", s.Field(DstAddr))
	}
	k.fam |= kind << 2
	if k.psrc, kind, ok = t.addr(s.Field(PktSrcAddr)); !ok {
		return fmt.Sprintf("pkt-srcaddr %q is not an IP address", s.Field(PktSrcAddr))
	}
	k.fam |= kind << 4
	if k.pdst, kind, ok = t.addr(s.Field(PktDstAddr)); !ok {
		return fmt.Sprintf("pkt-dstaddr %q is not an IP address", s.Field(PktDstAddr))
	}
	k.fam |= kind << 6
	dir, ok := parseDirection(s.Field(FlowDirection))
	if !ok {
		return fmt.Sprintf("flow-direction %q is not ingress or egress", s.Field(FlowDirection))
	}
	k.dir = uint8(dir)
	if k.port, ok = optUint[uint32](s.Field(DstPort), 65535, noPort); !ok {
		return fmt.Sprintf("dstport %q is not a number from 0 to 65535", s.Field(DstPort))
	}
	proto, ok := optUint[uint32](s.Field(Protocol), 255, noProto)
	if !ok {
		return fmt.Sprintf("protocol %q is not a number from 0 to 255", s.Field(Protocol))
	}
	k.proto = uint16(proto)
	switch a := s.Field(Action); string(a) {
	case "ACCEPT":
		k.action = actionAccept
	case "REJECT":
		k.action = actionReject
	case "-":
	default:
		return fmt.Sprintf("action %q is not ACCEPT or REJECT", a)
	}
	packets, ok := optUint[uint64](s.Field(Packets), maxCounter, 0)
	if !ok {
		return fmt.Sprintf("packets %q is not a number", s.Field(Packets))
	}
	byteCount, ok := optUint[uint64](s.Field(Bytes), maxCounter, 0)
	if !ok {
		return fmt.Sprintf("bytes %q is not a number", s.Field(Bytes))
	}
	flags, ok := optUint[uint32](s.Field(TCPFlags), 255, 0)
	if !ok {
		return fmt.Sprintf("tcp-flags %q is not a number from 0 to 255", s.Field(TCPFlags))
	}
	start, ok := optUint[uint32](s.Field(Start), noStart-1, noStart)
	if !ok {
		return fmt.Sprintf("start %q is not a Unix time before 2106", s.Field(Start))
	}
	end, ok := optUint[uint32](s.Field(End), noStart-1, 0)
	if !ok {
		return fmt.Sprintf("end %q is not a Unix time before 2106", s.Field(End))
	}
	k.epoch = t.epochOf(start)
	e := t.find(&k)
	e.count++
	e.packets += uint64(packets)
	e.bytes += uint64(byteCount)
	e.flags |= uint8(flags)
	e.start = min(e.start, start)
	e.end = max(e.end, end)
	return ""
}

// SplitAt makes the table split tuples at the times (Unix seconds): a
// record starting at or after one is never folded with one starting before
// it. An inventory taken at those times then holds for each whole tuple.
// At most 255 times; call it before adding records.
func (t *Table) SplitAt(times []int64) {
	t.splits = t.splits[:0]
	for _, at := range slices.Sorted(slices.Values(times))[:min(len(times), 255)] {
		t.splits = append(t.splits, uint32(min(max(at, 0), noStart-1)))
	}
}

func (t *Table) epochOf(start uint32) uint8 {
	n := uint8(0)
	for _, at := range t.splits {
		if start == noStart || start < at {
			break
		}
		n++
	}
	return n
}

// optUint parses a decimal field up to limit; absent or "-" is none.
func optUint[T uint32 | uint64](b []byte, limit uint64, none T) (T, bool) {
	if b == nil || isDash(b) {
		return none, true
	}
	v, ok := parseUint(b)
	if !ok || v > limit {
		return 0, false
	}
	return T(v), true
}

func (t *Table) eniID(b []byte) uint32 {
	if string(b) == t.lastENI { // fields are never empty, so "" never matches
		return t.lastID
	}
	var id uint32
	if existing, ok := t.enis.ids[string(b)]; ok { // no allocation for the lookup
		id = existing
	} else {
		id = t.enis.id(string(b))
	}
	t.lastENI, t.lastID = t.enis.vals[id], id
	return id
}

// addr encodes an address: IPv4 as its bits, IPv6 as an interned id;
// absent (nil) or "-" as none.
func (t *Table) addr(b []byte) (uint32, uint8, bool) {
	if b == nil || isDash(b) {
		return 0, addrNone, true
	}
	if v, ok := parseIPv4(b); ok {
		return v, addrV4, true
	}
	if id, ok := t.v6raw[string(b)]; ok {
		return id, addrV6, true
	}
	a, err := netip.ParseAddr(string(b))
	if err != nil {
		return 0, 0, false
	}
	if a.Is4() || a.Is4In6() {
		return 0, 0, false // spelt oddly; AWS writes dotted quads
	}
	id := t.v6.id(a)
	t.v6raw[string(b)] = id
	return id, addrV6, true
}

// parseIPv4 reads a dotted quad without allocating.
func parseIPv4(b []byte) (uint32, bool) {
	var v, part uint32
	dots, digits := 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 && part == 0 { // no leading zeros, as netip
				return 0, false
			}
			part = part*10 + uint32(c-'0')
			digits++
			if part > 255 {
				return 0, false
			}
		case c == '.' && digits > 0 && dots < 3:
			v = v<<8 | part
			part, digits = 0, 0
			dots++
		default:
			return 0, false
		}
	}
	if dots != 3 || digits == 0 {
		return 0, false
	}
	return v<<8 | part, true
}

func (e *entry) sameKey(k *entry) bool {
	return e.eni == k.eni && e.src == k.src && e.dst == k.dst && e.port == k.port &&
		e.proto == k.proto && e.action == k.action && e.fam == k.fam &&
		e.psrc == k.psrc && e.pdst == k.pdst && e.dir == k.dir && e.epoch == k.epoch
}

func (k *entry) hash() uint64 {
	a := uint64(k.eni)<<32 | uint64(k.src)
	b := uint64(k.dst)<<32 | uint64(k.port)
	c := uint64(k.epoch)<<32 | uint64(k.dir)<<24 | uint64(k.proto)<<16 | uint64(k.action)<<8 | uint64(k.fam)
	d := uint64(k.psrc)<<32 | uint64(k.pdst)
	return mix(mix(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db), mix(c^0x8ebc6af09c88c6e3, d^0x589965cc75374cc3))
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func (t *Table) at(i int) *entry { return &t.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

// find returns k's entry, adding it (counts zero) when new.
func (t *Table) find(k *entry) *entry {
	h := k.hash()
	tag := h >> 32 << 32
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			break
		}
		if s&^(1<<32-1) == tag {
			if e := t.at(int(uint32(s)) - 1); e.sameKey(k) {
				return e
			}
		}
	}
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	idx := t.n
	if idx>>chunkBits == len(t.chunks) {
		t.chunks = append(t.chunks, make([]entry, 1<<chunkBits))
	}
	e := t.at(idx)
	*e = entry{eni: k.eni, src: k.src, dst: k.dst, port: k.port, psrc: k.psrc, pdst: k.pdst,
		proto: k.proto, action: k.action, dir: k.dir, fam: k.fam, epoch: k.epoch, start: noStart}
	t.n++
	t.place(h, idx)
	return e
}

func (t *Table) place(h uint64, idx int) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = h>>32<<32 | uint64(idx+1)
}

func (t *Table) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	for _, s := range old {
		if s != 0 {
			t.place(t.at(int(uint32(s))-1).hash(), int(uint32(s))-1)
		}
	}
}

// Merge folds o into t and empties o, freeing its entries as it goes.
func (t *Table) Merge(o *Table) {
	eniMap := make([]uint32, len(o.enis.vals))
	for i, s := range o.enis.vals {
		eniMap[i] = t.enis.id(s)
	}
	v6Map := make([]uint32, len(o.v6.vals))
	for i, a := range o.v6.vals {
		v6Map[i] = t.v6.id(a)
	}
	remap := func(a *uint32, kind uint8) {
		if kind == addrV6 {
			*a = v6Map[*a]
		}
	}
	for c := range o.chunks {
		for i := range o.chunks[c] {
			if c<<chunkBits+i >= o.n {
				break
			}
			k := o.chunks[c][i]
			k.eni = eniMap[k.eni]
			remap(&k.src, k.fam&3)
			remap(&k.dst, k.fam>>2&3)
			remap(&k.psrc, k.fam>>4&3)
			remap(&k.pdst, k.fam>>6)
			e := t.find(&k)
			e.count += k.count
			e.packets += k.packets
			e.bytes += k.bytes
			e.flags |= k.flags
			e.start = min(e.start, k.start)
			e.end = max(e.end, k.end)
		}
		o.chunks[c] = nil
	}
	*o = Table{}
}

func (t *Table) address(kind uint8, v uint32) netip.Addr {
	switch kind {
	case addrV4:
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	case addrV6:
		return t.v6.vals[v]
	}
	return netip.Addr{}
}

func (t *Table) tuple(e *entry) Tuple {
	tu := Tuple{
		InterfaceID:   t.enis.vals[e.eni],
		SrcAddr:       t.address(e.fam&3, e.src),
		DstAddr:       t.address(e.fam>>2&3, e.dst),
		DstPort:       int(e.port),
		Protocol:      int(e.proto),
		Action:        actionNames[e.action],
		FlowDirection: Direction(e.dir),
		PktSrcAddr:    t.address(e.fam>>4&3, e.psrc),
		PktDstAddr:    t.address(e.fam>>6, e.pdst),
		Count:         int64(e.count),
		Packets:       int64(e.packets),
		Bytes:         int64(e.bytes),
		TCPFlags:      int(e.flags),
		Start:         int64(e.start),
		End:           int64(e.end),
	}
	if e.port == noPort {
		tu.DstPort = -1
	}
	if e.proto == noProto {
		tu.Protocol = -1
	}
	if e.start == noStart {
		tu.Start, tu.End = -1, -1
	}
	return tu
}

// Each calls fn for every tuple, in the order they were first seen (which,
// after a parallel AggregateFiles, depends on scheduling; use Sorted for a
// stable order).
func (t *Table) Each(fn func(Tuple)) {
	for i := 0; i < t.n; i++ {
		fn(t.tuple(t.at(i)))
	}
}

// Sorted is every tuple in key order: interface, source, destination,
// port, protocol, action, direction, packet source, packet destination.
func (t *Table) Sorted() []Tuple {
	out := make([]Tuple, 0, t.n)
	t.Each(func(tu Tuple) { out = append(out, tu) })
	slices.SortFunc(out, CompareTuples)
	return out
}

// CompareTuples orders tuples by their key.
func CompareTuples(a, b Tuple) int {
	return cmp.Or(cmp.Compare(a.InterfaceID, b.InterfaceID), a.SrcAddr.Compare(b.SrcAddr), a.DstAddr.Compare(b.DstAddr),
		cmp.Compare(a.DstPort, b.DstPort), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Action, b.Action),
		cmp.Compare(a.FlowDirection, b.FlowDirection), a.PktSrcAddr.Compare(b.PktSrcAddr), a.PktDstAddr.Compare(b.PktDstAddr))
}

// Result is the aggregation of many files.
type Result struct {
	Table *Table
	Stats Stats
	Files int
}

// AggregateFiles reads the files with up to workers goroutines (one file
// each at a time), each into its own Table, and merges them. format is the
// format of headerless files (nil: DefaultFormat). Every file's errors are
// returned together, in the order of paths, alongside what could be read.
// Tuples are split at the times splitAt gives (Table.SplitAt).
func AggregateFiles(paths []string, format *Format, workers int, splitAt ...int64) (Result, error) {
	workers = max(1, min(workers, len(paths)))
	type done struct {
		stats Stats
		errs  []error
	}
	results := make([]done, len(paths))
	tables := make([]*Table, workers)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range tables {
		tables[w] = NewTable()
		tables[w].SplitAt(splitAt)
		wg.Go(func() {
			for i := range next {
				results[i].stats, results[i].errs = aggregateFile(tables[w], paths[i], format)
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	// Merge the smaller tables into the largest: fewer entries move.
	slices.SortStableFunc(tables, func(a, b *Table) int { return cmp.Compare(b.n, a.n) })
	for _, o := range tables[1:] {
		tables[0].Merge(o)
	}
	res := Result{Table: tables[0], Files: len(paths)}
	var errs []error
	for _, r := range results {
		res.Stats.Add(r.stats)
		errs = append(errs, r.errs...)
	}
	return res, errors.Join(errs...)
}

func aggregateFile(t *Table, path string, format *Format) (Stats, []error) {
	f, err := os.Open(path)
	if err != nil {
		return Stats{}, []error{&LineError{File: path, Msg: err.Error()}}
	}
	defer f.Close()
	s := NewScanner(path, f, format)
	t.Add(s)
	if err := s.Err(); err != nil {
		return s.Stats(), []error{err}
	}
	return s.Stats(), nil
}

// CSVHeader names the columns of Tuple.CSV.
var CSVHeader = []string{"interface_id", "srcaddr", "dstaddr", "dstport", "protocol", "action",
	"flow_direction", "pkt_srcaddr", "pkt_dstaddr", "records", "packets", "bytes", "tcp_flags", "first_start", "last_end"}

// CSV is the tuple as CSVHeader's columns; a value AWS wrote as "-" is empty.
func (t Tuple) CSV() []string {
	opt := func(v int64) string {
		if v < 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	addr := func(a netip.Addr) string {
		if !a.IsValid() {
			return ""
		}
		return a.String()
	}
	return []string{t.InterfaceID, addr(t.SrcAddr), addr(t.DstAddr), opt(int64(t.DstPort)), opt(int64(t.Protocol)), t.Action,
		t.FlowDirection.String(), addr(t.PktSrcAddr), addr(t.PktDstAddr), opt(t.Count), opt(t.Packets), opt(t.Bytes), opt(int64(t.TCPFlags)), opt(t.Start), opt(t.End)}
}
