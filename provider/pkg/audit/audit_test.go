package audit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/audit"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/proposal"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
)

// legacyMesh is the declaration servicemesh import proposes for the legacy
// fixture: the starting point each case changes.
func legacyMesh(t *testing.T, a *ec2read.Account) spec.Mesh {
	tiers, err := proposal.ParseTiers(legacy.Tiers)
	require.NoError(t, err)
	p, err := proposal.Build(a, tiers)
	require.NoError(t, err)
	return p.Mesh
}

func service(m *spec.Mesh, name string) *spec.Service {
	i := slices.IndexFunc(m.Services, func(s spec.Service) bool { return s.Name == name })
	return &m.Services[i]
}

type row struct{ kind, service, rule, detail string }

func rows(drifts []audit.Drift) []row {
	var out []row
	for _, d := range drifts {
		out = append(out, row{d.Kind, d.Service, d.Rule, d.Detail})
	}
	return out
}

// partner is the external group the proposal declares for the legacy
// fixture's cross-account reference (issue 18 item 8).
const partner = "ext-444455556666-sg-0fff00000000000aa"

// withoutPartner leaves the cross-account rule, its adopt key and its
// external group out of the declaration: the rule is then in AWS only.
func withoutPartner(m *spec.Mesh) {
	m.ExternalGroups = nil
	s := service(m, "app-tier")
	s.Ingress = slices.DeleteFunc(s.Ingress, func(r spec.IngressRule) bool { return slices.Contains(r.From.Services, partner) })
	s.Adopt.Rules = slices.DeleteFunc(s.Adopt.Rules, func(k string) bool { return k == "app-tier/ingress/tcp-8080/sg_"+partner })
}

// The cross-account rule, once left out, is in AWS, not the plan.
var foreign = row{audit.KindUnplannedRule, "app-tier", "ingress tcp/8080 from 444455556666/sg-0fff00000000000aa",
	"in AWS but not in the plan: added by hand? (rule resources cannot see it; pulumi refresh does not report it)"}

func TestDriftKinds(t *testing.T) {
	a, err := ec2read.ReadFiles(legacy.Files()...)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		change func(*spec.Mesh)
		want   []row
	}{
		// Issue 18 items 3 and 8: import declares the other account's group
		// as an external group, whose rules are planned (no unplanned-rule,
		// no revoke): the imported declaration audits clean.
		"as imported":                     {func(*spec.Mesh) {}, nil},
		"the cross-account rule left out": {withoutPartner, []row{foreign}},
		"planned rule missing": {func(m *spec.Mesh) {
			s := service(m, "db")
			s.Ingress = append(s.Ingress, spec.IngressRule{Traffic: spec.Traffic{Ports: []int{5432}}, From: spec.Peers{Services: []string{"app-tier"}}})
		}, []row{{audit.KindMissingRule, "db", "ingress tcp/5432 from sg-0a000000000000004", "planned but not in AWS: deleted by hand, or never created"}}},
		"description differs": {func(m *spec.Mesh) { service(m, "db").Adopt.Description = "Postgres" },
			[]row{{audit.KindGroupDiffers, "db", "", `description is "MySQL" in AWS, "Postgres" in the plan`}}},
		"VPC differs": {func(m *spec.Mesh) { m.VpcID = "vpc-0other" }, func() []row {
			var out []row
			for _, s := range []string{"app-tier", "bastion-host", "db", "web-servers-nginx", "web_elb-sg"} {
				out = append(out, row{audit.KindGroupDiffers, s, "", `vpcId is "vpc-0legacy000000001" in AWS, "vpc-0other" in the plan`})
			}
			return out
		}()},
		"adopted group missing": {func(m *spec.Mesh) { service(m, "db").Adopt.GroupID = "sg-0dead000000000000" },
			[]row{{audit.KindMissingGroup, "db", "", "security group sg-0dead000000000000 does not exist in " + a.Source +
				": check the id (aws ec2 describe-security-groups --group-ids sg-0dead000000000000)"}}},
		"group missing": {func(m *spec.Mesh) { m.Services = append(m.Services, spec.Service{Name: "cache", Tier: "data"}) },
			[]row{{audit.KindMissingGroup, "cache", "", `group "cache" does not exist in ` + a.Source}}},
	} {
		t.Run(name, func(t *testing.T) {
			m := legacyMesh(t, a)
			tc.change(&m)
			p, err := plan.Build(m)
			require.NoError(t, err)
			assert.Equal(t, tc.want, rows(audit.Compare(p, a, audit.Options{Mesh: "mesh", VpcID: m.VpcID})))
		})
	}
}

func TestUnattached(t *testing.T) {
	// The interfaces, less the ELB's two.
	var enis struct{ NetworkInterfaces []map[string]any }
	data, err := os.ReadFile(legacy.Files()[2])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &enis))
	enis.NetworkInterfaces = slices.DeleteFunc(enis.NetworkInterfaces, func(n map[string]any) bool {
		return n["PrivateIpAddress"] == "10.0.0.20" || n["PrivateIpAddress"] == "10.0.0.21"
	})
	path := filepath.Join(t.TempDir(), "enis.json")
	out, err := json.Marshal(enis)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, out, 0o600))

	a, err := ec2read.ReadFiles(legacy.Groups(), path)
	require.NoError(t, err)
	m := legacyMesh(t, a)
	service(&m, "web_elb-sg").Tier = "dmz" // its interfaces no longer place it
	p, err := plan.Build(m)
	require.NoError(t, err)
	assert.Equal(t, []row{{audit.KindUnattached, "web_elb-sg", "", "no network interface carries the group"}},
		rows(audit.Compare(p, a, audit.Options{Mesh: "mesh", VpcID: m.VpcID})))
}

// Orphans: app-tier declared without adopt, as a mesh whose up was
// interrupted after creating its group and rules would be.
func TestOrphans(t *testing.T) {
	a, err := ec2read.ReadFiles(legacy.Files()...)
	require.NoError(t, err)
	m := legacyMesh(t, a)
	s := service(&m, "app-tier")
	s.Adopt = nil // found by its name, app-tier
	s.Description = ""
	p, err := plan.Build(m)
	require.NoError(t, err)

	const parent = "urn:pulumi:prod::net::servicemesh:index:ServiceMesh::mesh"
	state, err := audit.ReadState([]byte(`{"version": 3, "deployment": {
	  "resources": [{"urn": "` + parent + `", "type": "servicemesh:index:ServiceMesh"}],
	  "pending_operations": [{"type": "creating", "resource": {"type": "aws:ec2/securityGroupRule:SecurityGroupRule",
	    "urn": "` + parent + `$aws:ec2/securityGroupRule:SecurityGroupRule::mesh-app-tier-ingress-tcp-7500-10.0.1.0_24"}}]}}`))
	require.NoError(t, err)
	drifts := audit.Compare(p, a, audit.Options{Mesh: "mesh", VpcID: m.VpcID, State: state})
	fixes := map[string]string{}
	for _, d := range drifts {
		if d.Service == "app-tier" {
			fixes[d.Kind+" "+d.Rule] = d.Fix
		}
	}
	assert.Equal(t, "pulumi import aws:ec2/securityGroup:SecurityGroup mesh-app-tier 'sg-0a000000000000004' --parent 'mesh="+parent+"'",
		fixes["orphan-group "])
	assert.Equal(t, "pulumi import aws:ec2/securityGroupRule:SecurityGroupRule mesh-app-tier-ingress-tcp-22-sg_bastion-host "+
		"'sg-0a000000000000004_ingress_tcp_22_22_sg-0a000000000000001' --parent 'mesh="+parent+"'",
		fixes["orphan-rule ingress tcp/22 from sg-0a000000000000001"])
	assert.Equal(t, "pulumi refresh --import-pending-creates '"+parent+
		"$aws:ec2/securityGroupRule:SecurityGroupRule::mesh-app-tier-ingress-tcp-7500-10.0.1.0_24=sg-0a000000000000004_ingress_tcp_7500_7500_10.0.1.0/24'",
		fixes["orphan-rule ingress tcp/7500 from 10.0.1.0/24"])
	assert.Contains(t, fixes, "group-differs ", "the mesh's own description differs from the existing group's")
	for _, d := range drifts {
		assert.NotEqual(t, "db", d.Service, "adopted groups are imported by up, not orphans")
	}
}

func TestReadStateErrors(t *testing.T) {
	_, err := audit.ReadState([]byte(`{"SecurityGroups": []}`))
	assert.ErrorContains(t, err, "not the output of `pulumi stack export`")
}

func TestRenderings(t *testing.T) {
	d := []audit.Drift{{Kind: audit.KindUnplannedRule, Service: "db", GroupID: "sg-1", Rule: "ingress tcp/22 from 0.0.0.0/0", Detail: "by hand | oops", Fix: "revoke it"}}
	assert.Contains(t, audit.Table(d), "unplanned-rule  db       sg-1   ingress tcp/22 from 0.0.0.0/0  by hand | oops")
	assert.Contains(t, audit.Markdown(d), "| unplanned-rule | db | `sg-1` | `ingress tcp/22 from 0.0.0.0/0` | by hand \\| oops | `revoke it` |")
	var js struct{ Drifts []audit.Drift }
	require.NoError(t, json.Unmarshal([]byte(audit.JSON(d)), &js))
	assert.Equal(t, d, js.Drifts)
	assert.Equal(t, "{\n  \"drifts\": []\n}\n", audit.JSON(nil))
	assert.Contains(t, audit.Table(nil), "No drift")
}

// The revoke command is complete as printed: the rule's id when EC2 listed
// it, else the rule itself as --ip-permissions JSON (never a literal "...");
// the cross-account rule, left out of the declaration, is the one to revoke.
func TestRevokeCommandRuns(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"rule ids read", legacy.Files(),
			"declare it, or revoke it: aws ec2 revoke-security-group-ingress --group-id sg-0a000000000000004 --security-group-rule-ids sgr-0b000000000000017"},
		{"no rule ids", []string{legacy.Files()[0], legacy.Files()[2]},
			`declare it, or revoke it: aws ec2 revoke-security-group-ingress --group-id sg-0a000000000000004 --ip-permissions ` +
				`'[{"FromPort":8080,"IpProtocol":"tcp","ToPort":8080,"UserIdGroupPairs":[{"GroupId":"sg-0fff00000000000aa","UserId":"444455556666"}]}]'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ec2read.ReadFiles(tc.files...)
			require.NoError(t, err)
			m := legacyMesh(t, a)
			withoutPartner(&m)
			p, err := plan.Build(m)
			require.NoError(t, err)
			var fixes []string
			for _, d := range audit.Compare(p, a, audit.Options{Mesh: "mesh"}) {
				if d.Kind == audit.KindUnplannedRule {
					fixes = append(fixes, d.Fix)
				}
			}
			assert.Equal(t, []string{tc.want}, fixes)
		})
	}
}
