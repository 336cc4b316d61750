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
// exactly the permissions the account has, one by one, the cross-account
// reference included (issue 18 item 8): audit of it is clean.
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
	// account equal (the default group, sg-…06, is no service, so audit does
	// not look at it).
	assert.Empty(t, audit.Compare(p, a, audit.Options{Mesh: "mesh", VpcID: legacy.VPC}))
	assert.Len(t, p.Rules, 24, "one rule per permission of the five groups")
}

// Issue 18 item 8: another account's group that a rule references is
// proposed as an external group (OWNER/sg-…) the rule names, once per
// group, under a name derived from its owner and id; the report still ranks
// the reference first, as access from another account.
func TestCrossAccountReference(t *testing.T) {
	_, prop := legacyProposal(t, legacy.Files()...)
	const ext = "ext-444455556666-sg-0fff00000000000aa"
	assert.Equal(t, []spec.ExternalGroup{{Name: ext, SecurityGroupID: "444455556666/sg-0fff00000000000aa",
		Description: "group sg-0fff00000000000aa of account 444455556666"}}, prop.Mesh.ExternalGroups)
	var app spec.Service
	for _, s := range prop.Mesh.Services {
		if s.Name == "app-tier" {
			app = s
		}
	}
	assert.Contains(t, app.Ingress, spec.IngressRule{Traffic: spec.Traffic{Ports: []int{8080}, Description: "partner poller"},
		From: spec.Peers{Services: []string{ext}}})
	assert.Contains(t, app.Adopt.Rules, "app-tier/ingress/tcp-8080/sg_"+ext, "the existing rule is adopted, not created")
	require.NotEmpty(t, prop.Report)
	assert.Equal(t, proposal.Item{Kind: proposal.KindCrossAccount, GroupID: "sg-0a000000000000004", Service: "app-tier",
		Rule: "ingress tcp/8080 from sg-0fff00000000000aa", CrossAccount: true,
		Problem: "lets in sg-0fff00000000000aa of account 444455556666; declared as external group " + ext + ", so adopting keeps it and audit checks it",
		Suggest: "confirm account 444455556666 still needs it; if not, remove the rule (and " + ext + " once no rule names it)"}, prop.Report[0])
	assert.False(t, slices.ContainsFunc(prop.Report, func(it proposal.Item) bool { return it.Kind == proposal.KindForeignRef }),
		"nothing is left outside the declaration")
}

// The external group's name is unique beside the services' (a group tagged
// with the very name gets the plain one), and one group that two rules
// reference is declared once.
func TestCrossAccountNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "groups.json")
	pair := `"UserIdGroupPairs":[{"GroupId":"sg-0fff00000000000aa","UserId":"444455556666"}]`
	require.NoError(t, os.WriteFile(path, []byte(`{"SecurityGroups":[{"GroupId":"sg-0b000000000000001","GroupName":"api","Description":"api",`+
		`"VpcId":"vpc-1","OwnerId":"111122223333","Tags":[{"Key":"Name","Value":"ext-444455556666-sg-0fff00000000000aa"}],"IpPermissions":[`+
		`{"IpProtocol":"tcp","FromPort":443,"ToPort":443,`+pair+`},{"IpProtocol":"tcp","FromPort":8443,"ToPort":8443,`+pair+`}]}]}`), 0o600))
	a, err := ec2read.ReadFiles(path)
	require.NoError(t, err)
	prop, err := proposal.Build(a, nil)
	require.NoError(t, err)
	require.Len(t, prop.Mesh.Services, 1)
	assert.Equal(t, "ext-444455556666-sg-0fff00000000000aa", prop.Mesh.Services[0].Name)
	assert.Equal(t, []spec.ExternalGroup{{Name: "ext-444455556666-sg-0fff00000000000aa-2", SecurityGroupID: "444455556666/sg-0fff00000000000aa",
		Description: "group sg-0fff00000000000aa of account 444455556666"}}, prop.Mesh.ExternalGroups)
	for _, r := range prop.Mesh.Services[0].Ingress {
		assert.Equal(t, []string{"ext-444455556666-sg-0fff00000000000aa-2"}, r.From.Services)
	}
	_, err = plan.Build(prop.Mesh)
	assert.NoError(t, err, "the names validate")
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
		"cross-account-reference | app-tier | ingress tcp/8080 from sg-0fff00000000000aa",
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
	assert.Equal(t, "sg-0a000000000000004_ingress_tcp_8080_8080_444455556666/sg-0fff00000000000aa",
		ids["mesh-app-tier-ingress-tcp-8080-sg_ext-444455556666-sg-0fff00000000000aa"], "another account's group as sourceSecurityGroupId takes it")
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

// The report is ranked as a user acts on it: access from the whole internet
// or another account first, then what the guardrails refuse, then the CIDRs
// to tighten, then the rest; and it says what to do first.
func TestReportIsRanked(t *testing.T) {
	_, p := legacyProposal(t, legacy.Files()...)
	var got []string
	for _, it := range p.Report {
		got = append(got, fmt.Sprintf("%d %s %s", it.Priority(), it.Kind, it.Service))
	}
	// Hand-ranked from the legacy fixture: the world-open SSH and the partner
	// account's reference lead, whatever their services' names.
	assert.Equal(t, []string{"0 cross-account-reference app-tier", "0 world-open-admin-port bastion-host"}, got[:2])
	assert.True(t, slices.IsSortedFunc(p.Report, func(x, y proposal.Item) int { return int(x.Priority() - y.Priority()) }), "%v", got)

	md := p.Markdown()
	assert.Contains(t, md, "**Do first:** section 1, open to the internet or another account.")
	assert.Contains(t, md, "What to do: narrow or remove these: today they let the whole internet, or another AWS account, in.")
	assert.Less(t, strings.Index(md, "## 1. Open to the internet or another account (2)"), strings.Index(md, "## 2. Refused by the guardrails"))
}

// The proposal lists each service's name and tier before its adopt block,
// as a reader looks for them, not in alphabetical order (adopt first).
func TestProposalKeyOrder(t *testing.T) {
	_, p := legacyProposal(t, legacy.Files()...)
	y, err := p.YAML("test")
	require.NoError(t, err)
	_, first, ok := strings.Cut(string(y), "\nservices:\n")
	require.True(t, ok)
	first, _, _ = strings.Cut(first, "\n  - ") // the first service's lines
	name, tier, adopt := strings.Index(first, "name: "), strings.Index(first, "\n    tier: "), strings.Index(first, "\n    adopt:")
	require.True(t, name >= 0 && tier >= 0 && adopt >= 0, "%s", first)
	assert.True(t, name < tier && tier < adopt, "name, tier, then adopt:\n%s", first)
}
