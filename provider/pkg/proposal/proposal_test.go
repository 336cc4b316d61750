package proposal_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/audit"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/proposal"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
)

func legacyProposal(t *testing.T, files ...string) (*ec2read.Account, *proposal.Proposal) {
	t.Helper()
	a, err := ec2read.ReadFiles(files...)
	require.NoError(t, err)
	tiers, err := proposal.ParseTiers(legacy.Tiers)
	require.NoError(t, err)
	p, err := proposal.Build(a, tiers)
	require.NoError(t, err)
	return a, p
}

// TestRoundTrip: the proposal plans without errors, and its plan holds
// exactly the permissions the account has, one by one, but for those the
// report says are left out (the default group, the cross-account reference).
func TestRoundTrip(t *testing.T) {
	a, prop := legacyProposal(t, legacy.Files()...)
	// Through the file a user reviews, as `servicemesh plan` reads it.
	y, err := prop.YAML("test")
	require.NoError(t, err)
	m, err := spec.Decode(y)
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	assert.Empty(t, p.Findings, "the proposal plans cleanly: every rule a guardrail rejects carries an exception")

	// Audit, an independent reader of the account, finds the plan and the
	// account equal but for the one permission the report leaves out (the
	// default group, sg-…06, is no service, so audit does not look at it).
	drift := audit.Compare(p, a, audit.Options{Mesh: "mesh", VpcID: legacy.VPC})
	require.Len(t, drift, 1, "%+v", drift)
	assert.Equal(t, audit.KindUnplannedRule, drift[0].Kind)
	assert.Equal(t, "sg-0a000000000000004", drift[0].GroupID)
	assert.Equal(t, "ingress tcp/8080 from 444455556666/sg-0fff00000000000aa", drift[0].Rule)
	assert.True(t, slices.ContainsFunc(prop.Report, func(it proposal.Item) bool {
		return it.Kind == proposal.KindForeignRef && strings.Contains(it.Rule, "sg-0fff00000000000aa")
	}), "the report names the foreign reference")
	assert.Len(t, p.Rules, 23, "one rule per permission of the five groups")
}

func TestServicesNamesTiersAdopt(t *testing.T) {
	_, p := legacyProposal(t, legacy.Files()...)
	type row struct{ name, tier, group, adoptName string }
	var got []row
	for _, s := range p.Mesh.Services {
		got = append(got, row{s.Name, s.Tier, s.Adopt.GroupID, s.Adopt.Name})
	}
	assert.Equal(t, []row{
		{"bastion-host", "dmz", "sg-0a000000000000001", "launch-wizard-1"},
		{"web_elb-sg", "dmz", "sg-0a000000000000002", "web_elb sg"},
		{"web-servers-nginx", "web", "sg-0a000000000000003", "WebServers"},
		{"app-tier", "app", "sg-0a000000000000004", "app-tier"},
		{"db", "data", "sg-0a000000000000005", "db"},
	}, got)
	assert.Equal(t, spec.EgressNone, p.Mesh.Egress, "AWS's default egress is IPv4 only: allowAll would add ::/0")
	assert.Equal(t, legacy.VPC, p.Mesh.VpcID)
}

func TestReport(t *testing.T) {
	_, p := legacyProposal(t, legacy.Files()...)
	var got []string
	for _, it := range p.Report {
		got = append(got, it.Kind+" | "+it.Service+" | "+it.Rule)
	}
	for _, want := range []string{
		"world-open-admin-port | bastion-host | ingress[0] (ingress tcp/22 from 0.0.0.0/0)",
		"cidr-covers-tier | db | ingress tcp/3306 from 10.0.2.0/24",
		"tier-adjacency | db | ingress[2] (ingress tcp/3306 from 10.0.1.0/24; ingress tcp/3306 from 10.0.2.0/24)",
		"foreign-reference | app-tier | ingress tcp/8080 from sg-0fff00000000000aa",
		"default-group |  | ",
		"shadowed-rule | app-tier | ingress tcp/7500 from 10.0.1.0/24",
	} {
		assert.Contains(t, got, want)
	}
	i := slices.IndexFunc(p.Report, func(it proposal.Item) bool {
		return it.Kind == proposal.KindTierCIDR && it.Rule == "ingress tcp/3306 from 10.0.2.0/24"
	})
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, "10.0.2.0/24 covers tier app: its callers there are app-tier", p.Report[i].Problem)
	assert.Equal(t, "from: {services: [app-tier]} instead of the CIDR", p.Report[i].Suggest)
}

// Without interfaces or tiers the proposal says what still needs a tier.
func TestNeedsTier(t *testing.T) {
	a, err := ec2read.ReadFiles(legacy.Groups())
	require.NoError(t, err)
	tiers, err := proposal.ParseTiers(legacy.Tiers)
	require.NoError(t, err)
	p, err := proposal.Build(a, tiers)
	require.NoError(t, err)
	var need []string
	for _, it := range p.Report {
		if it.Kind == proposal.KindNeedsTier {
			need = append(need, it.Service)
		}
	}
	assert.Equal(t, []string{"app-tier", "bastion-host", "db", "web-servers-nginx", "web_elb-sg"}, need)

	p, err = proposal.Build(a, nil)
	require.NoError(t, err)
	_, err = plan.Build(p.Mesh)
	assert.NoError(t, err, "without --tier flags everything is in one tier and plans")
}

func TestParseTiers(t *testing.T) {
	tiers, err := proposal.ParseTiers([]string{"web=10.0.1.0/24", "app=10.0.2.0/24", "web=10.0.11.0/24"})
	require.NoError(t, err)
	require.Len(t, tiers, 2)
	assert.Equal(t, "web", tiers[0].Name)
	assert.Len(t, tiers[0].CIDRs, 2)
	for _, bad := range []string{"web", "=10.0.0.0/8", "web=10.0.0.300/8"} {
		_, err := proposal.ParseTiers([]string{bad})
		assert.ErrorContains(t, err, "write NAME=CIDR", bad)
	}
}

// TestImportIDs: adopting the proposal imports every group and rule it
// declares, with pulumi-aws's import ids.
func TestImportIDs(t *testing.T) {
	_, prop := legacyProposal(t, legacy.Files()...)
	p, err := plan.Build(prop.Mesh)
	require.NoError(t, err)
	ids := map[string]string{}
	for _, r := range resources.Of("mesh", p) {
		assert.NotEmpty(t, r.ImportID, "%s is imported", r.Name)
		ids[r.Name] = r.ImportID
	}
	assert.Equal(t, "sg-0a000000000000005", ids["mesh-db"])
	assert.Equal(t, "sg-0a000000000000005_ingress_tcp_3306_3306_10.0.2.0/24", ids["mesh-db-ingress-tcp-3306-10.0.2.0_24"])
	assert.Equal(t, "sg-0a000000000000005_ingress_tcp_1186_1186_self", ids["mesh-db-ingress-tcp-1186-self"])
	assert.Equal(t, "sg-0a000000000000005_ingress_tcp_22_22_sg-0a000000000000001", ids["mesh-db-ingress-tcp-22-sg_bastion-host"])
	assert.Equal(t, "sg-0a000000000000005_ingress_tcp_3306_3306_pl-0123456789abcdef0", ids["mesh-db-ingress-tcp-3306-pl-0123456789abcdef0"])
	assert.Equal(t, "sg-0a000000000000002_ingress_tcp_443_443_::/0", ids["mesh-web_elb-sg-ingress-tcp-443-.._0"])
	assert.Equal(t, "sg-0a000000000000005_egress_all_0_0_0.0.0.0/0", ids["mesh-db-egress-all-0.0.0.0_0"])
	assert.Equal(t, "sg-0a000000000000003_ingress_icmp_8_-1_10.0.0.0/16", ids["mesh-web-servers-nginx-ingress-icmp-8-10.0.0.0_16"])
	assert.Equal(t, "sg-0a000000000000003_ingress_udp_8125_8125_2001:db8:1::/48", ids["mesh-web-servers-nginx-ingress-udp-8125-2001.db8.1.._48"])
}

// A group near EC2's 60 inbound rules is reported as quota pressure.
func TestQuotaPressure(t *testing.T) {
	var perms []string
	for port := 8000; port < 8050; port++ {
		perms = append(perms, fmt.Sprintf(`{"IpProtocol":"tcp","FromPort":%d,"ToPort":%d,"IpRanges":[{"CidrIp":"10.1.0.0/16"}]}`, port, port))
	}
	path := filepath.Join(t.TempDir(), "groups.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"SecurityGroups":[{"GroupId":"sg-0b000000000000001","GroupName":"busy","Description":"busy",`+
		`"VpcId":"vpc-1","IpPermissions":[`+strings.Join(perms, ",")+`]}]}`), 0o600))
	a, err := ec2read.ReadFiles(path)
	require.NoError(t, err)
	p, err := proposal.Build(a, nil)
	require.NoError(t, err)
	i := slices.IndexFunc(p.Report, func(it proposal.Item) bool { return it.Kind == proposal.KindQuota })
	require.GreaterOrEqual(t, i, 0, "%v", p.Report)
	assert.Equal(t, "inboundRulesPerGroup (IPv4): group busy uses 50 of 60", p.Report[i].Problem)
	assert.Equal(t, "sg-0b000000000000001", p.Report[i].GroupID)
}
