package awsstandin

import (
	"context"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestACLEntries(t *testing.T) {
	entry := func(number int, egress bool, cidr string) *ACLEntry {
		return &ACLEntry{ACL: "acl-1", Egress: egress, Number: number, Protocol: "tcp", Action: "allow", CIDR: cidr, From: 443, To: 443}
	}
	tests := []struct {
		name    string
		quota   string
		before  []*ACLEntry
		add     *ACLEntry
		wantErr string
	}{
		{"a free number", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(101, false, "10.0.0.0/24"), ""},
		{"the same number in the other direction", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(100, true, "10.0.0.0/24"), ""},
		{"a taken number, whatever the content", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(100, false, "10.9.0.0/24"),
			"NetworkAclEntryAlreadyExists: EC2 Network ACL (acl-1) Rule (egress: false)(100) already exists"},
		// quota 3: the default deny rule and two entries fill it
		{"the quota counts the default deny rule", "3", []*ACLEntry{entry(1, false, "10.0.0.0/24"), entry(2, false, "10.0.1.0/24")},
			entry(3, false, "10.0.2.0/24"), "NetworkAclEntryLimitExceeded: "},
		{"IPv6 counts apart", "3", []*ACLEntry{entry(1, false, "10.0.0.0/24"), entry(2, false, "10.0.1.0/24")},
			entry(3, false, "2001:db8::/64"), ""},
		{"a number outside 1-32766", "", nil, entry(32767, false, "10.0.0.0/24"), "InvalidParameterValue: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvACLRules, tt.quota)
			a := &Account{}
			a.createACL(&NetworkACL{ID: "acl-1", VpcID: "vpc-1"}, nil)
			for _, e := range tt.before {
				require.NoError(t, a.addACLEntry(e))
			}
			err := a.addACLEntry(tt.add)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Len(t, a.ACLEntries, len(tt.before)+1)
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.wantErr), err.Error())
			assert.Len(t, a.ACLEntries, len(tt.before), "a refused entry changes nothing")
		})
	}
}

// A subnet is in exactly one ACL; dropped from its ACL, or with the ACL
// deleted, it is back in the VPC's default ACL.
func TestSubnetAssociation(t *testing.T) {
	a := &Account{}
	a.createACL(&NetworkACL{ID: "acl-web", VpcID: "vpc-1"}, []string{"subnet-a", "subnet-b"})
	a.createACL(&NetworkACL{ID: "acl-app", VpcID: "vpc-1"}, []string{"subnet-b", "subnet-c"})
	assert.Equal(t, []string{"subnet-a"}, a.SubnetsOf("acl-web"), "subnet-b moved to acl-app")
	assert.Equal(t, []string{"subnet-b", "subnet-c"}, a.SubnetsOf("acl-app"))

	a.setSubnets(a.NetworkACLs["acl-app"], []string{"subnet-c"})
	assert.Equal(t, []string{"subnet-b"}, a.SubnetsOf(DefaultACL("vpc-1")))

	require.NoError(t, a.addACLEntry(&ACLEntry{ACL: "acl-web", Number: 100, Protocol: "tcp", CIDR: "10.0.0.0/24"}))
	require.NoError(t, a.deleteACL("acl-web"))
	assert.Equal(t, []string{"subnet-a", "subnet-b"}, a.SubnetsOf(DefaultACL("vpc-1")))
	assert.Empty(t, a.ACLEntries, "entries go with their ACL")
	assert.ErrorContains(t, a.deleteACL("acl-web"), "InvalidNetworkAclID.NotFound")
}

// Through the plugin protocol: a rule that changes is replaced create-first
// (pulumi-aws #3244), so its successor must take a free number; one that
// reuses the old number is refused as the real provider refuses it.
func TestACLRuleReplacesCreateFirst(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	acl, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLType, "web"),
		Properties: props(t, map[string]any{"vpcId": "vpc-1", "subnetIds": []any{"subnet-a"}})})
	require.NoError(t, err)
	rule := func(number int, port int) map[string]any {
		return map[string]any{"networkAclId": acl.GetId(), "ruleNumber": number, "egress": false, "protocol": "tcp",
			"ruleAction": "allow", "cidrBlock": "10.0.0.0/24", "fromPort": port, "toPort": port}
	}
	_, err = p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLRuleType, "r443"), Properties: props(t, rule(14509, 443))})
	require.NoError(t, err)

	diff, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn(NetworkACLRuleType, "r443"),
		OldInputs: props(t, rule(14509, 443)), News: props(t, rule(14509, 8443))})
	require.NoError(t, err)
	assert.Equal(t, []string{"fromPort", "toPort"}, diff.GetReplaces())
	assert.False(t, diff.GetDeleteBeforeReplace(), "pulumi-aws creates the new rule first")

	_, err = p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLRuleType, "r443"), Properties: props(t, rule(14509, 8443))})
	require.ErrorContains(t, err, "NetworkAclEntryAlreadyExists")
	_, err = p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLRuleType, "r8443"), Properties: props(t, rule(5785, 8443))})
	require.NoError(t, err)
	assert.Equal(t, []string{"subnet-a"}, account(t, p).SubnetsOf(acl.GetId()))
}

// Check must not hold network ACL rules to security-group rule fields
// (type, securityGroupId): their inputs pass unchanged.
func TestCheckPassesNetworkACLRules(t *testing.T) {
	p := newProvider(t)
	in := map[string]any{"networkAclId": "acl-1", "ruleNumber": 100, "egress": false, "protocol": "tcp",
		"ruleAction": "allow", "cidrBlock": "10.0.0.0/24", "fromPort": 443, "toPort": 443}
	resp, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: urn(NetworkACLRuleType, "r"), News: props(t, in)})
	require.NoError(t, err)
	assert.Empty(t, resp.GetFailures())
	assert.Equal(t, propsOf(t, props(t, in)), propsOf(t, resp.GetInputs()))
}

// Read of the ACL types returns their state from the account, not the
// recorded one: an ACL's subnets, tags and every entry (ingress/egress, as
// resourceNetworkACLRead lists them), a rule's fields, protocols as numbers; a rule imports by
// ACL:NUMBER:PROTOCOL:EGRESS (resourceNetworkACLRuleImport); gone is an
// empty id. Inline ingress/egress inputs become entries and are rewritten on
// update; subnetIds, ingress and egress diff as sets (TypeSet).
func TestACLReadInlineAndSets(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	in443 := map[string]any{"action": "allow", "protocol": "tcp", "ruleNo": 200, "cidrBlock": "10.0.1.0/24", "fromPort": 443, "toPort": 443}
	in80 := map[string]any{"action": "allow", "protocol": "tcp", "ruleNo": 300, "cidrBlock": "10.0.1.0/24", "fromPort": 80, "toPort": 80}
	out6 := map[string]any{"action": "allow", "protocol": "-1", "ruleNo": 100, "ipv6CidrBlock": "::/0", "fromPort": 0, "toPort": 0}
	aclIn := map[string]any{"vpcId": "vpc-1", "subnetIds": []any{"subnet-b", "subnet-a"}, "tags": map[string]any{"Tier": "app"},
		"ingress": []any{in443}, "egress": []any{out6}}
	acl, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLType, "app"), Properties: props(t, aclIn)})
	require.NoError(t, err)
	rule := map[string]any{"networkAclId": acl.GetId(), "ruleNumber": 5785, "egress": true, "protocol": "udp",
		"ruleAction": "allow", "cidrBlock": "10.0.2.0/24", "fromPort": 53, "toPort": 53}
	r, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLRuleType, "dns"), Properties: props(t, rule)})
	require.NoError(t, err)

	got, err := p.Read(ctx, &pulumirpc.ReadRequest{Urn: urn(NetworkACLType, "app"), Id: acl.GetId()})
	require.NoError(t, err)
	state := got.GetProperties().AsMap()
	assert.Equal(t, []any{"subnet-a", "subnet-b"}, state["subnetIds"])
	assert.Equal(t, map[string]any{"Tier": "app"}, state["tags"])
	assert.Equal(t, "arn:aws:ec2:us-east-1:123456789012:network-acl/"+acl.GetId(), state["arn"])
	assert.Equal(t, []any{map[string]any{"action": "allow", "protocol": "6", "ruleNo": 200.0, "cidrBlock": "10.0.1.0/24",
		"fromPort": 443.0, "toPort": 443.0, "icmpType": 0.0, "icmpCode": 0.0}}, state["ingress"])
	assert.Len(t, state["egress"], 2, "the inline ::/0 entry and the NetworkAclRule's")
	assert.Equal(t, state["subnetIds"], got.GetInputs().AsMap()["subnetIds"], "an import's inputs come from the state")

	for id, wantID := range map[string]string{r.GetId(): r.GetId(), acl.GetId() + ":5785:udp:true": r.GetId(),
		acl.GetId() + ":5785:17:true": aclEntryID(acl.GetId(), 5785, true, "17")} {
		got, err = p.Read(ctx, &pulumirpc.ReadRequest{Urn: urn(NetworkACLRuleType, "dns"), Id: id})
		require.NoError(t, err)
		assert.Equal(t, wantID, got.GetId(), "read by %s", id)
		state = got.GetProperties().AsMap()
		for k, v := range map[string]any{"networkAclId": acl.GetId(), "ruleNumber": 5785.0, "egress": true, "protocol": "17",
			"ruleAction": "allow", "cidrBlock": "10.0.2.0/24", "fromPort": 53.0, "toPort": 53.0} {
			assert.Equal(t, v, state[k], "%s read by %s", k, id)
		}
	}
	got, err = p.Read(ctx, &pulumirpc.ReadRequest{Urn: urn(NetworkACLRuleType, "dns"), Id: acl.GetId() + ":5786:udp:true"})
	require.NoError(t, err)
	assert.Empty(t, got.GetId(), "no such entry: gone")

	reordered := map[string]any{"vpcId": "vpc-1", "subnetIds": []any{"subnet-a", "subnet-b"}, "tags": map[string]any{"Tier": "app"},
		"ingress": []any{in443}, "egress": []any{out6}}
	diff, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn(NetworkACLType, "app"), OldInputs: props(t, aclIn), News: props(t, reordered)})
	require.NoError(t, err)
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, diff.GetChanges(), "subnetIds reordered is no change")

	changed := map[string]any{"vpcId": "vpc-1", "subnetIds": []any{"subnet-a"}, "ingress": []any{in80, in443}, "egress": []any{out6}}
	diff, err = p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn(NetworkACLType, "app"), OldInputs: props(t, aclIn), News: props(t, changed)})
	require.NoError(t, err)
	assert.Equal(t, []string{"ingress", "subnetIds", "tags"}, diff.GetDiffs())
	assert.Empty(t, diff.GetReplaces(), "they update in place")
	_, err = p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn(NetworkACLType, "app"), Id: acl.GetId(), News: props(t, changed)})
	require.NoError(t, err)
	a := account(t, p)
	var numbers []int
	for _, e := range a.ACLEntries {
		if !e.Egress {
			numbers = append(numbers, e.Number)
		}
	}
	assert.ElementsMatch(t, []int{200, 300}, numbers)
	assert.Equal(t, []string{"subnet-a"}, a.SubnetsOf(acl.GetId()))
	assert.Equal(t, []string{"subnet-b"}, a.SubnetsOf(DefaultACL("vpc-1")))
}
