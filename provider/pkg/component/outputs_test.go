package component_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/mermaidcheck"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// The flowMatrix and diagram outputs are the renderers' text for the plan.
func TestComponentOutputsFlowMatrixAndDiagram(t *testing.T) {
	p, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	var matrix, diagram string
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		mesh, err := component.New(ctx, "mesh", component.Args{VpcID: pulumi.String("vpc-123"), Mesh: reference.Mesh()})
		if err != nil {
			return err
		}
		// Exported, so RunErr waits for the applies before returning.
		ctx.Export("matrix", mesh.FlowMatrix.ApplyT(func(s string) string { matrix = s; return s }))
		ctx.Export("diagram", mesh.Diagram.ApplyT(func(s string) string { diagram = s; return s }))
		return nil
	}, pulumi.WithMocks("project", "stack", &recorder{resources: map[string]resource.PropertyMap{}}))
	require.NoError(t, err)
	assert.Equal(t, render.Matrix(p), matrix)
	assert.Equal(t, render.Mermaid(p), diagram)
	assert.NoError(t, mermaidcheck.Check(diagram))
}
