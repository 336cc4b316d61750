package flowgen

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
)

// observeDir runs the attribution on a data set as servicemesh observe
// does: each snapshot's describe file at its time, every log file.
func observeDir(t *testing.T, dir string, snaps []Snapshot) observe.Report {
	t.Helper()
	var timed []observe.TimedAccount
	for _, s := range snaps {
		acc, err := ec2read.ReadFiles(filepath.Join(dir, SnapshotName(s.Taken)))
		require.NoError(t, err)
		timed = append(timed, observe.TimedAccount{Taken: s.Taken, Account: acc})
	}
	inv, perms, skipped, err := observe.FromAccounts(timed)
	require.NoError(t, err)
	require.Zero(t, skipped)
	files, err := filepath.Glob(filepath.Join(dir, "*.log.gz"))
	require.NoError(t, err)
	res, err := flowlog.AggregateFiles(files, nil, runtime.GOMAXPROCS(0), inv.Changes()...)
	require.NoError(t, err)
	return observe.Attribute(res.Table.Each, inv, perms, observe.Listening(perms))
}

// On the reference traffic, observe's report equals the generator's truth
// rule by rule: hits, records, packets, bytes, first and last seen,
// callers; unused rules; rejected traffic grouped and classified.
func TestReferenceReportEqualsTruth(t *testing.T) {
	ds, err := Reference()
	require.NoError(t, err)
	rep := observeDir(t, referenceDir, ds.Snapshots)
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
