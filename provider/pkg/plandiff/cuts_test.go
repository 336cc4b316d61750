package plandiff_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// A replaced group is deleted before its successor exists, so the diff lists
// the flows through it, which are cut in between; nothing else carries cuts.
func TestReplacedGroupListsTheFlowsItCuts(t *testing.T) {
	old := spec.Mesh{
		Tiers:    []spec.Tier{{Name: "app"}, {Name: "data"}},
		Networks: []spec.Network{{Name: "office", CidrBlocks: []string{"203.0.113.0/24"}}},
		Services: []spec.Service{
			{Name: "API", Tier: "app"},
			{Name: "DB", Tier: "data", Ingress: []spec.IngressRule{
				{Traffic: spec.Traffic{Ports: []int{5432}}, From: spec.Peers{Services: []string{"API"}}},
				{Traffic: spec.Traffic{Ports: []int{22}}, From: spec.Peers{Networks: []string{"office"}}},
			}},
		},
	}
	renamed := old
	renamed.NamePrefix = "prod-"
	d, err := plandiff.CompareSpecs("m", old, renamed)
	require.NoError(t, err)
	cuts := map[string][]string{}
	for _, c := range d.Changes {
		if c.Cuts != nil {
			cuts[c.Name] = c.Cuts
		}
	}
	assert.Equal(t, map[string][]string{
		// The default egress policy lets every group reach the internet.
		"m-API": {"API -> DB tcp/5432", "API -> internet (0.0.0.0/0) all", "API -> internet (::/0) all"},
		"m-DB": {"API -> DB tcp/5432", "DB -> internet (0.0.0.0/0) all", "DB -> internet (::/0) all",
			"network:office (203.0.113.0/24) -> DB tcp/22"},
	}, cuts)
	assert.Contains(t, d.Text(), "replace, delete first: flows cut: API -> DB tcp/5432, DB -> internet (0.0.0.0/0) all, "+
		"DB -> internet (::/0) all, network:office (203.0.113.0/24) -> DB tcp/22\n")

	// A tag change updates in place: no cuts.
	tagged := old
	tagged.Tags = map[string]string{"team": "x"}
	d, err = plandiff.CompareSpecs("m", old, tagged)
	require.NoError(t, err)
	for _, c := range d.Changes {
		assert.Nil(t, c.Cuts, c.Name)
	}
	assert.NotContains(t, d.Text(), "delete first")
}

// Turning revokeRulesOnDelete off updates each group in place.
func TestRevokeRulesOnDeleteUpdatesInPlace(t *testing.T) {
	on := spec.Mesh{Tiers: []spec.Tier{{Name: "app"}}, Services: []spec.Service{{Name: "API", Tier: "app"}}}
	off, no := on, false
	off.RevokeRulesOnDelete = &no
	d, err := plandiff.CompareSpecs("m", on, off)
	require.NoError(t, err)
	assert.Equal(t, []string{"m-API"}, d.Update)
	assert.Empty(t, d.Replace)
	require.Len(t, d.Changes, 1)
	assert.Equal(t, []plandiff.Field{{Name: "revokeRulesOnDelete", Old: "true", New: "false"}}, d.Changes[0].Fields)
}
