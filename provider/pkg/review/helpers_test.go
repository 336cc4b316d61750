package review_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

var service = reference.Service

func build(t *testing.T, m spec.Mesh) *plan.Plan {
	t.Helper()
	p, err := plan.Build(m)
	require.NoError(t, err)
	return p
}

// planned plans a declaration the guardrails may refuse: its flows are
// resolved all the same (only validation errors leave none).
func planned(t *testing.T, m spec.Mesh) *plan.Plan {
	t.Helper()
	p, _ := plan.Build(m)
	require.NotEmpty(t, p.Flows, "validation failed: %v", p.Findings)
	return p
}
