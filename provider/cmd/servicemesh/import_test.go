package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
)

func legacyArgs() []string {
	var args []string
	for _, f := range legacy.Files() {
		args = append(args, "--from", f)
	}
	for _, t := range legacy.Tiers {
		args = append(args, "--tier", t)
	}
	return args
}

// TestImportThenPlan: the declaration import writes is one plan accepts.
func TestImportThenPlan(t *testing.T) {
	out := filepath.Join(t.TempDir(), "legacy.yaml")
	code, stdout, errs := runCLI(append([]string{"import", "-o", out}, legacyArgs()...)...)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "legacy.report.md: 5 service(s)")
	report, err := os.ReadFile(filepath.Join(filepath.Dir(out), "legacy.report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(report), "**world-open-admin-port** bastion-host (`sg-0a000000000000001`)")

	code, stdout, errs = runCLI("plan", out)
	assert.Equal(t, exitOK, code, errs)
	assert.Empty(t, errs)
	assert.Contains(t, stdout, "5 security groups, 24 rules", "the cross-account rule included (issue 18 item 8)")
}

func TestImportToStdout(t *testing.T) {
	code, stdout, errs := runCLI(append([]string{"import"}, legacyArgs()...)...)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "groupId: sg-0a000000000000001")
	assert.Contains(t, errs, "# Migration report")
}

func TestImportErrors(t *testing.T) {
	notDescribe := write(t, "mesh.json", `{"tiers":[],"services":[]}`)
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no source":       {[]string{"import"}, "give --from FILE"},
		"both sources":    {[]string{"import", "--from", legacy.Groups(), "--region", "us-east-1"}, "not both"},
		"region no vpc":   {[]string{"import", "--region", "us-east-1"}, "--region needs --vpc-id"},
		"not describe":    {[]string{"import", "--from", notDescribe}, `not the JSON of ` + "`aws ec2 describe-security-groups"},
		"bad tier":        {[]string{"import", "--from", legacy.Groups(), "--tier", "web"}, "write NAME=CIDR"},
		"file argument":   {[]string{"import", legacy.Groups()}, "use --from FILE"},
		"vpc not in file": {[]string{"import", "--from", legacy.Groups(), "--vpc-id", "vpc-0other"}, "has no security groups in vpc-0other"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runCLI(tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.Contains(t, errs, tc.want)
		})
	}
}

func TestAudit(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "legacy.yaml")
	code, _, errs := runCLI(append([]string{"import", "-o", spec}, legacyArgs()...)...)
	require.Equal(t, exitOK, code, errs)
	from := []string{"--from", legacy.Files()[0], "--from", legacy.Files()[1]}

	// Issue 18 item 8: the imported declaration, the cross-account
	// reference included, audits clean, so audit can gate CI.
	code, out, errs := runCLI(append([]string{"audit", spec, "--format", "json"}, from...)...)
	assert.Equal(t, exitOK, code, errs)
	assert.Equal(t, "{\n  \"drifts\": []\n}\n", out)

	elb := func(ports string) string {
		return write(t, "elb.yaml", "vpcId: "+legacy.VPC+"\negress: none\ntiers: [{name: dmz}]\nservices:\n"+
			"  - name: elb\n    tier: dmz\n    internetFacing: true\n"+
			"    adopt: {groupId: sg-0a000000000000002, name: web_elb sg, description: ELB for the shop}\n"+
			"    ingress: [{ports: ["+ports+"], from: {internet: true}}]\n"+
			"    egress: [{protocol: all, to: {cidrBlocks: [0.0.0.0/0]}}]\n")
	}
	// A mesh of the ELB alone is clean; without its 443 rule, EC2's two
	// permissions for 443 are drift, each revoked by its rule id.
	clean := elb("80, 443")
	code, out, errs = runCLI(append([]string{"audit", "--format", "markdown", clean}, from...)...)
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "No drift")
	code, out, errs = runCLI(append([]string{"audit", "--format", "json", elb("80")}, from...)...)
	assert.Equal(t, exitDrift, code, errs)
	assert.Contains(t, out, `"kind": "unplanned-rule"`)
	assert.Contains(t, out, `--security-group-rule-ids sgr-0b000000000000006`, "the revoke command names the rule id")
	assert.Contains(t, out, `--security-group-rule-ids sgr-0b000000000000007`)

	code, _, errs = runCLI("audit", "--from", legacy.Groups(), "--format", "pdf", clean)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, `unknown --format "pdf"`)
	code, _, errs = runCLI("audit", "--from", legacy.Groups(), "--state", legacy.Groups(), clean)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "not the output of `pulumi stack export`")
}

func TestImportSaysWhatNeedsATier(t *testing.T) {
	out := filepath.Join(t.TempDir(), "legacy.yaml")
	code, _, errs := runCLI("import", "--from", legacy.Groups(), "--tier", "web=10.0.1.0/24", "-o", out)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, errs, "5 service(s) still need a tier (see the report): bastion-host, web_elb-sg, web-servers-nginx, app-tier, db")
	code, _, errs = runCLI("plan", out)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errs, `service "db": service has no tier`)
}

func TestImportAndAuditHelp(t *testing.T) {
	for cmd, want := range map[string]string{"import": "servicemesh import --from FILE", "audit": "Exit status: 0 no drift; 3 drift"} {
		code, out, _ := runCLI(cmd, "--help")
		assert.Equal(t, exitOK, code)
		assert.Contains(t, out, want)
	}
}

// import -o never overwrites a declaration (or its report) the user may have
// edited since, unless --force says so.
func TestImportRefusesToOverwrite(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing string // the file already there, beside OUT
		force    bool
		code     int
		want     string
	}{
		{"the declaration exists", "legacy.yaml", false, exitUsage, "legacy.yaml exists (it may hold your edits); fix: choose another -o, or add --force to overwrite it"},
		{"the report exists", "legacy.report.md", false, exitUsage, "legacy.report.md exists (it may hold your edits)"},
		{"--force overwrites", "legacy.yaml", true, exitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "legacy.yaml")
			edited := filepath.Join(dir, tc.existing)
			require.NoError(t, os.WriteFile(edited, []byte("# my edits\n"), 0o644))
			args := append([]string{"import", "-o", out}, legacyArgs()...)
			if tc.force {
				args = append(args, "--force")
			}
			code, _, errs := runCLI(args...)
			require.Equal(t, tc.code, code, errs)
			data, err := os.ReadFile(edited)
			require.NoError(t, err)
			if tc.force {
				assert.NotEqual(t, "# my edits\n", string(data))
				return
			}
			assert.Contains(t, errs, tc.want)
			assert.Equal(t, "# my edits\n", string(data), "the edited file is left alone")
		})
	}
	code, _, errs := runCLI(append([]string{"import", "--force"}, legacyArgs()...)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "--force goes with -o OUT")
}

// TestImportFlowsProposesGroupPeers: with the legacy VPC's flow logs
// (test/legacy/flows.log, written by hand), the import proposes group peers
// for the CIDR rules whose observed callers all carry an imported group,
// the VPC-wide 7000-7999 rule among them, and says why the others stay
// CIDRs. Audit of the result against the account is then exactly the
// tightening: each new group rule missing (pulumi up creates it), each
// replaced CIDR rule unplanned (revoke it, by its rule id).
func TestImportFlowsProposesGroupPeers(t *testing.T) {
	out := filepath.Join(t.TempDir(), "legacy.yaml")
	code, _, errs := runCLI(append([]string{"import", "-o", out, "--flows", legacy.Flows()}, legacyArgs()...)...)
	require.Equal(t, exitOK, code, errs)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	m, err := spec.Decode(data)
	require.NoError(t, err)
	ingress := map[string][]spec.IngressRule{}
	adopted := map[string][]string{}
	for _, s := range m.Services {
		ingress[s.Name] = s.Ingress
		adopted[s.Name] = s.Adopt.Rules
	}
	web := spec.Peers{Services: []string{"web-servers-nginx"}}
	from := func(service string, port int) []spec.Peers {
		var out []spec.Peers
		for _, r := range ingress[service] {
			if slices.Contains(r.Ports, port) || (r.PortRange != nil && r.PortRange.From == port) {
				out = append(out, r.From)
			}
		}
		return out
	}
	assert.Equal(t, []spec.Peers{web}, from("app-tier", 7000), "the VPC-wide 10.0.0.0/16 rule: its one caller, the web servers")
	assert.Equal(t, []spec.Peers{web}, from("app-tier", 7500), "the web tier's /24")
	assert.Equal(t, []spec.Peers{{Services: []string{"web_elb-sg"}}}, from("web-servers-nginx", 443), "the ELB subnet's /24: both ELB interfaces")
	assert.Equal(t, []spec.Peers{{Services: []string{"app-tier"}, Networks: []string{"net-10.0.1.0-24"}}, {PrefixListIDs: []string{"pl-0123456789abcdef0"}}},
		from("db", 3306), "10.0.2.0/24 became app-tier; 10.0.1.0/24 saw no traffic and stays; the prefix list is no CIDR")
	assert.NotContains(t, adopted["app-tier"], "app-tier/ingress/tcp-7000-7999/sg_web-servers-nginx", "a rule that does not exist yet is not adopted")
	assert.Contains(t, adopted["app-tier"], "app-tier/ingress/tcp-22/sg_bastion-host")

	report, err := os.ReadFile(strings.TrimSuffix(out, ".yaml") + ".report.md")
	require.NoError(t, err)
	window := "8 flow-log records in " + legacy.Flows() + ", 2026-11-18T11:06:40Z to 2026-11-18T11:08:40Z"
	for _, want := range []string{
		"**tightened-by-flows** app-tier (`sg-0a000000000000004`), rule `ingress tcp/7000-7999 from 10.0.0.0/16`: every observed caller carries a group of this import: web-servers-nginx (2 records in 2 flows, of " + window + ")",
		"**tightened-by-flows** db (`sg-0a000000000000005`), rule `ingress tcp/3306 from 10.0.2.0/24`: every observed caller carries a group of this import: app-tier (1 record in 1 flow, of " + window + ")",
		"**kept-cidr** db (`sg-0a000000000000005`), rule `ingress tcp/3306 from 10.0.1.0/24`: kept as a CIDR: no accepted request in " + window,
		"**kept-cidr** web-servers-nginx (`sg-0a000000000000003`), rule `ingress icmp/8 from 10.0.0.0/16`: kept as a CIDR: flow-log records carry no ICMP type or code",
		"**kept-cidr** bastion-host (`sg-0a000000000000001`), rule `ingress tcp/22 from 203.0.113.0/24`: kept as a CIDR: its callers 203.0.113.50 include addresses",
		"**kept-cidr** web-servers-nginx (`sg-0a000000000000003`), rule `ingress udp/8125 from 2001:db8:1::/48`: kept as a CIDR: no accepted request",
	} {
		assert.Contains(t, mdtextPlain(string(report)), want)
	}

	code, _, errs = runCLI("plan", out)
	assert.Equal(t, exitOK, code, errs)

	var accountFrom []string
	for _, f := range legacy.Files() {
		accountFrom = append(accountFrom, "--from", f)
	}
	code, js, errs := runCLI(append([]string{"audit", out, "--format", "json"}, accountFrom...)...)
	assert.Equal(t, exitDrift, code, errs)
	var drifts struct {
		Drifts []struct{ Kind, Service, Rule, Fix string }
	}
	require.NoError(t, json.Unmarshal([]byte(js), &drifts))
	var got []string
	for _, d := range drifts.Drifts {
		got = append(got, d.Kind+" "+d.Service+" "+d.Rule)
	}
	assert.Equal(t, []string{
		"missing-rule app-tier ingress tcp/7000-7999 from sg-0a000000000000003",
		"missing-rule app-tier ingress tcp/7500 from sg-0a000000000000003",
		"unplanned-rule app-tier ingress tcp/7000-7999 from 10.0.0.0/16",
		"unplanned-rule app-tier ingress tcp/7500 from 10.0.1.0/24",
		"missing-rule db ingress tcp/3306 from sg-0a000000000000004",
		"unplanned-rule db ingress tcp/3306 from 10.0.2.0/24",
		"missing-rule web-servers-nginx ingress tcp/443 from sg-0a000000000000002",
		"unplanned-rule web-servers-nginx ingress tcp/443 from 10.0.0.0/24",
	}, got)
	assert.Contains(t, js, "revoke-security-group-ingress --group-id sg-0a000000000000004 --security-group-rule-ids sgr-0b000000000000015", "the /16 rule, by its id")
}

// mdtextPlain undoes the report's escapes of the few characters these
// expectations hold, so they read as written.
func mdtextPlain(s string) string { return strings.NewReplacer(`\_`, "_").Replace(s) }

func TestImportFlowsErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"log format without flows": {[]string{"--log-format", "${version}"}, "--log-format, --since and --until go with the flow logs"},
		"window without flows":     {[]string{"--since", "24h"}, "--log-format, --since and --until go with the flow logs"},
		"unreadable flow log":      {[]string{"--flows", "no-such-flows.log"}, "no-such-flows.log"},
		"two record sources":       {[]string{"--flows", "a.log", "--s3", "s3://logs/"}, "give one source of records, not flow-log files and --s3"},
		"athena with a window":     {[]string{"--athena-csv", "r.csv", "--since", "24h"}, "--athena-csv takes no --since"},
		"region with files only":   {[]string{"--region", "us-east-1", "--flows", "a.log"}, "not both: with --from the security groups come from files, and --region and --endpoint-url serve only flow logs"},
		"endpoint without flows":   {[]string{"--endpoint-url", "http://127.0.0.1:1"}, "not both: with --from the security groups come from files"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCLI(append(append([]string{"import"}, tc.args...), legacyArgs()...)...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, errs, tc.want)
		})
	}
}

// TestReadmeImportFlows: the README's import --flows excerpt is lines of
// the report the command writes today.
func TestReadmeImportFlows(t *testing.T) {
	heading := "### Brownfield import with flow logs: `import --flows`"
	excerpt := readmeBlocks(t, heading, "```")
	require.Len(t, excerpt, 1)
	// The README's paths are the checkout's; the test runs from this package.
	args := []string{"import", "--flows", "../../../test/legacy/flows.log"}
	code, _, report := runCLI(append(args, legacyArgs()...)...)
	require.Equal(t, exitOK, code, report)
	report = strings.ReplaceAll(report, "../../../test/legacy/flows.log", "test/legacy/flows.log")
	for _, line := range strings.Split(strings.TrimSpace(excerpt[0]), "\n") {
		assert.Contains(t, report, line+"\n", "README's import --flows excerpt is stale")
	}
}

// TestImportFlowsFilesAfterTheFlags: --flows logs/*.gz, expanded by the
// shell, gives every file: those after the flags are flow logs too.
func TestImportFlowsFilesAfterTheFlags(t *testing.T) {
	empty := write(t, "empty.log", "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status\n")
	code, _, report := runCLI(append(append([]string{"import"}, legacyArgs()...), "--flows", legacy.Flows(), empty)...)
	require.Equal(t, exitOK, code, report)
	assert.Contains(t, report, "8 flow-log records in "+legacy.Flows()+", "+empty+", ")
}
