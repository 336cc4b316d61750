package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reference"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/validate"
)

func ptr(i int) *int { return &i }

// mysql returns the reference's MySQL service for a test to break.
func service(m *spec.Mesh, name string) *spec.Service {
	for i := range m.Services {
		if m.Services[i].Name == name {
			return &m.Services[i]
		}
	}
	panic("no service " + name)
}

func TestBadInputs(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(m *spec.Mesh)
		want   string // the exact rendered finding
	}{
		{"unknown source service suggests the closest", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].From.Services = []string{"CustomerManagment-API"}
		}, `error [unknown-reference] service "MySQL" rule ingress[0]: from names unknown service "CustomerManagment-API"; fix: did you mean "CustomerManagement-API"?`},
		{"unknown network", func(m *spec.Mesh) {
			service(m, "AdminAccess").Ingress[0].From.Networks = []string{"ofice"}
		}, `error [unknown-reference] service "AdminAccess" rule ingress[0]: from names unknown network "ofice"; fix: did you mean "office"?`},
		{"duplicate service names", func(m *spec.Mesh) {
			m.Services = append(m.Services, spec.Service{Name: "MySQL", Tier: "data"})
		}, `error [duplicate-name] services[8]: duplicate service name "MySQL"; fix: rename one of the services called "MySQL"`},
		{"port above 65535", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].Ports = []int{70000}
		}, `error [invalid-port] service "MySQL" rule ingress[0]: port 70000 is outside 0-65535; fix: use a port from 0 to 65535`},
		{"negative port", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].Ports = []int{-1}
		}, `error [invalid-port] service "MySQL" rule ingress[0]: port -1 is outside 0-65535; fix: use a port from 0 to 65535`},
		{"range from > to", func(m *spec.Mesh) {
			r := &service(m, "MySQL").Ingress[0]
			r.Ports, r.PortRange = nil, &spec.PortRange{From: 3307, To: 3306}
		}, `error [invalid-port] service "MySQL" rule ingress[0]: port range 3307-3306 runs backwards; fix: write it as {from: 3306, to: 3307}`},
		{"unknown protocol", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].Protocol = "tpc"
		}, `error [invalid-protocol] service "MySQL" rule ingress[0]: unknown protocol "tpc"; fix: use tcp, udp, icmp, icmpv6, all, or an IP protocol number 0-255`},
		{"bad CIDR", func(m *spec.Mesh) {
			m.Networks[0].CidrBlocks = []string{"203.0.113.0/33"}
		}, `error [invalid-cidr] networks[0]: "203.0.113.0/33" is not a CIDR block; fix: write a CIDR such as 10.0.0.0/16 or 2001:db8::/32`},
		{"CIDR with host bits", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].From = spec.Peers{CidrBlocks: []string{"10.0.2.7/24"}}
		}, `error [invalid-cidr] service "MySQL" rule ingress[0]: "10.0.2.7/24" is not in canonical network form; fix: write it as 10.0.2.0/24`},
		{"undeclared tier", func(m *spec.Mesh) {
			service(m, "MySQL").Tier = "date"
		}, `error [unknown-reference] service "MySQL": service is in undeclared tier "date"; fix: did you mean "data"?`},
		{"ports on protocol all", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].Protocol = "all"
		}, `error [invalid-port] service "MySQL" rule ingress[0]: protocol all covers every port; fix: remove ports/portRange, or use tcp or udp to open specific ports`},
		{"tcp without ports", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].Ports = nil
		}, `error [invalid-port] service "MySQL" rule ingress[0]: tcp rule opens no ports; fix: add ports: [443] or portRange: {from: 1024, to: 65535}`},
		{"icmp code without type", func(m *spec.Mesh) {
			r := &service(m, "MySQL").Ingress[0]
			r.Protocol, r.Ports, r.IcmpCode = "icmp", nil, ptr(0)
		}, `error [invalid-port] service "MySQL" rule ingress[0]: icmpCode needs an icmpType; fix: set icmpType, or remove icmpCode`},
		{"rule without peers", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].From = spec.Peers{}
		}, `error [invalid-peer] service "MySQL" rule ingress[0]: rule has no peers in "from"; fix: set from: {services: [...]}, networks, tiers, cidrBlocks, prefixListIds, self or internet`},
		{"bad prefix list", func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].From = spec.Peers{PrefixListIDs: []string{"pl-xyz"}}
		}, `error [invalid-peer] service "MySQL" rule ingress[0]: "pl-xyz" is not a prefix list id; fix: use a managed prefix list id such as pl-0123456789abcdef0`},
		{"name starting with sg-", func(m *spec.Mesh) {
			m.Services = append(m.Services, spec.Service{Name: "sg-web", Tier: "web"})
		}, `error [invalid-name] service "sg-web": service name "sg-web" starts with sg-; fix: rename it; EC2 reserves names starting with sg-`},
		{"unknown egress policy", func(m *spec.Mesh) {
			m.Egress = "deny"
		}, `error [invalid-egress-policy]: unknown egress policy "deny"; fix: use allowAll, none or mirror`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := reference.Mesh()
			tt.break_(&m)
			_, err := plan.Build(m)
			require.Error(t, err)
			var fe *finding.Errors
			require.ErrorAs(t, err, &fe)
			var got []string
			for _, f := range fe.Findings {
				got = append(got, f.String())
			}
			assert.Equal(t, []string{tt.want}, got)
		})
	}
}

func TestReferenceIsClean(t *testing.T) {
	assert.Empty(t, validate.Mesh(reference.Mesh()))
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	_, err := spec.Decode([]byte("tiers: [{name: web}]\nservices: [{name: A, tier: web, ingress: [{portz: [1]}]}]"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "portz"`)
}
