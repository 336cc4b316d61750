package e2e

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Issue 18 item 6: two groups that reference each other (A→B and B→A, and
// egress: mirror adds the reverse on each caller) with revokeRulesOnDelete
// off, as every adopted group is. EC2 refuses each group's delete while the
// other's rule names it; had the rules been deleted with their groups
// (deletedWith), the engine would skip their deletes and destroy would fail
// with DependencyViolation once the delete timeout ran out (2s here, the
// harness's AWS_STANDIN_DELETE_TIMEOUT). The group-referencing rules are
// deleted first, so destroy empties the account.
func TestMutualReferencesDestroy(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	off := false
	m := spec.Mesh{
		RevokeRulesOnDelete: &off,
		Egress:              spec.EgressMirror,
		Tiers:               []spec.Tier{{Name: "app"}},
		Services: []spec.Service{
			{Name: "A", Tier: "app", Ingress: []spec.IngressRule{
				{Traffic: spec.Traffic{Ports: []int{443}}, From: spec.Peers{Services: []string{"B"}}},
				{Traffic: spec.Traffic{Ports: []int{22}}, From: spec.Peers{CidrBlocks: []string{"10.0.0.0/8"}}}}},
			{Name: "B", Tier: "app", Ingress: []spec.IngressRule{
				{Traffic: spec.Traffic{Ports: []int{443}}, From: spec.Peers{Services: []string{"A"}}}}},
		},
	}
	s := stackFor(t, ctx, e, filepath.Join(e.Dir, "mutual"), m)
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	// Hand-counted: each group's ingress from the other, each caller's
	// mirrored egress to the other, and A's SSH from 10.0.0.0/8.
	assert.ElementsMatch(t, []string{
		"mesh-A-ingress-tcp-443-sg_B", "mesh-B-ingress-tcp-443-sg_A",
		"mesh-A-egress-tcp-443-sg_B", "mesh-B-egress-tcp-443-sg_A",
		"mesh-A-ingress-tcp-22-10.0.0.0_8",
	}, slices.Collect(maps.Keys(StateIDs(ctx, t, s, ruleType))))
	for _, g := range e.Account(t).Groups {
		assert.False(t, g.RevokeRulesOnDelete, "%s keeps its rules on delete", g.Name)
	}
	requireStateIsTheAccount(ctx, t, e, s)

	gone, err := s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err, "destroy of groups that reference each other")
	assert.Equal(t, 2+2+5, (*gone.Summary.ResourceChanges)[string(apitype.OpDelete)], "stack, mesh, groups, rules")
	e.RequireEmptyAccount(t)
}
