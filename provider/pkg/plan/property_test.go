package plan_test

import (
	"errors"
	"fmt"
	"maps"
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
	case e.Via.Kind == flow.ByTier:
		return e.Via.Name, true
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

		// The emitted rules are exactly those the model expects of the
		// declaration (one per port range and single peer, merged).
		expected := md.rules()
		emitted := map[string]bool{}
		for _, ru := range p.Rules {
			emitted[ruleKey(ru.Service, string(ru.Direction), ru.Ports.Protocol, ru.Ports.From, ru.Ports.To, peerID(ru.Peer))] = true
		}
		require.ElementsMatch(t, slices.Collect(maps.Keys(expected)), slices.Collect(maps.Keys(emitted)), "seed %d", seed)

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

		requireQuotaCounts(t, seed, m, expected, p)
	}
}

// requireQuotaCounts checks every quota figure against the model's count of
// the rules it expects: a CIDR in its family, a group reference or prefix
// list in both; groups per interface; the rules an interface's groups hold;
// groups per Region.
func requireQuotaCounts(t *testing.T, seed uint64, m spec.Mesh, rules map[string]modelRule, p *plan.Plan) {
	t.Helper()
	want := map[string]int{}
	perGroup := map[string]map[string]int{}
	for _, s := range m.Services {
		perGroup[s.Name] = map[string]int{}
	}
	for _, ru := range rules {
		dir := map[string]string{"ingress": "inbound", "egress": "outbound"}[ru.dir]
		if ru.peer.family != 6 {
			perGroup[ru.service][dir+"RulesPerGroup (IPv4)"]++
		}
		if ru.peer.family != 4 {
			perGroup[ru.service][dir+"RulesPerGroup (IPv6)"]++
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

// modelPeer is one peer as the model knows it: its identity and the address
// family AWS counts it in (4 or 6 for a CIDR, 0 for both: groups and prefix
// lists).
type modelPeer struct {
	id     string
	family int
}

// modelRule is one EC2 rule the model expects.
type modelRule struct {
	service, dir string
	peer         modelPeer
}

// peers lists the single peers a declaration's peers name, from what the
// generator put in the mesh.
func (md model) peers(self string, p spec.Peers) []modelPeer {
	var out []modelPeer
	cidr := func(c string) {
		family := 4
		if strings.Contains(c, ":") {
			family = 6
		}
		out = append(out, modelPeer{"cidr " + c, family})
	}
	if p.Self {
		out = append(out, modelPeer{"group " + self, 0})
	}
	for _, s := range p.Services {
		out = append(out, modelPeer{"group " + s, 0})
	}
	for range p.Networks { // only "office"
		cidr("203.0.113.0/24")
		cidr("2001:db8::/48")
	}
	for _, t := range p.Tiers {
		cidr(md.tierNets[t].String())
	}
	for _, c := range p.CidrBlocks {
		cidr(c)
	}
	for _, pl := range p.PrefixListIDs {
		out = append(out, modelPeer{"prefix list " + pl, 0})
	}
	return out
}

// rules is every EC2 rule the model expects, by key: ingress on the service
// for its ingress rules, egress for its egress rules, the caller's egress
// copy of group-to-group ingress under mirror, and allow-all egress to
// 0.0.0.0/0 and ::/0 under allowAll (the default).
func (md model) rules() map[string]modelRule {
	out := map[string]modelRule{}
	add := func(service, dir string, t spec.Traffic, peer modelPeer) {
		ranges := [][2]int{}
		for _, p := range t.Ports {
			ranges = append(ranges, [2]int{p, p})
		}
		if t.PortRange != nil {
			ranges = append(ranges, [2]int{t.PortRange.From, t.PortRange.To})
		}
		for _, r := range ranges {
			out[ruleKey(service, dir, t.Protocol, r[0], r[1], peer.id)] = modelRule{service, dir, peer}
		}
	}
	for _, s := range md.m.Services {
		for _, r := range s.Ingress {
			for _, p := range md.peers(s.Name, r.From) {
				add(s.Name, "ingress", r.Traffic, p)
				if caller, ok := strings.CutPrefix(p.id, "group "); ok && md.m.Egress == spec.EgressMirror {
					add(caller, "egress", r.Traffic, modelPeer{"group " + s.Name, 0})
				}
			}
		}
		for _, r := range s.Egress {
			for _, p := range md.peers(s.Name, r.To) {
				add(s.Name, "egress", r.Traffic, p)
			}
		}
		if md.m.Egress == "" || md.m.Egress == spec.EgressAllowAll {
			out[ruleKey(s.Name, "egress", "-1", 0, 0, "cidr 0.0.0.0/0")] = modelRule{s.Name, "egress", modelPeer{"cidr 0.0.0.0/0", 4}}
			out[ruleKey(s.Name, "egress", "-1", 0, 0, "cidr ::/0")] = modelRule{s.Name, "egress", modelPeer{"cidr ::/0", 6}}
		}
	}
	return out
}

func ruleKey(service, dir, protocol string, from, to int, peer string) string {
	return fmt.Sprintf("%s %s %s %d-%d %s", service, dir, protocol, from, to, peer)
}

// peerID is an emitted rule's peer in the model's terms, from its fields.
func peerID(e flow.Endpoint) string {
	switch e.Kind {
	case flow.Group:
		return "group " + e.Service
	case flow.PrefixList:
		return "prefix list " + e.PrefixList
	default:
		return "cidr " + e.CIDR
	}
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
