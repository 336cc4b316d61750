// Package planfuzz holds FuzzPlan apart from package plan's tests, one of
// which goes through the provider and so Pulumi's SDK: fuzzing instruments
// every package a test binary builds, and pulumi-aws instrumented costs
// many minutes of compile time.
package planfuzz_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// FuzzPlan: any decodable declaration either plans or fails with a
// *finding.Errors of well-formed error findings; nothing panics; a plan is
// the same when built twice, and accounts for every group in quotaUsage.
//
//	go test ./provider/pkg/plan/planfuzz -run '^$' -fuzz FuzzPlan -fuzztime 30s
func FuzzPlan(f *testing.F) {
	f.Add(servicemesh.ReferenceYAML)
	f.Add(append(slices.Clone(servicemesh.ReferenceYAML), []byte("egress: mirror\nnamePrefix: prod-\nlimits: {inboundRulesPerGroup: 50, outboundRulesPerGroup: 50, rulesTimesGroups: 250, groupsPerRegion: 500}\ntags: {Team: net}\n")...))
	f.Add([]byte("tiers: [{name: a}, {name: b}, {name: c}]\nservices: [{name: X, tier: a}, {name: Y, tier: c, ingress: [{ports: [1], from: {services: [X]}, exceptions: [{check: tier-adjacency, reason: r}]}]}]"))
	f.Add([]byte("tiers: [{name: a, cidrBlocks: ['10.0.0.0/24']}, {name: b}, {name: c}]\nservices: [{name: Y, tier: c, attachedWith: [Y, Y], ingress: [{portRange: {from: 0, to: 65535}, from: {cidrBlocks: ['10.0.0.0/8', '::/0']}}]}]"))
	f.Add([]byte("tiers: [{name: a, cidrBlocks: ['::/0']}]\nservices: [{name: X, tier: a, ingress: [{protocol: icmpv6, from: {tiers: [a]}}], egress: [{protocol: '50', to: {internet: true}}]}]\negress: mirror"))
	f.Add([]byte("tiers: [{name: a}]\nservices: [{name: X, tier: a, internetFacing: true, ingress: [{protocol: all, from: {internet: true}, exceptions: [{check: world-open-all, reason: lab}, {check: nope, reason: x}]}]}]\nlimits: {groupsPerInterface: 17, inboundRulesPerGroup: 4611686018427387904}"))
	f.Add([]byte("tiers: [{name: a}]\nservices: [{name: X, tier: a, ingress: [{protocol: icmp, icmpType: 8, from: {prefixListIds: [pl-0123456789abcdef0]}, description: 'R&D'}]}, {name: x, tier: a}]\nnamePrefix: sg-"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := spec.Decode(data)
		if err != nil {
			return
		}
		p, err := plan.Build(m)
		if err != nil {
			var fe *finding.Errors
			if !errors.As(err, &fe) {
				t.Fatalf("plan failed without findings: %v", err)
			}
			if len(fe.Findings) == 0 {
				t.Fatal("an error must carry at least one finding")
			}
			for _, f := range fe.Findings {
				if f.Severity != finding.Error || f.Check == "" || f.Message == "" {
					t.Fatalf("malformed finding: %#v", f)
				}
			}
			return
		}
		if want := 6*len(m.Services) + 2; len(p.QuotaUsage) != want {
			t.Fatalf("quotaUsage has %d figures, want %d", len(p.QuotaUsage), want)
		}
		again, err := plan.Build(m)
		if err != nil {
			t.Fatalf("second build failed: %v", err)
		}
		a, _ := json.Marshal(p)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatal("planning is not deterministic")
		}
	})
}
