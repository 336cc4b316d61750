package nacl_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/nacl"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// withACLs enables network ACLs and gives every tier a subnet.
func withACLs(m spec.Mesh, o spec.NetworkAcls) spec.Mesh {
	o.Enabled = true
	m.NetworkAcls = &o
	m.Tiers = slices.Clone(m.Tiers)
	for i := range m.Tiers {
		m.Tiers[i].SubnetIDs = []string{"subnet-" + m.Tiers[i].Name}
	}
	return m
}

func build(t *testing.T, m spec.Mesh) *nacl.Plan {
	t.Helper()
	p, err := plan.Build(m)
	require.NoError(t, err)
	require.NotNil(t, p.NetworkAcls)
	return p.NetworkAcls
}

// keys lists each tier's entries as "direction traffic cidr".
func keys(p *nacl.Plan) map[string][]string {
	out := map[string][]string{}
	for _, a := range p.ACLs {
		var list []string
		for _, e := range a.Entries {
			list = append(list, e.Key())
		}
		slices.Sort(list)
		out[a.Tier] = list
	}
	return out
}

// small is two tiers, a web caller and an app callee, without egress policy.
func small(ingress ...spec.IngressRule) spec.Mesh {
	return spec.Mesh{
		Egress: spec.EgressNone,
		Tiers:  []spec.Tier{{Name: "web", CidrBlocks: []string{"10.0.1.0/24"}}, {Name: "app", CidrBlocks: []string{"10.0.2.0/24"}}},
		Services: []spec.Service{
			{Name: "Web", Tier: "web"},
			{Name: "Api", Tier: "app", Ingress: ingress},
		},
	}
}

func from(services ...string) spec.Peers { return spec.Peers{Services: services} }

func intp(i int) *int { return &i }

func TestEntries(t *testing.T) {
	tests := []struct {
		name string
		mesh spec.Mesh
		opt  spec.NetworkAcls
		want map[string][]string
	}{{
		// Every tier egresses to the world (allowAll), so it takes the
		// replies from the world on 1024-65535, which also allows every
		// declared flow at or above 1024 (ELK's 9200, MySQL's 3306 ...):
		// only the lower ports stay as entries of their own.
		name: "reference architecture",
		mesh: reference.Mesh(),
		want: map[string][]string{
			"dmz": {
				"egress all 0.0.0.0/0", "egress all ::/0",
				"ingress icmp/3:4 0.0.0.0/0", "ingress icmpv6/2:0 ::/0",
				"ingress tcp/1024-65535 0.0.0.0/0", "ingress tcp/1024-65535 ::/0",
				"ingress tcp/443 0.0.0.0/0", "ingress tcp/443 ::/0", "ingress tcp/80 0.0.0.0/0", "ingress tcp/80 ::/0",
				"ingress udp/1024-65535 0.0.0.0/0", "ingress udp/1024-65535 ::/0",
			},
			"web": { // SSH from the office reaches AdminAccess on FrontEnd-Web
				"egress all 0.0.0.0/0", "egress all ::/0",
				"ingress icmp/3:4 0.0.0.0/0", "ingress icmpv6/2:0 ::/0",
				"ingress tcp/1024-65535 0.0.0.0/0", "ingress tcp/1024-65535 ::/0",
				"ingress tcp/22 203.0.113.0/24", "ingress tcp/443 10.0.0.0/24",
				"ingress udp/1024-65535 0.0.0.0/0", "ingress udp/1024-65535 ::/0",
			},
			"app": {
				"egress all 0.0.0.0/0", "egress all ::/0",
				"ingress icmp/3:4 0.0.0.0/0", "ingress icmpv6/2:0 ::/0",
				"ingress tcp/1024-65535 0.0.0.0/0", "ingress tcp/1024-65535 ::/0",
				"ingress tcp/22 203.0.113.0/24", "ingress tcp/443 203.0.113.0/24", "ingress tcp/80 203.0.113.0/24",
				"ingress udp/1024-65535 0.0.0.0/0", "ingress udp/1024-65535 ::/0",
			},
			"data": {
				"egress all 0.0.0.0/0", "egress all ::/0",
				"ingress icmp/3:4 0.0.0.0/0", "ingress icmpv6/2:0 ::/0",
				"ingress tcp/1024-65535 0.0.0.0/0", "ingress tcp/1024-65535 ::/0",
				"ingress tcp/22 203.0.113.0/24",
				"ingress udp/1024-65535 0.0.0.0/0", "ingress udp/1024-65535 ::/0",
			},
		},
	}, {
		name: "a flow between tiers: four entries, two per tier",
		mesh: small(spec.IngressRule{Traffic: spec.Traffic{Ports: []int{8080}}, From: from("Web")}),
		want: map[string][]string{
			"web": {"egress tcp/8080 10.0.2.0/24", "ingress icmp/3:4 0.0.0.0/0", "ingress tcp/1024-65535 10.0.2.0/24"},
			"app": {"egress tcp/1024-65535 10.0.1.0/24", "ingress icmp/3:4 0.0.0.0/0", "ingress tcp/8080 10.0.1.0/24"},
		},
	}, {
		name: "a settable ephemeral range, udp",
		mesh: small(spec.IngressRule{Traffic: spec.Traffic{Protocol: "udp", Ports: []int{53}}, From: from("Web")}),
		opt:  spec.NetworkAcls{EphemeralPorts: &spec.PortRange{From: 32768, To: 60999}},
		want: map[string][]string{
			"web": {"egress udp/53 10.0.2.0/24", "ingress icmp/3:4 0.0.0.0/0", "ingress udp/32768-60999 10.0.2.0/24"},
			"app": {"egress udp/32768-60999 10.0.1.0/24", "ingress icmp/3:4 0.0.0.0/0", "ingress udp/53 10.0.1.0/24"},
		},
	}, {
		name: "echo request: its reply is an echo reply",
		mesh: small(spec.IngressRule{Traffic: spec.Traffic{Protocol: "icmp", IcmpType: intp(8)}, From: from("Web")}),
		want: map[string][]string{
			"web": {"egress icmp/8 10.0.2.0/24", "ingress icmp/0 10.0.2.0/24", "ingress icmp/3:4 0.0.0.0/0"},
			"app": {"egress icmp/0 10.0.1.0/24", "ingress icmp/3:4 0.0.0.0/0", "ingress icmp/8 10.0.1.0/24"},
		},
	}, {
		name: "within a tier: one ACL holds both ends",
		mesh: small(spec.IngressRule{Traffic: spec.Traffic{Ports: []int{873}}, From: spec.Peers{Self: true}}),
		want: map[string][]string{
			"web": nil,
			"app": {"egress tcp/1024-65535 10.0.2.0/24", "egress tcp/873 10.0.2.0/24", "ingress icmp/3:4 0.0.0.0/0",
				"ingress tcp/1024-65535 10.0.2.0/24", "ingress tcp/873 10.0.2.0/24"},
		},
	}, {
		// MySQL Cluster's 1186 lies in the ephemeral range its replies
		// already open, so it needs no entries of its own.
		name: "a port in the ephemeral range needs no entry of its own",
		mesh: small(spec.IngressRule{Traffic: spec.Traffic{Ports: []int{1186}}, From: spec.Peers{Self: true}}),
		want: map[string][]string{
			"web": nil,
			"app": {"egress tcp/1024-65535 10.0.2.0/24", "ingress icmp/3:4 0.0.0.0/0", "ingress tcp/1024-65535 10.0.2.0/24"},
		},
	}, {
		// app's ingress is over (3 entries and the deny rule); web's
		// egress (2 and the deny rule) is not, so it stays as it was.
		name: "over the quota: adjacent ports merge, only where over",
		mesh: small(spec.IngressRule{Traffic: spec.Traffic{Ports: []int{8080, 8081}}, From: from("Web")}),
		opt:  spec.NetworkAcls{RulesPerDirection: 3},
		want: map[string][]string{
			"web": {"egress tcp/8080 10.0.2.0/24", "egress tcp/8081 10.0.2.0/24", "ingress icmp/3:4 0.0.0.0/0", "ingress tcp/1024-65535 10.0.2.0/24"},
			"app": {"egress tcp/1024-65535 10.0.1.0/24", "ingress icmp/3:4 0.0.0.0/0", "ingress tcp/8080-8081 10.0.1.0/24"},
		},
	}, {
		name: "over the quota: sibling CIDRs merge into their parent",
		mesh: small(spec.IngressRule{Traffic: spec.Traffic{Ports: []int{22}}, From: spec.Peers{CidrBlocks: []string{"192.0.2.0/25", "192.0.2.128/25"}}}),
		opt:  spec.NetworkAcls{RulesPerDirection: 3},
		want: map[string][]string{
			"web": nil,
			"app": {"egress tcp/1024-65535 192.0.2.0/25", "egress tcp/1024-65535 192.0.2.128/25", "ingress icmp/3:4 0.0.0.0/0",
				"ingress tcp/22 192.0.2.0/24"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, keys(build(t, withACLs(tt.mesh, tt.opt))))
		})
	}
}

// Numbers are the entry's content hashed into 100-32699: the first 8 bytes
// of SHA-256 of "direction traffic cidr", big-endian, mod 32600, plus 100;
// the fallback is the next 8 bytes mod 67, plus 32700. The expectations
// were computed apart, with Python's hashlib.
func TestNumbersComeFromContent(t *testing.T) {
	p := build(t, withACLs(small(spec.IngressRule{Traffic: spec.Traffic{Ports: []int{8080}}, From: from("Web")}), spec.NetworkAcls{}))
	numbers := map[string]int{}
	for _, a := range p.ACLs {
		for _, e := range a.Entries {
			numbers[a.Tier+" "+e.Key()] = e.Number
		}
	}
	assert.Equal(t, 14509, numbers["app ingress tcp/8080 10.0.1.0/24"])
	assert.Equal(t, 5785, numbers["web egress tcp/8080 10.0.2.0/24"])
	in8080 := nacl.Entry{Protocol: "tcp", CIDR: "10.0.1.0/24", From: 8080, To: 8080}
	assert.Equal(t, 32706, nacl.Fallback(in8080))
	assert.Equal(t, 32757, nacl.Fallback(nacl.Entry{Egress: true, Protocol: "tcp", CIDR: "10.0.2.0/24", From: 8080, To: 8080}))
}

// tcpEntry is an ingress entry for tcp/port from 10.0.0.0/24.
func tcpEntry(port int) nacl.Entry {
	return nacl.Entry{Protocol: "tcp", CIDR: "10.0.0.0/24", From: port, To: port}
}

// Issue 20's collision rule: a preferred number two contents want is taken
// by neither; both move to their fallback numbers, so a newcomer never takes
// an existing entry's number. Only contenders for one fallback number fall
// back to key order. The hashes are forced: preferred and fallback are
// tables by port.
func TestNumberCollisions(t *testing.T) {
	tests := []struct {
		name                string
		entries             []nacl.Entry
		preferred, fallback map[int]int // port -> number
		want                map[int]int // port -> number given
	}{
		{
			name:      "no contest: each keeps its preferred number",
			entries:   []nacl.Entry{tcpEntry(1), tcpEntry(2)},
			preferred: map[int]int{1: 500, 2: 600}, fallback: map[int]int{1: 32700, 2: 32701},
			want: map[int]int{1: 500, 2: 600},
		},
		{
			// Before the fix, tcp/1 (sorting first) took 500 from tcp/2,
			// and creating it met tcp/2's rule still at 500.
			name:      "a newcomer contesting an existing entry's number: neither keeps it",
			entries:   []nacl.Entry{tcpEntry(1), tcpEntry(2), tcpEntry(3)},
			preferred: map[int]int{1: 500, 2: 500, 3: 700}, fallback: map[int]int{1: 32710, 2: 32720, 3: 32730},
			want: map[int]int{1: 32710, 2: 32720, 3: 700},
		},
		{
			name:      "contenders for one fallback number: the first key keeps it, the next probes up and wraps",
			entries:   []nacl.Entry{tcpEntry(1), tcpEntry(2), tcpEntry(3), tcpEntry(4)},
			preferred: map[int]int{1: 500, 2: 500, 3: 600, 4: 600}, fallback: map[int]int{1: 32766, 2: 32766, 3: 32766, 4: 32700},
			want: map[int]int{1: 32766, 2: 32701, 3: 32702, 4: 32700},
		},
		{
			name:      "ingress and egress are numbered apart: no contest across directions",
			entries:   []nacl.Entry{tcpEntry(1), func() nacl.Entry { e := tcpEntry(2); e.Egress = true; return e }()},
			preferred: map[int]int{1: 500, 2: 500}, fallback: map[int]int{1: 32700, 2: 32700},
			want: map[int]int{1: 500, 2: 500},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := nacl.NumberForTest(slices.Clone(tt.entries),
				func(e nacl.Entry) int { return tt.preferred[e.From] },
				func(e nacl.Entry) int { return tt.fallback[e.From] })
			got := map[int]int{}
			for _, e := range list {
				got[e.From] = e.Number
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// Adding a service in the middle of the declaration, or reordering
// services, keeps every existing entry's number.
func TestInsertingAServiceKeepsNumbers(t *testing.T) {
	numbers := func(m spec.Mesh) map[string]int {
		out := map[string]int{}
		for _, a := range build(t, withACLs(m, spec.NetworkAcls{})).ACLs {
			for _, e := range a.Entries {
				out[a.Tier+" "+e.Key()] = e.Number
			}
		}
		return out
	}
	before := numbers(reference.Mesh())
	m := reference.Mesh()
	extra := spec.Service{Name: "Bastion", Tier: "dmz", Ingress: []spec.IngressRule{
		{Traffic: spec.Traffic{Ports: []int{22}}, From: spec.Peers{Networks: []string{"office"}}}}}
	m.Services = slices.Insert(slices.Clone(m.Services), 3, extra)
	slices.Reverse(m.Services)
	after := numbers(m)
	for k, n := range before {
		assert.Equal(t, n, after[k], k)
	}
	assert.Contains(t, after, "dmz ingress tcp/22 203.0.113.0/24")
	assert.Len(t, after, len(before)+1)
}

func TestQuotaRefusesWithTierCountLimitAndFix(t *testing.T) {
	m := withACLs(small(spec.IngressRule{Traffic: spec.Traffic{Ports: []int{22, 80, 443}}, From: from("Web")}),
		spec.NetworkAcls{RulesPerDirection: 3})
	_, err := plan.Build(m)
	require.Error(t, err)
	var errs *finding.Errors
	require.ErrorAs(t, err, &errs)
	var got []string
	for _, f := range errs.Findings {
		got = append(got, f.String())
	}
	assert.Equal(t, []string{
		"error [quota-network-acl-rules] tiers.app: tier app's network ACL needs 4 inbound IPv4 rules after aggregating adjacent ranges, plus the default deny rule: 5; the limit is 3; fix: raise networkAcls.rulesPerDirection to what AWS granted your account (at most 40), or give tier app fewer distinct ports and peer ranges (a portRange is one entry)",
		"error [quota-network-acl-rules] tiers.web: tier web's network ACL needs 3 outbound IPv4 rules after aggregating adjacent ranges, plus the default deny rule: 4; the limit is 3; fix: raise networkAcls.rulesPerDirection to what AWS granted your account (at most 40), or give tier web fewer distinct ports and peer ranges (a portRange is one entry)",
	}, got)
}

func TestBadOptions(t *testing.T) {
	tests := []struct {
		name  string
		opt   spec.NetworkAcls
		check string
	}{
		{"ephemeral range backwards", spec.NetworkAcls{EphemeralPorts: &spec.PortRange{From: 65535, To: 1024}}, finding.CheckInvalidPort},
		{"ephemeral range from 0", spec.NetworkAcls{EphemeralPorts: &spec.PortRange{From: 0, To: 65535}}, finding.CheckInvalidPort},
		{"quota above 40", spec.NetworkAcls{RulesPerDirection: 41}, finding.CheckInvalidLimits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := plan.Build(withACLs(reference.Mesh(), tt.opt))
			var errs *finding.Errors
			require.ErrorAs(t, err, &errs)
			require.Len(t, errs.Findings, 1)
			assert.Equal(t, tt.check, errs.Findings[0].Check)
			assert.Equal(t, "networkAcls", errs.Findings[0].Rule[:len("networkAcls")])
		})
	}
}

func TestTierWithoutSubnetsGetsANote(t *testing.T) {
	m := withACLs(reference.Mesh(), spec.NetworkAcls{})
	m.Tiers[0].SubnetIDs = nil
	p := build(t, m)
	assert.False(t, p.ACLs[0].Subnets)
	assert.Contains(t, p.Notes[0], "tier dmz has no subnetIds")
}

func TestDisabledMeansNoACLs(t *testing.T) {
	p, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	assert.Nil(t, p.NetworkAcls)
}
