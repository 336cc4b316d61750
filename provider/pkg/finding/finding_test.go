package finding_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
)

func TestRegistry(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	seen := map[string]bool{}
	prev := ""
	for _, c := range finding.Checks() {
		assert.Regexp(t, kebab, c.ID)
		assert.False(t, seen[c.ID], "%s registered twice", c.ID)
		assert.Less(t, prev, c.ID, "registry sorted by id")
		assert.Contains(t, []finding.Severity{finding.Error, finding.Warning}, c.Severity, c.ID)
		if c.Acknowledgeable {
			assert.Empty(t, c.Instead, "%s: an acknowledgeable check needs no alternative", c.ID)
		} else {
			assert.NotEmpty(t, c.Instead, "%s: say what to do instead of an exception", c.ID)
		}
		seen[c.ID] = true
		prev = c.ID
	}
	assert.Len(t, seen, 31) // 27, invalid-adopt and stale-adopt-rule for adopt, quota-network-acl-rules, duplicate-permission for lists
	// The rule-level checks, as guard's package documentation states them.
	assert.Equal(t, []string{"shadowed-rule", "tier-adjacency", "wide-cidr", "world-open", "world-open-admin-port", "world-open-all"},
		finding.Acknowledgeable())
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		id   string
		sev  finding.Severity
		ack  bool
		want bool
	}{
		{"world-open", finding.Error, true, true},
		{"wide-cidr", finding.Warning, true, true},
		{"unused-service", finding.Warning, false, true},
		{"quota-rules-per-group", finding.Error, false, true},
		{"invalid-port", finding.Error, false, true},
		{"world-opn", "", false, false},
		{"", "", false, false},
	} {
		c, ok := finding.Lookup(tc.id)
		require.Equal(t, tc.want, ok, tc.id)
		assert.Equal(t, tc.sev, c.Severity, tc.id)
		assert.Equal(t, tc.ack, c.Acknowledgeable, tc.id)
	}
}

func TestAddTakesTheRegisteredSeverity(t *testing.T) {
	var l finding.List
	l.Add("wide-cidr", "A", "ingress[0]", "narrow it", "%s is wide", "10.0.0.0/4")
	l.Add("world-open", "B", "", "", "open")
	assert.Equal(t, finding.List{
		{Severity: finding.Warning, Check: "wide-cidr", Service: "A", Rule: "ingress[0]", Message: "10.0.0.0/4 is wide", Fix: "narrow it"},
		{Severity: finding.Error, Check: "world-open", Service: "B", Message: "open"},
	}, l)
	assert.PanicsWithValue(t, "finding: check no-such-check is not registered", func() { l.Add("no-such-check", "", "", "", "x") })
}

func TestString(t *testing.T) {
	for _, tc := range []struct {
		f    finding.Finding
		want string
	}{
		{finding.Finding{Severity: finding.Error, Check: "c", Service: "A", Rule: "ingress[1]", Message: "m", Fix: "f"},
			`error [c] service "A" rule ingress[1]: m; fix: f`},
		{finding.Finding{Severity: finding.Warning, Check: "c", Service: "A", Message: "m"}, `warning [c] service "A": m`},
		{finding.Finding{Severity: finding.Error, Check: "c", Rule: "networks[0]", Message: "m"}, `error [c] networks[0]: m`},
		{finding.Finding{Severity: finding.Error, Check: "c", Message: "m"}, `error [c]: m`},
	} {
		assert.Equal(t, tc.want, tc.f.String())
	}
}

func TestSortAndErr(t *testing.T) {
	l := finding.List{
		{Severity: finding.Warning, Check: "a", Service: "A"},
		{Severity: finding.Error, Check: "z", Service: "B", Rule: "ingress[0]"},
		{Severity: finding.Error, Check: "b", Service: "B", Rule: "egress[0]"},
		{Severity: finding.Error, Check: "a", Service: "A", Message: "y"},
		{Severity: finding.Error, Check: "a", Service: "A", Message: "x"},
	}
	l.Sort()
	assert.Equal(t, finding.List{
		{Severity: finding.Error, Check: "a", Service: "A", Message: "x"},
		{Severity: finding.Error, Check: "a", Service: "A", Message: "y"},
		{Severity: finding.Error, Check: "b", Service: "B", Rule: "egress[0]"},
		{Severity: finding.Error, Check: "z", Service: "B", Rule: "ingress[0]"},
		{Severity: finding.Warning, Check: "a", Service: "A"},
	}, l)
	assert.Len(t, l.Errors(), 4)
	assert.Len(t, l.Warnings(), 1)

	assert.NoError(t, l.Warnings().Err())
	err := l[:1].Err()
	var fe *finding.Errors
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, "service mesh declaration has 1 problem:\n  error [a] service \"A\": x", err.Error())
	assert.Contains(t, l.Err().Error(), "has 4 problems:\n")
}

func TestRulePath(t *testing.T) {
	assert.Equal(t, "ingress[0]", finding.RulePath("ingress", 0))
	assert.Equal(t, "egress[12]", finding.RulePath("egress", 12))
}
