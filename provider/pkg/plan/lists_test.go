package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// listMesh: tier web's subnets and network office's ranges come from
// outputs; network partner is literal.
func listMesh(t *testing.T, web, office []string) spec.Mesh {
	t.Helper()
	m, err := spec.Decode([]byte(`
egress: none
tiers: [{name: dmz}, {name: web}, {name: app}]
networks: [{name: partner, cidrBlocks: [198.51.100.0/24]}, {name: office}]
services:
  - {name: Api, tier: app, ingress: [{ports: [8443], from: {tiers: [web]}}, {ports: [22], from: {networks: [office, partner]}}]}
`))
	require.NoError(t, err)
	m.Tiers[1].CidrBlocksFrom, m.Networks[1].CidrBlocksFrom = web, office
	if web == nil {
		m.Unknown = append(m.Unknown, spec.ListID("tier", "web"))
	}
	if office == nil {
		m.Unknown = append(m.Unknown, spec.ListID("network", "office"))
	}
	return m
}

func fieldsByName(t *testing.T, m spec.Mesh) map[string]map[string]resources.Field {
	t.Helper()
	p, err := plan.Build(m)
	require.NoError(t, err)
	out := map[string]map[string]resources.Field{}
	for _, r := range resources.Of("m", p) {
		out[r.Name] = r.Fields("vpc")
	}
	return out
}

// The rule's name is the tier's or network's, known or not; a new list
// changes that rule's CIDR fields only.
func TestListRulesAreNamedAfterTheirTierOrNetwork(t *testing.T) {
	unknown := fieldsByName(t, listMesh(t, nil, nil))
	first := fieldsByName(t, listMesh(t, []string{"10.0.1.0/24", "2001:db8:0:1::/64"}, []string{"203.0.113.0/24"}))
	second := fieldsByName(t, listMesh(t, []string{"10.0.1.0/24", "2001:db8:0:1::/64"}, []string{"203.0.113.0/24", "192.0.2.0/24"}))

	names := []string{"m-Api", "m-Api-ingress-tcp-22-198.51.100.0_24", "m-Api-ingress-tcp-22-network_office", "m-Api-ingress-tcp-8443-tier_web"}
	for _, got := range []map[string]map[string]resources.Field{unknown, first, second} {
		assert.ElementsMatch(t, names, keys(got))
	}
	assert.Equal(t, resources.Field{Value: "cidrBlocksFrom of tier:web"}, unknown["m-Api-ingress-tcp-8443-tier_web"]["cidrBlocks"])
	assert.Equal(t, resources.Field{Value: "10.0.1.0/24"}, first["m-Api-ingress-tcp-8443-tier_web"]["cidrBlocks"])
	assert.Equal(t, resources.Field{Value: "2001:db8:0:1::/64"}, first["m-Api-ingress-tcp-8443-tier_web"]["ipv6CidrBlocks"])
	// Sorted: the rule carries the list normalised (issue 18 item 1).
	assert.Equal(t, resources.Field{Value: "192.0.2.0/24,203.0.113.0/24"}, second["m-Api-ingress-tcp-22-network_office"]["cidrBlocks"])
	for _, name := range names {
		if name != "m-Api-ingress-tcp-22-network_office" {
			assert.Equal(t, first[name], second[name], "%s must not change with office's list", name)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Checks that need the values run once they are known, with the usual
// message; until then the plan says what waits.
func TestListChecksWaitForTheValues(t *testing.T) {
	p, err := plan.Build(listMesh(t, nil, nil))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"network:office: cidrBlocksFrom is another resource's output, not known yet; deferred until it is (at up at the latest, before any rule is created): " +
			"world-open and wide-cidr checks, tier overlap of its CIDRs, and the rule quotas (each CIDR is one EC2 rule)",
		"tier:web: cidrBlocksFrom is another resource's output, not known yet; deferred until it is (at up at the latest, before any rule is created): " +
			"world-open and wide-cidr checks, tier overlap of its CIDRs, and the rule quotas (each CIDR is one EC2 rule), and tier adjacency of CIDRs overlapping tier web",
	}, p.Deferred)

	// An exception for a check that waits is not called unneeded meanwhile.
	m := listMesh(t, nil, nil)
	m.Services[0].Ingress[1].Exceptions = []spec.Exception{{Check: "world-open-admin-port", Reason: "break-glass"}}
	p, err = plan.Build(m)
	require.NoError(t, err)
	assert.Empty(t, p.Findings)
	m.Networks[1].CidrBlocksFrom, m.Unknown = []string{"203.0.113.0/24"}, []string{spec.ListID("tier", "web")}
	p, err = plan.Build(m)
	require.NoError(t, err)
	require.Len(t, p.Findings, 1)
	assert.Equal(t, "unneeded-exception", p.Findings[0].Check, "once known, it is")

	p, err = plan.Build(listMesh(t, []string{"10.0.1.0/24"}, []string{"0.0.0.0/0"}))
	assert.Empty(t, p.Deferred)
	var fe *finding.Errors
	require.ErrorAs(t, err, &fe)
	var got []string
	for _, f := range fe.Findings {
		got = append(got, f.String())
	}
	assert.Equal(t, []string{`error [world-open-admin-port] service "Api" rule ingress[1]: tcp/22 (SSH 22) is open to 0.0.0.0/0; ` +
		`fix: open it to the callers' groups or networks instead, or add exceptions: [{check: world-open-admin-port, reason: ...}]`}, got)

	// A tier's list places CIDRs in the tier, as literal cidrBlocks do.
	m = listMesh(t, []string{"10.0.1.0/24"}, []string{"10.0.1.128/25"})
	m.Tiers = append(m.Tiers, spec.Tier{Name: "data"})
	m.Services[0].Tier = "data"
	m.Services[0].Ingress = m.Services[0].Ingress[1:]
	_, err = plan.Build(m)
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, fe.Error(), `10.0.1.128/25 (network office, overlapping tier web) -> Api (tier data) on tcp/22 skips tier app`)
	assert.Len(t, fe.Findings, 1)
}
