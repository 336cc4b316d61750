package flowlog

import (
	"cmp"
	"errors"
	"fmt"
	"io"
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
// folded in without allocating. Add and AddTuple may run at once (the
// workers of Aggregate share one table, so each tuple is held once and
// nothing is merged); Len, Each and Sorted read it after they finish.
type Table struct {
	shards [numShards]shard // by the key's hash: a worker locks one per record
	mu     sync.Mutex       // guards enis and v6
	enis   intern[string]
	v6     intern[netip.Addr]
	// splits are times (Unix seconds, ascending) a tuple is split at: its
	// records all start on the same side of each (SplitAt).
	splits []uint32
}

// shard is an open-addressing table of its part of the key space.
type shard struct {
	mu     sync.Mutex
	slots  []uint64  // hash tag (high 32 bits) | entry index + 1
	chunks [][]entry // entries, in chunks so that growth never copies them
	n      int
	// What does not fit an entry, by entry index: the packet addresses
	// when they are not the entry's source and destination (a middlebox's
	// records), and the records past the entry's 32-bit count.
	pkt      map[uint32][2]uint32
	bigCount map[uint32]uint64
	_        [64]byte // its own cache line: workers lock neighbours
}

// numShards spreads the locking of two to a few dozen workers thin, and
// bounds what one growth of the slots holds twice (a shard's, not the
// table's).
const (
	shardBits = 6
	numShards = 1 << shardBits
)

// key is a tuple's key as a record gives it.
type key struct {
	eni, src, dst, psrc, pdst uint32
	port                      uint32 // noPort when none
	proto                     uint16 // noProto when none
	action, dir, fam          uint8
	epoch                     uint8 // how many split times the records' start is at or after
}

// counts are what records add to their tuple.
type counts struct {
	count, packets, bytes uint64
	start, end            uint32 // start noStart and end 0 when none
	flags                 uint8
}

// entry is a tuple as a shard stores it, in 48 bytes: the key's small
// fields packed, the packet addresses only where a middlebox made them
// differ from the source and destination, the count in 32 bits with the
// rest beside (shard.pkt, shard.bigCount).
type entry struct {
	packets, bytes uint64
	count          uint32
	eni, src, dst  uint32
	start, end     uint32
	small          uint32 // port | proto<<17 | action<<26 | dir<<28 | pkt mode<<30
	fam, flags     uint8
	epoch          uint8
}

// How an entry holds its packet addresses.
const (
	pktNone  = iota // the format has neither
	pktSame         // they are the source and destination
	pktApart        // in shard.pkt
)

const (
	chunkBits = 16
	noPort    = 1 << 16
	noProto   = 1 << 8
	noStart   = math.MaxUint32
	// maxCounter bounds one record's packets or bytes: 100 Gbit/s for the
	// longest interval (10 minutes) is under 2^43 bytes, and 2^20 such
	// records still sum within a uint64.
	maxCounter = 1 << 44
	// fam: how src (bits 0-1), dst (2-3), psrc (4-5) and pdst (6-7) are
	// held.
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
	t := &Table{}
	for i := range t.shards {
		t.shards[i].slots = make([]uint64, 1<<6)
	}
	return t
}

// Len is the number of distinct tuples.
func (t *Table) Len() int {
	n := 0
	for i := range t.shards {
		n += t.shards[i].n
	}
	return n
}

// adder folds one scanner's records in, with its own caches of the
// table's interned values, so that most records take no lock but their
// shard's.
type adder struct {
	t       *Table
	enis    map[string]knownENI
	v6raw   map[string]uint32 // spelling in the file → v6 id, so a known address is not parsed again
	lastENI string
	lastID  uint32
}

// knownENI is an interface id and its interned name (kept so that the
// last-seen check compares without allocating).
type knownENI struct {
	name string
	id   uint32
}

// Add folds every record of s into the table; bad records stay on s as
// its errors.
func (t *Table) Add(s *Scanner) {
	s.Require(TupleFields...)
	a := adder{t: t, enis: map[string]knownENI{}, v6raw: map[string]uint32{}}
	for s.Next() {
		if msg := a.addRecord(s); msg != "" {
			s.invalid("%s", msg)
		}
	}
}

func (t *adder) addRecord(s *Scanner) string {
	var k key
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
	k.epoch = t.t.epochOf(start)
	t.t.fold(&k, &counts{count: 1, packets: packets, bytes: byteCount, flags: uint8(flags), start: start, end: end})
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

func (t *adder) eniID(b []byte) uint32 {
	if string(b) == t.lastENI { // fields are never empty, so "" never matches
		return t.lastID
	}
	known, ok := t.enis[string(b)] // no allocation for the lookup
	if !ok {
		known.name = string(b)
		t.t.mu.Lock()
		known.id = t.t.enis.id(known.name)
		t.t.mu.Unlock()
		t.enis[known.name] = known
	}
	t.lastENI, t.lastID = known.name, known.id
	return known.id
}

// addr encodes an address: IPv4 as its bits, IPv6 as an interned id;
// absent (nil) or "-" as none.
func (t *adder) addr(b []byte) (uint32, uint8, bool) {
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
	id, _ := t.t.encode(a)
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

// small packs the key's small fields and its packet addresses' mode as
// entry.small does.
func (k *key) small() uint32 {
	mode := uint32(pktApart)
	switch {
	case k.fam>>4 == addrNone:
		mode = pktNone
	case k.psrc == k.src && k.pdst == k.dst && k.fam>>4 == k.fam&0xf:
		mode = pktSame
	}
	return k.port | uint32(k.proto)<<17 | uint32(k.action)<<26 | uint32(k.dir)<<28 | mode<<30
}

func (k *key) hash() uint64 {
	a := uint64(k.eni)<<32 | uint64(k.src)
	b := uint64(k.dst)<<32 | uint64(k.port)
	c := uint64(k.epoch)<<32 | uint64(k.dir)<<24 | uint64(k.proto)<<16 | uint64(k.action)<<8 | uint64(k.fam)
	d := uint64(k.psrc)<<32 | uint64(k.pdst)
	return mix(mix(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db), mix(c^0x8ebc6af09c88c6e3, d^0x589965cc75374cc3))
}

// keyOf is entry i's key.
func (sh *shard) keyOf(i int, e *entry) key {
	k := key{eni: e.eni, src: e.src, dst: e.dst, fam: e.fam, epoch: e.epoch, port: e.small & (1<<17 - 1),
		proto: uint16(e.small >> 17 & (1<<9 - 1)), action: uint8(e.small >> 26 & 3), dir: uint8(e.small >> 28 & 3)}
	switch e.small >> 30 {
	case pktSame:
		k.psrc, k.pdst = e.src, e.dst
	case pktApart:
		p := sh.pkt[uint32(i)]
		k.psrc, k.pdst = p[0], p[1]
	}
	return k
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// Chunks double from 1<<firstChunkBits entries up to 1<<chunkBits, then
// stay at that size: a small table stays small across its shards, and no entry
// ever moves. smallRoom is what the doubling chunks hold.
const (
	firstChunkBits = 6
	smallChunks    = chunkBits - firstChunkBits
	smallRoom      = 1<<chunkBits - 1<<firstChunkBits
)

func (sh *shard) at(i int) *entry {
	if i < smallRoom {
		c := bits.Len(uint(i>>firstChunkBits+1)) - 1
		return &sh.chunks[c][i-(1<<(c+firstChunkBits)-1<<firstChunkBits)]
	}
	i -= smallRoom
	return &sh.chunks[smallChunks+i>>chunkBits][i&(1<<chunkBits-1)]
}

// fold adds c to k's tuple, adding the tuple when new.
func (t *Table) fold(k *key, c *counts) {
	h := k.hash()
	sh := &t.shards[h>>(64-shardBits)] // the top bits pick the shard, the low ones the slot
	sh.mu.Lock()
	i := sh.find(h, k)
	e := sh.at(i)
	if c.count > math.MaxUint32-uint64(e.count) {
		if sh.bigCount == nil {
			sh.bigCount = map[uint32]uint64{}
		}
		sh.bigCount[uint32(i)] += uint64(e.count) + c.count
		e.count = 0
	} else {
		e.count += uint32(c.count)
	}
	e.packets += c.packets
	e.bytes += c.bytes
	e.flags |= c.flags
	e.start = min(e.start, c.start)
	e.end = max(e.end, c.end)
	sh.mu.Unlock()
}

// find returns the index of k's entry, adding it (counts zero) when new.
func (sh *shard) find(h uint64, k *key) int {
	small := k.small()
	tag := h >> 32 << 32
	mask := uint64(len(sh.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := sh.slots[i]
		if s == 0 {
			break
		}
		if s&^(1<<32-1) == tag {
			idx := int(uint32(s)) - 1
			e := sh.at(idx)
			if e.eni == k.eni && e.src == k.src && e.dst == k.dst && e.small == small && e.fam == k.fam && e.epoch == k.epoch &&
				(small>>30 != pktApart || sh.pkt[uint32(idx)] == [2]uint32{k.psrc, k.pdst}) {
				return idx
			}
		}
	}
	if (sh.n+1)*4 > len(sh.slots)*3 {
		sh.grow()
	}
	idx := sh.n
	if idx == sh.room() {
		sh.addRoom()
	}
	*sh.at(idx) = entry{eni: k.eni, src: k.src, dst: k.dst, small: small, fam: k.fam, epoch: k.epoch, start: noStart}
	if small>>30 == pktApart {
		if sh.pkt == nil {
			sh.pkt = map[uint32][2]uint32{}
		}
		sh.pkt[uint32(idx)] = [2]uint32{k.psrc, k.pdst}
	}
	sh.n++
	sh.place(h, idx)
	return idx
}

// room is the entries the chunks hold.
func (sh *shard) room() int {
	n := 0
	for _, c := range sh.chunks {
		n += len(c)
	}
	return n
}

// addRoom adds the next chunk: twice the last, up to 1<<chunkBits.
func (sh *shard) addRoom() {
	size := 1 << firstChunkBits
	if len(sh.chunks) > 0 {
		size = min(2*len(sh.chunks[len(sh.chunks)-1]), 1<<chunkBits)
	}
	sh.chunks = append(sh.chunks, make([]entry, size))
}

func (sh *shard) place(h uint64, idx int) {
	mask := uint64(len(sh.slots) - 1)
	i := h & mask
	for sh.slots[i] != 0 {
		i = (i + 1) & mask
	}
	sh.slots[i] = h>>32<<32 | uint64(idx+1)
}

func (sh *shard) grow() {
	old := sh.slots
	sh.slots = make([]uint64, 2*len(old))
	for _, s := range old {
		if s != 0 {
			idx := int(uint32(s)) - 1
			k := sh.keyOf(idx, sh.at(idx))
			sh.place(k.hash(), idx)
		}
	}
}

// AddTuple folds an aggregated tuple in (a row of a query that aggregated
// records elsewhere, as Athena does): what Add would have made of the
// records it sums. Its numbers must be in the ranges Tuple documents.
func (t *Table) AddTuple(tu Tuple) {
	t.mu.Lock()
	eni := t.enis.id(tu.InterfaceID)
	t.mu.Unlock()
	k := key{eni: eni, port: noPort, proto: noProto, dir: uint8(tu.FlowDirection)}
	c := counts{count: uint64(tu.Count), packets: uint64(tu.Packets), bytes: uint64(tu.Bytes), flags: uint8(tu.TCPFlags), start: noStart}
	var kind uint8
	k.src, k.fam = t.encode(tu.SrcAddr)
	k.dst, kind = t.encode(tu.DstAddr)
	k.fam |= kind << 2
	k.psrc, kind = t.encode(tu.PktSrcAddr)
	k.fam |= kind << 4
	k.pdst, kind = t.encode(tu.PktDstAddr)
	k.fam |= kind << 6
	if tu.DstPort >= 0 {
		k.port = uint32(tu.DstPort)
	}
	if tu.Protocol >= 0 {
		k.proto = uint16(tu.Protocol)
	}
	k.action = uint8(slices.Index(actionNames[:], tu.Action))
	if tu.Start >= 0 {
		c.start, c.end = uint32(tu.Start), uint32(max(tu.End, 0))
	}
	k.epoch = t.epochOf(c.start)
	t.fold(&k, &c)
}

// encode is addr for a parsed address.
func (t *Table) encode(a netip.Addr) (uint32, uint8) {
	switch {
	case !a.IsValid():
		return 0, addrNone
	case a.Is4():
		b := a.As4()
		return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), addrV4
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.v6.id(a), addrV6
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

func (t *Table) tuple(sh *shard, i int) Tuple {
	e := sh.at(i)
	k := sh.keyOf(i, e)
	tu := Tuple{
		InterfaceID:   t.enis.vals[k.eni],
		SrcAddr:       t.address(k.fam&3, k.src),
		DstAddr:       t.address(k.fam>>2&3, k.dst),
		DstPort:       int(k.port),
		Protocol:      int(k.proto),
		Action:        actionNames[k.action],
		FlowDirection: Direction(k.dir),
		PktSrcAddr:    t.address(k.fam>>4&3, k.psrc),
		PktDstAddr:    t.address(k.fam>>6, k.pdst),
		Count:         int64(uint64(e.count) + sh.bigCount[uint32(i)]),
		Packets:       int64(e.packets),
		Bytes:         int64(e.bytes),
		TCPFlags:      int(e.flags),
		Start:         int64(e.start),
		End:           int64(e.end),
	}
	if k.port == noPort {
		tu.DstPort = -1
	}
	if k.proto == noProto {
		tu.Protocol = -1
	}
	if e.start == noStart {
		tu.Start, tu.End = -1, -1
	}
	return tu
}

// Each calls fn for every tuple, shard by shard in the order they were
// first seen (which, after a parallel Aggregate, depends on scheduling; use
// Sorted for a stable order).
func (t *Table) Each(fn func(Tuple)) {
	for s := range t.shards {
		sh := &t.shards[s]
		for i := 0; i < sh.n; i++ {
			fn(t.tuple(sh, i))
		}
	}
}

// Sorted is every tuple in key order: interface, source, destination,
// port, protocol, action, direction, packet source, packet destination.
func (t *Table) Sorted() []Tuple {
	out := make([]Tuple, 0, t.Len())
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

// Source is one stream of records: a file, an S3 object, a log group's
// events. Open is called once, by the worker that reads it.
type Source struct {
	Name string // in errors, with the line
	Open func() (io.ReadCloser, error)
}

// FileSources are the files as sources.
func FileSources(paths []string) []Source {
	out := make([]Source, len(paths))
	for i, p := range paths {
		out[i] = Source{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }}
	}
	return out
}

// AggregateFiles is Aggregate of the files, every record.
func AggregateFiles(paths []string, format *Format, workers int, splitAt ...int64) (Result, error) {
	return Aggregate(FileSources(paths), format, Window{}, workers, splitAt...)
}

// Aggregate reads the sources with up to workers goroutines (one source
// each at a time) into one Table. format is the
// format of headerless sources (nil: DefaultFormat); records outside w are
// counted and skipped. Every source's errors are returned together, in the
// order of sources, alongside what could be read. Tuples are split at the
// times splitAt gives (Table.SplitAt).
func Aggregate(sources []Source, format *Format, window Window, workers int, splitAt ...int64) (Result, error) {
	workers = max(1, min(workers, len(sources)))
	type done struct {
		stats Stats
		errs  []error
	}
	results := make([]done, len(sources))
	table := NewTable()
	table.SplitAt(splitAt)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				results[i].stats, results[i].errs = aggregateSource(table, sources[i], format, window)
			}
		})
	}
	for i := range sources {
		next <- i
	}
	close(next)
	wg.Wait()
	res := Result{Table: table, Files: len(sources)}
	var errs []error
	for _, r := range results {
		res.Stats.Add(r.stats)
		errs = append(errs, r.errs...)
	}
	return res, errors.Join(errs...)
}

func aggregateSource(t *Table, src Source, format *Format, w Window) (Stats, []error) {
	r, err := src.Open()
	if err != nil {
		return Stats{}, []error{&LineError{File: src.Name, Msg: err.Error()}}
	}
	defer r.Close()
	s := NewScanner(src.Name, r, format)
	s.SetWindow(w)
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
