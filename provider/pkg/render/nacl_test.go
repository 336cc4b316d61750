package render_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// The table shows each tier's ACL entries, inbound first, by number; the
// numbers are nacl's (hand-checked there: 14509 and 5785).
func TestTableShowsNetworkACLs(t *testing.T) {
	m, err := spec.Decode([]byte(`
egress: none
networkAcls: {enabled: true}
tiers:
  - {name: web, cidrBlocks: [10.0.1.0/24], subnetIds: [subnet-w]}
  - {name: app, cidrBlocks: [10.0.2.0/24]}
services:
  - {name: Web, tier: web}
  - {name: Api, tier: app, ingress: [{ports: [8080], from: {services: [Web]}}]}
`))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	out := render.Table(p)
	i := strings.Index(out, "\nNetwork ACLs")
	require.GreaterOrEqual(t, i, 0, out)
	section := out[i+1 : i+strings.Index(out[i:], "\nFlows")]
	lines := strings.Split(strings.TrimSpace(section), "\n")
	require.Len(t, lines, 7, section)
	assert.Equal(t, "Network ACLs, one per tier with subnets (stateless: replies on 1024-65535)", lines[0])
	assert.Equal(t, "  web", lines[1])
	assert.Regexp(t, `^    in  #\d+ +icmp/3:4 +0\.0\.0\.0/0 +path MTU discovery$`, lines[2])
	assert.Regexp(t, `^    in  #\d+ +tcp/1024-65535 +10\.0\.2\.0/24 +replies: Api ingress\[0\]$`, lines[3])
	assert.Equal(t, "    out #5785  tcp/8080           10.0.2.0/24          Api ingress[0]", lines[4])
	assert.Equal(t, "  app: no subnetIds, no network ACL", lines[5])
	assert.Contains(t, lines[6], "note: tier app has no subnetIds")
}
