package flowlog

import (
	"cmp"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Records folded into tuples, sums and bounds worked out by hand: the SYN and
// the SYN-ACK of one connection are two tuples (their ports differ), the
// NODATA record is no tuple, an IPv6 address spelt two ways is one address.
func TestAggregateTuples(t *testing.T) {
	const header = "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status"
	fileA := header + "\n" +
		"5 eni-a 10.0.1.10 10.0.2.20 40000 7200 6 3 180 1700000000 1700000060 ACCEPT 2 OK\n" +
		"5 eni-a 10.0.2.20 10.0.1.10 7200 40000 6 2 120 1700000000 1700000060 ACCEPT 18 OK\n" +
		"5 eni-a - - - - - - - 1700000000 1700000060 - - NODATA\n" +
		"5 eni-a 10.0.1.10 10.0.2.20 40002 7200 6 10 5000 1700000060 1700000120 ACCEPT 24 OK\n"
	fileB := header + "\n" +
		"5 eni-a 10.0.1.10 10.0.2.20 40004 7200 6 4 300 1699999990 1700000050 ACCEPT 1 OK\n" +
		"5 eni-b 2001:db8::1 2001:db8:0:0::2 5555 22 6 1 60 1700000000 1700000001 REJECT 2 OK\n" +
		"5 eni-b 2001:0db8::1 2001:db8::2 5556 22 6 1 60 1700000005 1700000006 REJECT 2 OK\n"
	dir := t.TempDir()
	var paths []string
	for name, text := range map[string]string{"a.log": fileA, "b.log.gz": string(gz(t, fileB))} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		paths = append(paths, p)
	}
	ip := netip.MustParseAddr
	want := []Tuple{
		{InterfaceID: "eni-a", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.2.20"), DstPort: 7200, Protocol: 6, Action: "ACCEPT",
			Count: 3, Packets: 17, Bytes: 5480, TCPFlags: 2 | 24 | 1, Start: 1699999990, End: 1700000120},
		{InterfaceID: "eni-a", SrcAddr: ip("10.0.2.20"), DstAddr: ip("10.0.1.10"), DstPort: 40000, Protocol: 6, Action: "ACCEPT",
			Count: 1, Packets: 2, Bytes: 120, TCPFlags: 18, Start: 1700000000, End: 1700000060},
		{InterfaceID: "eni-b", SrcAddr: ip("2001:db8::1"), DstAddr: ip("2001:db8::2"), DstPort: 22, Protocol: 6, Action: "REJECT",
			Count: 2, Packets: 2, Bytes: 120, TCPFlags: 2, Start: 1700000000, End: 1700000006},
	}
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(workers, " workers"), func(t *testing.T) {
			res, err := AggregateFiles(paths, nil, workers)
			require.NoError(t, err)
			assert.Equal(t, want, res.Table.Sorted())
			assert.Equal(t, Stats{Lines: 9, Records: 6, NoData: 1}, res.Stats)
		})
	}
}

// Bad records of every file are reported together, each naming file and
// line, and are not folded in.
func TestAggregateErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	paths := []string{
		write("one.log", "2 1 eni-1 10.0.0.1 10.0.0.256 1 22 6 1 1 1 1 ACCEPT OK\n2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 1 1 ACCEPT OK\n"),
		write("two.log", "2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 1 1 DROP OK\n"),
		write("three.log", "version srcaddr dstaddr\n10.0.0.1 10.0.0.2\n"),
		write("four.log", "interface-id srcaddr dstaddr dstport protocol action flow-direction pkt-srcaddr\n"+
			"eni-1 10.0.0.1 10.0.0.2 22 6 ACCEPT inbound 10.0.0.1\neni-1 10.0.0.1 10.0.0.2 22 6 ACCEPT ingress 10.0.0.x\n"),
		filepath.Join(dir, "missing.log"),
	}
	res, err := AggregateFiles(paths, nil, 2)
	require.Error(t, err)
	for _, w := range []string{
		`one.log:1: dstaddr "10.0.0.256" is not an IP address`,
		`two.log:1: action "DROP" is not ACCEPT or REJECT`,
		`three.log:1: format "version srcaddr dstaddr" lacks [interface-id dstport protocol action]: records to read here must have [interface-id srcaddr dstaddr dstport protocol action]`,
		`four.log:2: flow-direction "inbound" is not ingress or egress`,
		`four.log:3: pkt-srcaddr "10.0.0.x" is not an IP address`,
		`missing.log: open`,
	} {
		assert.Contains(t, err.Error(), w)
	}
	assert.Equal(t, 1, res.Table.Len())
	assert.Equal(t, int64(4), res.Stats.Bad)
}

func TestParseIPv4(t *testing.T) {
	tests := []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"10.0.1.5", 10<<24 | 1<<8 | 5, true},
		{"255.255.255.255", 0xffffffff, true},
		{"0.0.0.0", 0, true},
		{"1.2.3", 0, false},
		{"1.2.3.4.5", 0, false},
		{"1.2.3.256", 0, false},
		{"01.2.3.4", 0, false},
		{"1..3.4", 0, false},
		{"1.2.3.", 0, false},
		{"2001:db8::1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseIPv4([]byte(tt.in))
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

// Folding a record allocates nothing once its tuple exists, with or without
// the middlebox fields (an IPv6 packet address included): a file of three
// times the records costs the same allocations, those of the scanner and
// of the file's caches.
func TestAddRecordAllocations(t *testing.T) {
	for _, tc := range []struct{ name, header, record string }{
		{"default format", "", "2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 1 1 ACCEPT OK"},
		{"v5 with middlebox fields", "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction pkt-srcaddr pkt-dstaddr",
			"5 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 1 1 ACCEPT OK egress 2001:db8::7 10.0.0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := NewTable()
			allocs := func(records int) float64 {
				data := strings.Repeat(tc.record+"\n", records)
				if tc.header != "" {
					data = tc.header + "\n" + data
				}
				return testing.AllocsPerRun(5, func() {
					s := NewScanner("x", strings.NewReader(data), nil)
					tab.Add(s)
					require.NoError(t, s.Err())
				})
			}
			few, many := allocs(1000), allocs(3000)
			assert.Equal(t, few, many, "allocations grow with the records")
			assert.Less(t, few, 20.0)
			assert.Equal(t, 1, tab.Len())
		})
	}
}

// Records that differ only in flow-direction or the packet addresses are
// different tuples (a NAT gateway's interface: one srcaddr, many original
// sources); a format without those fields groups by the six alone. IPv6
// packet addresses survive the merge of worker tables.
func TestAggregateMiddleboxKey(t *testing.T) {
	const v5 = "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction pkt-srcaddr pkt-dstaddr"
	files := map[string]string{
		"nat-1.log": v5 + "\n" +
			"5 eni-nat 10.0.0.220 203.0.113.5 40000 443 6 2 100 100 160 ACCEPT OK ingress 10.0.1.5 203.0.113.5\n" +
			"5 eni-nat 10.0.0.220 203.0.113.5 40001 443 6 3 200 110 170 ACCEPT OK ingress 10.0.1.6 203.0.113.5\n" +
			"5 eni-nat 10.0.0.220 203.0.113.5 40002 443 6 1 50 120 180 ACCEPT OK egress 10.0.1.5 203.0.113.5\n",
		"nat-2.log": v5 + "\n" +
			"5 eni-nat 10.0.0.220 203.0.113.5 40003 443 6 4 400 90 150 ACCEPT OK ingress 10.0.1.5 203.0.113.5\n" +
			"5 eni-v6 2001:db8::1 2001:db8::2 5000 80 6 1 60 100 101 ACCEPT OK - 2001:db8::9 -\n",
		"nat-3.log": v5 + "\n" +
			"5 eni-v6 2001:db8::1 2001:db8::2 5001 80 6 1 60 102 103 ACCEPT OK - 2001:db8:0::9 -\n",
		"v2.log": "2 1 eni-nat 10.0.0.220 203.0.113.5 40004 443 6 5 500 50 60 ACCEPT OK\n" +
			"2 1 eni-nat 10.0.0.220 203.0.113.5 40005 443 6 5 500 70 80 ACCEPT OK\n",
	}
	dir := t.TempDir()
	var paths []string
	for name, text := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		paths = append(paths, p)
	}
	ip := netip.MustParseAddr
	nat := func(dir Direction, pktSrc string, count, packets, bytes, start, end int64) Tuple {
		tu := Tuple{InterfaceID: "eni-nat", SrcAddr: ip("10.0.0.220"), DstAddr: ip("203.0.113.5"), DstPort: 443, Protocol: 6, Action: "ACCEPT",
			FlowDirection: dir, Count: count, Packets: packets, Bytes: bytes, Start: start, End: end}
		if pktSrc != "" {
			tu.PktSrcAddr, tu.PktDstAddr = ip(pktSrc), ip("203.0.113.5")
		}
		return tu
	}
	want := []Tuple{
		nat(NoDirection, "", 2, 10, 1000, 50, 80),
		nat(Ingress, "10.0.1.5", 2, 6, 500, 90, 160),
		nat(Ingress, "10.0.1.6", 1, 3, 200, 110, 170),
		nat(Egress, "10.0.1.5", 1, 1, 50, 120, 180),
		{InterfaceID: "eni-v6", SrcAddr: ip("2001:db8::1"), DstAddr: ip("2001:db8::2"), DstPort: 80, Protocol: 6, Action: "ACCEPT",
			PktSrcAddr: ip("2001:db8::9"), Count: 2, Packets: 2, Bytes: 120, Start: 100, End: 103},
	}
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprint(workers, " workers"), func(t *testing.T) {
			res, err := AggregateFiles(paths, nil, workers)
			require.NoError(t, err)
			assert.Equal(t, want, res.Table.Sorted())
		})
	}
}

// A shard past its first full chunk: chunks double from 64 entries to 64 K,
// then come at that size, and every entry is found again, in place, its
// packet addresses (apart for one in seven) surviving the slots' growth.
func TestShardGrowth(t *testing.T) {
	const n = 64 + 128 + 256 + 512 + 1024 + 2048 + 4096 + 8192 + 16384 + 32768 + 65536 + 5000
	keyOf := func(i int) key {
		k := key{src: uint32(i), dst: 7, fam: addrV4 | addrV4<<2 | addrV4<<4 | addrV4<<6, psrc: uint32(i), pdst: 7}
		if i%7 == 0 {
			k.psrc = uint32(i) + 1
		}
		return k
	}
	sh := &shard{slots: make([]uint64, 64)}
	for range 2 {
		for i := range n {
			k := keyOf(i)
			sh.at(sh.find(k.hash(), &k)).count++
		}
	}
	require.Equal(t, n, sh.n)
	var sizes []int
	for _, c := range sh.chunks {
		sizes = append(sizes, len(c))
	}
	assert.Equal(t, []int{64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 65536}, sizes)
	assert.Len(t, sh.pkt, (n+6)/7)
	for i := range n {
		e := sh.at(i)
		require.Equal(t, uint32(2), e.count, "entry %d", i)
		require.Equal(t, keyOf(i), sh.keyOf(i, e), "entry %d", i)
	}
	assert.Same(t, &sh.chunks[10][0], sh.at(64+128+256+512+1024+2048+4096+8192+16384+32768))
	assert.Same(t, &sh.chunks[11][4999], sh.at(n-1))
}

// A tuple's records past 2^32 (an Athena result over a long window) are
// counted, not wrapped.
func TestCountPastUint32(t *testing.T) {
	tab := NewTable()
	tu := Tuple{InterfaceID: "eni-1", SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("10.0.0.2"), DstPort: 53, Protocol: 17,
		Action: "ACCEPT", Count: 3_000_000_000, Packets: 3_000_000_000, Bytes: 1 << 40, Start: 1, End: 2}
	tab.AddTuple(tu)
	tab.AddTuple(tu)
	tab.AddTuple(Tuple{InterfaceID: "eni-1", SrcAddr: tu.SrcAddr, DstAddr: tu.DstAddr, DstPort: 53, Protocol: 17, Action: "ACCEPT", Count: 5, Start: -1, End: -1})
	want := tu
	want.Count, want.Packets, want.Bytes = 6_000_000_005, 6_000_000_000, 1<<41
	assert.Equal(t, []Tuple{want}, tab.Sorted())
}

// The entry is the 48 bytes BENCHMARKS.md counts per distinct tuple.
func TestEntrySize(t *testing.T) {
	assert.Equal(t, uintptr(48), unsafe.Sizeof(entry{}))
}

// SplitAt keeps apart records that start on different sides of a split
// time, whichever worker reads them; a record without a start stays before
// every split.
func TestAggregateSplitAt(t *testing.T) {
	const header = "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
	dir := t.TempDir()
	var paths []string
	for i, body := range []string{
		"5 eni-a 10.0.1.10 10.0.2.20 40000 7200 6 1 10 1000 1060 ACCEPT OK\n" +
			"5 eni-a 10.0.1.10 10.0.2.20 40001 7200 6 2 20 1999 2059 ACCEPT OK\n",
		"5 eni-a 10.0.1.10 10.0.2.20 40002 7200 6 4 40 2000 2060 ACCEPT OK\n" +
			"5 eni-a 10.0.1.10 10.0.2.20 40003 7200 6 8 80 3000 3060 ACCEPT OK\n" +
			"5 eni-a 10.0.1.10 10.0.2.20 40003 7200 6 16 160 - - ACCEPT OK\n",
	} {
		p := filepath.Join(dir, fmt.Sprintf("f%d.log", i))
		require.NoError(t, os.WriteFile(p, []byte(header+"\n"+body), 0o600))
		paths = append(paths, p)
	}
	type sums struct{ count, packets, start, end int64 }
	got := func(split ...int64) []sums {
		res, err := AggregateFiles(paths, nil, 2, split...)
		require.NoError(t, err)
		var out []sums
		for _, tu := range res.Table.Sorted() {
			out = append(out, sums{tu.Count, tu.Packets, tu.Start, tu.End})
		}
		slices.SortFunc(out, func(a, b sums) int { return cmp.Compare(a.start, b.start) })
		return out
	}
	assert.Equal(t, []sums{{5, 31, 1000, 3060}}, got())
	assert.Equal(t, []sums{{3, 19, 1000, 2059}, {2, 12, 2000, 3060}}, got(2000))
	assert.Equal(t, []sums{{3, 19, 1000, 2059}, {1, 4, 2000, 2060}, {1, 8, 3000, 3060}}, got(3000, 2000))
}
