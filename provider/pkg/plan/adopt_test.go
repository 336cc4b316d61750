package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// A stale adopt.rules key after a service rename is fixed by renaming its
// prefix, not by removing it: removed, the rule would be created again beside
// the one the adopted group has.
func TestStaleAdoptRuleFix(t *testing.T) {
	for _, tc := range []struct {
		name, key, fix string
	}{
		{"the service was renamed", "Db/ingress/tcp-3306/self",
			`if Database was renamed, rename the key to "Database/ingress/tcp-3306/self": keys begin with the service's name, ` +
				"and removing the key would make pulumi up create the existing rule again (EC2 refuses the duplicate)"},
		{"the rule is gone", "Database/ingress/tcp-5432/self",
			"if the service was renamed, rename the key's prefix to its new name (removing it would make pulumi up create the " +
				"existing rule again, which EC2 refuses as a duplicate); if the rule was removed from the declaration, remove the key: " +
				"a rule is imported only once, when its group is adopted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := spec.Mesh{Tiers: []spec.Tier{{Name: "data"}}, Services: []spec.Service{{
				Name: "Database", Tier: "data",
				Ingress: []spec.IngressRule{{Traffic: spec.Traffic{Ports: []int{3306}}, From: spec.Peers{Self: true}}},
				Adopt:   &spec.Adopt{GroupID: "sg-0aaaaaaaaaaaaaaaa", Rules: []string{tc.key}},
			}}}
			p, err := plan.Build(m)
			require.NoError(t, err)
			var stale []finding.Finding
			for _, f := range p.Findings {
				if f.Check == finding.CheckStaleAdoptRule {
					stale = append(stale, f)
				}
			}
			require.Len(t, stale, 1)
			assert.Equal(t, tc.fix, stale[0].Fix)
		})
	}
}
