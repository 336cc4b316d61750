package flowgen

import (
	"bytes"
	"encoding/csv"
	"os/exec"
	"slices"
	"strings"
	"testing"

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
