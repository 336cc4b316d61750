package plan_test

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// describeRule renders a rule as "Group proto/ports peer" for table checks.
func describeRule(r rule.Rule) string {
	peer := r.Peer.CIDR
	switch {
	case r.Self():
		peer = "self"
	case r.Peer.Kind == flow.Group:
		peer = "sg:" + r.Peer.Service
	case r.Peer.Kind == flow.PrefixList:
		peer = r.Peer.PrefixList
	}
	return r.Service + " " + r.Ports.String() + " " + peer
}

func rulesOf(p *plan.Plan, dir rule.Direction) []string {
	var out []string
	for _, r := range p.Rules {
		if r.Direction == dir {
			out = append(out, describeRule(r))
		}
	}
	sort.Strings(out)
	return out
}

func TestReferenceArchitecture(t *testing.T) {
	p, err := plan.Build(reference.Mesh())
	require.NoError(t, err)

	require.Len(t, p.Groups, reference.Groups)
	assert.Equal(t, reference.ExpectedIngress, rulesOf(p, rule.Ingress))

	// The default egress policy (allowAll) gives each group all traffic to
	// 0.0.0.0/0 and ::/0, and nothing else.
	var wantEgress []string
	for _, g := range p.Groups {
		wantEgress = append(wantEgress, g.Service+" all 0.0.0.0/0", g.Service+" all ::/0")
	}
	sort.Strings(wantEgress)
	assert.Equal(t, wantEgress, rulesOf(p, rule.Egress))

	for _, g := range p.Groups {
		assert.Equal(t, g.Service, g.Tags["Name"], "Name tag is the descriptive name")
		assert.Equal(t, rule.ManagedBy, g.Tags["ManagedBy"])
		assert.NotContains(t, g.Description, g.Tier, "group description must not carry what users edit")
	}
	assert.Equal(t, plan.RuleCount{Inbound: 4, Outbound: 2}, p.RuleCounts["ELB-FrontEnd-Web"])
	assert.Equal(t, plan.RuleCount{Inbound: 3, Outbound: 2}, p.RuleCounts["MySQL"])
}

func TestEgressPolicies(t *testing.T) {
	tests := []struct {
		policy spec.EgressPolicy
		want   []string
	}{
		{spec.EgressNone, nil},
		{spec.EgressMirror, []string{
			"AdminAccess tcp/2003 sg:Graphite",
			"AdminAccess tcp/5044 sg:ELK",
			"AdminAccess tcp/9200 sg:ELK",
			"AdminAccess udp/8125 sg:Graphite",
			"CustomerManagement-API tcp/3306 sg:MySQL",
			"ELB-CustomerManagement-API tcp/7500 sg:CustomerManagement-API",
			"ELB-FrontEnd-Web tcp/443 sg:FrontEnd-Web",
			"FrontEnd-Web tcp/7200 sg:ELB-CustomerManagement-API",
			"MySQL tcp/1186 self",
			"MySQL tcp/2202 self",
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			m := reference.Mesh()
			m.Egress = tt.policy
			p, err := plan.Build(m)
			require.NoError(t, err)
			assert.Equal(t, tt.want, rulesOf(p, rule.Egress))
			assert.Equal(t, reference.ExpectedIngress, rulesOf(p, rule.Ingress))
		})
	}
}

func TestExplicitEgressAndMerging(t *testing.T) {
	m := reference.Mesh()
	m.Egress = spec.EgressNone
	api := &m.Services[6]
	require.Equal(t, "CustomerManagement-API", api.Name)
	api.Egress = []spec.EgressRule{
		{Traffic: spec.Traffic{Ports: []int{443}, Description: "Payment gateway"}, To: spec.Peers{Internet: true}},
		{Traffic: spec.Traffic{Ports: []int{443}}, To: spec.Peers{CidrBlocks: []string{"0.0.0.0/0"}}},
	}
	p, err := plan.Build(m)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"CustomerManagement-API tcp/443 0.0.0.0/0",
		"CustomerManagement-API tcp/443 ::/0",
	}, rulesOf(p, rule.Egress), "identical rules are merged before emission")
}

func names(p *plan.Plan) []string {
	var out []string
	for _, g := range p.Groups {
		out = append(out, "group:"+g.Service)
	}
	for _, r := range p.Rules {
		out = append(out, "rule:"+rule.Name(r)+"|"+r.Description)
	}
	sort.Strings(out)
	return out
}

func TestReorderingKeepsIdentity(t *testing.T) {
	base, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		m := reference.Mesh()
		rng.Shuffle(len(m.Services), func(a, b int) { m.Services[a], m.Services[b] = m.Services[b], m.Services[a] })
		for s := range m.Services {
			in := m.Services[s].Ingress
			rng.Shuffle(len(in), func(a, b int) { in[a], in[b] = in[b], in[a] })
		}
		p, err := plan.Build(m)
		require.NoError(t, err)
		assert.Equal(t, names(base), names(p), "shuffle %d", i)
		assert.Equal(t, withoutSources(base.Rules), withoutSources(p.Rules), "shuffle %d", i)
	}
}

// withoutSources drops the rules' provenance, which names rules by their
// index and so moves when they are reordered; what is emitted does not.
func withoutSources(rules []rule.Rule) []rule.Rule {
	out := slices.Clone(rules)
	for i := range out {
		out[i].Sources = nil
	}
	return out
}

func TestAddingAServiceTouchesOnlyItsResources(t *testing.T) {
	base, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	m := reference.Mesh()
	m.Services = append(m.Services, spec.Service{Name: "Redis", Tier: "data", Ingress: []spec.IngressRule{
		{Traffic: spec.Traffic{Ports: []int{6379}}, From: spec.Peers{Services: []string{"CustomerManagement-API"}}},
	}})
	p, err := plan.Build(m)
	require.NoError(t, err)
	added := map[string]bool{}
	for _, n := range names(p) {
		added[n] = true
	}
	for _, n := range names(base) {
		require.True(t, added[n], "%s survives", n)
		delete(added, n)
	}
	assert.Len(t, added, 4, "the group, its ingress rule and two egress rules: %v", added)
}

func TestRuleNamesAreURNSafe(t *testing.T) {
	p, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	for _, r := range p.Rules {
		assert.NotContains(t, rule.Name(r), "::")
		assert.NotContains(t, rule.Name(r), "/")
	}
	assert.Contains(t, names(p), "rule:ELB-FrontEnd-Web-ingress-tcp-443-.._0|Web traffic from the internet")
}
