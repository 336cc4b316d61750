package component_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// The reference architecture with subnets in web and data only: two ACLs
// with their subnets, one rule resource per entry, nothing for dmz and app.
func TestComponentEmitsNetworkACLsForTiersWithSubnets(t *testing.T) {
	m := reference.Mesh()
	m.NetworkAcls = &spec.NetworkAcls{Enabled: true}
	m.Tiers = slices.Clone(m.Tiers)
	for i, tier := range m.Tiers {
		if tier.Name == "web" || tier.Name == "data" {
			m.Tiers[i].SubnetIDs = []string{"subnet-" + tier.Name + "-a", "subnet-" + tier.Name + "-b"}
		}
	}
	rec, err := run(t, m)
	require.NoError(t, err)
	acls := rec.of("aws:ec2/networkAcl:NetworkAcl")
	require.Len(t, acls, 2)
	subnets := func(p resource.PropertyMap) []string {
		var out []string
		for _, v := range p["subnetIds"].ArrayValue() {
			out = append(out, v.StringValue())
		}
		return out
	}
	assert.Equal(t, []string{"subnet-web-a", "subnet-web-b"}, subnets(acls["mesh-nacl-web"]))
	assert.Equal(t, []string{"subnet-data-a", "subnet-data-b"}, subnets(acls["mesh-nacl-data"]))
	assert.Equal(t, "vpc-123", acls["mesh-nacl-web"]["vpcId"].StringValue())

	var web []string
	for _, in := range rec.of("aws:ec2/networkAclRule:NetworkAclRule") {
		if in["networkAclId"].StringValue() != "id-mesh-nacl-web" {
			continue
		}
		cidr := in["cidrBlock"]
		if cidr.IsNull() {
			cidr = in["ipv6CidrBlock"]
		}
		web = append(web, fmt.Sprintf("%v %s %v-%v icmp %v:%v %s", in["egress"].BoolValue(), in["protocol"].StringValue(),
			in["fromPort"].NumberValue(), in["toPort"].NumberValue(), in["icmpType"].V, in["icmpCode"].V, cidr.StringValue()))
	}
	slices.Sort(web)
	// Hand-derived: see nacl's TestEntries for tier web.
	assert.Equal(t, []string{
		"false 58 0-0 icmp 2:0 ::/0", // ICMPv6 by number: the provider knows it so
		"false icmp 0-0 icmp 3:4 0.0.0.0/0",
		"false tcp 1024-65535 icmp <nil>:<nil> 0.0.0.0/0",
		"false tcp 1024-65535 icmp <nil>:<nil> ::/0",
		"false tcp 22-22 icmp <nil>:<nil> 203.0.113.0/24",
		"false tcp 443-443 icmp <nil>:<nil> 10.0.0.0/24",
		"false udp 1024-65535 icmp <nil>:<nil> 0.0.0.0/0",
		"false udp 1024-65535 icmp <nil>:<nil> ::/0",
		"true -1 0-0 icmp <nil>:<nil> 0.0.0.0/0",
		"true -1 0-0 icmp <nil>:<nil> ::/0",
	}, web)
}
