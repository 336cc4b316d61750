package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// Scenario is a change to the reference architecture and what `pulumi
// preview` must show for it, by resource name.
type Scenario struct {
	Name   string
	Change func(m *spec.Mesh)
	Create []string
	Delete []string
}

func serviceNamed(m *spec.Mesh, name string) *spec.Service {
	i := slices.IndexFunc(m.Services, func(s spec.Service) bool { return s.Name == name })
	return &m.Services[i]
}

// Scenarios are the diff checks of a reviewer's trust: each touches only
// what it changes. A rule's identity is its content, so changing a port
// shows as one rule created and its predecessor deleted (EC2 rules are
// immutable; this is the replacement, with nothing else touched).
var Scenarios = []Scenario{
	{Name: "reorder services", Change: func(m *spec.Mesh) {
		slices.Reverse(m.Services)
		for i := range m.Services {
			slices.Reverse(m.Services[i].Ingress)
		}
	}},
	{Name: "add a service with one rule", Change: func(m *spec.Mesh) {
		m.Services = append(m.Services, spec.Service{Name: "Redis", Tier: "data", Ingress: []spec.IngressRule{{
			Traffic: spec.Traffic{Ports: []int{6379}}, From: spec.Peers{Services: []string{"CustomerManagement-API"}},
		}}})
	}, Create: []string{
		"mesh-Redis",
		"mesh-Redis-egress-all-.._0",
		"mesh-Redis-egress-all-0.0.0.0_0",
		"mesh-Redis-ingress-tcp-6379-sg_CustomerManagement-API",
	}},
	{Name: "change MySQL 3306 to 3307", Change: func(m *spec.Mesh) {
		serviceNamed(m, "MySQL").Ingress[0].Ports = []int{3307}
	}, Create: []string{"mesh-MySQL-ingress-tcp-3307-sg_CustomerManagement-API"},
		Delete: []string{"mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API"}},
	{Name: "add a CIDR to the office network", Change: func(m *spec.Mesh) {
		m.Networks[0].CidrBlocks = append(m.Networks[0].CidrBlocks, "198.51.100.0/24")
	}, Create: []string{
		"mesh-AdminAccess-ingress-tcp-22-198.51.100.0_24",
		"mesh-ELK-ingress-tcp-5601-198.51.100.0_24",
		"mesh-Graphite-ingress-tcp-443-198.51.100.0_24",
		"mesh-Graphite-ingress-tcp-80-198.51.100.0_24",
	}},
}

func mustPlan(t *testing.T, m spec.Mesh) *plan.Plan {
	p, err := plan.Build(m)
	require.NoError(t, err)
	return p
}

func names(urns []string) []string {
	out := make([]string, 0, len(urns))
	for _, u := range urns {
		out = append(out, ShortName(u))
	}
	slices.Sort(out)
	return out
}

// stackFor writes m as a YAML program and selects its stack.
func stackFor(t *testing.T, ctx context.Context, e *Engine, dir string, m spec.Mesh) auto.Stack {
	t.Helper()
	require.NoError(t, WriteYAMLProgram(dir, "scenarios", m))
	s, err := auto.UpsertStackLocalSource(ctx, "dev", dir, e.Opts()...)
	require.NoError(t, err)
	return s
}

func TestPreviewDiffScenarios(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	dir := filepath.Join(e.Dir, "scenarios")
	s := stackFor(t, ctx, e, dir, reference.Mesh())
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up of the reference architecture")

	combined := reference.Mesh()
	base := mustPlan(t, reference.Mesh())
	for _, sc := range Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			m := reference.Mesh()
			sc.Change(&m)
			sc.Change(&combined)
			c, err := Preview(ctx, stackFor(t, ctx, e, dir, m))
			require.NoError(t, err)
			assert.ElementsMatch(t, sc.Create, names(c.With(apitype.OpCreate)), "created")
			// The offline planner must predict exactly what the engine shows.
			predicted := plandiff.Compare("mesh", base, mustPlan(t, m))
			assert.ElementsMatch(t, predicted.Create, names(c.With(apitype.OpCreate)), "plan --diff create")
			assert.ElementsMatch(t, predicted.Delete, names(c.With(apitype.OpDelete)), "plan --diff delete")
			assert.Empty(t, predicted.Replace, "plan --diff replace")
			assert.ElementsMatch(t, sc.Delete, names(c.With(apitype.OpDelete)), "deleted")
			for _, op := range []apitype.OpType{apitype.OpUpdate, apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpDeleteReplaced} {
				assert.Empty(t, c.With(op), "nothing may be %s", op)
			}
		})
	}

	// Apply every change at once, then destroy: groups that reference each
	// other must go without a DependencyViolation from EC2 (the stand-in).
	s = stackFor(t, ctx, e, dir, combined)
	_, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up of all scenarios combined")
	again, err := Preview(ctx, s)
	require.NoError(t, err)
	assert.Empty(t, again.With(apitype.OpCreate), "converged")
	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err, "destroy after all scenarios")
	e.RequireEmptyAccount(t)
}
