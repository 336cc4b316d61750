package spec_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// revokeRulesOnDelete is on unless the declaration turns it off.
func TestRevokeRulesOnDeleteDefaultsOn(t *testing.T) {
	const base = "tiers: [{name: a}]\nservices: [{name: X, tier: a}]\n"
	for _, tt := range []struct {
		extra string
		want  bool
	}{{"", true}, {"revokeRulesOnDelete: true\n", true}, {"revokeRulesOnDelete: false\n", false}} {
		m, err := spec.Decode([]byte(base + tt.extra))
		require.NoError(t, err)
		assert.Equal(t, tt.want, m.RevokesRulesOnDelete(), tt.extra)
	}
}
