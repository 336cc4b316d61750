package flowgen

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
)

// RequireTruth compares a report with the generator's truth rule by rule:
// hits, records, packets, bytes, first and last seen, callers; unused
// rules; rejected traffic grouped and classified; transit and unexplained
// records.
func RequireTruth(t *testing.T, truth Truth, rep observe.Report) {
	t.Helper()
	seen := map[string]bool{}
	for _, h := range rep.Hits {
		seen[h.Rule] = true
		want, ok := truth.Rules[h.Rule]
		if !ok {
			assert.Contains(t, truth.Unsendable, h.Rule, "a rule the generator does not know")
			assert.Zero(t, h.Flows, "%s: the generator sent it nothing", h.Rule)
			continue
		}
		callers := slices.Sorted(maps.Keys(want.Callers))
		assert.Equal(t, observe.Hit{Rule: h.Rule, Flows: int64(len(want.Tuples)), Records: want.Records, Packets: want.Packets, Bytes: want.Bytes,
			FirstSeen: want.FirstSeen, LastSeen: want.LastSeen, Callers: callers, NameableCallers: h.NameableCallers}, h, "rule %s", h.Rule)
	}
	for name := range truth.Rules {
		assert.True(t, seen[name], "%s: in the truth, not in the report", name)
	}
	var rejected []RejectedTruth
	for _, r := range rep.Rejected {
		rejected = append(rejected, RejectedTruth{Caller: r.Caller, Callee: r.Callee, Protocol: r.Protocol, Port: r.Port, Records: r.Records,
			FromService: r.FromKnownService, Missing: r.LooksLikeMissing})
	}
	assert.Equal(t, truth.Rejected, rejected, "rejected, grouped and classified")
	assert.Equal(t, truth.Transit, rep.Transit, "requests through the NAT gateway")
	assert.Equal(t, truth.Unexplained, rep.Unexplained, "accepted requests no rule explains")
	assert.Zero(t, rep.NoInterface, "requests on interfaces no snapshot has")
}
