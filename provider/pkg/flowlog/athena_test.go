package flowlog

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAthenaSQL(t *testing.T) {
	v2, err := ParseFormat("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")
	require.NoError(t, err)
	noStart, err := ParseFormat("interface-id srcaddr dstaddr dstport protocol action")
	require.NoError(t, err)
	day := Window{Since: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name, table string
		format      Format
		window      Window
		want        string // the query, or the error
	}{
		{"the default format over one day: no middlebox columns, the day's partition hinted", "flows.vpc_flow_logs", v2, day, `-- servicemesh: VPC flow-log records aggregated to tuples; save the result as CSV and read it with --athena-csv
SELECT
  "interface_id" AS "interface_id",
  "srcaddr" AS "srcaddr",
  "dstaddr" AS "dstaddr",
  "dstport" AS "dstport",
  "protocol" AS "protocol",
  "action" AS "action",
  CAST(NULL AS varchar) AS "flow_direction",
  CAST(NULL AS varchar) AS "pkt_srcaddr",
  CAST(NULL AS varchar) AS "pkt_dstaddr",
  count(*) AS "records",
  coalesce(sum("packets"), 0) AS "packets",
  coalesce(sum("bytes"), 0) AS "bytes",
  0 AS "tcp_flags",
  min("start") AS "first_start",
  max("end") AS "last_end"
FROM "flows"."vpc_flow_logs"
WHERE "log_status" = 'OK'
  AND "start" >= 1795737600
  AND "start" < 1795824000
-- on a table partitioned by day, add the partition's bounds so Athena reads only those days, e.g.
--   AND "date" BETWEEN DATE '2026-11-27' AND DATE '2026-11-28'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
`},
		{"the guide's table, no window, no WHERE but log-status", "vpc_flow_logs", AthenaTableFormat, Window{}, `-- servicemesh: VPC flow-log records aggregated to tuples; save the result as CSV and read it with --athena-csv
SELECT
  "interface_id" AS "interface_id",
  "srcaddr" AS "srcaddr",
  "dstaddr" AS "dstaddr",
  "dstport" AS "dstport",
  "protocol" AS "protocol",
  "action" AS "action",
  "flow_direction" AS "flow_direction",
  "pkt_srcaddr" AS "pkt_srcaddr",
  "pkt_dstaddr" AS "pkt_dstaddr",
  count(*) AS "records",
  coalesce(sum("packets"), 0) AS "packets",
  coalesce(sum("bytes"), 0) AS "bytes",
  coalesce(bitwise_or_agg("tcp_flags"), 0) AS "tcp_flags",
  min("start") AS "first_start",
  max("end") AS "last_end"
FROM "vpc_flow_logs"
WHERE "log_status" = 'OK'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
`},
		{"every problem at once", "db.flows; DROP TABLE x", noStart, Window{Since: day.Since},
			`table "db.flows; DROP TABLE x" is not an Athena table name ([catalog.][database.]table of letters, digits, _ and -); format "interface-id srcaddr dstaddr dstport protocol action" lacks [start], which the query needs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AthenaSQL(tt.table, tt.format, tt.window)
			if err != nil {
				got = err.Error()
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// Athena's CSV (quoted values, NULL as nothing, "-" kept in string
// columns) folds into the tuples the rows describe; rows of the same key
// (an IPv6 address Athena grouped by its spelling) are one tuple; bad rows
// are named by file and line, all of them, and not folded in.
func TestAggregateTupleCSV(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	const header = `"interface_id","srcaddr","dstaddr","dstport","protocol","action","flow_direction","pkt_srcaddr","pkt_dstaddr","records","packets","bytes","tcp_flags","first_start","last_end"` + "\n"
	good := write("good.csv", header+
		`"eni-a","10.0.1.10","10.0.2.20","7200","6","ACCEPT","ingress","10.0.1.10","10.0.2.20","3","17","5480","27","1699999990","1700000120"`+"\n"+
		`"eni-b","2001:db8::1","2001:db8::2","22","6","REJECT","-","-","-","1","1","60","0","1700000000","1700000001"`+"\n"+
		`"eni-b","2001:0db8::1","2001:db8::2","22","6","REJECT","-","-","-","1","1","60","2","1700000005","1700000006"`+"\n"+
		`"eni-c","-","-",,,"-",,,,"2","0","0","0",,`+"\n")
	// servicemesh flows --csv: other column order is fine too.
	reordered := write("reordered.csv", "records,interface_id,srcaddr,dstaddr,dstport,protocol,action,flow_direction,pkt_srcaddr,pkt_dstaddr,packets,bytes,tcp_flags,first_start,last_end\n"+
		"1,eni-a,10.0.1.10,10.0.2.20,7200,6,ACCEPT,ingress,10.0.1.10,10.0.2.20,1,1,16,1700000200,1700000260\n")
	ip := netip.MustParseAddr
	want := []Tuple{
		{InterfaceID: "eni-a", SrcAddr: ip("10.0.1.10"), DstAddr: ip("10.0.2.20"), DstPort: 7200, Protocol: 6, Action: "ACCEPT", FlowDirection: Ingress,
			PktSrcAddr: ip("10.0.1.10"), PktDstAddr: ip("10.0.2.20"), Count: 4, Packets: 18, Bytes: 5481, TCPFlags: 27 | 16, Start: 1699999990, End: 1700000260},
		{InterfaceID: "eni-b", SrcAddr: ip("2001:db8::1"), DstAddr: ip("2001:db8::2"), DstPort: 22, Protocol: 6, Action: "REJECT",
			Count: 2, Packets: 2, Bytes: 120, TCPFlags: 2, Start: 1700000000, End: 1700000006},
		{InterfaceID: "eni-c", DstPort: -1, Protocol: -1, Count: 2, Start: -1, End: -1},
	}
	res, err := AggregateTupleCSV([]string{good, reordered})
	require.NoError(t, err)
	assert.Equal(t, want, res.Table.Sorted())
	assert.Equal(t, Stats{Lines: 7, Records: 8}, res.Stats)

	bad := write("bad.csv", header+
		`"eni-a","10.0.1.300","10.0.2.20","7200","6","ACCEPT","ingress","","","1","1","1","0","1","2"`+"\n"+
		`"eni-a","10.0.1.3","10.0.2.20","72000","6","ACCEPT","ingress","","","1","1","1","0","1","2"`+"\n"+
		`"eni-a","10.0.1.3","10.0.2.20","7200","6","DROP","inbound","","","1","1","1","0","1","2"`+"\n"+
		`"eni-a","10.0.1.3"`+"\n"+
		`"eni-a","10.0.1.3","10.0.2.20","7200","6","ACCEPT","egress","","","1","1","1","0","1","2"`+"\n")
	noHeader := write("flows.log", "2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 1 1 ACCEPT OK\n")
	res, err = AggregateTupleCSV([]string{bad, noHeader, filepath.Join(dir, "missing.csv")})
	require.Error(t, err)
	msg := err.Error()
	for _, w := range []string{
		`bad.csv:2: srcaddr "10.0.1.300" is not an IP address`,
		`bad.csv:3: dstport "72000" is not a number from 0 to 65535`,
		`bad.csv:4: action "DROP" is not ACCEPT or REJECT`,
		`bad.csv:5: 2 columns, but the header has 15`,
		`flows.log:1: the header lacks interface_id, srcaddr, dstaddr,`,
		`missing.csv: open`,
	} {
		assert.Contains(t, msg, w)
	}
	assert.Equal(t, 1, res.Table.Len(), "the one good row")
	assert.Equal(t, int64(4), res.Stats.Bad)
}

// A window keeps the records that start in [Since, Until), counts the rest
// (a record without start among them), hands out a record whose start is
// not a number so that its reader reports it, and needs a format with start.
func TestScannerWindow(t *testing.T) {
	text := "2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 99 150 ACCEPT OK\n" +
		"2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 100 150 ACCEPT OK\n" +
		"2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 199 250 ACCEPT OK\n" +
		"2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 200 250 ACCEPT OK\n" +
		"2 1 eni-1 - - - - - - - 150 210 - NODATA\n" +
		"2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 - 250 ACCEPT OK\n" +
		"2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 x 250 ACCEPT OK\n"
	tests := []struct {
		name          string
		window        Window
		kept, outside int64
	}{
		{"closed", Window{Since: time.Unix(100, 0), Until: time.Unix(200, 0)}, 3, 3},
		{"open at the end", Window{Since: time.Unix(100, 0)}, 4, 2},
		{"open at the start", Window{Until: time.Unix(200, 0)}, 4, 2},
		{"open", Window{}, 6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScanner("w.log", strings.NewReader(text), nil)
			s.SetWindow(tt.window)
			for s.Next() {
			}
			require.NoError(t, s.Err())
			assert.Equal(t, Stats{Lines: 7, Records: tt.kept, Outside: tt.outside, NoData: 1}, s.Stats())
		})
	}
	res, err := Aggregate([]Source{{Name: "w.log", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(text)), nil }}},
		nil, tests[0].window, 1)
	assert.EqualError(t, err, `w.log:7: start "x" is not a Unix time before 2106`)
	assert.Equal(t, int64(2), res.Stats.Records, "the two in the window, not the bad one")
	s := NewScanner("nostart.log", strings.NewReader("interface-id srcaddr\neni-1 10.0.0.1\n"), nil)
	s.SetWindow(Window{Since: time.Unix(1, 0)})
	assert.False(t, s.Next())
	assert.EqualError(t, s.Err(), `nostart.log:1: format "interface-id srcaddr" lacks [start]: records to read here must have [start]`)
}
