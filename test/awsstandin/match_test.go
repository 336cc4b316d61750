package awsstandin

import (
	"fmt"
	"hash/crc32"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
)

func importRule(t *testing.T, p *Provider, id string) (*pulumirpc.ReadResponse, error) {
	t.Helper()
	return p.Read(ctx, &pulumirpc.ReadRequest{Urn: urn(RuleType, "imported"), Id: id})
}

func cidrs(vals ...string) map[string]any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return map[string]any{"cidrBlocks": out}
}

// cidrRule creates a tcp/443 ingress rule on group from the CIDRs, with
// description when not empty.
func cidrRule(t *testing.T, p *Provider, group, description string, vals ...string) {
	t.Helper()
	in := cidrs(vals...)
	in["securityGroupId"] = group
	if description != "" {
		in["description"] = description
	}
	rule(t, p, in)
}

// An import matches as findRuleMatch does: EC2 keeps one permission per
// protocol and ports with every source authorized for it, and the id's
// sources need only be among them. An exact-set match hid issue 18 item 4
// (an adopted list rule whose list lost a CIDR re-imports "successfully").
func TestImportMatchesASubsetOfThePermission(t *testing.T) {
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", false)
	cidrRule(t, p, a, "", "10.0.1.0/24", "10.0.2.0/24")
	// A third source for the same ports, authorized by another call: EC2
	// merges it into the same permission.
	cidrRule(t, p, a, "", "10.0.3.0/24")
	other := cidrs("10.0.9.0/24")
	other["securityGroupId"], other["fromPort"], other["toPort"] = a, 22, 22
	rule(t, p, other)

	for _, tc := range []struct {
		sources string
		found   bool
	}{
		{"10.0.1.0/24", true},
		{"10.0.2.0/24_10.0.1.0/24", true},
		{"10.0.1.0/24_10.0.3.0/24", true}, // across two creates
		{"10.0.1.0/24_10.0.2.0/24_10.0.3.0/24", true},
		{"10.0.1.0/24_10.0.4.0/24", false}, // one source missing
		{"10.0.9.0/24", false},             // held for port 22 only
	} {
		t.Run(tc.sources, func(t *testing.T) {
			resp, err := importRule(t, p, a+"_ingress_tcp_443_443_"+tc.sources)
			require.NoError(t, err)
			if !tc.found {
				assert.Empty(t, resp.GetId(), "names no permission: the engine reports it does not exist")
				return
			}
			assert.Regexp(t, `^sgrule-\d+$`, resp.GetId())
		})
	}
}

// After an import Read rewrites the id as securityGroupRuleCreateID, keeps
// the sources the id named (not the whole permission) and fills
// securityGroupRuleId when the id named one EC2 rule.
func TestImportRewritesTheID(t *testing.T) {
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", false)
	cidrRule(t, p, a, "web", "10.0.1.0/24", "10.0.2.0/24")
	created, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(RuleType, "r"), Properties: props(t, map[string]any{
		"type": "ingress", "protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroupId": a, "cidrBlocks": []any{"10.0.3.0/24"}})})
	require.NoError(t, err)
	sgr := propsOf(t, created.GetProperties())["securityGroupRuleId"].StringValue()
	require.Regexp(t, `^sgr-`, sgr)

	resp, err := importRule(t, p, a+"_ingress_6_443_443_10.0.2.0/24")
	require.NoError(t, err)
	want := fmt.Sprintf("sgrule-%d", crc32.ChecksumIEEE([]byte(a+"-443-443-tcp-ingress-10.0.2.0/24-")))
	assert.Equal(t, want, resp.GetId())
	got := propsOf(t, resp.GetInputs())
	assert.Equal(t, resource.NewPropertyValue([]string{"10.0.2.0/24"}), got["cidrBlocks"], "the id's sources, not the permission's")
	assert.Equal(t, "tcp", got["protocol"].StringValue())
	assert.Equal(t, "web", got["description"].StringValue())
	out := propsOf(t, resp.GetProperties())
	assert.Regexp(t, `^sgr-[0-9a-f]{17}$`, out["securityGroupRuleId"].StringValue(), "one EC2 rule named")

	resp, err = importRule(t, p, a+"_ingress_tcp_443_443_10.0.3.0/24")
	require.NoError(t, err)
	assert.Equal(t, sgr, propsOf(t, resp.GetProperties())["securityGroupRuleId"].StringValue())

	resp, err = importRule(t, p, a+"_ingress_tcp_443_443_10.0.1.0/24_10.0.3.0/24")
	require.NoError(t, err)
	assert.Empty(t, propsOf(t, resp.GetProperties())["securityGroupRuleId"].StringValue(), "two EC2 rules: none")

	// protocol all: no ports in the permission, so none in the id's hash.
	egress := map[string]any{"securityGroupId": a, "type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": []any{"0.0.0.0/0"}}
	rule(t, p, egress)
	resp, err = importRule(t, p, a+"_egress_all_0_0_0.0.0.0/0")
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("sgrule-%d", crc32.ChecksumIEEE([]byte(a+"--1-egress-0.0.0.0/0-"))), resp.GetId())
}

// A refresh of an imported rule reads it by content, and its delete revokes
// exactly the sources it holds, leaving the rest of the permission.
func TestImportedRuleReadsAndDeletesByContent(t *testing.T) {
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", false)
	cidrRule(t, p, a, "", "10.0.1.0/24", "10.0.2.0/24")
	resp, err := importRule(t, p, a+"_ingress_tcp_443_443_10.0.1.0/24")
	require.NoError(t, err)
	state := resp.GetProperties()

	refresh, err := p.Read(ctx, &pulumirpc.ReadRequest{Urn: urn(RuleType, "imported"), Id: resp.GetId(), Properties: state, Inputs: resp.GetInputs()})
	require.NoError(t, err)
	assert.Equal(t, resp.GetId(), refresh.GetId())

	_, err = p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn(RuleType, "imported"), Id: resp.GetId(), Properties: state})
	require.NoError(t, err)
	var left []string
	for _, r := range account(t, p).Rules {
		left = append(left, r.Peers...)
	}
	assert.Equal(t, []string{"cidr:10.0.2.0/24"}, left)
	refresh, err = p.Read(ctx, &pulumirpc.ReadRequest{Urn: urn(RuleType, "imported"), Id: resp.GetId(), Properties: state})
	require.NoError(t, err)
	assert.Empty(t, refresh.GetId(), "revoked: read as gone")
}

// sourceSecurityGroupId takes [OwnerID/]SecurityGroupID: another account's
// group is referenced with its owner, shown in describe JSON as a
// UserIdGroupPair with that UserId, and imported back with it.
func TestCrossAccountGroupReference(t *testing.T) {
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", false)
	const owner, foreign = "444455556666", "sg-0f0000000000000aa"
	require.NoError(t, AddForeignGroup(p.State, owner, foreign))

	_, err := createRule(p, map[string]any{"securityGroupId": a, "sourceSecurityGroupId": foreign})
	expectCode(t, "InvalidGroup.NotFound", err)
	_, err = createRule(p, map[string]any{"securityGroupId": a, "sourceSecurityGroupId": "111111111111/" + foreign})
	expectCode(t, "InvalidGroup.NotFound", err)
	rule(t, p, map[string]any{"securityGroupId": a, "sourceSecurityGroupId": owner + "/" + foreign})
	_, err = createRule(p, map[string]any{"securityGroupId": a, "sourceSecurityGroupId": owner + "/" + foreign})
	expectCode(t, "InvalidPermission.Duplicate", err)

	out := filepath.Join(t.TempDir(), "describe.json")
	require.NoError(t, Export(p.State, out))
	acct, err := ec2read.ReadFiles(out)
	require.NoError(t, err)
	require.Len(t, acct.Groups, 1, "another account's group is not listed as this account's")
	require.Len(t, acct.Groups[0].Rules, 1)
	assert.Equal(t, ec2read.Peer{GroupID: foreign, GroupOwner: owner}, acct.Groups[0].Rules[0].Peer)

	resp, err := importRule(t, p, a+"_ingress_tcp_443_443_"+owner+"/"+foreign)
	require.NoError(t, err)
	assert.Equal(t, owner+"/"+foreign, propsOf(t, resp.GetInputs())["sourceSecurityGroupId"].StringValue())
	resp, err = importRule(t, p, a+"_ingress_tcp_443_443_"+foreign)
	require.NoError(t, err)
	assert.Equal(t, foreign, propsOf(t, resp.GetInputs())["sourceSecurityGroupId"].StringValue(),
		"without an owner in the id, flattenIpPermission writes the group id alone")

	// A seeded account keeps the reference: Seed of the export has it again.
	q := newProvider(t)
	require.NoError(t, Seed(q.State, out))
	var peers []string
	for _, r := range account(t, q).Rules {
		peers = append(peers, r.Peers...)
	}
	assert.Equal(t, []string{"sg:" + owner + "/" + foreign}, peers)
	assert.Equal(t, owner, account(t, q).Groups[foreign].OwnerID)
}

// Export is describe JSON ec2read reads: one permission per protocol and
// ports holding every source, with rule ids, tags and interfaces.
func TestExportReadsBackThroughEC2Read(t *testing.T) {
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", true)
	b := group(t, p, "B", "vpc-1", false)
	cidrRule(t, p, a, "web", "10.0.1.0/24", "10.0.2.0/24")
	rule(t, p, map[string]any{"securityGroupId": a, "sourceSecurityGroupId": b})
	rule(t, p, map[string]any{"securityGroupId": a, "self": true, "fromPort": 22, "toPort": 22})
	rule(t, p, map[string]any{"securityGroupId": b, "type": "egress", "protocol": "all", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": []any{"::/0"}})
	require.NoError(t, Attach(p.State, "eni-1", a))

	out := filepath.Join(t.TempDir(), "describe.json")
	require.NoError(t, Export(p.State, out))
	acct, err := ec2read.ReadFiles(out)
	require.NoError(t, err)
	assert.True(t, acct.RuleIDsKnown)
	ga, err := acct.Group(a)
	require.NoError(t, err)
	assert.Equal(t, "A", ga.Name)
	type row struct {
		dir, proto string
		from, to   int
		peer, desc string
	}
	var got []row
	for _, r := range ga.Rules {
		assert.Regexp(t, `^sgr-[0-9a-f]{17}$`, r.ID)
		got = append(got, row{r.Direction, r.Protocol, r.FromPort, r.ToPort, r.Peer.String(), r.Description})
	}
	assert.Equal(t, []row{
		{"ingress", "tcp", 22, 22, a, ""},
		{"ingress", "tcp", 443, 443, "10.0.1.0/24", "web"},
		{"ingress", "tcp", 443, 443, "10.0.2.0/24", "web"},
		{"ingress", "tcp", 443, 443, b, ""},
	}, got)
	assert.Equal(t, []string{"eni-1"}, []string{ga.Interfaces[0].ID})
	gb, err := acct.Group(b)
	require.NoError(t, err)
	require.Len(t, gb.Rules, 1)
	assert.Equal(t, ec2read.Rule{ID: gb.Rules[0].ID, Direction: "egress", Protocol: "-1", Peer: ec2read.Peer{CIDR: "::/0"}}, gb.Rules[0])
}

// The schema's ConflictsWith and AtLeastOneOf fail the preview; a prefix
// list goes beside any other source, as in the real schema.
func TestCheckPeerKinds(t *testing.T) {
	p := newProvider(t)
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp", "fromPort": 1, "toPort": 2}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name string
		in   map[string]any
		want []string
	}{
		{"prefix list and CIDRs", base(map[string]any{"prefixListIds": []any{"pl-1"}, "cidrBlocks": []any{"10.0.0.0/8"}}), nil},
		{"prefix list and a group", base(map[string]any{"prefixListIds": []any{"pl-1"}, "sourceSecurityGroupId": "sg-2"}), nil},
		{"prefix list and self", base(map[string]any{"prefixListIds": []any{"pl-1"}, "self": true}), nil},
		{"IPv4 and IPv6", base(map[string]any{"cidrBlocks": []any{"10.0.0.0/8"}, "ipv6CidrBlocks": []any{"::/0"}}), nil},
		{"self false is not set", base(map[string]any{"cidrBlocks": []any{"10.0.0.0/8"}, "self": false}), nil},
		{"CIDRs and a group", base(map[string]any{"cidrBlocks": []any{"10.0.0.0/8"}, "sourceSecurityGroupId": "sg-2"}),
			[]string{"cidrBlocks: conflicts with sourceSecurityGroupId"}},
		{"IPv6 and self", base(map[string]any{"ipv6CidrBlocks": []any{"::/0"}, "self": true}),
			[]string{"ipv6CidrBlocks: conflicts with self"}},
		{"a group and self", base(map[string]any{"sourceSecurityGroupId": "sg-2", "self": true}),
			[]string{"sourceSecurityGroupId: conflicts with self"}},
		{"none", base(map[string]any{"cidrBlocks": []any{}}),
			[]string{"cidrBlocks: one of `cidrBlocks,ipv6CidrBlocks,prefixListIds,self,sourceSecurityGroupId` must be specified"}},
		{"an unknown source may be any", base(map[string]any{"sourceSecurityGroupId": resource.MakeComputed(resource.NewStringProperty(""))}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			news, err := marshal(resource.NewPropertyMapFromMap(tc.in))
			require.NoError(t, err)
			resp, err := p.Check(ctx, &pulumirpc.CheckRequest{Urn: urn(RuleType, "r"), News: news})
			require.NoError(t, err)
			var got []string
			for _, f := range resp.GetFailures() {
				got = append(got, f.GetProperty()+": "+f.GetReason())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// Protocol -1 has no ports in EC2: the real provider does not send them, so
// a rule with ports on -1 is authorized, as the same rule with 0/0.
func TestAllProtocolsIgnoresPorts(t *testing.T) {
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", false)
	rule(t, p, map[string]any{"securityGroupId": a, "protocol": "-1", "fromPort": 0, "toPort": 65535, "cidrBlocks": []any{"10.0.0.0/8"}})
	_, err := createRule(p, map[string]any{"securityGroupId": a, "protocol": "all", "fromPort": 0, "toPort": 0, "cidrBlocks": []any{"10.0.0.0/8"}})
	expectCode(t, "InvalidPermission.Duplicate", err)
}
