package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// withNetworkACLs is the reference architecture with a subnet per tier and
// network ACLs enabled.
func withNetworkACLs() spec.Mesh {
	m := reference.Mesh()
	m.NetworkAcls = &spec.NetworkAcls{Enabled: true}
	m.Tiers = slices.Clone(m.Tiers)
	for i := range m.Tiers {
		m.Tiers[i].SubnetIDs = []string{"subnet-" + m.Tiers[i].Name}
	}
	return m
}

// aclRules keeps the network ACL rules among resource names.
func aclRules(urns []string) []string {
	return slices.DeleteFunc(names(urns), func(n string) bool { return !strings.HasPrefix(n, "mesh-nacl-") || strings.Count(n, "-") < 4 })
}

// Issue 20's engine checks: both layers within quota; a service inserted in
// the middle changes no existing ACL rule; a changed port replaces exactly
// its rules, create-first, without NetworkAclEntryAlreadyExists.
func TestNetworkACLsThroughTheEngine(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	dir := filepath.Join(e.Dir, "nacl")
	m := withNetworkACLs()
	s := stackFor(t, ctx, e, dir, m)
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up of the reference architecture with network ACLs")
	acct := e.Account(t)
	assert.Len(t, acct.NetworkACLs, 4, "one ACL per tier")
	for _, tier := range []string{"dmz", "web", "app", "data"} {
		assert.Equal(t, []string{"subnet-" + tier}, acct.SubnetsOf(StateIDs(ctx, t, s, "aws:ec2/networkAcl:NetworkAcl")["mesh-nacl-"+tier]))
	}

	// A service inserted in the middle: its one new entry, nothing else.
	inserted := withNetworkACLs()
	inserted.Services = slices.Insert(inserted.Services, 3, spec.Service{Name: "Bastion", Tier: "dmz",
		Ingress: []spec.IngressRule{{Traffic: spec.Traffic{Ports: []int{22}}, From: spec.Peers{Networks: []string{"office"}}}}})
	c, err := Preview(ctx, stackFor(t, ctx, e, dir, inserted))
	require.NoError(t, err)
	assert.Equal(t, []string{"mesh-nacl-dmz-in-tcp-22-203.0.113.0_24"}, aclRules(c.With(apitype.OpCreate)))
	for _, op := range []apitype.OpType{apitype.OpDelete, apitype.OpUpdate, apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpDeleteReplaced} {
		assert.Empty(t, aclRules(c.With(op)), "no existing ACL rule may be %s", op)
	}

	// Graphite's dashboard moves from 80 to 81: app's one entry for it
	// changes; up succeeds, so no number collided.
	changed := withNetworkACLs()
	serviceNamed(&changed, "Graphite").Ingress[2].Ports = []int{81, 443}
	s = stackFor(t, ctx, e, dir, changed)
	c, err = Up(ctx, s)
	require.NoError(t, err, "a changed port must not collide with its predecessor")
	assert.Equal(t, []string{"mesh-nacl-app-in-tcp-81-203.0.113.0_24"}, aclRules(c.With(apitype.OpCreate)))
	assert.Equal(t, []string{"mesh-nacl-app-in-tcp-80-203.0.113.0_24"}, aclRules(c.With(apitype.OpDelete)))

	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err)
	assert.Empty(t, e.Account(t).NetworkACLs)
	e.RequireEmptyAccount(t)
}
