package flowgen

import (
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
)

// ObserveDir attributes a data set that WriteDir wrote into dir as
// servicemesh observe --snapshot does: each snapshot at its time, every
// log file, tuples split at the inventory's changes.
func ObserveDir(dir string, ds *Dataset) (observe.Report, error) {
	var timed []observe.TimedAccount
	for _, s := range ds.Snapshots {
		files := []string{filepath.Join(dir, SnapshotName(s.Taken))}
		for _, e := range ds.PrefixListEntries {
			files = append(files, e.ID+"="+filepath.Join(dir, e.Name()))
		}
		acc, err := ec2read.ReadFiles(files...)
		if err != nil {
			return observe.Report{}, err
		}
		timed = append(timed, observe.TimedAccount{Taken: s.Taken, Account: acc})
	}
	inv, perms, skipped, err := observe.FromAccounts(timed)
	if err != nil {
		return observe.Report{}, err
	}
	if skipped > 0 {
		return observe.Report{}, fmt.Errorf("%d prefix-list rules skipped", skipped)
	}
	var files []string
	for _, f := range ds.Files {
		files = append(files, filepath.Join(dir, f.Name))
	}
	res, err := flowlog.AggregateFiles(files, nil, runtime.GOMAXPROCS(0), inv.Changes()...)
	if err != nil {
		return observe.Report{}, err
	}
	return observe.Attribute(res.Table.Each, inv, perms, observe.Listening(perms)), nil
}

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
