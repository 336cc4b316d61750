package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
)

// inputsYAML is a declaration with what a program would pass as outputs,
// written as the values they hold: an external group's id and the office's
// ranges.
func inputsYAML(id, office string) string {
	return `
egress: none
tiers: [{name: dmz}, {name: app}]
networks: [{name: office, cidrBlocksFrom: [` + office + `]}, {name: partner, cidrBlocks: [198.51.100.0/24]}]
externalGroups: [{name: lb, securityGroupId: ` + id + `, tier: dmz}]
services:
  - name: Api
    tier: app
    ingress:
      - {ports: [443], from: {services: [lb]}}
      - {ports: [22], from: {networks: [office, partner]}}
`
}

// The offline planner reads the same fields, with every value known.
func TestPlanAndDiffWithExternalGroupsAndLists(t *testing.T) {
	old := write(t, "old.yaml", inputsYAML("sg-0aaaaaaaaaaaaaaaa", "203.0.113.0/24"))
	code, out, errs := runCLI("plan", old)
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "in  tcp/443  from external group lb")

	// A new id replaces the rule that references the group; a new office
	// list replaces the office's rule; the partner's rule stays.
	newer := write(t, "new.yaml", inputsYAML("sg-0bbbbbbbbbbbbbbbb", "203.0.113.0/24, 192.0.2.0/24"))
	code, out, errs = runCLI("plan", "--diff", old, newer, "--format", "json")
	assert.Equal(t, exitOK, code, errs)
	var d plandiff.Diff
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	assert.Empty(t, d.Create)
	assert.Empty(t, d.Delete)
	assert.Empty(t, d.Update)
	assert.Equal(t, []string{"mesh-Api-ingress-tcp-22-network_office", "mesh-Api-ingress-tcp-443-sg_lb"}, d.Replace)

	// The checks that need the values run on them.
	bad := write(t, "bad.yaml", inputsYAML("sg-0aaaaaaaaaaaaaaaa", "0.0.0.0/0"))
	code, _, errs = runCLI("plan", bad)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errs, `error [world-open-admin-port] service "Api" rule ingress[1]: tcp/22 (SSH 22) is open to 0.0.0.0/0`)
}
