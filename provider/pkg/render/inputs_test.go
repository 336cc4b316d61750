package render_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/mermaidcheck"
)

// An external group and a list whose values are unknown are drawn as what
// they are, in valid Mermaid.
func TestMermaidDrawsExternalGroupsAndLists(t *testing.T) {
	m, err := spec.Decode([]byte(`
egress: none
tiers: [{name: web}, {name: app}]
networks: [{name: office}]
externalGroups: [{name: lb}]
services:
  - {name: Api, tier: app, ingress: [{ports: [443], from: {services: [lb]}}, {ports: [22], from: {networks: [office], tiers: [web]}}]}
`))
	require.NoError(t, err)
	m.Unknown = []string{spec.ListID("network", "office"), spec.ListID("tier", "web")}
	p, err := plan.Build(m)
	require.NoError(t, err)
	d := render.Mermaid(p)
	require.NoError(t, mermaidcheck.Check(d), d)
	assert.Contains(t, d, `["external group lb"]`)
	assert.Contains(t, d, `[/"office (cidrBlocksFrom)"/]`)
	assert.Contains(t, d, `[/"web subnets (cidrBlocksFrom)"/]`)
}
