package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// TestCatalogue breaks the reference architecture in each way of badInputs
// and pins the exact errors a user sees: service, rule, problem and fix.
func TestCatalogue(t *testing.T) {
	require.GreaterOrEqual(t, len(badInputs), 40)
	require.Len(t, catalogue, len(badInputs), "every bad input has its expected findings")
	for _, c := range badInputs {
		t.Run(c.name, func(t *testing.T) {
			m := reference.Mesh()
			c.change(&m)
			_, err := plan.Build(m)
			var fe *finding.Errors
			require.ErrorAs(t, err, &fe)
			var got []string
			for _, f := range fe.Findings {
				got = append(got, f.String())
			}
			assert.Equal(t, catalogue[c.name], got)
		})
	}
}
