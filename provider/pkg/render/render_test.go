package render_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/golden"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/mermaidcheck"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

func referencePlan(t *testing.T, change func(*spec.Mesh)) *plan.Plan {
	t.Helper()
	m := reference.Mesh()
	if change != nil {
		change(&m)
	}
	p, err := plan.Build(m)
	require.NoError(t, err)
	return p
}

// edgesPlan plans testdata/edges.yaml: names that sanitise alike, a network
// named like the internet, IPv6, prefix lists, tier peers, icmp, all, explicit
// egress, an empty tier and an unreached service.
func edgesPlan(t *testing.T) *plan.Plan {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "edges.yaml"))
	require.NoError(t, err)
	m, err := spec.Decode(data)
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	return p
}

func TestGolden(t *testing.T) {
	ref := referencePlan(t, nil)
	mirror := referencePlan(t, func(m *spec.Mesh) { m.Egress = spec.EgressMirror })
	edges := edgesPlan(t)
	for name, got := range map[string]string{
		"reference.matrix.txt": render.Matrix(ref),
		"reference.table.txt":  render.Table(ref),
		"reference.mmd":        render.Mermaid(ref),
		"reference.json":       render.JSON(ref),
		"mirror.mmd":           render.Mermaid(mirror),
		"mirror.matrix.txt":    render.Matrix(mirror),
		"edges.matrix.txt":     render.Matrix(edges),
		"edges.table.txt":      render.Table(edges),
		"edges.mmd":            render.Mermaid(edges),
	} {
		t.Run(name, func(t *testing.T) { golden.Check(t, name, got) })
	}
}

func TestDeterministic(t *testing.T) {
	// Same declaration, services and rules in another order: same pictures.
	shuffled := referencePlan(t, func(m *spec.Mesh) {
		for i, j := 0, len(m.Services)-1; i < j; i, j = i+1, j-1 {
			m.Services[i], m.Services[j] = m.Services[j], m.Services[i]
		}
		for i := range m.Services {
			in := m.Services[i].Ingress
			for a, b := 0, len(in)-1; a < b; a, b = a+1, b-1 {
				in[a], in[b] = in[b], in[a]
			}
		}
	})
	ref := referencePlan(t, nil)
	assert.Equal(t, render.Matrix(ref), render.Matrix(shuffled))
	assert.Equal(t, render.Mermaid(ref), render.Mermaid(shuffled))
	assert.Equal(t, render.Table(ref), render.Table(shuffled))
}

func TestMatrixFitsAPreview(t *testing.T) {
	for _, p := range []*plan.Plan{referencePlan(t, nil), edgesPlan(t), synthetic(t, 6), synthetic(t, 40), synthetic(t, 200)} {
		for _, line := range strings.Split(render.Matrix(p), "\n") {
			if strings.Contains(line, " | ") {
				assert.LessOrEqual(t, len(line), render.MatrixWidth, "grid line too wide: %q", line)
			}
			assert.Equal(t, strings.TrimRight(line, " "), line, "no trailing spaces")
		}
	}
}

func TestMatrixLayouts(t *testing.T) {
	// Few callees: a grid, one line per cell.
	small := render.Matrix(synthetic(t, 6))
	assert.Contains(t, small, `caller \ callee`)
	// The reference is too wide for one line a cell: ports wrap in the cell.
	ref := render.Matrix(referencePlan(t, nil))
	assert.Contains(t, ref, "\nAdminAccess                | .       | .       | .      | .        | .        | tcp/5044 | tcp/2003 | .\n"+
		"                           |         |         |        |          |          | tcp/9200 | udp/8125 |\n")
	// Many callees: a list.
	large := render.Matrix(synthetic(t, 200))
	assert.NotContains(t, large, " | ")
	assert.Contains(t, large, "\nsvc-0004 <- office tcp/9100, tcp/9101, tcp/9102; svc-0000 tcp/8001; svc-0184 tcp/8005;")
}

func TestLargeMatrixGrowsWithTheFlows(t *testing.T) {
	p := synthetic(t, 200)
	got := render.Matrix(p)
	assert.Less(t, len(got), 40*len(p.Rules), "grows with the flows, not with the square of the services")
}

func synthetic(t *testing.T, n int) *plan.Plan {
	t.Helper()
	p, err := plan.Build(reference.Synthetic(n))
	require.NoError(t, err)
	return p
}

func TestMermaidDrawsTheArchitecture(t *testing.T) {
	got := render.Mermaid(referencePlan(t, nil))
	for _, want := range []string{
		"flowchart LR\n",
		// tiers outermost first, as subgraphs
		"  subgraph tier_dmz[\"tier dmz\"]\n    svc_ELB_FrontEnd_Web([\"ELB-FrontEnd-Web\"])\n  end\n  subgraph tier_web",
		// the outside world, outside the tiers
		"\n  ext_internet((\"internet\"))\n",
		"\n  net_office[/\"office (203.0.113.0/24)\"/]\n",
		// edges labelled with ports; a self rule is a self edge
		"\n  ext_internet -->|\"tcp/80, tcp/443\"| svc_ELB_FrontEnd_Web\n",
		"\n  svc_MySQL -->|\"tcp/1186, tcp/2202\"| svc_MySQL\n",
		// shared services are distinct, and so are their flows
		"\n  class svc_AdminAccess,svc_ELK,svc_Graphite shared\n",
		"\n  svc_AdminAccess -.->|\"tcp/5044, tcp/9200\"| svc_ELK\n",
	} {
		assert.Contains(t, got, want)
	}
	assert.Less(t, strings.Index(got, "subgraph tier_dmz"), strings.Index(got, "subgraph tier_data"), "outermost first")
}

func TestMermaidIDs(t *testing.T) {
	got := render.Mermaid(edgesPlan(t))
	// a.b and a-b sanitise alike; both get ids of their own.
	assert.Contains(t, got, "    svc_a_b([\"a.b\"])\n")
	assert.Contains(t, got, "    svc_a_b_2[\"a-b\"]\n")
	// The internet and a network called "internet" are two nodes.
	assert.Contains(t, got, "  ext_internet((\"the internet\"))\n")
	assert.Contains(t, got, "  net_internet[/\"network internet (192.0.2.0/24)\"/]\n")
}

func TestMermaidOutputsParse(t *testing.T) {
	for name, p := range map[string]*plan.Plan{
		"reference": referencePlan(t, nil),
		"mirror":    referencePlan(t, func(m *spec.Mesh) { m.Egress = spec.EgressMirror }),
		"edges":     edgesPlan(t),
		"synthetic": synthetic(t, 200),
		"empty":     emptyPlan(t),
	} {
		t.Run(name, func(t *testing.T) { require.NoError(t, mermaidcheck.Check(render.Mermaid(p))) })
	}
}

func emptyPlan(t *testing.T) *plan.Plan {
	p, err := plan.Build(spec.Mesh{Tiers: []spec.Tier{{Name: "only"}}, Egress: spec.EgressNone,
		Services: []spec.Service{{Name: "A", Tier: "only"}}})
	if err != nil {
		// an unreached service is a warning, not an error
		require.NoError(t, err)
	}
	return p
}

func TestEmptyMesh(t *testing.T) {
	p := emptyPlan(t)
	assert.Contains(t, render.Matrix(p), "No flows: nothing may reach any group.\n")
	assert.Contains(t, render.Table(p), "A (tier only; 0 inbound, 0 outbound)\n  (no rules)\n")
}

func TestCheckMermaidHasTeeth(t *testing.T) {
	good := "flowchart LR\n  %% note\n  subgraph tier_a[\"tier a\"]\n    svc_A[\"A\"]\n  end\n  svc_A -->|\"tcp/1\"| svc_A\n" +
		"  classDef shared fill:#eef2ff\n  class svc_A shared\n"
	require.NoError(t, mermaidcheck.Check(good))
	for name, tc := range map[string]struct{ old, new, want string }{
		"header":             {"flowchart LR", "graph LR", "first line"},
		"unclosed subgraph":  {"  end\n", "", "not closed"},
		"end without open":   {"  svc_A -->", "  end\n  svc_A -->", "end without subgraph"},
		"nested subgraph":    {"    svc_A[\"A\"]\n", "    subgraph tier_b[\"b\"]\n    end\n    svc_A[\"A\"]\n", "nested"},
		"unquoted label":     {`svc_A["A"]`, `svc_A[A]`, "not a line of our subset"},
		"quote in label":     {`svc_A["A"]`, `svc_A["A"B"]`, "not a line of our subset"},
		"stray hash":         {`svc_A["A"]`, `svc_A["A#1"]`, "not an entity"},
		"dash in id":         {"svc_A", "svc-A", "not a line of our subset"},
		"keyword id":         {"svc_A", "end", "keyword"},
		"arrow-head id":      {"svc_A", "o_A", "arrow head"},
		"undeclared edge":    {`-->|"tcp/1"| svc_A`, `-->|"tcp/1"| svc_B`, "svc_B is not a declared node"},
		"unquoted edge":      {`|"tcp/1"|`, `|tcp/1|`, "not a line of our subset"},
		"declared twice":     {"  end\n", "    svc_A[\"A\"]\n  end\n", "declared twice"},
		"undefined class":    {"class svc_A shared", "class svc_A other", "class other has no classDef"},
		"class on no node":   {"class svc_A shared", "class svc_B shared", "svc_B is not a declared node"},
		"directive":          {"%% note", "%%{init: {}}%%", "directive"},
		"semicolon":          {`svc_A["A"]`, `svc_A["A"];`, "';'"},
		"no final newline":   {"shared\n", "shared", "newline"},
		"tab":                {"  svc_A -->", "\tsvc_A -->", "tab"},
		"empty line":         {"  end\n", "  end\n\n", "empty line"},
		"subgraph is a node": {`| svc_A`, `| tier_a`, "tier_a is not a declared node"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(good, tc.old, tc.new, 1)
			require.NotEqual(t, good, bad, "the case must change the diagram")
			err := mermaidcheck.Check(bad)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestMermaidNPM runs the diagrams through Mermaid's own parser (npm package
// mermaid, under jsdom) when asked: SERVICEMESH_MERMAID_NPM=1 and the check's
// packages installed (see test/mermaidcheck/npm/README.md).
func TestMermaidNPM(t *testing.T) {
	if os.Getenv("SERVICEMESH_MERMAID_NPM") == "" {
		t.Skip("set SERVICEMESH_MERMAID_NPM=1 to parse the diagrams with npm's mermaid (test/mermaidcheck/npm)")
	}
	out := t.TempDir()
	var files []string
	for name, p := range map[string]*plan.Plan{
		"reference": referencePlan(t, nil), "edges": edgesPlan(t), "synthetic": synthetic(t, 40), "empty": emptyPlan(t),
	} {
		f := filepath.Join(out, name+".mmd")
		require.NoError(t, os.WriteFile(f, []byte(render.Mermaid(p)), 0o644))
		files = append(files, f)
	}
	observed := filepath.Join(out, "observed.mmd")
	require.NoError(t, os.WriteFile(observed, []byte(observedDiagram(t)), 0o644))
	files = append(files, observed)
	require.NoError(t, mermaidcheck.ParseNPM(files))
}

func TestTableFlagsAQuotaNearItsLimit(t *testing.T) {
	got := render.Table(referencePlan(t, func(m *spec.Mesh) {
		m.Limits = &spec.Limits{InboundRulesPerGroup: 5}
	}))
	assert.Contains(t, got, "  inboundRulesPerGroup (IPv4)      4      5   80%  group Graphite  <- near the limit\n")
}

// TestPolicyNote: the note states the declared egress policy, whatever the
// peers are. (A mirror mesh whose peers are all CIDRs has no mirrored rules
// and once read as "none".)
func TestPolicyNote(t *testing.T) {
	const cidrOnly = `
tiers: [{name: web}]
services:
  - name: api
    tier: web
    ingress: [{ports: [443], from: {cidrBlocks: [10.0.0.0/16]}}]
`
	for _, tc := range []struct {
		egress string
		want   string
	}{
		{"", "Egress policy allowAll: every group may also send anything to 0.0.0.0/0 and ::/0 (not drawn)."},
		{"egress: allowAll", "Egress policy allowAll: every group may also send anything to 0.0.0.0/0 and ::/0 (not drawn)."},
		{"egress: none", "Egress policy none: a group may send only what its egress rules allow (the flows drawn)."},
		{"egress: mirror", "Egress policy mirror: a group may send to the groups it calls what they accept from it, " +
			"and nothing else but its egress rules (the flows drawn)."},
	} {
		t.Run(tc.egress, func(t *testing.T) {
			m, err := spec.Decode([]byte(cidrOnly + tc.egress + "\n"))
			require.NoError(t, err)
			p, err := plan.Build(m)
			require.NoError(t, err)
			assert.Contains(t, render.Matrix(p), tc.want)
			assert.Contains(t, render.Mermaid(p), "%% "+strings.ToLower(tc.want[:1])+strings.TrimSuffix(tc.want[1:], "."))
		})
	}
}
