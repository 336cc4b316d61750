package render_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reference"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./provider/pkg/render -update to create it")
	assert.Equal(t, string(want), got, "%s differs; rerun with -update if the change is intended", path)
}

func referencePlan(t *testing.T, change func(*spec.Mesh)) *plan.Plan {
	m := reference.Mesh()
	if change != nil {
		change(&m)
	}
	p, err := plan.Build(m)
	require.NoError(t, err)
	return p
}

func TestGolden(t *testing.T) {
	ref := referencePlan(t, nil)
	mirror := referencePlan(t, func(m *spec.Mesh) { m.Egress = spec.EgressMirror })
	golden(t, "reference.matrix.txt", render.Matrix(ref))
	golden(t, "reference.table.txt", render.Table(ref))
	golden(t, "reference.mmd", render.Mermaid(ref))
	golden(t, "mirror.mmd", render.Mermaid(mirror))
	golden(t, "reference.json", render.JSON(ref))
}

// The subset of Mermaid flowchart syntax we emit, line by line.
var mermaidLine = []*regexp.Regexp{
	regexp.MustCompile(`^flowchart (LR|TB)$`),
	regexp.MustCompile(`^  %% [^\n]*$`),
	regexp.MustCompile(`^  subgraph [A-Za-z0-9_]+\["[^"]+"\]$`),
	regexp.MustCompile(`^    [A-Za-z0-9_]+(\["[^"]+"\]|\(\("[^"]+"\)\)|\[/"[^"]+"/\])$`),
	regexp.MustCompile(`^  end$`),
	regexp.MustCompile(`^  [A-Za-z0-9_]+ -->\|[a-z0-9/:, -]+\| [A-Za-z0-9_]+$`),
	regexp.MustCompile(`^  classDef [a-z]+ [a-z-]+:[#a-z0-9]+(,[a-z-]+:[#a-z0-9 ]+)*$`),
	regexp.MustCompile(`^  class [A-Za-z0-9_]+(,[A-Za-z0-9_]+)* [a-z]+$`),
}

// checkMermaid is a strict grammar check of our subset: every line matches a
// known form, subgraphs balance, and every edge names a declared node.
func checkMermaid(t *testing.T, src string) {
	t.Helper()
	depth := 0
	nodes := map[string]bool{}
	declare := regexp.MustCompile(`^    ([A-Za-z0-9_]+)`)
	edge := regexp.MustCompile(`^  ([A-Za-z0-9_]+) -->\|[^|]+\| ([A-Za-z0-9_]+)$`)
	for i, line := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		ok := false
		for _, re := range mermaidLine {
			ok = ok || re.MatchString(line)
		}
		require.True(t, ok, "line %d is not in our Mermaid subset: %q", i+1, line)
		switch {
		case strings.HasPrefix(line, "  subgraph "):
			depth++
		case line == "  end":
			depth--
			require.GreaterOrEqual(t, depth, 0, "line %d: end without subgraph", i+1)
		}
		if m := declare.FindStringSubmatch(line); m != nil {
			require.False(t, nodes[m[1]], "node %s declared twice", m[1])
			nodes[m[1]] = true
		}
		if m := edge.FindStringSubmatch(line); m != nil {
			require.True(t, nodes[m[1]] && nodes[m[2]], "line %d: edge between undeclared nodes", i+1)
		}
	}
	require.Zero(t, depth, "unbalanced subgraphs")
}

func TestMermaidParses(t *testing.T) {
	checkMermaid(t, render.Mermaid(referencePlan(t, nil)))
	checkMermaid(t, render.Mermaid(referencePlan(t, func(m *spec.Mesh) {
		m.Services = append(m.Services, spec.Service{Name: "a.b", Tier: "data", Ingress: []spec.IngressRule{
			{Traffic: spec.Traffic{Ports: []int{1}}, From: spec.Peers{Services: []string{"a-b"}, PrefixListIDs: []string{"pl-0123456789abcdef0"}}},
		}}, spec.Service{Name: "a-b", Tier: "data"})
	})))
}

func TestMermaidCheckHasTeeth(t *testing.T) {
	bad := strings.Replace(render.Mermaid(referencePlan(t, nil)), "  end\n", "", 1)
	ft := &testing.T{}
	done := make(chan struct{})
	go func() { defer close(done); checkMermaid(ft, bad) }()
	<-done
	assert.True(t, ft.Failed(), "an unbalanced subgraph must fail the check")
}

func TestLargeMatrixIsAList(t *testing.T) {
	p, err := plan.Build(reference.Synthetic(200))
	require.NoError(t, err)
	got := render.Matrix(p)
	assert.True(t, strings.Contains(got, "\nsvc-0004 <- office tcp/9100,tcp/9101,tcp/9102; svc-0000 tcp/8001; svc-0184 tcp/8005;"),
		"svc-0004's callers are listed on its line")
	assert.Less(t, len(got), 40*len(p.Rules), "grows with the flows, not with the square of the services")
}
