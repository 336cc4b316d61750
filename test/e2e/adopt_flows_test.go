package e2e

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/audit"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/proposal"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
)

// TestAdoptLegacyWithFlows: the import with the legacy VPC's flow logs
// (test/legacy/flows.log) goes through the engine as its report says: up
// imports every group and every rule the proposal keeps, creates the four
// group rules the traffic named in place of CIDR rules, and deletes
// nothing; the CIDR rules stay in AWS, outside the stack, and audit of the
// account afterwards lists exactly them, to revoke.
func TestAdoptLegacyWithFlows(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	res, err := flowlog.AggregateFiles([]string{legacy.Flows()}, nil, runtime.GOMAXPROCS(0))
	require.NoError(t, err)
	_, m := legacyImported(t, e, &proposal.Traffic{Each: res.Table.Each, Files: []string{legacy.Flows()}, Records: res.Stats.Records})

	dir := filepath.Join(e.Dir, "adopt-flows")
	require.NoError(t, WriteYAMLProgram(dir, "adopt", m))
	s, err := auto.UpsertStackLocalSource(ctx, "dev", dir, e.Opts()...)
	require.NoError(t, err)
	c, err := Preview(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"mesh-app-tier-ingress-tcp-7000-7999-sg_web-servers-nginx",
		"mesh-app-tier-ingress-tcp-7500-sg_web-servers-nginx",
		"mesh-db-ingress-tcp-3306-sg_app-tier",
		"mesh-web-servers-nginx-ingress-tcp-443-sg_web_elb-sg",
	}, ec2Names(c.With(apitype.OpCreate)), "the group rules the traffic named are created")
	assert.Equal(t, 25, c.Count(apitype.OpImport), "5 groups and the 20 rules kept are imported: %s", c)
	for _, op := range []apitype.OpType{apitype.OpDelete, apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpUpdate} {
		assert.Empty(t, ec2Names(c.With(op)), "adoption may not %s any group or rule", op)
	}
	_, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up with adoption and the new group rules")

	out := filepath.Join(e.Dir, "describe.json")
	require.NoError(t, awsstandin.Export(e.Env["AWS_STANDIN_STATE"], out))
	acct, err := ec2read.ReadFiles(out)
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	var drift []string
	for _, d := range audit.Compare(p, acct, audit.Options{Mesh: "mesh", VpcID: legacy.VPC}) {
		drift = append(drift, d.Kind+" "+d.Service+" "+d.Rule)
	}
	assert.Equal(t, []string{
		"unplanned-rule app-tier ingress tcp/7000-7999 from 10.0.0.0/16",
		"unplanned-rule app-tier ingress tcp/7500 from 10.0.1.0/24",
		"unplanned-rule db ingress tcp/3306 from 10.0.2.0/24",
		"unplanned-rule web-servers-nginx ingress tcp/443 from 10.0.0.0/24",
	}, drift, "only the CIDR rules the group rules replace, to revoke")
}

// ec2Names are the logical names of the groups and rules among urns,
// sorted: the stack, the component and the providers left out.
func ec2Names(urns []string) []string {
	var ec2 []string
	for _, u := range urns {
		if strings.Contains(u, "$aws:ec2/") || strings.Contains(u, "::aws:ec2/") {
			ec2 = append(ec2, u)
		}
	}
	return names(ec2)
}

// legacyImported seeds the stand-in's account with the legacy VPC and
// imports it, with the traffic when given: the proposal, and its
// declaration as the file a user reviews reads.
func legacyImported(t *testing.T, e *Engine, tr *proposal.Traffic) (*proposal.Proposal, spec.Mesh) {
	t.Helper()
	require.NoError(t, awsstandin.Seed(e.Env["AWS_STANDIN_STATE"], legacy.Files()...))
	a, err := ec2read.ReadFiles(legacy.Files()...)
	require.NoError(t, err)
	tiers, err := proposal.ParseTiers(legacy.Tiers)
	require.NoError(t, err)
	prop, err := proposal.BuildWithTraffic(a, tiers, tr)
	require.NoError(t, err)
	y, err := prop.YAML("legacy")
	require.NoError(t, err)
	m, err := spec.Decode(y)
	require.NoError(t, err)
	return prop, m
}
