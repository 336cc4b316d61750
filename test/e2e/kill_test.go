package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
)

// killedUp starts `pulumi up` on the stack in dir with group creates slowed
// down, and SIGKILLs the CLI and its plugins (as a lost CI runner would) once
// EC2 holds both groups but before either create has answered.
func killedUp(t *testing.T, e *Engine, dir string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(Bin(), "pulumi"), "up", "--yes", "--skip-preview", "--non-interactive", "-s", "dev")
	cmd.Dir = dir
	cmd.Env = append(e.Environ(), awsstandin.EnvCreateDelay+"=30s")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	ok := assert.Eventually(t, func() bool {
		a, err := awsstandin.Read(e.Env[awsstandin.EnvState])
		return err == nil && len(a.Groups) == 2
	}, 60*time.Second, 50*time.Millisecond, "both groups created")
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
	require.True(t, ok)
	// The killed CLI left its stack lock; `pulumi cancel` removes it.
	out, err := e.CLI(context.Background(), dir, "cancel", "--yes", "-s", "dev")
	require.NoError(t, err, out)
}

// pendingCreate is a create the state records as begun and never finished.
type pendingCreate struct{ URN, Parent, Name string }

// pendingCreates are the state's pending creates, sorted by URN.
func pendingCreates(ctx context.Context, t *testing.T, s auto.Stack) []pendingCreate {
	t.Helper()
	dep, err := s.Export(ctx)
	require.NoError(t, err)
	var st apitype.DeploymentV3
	require.NoError(t, json.Unmarshal(dep.Deployment, &st))
	var out []pendingCreate
	for _, op := range st.PendingOperations {
		if op.Type == apitype.OperationTypeCreating {
			out = append(out, pendingCreate{URN: string(op.Resource.URN), Parent: string(op.Resource.Parent),
				Name: op.Resource.Inputs["name"].(string)})
		}
	}
	slices.SortFunc(out, func(a, b pendingCreate) int { return strings.Compare(a.URN, b.URN) })
	return out
}

// adopt is the documented recovery: drop the pending creates, then import
// each orphan group (found by its name) under the mesh; an up then creates
// only what is missing.
func adopt(ctx context.Context, t *testing.T, e *Engine, dir string, s auto.Stack, pending []pendingCreate) {
	t.Helper()
	out, err := e.CLI(ctx, dir, "refresh", "--clear-pending-creates", "--yes", "--non-interactive", "-s", "dev")
	require.NoError(t, err, out)
	assert.Empty(t, pendingCreates(ctx, t, s))
	ids := map[string]string{}
	for id, g := range e.Account(t).Groups {
		ids[g.Name] = id
	}
	for _, p := range pending {
		out, err := e.CLI(ctx, dir, "import", groupType, ShortName(p.URN), ids[p.Name], "--parent", "mesh="+p.Parent,
			"--protect=false", "--yes", "--non-interactive", "-s", "dev")
		require.NoError(t, err, out)
	}
	c, err := Preview(ctx, s)
	require.NoError(t, err)
	assert.ElementsMatch(t, smallRules, names(c.With(apitype.OpCreate)), "only the rules are left to create")
	assert.Equal(t, 4, c.Count(apitype.OpSame), "the stack, the mesh and the adopted groups are unchanged: %v", c)
	_, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	requireStateIsTheAccount(ctx, t, e, s)
	assert.Len(t, e.Account(t).Groups, 2, "nothing leaked")
	assert.ElementsMatch(t, smallRules, slices.Collect(maps.Keys(StateIDs(ctx, t, s, ruleType))), "nothing lost")
}

// An up killed while groups are being created leaves them in EC2 and only
// as pending creates in the state; the next up meets each orphan as
// InvalidGroup.Duplicate (named groups make the orphan visible). Adopting
// them (adopt) ends converged, nothing lost, nothing leaked, whether or not
// another up ran in between.
func TestUpKilledMidway(t *testing.T) {
	setup := func(t *testing.T) (*Engine, string, auto.Stack, []pendingCreate) {
		e := New(t)
		dir := filepath.Join(e.Dir, "killed")
		s := stackFor(t, context.Background(), e, dir, small())
		killedUp(t, e, dir)
		pending := pendingCreates(context.Background(), t, s)
		require.Len(t, pending, 2, "both group creates are pending")
		assert.Empty(t, StateIDs(context.Background(), t, s, groupType), "and no group is recorded")
		return e, dir, s, pending
	}

	t.Run("adopted at once", func(t *testing.T) {
		e, dir, s, pending := setup(t)
		adopt(context.Background(), t, e, dir, s, pending)
	})

	t.Run("adopted after an up met the orphans", func(t *testing.T) {
		e, dir, s, pending := setup(t)
		ctx := context.Background()
		_, err := s.Up(ctx, optup.SuppressProgress())
		require.Error(t, err)
		for _, p := range pending {
			assert.Contains(t, err.Error(), "creating Security Group ("+p.Name+"): InvalidGroup.Duplicate")
		}
		assert.Equal(t, pending, pendingCreates(ctx, t, s), "the failed up kept the pending creates")
		adopt(ctx, t, e, dir, s, pending)
	})
}
