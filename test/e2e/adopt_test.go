package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// TestAdoptLegacy: the stand-in's account holds the hand-made legacy VPC;
// servicemesh import proposes a declaration, and up adopts it without
// creating, deleting or replacing anything; then one CIDR rule is tightened
// into a group reference: one create, one delete, nothing else.
func TestAdoptLegacy(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	prop, m := legacyImported(t, e, nil)
	before := accountIDs(t, e)

	dir := filepath.Join(e.Dir, "adopt")
	stack := func(m spec.Mesh) auto.Stack {
		require.NoError(t, WriteYAMLProgram(dir, "adopt", m))
		s, err := auto.UpsertStackLocalSource(ctx, "dev", dir, e.Opts()...)
		require.NoError(t, err)
		return s
	}
	s := stack(m)
	c, err := Preview(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, 29, c.Count(apitype.OpImport), "5 groups and 24 rules (the cross-account one included) imported: %s", c)
	for _, op := range []apitype.OpType{apitype.OpCreate, apitype.OpDelete, apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpUpdate} {
		// The stack, the component and the providers are new: the groups and rules are not.
		assert.Empty(t, ec2Names(c.With(op)), "adoption may not %s any group or rule", op)
	}
	res, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up with adoption")
	ids, ok := res.Outputs["mesh"].Value.(map[string]any) // WriteYAMLMeshes: each mesh's group ids, by its name
	require.True(t, ok)
	for svc, id := range prop.GroupOf {
		assert.Equal(t, id, ids[svc], "%s keeps its group", svc)
	}
	assert.Equal(t, before, accountIDs(t, e), "the account's groups and rules are the same ones")

	// Tighten: MySQL from the app subnet becomes MySQL from app-tier's group.
	db := serviceNamed(&m, "db")
	i := slices.IndexFunc(db.Ingress, func(r spec.IngressRule) bool { return slices.Contains(r.From.Networks, "net-10.0.2.0-24") })
	require.GreaterOrEqual(t, i, 0)
	db.Ingress[i].From.Networks = slices.DeleteFunc(db.Ingress[i].From.Networks, func(n string) bool { return n == "net-10.0.2.0-24" })
	db.Ingress = append(db.Ingress, spec.IngressRule{Traffic: spec.Traffic{Ports: []int{3306}}, From: spec.Peers{Services: []string{"app-tier"}}})
	c, err = Preview(ctx, stack(m))
	require.NoError(t, err)
	assert.Equal(t, []string{"mesh-db-ingress-tcp-3306-sg_app-tier"}, names(c.With(apitype.OpCreate)))
	assert.Equal(t, []string{"mesh-db-ingress-tcp-3306-10.0.2.0_24"}, names(c.With(apitype.OpDelete)))
	for _, op := range []apitype.OpType{apitype.OpImport, apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpUpdate} {
		assert.Empty(t, c.With(op), "tightening may not %s anything", op)
	}

	// An adopt whose declared rule does not exist fails, naming it.
	db.Adopt.Rules = append(db.Adopt.Rules, "db/ingress/tcp-5432/sg_app-tier")
	db.Ingress = append(db.Ingress, spec.IngressRule{Traffic: spec.Traffic{Ports: []int{5432}}, From: spec.Peers{Services: []string{"app-tier"}}})
	_, err = Preview(ctx, stack(m))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sg-0a000000000000005_ingress_tcp_5432_5432_sg-0a000000000000004")
}

// accountIDs are the stand-in account's group and rule ids.
func accountIDs(t *testing.T, e *Engine) []string {
	data, err := os.ReadFile(e.Env["AWS_STANDIN_STATE"])
	require.NoError(t, err)
	var acct struct{ Groups, Rules map[string]json.RawMessage }
	require.NoError(t, json.Unmarshal(data, &acct))
	var out []string
	for id := range acct.Groups {
		out = append(out, id)
	}
	for id := range acct.Rules {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
