package render_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/mermaidcheck"
)

// TestMermaidObserved: on the reference architecture, with nothing seen on
// MySQL's cluster ports nor on Carbon (2003), and the API's caller at
// 10.0.2.99 and FrontEnd-Web calling MySQL directly: an edge that carried
// nothing is dashed and says unused, a partly used one names its unused
// port, undeclared traffic is an edge of its own and brings its caller as a
// node of class undeclared, and shared flows that carried traffic are solid.
func TestMermaidObserved(t *testing.T) {
	got := observedDiagram(t)
	require.NoError(t, mermaidcheck.Check(got))
	for _, want := range []string{
		`svc_MySQL -.->|"unused: tcp/1186, tcp/2202"| svc_MySQL`,
		`svc_AdminAccess -->|"tcp/2003 unused, udp/8125"| svc_Graphite`,
		`net_office -->|"tcp/22"| svc_AdminAccess`,
		`svc_CustomerManagement_API -->|"tcp/3306"| svc_MySQL`,
		`svc_FrontEnd_Web -->|"not declared: tcp/3306"| svc_MySQL`,
		`cidr_10_0_2_99 -->|"not declared: tcp/7500"| svc_CustomerManagement_API`,
		`  cidr_10_0_2_99[/"10.0.2.99"/]`,
		"  class cidr_10_0_2_99 undeclared\n",
		"  class ext_internet,net_office external\n",
	} {
		assert.Contains(t, got, want)
	}
}

// observedDiagram is the reference architecture's diagram with the
// observation TestMermaidObserved describes.
func observedDiagram(t *testing.T) string {
	return render.MermaidObserved(referencePlan(t, nil), render.Observation{
		Unused: func(f flow.Flow) bool {
			return f.To.IsGroup("MySQL") && f.From.IsGroup("MySQL") || f.Ports.From == 2003
		},
		Undeclared: []render.ObservedEdge{
			{From: "FrontEnd-Web", To: "MySQL", Ports: []ports.Range{{Protocol: ports.TCP, From: 3306, To: 3306}}},
			{From: "10.0.2.99", To: "CustomerManagement-API", Ports: []ports.Range{{Protocol: ports.TCP, From: 7500, To: 7500}}},
		},
	})
}
