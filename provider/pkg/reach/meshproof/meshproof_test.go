package meshproof_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/golden"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/nacl"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reach/meshproof"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// reference is the article's architecture with a subnet per tier and
// network ACLs on, replies to eph (nil: the default).
func reference(t *testing.T, eph *spec.PortRange) (spec.Mesh, *plan.Plan) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "examples", "reference.yaml"))
	require.NoError(t, err)
	m, err := spec.Decode(data)
	require.NoError(t, err)
	m.NetworkAcls = &spec.NetworkAcls{EphemeralPorts: eph}
	m = meshproof.WithACLs(m)
	require.Equal(t, []string{"subnet-dmz"}, m.Tiers[0].SubnetIDs)
	p, err := plan.Build(m)
	require.NoError(t, err)
	return m, p
}

func residue(r meshproof.Report) []string {
	var out []string
	for _, x := range r.Residue {
		out = append(out, x.String())
	}
	return out
}

// TestReferenceProof is the proof the issue asks for: every declared flow of
// the reference architecture passes both layers, reply included, and the
// network ACLs let through between tiers only the stateless reply residue,
// which the security groups refuse.
//
// The residue, worked out by hand from the declaration: every service keeps
// allowAll egress, so every tier's ACL lets replies in from anywhere on the
// ephemeral ports (tcp and udp), and path-MTU messages (icmp 3:4) in from
// anywhere; what a declared flow already allows is not residue: web and data
// both hold AdminAccess carriers, so web->app and data->app lose Graphite's
// tcp/2003 and udp/8125 and ELK's tcp/5044 and tcp/9200, web->app also
// ELB-CustomerManagement-API's tcp/7200, app->data MySQL's tcp/3306.
func TestReferenceProof(t *testing.T) {
	const (
		replies = "tcp/1024-65535, udp/1024-65535, icmp/3:4"
		linux   = "tcp/32768-65535, udp/32768-65535, icmp/3:4"
	)
	for _, tc := range []struct {
		name string
		eph  *spec.PortRange
		want []string
	}{
		{"default ephemeral range", nil, []string{
			"dmz -> web: " + replies,
			"dmz -> app: " + replies,
			"dmz -> data: " + replies,
			"web -> dmz: " + replies,
			"web -> app: tcp/1024-2002, tcp/2004-5043, tcp/5045-7199, tcp/7201-9199, tcp/9201-65535, udp/1024-8124, udp/8126-65535, icmp/3:4",
			"web -> data: " + replies,
			"app -> dmz: " + replies,
			"app -> web: " + replies,
			"app -> data: tcp/1024-3305, tcp/3307-65535, udp/1024-65535, icmp/3:4",
			"data -> dmz: " + replies,
			"data -> web: " + replies,
			"data -> app: tcp/1024-2002, tcp/2004-5043, tcp/5045-9199, tcp/9201-65535, udp/1024-8124, udp/8126-65535, icmp/3:4",
		}},
		// Every declared port lies below 32768, so nothing is carved out.
		{"replies to 32768-65535 only", &spec.PortRange{From: 32768, To: 65535}, []string{
			"dmz -> web: " + linux, "dmz -> app: " + linux, "dmz -> data: " + linux,
			"web -> dmz: " + linux, "web -> app: " + linux, "web -> data: " + linux,
			"app -> dmz: " + linux, "app -> web: " + linux, "app -> data: " + linux,
			"data -> dmz: " + linux, "data -> web: " + linux, "data -> app: " + linux,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, p := reference(t, tc.eph)
			r, err := meshproof.Prove(m, p)
			require.NoError(t, err)
			assert.Empty(t, r.Refused, "every declared flow passes both layers")
			assert.Greater(t, r.Paths, 100, "the flows were checked on interface pairs")
			assert.Equal(t, tc.want, residue(r))
			assert.Empty(t, r.Unrefused, "the security groups refuse the residue")
			// Only the flows to and from ::/0: the tiers have no IPv6 ranges,
			// so no interface has an IPv6 address. The eight services'
			// allowAll egress, and the public ELB's tcp/80 and tcp/443.
			require.Len(t, r.Skipped, 10)
			for _, s := range r.Skipped {
				assert.Contains(t, s, "cidr:::/0")
				assert.Contains(t, s, "no address family in common")
			}
		})
	}
}

// TestProofFails: the proof is not a tautology. A missing network ACL entry
// (web's tcp/443 from the dmz) refuses a declared flow, naming the layer and the entry; a security group
// rule the declaration does not hold lets residue through.
func TestProofFails(t *testing.T) {
	t.Run("an ACL entry missing", func(t *testing.T) {
		m, p := reference(t, nil)
		for i, a := range p.NetworkAcls.ACLs {
			if a.Tier != "web" {
				continue
			}
			var kept []nacl.Entry
			for _, e := range a.Entries {
				if e.Egress || e.Protocol != ports.TCP || e.From != 443 || e.CIDR != "10.0.0.0/24" {
					kept = append(kept, e)
				}
			}
			require.Less(t, len(kept), len(a.Entries))
			p.NetworkAcls.ACLs[i].Entries = kept
		}
		r, err := meshproof.Prove(m, p)
		require.NoError(t, err)
		require.NotEmpty(t, r.Refused)
		for _, x := range r.Refused {
			assert.Contains(t, x, "FrontEnd-Web ingress[0]")
			assert.Contains(t, x, "refused by the destination subnet's network ACL, ingress (acl-web): ingress * deny all 0.0.0.0/0")
		}
	})
	t.Run("a security group rule beyond the declaration", func(t *testing.T) {
		m, p := reference(t, nil)
		p.Rules = append(p.Rules, rule.Rule{Service: "MySQL", Direction: rule.Ingress,
			Ports: ports.Range{Protocol: ports.TCP, From: 8080, To: 8080}, Peer: flow.Endpoint{Kind: flow.Group, Service: "FrontEnd-Web"}})
		r, err := meshproof.Prove(m, p)
		require.NoError(t, err)
		assert.Empty(t, r.Refused)
		require.NotEmpty(t, r.Unrefused)
		for _, x := range r.Unrefused {
			assert.True(t, strings.HasPrefix(x, "eni-FrontEnd-Web-"), x)
			assert.Contains(t, x, "the security groups let [tcp/8080] through")
		}
	})
}

func TestProveNeedsACLs(t *testing.T) {
	m, p := reference(t, nil)
	p.NetworkAcls = nil
	_, err := meshproof.Prove(m, p)
	assert.ErrorContains(t, err, "the mesh has no network ACLs: set networkAcls.enabled and the tiers' subnetIds")
}

// TestLayers: the second column servicemesh plan shows for the reference
// architecture with network ACLs.
func TestLayers(t *testing.T) {
	m, p := reference(t, nil)
	r, err := meshproof.Prove(m, p)
	require.NoError(t, err)
	golden.Check(t, "reference.layers.txt", r.Layers())
}

// TestDualStackProof: two dual-stack tiers, mirror egress (no world egress),
// Web may call Api on tcp/8443. Worked out by hand: the ACLs let web reach
// app only on 8443 (declared: no residue), and app reach web on the reply
// range in each family, which Web's group (no ingress rules) refuses.
func TestDualStackProof(t *testing.T) {
	m, err := spec.Decode([]byte(`
egress: mirror
networkAcls: {enabled: true}
tiers:
  - {name: web, cidrBlocks: [10.1.1.0/24, "2001:db8:1::/64"], subnetIds: [subnet-web]}
  - {name: app, cidrBlocks: [10.1.2.0/24, "2001:db8:2::/64"], subnetIds: [subnet-app]}
services:
  - {name: Web, tier: web}
  - name: Api
    tier: app
    ingress:
      - {ports: [8443], from: {services: [Web]}}
`))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	r, err := meshproof.Prove(m, p)
	require.NoError(t, err)
	assert.Empty(t, r.Refused)
	assert.Equal(t, 8, r.Paths, "two interfaces each side, two families")
	assert.Empty(t, r.Skipped)
	assert.Equal(t, []string{"app -> web: tcp/1024-65535", "app -> web (IPv6): tcp/1024-65535"}, residue(r))
	assert.Empty(t, r.Unrefused)
}
