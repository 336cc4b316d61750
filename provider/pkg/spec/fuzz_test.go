package spec_test

import (
	"testing"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// FuzzDecode: no input panics the decoder; every rejection is an error value.
func FuzzDecode(f *testing.F) {
	f.Add(servicemesh.ReferenceYAML)
	f.Add([]byte(`{"tiers":[{"name":"web"}],"services":[{"name":"A","tier":"web","ingress":[{"ports":[443],"from":{"internet":true}}]}]}`))
	f.Add([]byte("tiers: [{name: web}]\nservices: [{name: A, tier: web, ingress: [{portRange: {from: 1, to: 2}, from: {self: true}}]}]"))
	f.Add([]byte("services: [{ingress: [{ports: [1e400]}]}]"))
	f.Add([]byte("{}{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := spec.Decode(data)
		if err != nil {
			return
		}
		if _, err := spec.DecodeJSON(mustJSON(t, m)); err != nil {
			t.Fatalf("a decoded declaration must decode again: %v", err)
		}
	})
}
