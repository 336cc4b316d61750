package plan_test

import (
	"fmt"
	"testing"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// BenchmarkBuild plans meshes of 10, 100 and 1,000 services (about 10 rules
// each). Target (BENCHMARKS.md): 10,000 rules in at most 40 ms and 40 MB, and
// cost linear in size.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		m := reference.Synthetic(n)
		p, err := plan.Build(m)
		if err != nil {
			b.Fatalf("synthetic mesh of %d services does not plan: %v", n, err)
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(p.Rules)), "rules")
			for b.Loop() {
				if _, err := plan.Build(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
