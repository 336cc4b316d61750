package plandiff_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reference"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

func TestCompare(t *testing.T) {
	base, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	tests := []struct {
		name   string
		change func(*spec.Mesh)
		want   plandiff.Diff
	}{
		{"nothing", func(*spec.Mesh) {}, plandiff.Diff{}},
		{"port change", func(m *spec.Mesh) { m.Services[7].Ingress[0].Ports = []int{3307} }, plandiff.Diff{
			Create: []string{"mesh-MySQL-ingress-tcp-3307-sg_CustomerManagement-API"},
			Delete: []string{"mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API"},
		}},
		{"rule description", func(m *spec.Mesh) { m.Services[7].Ingress[0].Description = "SQL" }, plandiff.Diff{
			Update: []string{"mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API"},
		}},
		{"service description goes to a tag", func(m *spec.Mesh) { m.Services[7].Description = "DB" }, plandiff.Diff{
			Update: []string{"mesh-MySQL"},
		}},
		{"name prefix replaces every group", func(m *spec.Mesh) { m.NamePrefix = "prod-" }, plandiff.Diff{
			Replace: []string{"mesh-AdminAccess", "mesh-CustomerManagement-API", "mesh-ELB-CustomerManagement-API",
				"mesh-ELB-FrontEnd-Web", "mesh-ELK", "mesh-FrontEnd-Web", "mesh-Graphite", "mesh-MySQL"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := reference.Mesh()
			require.Equal(t, "MySQL", m.Services[7].Name)
			tt.change(&m)
			p, err := plan.Build(m)
			require.NoError(t, err)
			assert.Equal(t, tt.want, plandiff.Compare("mesh", base, p))
		})
	}
}
