package guard_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/guard"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// findings plans the reference architecture after change and returns every
// finding, rendered; the plan must have no errors.
func findings(t *testing.T, change func(*spec.Mesh)) []string {
	t.Helper()
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

func service(m *spec.Mesh, name string) *spec.Service {
	for i := range m.Services {
		if m.Services[i].Name == name {
			return &m.Services[i]
		}
	}
	panic("no service " + name)
}

func ack(check string) []spec.Exception {
	return []spec.Exception{{Check: check, Reason: "on purpose"}}
}

func TestReferenceHasNoFindings(t *testing.T) {
	assert.Empty(t, findings(t, func(*spec.Mesh) {}))
}

// An acknowledged finding is not reported at all, and the exception that
// acknowledged it is not "unneeded".
func TestExceptionsAcknowledgeOnPurpose(t *testing.T) {
	tests := []struct {
		name   string
		change func(*spec.Mesh)
	}{
		{"tier skip", func(m *spec.Mesh) {
			r := &service(m, "MySQL").Ingress[0]
			r.From.Services = []string{"FrontEnd-Web"}
			r.Exceptions = ack(finding.CheckTierAdjacency)
		}},
		{"tier skip through a mirrored egress", func(m *spec.Mesh) {
			m.Egress = spec.EgressMirror
			r := &service(m, "MySQL").Ingress[0]
			r.From.Services = []string{"FrontEnd-Web"}
			r.Exceptions = ack(finding.CheckTierAdjacency)
		}},
		{"SSH from the world", func(m *spec.Mesh) {
			r := &service(m, "AdminAccess").Ingress[0]
			r.From = spec.Peers{Internet: true}
			r.Exceptions = ack(finding.CheckWorldOpenAdmin)
		}},
		{"everything from the world", func(m *spec.Mesh) {
			r := &service(m, "ELB-FrontEnd-Web").Ingress[0]
			r.Protocol, r.Ports = "all", nil
			r.Exceptions = ack(finding.CheckWorldOpenAll)
		}},
		{"odd port from the world", func(m *spec.Mesh) {
			r := &service(m, "ELB-FrontEnd-Web").Ingress[0]
			r.Ports = []int{8443}
			r.Exceptions = ack(finding.CheckWorldOpen)
		}},
		{"wide CIDR", func(m *spec.Mesh) {
			r := &service(m, "ELK").Ingress[0]
			r.From = spec.Peers{CidrBlocks: []string{"100.0.0.0/6"}}
			r.Exceptions = ack(finding.CheckWideCIDR)
		}},
		{"shadowed rule", func(m *spec.Mesh) {
			s := service(m, "MySQL")
			s.Ingress = append(s.Ingress, spec.IngressRule{Traffic: spec.Traffic{Ports: []int{3306}, Exceptions: ack(finding.CheckShadowedRule)},
				From: spec.Peers{Services: []string{"CustomerManagement-API"}}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Empty(t, findings(t, tt.change)) })
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name   string
		change func(*spec.Mesh)
		want   []string
	}{
		{"unneeded exception", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].Exceptions = ack(finding.CheckWorldOpen)
		}, []string{`warning [unneeded-exception] service "MySQL" rule ingress[0]: exception for world-open acknowledges nothing: the rule does not trigger it; fix: remove the exception`}},
		{"exception made unneeded by a shared service", func(m *spec.Mesh) {
			r := &service(m, "Graphite").Ingress[0]
			r.Exceptions = ack(finding.CheckTierAdjacency)
		}, []string{`warning [unneeded-exception] service "Graphite" rule ingress[0]: exception for tier-adjacency acknowledges nothing: the rule does not trigger it; fix: remove the exception`}},
		{"wide CIDR, once per rule", func(m *spec.Mesh) { m.Networks[0].CidrBlocks = []string{"10.0.0.0/7"} },
			[]string{
				`warning [wide-cidr] service "AdminAccess" rule ingress[0]: 10.0.0.0/7 is wider than /8; fix: narrow it to the addresses that need access, or add exceptions: [{check: wide-cidr, reason: ...}]`,
				`warning [wide-cidr] service "ELK" rule ingress[0]: 10.0.0.0/7 is wider than /8; fix: narrow it to the addresses that need access, or add exceptions: [{check: wide-cidr, reason: ...}]`,
				`warning [wide-cidr] service "Graphite" rule ingress[2]: 10.0.0.0/7 is wider than /8; fix: narrow it to the addresses that need access, or add exceptions: [{check: wide-cidr, reason: ...}]`,
			}},
		{"wide IPv6 CIDR", func(m *spec.Mesh) { m.Networks[0].CidrBlocks = []string{"2000::/16"} },
			[]string{
				`warning [wide-cidr] service "AdminAccess" rule ingress[0]: 2000::/16 is wider than /32; fix: narrow it to the addresses that need access, or add exceptions: [{check: wide-cidr, reason: ...}]`,
				`warning [wide-cidr] service "ELK" rule ingress[0]: 2000::/16 is wider than /32; fix: narrow it to the addresses that need access, or add exceptions: [{check: wide-cidr, reason: ...}]`,
				`warning [wide-cidr] service "Graphite" rule ingress[2]: 2000::/16 is wider than /32; fix: narrow it to the addresses that need access, or add exceptions: [{check: wide-cidr, reason: ...}]`,
			}},
		{"a /8 is not wide", func(m *spec.Mesh) { m.Networks[0].CidrBlocks = []string{"10.0.0.0/8", "2001:db8::/32"} }, nil},
		{"shadowed by a range", func(m *spec.Mesh) {
			s := service(m, "MySQL")
			s.Ingress = append(s.Ingress, spec.IngressRule{
				Traffic: spec.Traffic{PortRange: &spec.PortRange{From: 3300, To: 3310}}, From: spec.Peers{Services: []string{"CustomerManagement-API"}}})
		}, []string{`warning [shadowed-rule] service "MySQL" rule ingress[0]: tcp/3306 ingress from CustomerManagement-API is already allowed by tcp/3300-3310 of ingress[2]; fix: remove the redundant part of the rule, or add exceptions: [{check: shadowed-rule, reason: ...}]`}},
		{"the same rule declared twice", func(m *spec.Mesh) {
			s := service(m, "MySQL")
			s.Ingress = append(s.Ingress, spec.IngressRule{Traffic: spec.Traffic{Ports: []int{3306, 3307}}, From: spec.Peers{Services: []string{"CustomerManagement-API"}}})
		}, []string{`warning [shadowed-rule] service "MySQL" rule ingress[2]: tcp/3306 ingress from CustomerManagement-API is already allowed by ingress[0]; fix: remove the redundant part of the rule, or add exceptions: [{check: shadowed-rule, reason: ...}]`}},
		{"explicit egress under the allowAll policy", func(m *spec.Mesh) {
			service(m, "MySQL").Egress = []spec.EgressRule{{Traffic: spec.Traffic{Ports: []int{443}}, To: spec.Peers{Internet: true}}}
		}, []string{
			`warning [shadowed-rule] service "MySQL" rule egress[0]: tcp/443 egress to 0.0.0.0/0 is already allowed by all of the egress policy; fix: remove the redundant part of the rule, or add exceptions: [{check: shadowed-rule, reason: ...}]`,
			`warning [shadowed-rule] service "MySQL" rule egress[0]: tcp/443 egress to ::/0 is already allowed by all of the egress policy; fix: remove the redundant part of the rule, or add exceptions: [{check: shadowed-rule, reason: ...}]`,
		}},
		{"explicit egress the mirror policy already makes", func(m *spec.Mesh) {
			m.Egress = spec.EgressMirror
			service(m, "CustomerManagement-API").Egress = []spec.EgressRule{{Traffic: spec.Traffic{Ports: []int{3306}}, To: spec.Peers{Services: []string{"MySQL"}}}}
		}, []string{`warning [shadowed-rule] service "CustomerManagement-API" rule egress[0]: tcp/3306 egress to MySQL is already allowed by the mirror egress of MySQL ingress[0]; fix: remove the redundant part of the rule, or add exceptions: [{check: shadowed-rule, reason: ...}]`}},
		{"unused service", func(m *spec.Mesh) { m.Services = append(m.Services, spec.Service{Name: "Orphan", Tier: "app"}) },
			[]string{`warning [unused-service] service "Orphan": nothing may reach the service and it reaches nothing beyond the egress policy; fix: give it ingress rules, name it as a peer, or remove it`}},
		{"a service only carried on others' interfaces is used", func(m *spec.Mesh) {
			m.Services = append(m.Services, spec.Service{Name: "Patching", Tier: "app", Shared: true})
			service(m, "MySQL").AttachedWith = append(service(m, "MySQL").AttachedWith, "Patching")
		}, nil},
		{"redundant attachment", func(m *spec.Mesh) { service(m, "MySQL").AttachedWith = []string{"AdminAccess", "MySQL", "AdminAccess"} },
			[]string{
				`warning [redundant-attachment] service "MySQL" rule attachedWith: attachedWith names "AdminAccess" more than once (an interface carries a group once); fix: list each service once`,
				`warning [redundant-attachment] service "MySQL" rule attachedWith: attachedWith names the service itself, whose group its interfaces carry anyway; fix: remove it; list only the other services whose groups the instances carry`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, findings(t, tt.change)) })
	}
}

func TestQuotaUsage(t *testing.T) {
	p, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	for _, u := range []guard.Usage{
		{Quota: "inboundRulesPerGroup (IPv4)", Scope: "group MySQL", Used: 3, Limit: 60},
		{Quota: "inboundRulesPerGroup (IPv4)", Scope: "group Graphite", Used: 4, Limit: 60},
		{Quota: "inboundRulesPerGroup (IPv6)", Scope: "group ELB-FrontEnd-Web", Used: 2, Limit: 60},
		// Its two AdminAccess references count in IPv6 too, as AWS counts them.
		{Quota: "inboundRulesPerGroup (IPv6)", Scope: "group Graphite", Used: 2, Limit: 60},
		{Quota: "outboundRulesPerGroup (IPv6)", Scope: "group MySQL", Used: 1, Limit: 60},
		{Quota: "groupsPerInterface", Scope: "interface of CustomerManagement-API", Used: 2, Limit: 5},
		{Quota: "groupsPerRegion", Scope: "mesh", Used: 8, Limit: 2500},
		{Quota: "rulesTimesGroups", Scope: "limits", Used: 300, Limit: 1000},
		// MySQL (3 inbound IPv4) and AdminAccess (1) on one interface.
		{Quota: "rulesTimesGroups", Scope: "interface of MySQL", Used: 4, Limit: 1000},
	} {
		assert.Contains(t, p.QuotaUsage, u)
	}
	// 8 groups x (4 rule figures + groups per interface + rules on the
	// interface) + the limits' product + groups per Region.
	assert.Len(t, p.QuotaUsage, 8*6+2)
	assert.IsNonDecreasing(t, quotaKeys(p.QuotaUsage))

	// The output's JSON shape is the schema's.
	b, err := json.Marshal(p.QuotaUsage[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"quota":"groupsPerInterface","scope":"interface of AdminAccess","used":1,"limit":5}`, string(b))
}

func quotaKeys(us []guard.Usage) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Quota + "\x00" + u.Scope
	}
	return out
}

// The article's 2016 figures are expressible, and the reference fits them.
func TestArticleLimits(t *testing.T) {
	m := reference.Mesh()
	m.Limits = &spec.Limits{InboundRulesPerGroup: 50, OutboundRulesPerGroup: 50, GroupsPerInterface: 5, RulesTimesGroups: 250, GroupsPerRegion: 500}
	p, err := plan.Build(m)
	require.NoError(t, err)
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "rulesTimesGroups", Scope: "limits", Used: 250, Limit: 250})
	assert.Contains(t, p.QuotaUsage, guard.Usage{Quota: "groupsPerRegion", Scope: "mesh", Used: 8, Limit: 500})

	// Each row of the article's table is a valid configuration; one more rule
	// per group is not.
	for _, row := range [][2]int{{50, 5}, {25, 10}, {10, 25}, {5, 50}} {
		rules, groups := row[0], min(row[1], guard.MaxGroupsPerInterface)
		m.Limits = &spec.Limits{InboundRulesPerGroup: rules, OutboundRulesPerGroup: rules, GroupsPerInterface: groups, RulesTimesGroups: 250}
		_, err := plan.Build(m)
		require.NoError(t, err, "%dx%d", rules, groups)
		m.Limits.InboundRulesPerGroup = 250/groups + 1
		_, err = plan.Build(m)
		require.ErrorContains(t, err, "quota-rules-times-groups", "%dx%d", rules, groups)
	}
}

// Quotas count exactly: filling a group to its limit passes, one more fails.
func TestRulesPerGroupAtTheLimit(t *testing.T) {
	build := func(n int) error {
		m := reference.Mesh()
		m.Limits = &spec.Limits{InboundRulesPerGroup: 10}
		ports := make([]int, n-1) // MySQL keeps its self rules and ingress from the API
		for i := range ports {
			ports[i] = 3306 + 100*(i+1)
		}
		service(&m, "MySQL").Ingress[0].Ports = append([]int{3306}, ports...)
		service(&m, "MySQL").Ingress[1].Ports = []int{1186}
		_, err := plan.Build(m)
		return err
	}
	require.NoError(t, build(9)) // 9 + 1 self rule = 10
	err := build(10)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `service "MySQL": group has 11 inboundRulesPerGroup (IPv4) rules, over the limit of 10`), err.Error())
}

// A rule description takes the provider's charset (validSecurityGroupRuleDescription):
// & and the other punctuation EC2 allows plan cleanly.
func TestRuleDescriptionCharset(t *testing.T) {
	for _, desc := range []string{"R&D reports", "a._-:/()#,@[]+=&;{}!$* z"} {
		t.Run(desc, func(t *testing.T) {
			assert.Empty(t, findings(t, func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Description = desc }))
		})
	}
}

// Issue 21: the world split into halves on admin and database ports,
// acknowledged only as wide-cidr, is world-open all the same.
func TestWorldInHalvesIsWorldOpen(t *testing.T) {
	m := reference.Mesh()
	m.Networks = append(m.Networks, spec.Network{Name: "partners", CidrBlocks: []string{"0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"}})
	g := service(&m, "Graphite")
	g.Ingress = append(g.Ingress, spec.IngressRule{
		Traffic: spec.Traffic{Ports: []int{22}, Exceptions: []spec.Exception{{Check: finding.CheckWideCIDR, Reason: "partners"}}},
		From:    spec.Peers{Networks: []string{"partners"}}})
	p, err := plan.Build(m)
	require.Error(t, err)
	var got []string
	for _, f := range p.Findings {
		got = append(got, f.String())
	}
	// Each half alone is wider than a /4 (hostflow.WideBits): each is world-open on SSH.
	wide := func(cidr string) string {
		return `error [world-open-admin-port] service "Graphite" rule ingress[3]: tcp/22 (SSH 22) is open to ` + cidr +
			` (at least a /4 of the address space, as good as the world on an admin or database port); fix: open it to the callers' groups or networks instead, or add exceptions: [{check: world-open-admin-port, reason: ...}]`
	}
	assert.Equal(t, []string{wide("0.0.0.0/1"), wide("128.0.0.0/1"), wide("8000::/1"), wide("::/1")}, got)
}

// Issue 21 A: what a host gains by carrying a group is judged on the host.
// A shared group (AdminAccess, carried by five services in the reference)
// stays exempt from adjacency; the data group carried by web hosts is not.
func TestAttachedWithIsJudgedOnTheHost(t *testing.T) {
	m := reference.Mesh()
	service(&m, "FrontEnd-Web").AttachedWith = []string{"AdminAccess", "MySQL"}
	p, err := plan.Build(m)
	require.Error(t, err)
	var got []string
	for _, f := range p.Findings.Errors() {
		got = append(got, f.String())
	}
	fix := "; fix: remove MySQL from FrontEnd-Web's attachedWith, or declare the access on FrontEnd-Web's own group"
	assert.Equal(t, []string{
		`error [tier-adjacency] service "FrontEnd-Web" rule attachedWith: FrontEnd-Web (tier web) -> MySQL (tier data) on tcp/1186 skips tier app` + fix,
		`error [tier-adjacency] service "FrontEnd-Web" rule attachedWith: FrontEnd-Web (tier web) -> MySQL (tier data) on tcp/2202 skips tier app` + fix,
		`error [tier-adjacency] service "FrontEnd-Web" rule attachedWith: MySQL (tier data) -> FrontEnd-Web (tier web) on tcp/1186 skips tier app` + fix,
		`error [tier-adjacency] service "FrontEnd-Web" rule attachedWith: MySQL (tier data) -> FrontEnd-Web (tier web) on tcp/2202 skips tier app` + fix,
	}, got)
}
