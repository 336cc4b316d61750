package flowdiff_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowdiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

func build(t *testing.T, m spec.Mesh) *plan.Plan {
	t.Helper()
	p, err := plan.Build(m)
	require.NoError(t, err)
	return p
}

func service(m *spec.Mesh, name string) *spec.Service {
	i := slices.IndexFunc(m.Services, func(s spec.Service) bool { return s.Name == name })
	if i < 0 {
		panic("no service " + name)
	}
	return &m.Services[i]
}

// row is a Change as a reviewer reads it.
type row struct{ caller, callee, ports string }

func rows(cs []flowdiff.Change) []row {
	out := []row{}
	for _, c := range cs {
		p := ""
		for i, s := range c.Ports {
			if i > 0 {
				p += " "
			}
			p += s
		}
		out = append(out, row{c.Caller, c.Callee, p})
	}
	return out
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name           string
		change         func(*spec.Mesh)
		opened, closed []row
	}{
		{name: "nothing", change: func(*spec.Mesh) {}},
		{name: "reorder services, rules, ports and peers", change: func(m *spec.Mesh) {
			slices.Reverse(m.Services)
			for i := range m.Services {
				slices.Reverse(m.Services[i].Ingress)
				for j := range m.Services[i].Ingress {
					slices.Reverse(m.Services[i].Ingress[j].Ports)
				}
			}
			slices.Reverse(m.Tiers[0].CidrBlocks)
		}},
		{name: "rename the groups (namePrefix) changes resources, not flows", change: func(m *spec.Mesh) {
			m.NamePrefix = "prod-"
		}},
		{name: "a CIDR added to a named network: one opened flow per service admitting it", change: func(m *spec.Mesh) {
			m.Networks[0].CidrBlocks = append(m.Networks[0].CidrBlocks, "198.51.100.0/24")
		}, opened: []row{
			{"network:office (198.51.100.0/24)", "AdminAccess", "tcp/22"},
			{"network:office (198.51.100.0/24)", "ELK", "tcp/5601"},
			{"network:office (198.51.100.0/24)", "Graphite", "tcp/80 tcp/443"},
		}},
		{name: "a port changed", change: func(m *spec.Mesh) {
			service(m, "MySQL").Ingress[0].Ports = []int{3307}
		},
			opened: []row{{"CustomerManagement-API", "MySQL", "tcp/3307"}},
			closed: []row{{"CustomerManagement-API", "MySQL", "tcp/3306"}}},
		{name: "world-open and data-tier flows first", change: func(m *spec.Mesh) {
			service(m, "Graphite").Ingress = append(service(m, "Graphite").Ingress, spec.IngressRule{
				Traffic: spec.Traffic{Ports: []int{443}, Exceptions: []spec.Exception{{Check: "world-open", Reason: "public status page"}}},
				From:    spec.Peers{Internet: true}})
			service(m, "MySQL").Ingress = append(service(m, "MySQL").Ingress, spec.IngressRule{
				Traffic: spec.Traffic{Ports: []int{3306}}, From: spec.Peers{Services: []string{"ELK"}}})
			service(m, "AdminAccess").Ingress = append(service(m, "AdminAccess").Ingress, spec.IngressRule{
				Traffic: spec.Traffic{Ports: []int{2222}}, From: spec.Peers{Services: []string{"ELK"}}})
		}, opened: []row{
			{"internet (0.0.0.0/0)", "Graphite", "tcp/443"},
			{"internet (::/0)", "Graphite", "tcp/443"},
			{"ELK", "MySQL", "tcp/3306"},
			{"ELK", "AdminAccess", "tcp/2222"},
		}},
		{name: "a service removed closes its flows and its callers' flows", change: func(m *spec.Mesh) {
			m.Services = slices.DeleteFunc(m.Services, func(s spec.Service) bool { return s.Name == "MySQL" })
		}, closed: []row{
			{"CustomerManagement-API", "MySQL", "tcp/3306"},
			{"MySQL", "MySQL", "tcp/1186 tcp/2202"},
			{"MySQL", "internet (0.0.0.0/0)", "all"},
			{"MySQL", "internet (::/0)", "all"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := reference.Mesh()
			tt.change(&m)
			d := flowdiff.Compare(build(t, reference.Mesh()), build(t, m))
			assert.Equal(t, append([]row{}, tt.opened...), rows(d.Opened), "opened")
			assert.Equal(t, append([]row{}, tt.closed...), rows(d.Closed), "closed")
			assert.Equal(t, len(tt.opened)+len(tt.closed) == 0, d.Empty())
		})
	}
}

func TestCompareDetails(t *testing.T) {
	m := reference.Mesh()
	mysql := service(&m, "MySQL")
	mysql.Ingress = append(mysql.Ingress, spec.IngressRule{
		Traffic: spec.Traffic{Ports: []int{3306}, Description: "reports read the database directly",
			Exceptions: []spec.Exception{{Check: "tier-adjacency", Reason: "reporting, approved in SEC-42"}}},
		From: spec.Peers{Services: []string{"FrontEnd-Web"}}})
	d := flowdiff.Compare(build(t, reference.Mesh()), build(t, m))
	require.Len(t, d.Opened, 1)
	assert.Equal(t, flowdiff.Change{
		Caller: "FrontEnd-Web", Callee: "MySQL", Ports: []string{"tcp/3306"},
		CallerTier: "web", CalleeTier: "data", IntoInnermost: true,
		Exceptions:   []spec.Exception{{Check: "tier-adjacency", Reason: "reporting, approved in SEC-42"}},
		Rules:        []string{"MySQL ingress[2]"},
		Descriptions: []string{"reports read the database directly"},
	}, d.Opened[0])
	assert.Empty(t, d.Closed)
}

func TestCompareFromNothing(t *testing.T) {
	p := build(t, reference.Mesh())
	d := flowdiff.Compare(nil, p)
	assert.Empty(t, d.Closed)
	n := 0
	for _, c := range d.Opened {
		n += len(c.Ports)
	}
	assert.Equal(t, len(p.Flows), n, "every flow of a new mesh is opened")
	assert.True(t, d.Opened[0].WorldOpen, "the internet-facing ELB's flows stand first")
	assert.Equal(t, "ELB-FrontEnd-Web", d.Opened[0].Callee)
	assert.Equal(t, flowdiff.Diff{Opened: []flowdiff.Change{}, Closed: d.Opened}, flowdiff.Compare(p, nil))
	for range 20 {
		require.Equal(t, d, flowdiff.Compare(nil, p), "deterministic")
	}
}
