package flow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

func decode(t *testing.T, yaml string) spec.Mesh {
	t.Helper()
	m, err := spec.Decode([]byte(yaml))
	require.NoError(t, err)
	return m
}

// lines writes each flow in one line: from -> to ports (declared at origin).
func lines(fs []flow.Flow) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.From.Label()+" -> "+f.To.Label()+" "+f.Ports.String()+" ("+f.Declared+" at "+f.Origin.Service+" "+f.Origin.Rule+")")
	}
	return out
}

const mesh = `
tiers: [{name: web, cidrBlocks: [10.0.1.0/24]}, {name: app}]
networks: [{name: office, cidrBlocks: [203.0.113.0/24, 2001:db8::/48]}]
services:
  - name: api
    tier: app
    ingress:
      - {ports: [443, 80], from: {services: [web], networks: [office]}}
      - {protocol: icmp, from: {internet: true, self: true}}
    egress:
      - {ports: [5432], to: {prefixListIds: [pl-0123456789abcdef0], tiers: [web]}}
  - name: web
    tier: web
`

func TestResolve(t *testing.T) {
	m := decode(t, mesh+"egress: none\n")
	assert.Equal(t, []string{
		// Sorted by callee (CIDRs, prefix lists, then groups, as their IDs
		// sort), then caller, protocol and port numbers.
		"api -> tier:web (10.0.1.0/24) tcp/5432 (egress at api egress[0])",
		"api -> pl-0123456789abcdef0 tcp/5432 (egress at api egress[0])",
		// icmp reaches only the IPv4 half of the internet.
		"internet (0.0.0.0/0) -> api icmp/all (ingress at api ingress[1])",
		"network:office (2001:db8::/48) -> api tcp/80 (ingress at api ingress[0])",
		"network:office (2001:db8::/48) -> api tcp/443 (ingress at api ingress[0])",
		"network:office (203.0.113.0/24) -> api tcp/80 (ingress at api ingress[0])",
		"network:office (203.0.113.0/24) -> api tcp/443 (ingress at api ingress[0])",
		"api -> api icmp/all (ingress at api ingress[1])",
		"web -> api tcp/80 (ingress at api ingress[0])",
		"web -> api tcp/443 (ingress at api ingress[0])",
	}, lines(flow.Resolve(m)))
}

func TestResolveEgressPolicy(t *testing.T) {
	policy := func(fs []flow.Flow) []string {
		out := []string{}
		for _, f := range fs {
			if f.Origin.Rule == flow.PolicyRule {
				out = append(out, f.From.Label()+" -> "+f.To.Label()+" "+f.Ports.String())
			}
		}
		return out
	}
	allowAll := []string{
		"api -> internet (0.0.0.0/0) all", "web -> internet (0.0.0.0/0) all",
		"api -> internet (::/0) all", "web -> internet (::/0) all",
	}
	assert.ElementsMatch(t, allowAll, policy(flow.Resolve(decode(t, mesh))), "the default")
	assert.ElementsMatch(t, allowAll, policy(flow.Resolve(decode(t, mesh+"egress: allowAll\n"))))
	assert.Empty(t, policy(flow.Resolve(decode(t, mesh+"egress: none\n"))))
	assert.Empty(t, policy(flow.Resolve(decode(t, mesh+"egress: mirror\n"))), "mirror egress is a projection, not a flow")
}

func TestOrigin(t *testing.T) {
	assert.Equal(t, flow.Origin{Service: "api", Rule: "egress[3]", Index: 3}, flow.At("api", flow.Egress, 3))
	for _, f := range flow.Resolve(decode(t, mesh)) {
		if f.Origin.Rule != flow.PolicyRule {
			assert.Equal(t, flow.At(f.Origin.Service, f.Declared, f.Origin.Index), f.Origin)
		}
	}
}

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		e         flow.Endpoint
		id, label string
		ipv6      bool
	}{
		{flow.Endpoint{Kind: flow.Group, Service: "api"}, "sg:api", "api", false},
		{flow.Endpoint{Kind: flow.PrefixList, PrefixList: "pl-1"}, "pl:pl-1", "pl-1", false},
		{flow.Endpoint{Kind: flow.CIDR, CIDR: "10.0.0.0/8"}, "cidr:10.0.0.0/8", "10.0.0.0/8", false},
		{flow.Endpoint{Kind: flow.CIDR, CIDR: "10.0.0.0/8", Via: flow.Network("corp")}, "cidr:10.0.0.0/8", "network:corp (10.0.0.0/8)", false},
		{flow.Endpoint{Kind: flow.CIDR, CIDR: "::/0", Via: flow.TheInternet}, "cidr:::/0", "internet (::/0)", true},
	} {
		assert.Equal(t, tc.id, tc.e.ID())
		assert.Equal(t, tc.label, tc.e.Label())
		assert.Equal(t, tc.ipv6, tc.e.IsIPv6(), tc.id)
	}
}

func TestSortIsTotal(t *testing.T) {
	// Same flows in two orders sort the same, even when only the origin or
	// the description tells them apart.
	fs := flow.Resolve(decode(t, mesh))
	a := append([]flow.Flow{}, fs...)
	b := make([]flow.Flow, 0, len(fs))
	for i := len(fs) - 1; i >= 0; i-- {
		b = append(b, fs[i])
	}
	twin := fs[0]
	twin.Description = "another"
	a, b = append(a, twin), append([]flow.Flow{twin}, b...)
	flow.Sort(a)
	flow.Sort(b)
	assert.Equal(t, a, b)
}

func TestSummaries(t *testing.T) {
	fs := []flow.Flow{{
		From:  flow.Endpoint{Kind: flow.CIDR, CIDR: "0.0.0.0/0", Via: flow.TheInternet},
		To:    flow.Endpoint{Kind: flow.Group, Service: "api"},
		Ports: ports.Range{Protocol: ports.All}, Description: "d",
	}}
	assert.Equal(t, []flow.Summary{{From: "internet (0.0.0.0/0)", To: "api", Protocol: "all", Ports: "all", Description: "d"}},
		flow.Summaries(fs))
}
