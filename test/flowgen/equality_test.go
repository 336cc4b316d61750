package flowgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// On the reference traffic, observe's report equals the generator's truth
// rule by rule: hits, records, packets, bytes, first and last seen,
// callers; unused rules; rejected traffic grouped and classified.
func TestReferenceReportEqualsTruth(t *testing.T) {
	ds, err := Reference()
	require.NoError(t, err)
	rep, err := ObserveDir(referenceDir, ds)
	require.NoError(t, err)
	RequireTruth(t, ds.Truth, rep)
	var unused []string
	for _, h := range rep.Hits {
		if h.Flows == 0 {
			unused = append(unused, h.Rule)
		}
	}
	// By hand: the two rules ReferenceOptions leaves unused, and the ::/0
	// ones (nothing here has an IPv6 address).
	assert.Equal(t, []string{
		"ELB-FrontEnd-Web tcp/443 from ::/0",
		"ELB-FrontEnd-Web tcp/80 from ::/0",
		"Graphite tcp/80 from 203.0.113.0/24",
		"MySQL tcp/2202 from " + hexID("sg-", "MySQL"),
	}, unused)
}

// A rule naming a managed prefix list: the generator gives the list two
// entries and callers in them; observe reads describe-managed-prefix-lists
// and get-managed-prefix-list-entries and attributes their requests to the
// rule, equal to the truth.
func TestPrefixListReportEqualsTruth(t *testing.T) {
	m := reference.Mesh()
	graphite := reference.Service(&m, "Graphite")
	graphite.Ingress = append(graphite.Ingress, spec.IngressRule{Traffic: spec.Traffic{Ports: []int{443}, Description: "Dashboard from the VPN prefix list"},
		From: spec.Peers{PrefixListIDs: []string{"pl-0a1b2c3d4e5f60718"}}})
	p, err := plan.Build(m)
	require.NoError(t, err)
	ds, err := Generate(m, p, Options{Start: ReferenceStart, Intervals: 12})
	require.NoError(t, err)
	require.Len(t, ds.PrefixListEntries, 1)
	dir := t.TempDir()
	require.NoError(t, ds.WriteDir(dir))
	rep, err := ObserveDir(dir, ds)
	require.NoError(t, err)
	RequireTruth(t, ds.Truth, rep)
	const rule = "Graphite tcp/443 from pl-0a1b2c3d4e5f60718"
	require.Contains(t, ds.Truth.Rules, rule)
	assert.NotEmpty(t, ds.Truth.Rules[rule].Tuples, "the generator sent the list's callers")
}
