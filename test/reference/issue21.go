package reference

import (
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Service is the reference's service of that name, to change in place.
func Service(m *spec.Mesh, name string) *spec.Service {
	i := slices.IndexFunc(m.Services, func(s spec.Service) bool { return s.Name == name })
	if i < 0 {
		panic("no service " + name)
	}
	return &m.Services[i]
}

// The changes of issue 21 that hid access from the review, shared by the
// flow diff's and the review's tests.

// ExternalReports declares an external group Reports (tier app) with id,
// allowed into MySQL on 3306: two ids are a re-pointed group.
func ExternalReports(id string) func(*spec.Mesh) {
	return func(m *spec.Mesh) {
		m.ExternalGroups = []spec.ExternalGroup{{Name: "Reports", SecurityGroupID: id, Tier: "app"}}
		mysql := Service(m, "MySQL")
		mysql.Ingress = append(mysql.Ingress, spec.IngressRule{
			Traffic: spec.Traffic{Ports: []int{3306}}, From: spec.Peers{Services: []string{"Reports"}}})
	}
}

// UnusedTierAfterData appends a tier without services after data, and opens
// two flows: ELK → ELB-CustomerManagement-API (which sorts first by name)
// and Graphite → MySQL, into the data tier.
func UnusedTierAfterData(m *spec.Mesh) {
	m.Tiers = append(m.Tiers, spec.Tier{Name: "archive"})
	lb := Service(m, "ELB-CustomerManagement-API")
	lb.Ingress = append(lb.Ingress, spec.IngressRule{
		Traffic: spec.Traffic{Ports: []int{7201}}, From: spec.Peers{Services: []string{"ELK"}}})
	mysql := Service(m, "MySQL")
	mysql.Ingress = append(mysql.Ingress, spec.IngressRule{
		Traffic: spec.Traffic{Ports: []int{3306}}, From: spec.Peers{Services: []string{"Graphite"}}})
}
