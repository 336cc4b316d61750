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

var service = reference.Service

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
		// AdminAccess admits office on 22, and five services carry it.
		{name: "a CIDR added to a named network: one opened flow per host admitting it", change: func(m *spec.Mesh) {
			m.Networks[0].CidrBlocks = append(m.Networks[0].CidrBlocks, "198.51.100.0/24")
		}, opened: []row{
			{"network:office (198.51.100.0/24)", "MySQL", "tcp/22"},
			{"network:office (198.51.100.0/24)", "AdminAccess", "tcp/22"},
			{"network:office (198.51.100.0/24)", "CustomerManagement-API", "tcp/22"},
			{"network:office (198.51.100.0/24)", "ELK", "tcp/22 tcp/5601"},
			{"network:office (198.51.100.0/24)", "FrontEnd-Web", "tcp/22"},
			{"network:office (198.51.100.0/24)", "Graphite", "tcp/22 tcp/80 tcp/443"},
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
			{"ELK", "MySQL", "tcp/2222 tcp/3306"}, // MySQL's hosts carry AdminAccess
			{"ELK", "AdminAccess", "tcp/2222"},
			{"ELK", "CustomerManagement-API", "tcp/2222"},
			{"ELK", "ELK", "tcp/2222"},
			{"ELK", "FrontEnd-Web", "tcp/2222"},
			{"ELK", "Graphite", "tcp/2222"},
		}},
		{name: "a service removed closes its flows and its callers' flows", change: func(m *spec.Mesh) {
			m.Services = slices.DeleteFunc(m.Services, func(s spec.Service) bool { return s.Name == "MySQL" })
			// Without MySQL, app is the innermost tier holding services: app
			// and data are both sensitive for this change (SensitiveTiers).
		}, closed: []row{
			{"MySQL", "ELK", "tcp/5044 tcp/9200"}, // as a carrier of AdminAccess
			{"MySQL", "Graphite", "tcp/2003 udp/8125"},
			{"CustomerManagement-API", "MySQL", "tcp/3306"},
			{"MySQL", "MySQL", "tcp/1186 tcp/2202"},
			{"network:office (203.0.113.0/24)", "MySQL", "tcp/22"}, // by AdminAccess, which it carried
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
		CallerTier: "web", CalleeTier: "data", IntoSensitive: true,
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
	opened := map[row]bool{}
	for _, c := range d.Opened {
		for _, port := range c.Ports {
			opened[row{c.Caller, c.Callee, port}] = true
		}
	}
	for _, f := range p.Flows {
		assert.True(t, opened[row{f.From.Label(), f.To.Label(), f.Ports.String()}], "every declared flow of a new mesh is opened: %v", f)
	}
	assert.True(t, opened[row{"network:office (203.0.113.0/24)", "MySQL", "tcp/22"}], "and the flows of the groups its hosts carry")
	assert.True(t, d.Opened[0].WorldOpen, "the internet-facing ELB's flows stand first")
	assert.Equal(t, "ELB-FrontEnd-Web", d.Opened[0].Callee)
	assert.Equal(t, flowdiff.Diff{Opened: []flowdiff.Change{}, Closed: d.Opened}, flowdiff.Compare(p, nil))
	for range 20 {
		require.Equal(t, d, flowdiff.Compare(nil, p), "deterministic")
	}
}

// The ways issue 21 hid access from the flow diff, each a change that must
// open a flow marked for the reviewer.
func TestCompareHiddenAccess(t *testing.T) {
	halves := func(m *spec.Mesh) {
		m.Networks = append(m.Networks, spec.Network{Name: "everyone", CidrBlocks: []string{"0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"}})
		service(m, "Graphite").Ingress = append(service(m, "Graphite").Ingress, spec.IngressRule{
			Traffic: spec.Traffic{Ports: []int{22, 3306}, Exceptions: []spec.Exception{{Check: "wide-cidr", Reason: "partners"}}},
			From:    spec.Peers{Networks: []string{"everyone"}}})
	}
	tests := []struct {
		name      string
		old, new  func(*spec.Mesh)
		first     row
		world     bool
		sensitive bool
		via       []string
	}{
		{name: "A: MySQL's hosts carry the public load balancer's group", old: func(*spec.Mesh) {},
			new: func(m *spec.Mesh) {
				service(m, "MySQL").AttachedWith = []string{"AdminAccess", "ELB-FrontEnd-Web"}
			}, first: row{"internet (0.0.0.0/0)", "MySQL", "tcp/80 tcp/443"}, world: true, sensitive: true, via: []string{"ELB-FrontEnd-Web"}},
		{name: "A: web hosts join the data group's self rules", old: func(*spec.Mesh) {},
			new: func(m *spec.Mesh) {
				service(m, "FrontEnd-Web").AttachedWith = []string{"AdminAccess", "MySQL"}
			}, first: row{"FrontEnd-Web", "MySQL", "tcp/1186 tcp/2202"}, sensitive: true, via: []string{"MySQL"}},
		{name: "B: the world split into halves on admin and database ports", old: func(*spec.Mesh) {}, new: halves,
			first: row{"network:everyone (0.0.0.0/1)", "Graphite", "tcp/22 tcp/3306"}, world: true},
		{name: "D: an external group re-pointed", old: reference.ExternalReports("sg-0aaaaaaaaaaaaaaaa"), new: reference.ExternalReports("sg-0bbbbbbbbbbbbbbbb"),
			first: row{"Reports (sg-0bbbbbbbbbbbbbbbb)", "MySQL", "tcp/3306"}, sensitive: true},
		{name: "E: an unused tier after data", old: func(*spec.Mesh) {}, new: reference.UnusedTierAfterData,
			first: row{"Graphite", "MySQL", "tcp/3306"}, sensitive: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, cur := reference.Mesh(), reference.Mesh()
			tt.old(&old)
			tt.new(&cur)
			after, _ := plan.Build(cur) // the guardrails refuse most: the flows are resolved all the same
			d := flowdiff.Compare(build(t, old), after)
			require.NotEmpty(t, d.Opened)
			assert.Equal(t, tt.first, rows(d.Opened)[0])
			assert.Equal(t, tt.world, d.Opened[0].WorldOpen, "world-open")
			assert.Equal(t, tt.sensitive, d.Opened[0].IntoSensitive, "into the data tier")
			assert.Equal(t, tt.via, d.Opened[0].Via)
		})
	}
}

func TestCompareReportsTierChanges(t *testing.T) {
	m := reference.Mesh()
	m.Tiers = append(m.Tiers, spec.Tier{Name: "archive"})
	d := flowdiff.Compare(build(t, reference.Mesh()), build(t, m))
	require.NotNil(t, d.Tiers)
	assert.Equal(t, flowdiff.TierChange{Old: []string{"dmz", "web", "app", "data"}, New: []string{"dmz", "web", "app", "data", "archive"}}, *d.Tiers)
	assert.False(t, d.Empty(), "a tier change is a change")
	assert.Nil(t, flowdiff.Compare(build(t, m), build(t, m)).Tiers)
}
