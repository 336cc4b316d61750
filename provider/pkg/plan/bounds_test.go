package plan_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// hugeRule is one rule of 2,000 ports from 2,000 services (83 KB of JSON):
// 4 million EC2 rules, which took 330 s and 5.4 GB to expand (issue 21 F).
func hugeRule() string {
	var b strings.Builder
	b.WriteString("tiers: [{name: app}]\nservices:\n  - name: Target\n    tier: app\n    ingress:\n      - ports: [")
	for i := range 2000 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, 1000+i)
	}
	b.WriteString("]\n        from: {services: [")
	for i := range 2000 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "S%d", i)
	}
	b.WriteString("]}\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  - {name: S%d, tier: app}\n", i)
	}
	return b.String()
}

// Issue 21 item F: the rule is refused, with the count and the fix, before
// it is expanded.
func TestHugeRuleRefusedBeforeExpanding(t *testing.T) {
	m, err := spec.Decode([]byte(hugeRule()))
	require.NoError(t, err)
	start := time.Now()
	_, err = plan.Build(m)
	// Milliseconds of CPU; the bound allows for a machine shared by many.
	assert.Less(t, time.Since(start), 5*time.Second)
	var fe *finding.Errors
	require.ErrorAs(t, err, &fe)
	require.Len(t, fe.Findings, 1)
	assert.Equal(t, `error [quota-rules-per-group] service "Target" rule ingress[0]: its inbound rules expand to at least 4000000 EC2 rules `+
		`(this one to 4000000: each port range times each peer), more than a group can hold (120: 60 per address family); refused before planning them; `+
		`fix: merge ports into a portRange, name fewer peers per rule (a prefix list or a tier stands for many CIDRs), or split the service`,
		fe.Findings[0].String())
}

// Raised limits raise the bound, up to AWS's hard ceiling.
func TestExpansionBoundFollowsLimits(t *testing.T) {
	const rule = "tiers: [{name: app}]\nservices:\n  - {name: A, tier: app, ingress: [{portRange: {from: 1, to: 1}, from: {cidrBlocks: [%s]}}]}\n"
	cidrs := func(n int) string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)
		}
		return strings.Join(out, ", ")
	}
	for _, tc := range []struct {
		name, limits string
		cidrs        int
		early        bool
	}{
		{"at twice the quota, the quota check counts", "", 120, false},
		{"past twice the quota", "", 121, true},
		{"a raised quota", "limits: {inboundRulesPerGroup: 200, rulesTimesGroups: 1000}\n", 121, false},
		{"past AWS's ceiling, whatever the limits say", "limits: {inboundRulesPerGroup: 5000, groupsPerInterface: 1, rulesTimesGroups: 5000}\n", 2001, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := spec.Decode([]byte(tc.limits + fmt.Sprintf(rule, cidrs(tc.cidrs))))
			require.NoError(t, err)
			_, err = plan.Build(m)
			if tc.early {
				assert.ErrorContains(t, err, "refused before planning them")
			} else {
				assert.NotContains(t, fmt.Sprint(err), "refused before planning them")
			}
		})
	}
}

// Issue 21 item 4: a structural error in one rule does not hide the policy
// errors of the others.
func TestAllErrorsAtOnce(t *testing.T) {
	m, err := spec.Decode([]byte(`
tiers: [{name: web}, {name: data}]
services:
  - name: Db
    tier: data
    ingress:
      - {protocol: tpc, ports: [3306], from: {services: [Web]}}
      - {ports: [22], from: {internet: true}}
  - name: Web
    tier: web
    ingress:
      - {ports: [3389], from: {cidrBlocks: [0.0.0.0/0]}}
`))
	require.NoError(t, err)
	_, err = plan.Build(m)
	var fe *finding.Errors
	require.ErrorAs(t, err, &fe)
	var got []string
	for _, f := range fe.Findings {
		got = append(got, f.Check+" "+f.Service+" "+f.Rule)
	}
	assert.ElementsMatch(t, []string{
		"invalid-protocol Db ingress[0]",
		"world-open-admin-port Db ingress[1]", // named as declared, though planned without ingress[0]
		"world-open-admin-port Db ingress[1]", // once for 0.0.0.0/0, once for ::/0
		"world-open-admin-port Web ingress[0]",
	}, got)
}
