package e2e

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// small is a two-service mesh: API reachable from the office, DB from API,
// both allowed all egress (IPv4 and IPv6): 2 groups and 6 rules.
func small() spec.Mesh {
	return spec.Mesh{
		Tiers:    []spec.Tier{{Name: "app"}, {Name: "data"}},
		Networks: []spec.Network{{Name: "office", CidrBlocks: []string{"203.0.113.0/24"}}},
		Services: []spec.Service{
			{Name: "API", Tier: "app", Ingress: []spec.IngressRule{
				{Traffic: spec.Traffic{Ports: []int{443}}, From: spec.Peers{Networks: []string{"office"}}}}},
			{Name: "DB", Tier: "data", Ingress: []spec.IngressRule{
				{Traffic: spec.Traffic{Ports: []int{5432}}, From: spec.Peers{Services: []string{"API"}}}}},
		},
	}
}

var smallRules = []string{
	"mesh-API-egress-all-.._0", "mesh-API-egress-all-0.0.0.0_0", "mesh-API-ingress-tcp-443-203.0.113.0_24",
	"mesh-DB-egress-all-.._0", "mesh-DB-egress-all-0.0.0.0_0", "mesh-DB-ingress-tcp-5432-sg_API",
}

// requireStateIsTheAccount fails unless the stack's state records exactly
// the groups and rules the stand-in's account holds, by id.
func requireStateIsTheAccount(ctx context.Context, t *testing.T, e *Engine, s auto.Stack) {
	t.Helper()
	acct := e.Account(t)
	groups, rules := StateIDs(ctx, t, s, groupType), StateIDs(ctx, t, s, ruleType)
	assert.ElementsMatch(t, slices.Collect(maps.Keys(acct.Groups)), slices.Collect(maps.Values(groups)), "groups: state %v", groups)
	assert.ElementsMatch(t, slices.Collect(maps.Keys(acct.Rules)), slices.Collect(maps.Values(rules)), "rules: state %v", rules)
}

// A group still attached to a network interface cannot be deleted: destroy
// fails naming the group and the interface, the state keeps exactly what is
// left, and once the interface is gone destroy completes.
func TestDestroyWhileAttached(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	s := stackFor(t, ctx, e, filepath.Join(e.Dir, "attached"), small())
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	db := StateIDs(ctx, t, s, groupType)["mesh-DB"]
	require.NotEmpty(t, db)
	const eni = "eni-0a1b2c3d4e5f60718"
	require.NoError(t, awsstandin.Attach(e.Env[awsstandin.EnvState], eni, db))

	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DependencyViolation: resource "+db+" (DB) has a dependent object: it is attached to network interface "+eni)
	assert.Equal(t, map[string]string{"mesh-DB": db}, StateIDs(ctx, t, s, groupType), "only the attached group is left")
	assert.Empty(t, StateIDs(ctx, t, s, ruleType), "its rules went before it")
	requireStateIsTheAccount(ctx, t, e, s)

	require.NoError(t, awsstandin.Detach(e.Env[awsstandin.EnvState], eni))
	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err)
	e.RequireEmptyAccount(t)
	assert.Empty(t, StateIDs(ctx, t, s, groupType))
}

// An in-place update and a replacement, each as `plan --diff` predicts it;
// every replaced group and rule is deleted before its successor is created,
// as pulumi-aws does.
func TestUpdatesAndDeleteFirstReplacementsAsPredicted(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	dir := filepath.Join(e.Dir, "replace")
	base := small()
	s := stackFor(t, ctx, e, dir, base)
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)

	described := small()
	described.Services[0].Ingress[0].Description = "https from the office"
	predicted, err := plandiff.CompareSpecs("mesh", base, described)
	require.NoError(t, err)
	require.Equal(t, []string{"mesh-API-ingress-tcp-443-203.0.113.0_24"}, predicted.Update)
	s = stackFor(t, ctx, e, dir, described)
	c, err := Preview(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, predicted.Update, names(c.With(apitype.OpUpdate)), "updated in place")
	for _, op := range []apitype.OpType{apitype.OpCreate, apitype.OpDelete, apitype.OpReplace} {
		assert.Empty(t, c.With(op), op)
	}
	_, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	rid := StateIDs(ctx, t, s, ruleType)["mesh-API-ingress-tcp-443-203.0.113.0_24"]
	assert.Equal(t, "https from the office", e.Account(t).Rules[rid].Description)

	renamed := described
	renamed.NamePrefix = "v2-"
	predicted, err = plandiff.CompareSpecs("mesh", described, renamed)
	require.NoError(t, err)
	want := append([]string{"mesh-API", "mesh-DB"}, smallRules...)
	slices.Sort(want)
	require.Equal(t, want, predicted.Replace, "plan --diff: every group and rule")
	s = stackFor(t, ctx, e, dir, renamed)
	c, err = Preview(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, predicted.Replace, names(c.With(apitype.OpReplace)), "the preview replaces what plan --diff predicted")
	for _, urn := range c.With(apitype.OpReplace) {
		// What the preview shows of delete-first: the old resource's delete
		// step before its replacement's create (the component cannot warn).
		assert.True(t, c.DeletesFirst(urn), "the preview deletes %s first", ShortName(urn))
	}
	assert.Empty(t, c.With(apitype.OpCreate))
	assert.Empty(t, c.With(apitype.OpDelete))

	up, err := Up(ctx, s)
	require.NoError(t, err)
	replaced := up.With(apitype.OpReplace)
	assert.Equal(t, predicted.Replace, names(replaced))
	for _, urn := range replaced {
		assert.True(t, up.DeletesFirst(urn), "%s is deleted before its replacement is created", ShortName(urn))
	}
	requireStateIsTheAccount(ctx, t, e, s)
	for _, g := range e.Account(t).Groups {
		assert.True(t, strings.HasPrefix(g.Name, "v2-"), g.Name)
	}
	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err)
	e.RequireEmptyAccount(t)
}

// An up that EC2 refuses part-way records exactly what exists; the next up
// creates the rest, with no duplicates.
func TestUpFailingPartWayConverges(t *testing.T) {
	for _, code := range []string{"RulesPerSecurityGroupLimitExceeded", "RequestLimitExceeded"} {
		t.Run(code, func(t *testing.T) {
			e := New(t)
			ctx := context.Background()
			dir := filepath.Join(e.Dir, "partial")
			e.Env[awsstandin.EnvFailRule] = "4:" + code
			s := stackFor(t, ctx, e, dir, small())
			_, err := s.Up(ctx, optup.SuppressProgress())
			require.Error(t, err)
			assert.Contains(t, err.Error(), code+": injected")
			requireStateIsTheAccount(ctx, t, e, s)
			assert.Less(t, len(e.Account(t).Rules), len(smallRules), "the up stopped short")

			delete(e.Env, awsstandin.EnvFailRule)
			s = stackFor(t, ctx, e, dir, small())
			_, err = s.Up(ctx, optup.SuppressProgress())
			require.NoError(t, err)
			requireStateIsTheAccount(ctx, t, e, s)
			assert.ElementsMatch(t, smallRules, slices.Collect(maps.Keys(StateIDs(ctx, t, s, ruleType))))
			assert.Len(t, e.Account(t).Rules, len(smallRules), "no duplicates")
			_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
			require.NoError(t, err)
			e.RequireEmptyAccount(t)
		})
	}
}

// A rule revoked out of band: refresh drops it from the state, and the next
// up puts it back.
func TestRefreshRestoresARuleDeletedOutOfBand(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	s := stackFor(t, ctx, e, filepath.Join(e.Dir, "drift"), small())
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	const name = "mesh-DB-ingress-tcp-5432-sg_API"
	id := StateIDs(ctx, t, s, ruleType)[name]
	require.NoError(t, awsstandin.DeleteRule(e.Env[awsstandin.EnvState], id))

	_, err = s.Refresh(ctx, optrefresh.SuppressProgress())
	require.NoError(t, err)
	assert.NotContains(t, StateIDs(ctx, t, s, ruleType), name, "refresh noticed")
	c, err := Preview(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, []string{name}, names(c.With(apitype.OpCreate)))

	_, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	assert.Contains(t, e.Account(t).Rules, id, "restored, with the same content-derived id")
	requireStateIsTheAccount(ctx, t, e, s)
}

// The guardrails' warnings reach the engine's preview output.
func TestPreviewWarnings(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	m := small()
	m.Networks[0].CidrBlocks = []string{"10.0.0.0/7"}
	want := mustPlan(t, m).Findings.Warnings()
	require.NotEmpty(t, want)
	c, err := Preview(ctx, stackFor(t, ctx, e, filepath.Join(e.Dir, "warn"), m))
	require.NoError(t, err)
	for _, w := range want {
		assert.True(t, slices.ContainsFunc(c.Warnings, func(got string) bool { return strings.Contains(got, w.String()) }),
			"preview warns %q; it warned %q", w.String(), c.Warnings)
	}
}

// revokeRulesOnDelete is an input: turned off, the groups carry it, and a
// destroy of groups that reference each other still completes (the delete of
// a referenced group is retried until the referencing group is gone).
func TestRevokeRulesOnDeleteOff(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	m := small()
	off := false
	m.RevokeRulesOnDelete = &off
	s := stackFor(t, ctx, e, filepath.Join(e.Dir, "norevoke"), m)
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	for _, g := range e.Account(t).Groups {
		assert.False(t, g.RevokeRulesOnDelete, g.Name)
	}
	// Turning it back on updates each group in place, as plan --diff predicts.
	predicted, err := plandiff.CompareSpecs("mesh", m, small())
	require.NoError(t, err)
	c, err := Preview(ctx, stackFor(t, ctx, e, filepath.Join(e.Dir, "norevoke"), small()))
	require.NoError(t, err)
	assert.Equal(t, []string{"mesh-API", "mesh-DB"}, predicted.Update)
	assert.Equal(t, predicted.Update, names(c.With(apitype.OpUpdate)))
	assert.Empty(t, c.With(apitype.OpReplace))
	gone, err := s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err)
	// Rules deleted with their group (deletedWith) still count as deleted.
	assert.Equal(t, 2+len(smallRules)+2, (*gone.Summary.ResourceChanges)[string(apitype.OpDelete)], "stack, mesh, groups, rules")
	e.RequireEmptyAccount(t)
}

// The reference architecture renamed: every group and rule replaced, each
// deleted first, with groups referencing each other across the mesh; the
// account ends holding exactly the state.
func TestReferenceRenamed(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	dir := filepath.Join(e.Dir, "rename")
	s := stackFor(t, ctx, e, dir, reference.Mesh())
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	renamed := reference.Mesh()
	renamed.NamePrefix = "v2-"
	predicted, err := plandiff.CompareSpecs("mesh", reference.Mesh(), renamed)
	require.NoError(t, err)
	up, err := Up(ctx, stackFor(t, ctx, e, dir, renamed))
	require.NoError(t, err)
	assert.Equal(t, predicted.Replace, names(up.With(apitype.OpReplace)))
	assert.Len(t, predicted.Replace, referenceGroups+referenceRules)
	for _, urn := range up.With(apitype.OpReplace) {
		assert.True(t, up.DeletesFirst(urn), "%s is deleted first", ShortName(urn))
	}
	requireStateIsTheAccount(ctx, t, e, s)
	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err)
	e.RequireEmptyAccount(t)
}

// The documented safe path for a new namePrefix: a second mesh beside the
// first, the interfaces moved to its groups, then the first removed. Nothing
// is replaced, so no flow is cut, and nothing is attached when the old groups go.
func TestTwoStepRename(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	dir := filepath.Join(e.Dir, "twostep")
	stack := func(meshes map[string]spec.Mesh) auto.Stack {
		require.NoError(t, WriteYAMLMeshes(dir, "twostep", meshes))
		s, err := auto.UpsertStackLocalSource(ctx, "dev", dir, e.Opts()...)
		require.NoError(t, err)
		return s
	}
	renamed := small()
	renamed.NamePrefix = "v2-"
	state := e.Env[awsstandin.EnvState]

	s := stack(map[string]spec.Mesh{"mesh": small()})
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	require.NoError(t, awsstandin.Attach(state, "eni-1", StateIDs(ctx, t, s, groupType)["mesh-DB"]))

	// Step 1: the new mesh beside the old one; the old one is untouched.
	s = stack(map[string]spec.Mesh{"mesh": small(), "next": renamed})
	c, err := Preview(ctx, s)
	require.NoError(t, err)
	assert.Len(t, c.With(apitype.OpCreate), 2+len(smallRules)+1, "the new mesh, its groups and rules")
	for _, op := range []apitype.OpType{apitype.OpDelete, apitype.OpReplace, apitype.OpUpdate} {
		assert.Empty(t, c.With(op), op)
	}
	_, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	ids := StateIDs(ctx, t, s, groupType)
	require.NoError(t, awsstandin.Detach(state, "eni-1"))
	require.NoError(t, awsstandin.Attach(state, "eni-1", ids["next-DB"]))

	// Step 2: the old mesh removed: deleted, nothing attached to it.
	s = stack(map[string]spec.Mesh{"next": renamed})
	_, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	requireStateIsTheAccount(ctx, t, e, s)
	assert.Equal(t, map[string]string{"next-API": ids["next-API"], "next-DB": ids["next-DB"]}, StateIDs(ctx, t, s, groupType),
		"the new groups were never replaced")

	require.NoError(t, awsstandin.Detach(state, "eni-1"))
	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err)
	e.RequireEmptyAccount(t)
}
