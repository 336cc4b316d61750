package plandiff_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/golden"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

func service(m *spec.Mesh, name string) *spec.Service {
	i := slices.IndexFunc(m.Services, func(s spec.Service) bool { return s.Name == name })
	if i < 0 {
		panic("no service " + name)
	}
	return &m.Services[i]
}

func build(t *testing.T, m spec.Mesh) *plan.Plan {
	t.Helper()
	p, err := plan.Build(m)
	require.NoError(t, err)
	return p
}

// groupNames is every group of the reference, as the component names them.
var groupNames = []string{"mesh-AdminAccess", "mesh-CustomerManagement-API", "mesh-ELB-CustomerManagement-API",
	"mesh-ELB-FrontEnd-Web", "mesh-ELK", "mesh-FrontEnd-Web", "mesh-Graphite", "mesh-MySQL"}

// Scenario is a change to the reference architecture and its expected diff.
type scenario struct {
	name   string
	golden string // testdata file of the diff's Text, if any
	change func(*spec.Mesh)
	want   map[plandiff.Op][]string
	// replaceAll: every resource is replaced (too many to list).
	replaceAll bool
}

var scenarios = []scenario{
	{name: "nothing", change: func(*spec.Mesh) {}},
	{name: "reorder services and rules", change: func(m *spec.Mesh) {
		slices.Reverse(m.Services)
		for i := range m.Services {
			slices.Reverse(m.Services[i].Ingress)
		}
	}},
	{name: "port change", golden: "port-change.txt", change: func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].Ports = []int{3307}
	}, want: map[plandiff.Op][]string{
		plandiff.Create: {"mesh-MySQL-ingress-tcp-3307-sg_CustomerManagement-API"},
		plandiff.Delete: {"mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API"},
	}},
	{name: "rule description", golden: "rule-description.txt", change: func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].Description = "SQL from the API"
	}, want: map[plandiff.Op][]string{
		plandiff.Update: {"mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API"},
	}},
	{name: "service description is a tag", golden: "service-description.txt", change: func(m *spec.Mesh) {
		service(m, "MySQL").Description = "MySQL NDB cluster"
	}, want: map[plandiff.Op][]string{plandiff.Update: {"mesh-MySQL"}}},
	{name: "mesh tags", change: func(m *spec.Mesh) { m.Tags = map[string]string{"Team": "net"} },
		want: map[plandiff.Op][]string{plandiff.Update: groupNames}},
	{name: "add a service", golden: "add-service.txt", change: func(m *spec.Mesh) {
		m.Services = append(m.Services, spec.Service{Name: "Redis", Tier: "data", Ingress: []spec.IngressRule{{
			Traffic: spec.Traffic{Ports: []int{6379}}, From: spec.Peers{Services: []string{"CustomerManagement-API"}},
		}}})
	}, want: map[plandiff.Op][]string{plandiff.Create: {
		"mesh-Redis", "mesh-Redis-egress-all-.._0", "mesh-Redis-egress-all-0.0.0.0_0",
		"mesh-Redis-ingress-tcp-6379-sg_CustomerManagement-API",
	}}},
	{name: "remove a service", change: func(m *spec.Mesh) {
		i := slices.IndexFunc(m.Services, func(s spec.Service) bool { return s.Name == "MySQL" })
		m.Services = slices.Delete(m.Services, i, i+1)
	}, want: map[plandiff.Op][]string{plandiff.Delete: {
		"mesh-MySQL", "mesh-MySQL-egress-all-.._0", "mesh-MySQL-egress-all-0.0.0.0_0",
		"mesh-MySQL-ingress-tcp-1186-self", "mesh-MySQL-ingress-tcp-2202-self",
		"mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API",
	}}},
	{name: "add a CIDR to the office", change: func(m *spec.Mesh) {
		m.Networks[0].CidrBlocks = append(m.Networks[0].CidrBlocks, "198.51.100.0/24")
	}, want: map[plandiff.Op][]string{plandiff.Create: {
		"mesh-AdminAccess-ingress-tcp-22-198.51.100.0_24", "mesh-ELK-ingress-tcp-5601-198.51.100.0_24",
		"mesh-Graphite-ingress-tcp-443-198.51.100.0_24", "mesh-Graphite-ingress-tcp-80-198.51.100.0_24",
	}}},
	{name: "egress none", change: func(m *spec.Mesh) { m.Egress = spec.EgressNone }, want: map[plandiff.Op][]string{
		plandiff.Delete: allowAllEgress(),
	}},
	{name: "egress mirror", change: func(m *spec.Mesh) { m.Egress = spec.EgressMirror }, want: map[plandiff.Op][]string{
		// The caller's side of every group-to-group ingress rule, self included.
		plandiff.Create: {
			"mesh-AdminAccess-egress-tcp-2003-sg_Graphite", "mesh-AdminAccess-egress-tcp-5044-sg_ELK",
			"mesh-AdminAccess-egress-tcp-9200-sg_ELK", "mesh-AdminAccess-egress-udp-8125-sg_Graphite",
			"mesh-CustomerManagement-API-egress-tcp-3306-sg_MySQL",
			"mesh-ELB-CustomerManagement-API-egress-tcp-7500-sg_CustomerManagement-API",
			"mesh-ELB-FrontEnd-Web-egress-tcp-443-sg_FrontEnd-Web",
			"mesh-FrontEnd-Web-egress-tcp-7200-sg_ELB-CustomerManagement-API",
			"mesh-MySQL-egress-tcp-1186-self", "mesh-MySQL-egress-tcp-2202-self",
		},
		plandiff.Delete: allowAllEgress(),
	}},
	{name: "rename a service", change: func(m *spec.Mesh) { service(m, "MySQL").Name = "MySQL-Cluster" },
		want: map[plandiff.Op][]string{
			plandiff.Create: {
				"mesh-MySQL-Cluster", "mesh-MySQL-Cluster-egress-all-.._0", "mesh-MySQL-Cluster-egress-all-0.0.0.0_0",
				"mesh-MySQL-Cluster-ingress-tcp-1186-self", "mesh-MySQL-Cluster-ingress-tcp-2202-self",
				"mesh-MySQL-Cluster-ingress-tcp-3306-sg_CustomerManagement-API",
			},
			plandiff.Delete: {
				"mesh-MySQL", "mesh-MySQL-egress-all-.._0", "mesh-MySQL-egress-all-0.0.0.0_0",
				"mesh-MySQL-ingress-tcp-1186-self", "mesh-MySQL-ingress-tcp-2202-self",
				"mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API",
			},
		}},
	{name: "add an IPv6 CIDR to the office", change: func(m *spec.Mesh) {
		m.Networks[0].CidrBlocks = append(m.Networks[0].CidrBlocks, "2001:db8::/48")
	}, want: map[plandiff.Op][]string{plandiff.Create: {
		"mesh-AdminAccess-ingress-tcp-22-2001.db8.._48", "mesh-ELK-ingress-tcp-5601-2001.db8.._48",
		"mesh-Graphite-ingress-tcp-443-2001.db8.._48", "mesh-Graphite-ingress-tcp-80-2001.db8.._48",
	}}},
	{name: "name prefix replaces every group and so every rule", golden: "name-prefix.txt",
		change: func(m *spec.Mesh) { m.NamePrefix = "prod-" }, replaceAll: true},
	{name: "another VPC replaces every group and so every rule",
		change: func(m *spec.Mesh) { m.VpcID = "vpc-2" }, replaceAll: true},
}

func allowAllEgress() []string {
	var out []string
	for _, g := range groupNames {
		out = append(out, g+"-egress-all-.._0", g+"-egress-all-0.0.0.0_0")
	}
	slices.Sort(out)
	return out
}

func TestCompare(t *testing.T) {
	base := reference.Mesh()
	base.VpcID = "vpc-1"
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			m := reference.Mesh()
			m.VpcID = "vpc-1"
			sc.change(&m)
			d, err := plandiff.CompareSpecs("mesh", base, m)
			require.NoError(t, err)
			want := sc.want
			if sc.replaceAll {
				want = map[plandiff.Op][]string{plandiff.Replace: everyName(build(t, m))}
			}
			// The changes, op by op, in the order Diff documents (create,
			// delete, replace, update; then by name), and the name lists
			// agree with them.
			var wantChanges, gotChanges []string
			for _, op := range []plandiff.Op{plandiff.Create, plandiff.Delete, plandiff.Replace, plandiff.Update} {
				names := want[op]
				if names == nil {
					names = []string{}
				}
				assert.Equal(t, names, d.Names(op), string(op))
				for _, n := range names {
					wantChanges = append(wantChanges, string(op)+" "+n)
				}
			}
			for _, c := range d.Changes {
				gotChanges = append(gotChanges, string(c.Op)+" "+c.Name)
			}
			assert.Equal(t, wantChanges, gotChanges)
			if sc.golden != "" {
				golden.Check(t, sc.golden, d.Text())
			}
		})
	}
}

// everyName is every resource of a plan as the component "mesh" names them
// (package rule owns the rule names), sorted.
func everyName(p *plan.Plan) []string {
	var out []string
	for _, g := range p.Groups {
		out = append(out, "mesh-"+g.Service)
	}
	for _, r := range p.Rules {
		out = append(out, "mesh-"+rule.Name(r))
	}
	slices.Sort(out)
	return out
}

func TestGoldenJSON(t *testing.T) {
	m := reference.Mesh()
	service(&m, "MySQL").Ingress[0].Ports = []int{3307}
	service(&m, "MySQL").Ingress[1].Description = "NDB cluster traffic"
	d, err := plandiff.CompareSpecs("mesh", reference.Mesh(), m)
	require.NoError(t, err)
	golden.Check(t, "mixed.json", d.JSON())
}

func TestNoChangesText(t *testing.T) {
	d, err := plandiff.CompareSpecs("web", reference.Mesh(), reference.Mesh())
	require.NoError(t, err)
	assert.True(t, d.Empty())
	assert.Equal(t, "ServiceMesh \"web\": no changes\n", d.Text())
}

func TestMeshNameIsThePrefix(t *testing.T) {
	m := reference.Mesh()
	service(&m, "MySQL").Ingress[0].Ports = []int{3307}
	d, err := plandiff.CompareSpecs("prod-net", reference.Mesh(), m)
	require.NoError(t, err)
	assert.Equal(t, []string{"prod-net-MySQL-ingress-tcp-3307-sg_CustomerManagement-API"}, d.Create)
}

func TestVPCOnOneSideOnlyIsUnchanged(t *testing.T) {
	m := reference.Mesh()
	m.VpcID = "vpc-2"
	d, err := plandiff.CompareSpecs("mesh", reference.Mesh(), m)
	require.NoError(t, err)
	assert.True(t, d.Empty(), "an unknown VPC is not a change")
}

func TestReplacedGroupReplacesRulesNamingIt(t *testing.T) {
	d, err := plandiff.CompareSpecs("mesh", reference.Mesh(), func() spec.Mesh {
		m := reference.Mesh()
		m.NamePrefix = "prod-"
		return m
	}())
	require.NoError(t, err)
	i := slices.IndexFunc(d.Changes, func(c plandiff.Change) bool {
		return c.Name == "mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API"
	})
	require.GreaterOrEqual(t, i, 0)
	c := d.Changes[i]
	assert.Equal(t, plandiff.Replace, c.Op)
	assert.Equal(t, []plandiff.Field{
		{Name: "securityGroupId", Old: "id of mesh-MySQL", New: "unknown until mesh-MySQL is replaced", Replaces: true},
		{Name: "sourceSecurityGroupId", Old: "id of mesh-CustomerManagement-API", New: "unknown until mesh-CustomerManagement-API is replaced", Replaces: true},
	}, c.Fields)
	assert.Contains(t, d.Text(), "Caution: 8 security group(s) replaced.")
}

func TestCompareSpecsRefusesErrors(t *testing.T) {
	bad := reference.Mesh()
	bad.Services[0].Tier = "nowhere"
	_, err := plandiff.CompareSpecs("mesh", reference.Mesh(), bad)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "new declaration: "), err.Error())
}
