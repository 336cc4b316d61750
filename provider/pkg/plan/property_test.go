package plan_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// model is what the generator knows about a random mesh, independently of
// the planner: each tier's position, and which rules it gave an exception.
type model struct {
	m         spec.Mesh
	tierIndex map[string]int
	tierOf    map[string]string // service -> tier
	shared    map[string]bool
	// tierNets are the tiers' CIDRs; a literal CIDR peer inside one sits in that tier.
	tierNets map[string]netip.Prefix
	// excepted are the rules ("service/ingress[i]") given a tier-adjacency exception.
	excepted map[string]bool
}

// randomMesh builds a valid mesh: random tiers, services (some shared, some
// carrying others' groups), ingress and egress rules to services, self,
// networks, tiers, CIDRs inside a tier or outside all of them (IPv4 and
// IPv6), and prefix lists, under a random egress policy. A rule whose flows
// skip a tier (by the article's policy, computed here on its own) gets a
// tier-adjacency exception, and only such a rule.
func randomMesh(r *rand.Rand) model {
	md := model{tierIndex: map[string]int{}, tierOf: map[string]string{}, shared: map[string]bool{},
		tierNets: map[string]netip.Prefix{}, excepted: map[string]bool{}}
	m := spec.Mesh{Egress: []spec.EgressPolicy{spec.EgressAllowAll, spec.EgressNone, spec.EgressMirror}[r.IntN(3)],
		Networks: []spec.Network{{Name: "office", CidrBlocks: []string{"203.0.113.0/24", "2001:db8::/48"}}}}
	for t := range 2 + r.IntN(4) {
		name := fmt.Sprintf("t%d", t)
		cidr := fmt.Sprintf("10.%d.0.0/16", t)
		m.Tiers = append(m.Tiers, spec.Tier{Name: name, CidrBlocks: []string{cidr}})
		md.tierIndex[name] = t
		md.tierNets[name] = netip.MustParsePrefix(cidr)
	}
	n := 1 + r.IntN(12)
	for i := range n {
		s := spec.Service{Name: fmt.Sprintf("s%d", i), Tier: m.Tiers[r.IntN(len(m.Tiers))].Name, Shared: r.IntN(5) == 0}
		m.Services = append(m.Services, s)
		md.tierOf[s.Name], md.shared[s.Name] = s.Tier, s.Shared
	}
	for i := range m.Services {
		s := &m.Services[i]
		for _, j := range r.Perm(n)[:r.IntN(min(n, 4))] {
			if j != i {
				s.AttachedWith = append(s.AttachedWith, m.Services[j].Name)
			}
		}
		for range r.IntN(5) {
			t := randomTraffic(r)
			peers, tiers := randomPeers(r, m, md, s.Name)
			if md.skips(s.Name, tiers) {
				t.Exceptions = []spec.Exception{{Check: finding.CheckTierAdjacency, Reason: "random"}}
			}
			if r.IntN(3) == 0 {
				s.Egress = append(s.Egress, spec.EgressRule{Traffic: t, To: peers})
				md.mark(t, s.Name, flow.Egress, len(s.Egress)-1)
			} else {
				s.Ingress = append(s.Ingress, spec.IngressRule{Traffic: t, From: peers})
				md.mark(t, s.Name, flow.Ingress, len(s.Ingress)-1)
			}
		}
	}
	md.m = m
	return md
}

func (md model) mark(t spec.Traffic, service, dir string, i int) {
	if len(t.Exceptions) > 0 {
		md.excepted[fmt.Sprintf("%s/%s[%d]", service, dir, i)] = true
	}
}

func randomTraffic(r *rand.Rand) spec.Traffic {
	t := spec.Traffic{Protocol: []string{"tcp", "udp"}[r.IntN(2)]}
	if r.IntN(4) == 0 {
		from := 1024 + r.IntN(64)
		t.PortRange = &spec.PortRange{From: from, To: from + r.IntN(8)}
	} else {
		t.Ports = []int{1024 + r.IntN(64)}
	}
	return t
}

// randomPeers picks one kind of peer and returns it with the tiers the peer
// sits in (empty for external peers).
func randomPeers(r *rand.Rand, m spec.Mesh, md model, self string) (spec.Peers, []peerTier) {
	switch r.IntN(8) {
	case 0:
		return spec.Peers{Networks: []string{"office"}}, nil
	case 1:
		return spec.Peers{Self: true}, []peerTier{{md.tierOf[self], false}}
	case 2:
		t := m.Tiers[r.IntN(len(m.Tiers))].Name
		return spec.Peers{Tiers: []string{t}}, []peerTier{{t, false}}
	case 3: // a subnet of a tier, named by its addresses
		t := m.Tiers[r.IntN(len(m.Tiers))].Name
		sub := netip.PrefixFrom(md.tierNets[t].Addr().Next(), 24).Masked()
		return spec.Peers{CidrBlocks: []string{sub.String()}}, []peerTier{{t, false}}
	case 4:
		return spec.Peers{CidrBlocks: []string{"198.51.100.0/24", "2001:db8:1::/64"}}, nil
	case 5:
		return spec.Peers{PrefixListIDs: []string{"pl-0123456789abcdef0"}}, nil
	default:
		var p spec.Peers
		var tiers []peerTier
		for range 1 + r.IntN(2) {
			c := m.Services[r.IntN(len(m.Services))].Name
			if !slices.Contains(p.Services, c) {
				p.Services = append(p.Services, c)
				tiers = append(tiers, peerTier{md.tierOf[c], md.shared[c]})
			}
		}
		return p, tiers
	}
}

type peerTier struct {
	tier   string
	shared bool
}

// skips reports whether a rule of service towards peers in these tiers skips
// a tier without a shared service to exempt it.
func (md model) skips(service string, peers []peerTier) bool {
	if md.shared[service] {
		return false
	}
	for _, p := range peers {
		if !p.shared && !md.adjacent(md.tierOf[service], p.tier) {
			return true
		}
	}
	return false
}

func (md model) adjacent(a, b string) bool {
	d := md.tierIndex[a] - md.tierIndex[b]
	return d >= -1 && d <= 1
}

// tierOfEndpoint is the model's own view of where a flow's end sits.
func (md model) tierOfEndpoint(e flow.Endpoint) (string, bool) {
	switch {
	case e.Kind == flow.Group:
		return md.tierOf[e.Service], true
	case strings.HasPrefix(e.Via, "tier:"):
		return strings.TrimPrefix(e.Via, "tier:"), true
	case e.Kind == flow.CIDR && !strings.HasSuffix(e.CIDR, "/0"):
		p := netip.MustParsePrefix(e.CIDR)
		for t, n := range md.tierNets {
			if n.Overlaps(p) {
				return t, true
			}
		}
	}
	return "", false
}

func TestPropertiesOfRandomMeshes(t *testing.T) {
	for seed := range uint64(200) {
		md := randomMesh(rand.New(rand.NewPCG(seed, 7)))
		m := md.m
		p, err := plan.Build(m)
		require.NoError(t, err, "seed %d", seed)
		for _, f := range p.Findings {
			require.NotEqual(t, finding.CheckUnneededException, f.Check, "seed %d: the model and the guard disagree: %s", seed, f)
		}
		mirror := m.Egress == spec.EgressMirror

		// Every emitted rule is the projection of a declared flow or of the
		// egress policy, and every flow is projected.
		projected := map[string]bool{}
		for _, f := range p.Flows {
			if f.Declared == flow.Ingress {
				projected[ruleOf(f.To.Service, rule.Ingress, f.Ports.String(), f.From)] = true
				if mirror && f.From.Kind == flow.Group {
					projected[ruleOf(f.From.Service, rule.Egress, f.Ports.String(), f.To)] = true
				}
			} else {
				projected[ruleOf(f.From.Service, rule.Egress, f.Ports.String(), f.To)] = true
			}
		}
		emitted := map[string]bool{}
		for _, ru := range p.Rules {
			k := ruleOf(ru.Service, ru.Direction, ru.Ports.String(), ru.Peer)
			emitted[k] = true
			require.True(t, projected[k], "seed %d: rule %s comes from no flow", seed, ru.Key)
		}
		require.Equal(t, len(projected), len(emitted), "seed %d: every flow yields a rule", seed)

		// No flow skips a tier unless a shared service or an exception on
		// the rule that declared it allows it.
		for _, f := range p.Flows {
			a, ok1 := md.tierOfEndpoint(f.From)
			b, ok2 := md.tierOfEndpoint(f.To)
			if !ok1 || !ok2 || md.adjacent(a, b) ||
				(f.From.Kind == flow.Group && md.shared[f.From.Service]) || (f.To.Kind == flow.Group && md.shared[f.To.Service]) {
				continue
			}
			require.True(t, slices.ContainsFunc(f.Exceptions, func(e spec.Exception) bool { return e.Check == finding.CheckTierAdjacency }),
				"seed %d: %s -> %s skips a tier unacknowledged", seed, f.From.Label(), f.To.Label())
		}

		// Without the exceptions, exactly the excepted rules fail, each with
		// tier-adjacency.
		bare := withoutExceptions(m)
		_, err = plan.Build(bare)
		failed := map[string]bool{}
		if err != nil {
			var fe *finding.Errors
			require.True(t, errors.As(err, &fe), "seed %d", seed)
			for _, f := range fe.Findings {
				require.Equal(t, finding.CheckTierAdjacency, f.Check, "seed %d: %s", seed, f)
				failed[f.Service+"/"+f.Rule] = true
			}
		}
		require.Equal(t, md.excepted, failed, "seed %d", seed)

		requireQuotaCounts(t, seed, m, p)
	}
}

// requireQuotaCounts checks every quota figure against a count of the
// emitted rules: a CIDR in its family, a group reference or prefix list in
// both; groups per interface; the rules an interface's groups hold; groups
// per Region.
func requireQuotaCounts(t *testing.T, seed uint64, m spec.Mesh, p *plan.Plan) {
	t.Helper()
	want := map[string]int{}
	perGroup := map[string]map[string]int{}
	for _, s := range m.Services {
		perGroup[s.Name] = map[string]int{}
	}
	for _, ru := range p.Rules {
		dir := map[rule.Direction]string{rule.Ingress: "inbound", rule.Egress: "outbound"}[ru.Direction]
		if ru.Peer.Kind != flow.CIDR || !ru.IPv6() {
			perGroup[ru.Service][dir+"RulesPerGroup (IPv4)"]++
		}
		if ru.Peer.Kind != flow.CIDR || ru.IPv6() {
			perGroup[ru.Service][dir+"RulesPerGroup (IPv6)"]++
		}
	}
	for _, s := range m.Services {
		for q, n := range perGroup[s.Name] {
			want[q+"|group "+s.Name] = n
		}
		groups := []string{s.Name}
		for _, o := range s.AttachedWith {
			if !slices.Contains(groups, o) {
				groups = append(groups, o)
			}
		}
		want["groupsPerInterface|interface of "+s.Name] = len(groups)
		sums := map[string]int{}
		for _, g := range groups {
			for q, n := range perGroup[g] {
				sums[q] += n
			}
		}
		fullest := 0
		for _, n := range sums {
			fullest = max(fullest, n)
		}
		want["rulesTimesGroups|interface of "+s.Name] = fullest
	}
	want["groupsPerRegion|mesh"] = len(m.Services)
	want["rulesTimesGroups|limits"] = 60 * 5

	got := map[string]int{}
	var keys []string
	for _, u := range p.QuotaUsage {
		k := u.Quota + "|" + u.Scope
		got[k] = u.Used
		keys = append(keys, u.Quota+"\x00"+u.Scope)
	}
	require.True(t, sort.StringsAreSorted(keys), "seed %d: quotaUsage is sorted", seed)
	require.Len(t, p.QuotaUsage, 6*len(m.Services)+2, "seed %d: every figure, once", seed)
	for k, n := range want {
		require.Equal(t, n, got[k], "seed %d: %s", seed, k)
	}
}

func ruleOf(service string, dir rule.Direction, ports string, peer flow.Endpoint) string {
	return strings.Join([]string{service, string(dir), ports, peer.ID()}, " ")
}

func withoutExceptions(m spec.Mesh) spec.Mesh {
	out := m
	out.Services = slices.Clone(m.Services)
	for i := range out.Services {
		s := &out.Services[i]
		s.Ingress, s.Egress = slices.Clone(s.Ingress), slices.Clone(s.Egress)
		for j := range s.Ingress {
			s.Ingress[j].Exceptions = nil
		}
		for j := range s.Egress {
			s.Egress[j].Exceptions = nil
		}
	}
	return out
}
