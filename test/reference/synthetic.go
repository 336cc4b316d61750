package reference

import (
	"fmt"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Synthetic returns a valid mesh of n services for benchmarks: four tiers,
// services spread across them, each with 8 ingress rules (5 from services in
// its own or the outer neighbouring tier, 3 from the office network) plus the
// 2 allow-all egress rules, so about 10 rules per service.
func Synthetic(n int) spec.Mesh {
	tiers := []string{"dmz", "web", "app", "data"}
	m := spec.Mesh{Networks: []spec.Network{{Name: "office", CidrBlocks: []string{"203.0.113.0/24"}}}}
	for i, t := range tiers {
		m.Tiers = append(m.Tiers, spec.Tier{Name: t, CidrBlocks: []string{fmt.Sprintf("10.0.%d.0/24", i)}})
	}
	name := func(i int) string { return fmt.Sprintf("svc-%04d", i) }
	for i := range n {
		s := spec.Service{Name: name(i), Tier: tiers[i%len(tiers)]}
		for k := 1; k <= 5; k++ {
			// Odd k: a caller in i's own tier; even k: one in the outer
			// neighbouring tier (or its own, in the outermost), k rows back,
			// wrapping within that tier so every flow passes tier adjacency.
			t := i % len(tiers)
			if k%2 == 0 && t > 0 {
				t--
			}
			rows := (n - t + len(tiers) - 1) / len(tiers)
			caller := ((i/len(tiers)-k)%rows+rows)%rows*len(tiers) + t
			if caller == i || caller >= n {
				continue
			}
			s.Ingress = append(s.Ingress, spec.IngressRule{
				Traffic: spec.Traffic{Ports: []int{8000 + k}},
				From:    spec.Peers{Services: []string{name(caller)}},
			})
		}
		s.Ingress = append(s.Ingress, spec.IngressRule{
			Traffic: spec.Traffic{Ports: []int{9100, 9101, 9102}},
			From:    spec.Peers{Networks: []string{"office"}},
		})
		m.Services = append(m.Services, s)
	}
	return m
}
