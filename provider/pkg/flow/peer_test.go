package flow_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
)

// TestPeerForms pins every form of every peer kind, by hand: its key slug,
// its text, the rule inputs that carry it, its import-id sources and its
// permission sources (self as the group's own id).
func TestPeerForms(t *testing.T) {
	ctx := flow.EC2Context{GroupName: func(s string) string { return "mesh-" + s }, ExternalIDs: map[string]string{"lb": "444455556666/sg-lb"},
		Lists: map[string][]string{"network:office": {"192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"}}}
	ids := map[flow.GroupRef]string{{Name: "mesh-web"}: "sg-web", {Name: "lb", External: true}: "444455556666/sg-lb"}
	for _, tc := range []struct {
		name       string
		peer       flow.Peer
		slug, text string
		ec2        flow.EC2Peer
		importSrc  []string
		permSrc    []string
		fields     map[string]string
	}{
		{"self", flow.Peer{Endpoint: flow.Endpoint{Kind: flow.Group, Service: "api"}, Self: true}, "self", "self",
			flow.EC2Peer{Self: true}, []string{"self"}, []string{"sg-own"}, map[string]string{"self": "true"}},
		{"mesh group", flow.Peer{Endpoint: flow.Endpoint{Kind: flow.Group, Service: "web"}}, "sg_web", "group web",
			flow.EC2Peer{SourceSecurityGroup: &flow.GroupRef{Name: "mesh-web"}}, []string{"sg-web"}, []string{"sg-web"},
			map[string]string{"sourceSecurityGroupId": "mesh-web (ref)"}},
		{"external group of another account", flow.Peer{Endpoint: flow.Endpoint{Kind: flow.External, Service: "lb"}}, "sg_lb", "external group lb",
			flow.EC2Peer{SourceSecurityGroup: &flow.GroupRef{Name: "lb", External: true}, SourceGroupID: "444455556666/sg-lb"},
			[]string{"444455556666/sg-lb"}, []string{"444455556666/sg-lb"}, map[string]string{"sourceSecurityGroupId": "444455556666/sg-lb"}},
		{"prefix list", flow.Peer{Endpoint: flow.Endpoint{Kind: flow.PrefixList, PrefixList: "pl-1"}}, "pl-1", "prefix list pl-1",
			flow.EC2Peer{PrefixListIDs: []string{"pl-1"}}, []string{"pl-1"}, []string{"pl-1"}, map[string]string{"prefixListIds": "pl-1"}},
		{"IPv4 CIDR", flow.Peer{Endpoint: flow.Endpoint{Kind: flow.CIDR, CIDR: "10.0.0.0/8"}}, "10.0.0.0_8", "10.0.0.0/8",
			flow.EC2Peer{CidrBlocks: []string{"10.0.0.0/8"}}, []string{"10.0.0.0/8"}, []string{"10.0.0.0/8"}, map[string]string{"cidrBlocks": "10.0.0.0/8"}},
		{"IPv6 CIDR of a network", flow.Peer{Endpoint: flow.Endpoint{Kind: flow.CIDR, CIDR: "2001:db8::/48", Via: flow.Network("office")}},
			"2001:db8::_48", "network:office (2001:db8::/48)",
			flow.EC2Peer{Ipv6CidrBlocks: []string{"2001:db8::/48"}}, []string{"2001:db8::/48"}, []string{"2001:db8::/48"},
			map[string]string{"ipv6CidrBlocks": "2001:db8::/48"}},
		{"cidrBlocksFrom list", flow.Peer{Endpoint: flow.Endpoint{Kind: flow.CIDRList, Via: flow.Network("office")}},
			"network_office", "network:office (cidrBlocksFrom)",
			flow.EC2Peer{CidrBlocksFrom: "network:office", CidrBlocks: []string{"192.0.2.0/24", "198.51.100.0/24"}, Ipv6CidrBlocks: []string{"2001:db8::/32"}},
			[]string{"192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"}, []string{"192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"},
			map[string]string{"cidrBlocks": "192.0.2.0/24,198.51.100.0/24", "ipv6CidrBlocks": "2001:db8::/32"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.slug, tc.peer.Slug())
			names := []string(nil)
			if !tc.peer.Via.IsZero() && tc.peer.Kind == flow.CIDR {
				names = []string{tc.peer.Via.String()}
			}
			assert.Equal(t, tc.text, tc.peer.Text(names))
			e := tc.peer.EC2(ctx)
			assert.Equal(t, tc.ec2, e)
			assert.Equal(t, tc.importSrc, e.Sources(ids, "self"))
			assert.Equal(t, tc.permSrc, e.Sources(ids, "sg-own"))
			fields := map[string]string{}
			e.Fields(func(name, value string, ref bool) {
				if ref {
					value += " (ref)"
				}
				fields[name] = value
			})
			assert.Equal(t, tc.fields, fields)
		})
	}
}

func TestExternalIDUnknownOffline(t *testing.T) {
	e := flow.EC2Peer{SourceSecurityGroup: &flow.GroupRef{Name: "lb", External: true}}
	assert.Equal(t, []string{""}, e.Sources(nil, "self"), "an unknown id is an empty source, which callers refuse")
	fields := map[string]string{}
	e.Fields(func(name, value string, _ bool) { fields[name] = value })
	assert.Equal(t, map[string]string{"sourceSecurityGroupId": "id of external group lb"}, fields)
}

func TestNamedJSON(t *testing.T) {
	// The plan's JSON spells Via as it did when it was a string.
	for _, tc := range []struct {
		e    flow.Endpoint
		want string
	}{
		{flow.Endpoint{Kind: flow.CIDR, CIDR: "10.0.0.0/8"}, `{"kind":"cidr","cidr":"10.0.0.0/8"}`},
		{flow.Endpoint{Kind: flow.CIDR, CIDR: "::/0", Via: flow.TheInternet}, `{"kind":"cidr","cidr":"::/0","via":"internet"}`},
		{flow.Endpoint{Kind: flow.CIDRList, Via: flow.Tier("web")}, `{"kind":"cidrList","via":"tier:web"}`},
	} {
		b, err := json.Marshal(tc.e)
		assert.NoError(t, err)
		assert.JSONEq(t, tc.want, string(b))
	}
}

func TestNormalList(t *testing.T) {
	want := []string{"192.0.2.0/24", "198.51.100.0/24"}
	assert.Equal(t, want, flow.NormalList([]string{"198.51.100.0/24", "192.0.2.0/24"}))
	assert.Equal(t, want, flow.NormalList([]string{"192.0.2.0/24", "198.51.100.0/24", "192.0.2.0/24"}))
}
