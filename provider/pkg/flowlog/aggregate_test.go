package flowlog

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		filepath.Join(dir, "missing.log"),
	}
	res, err := AggregateFiles(paths, nil, 2)
	require.Error(t, err)
	for _, w := range []string{
		`one.log:1: dstaddr "10.0.0.256" is not an IP address`,
		`two.log:1: action "DROP" is not ACCEPT or REJECT`,
		`three.log:1: format "version srcaddr dstaddr" lacks [interface-id dstport protocol action]: records to read here must have [interface-id srcaddr dstaddr dstport protocol action]`,
		`missing.log: open`,
	} {
		assert.Contains(t, err.Error(), w)
	}
	assert.Equal(t, 1, res.Table.Len())
	assert.Equal(t, int64(2), res.Stats.Bad)
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

// Folding a record allocates nothing once its tuple exists.
func TestAddRecordAllocations(t *testing.T) {
	text := strings.Repeat("2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 1 1 ACCEPT OK\n", 1000)
	tab := NewTable()
	allocs := testing.AllocsPerRun(5, func() {
		s := NewScanner("x", strings.NewReader(text), nil)
		tab.Add(s)
		require.NoError(t, s.Err())
	})
	// The scanner's own buffer and bookkeeping, not per record.
	assert.Less(t, allocs, 10.0)
	assert.Equal(t, 1, tab.Len())
}
