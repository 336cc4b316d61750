package hostflow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/hostflow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

func from(cidr string, port int) flow.Flow {
	return flow.Flow{From: flow.Endpoint{Kind: flow.CIDR, CIDR: cidr}, To: flow.Endpoint{Kind: flow.Group, Service: "Api"},
		Ports: ports.Range{Protocol: ports.TCP, From: port, To: port}, Declared: flow.Ingress}
}

func TestExposures(t *testing.T) {
	tests := []struct {
		name  string
		flows []flow.Flow
		want  []hostflow.Exposure
	}{
		{"the world is the world", []flow.Flow{from("0.0.0.0/0", 443)},
			[]hostflow.Exposure{{World: true, Whole: true, Together: []string{"0.0.0.0/0"}}}},
		{"halves together are the world", []flow.Flow{from("0.0.0.0/1", 8080), from("128.0.0.0/1", 8080)}, []hostflow.Exposure{
			{World: true, Whole: true, Together: []string{"0.0.0.0/1", "128.0.0.0/1"}},
			{World: true, Whole: true, Together: []string{"0.0.0.0/1", "128.0.0.0/1"}}}},
		{"one half is not, on a web port", []flow.Flow{from("0.0.0.0/1", 8080)}, []hostflow.Exposure{{}}},
		{"halves on different ports are not", []flow.Flow{from("0.0.0.0/1", 8080), from("128.0.0.0/1", 8081)}, []hostflow.Exposure{{}, {}}},
		{"IPv6 halves", []flow.Flow{from("::/1", 8080), from("8000::/1", 8080)}, []hostflow.Exposure{
			{World: true, Whole: true, Together: []string{"::/1", "8000::/1"}},
			{World: true, Whole: true, Together: []string{"::/1", "8000::/1"}}}},
		{"a /4 on SSH is as good as the world", []flow.Flow{from("64.0.0.0/4", 22)},
			[]hostflow.Exposure{{World: true, Together: []string{"64.0.0.0/4"}}}},
		{"two /5s on MySQL make a /4", []flow.Flow{from("64.0.0.0/5", 3306), from("96.0.0.0/5", 3306)}, []hostflow.Exposure{
			{World: true, Together: []string{"64.0.0.0/5", "96.0.0.0/5"}}, {World: true, Together: []string{"64.0.0.0/5", "96.0.0.0/5"}}}},
		{"10.0.0.0/8 on SSH is not", []flow.Flow{from("10.0.0.0/8", 22)}, []hostflow.Exposure{{}}},
		{"overlapping CIDRs count once", []flow.Flow{from("64.0.0.0/5", 22), from("64.0.0.0/6", 22)}, []hostflow.Exposure{{}, {}}},
		{"beside 0.0.0.0/0, a narrow CIDR is not the exposure", []flow.Flow{from("0.0.0.0/0", 22), from("10.0.0.0/8", 22)},
			[]hostflow.Exposure{{World: true, Whole: true, Together: []string{"0.0.0.0/0"}}, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, hostflow.Exposures(tt.flows))
		})
	}
}

func TestOf(t *testing.T) {
	g := func(s string) flow.Endpoint { return flow.Endpoint{Kind: flow.Group, Service: s} }
	office := flow.Endpoint{Kind: flow.CIDR, CIDR: "203.0.113.0/24"}
	ssh := ports.Range{Protocol: ports.TCP, From: 22, To: 22}
	flows := []flow.Flow{
		{From: office, To: g("Admin"), Ports: ssh},
		{From: g("Admin"), To: g("Logs"), Ports: ssh},
	}
	attachments := map[string][]string{"Admin": {"Admin"}, "Logs": {"Logs"}, "Web": {"Web", "Admin"}}
	type got struct {
		from, to, carrier string
		via               []string
	}
	var out []got
	for _, f := range hostflow.Of(flows, attachments) {
		out = append(out, got{f.From.Label(), f.To.Label(), f.Carrier, f.Via})
	}
	assert.Equal(t, []got{
		{"203.0.113.0/24", "Admin", "", nil},
		{"203.0.113.0/24", "Web", "Web", []string{"Admin"}},
		{"Admin", "Logs", "", nil},
		{"Web", "Logs", "Web", []string{"Admin"}},
	}, out)
}
