package plan_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// adoptFindings are the adopt.rules findings of a plan, as text.
func adoptFindings(p *plan.Plan) []string {
	var out []string
	for _, f := range p.Findings {
		if f.Check == finding.CheckInvalidAdopt || f.Check == finding.CheckStaleAdoptRule {
			out = append(out, string(f.Severity)+" "+f.Check+": "+f.Message+"; fix: "+f.Fix)
		}
	}
	return out
}

const adoptedLB = `
egress: none
tiers: [{name: t}]
externalGroups: [{name: lb, securityGroupId: "%s"}]
services:
  - name: A
    tier: t
    adopt: {groupId: sg-0aaaaaaaaaaaaaaaa, rules: [A/ingress/tcp-443/sg_lb]}
    ingress: [{ports: [443], from: {services: [lb]}}]
`

// Issue 18 item 2: an adopted rule whose peer is an external group got the
// import id sg-…_ingress_tcp_443_443_ (empty source), which the importer
// refuses. Its id carries the group's id, another account's included; an
// id not known at plan time is an invalid-adopt error.
func TestAdoptedExternalGroupRuleImportID(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"sg-0bbbbbbbbbbbbbbbb", "sg-0aaaaaaaaaaaaaaaa_ingress_tcp_443_443_sg-0bbbbbbbbbbbbbbbb"},
		{"444455556666/sg-0bbbbbbbbbbbbbbbb", "sg-0aaaaaaaaaaaaaaaa_ingress_tcp_443_443_444455556666/sg-0bbbbbbbbbbbbbbbb"},
	} {
		m, err := spec.Decode([]byte(fmt.Sprintf(adoptedLB, tc.id)))
		require.NoError(t, err)
		p, err := plan.Build(m)
		require.NoError(t, err)
		assert.Equal(t, tc.want, resources.ByName(resources.Of("m", p))["m-A-ingress-tcp-443-sg_lb"].ImportID)
	}

	m, err := spec.Decode([]byte(fmt.Sprintf(adoptedLB, "")))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.Error(t, err)
	assert.Equal(t, []string{`error invalid-adopt: adopt.rules imports "A/ingress/tcp-443/sg_lb", but external group lb's id is not known at plan time, ` +
		`and the rule's import id must name it; fix: give external group lb a securityGroupId known at plan time (the literal sg-… or OWNER/sg-…) ` +
		`while the rule is adopted, or remove the rule from adopt.rules and revoke the existing permission before up`}, adoptFindings(p))
}

const adoptedList = `
egress: none
tiers: [{name: t}]
networks: [{name: office, cidrBlocksFrom: [203.0.113.0/24, 192.0.2.0/24]}]
services:
  - name: A
    tier: t
    adopt: {groupId: sg-0aaaaaaaaaaaaaaaa, rules: [A/ingress/tcp-22/network_office]}
    ingress: [{ports: [22], from: {networks: [office]}}]
`

// Issue 18 items 4 and 5: adopting a cidrBlocksFrom rule is refused with a
// way forward (its import id would follow the values), and the key is not
// called stale (the plan with the values written out has no such rule).
func TestAdoptedListRuleIsRefusedNotStale(t *testing.T) {
	m, err := spec.Decode([]byte(adoptedList))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.Error(t, err)
	assert.Equal(t, []string{`error invalid-adopt: adopt.rules imports "A/ingress/tcp-22/network_office", a cidrBlocksFrom rule: its import id would be ` +
		`built from the list's values, so a later change of the list makes pulumi re-import (failing, or silently dropping the old CIDRs from the state); ` +
		`fix: adopt it with the list's values written as the network:office cidrBlocks (one rule per CIDR, each with a stable import id); ` +
		`move them to cidrBlocksFrom after the first up if they must come from an output`}, adoptFindings(p))

	// Unknown values: the same refusal, at preview already.
	m.Networks[0].CidrBlocksFrom, m.Unknown = nil, []string{spec.ListID("network", "office")}
	p, err = plan.Build(m)
	require.Error(t, err)
	assert.Len(t, adoptFindings(p), 1)
	assert.Contains(t, adoptFindings(p)[0], "a cidrBlocksFrom rule")
}
