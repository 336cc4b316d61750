package wellknown_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

func TestTableIsSortedAndUnique(t *testing.T) {
	for i := 1; i < len(wellknown.Table); i++ {
		a, b := wellknown.Table[i-1], wellknown.Table[i]
		assert.True(t, a.Protocol < b.Protocol || (a.Protocol == b.Protocol && a.Port < b.Port),
			"%s/%d must come before %s/%d", a.Protocol, a.Port, b.Protocol, b.Port)
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		protocol string
		port     int
		want     string
		kind     wellknown.Kind
		ok       bool
	}{
		{"tcp", 22, "SSH", wellknown.Admin, true},
		{"tcp", 443, "HTTPS", wellknown.Web, true},
		{"tcp", 3306, "MySQL", wellknown.Database, true},
		{"udp", 3389, "RDP", wellknown.Admin, true},
		{"udp", 8125, "StatsD", wellknown.Other, true},
		{"udp", 22, "", "", false},
		{"tcp", 8125, "", "", false},
		{"-1", 22, "", "", false},
	} {
		p, ok := wellknown.Lookup(tc.protocol, tc.port)
		assert.Equal(t, tc.ok, ok, "%s/%d", tc.protocol, tc.port)
		assert.Equal(t, tc.want, p.Description, "%s/%d", tc.protocol, tc.port)
		assert.Equal(t, tc.kind, p.Kind, "%s/%d", tc.protocol, tc.port)
	}
}

func TestInRange(t *testing.T) {
	names := func(ps []wellknown.Port) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	for _, tc := range []struct {
		protocol string
		from, to int
		kind     wellknown.Kind
		want     []string
	}{
		{"tcp", 22, 22, wellknown.Admin, []string{"ssh"}},
		{"tcp", 23, 3388, wellknown.Admin, []string{}},
		{"tcp", 0, 65535, wellknown.Admin, []string{"ssh", "rdp"}},
		{"udp", 0, 65535, wellknown.Admin, []string{"rdp-udp"}},
		{"-1", 0, 65535, wellknown.Admin, []string{"ssh", "rdp", "rdp-udp"}}, // -1 matches every protocol
		{"tcp", 3306, 5432, wellknown.Database, []string{"mysql", "postgresql"}},
		{"udp", 3306, 5432, wellknown.Database, []string{}},
		{"tcp", 80, 443, wellknown.Web, []string{"http", "https"}},
	} {
		assert.Equal(t, tc.want, names(wellknown.InRange(tc.protocol, tc.from, tc.to, tc.kind)),
			"%s %d-%d %s", tc.protocol, tc.from, tc.to, tc.kind)
	}
}
