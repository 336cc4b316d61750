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

// Issue 20's collision rule through the engine: a newcomer whose content
// hashes to an existing entry's number (app's "ingress tcp/582 10.0.1.0/24"
// and "ingress udp/1024-65535 ::/0" both hash to 18741, and the newcomer
// sorts first) takes neither it nor any number an existing rule holds. Before
// the fix the newcomer took 18741 and its create met the old rule still
// holding it: NetworkAclEntryAlreadyExists.
func TestNetworkACLNumberContestThroughTheEngine(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	dir := filepath.Join(e.Dir, "nacl-contest")
	s := stackFor(t, ctx, e, dir, withNetworkACLs())
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	held := map[bool]map[int]bool{false: {}, true: {}}
	for _, en := range e.Account(t).ACLEntries {
		held[en.Egress][en.Number] = true
	}
	require.True(t, held[false][18741], "the existing udp ::/0 entry holds 18741")

	m := withNetworkACLs()
	m.Services = append(m.Services, spec.Service{Name: "Ledger", Tier: "app",
		Ingress: []spec.IngressRule{{Traffic: spec.Traffic{Ports: []int{582}}, From: spec.Peers{Services: []string{"FrontEnd-Web"}}}}})
	s = stackFor(t, ctx, e, dir, m)
	c, err := Up(ctx, s)
	require.NoError(t, err, "the contesting newcomer's up must not collide")
	assert.Equal(t, []string{"mesh-nacl-app-in-tcp-582-10.0.1.0_24"}, aclRules(c.With(apitype.OpCreate)))
	assert.Equal(t, []string{"mesh-nacl-app-in-udp-1024-65535-.._0"}, aclRules(c.With(apitype.OpReplace)),
		"the contested entry moves to its fallback number, created before the old rule is deleted")
	for _, en := range e.Account(t).ACLEntries {
		if en.From == 582 || (en.Protocol == "17" && en.CIDR == "::/0" && !en.Egress) {
			assert.GreaterOrEqual(t, en.Number, 32700, "a contender's number is in the fallback range")
			assert.False(t, held[en.Egress][en.Number], "no contender takes a number held before the up")
		}
	}

	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err)
	e.RequireEmptyAccount(t)
}
