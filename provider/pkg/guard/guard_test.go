package guard_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/guard"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reference"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

func findings(t *testing.T, change func(*spec.Mesh)) []string {
	m := reference.Mesh()
	change(&m)
	p, err := plan.Build(m)
	require.NoError(t, err)
	var out []string
	for _, f := range p.Findings {
		out = append(out, f.String())
	}
	return out
}

func TestExceptionsAcknowledgeOnPurpose(t *testing.T) {
	got := findings(t, func(m *spec.Mesh) {
		m.Services[7].Ingress[0].From.Services = []string{"FrontEnd-Web"}
		m.Services[7].Ingress[0].Exceptions = []spec.Exception{{Check: guard.CheckTierAdjacency, Reason: "legacy reports, until the API has them"}}
	})
	assert.Empty(t, got, "an acknowledged finding is not reported")
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name   string
		change func(*spec.Mesh)
		want   []string
	}{
		{"unneeded exception", func(m *spec.Mesh) {
			m.Services[7].Ingress[0].Exceptions = []spec.Exception{{Check: guard.CheckWorldOpen, Reason: "just in case"}}
		}, []string{`warning [unneeded-exception] service "MySQL" rule ingress[0]: exception for world-open acknowledges nothing: the rule does not trigger it; fix: remove the exception`}},
		{"wide CIDR", func(m *spec.Mesh) { m.Networks[0].CidrBlocks = []string{"10.0.0.0/7"} },
			[]string{
				`warning [wide-cidr] service "AdminAccess" rule ingress[0]: 10.0.0.0/7 is wider than /8; fix: narrow it to the addresses that need access, or acknowledge it with an exception`,
				`warning [wide-cidr] service "ELK" rule ingress[0]: 10.0.0.0/7 is wider than /8; fix: narrow it to the addresses that need access, or acknowledge it with an exception`,
				`warning [wide-cidr] service "Graphite" rule ingress[2]: 10.0.0.0/7 is wider than /8; fix: narrow it to the addresses that need access, or acknowledge it with an exception`,
				`warning [wide-cidr] service "Graphite" rule ingress[2]: 10.0.0.0/7 is wider than /8; fix: narrow it to the addresses that need access, or acknowledge it with an exception`,
			}},
		{"shadowed rule", func(m *spec.Mesh) {
			m.Services[7].Ingress = append(m.Services[7].Ingress, spec.IngressRule{
				Traffic: spec.Traffic{PortRange: &spec.PortRange{From: 3300, To: 3310}}, From: spec.Peers{Services: []string{"CustomerManagement-API"}}})
		}, []string{`warning [shadowed-rule] service "MySQL" rule ingress: tcp/3306 from CustomerManagement-API is already allowed by tcp/3300-3310; fix: remove the narrower rule`}},
		{"unused service", func(m *spec.Mesh) { m.Services = append(m.Services, spec.Service{Name: "Orphan", Tier: "app"}) },
			[]string{`warning [unused-service] service "Orphan": nothing may reach the service and it reaches nothing beyond the egress policy; fix: give it ingress rules, name it as a peer, or remove it`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, findings(t, tt.change)) })
	}
}

func TestQuotaUsage(t *testing.T) {
	p, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "inboundRulesPerGroup (IPv4)", Scope: "group Graphite", Used: 4, Limit: 60})
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "inboundRulesPerGroup (IPv6)", Scope: "group ELB-FrontEnd-Web", Used: 2, Limit: 60})
	// Its two AdminAccess references count in IPv6 too, as AWS counts them.
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "inboundRulesPerGroup (IPv6)", Scope: "group Graphite", Used: 2, Limit: 60})
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "groupsPerInterface", Scope: "interface of MySQL", Used: 2, Limit: 5})
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "groupsPerRegion", Scope: "mesh", Used: 8, Limit: 2500})
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "rulesTimesGroups", Scope: "limits", Used: 300, Limit: 1000})

	// The article's 2016 figures are expressible.
	m := reference.Mesh()
	m.Limits = &spec.Limits{InboundRulesPerGroup: 50, OutboundRulesPerGroup: 50, GroupsPerInterface: 5, RulesTimesGroups: 250, GroupsPerRegion: 500}
	p, err = plan.Build(m)
	require.NoError(t, err)
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "rulesTimesGroups", Scope: "limits", Used: 250, Limit: 250})
}
