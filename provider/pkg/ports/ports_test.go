package ports_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

func tcp(from, to int) ports.Range   { return ports.Range{Protocol: ports.TCP, From: from, To: to} }
func udp(from, to int) ports.Range   { return ports.Range{Protocol: ports.UDP, From: from, To: to} }
func icmp(typ, code int) ports.Range { return ports.Range{Protocol: ports.ICMP, From: typ, To: code} }

var all = ports.Range{Protocol: ports.All}

// Covers drives the shadowed-rule warning: a wrong true hides a rule's
// purpose, a wrong false misses redundancy.
func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		name string
		r, o ports.Range
		want bool
	}{
		{"same port", tcp(443, 443), tcp(443, 443), true},
		{"range holds port", tcp(1024, 65535), tcp(8080, 8080), true},
		{"range holds its ends", tcp(1024, 2048), tcp(1024, 2048), true},
		{"range holds lower end", tcp(1024, 2048), tcp(1024, 1024), true},
		{"range holds upper end", tcp(1024, 2048), tcp(2048, 2048), true},
		{"overlap is not cover", tcp(1024, 2048), tcp(2000, 3000), false},
		{"port does not cover range", tcp(443, 443), tcp(440, 450), false},
		{"below", tcp(1024, 2048), tcp(1023, 1023), false},
		{"above", tcp(1024, 2048), tcp(2049, 2049), false},
		{"other protocol", tcp(0, 65535), udp(53, 53), false},
		{"all covers tcp", all, tcp(22, 22), true},
		{"all covers icmp", all, icmp(-1, -1), true},
		{"all covers a bare protocol", all, ports.Range{Protocol: "50"}, true},
		{"all covers all", all, all, true},
		{"tcp does not cover all", tcp(0, 65535), all, false},
		{"bare protocol covers itself", ports.Range{Protocol: "50"}, ports.Range{Protocol: "50"}, true},
		{"bare protocol is not another", ports.Range{Protocol: "50"}, ports.Range{Protocol: "51"}, false},
		{"icmp all covers a type", icmp(-1, -1), icmp(8, 0), true},
		{"icmp type covers its codes", icmp(3, -1), icmp(3, 4), true},
		{"icmp type covers itself", icmp(3, -1), icmp(3, -1), true},
		{"icmp type and code cover only themselves", icmp(3, 4), icmp(3, 4), true},
		{"icmp code does not cover its type", icmp(3, 4), icmp(3, -1), false},
		{"icmp type does not cover another", icmp(3, -1), icmp(8, 0), false},
		{"icmp type does not cover all", icmp(8, -1), icmp(-1, -1), false},
		{"icmp is not icmpv6", icmp(-1, -1), ports.Range{Protocol: ports.ICMPv6, From: -1, To: -1}, false},
	} {
		assert.Equal(t, tc.want, tc.r.Covers(tc.o), tc.name)
	}
}

func TestStringSlugEC2(t *testing.T) {
	for _, tc := range []struct {
		r              ports.Range
		text, slug     string
		ec2From, ec2To int
	}{
		{tcp(443, 443), "tcp/443", "tcp-443", 443, 443},
		{tcp(1024, 65535), "tcp/1024-65535", "tcp-1024-65535", 1024, 65535},
		{udp(8125, 8125), "udp/8125", "udp-8125", 8125, 8125},
		{icmp(-1, -1), "icmp/all", "icmp-all", -1, -1},
		{icmp(8, -1), "icmp/8", "icmp-8", 8, -1},
		{icmp(3, 4), "icmp/3:4", "icmp-3-4", 3, 4},
		{all, "all", "all", 0, 0},
		{ports.Range{Protocol: "50"}, "proto50", "proto50", 0, 0},
	} {
		assert.Equal(t, tc.text, tc.r.String())
		assert.Equal(t, tc.slug, tc.r.Slug())
		from, to := tc.r.EC2()
		assert.Equal(t, [2]int{tc.ec2From, tc.ec2To}, [2]int{from, to}, tc.text)
	}
}

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ports.Range
		err  string
	}{
		{in: "tcp/443", want: tcp(443, 443)},
		{in: " TCP/1024-65535", want: tcp(1024, 65535)},
		{in: "udp/8125", want: udp(8125, 8125)},
		{in: "tcp", want: tcp(0, 65535)},
		{in: "6/22", want: tcp(22, 22)},
		{in: "icmp/all", want: icmp(-1, -1)},
		{in: "icmp", want: icmp(-1, -1)},
		{in: "icmp/8", want: icmp(8, -1)},
		{in: "icmp/3:4", want: icmp(3, 4)},
		{in: "icmpv6/128", want: ports.Range{Protocol: ports.ICMPv6, From: 128, To: -1}},
		{in: "all", want: all},
		{in: "-1", want: all},
		{in: "proto50", want: ports.Range{Protocol: "50"}},
		{in: "50", want: ports.Range{Protocol: "50"}},
		{in: "gre/1", err: `traffic "gre/1": unknown protocol`},
		{in: "/443", err: "unknown protocol"},
		{in: "tcp/http", err: "the port must be a number 0-65535"},
		{in: "tcp/70000", err: "the port must be a number 0-65535"},
		{in: "tcp/443-80", err: "the range must end in a port no lower than its start"},
		{in: "icmp/x", err: "the ICMP type must be a number 0-255"},
		{in: "icmp/3:x", err: "the ICMP code must be a number 0-255"},
		{in: "all/443", err: "only tcp, udp, icmp and icmpv6 take ports"},
	} {
		got, err := ports.ParseRange(tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		assert.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestNumber(t *testing.T) {
	for in, want := range map[string]string{"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "-1": "-1", "50": "50"} {
		assert.Equal(t, want, ports.Number(in), in)
	}
}

func TestParseProtocol(t *testing.T) {
	for in, want := range map[string]string{
		"": "tcp", "tcp": "tcp", " TCP ": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmpv6",
		"all": "-1", "-1": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "50": "50", "0": "0", "255": "255",
	} {
		got, err := ports.ParseProtocol(in)
		assert.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"tpc", "256", "-2", "1.5"} {
		_, err := ports.ParseProtocol(in)
		assert.EqualError(t, err, `unknown protocol "`+in+`"`)
	}
}

func ptr(i int) *int { return &i }

func TestExpand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		t      spec.Traffic
		want   []ports.Range
		checks []string // the problems' messages
	}{
		{"ports, each its own rule", spec.Traffic{Ports: []int{80, 443}}, []ports.Range{tcp(80, 80), tcp(443, 443)}, nil},
		{"ports and a range", spec.Traffic{Protocol: "udp", Ports: []int{53}, PortRange: &spec.PortRange{From: 1000, To: 2000}},
			[]ports.Range{udp(53, 53), udp(1000, 2000)}, nil},
		{"icmp, all", spec.Traffic{Protocol: "icmp"}, []ports.Range{icmp(-1, -1)}, nil},
		{"icmp type", spec.Traffic{Protocol: "icmp", IcmpType: ptr(8)}, []ports.Range{icmp(8, -1)}, nil},
		{"all", spec.Traffic{Protocol: "all"}, []ports.Range{all}, nil},
		{"bare protocol", spec.Traffic{Protocol: "50"}, []ports.Range{{Protocol: "50"}}, nil},
		{"tcp with no ports", spec.Traffic{}, nil, []string{"tcp rule opens no ports"}},
		{"port out of range", spec.Traffic{Ports: []int{70000}}, nil, []string{"port 70000 is outside 0-65535"}},
		{"backwards range", spec.Traffic{PortRange: &spec.PortRange{From: 9, To: 1}}, nil, []string{"port range 9-1 runs backwards"}},
		{"icmp with ports", spec.Traffic{Protocol: "icmp", Ports: []int{1}}, nil, []string{"icmp has no ports"}},
		{"icmp code without type", spec.Traffic{Protocol: "icmp", IcmpCode: ptr(0)}, nil, []string{"icmpCode needs an icmpType"}},
		{"all with ports", spec.Traffic{Protocol: "all", Ports: []int{1}}, nil, []string{"protocol all covers every port"}},
		{"tcp with icmp", spec.Traffic{Ports: []int{1}, IcmpType: ptr(1)}, nil, []string{"icmpType/icmpCode apply only to icmp and icmpv6, not tcp"}},
		{"unknown protocol", spec.Traffic{Protocol: "tpc"}, nil, []string{`unknown protocol "tpc"`}},
	} {
		got, probs := ports.Expand(tc.t)
		assert.Equal(t, tc.want, got, tc.name)
		var msgs []string
		for _, p := range probs {
			msgs = append(msgs, p.Message)
			assert.NotEmpty(t, p.Fix, tc.name)
		}
		assert.Equal(t, tc.checks, msgs, tc.name)
	}
}
