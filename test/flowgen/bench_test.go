package flowgen

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
)

// BenchmarkAggregateFiles: records per second through gunzip, split and
// fold, with few and with nearly all records distinct tuples. The 10-million
// record comparison with DuckDB is bench.py (BENCHMARKS.md).
func BenchmarkAggregateFiles(b *testing.B) {
	for _, tc := range []struct {
		name   string
		tuples uint64
	}{{"140k-tuple-pool", 140_000}, {"all-distinct", 1 << 60}} {
		b.Run(tc.name, func(b *testing.B) {
			const files, records = 2, 200_000
			paths, err := BenchFiles(b.TempDir(), BenchSpec{Files: files, Records: records, Tuples: tc.tuples, Seed: 3})
			require.NoError(b, err)
			var n int
			for b.Loop() {
				res, err := flowlog.AggregateFiles(paths, nil, runtime.GOMAXPROCS(0))
				require.NoError(b, err)
				n = res.Table.Len()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*files*records), "ns/record")
			b.ReportMetric(float64(n), "tuples")
		})
	}
}
