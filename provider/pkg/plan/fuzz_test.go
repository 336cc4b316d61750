package plan_test

import (
	"errors"
	"testing"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// FuzzPlan: any decodable declaration either plans or fails with findings;
// nothing panics, and a plan is the same when built twice.
func FuzzPlan(f *testing.F) {
	f.Add(servicemesh.ReferenceYAML)
	f.Add([]byte("tiers: [{name: a}, {name: b}, {name: c}]\nservices: [{name: X, tier: a}, {name: Y, tier: c, ingress: [{ports: [1], from: {services: [X]}}]}]"))
	f.Add([]byte("tiers: [{name: a, cidrBlocks: ['::/0']}]\nservices: [{name: X, tier: a, ingress: [{protocol: icmpv6, from: {tiers: [a]}}], egress: [{protocol: '50', to: {internet: true}}]}]\negress: mirror"))
	f.Add([]byte("tiers: [{name: a}]\nservices: [{name: X, tier: a, ingress: [{protocol: icmp, icmpType: 8, from: {prefixListIds: [pl-0123456789abcdef0]}}]}]\nlimits: {groupsPerInterface: 17}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := spec.Decode(data)
		if err != nil {
			return
		}
		p, err := plan.Build(m)
		var fe *finding.Errors
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("plan failed without findings: %v", err)
		}
		if err != nil {
			if len(fe.Findings) == 0 {
				t.Fatal("an error must carry at least one finding")
			}
			return
		}
		again, _ := plan.Build(m)
		if len(again.Rules) != len(p.Rules) || len(again.Flows) != len(p.Flows) {
			t.Fatal("planning is not deterministic")
		}
	})
}
