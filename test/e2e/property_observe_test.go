package e2e

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/flowgen"
)

// Observed traffic of the property test's meshes, offline: for each drawn
// mesh the ground-truth generator (test/flowgen) sends traffic of every
// declared ingress flow it can (not: an external group no interface
// carries, an IPv6 peer on a tier without IPv6, a protocol other than tcp
// and udp), through a NAT gateway, a secondary address, an interface reused
// between two snapshots and a default-format log too, and observe reads
// it back through the describe JSON and the flow-log files: the report
// equals the generator's truth rule by rule (every rule it sent traffic for
// hit, by each request that rule allows, the rest unused), and no accepted
// request is left unexplained.
func TestPropertyOfflineObserve(t *testing.T) {
	seed, n := propertySeed(t)
	hit := 0
	for i := range n {
		s := seed + uint64(i)
		t.Run(fmt.Sprintf("seed-%d", s), func(t *testing.T) {
			w := newWorld(t, s)
			m := w.mesh
			p, err := plan.Build(m)
			require.NoError(t, err)
			// Every mesh gets the middleboxes the reference has that need no
			// load balancer: a NAT gateway, a secondary address, an interface
			// reused by another service between the snapshots, a service
			// logging in the default format.
			o := flowgen.Options{Start: flowgen.ReferenceStart, Intervals: 12}
			if runs := flowgen.Runs(p); len(runs) > 0 {
				o.NAT, o.NATCaller, o.Secondary = true, runs[0], runs[0]
				if len(runs) > 1 {
					o.Reuse = &flowgen.Reuse{From: runs[0], To: runs[len(runs)-1]}
					o.DefaultFormat = []string{runs[1]}
				}
			}
			ds, err := flowgen.Generate(m, p, o)
			require.NoError(t, err)
			dir := t.TempDir()
			require.NoError(t, ds.WriteDir(dir))

			rep, err := flowgen.ObserveDir(dir, ds)
			require.NoError(t, err)
			flowgen.RequireTruth(t, ds.Truth, rep)
			assert.Zero(t, ds.Truth.Unexplained, "the generator sends declared flows only")
			for _, h := range ds.Truth.Rules {
				if len(h.Tuples) > 0 {
					hit++
				}
			}
			assert.Empty(t, rep.Rejected)
		})
	}
	assert.Positive(t, hit, "the drawn meshes had traffic")
}
