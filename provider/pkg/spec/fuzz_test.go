package spec_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// FuzzDecode: no input panics the decoder; every rejection is an error value,
// and whatever it accepts survives a round trip through JSON unchanged (up to
// empty lists and maps against absent ones, which omitempty conflates).
//
//	go test ./provider/pkg/spec -run '^$' -fuzz FuzzDecode -fuzztime 30s
func FuzzDecode(f *testing.F) {
	f.Add(servicemesh.ReferenceYAML)
	f.Add([]byte(`{"tiers":[{"name":"web"}],"services":[{"name":"A","tier":"web","ingress":[{"ports":[443],"from":{"internet":true}}]}]}`))
	f.Add([]byte("tiers: [{name: web}]\nservices: [{name: A, tier: web, ingress: [{portRange: {from: 1, to: 2}, from: {self: true}}]}]"))
	f.Add([]byte("services: [{ingress: [{ports: [1e400]}]}]"))
	f.Add([]byte("{}{}"))
	f.Add([]byte("limits: {inboundRulesPerGroup: 50, groupsPerInterface: 5, rulesTimesGroups: 250, groupsPerRegion: 500}\ntags: {Team: net}\nservices: [{name: A, tier: web, attachedWith: [B], ingress: [{ports: [22], from: {internet: true}, exceptions: [{check: world-open-admin-port, reason: lab}]}]}]"))
	f.Add([]byte("a: &x [1, 2]\nb: *x\nlimits: {groupsPerInterface: 9223372036854775808}"))
	f.Add([]byte("services: [{name: A, ingress: [{icmpType: -1, icmpCode: null, portRange: null, from: {self: yes}}]}]\negress: mirror"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := spec.Decode(data)
		if err != nil {
			return
		}
		again, err := spec.DecodeJSON(mustJSON(t, m))
		if err != nil {
			t.Fatalf("a decoded declaration must decode again: %v", err)
		}
		emptyToNil(reflect.ValueOf(&m).Elem())
		emptyToNil(reflect.ValueOf(&again).Elem())
		assert.Equal(t, m, again, "round trip through JSON")
	})
}
