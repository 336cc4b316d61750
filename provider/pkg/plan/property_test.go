package plan_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// randomMesh builds a valid mesh: random tiers, services, ports and peers,
// with tier-skipping flows either from shared services or acknowledged.
func randomMesh(r *rand.Rand) spec.Mesh {
	m := spec.Mesh{Egress: []spec.EgressPolicy{spec.EgressAllowAll, spec.EgressNone, spec.EgressMirror}[r.IntN(3)],
		Networks: []spec.Network{{Name: "office", CidrBlocks: []string{"203.0.113.0/24", "2001:db8::/48"}}}}
	for t := range 2 + r.IntN(4) {
		m.Tiers = append(m.Tiers, spec.Tier{Name: fmt.Sprintf("t%d", t), CidrBlocks: []string{fmt.Sprintf("10.%d.0.0/16", t)}})
	}
	n := 1 + r.IntN(12)
	for i := range n {
		m.Services = append(m.Services, spec.Service{Name: fmt.Sprintf("s%d", i), Tier: m.Tiers[r.IntN(len(m.Tiers))].Name, Shared: r.IntN(5) == 0})
	}
	for i := range m.Services {
		s := &m.Services[i]
		for range r.IntN(5) {
			t := spec.Traffic{Protocol: []string{"tcp", "udp"}[r.IntN(2)], Ports: []int{1024 + r.IntN(64)}}
			var from spec.Peers
			switch r.IntN(4) {
			case 0:
				from.Networks = []string{"office"}
			case 1:
				from.Self = true
			default:
				caller := m.Services[r.IntN(n)]
				from.Services = []string{caller.Name}
				t.Exceptions = []spec.Exception{{Check: "tier-adjacency", Reason: "random"}}
				if adjacent(m, caller.Tier, s.Tier) || caller.Shared || s.Shared {
					t.Exceptions = nil
				}
			}
			s.Ingress = append(s.Ingress, spec.IngressRule{Traffic: t, From: from})
		}
	}
	return m
}

func adjacent(m spec.Mesh, a, b string) bool {
	ia, ib := 0, 0
	for i, t := range m.Tiers {
		if t.Name == a {
			ia = i
		}
		if t.Name == b {
			ib = i
		}
	}
	return ia-ib <= 1 && ib-ia <= 1
}

func TestPropertiesOfRandomMeshes(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		m := randomMesh(r)
		p, err := plan.Build(m)
		require.NoError(t, err, "seed %d", seed)

		// Every emitted rule is a projection of a declared flow or the egress policy.
		for _, ru := range p.Rules {
			found := false
			for _, f := range p.Flows {
				caller, callee := f.From, f.To
				switch {
				case ru.Direction == rule.Ingress && f.Declared == flow.Ingress:
					found = found || (callee.Service == ru.Service && caller.ID() == ru.Peer.ID() && f.Ports == ru.Ports)
				case ru.Direction == rule.Egress:
					found = found || (caller.Service == ru.Service && callee.ID() == ru.Peer.ID() && f.Ports == ru.Ports)
				}
			}
			require.True(t, found, "seed %d: rule %s has no flow", seed, ru.Key)
		}

		// No flow skips a tier unless a shared service or an exception allows it.
		tierOf := map[string]string{}
		shared := map[string]bool{}
		for _, s := range m.Services {
			tierOf[s.Name], shared[s.Name] = s.Tier, s.Shared
		}
		for _, f := range p.Flows {
			if f.From.Kind != flow.Group || f.To.Kind != flow.Group || shared[f.From.Service] || shared[f.To.Service] {
				continue
			}
			if !adjacent(m, tierOf[f.From.Service], tierOf[f.To.Service]) {
				require.NotEmpty(t, f.Exceptions, "seed %d: %s -> %s skips a tier unacknowledged", seed, f.From.Service, f.To.Service)
			}
		}

		// The quota figures count exactly the emitted rules: a CIDR in its
		// family, a group reference or prefix list in both.
		want := map[string]int{}
		for _, ru := range p.Rules {
			dir := map[rule.Direction]string{rule.Ingress: "inbound", rule.Egress: "outbound"}[ru.Direction]
			if !ru.IPv6() {
				want[dir+"RulesPerGroup (IPv4)|group "+ru.Service]++
			}
			if ru.IPv6() || ru.Peer.Kind != flow.CIDR {
				want[dir+"RulesPerGroup (IPv6)|group "+ru.Service]++
			}
		}
		for _, u := range p.QuotaUsage {
			if strings.HasPrefix(u.Scope, "group ") {
				require.Equal(t, want[u.Quota+"|"+u.Scope], u.Used, "seed %d: %s %s", seed, u.Quota, u.Scope)
			}
		}
	}
}
