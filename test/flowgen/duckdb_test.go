package flowgen

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
)

// The streaming aggregation and DuckDB's GROUP BY over the same files return
// the same tuples, row for row: the benchmark compares like with like. The
// files carry flow-direction and the packet addresses, and some records
// differ from others only there, so both must group by them.
func TestAggregationMatchesDuckDB(t *testing.T) {
	python := DuckDBPython(t)
	paths, err := BenchFiles(t.TempDir(), BenchSpec{Files: 3, Records: 3000, Tuples: 2500, Seed: 7})
	require.NoError(t, err)

	res, err := flowlog.AggregateFiles(paths, nil, 2)
	require.NoError(t, err)
	var ours []string
	sixKeys := map[string]bool{}
	var egress int
	for _, tu := range res.Table.Sorted() {
		ours = append(ours, strings.Join(tu.CSV(), ","))
		sixKeys[strings.Join(tu.CSV()[:6], ",")] = true
		if tu.FlowDirection == flowlog.Egress {
			egress++
		}
	}
	assert.Less(t, len(sixKeys), len(ours), "some tuples differ only in their packet addresses")
	assert.Greater(t, egress, 0)

	var stdout, stderr bytes.Buffer
	cmd := exec.Command(python, append([]string{DuckDBScript(), "csv"}, paths...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	rows, err := csv.NewReader(&stdout).ReadAll()
	require.NoError(t, err)
	var theirs []string
	for _, r := range rows {
		theirs = append(theirs, strings.Join(r, ","))
	}
	slices.Sort(ours)
	slices.Sort(theirs)
	assert.Greater(t, len(ours), 2000) // most of the pool drawn: a real comparison
	assert.Equal(t, theirs, ours)
}

// The query `servicemesh flows --athena-sql` emits, run over the same files
// as a table with the Athena User Guide's column names and types (in DuckDB,
// standing in for Athena), and its CSV result read back, give the tuples the
// streaming path gives: the same records in the window, the same key, the
// same sums. A file of awkward records (NODATA, "-" values, an IPv6 address
// spelt two ways) rides along.
func TestAthenaSQLMatchesStreaming(t *testing.T) {
	python := DuckDBPython(t)
	dir := t.TempDir()
	paths, err := BenchFiles(dir, BenchSpec{Files: 3, Records: 2000, Tuples: 1500, Seed: 11})
	require.NoError(t, err)
	odd := filepath.Join(dir, "odd.log")
	require.NoError(t, os.WriteFile(odd, []byte(BenchHeader+"\n"+
		"5 111122223333 eni-0odd - - - - - - - 1795000100 1795000160 - NODATA - - - - - - - us-east-1 use1-az1 - - - - - -\n"+
		"5 111122223333 eni-0odd 2001:db8::1 2001:db8::2 5000 443 6 2 120 1795000100 1795000160 ACCEPT OK vpc-1 subnet-1 i-1 2 IPv6 2001:db8::1 2001:db8::2 us-east-1 use1-az1 - - - - ingress -\n"+
		"5 111122223333 eni-0odd 2001:0db8::1 2001:db8::2 5001 443 6 3 180 1795000200 1795000260 ACCEPT OK vpc-1 subnet-1 i-1 16 IPv6 2001:0db8:0::1 2001:db8::2 us-east-1 use1-az1 - - - - ingress -\n"+
		"5 111122223333 eni-0odd 10.0.0.1 10.0.0.2 1 22 6 1 40 1795000200 1795000260 REJECT OK - - - - IPv4 - - us-east-1 use1-az1 - - - - - -\n"), 0o644))
	paths = append(paths, odd)
	window := flowlog.Window{Since: time.Unix(1795000030, 0), Until: time.Unix(1795000630, 0)}

	stream, err := flowlog.Aggregate(flowlog.FileSources(paths), nil, window, 2)
	require.NoError(t, err)
	require.Greater(t, stream.Stats.Outside, int64(0), "the window cuts records out")
	require.Greater(t, stream.Stats.Records, int64(1000))

	sql, err := flowlog.AthenaSQL("vpc_flow_logs", flowlog.AthenaTableFormat, window)
	require.NoError(t, err)
	sqlFile := filepath.Join(dir, "query.sql")
	require.NoError(t, os.WriteFile(sqlFile, []byte(sql), 0o644))
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(python, append([]string{filepath.Join(root(), "test", "flowgen", "duckdb_athena.py"), sqlFile}, paths...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	result := filepath.Join(dir, "athena-result.csv")
	require.NoError(t, os.WriteFile(result, stdout.Bytes(), 0o644))
	require.True(t, strings.HasPrefix(stdout.String(), `"interface_id","srcaddr",`), "Athena's quoted header")

	athena, err := flowlog.AggregateTupleCSV([]string{result})
	require.NoError(t, err)
	assert.Equal(t, stream.Table.Sorted(), athena.Table.Sorted())
	assert.Equal(t, stream.Stats.Records, athena.Stats.Records)
}
