package awsstandin

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

var ctx = context.Background()

// TestMain shortens the delete retry window from the real 15 minutes, so a
// refused delete fails in a fraction of a second.
func TestMain(m *testing.M) {
	os.Setenv(EnvDeleteTimeout, "300ms")
	os.Exit(m.Run())
}

func urn(typ, name string) string {
	return string(resource.NewURN("dev", "proj", "", tokens.Type(typ), name))
}

func props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := marshal(resource.NewPropertyMapFromMap(m))
	require.NoError(t, err)
	return s
}

func propsOf(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := unmarshal(s)
	require.NoError(t, err)
	return m
}

// newProvider is a stand-in with its own account file.
func newProvider(t *testing.T) *Provider {
	return &Provider{State: filepath.Join(t.TempDir(), "account.json")}
}

// group creates a security group and returns its id.
func group(t *testing.T, p *Provider, name, vpc string, revoke bool) string {
	t.Helper()
	id, err := createGroup(p, name, vpc, revoke)
	require.NoError(t, err)
	return id
}

func createGroup(p *Provider, name, vpc string, revoke bool) (string, error) {
	s, _ := marshal(resource.NewPropertyMapFromMap(map[string]any{
		"name": name, "vpcId": vpc, "description": "test", "revokeRulesOnDelete": revoke,
	}))
	resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(GroupType, name), Properties: s})
	if err != nil {
		return "", err
	}
	return resp.GetId(), nil
}

func createRule(p *Provider, m map[string]any) (string, error) {
	in := map[string]any{"type": "ingress", "protocol": "tcp", "fromPort": 443, "toPort": 443}
	for k, v := range m {
		in[k] = v
	}
	s, err := marshal(resource.NewPropertyMapFromMap(in))
	if err != nil {
		return "", err
	}
	resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(RuleType, "r"), Properties: s})
	if err != nil {
		return "", err
	}
	return resp.GetId(), nil
}

func rule(t *testing.T, p *Provider, m map[string]any) string {
	t.Helper()
	id, err := createRule(p, m)
	require.NoError(t, err)
	return id
}

func deleteGroup(p *Provider, id string, revoke bool) error {
	s, _ := marshal(resource.NewPropertyMapFromMap(map[string]any{"revokeRulesOnDelete": revoke}))
	_, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn(GroupType, "g"), Id: id, Properties: s})
	return err
}

func account(t *testing.T, p *Provider) *Account {
	t.Helper()
	var out *Account
	require.NoError(t, withAccount(p.State, false, func(a *Account) error { out = a; return nil }))
	return out
}

// The stand-in must answer to the version the component's pulumi-aws SDK
// registers with: the one go.mod requires.
func TestVersionIsTheSDKsInGoMod(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/pulumi/pulumi-aws/sdk/v6").Output()
	require.NoError(t, err)
	assert.Equal(t, "v"+Version, strings.TrimSpace(string(out)))
}

func TestPluginBasics(t *testing.T) {
	p := newProvider(t)
	info, err := p.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, Version, info.GetVersion())

	schema, err := p.GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	require.NoError(t, err)
	var js map[string]any
	require.NoError(t, json.Unmarshal([]byte(schema.GetSchema()), &js))
	assert.Equal(t, "aws", js["name"])
	assert.Equal(t, Version, js["version"])
	assert.Contains(t, js["resources"], GroupType)
	assert.Contains(t, js["resources"], RuleType)
	// The ACL types as pulumi-aws v6 has them: NetworkAclRuleArgs' fields,
	// NetworkAclArgs' with the NetworkAclIngress/Egress object type.
	res := js["resources"].(map[string]any)
	rule := res[NetworkACLRuleType].(map[string]any)["inputProperties"].(map[string]any)
	assert.ElementsMatch(t, []string{"cidrBlock", "egress", "fromPort", "icmpCode", "icmpType", "ipv6CidrBlock", "networkAclId",
		"protocol", "ruleAction", "ruleNumber", "toPort"}, slices.Collect(maps.Keys(rule)))
	acl := res[NetworkACLType].(map[string]any)["properties"].(map[string]any)
	assert.ElementsMatch(t, []string{"arn", "egress", "ingress", "ownerId", "subnetIds", "tags", "tagsAll", "vpcId"}, slices.Collect(maps.Keys(acl)))
	entry := js["types"].(map[string]any)["aws:ec2/NetworkAclIngress:NetworkAclIngress"].(map[string]any)["properties"].(map[string]any)
	assert.ElementsMatch(t, []string{"action", "cidrBlock", "fromPort", "icmpCode", "icmpType", "ipv6CidrBlock", "protocol", "ruleNo", "toPort"},
		slices.Collect(maps.Keys(entry)))

	conf, err := p.Configure(ctx, &pulumirpc.ConfigureRequest{})
	require.NoError(t, err)
	assert.True(t, conf.GetAcceptSecrets())
	assert.True(t, conf.GetAcceptResources())
	assert.True(t, conf.GetSupportsPreview())

	anything := props(t, map[string]any{"region": "eu-west-1", "whatever": 1})
	cc, err := p.CheckConfig(ctx, &pulumirpc.CheckRequest{News: anything})
	require.NoError(t, err)
	assert.Empty(t, cc.GetFailures())
	_, err = p.DiffConfig(ctx, &pulumirpc.DiffRequest{News: anything})
	require.NoError(t, err)
}

func TestUnsupportedType(t *testing.T) {
	p := newProvider(t)
	u := urn("aws:s3/bucket:Bucket", "b")
	want := "stand-in pulumi-resource-aws models only aws:ec2/securityGroup:SecurityGroup and " +
		"aws:ec2/securityGroupRule:SecurityGroupRule; got aws:s3/bucket:Bucket"
	calls := map[string]func() error{
		"Check":  func() error { _, err := p.Check(ctx, &pulumirpc.CheckRequest{Urn: u}); return err },
		"Diff":   func() error { _, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: u}); return err },
		"Create": func() error { _, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: u}); return err },
		"Read":   func() error { _, err := p.Read(ctx, &pulumirpc.ReadRequest{Urn: u, Id: "x"}); return err },
		"Update": func() error { _, err := p.Update(ctx, &pulumirpc.UpdateRequest{Urn: u, Id: "x"}); return err },
		"Delete": func() error { _, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: u, Id: "x"}); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) { assert.EqualError(t, call(), want) })
	}
}

func TestCheck(t *testing.T) {
	p := newProvider(t)
	seed := []byte{0xab, 0xcd, 0xef, 0x12, 0x34}
	tests := []struct {
		name     string
		typ      string
		news     map[string]any
		olds     map[string]any
		want     map[string]any // expected values of some inputs
		failures []string       // properties reported missing or invalid
	}{
		{name: "group defaults", typ: GroupType, news: map[string]any{"name": "web"},
			want: map[string]any{"name": "web", "revokeRulesOnDelete": false, "description": "Managed by Pulumi"}},
		{name: "group keeps explicit values", typ: GroupType,
			news: map[string]any{"name": "web", "revokeRulesOnDelete": true, "description": "d"},
			want: map[string]any{"revokeRulesOnDelete": true, "description": "d"}},
		{name: "group auto-named from the seed", typ: GroupType, news: map[string]any{},
			want: map[string]any{"name": "web-abcdef1"}},
		{name: "group keeps its auto-name", typ: GroupType, news: map[string]any{},
			olds: map[string]any{"name": "web-1234567"}, want: map[string]any{"name": "web-1234567"}},
		{name: "namePrefix is left to create", typ: GroupType, news: map[string]any{"namePrefix": "web-"},
			want: map[string]any{"name": nil}},
		{name: "rule protocol all is -1", typ: RuleType,
			news: map[string]any{"type": "egress", "securityGroupId": "sg-1", "protocol": "ALL", "fromPort": 0, "toPort": 0, "self": true},
			want: map[string]any{"protocol": "-1"}},
		{name: "rule protocol lowercased", typ: RuleType,
			news: map[string]any{"type": "ingress", "securityGroupId": "sg-1", "protocol": "TCP", "fromPort": 1, "toPort": 2, "self": true},
			want: map[string]any{"protocol": "tcp"}},
		{name: "rule missing required inputs", typ: RuleType, news: map[string]any{"type": "sideways"},
			failures: []string{"securityGroupId", "protocol", "fromPort", "toPort", "type", "cidrBlocks"}},
		{name: "rule description may hold &", typ: RuleType,
			news: map[string]any{"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp", "fromPort": 1, "toPort": 2,
				"cidrBlocks": []any{"10.0.0.0/8"}, "description": "a & b: {x}! $y*"}},
		{name: "rule description charset and length", typ: RuleType,
			news: map[string]any{"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp", "fromPort": 1, "toPort": 2,
				"cidrBlocks": []any{"10.0.0.0/8"}, "description": "café <b>"},
			failures: []string{"description"}},
		{name: "rule description over 255", typ: RuleType,
			news: map[string]any{"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp", "fromPort": 1, "toPort": 2,
				"self": true, "description": strings.Repeat("d", 256)},
			failures: []string{"description"}},
		{name: "rule CIDRs must be network addresses of their family", typ: RuleType,
			news: map[string]any{"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp", "fromPort": 1, "toPort": 2,
				"cidrBlocks": []any{"10.0.0.0/8", "10.0.0.1/8", "10.0.0.0", "::/0"}, "ipv6CidrBlocks": []any{"2001:db8::/32", "10.0.0.0/8", "2001:db8::1/32"}},
			failures: []string{"cidrBlocks[1]", "cidrBlocks[2]", "cidrBlocks[3]", "ipv6CidrBlocks[1]", "ipv6CidrBlocks[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := p.Check(ctx, &pulumirpc.CheckRequest{Urn: urn(tt.typ, "web"), News: props(t, tt.news),
				Olds: props(t, tt.olds), RandomSeed: seed})
			require.NoError(t, err)
			got := propsOf(t, resp.GetInputs())
			for k, v := range tt.want {
				if v == nil {
					assert.NotContains(t, got, resource.PropertyKey(k))
					continue
				}
				assert.Equal(t, resource.NewPropertyValue(v), got[resource.PropertyKey(k)], k)
			}
			var failed []string
			for _, f := range resp.GetFailures() {
				failed = append(failed, f.GetProperty())
			}
			assert.ElementsMatch(t, tt.failures, failed)
		})
	}
}

func TestDiff(t *testing.T) {
	p := newProvider(t)
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	grp := map[string]any{"name": "web", "description": "d", "vpcId": "vpc-1", "tags": map[string]any{"a": "1"},
		"revokeRulesOnDelete": true}
	rul := map[string]any{"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp", "fromPort": 443,
		"toPort": 443, "cidrBlocks": []any{"10.0.0.0/8"}, "description": "d"}
	with := func(base map[string]any, k string, v any) map[string]any {
		m := map[string]any{}
		for bk, bv := range base {
			m[bk] = bv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name     string
		typ      string
		olds     map[string]any
		news     map[string]any
		replaces []string
		diffs    []string
		kind     pulumirpc.PropertyDiff_Kind // of the first diff
		dbr      bool                        // delete before replace
	}{
		{name: "group unchanged", typ: GroupType, olds: grp, news: grp},
		{name: "group tags update", typ: GroupType, olds: grp, news: with(grp, "tags", map[string]any{"a": "2"}),
			diffs: []string{"tags"}, kind: pulumirpc.PropertyDiff_UPDATE},
		{name: "group revoke flag update", typ: GroupType, olds: grp, news: with(grp, "revokeRulesOnDelete", false),
			diffs: []string{"revokeRulesOnDelete"}, kind: pulumirpc.PropertyDiff_UPDATE},
		{name: "group tags removed", typ: GroupType, olds: grp, news: with(grp, "tags", nil),
			diffs: []string{"tags"}, kind: pulumirpc.PropertyDiff_DELETE},
		{name: "named group description replaces, deleting first", typ: GroupType, olds: grp, news: with(grp, "description", "e"),
			diffs: []string{"description"}, replaces: []string{"description"}, kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, dbr: true},
		{name: "named group name replaces, deleting first", typ: GroupType, olds: grp, news: with(grp, "name", "api"),
			diffs: []string{"name"}, replaces: []string{"name"}, kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, dbr: true},
		{name: "named group vpc replaces, deleting first", typ: GroupType, olds: grp, news: with(grp, "vpcId", "vpc-2"),
			diffs: []string{"vpcId"}, replaces: []string{"vpcId"}, kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, dbr: true},
		{name: "auto-named group replaces, creating first", typ: GroupType, olds: with(grp, "__defaults", []any{"name"}),
			news:  with(with(grp, "vpcId", "vpc-2"), "__defaults", []any{"name"}),
			diffs: []string{"vpcId"}, replaces: []string{"vpcId"}, kind: pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{name: "namePrefix-only group replaces, creating first", typ: GroupType, olds: with(grp, "name", nil),
			news:  with(with(grp, "name", nil), "namePrefix", "w-"),
			diffs: []string{"namePrefix"}, replaces: []string{"namePrefix"}, kind: pulumirpc.PropertyDiff_ADD_REPLACE},
		{name: "group unknown vpc replaces", typ: GroupType, olds: grp, news: with(grp, "vpcId", unknown),
			diffs: []string{"vpcId"}, replaces: []string{"vpcId"}, kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, dbr: true},
		{name: "group unknown tags update", typ: GroupType, olds: grp, news: with(grp, "tags", unknown),
			diffs: []string{"tags"}, kind: pulumirpc.PropertyDiff_UPDATE},
		{name: "rule unchanged", typ: RuleType, olds: rul, news: rul},
		{name: "rule description update", typ: RuleType, olds: rul, news: with(rul, "description", "e"),
			diffs: []string{"description"}, kind: pulumirpc.PropertyDiff_UPDATE},
		{name: "rule port replaces", typ: RuleType, olds: rul, news: with(rul, "toPort", 444),
			diffs: []string{"toPort"}, replaces: []string{"toPort"}, kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, dbr: true},
		{name: "rule cidr replaces", typ: RuleType, olds: rul, news: with(rul, "cidrBlocks", []any{"10.0.0.0/8", "10.1.0.0/16"}),
			diffs: []string{"cidrBlocks"}, replaces: []string{"cidrBlocks"}, kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, dbr: true},
		{name: "rule unknown group replaces", typ: RuleType, olds: rul, news: with(rul, "securityGroupId", unknown),
			diffs: []string{"securityGroupId"}, replaces: []string{"securityGroupId"}, kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, dbr: true},
		{name: "rule peer kind swap replaces", typ: RuleType, olds: rul,
			news:  with(with(rul, "cidrBlocks", nil), "sourceSecurityGroupId", "sg-2"),
			diffs: []string{"cidrBlocks", "sourceSecurityGroupId"}, replaces: []string{"cidrBlocks", "sourceSecurityGroupId"},
			kind: pulumirpc.PropertyDiff_DELETE_REPLACE, dbr: true},
		{name: "rule self added replaces", typ: RuleType, olds: rul, news: with(with(rul, "cidrBlocks", nil), "self", true),
			diffs: []string{"cidrBlocks", "self"}, replaces: []string{"cidrBlocks", "self"}, kind: pulumirpc.PropertyDiff_DELETE_REPLACE, dbr: true},
		{name: "rule prefix list added replaces", typ: RuleType, olds: with(rul, "cidrBlocks", nil),
			news:  with(with(rul, "cidrBlocks", nil), "prefixListIds", []any{"pl-1"}),
			diffs: []string{"prefixListIds"}, replaces: []string{"prefixListIds"}, kind: pulumirpc.PropertyDiff_ADD_REPLACE, dbr: true},
		{name: "rule every field but description replaces", typ: RuleType, olds: rul,
			news: map[string]any{"type": "egress", "securityGroupId": "sg-2", "protocol": "udp", "fromPort": 1,
				"toPort": 2, "ipv6CidrBlocks": []any{"::/0"}, "description": "d"},
			diffs:    []string{"cidrBlocks", "fromPort", "ipv6CidrBlocks", "protocol", "securityGroupId", "toPort", "type"},
			replaces: []string{"cidrBlocks", "fromPort", "ipv6CidrBlocks", "protocol", "securityGroupId", "toPort", "type"},
			kind:     pulumirpc.PropertyDiff_DELETE_REPLACE, dbr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn(tt.typ, "x"), Id: "id",
				OldInputs: props(t, tt.olds), Olds: props(t, tt.olds), News: props(t, tt.news)})
			require.NoError(t, err)
			assert.Equal(t, tt.dbr, resp.GetDeleteBeforeReplace(), "delete before replace")
			if len(tt.diffs) == 0 {
				assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, resp.GetChanges())
				assert.Empty(t, resp.GetDetailedDiff())
				return
			}
			assert.Equal(t, pulumirpc.DiffResponse_DIFF_SOME, resp.GetChanges())
			assert.Equal(t, tt.diffs, resp.GetDiffs())
			assert.Equal(t, tt.replaces, resp.GetReplaces())
			assert.True(t, resp.GetHasDetailedDiff())
			assert.Len(t, resp.GetDetailedDiff(), len(tt.diffs))
			assert.Equal(t, tt.kind, resp.GetDetailedDiff()[tt.diffs[0]].GetKind())
			assert.True(t, resp.GetDetailedDiff()[tt.diffs[0]].GetInputDiff())
		})
	}
}

func TestPreviewReturnsComputedAndTouchesNothing(t *testing.T) {
	p := newProvider(t)
	tests := []struct {
		typ      string
		in       map[string]any
		computed []string
	}{
		{GroupType, map[string]any{"name": "web", "vpcId": "vpc-1"}, []string{"id", "arn", "ownerId", "tagsAll"}},
		{GroupType, map[string]any{"namePrefix": "web-"}, []string{"id", "arn", "ownerId", "tagsAll", "name"}},
		{RuleType, map[string]any{"type": "ingress", "protocol": "tcp", "fromPort": 1, "toPort": 1,
			"securityGroupId": resource.MakeComputed(resource.NewStringProperty(""))}, []string{"id", "securityGroupRuleId"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(tt.typ, "x"), Properties: props(t, tt.in), Preview: true})
			require.NoError(t, err)
			assert.Empty(t, resp.GetId())
			out := propsOf(t, resp.GetProperties())
			for _, k := range tt.computed {
				assert.True(t, out[resource.PropertyKey(k)].IsComputed(), "%s is computed", k)
			}
			for k := range tt.in {
				assert.Contains(t, out, resource.PropertyKey(k), "inputs are echoed")
			}
		})
	}
	_, err := os.Stat(p.State)
	assert.ErrorIs(t, err, os.ErrNotExist, "a preview writes no account")
}

func TestCreateAssignsEC2ShapedIDs(t *testing.T) {
	p := newProvider(t)
	s := props(t, map[string]any{"name": "web", "vpcId": "vpc-1", "tags": map[string]any{"team": "a"}})
	resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(GroupType, "web"), Properties: s})
	require.NoError(t, err)
	assert.Regexp(t, `^sg-[0-9a-f]{17}$`, resp.GetId())
	out := propsOf(t, resp.GetProperties())
	assert.Equal(t, "arn:aws:ec2:us-east-1:123456789012:security-group/"+resp.GetId(), out["arn"].StringValue())
	assert.Equal(t, resp.GetId(), out["id"].StringValue())
	assert.Equal(t, "123456789012", out["ownerId"].StringValue())
	assert.Equal(t, "web", out["name"].StringValue())
	assert.Equal(t, out["tags"], out["tagsAll"])

	// A rule's id is the provider's sgrule-<hash> of its content; EC2's sgr- id
	// is reported only when the call made exactly one EC2 rule.
	ruleOut := func(in map[string]any) resource.PropertyMap {
		in["securityGroupId"] = resp.GetId()
		in["type"], in["protocol"], in["fromPort"], in["toPort"] = "ingress", "tcp", 443, 443
		r, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(RuleType, "r"), Properties: props(t, in)})
		require.NoError(t, err)
		out := propsOf(t, r.GetProperties())
		assert.Equal(t, r.GetId(), out["id"].StringValue())
		return out
	}
	one := ruleOut(map[string]any{"cidrBlocks": []any{"10.0.0.0/8"}})
	assert.Regexp(t, `^sgrule-\d+$`, one["id"].StringValue())
	assert.Regexp(t, `^sgr-[0-9a-f]{17}$`, one["securityGroupRuleId"].StringValue())
	two := ruleOut(map[string]any{"cidrBlocks": []any{"10.1.0.0/16", "10.2.0.0/16"}})
	assert.Regexp(t, `^sgrule-\d+$`, two["id"].StringValue())
	assert.Empty(t, two["securityGroupRuleId"].StringValue(), "two EC2 rules: no single sgr- id")

	// A namePrefix gets a unique name, as the real provider gives it.
	s = props(t, map[string]any{"namePrefix": "api-", "vpcId": "vpc-1"})
	resp, err = p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(GroupType, "api"), Properties: s})
	require.NoError(t, err)
	assert.Regexp(t, `^api-\d{26}$`, propsOf(t, resp.GetProperties())["name"].StringValue())
}

// expectCode asserts err carries EC2's error with that code (the provider
// wraps EC2's errors in its own words).
func expectCode(t *testing.T, code string, err error) {
	t.Helper()
	if code == "" {
		assert.NoError(t, err)
		return
	}
	require.Error(t, err)
	assert.Regexp(t, `(^|: )`+regexp.QuoteMeta(code)+`: `, err.Error(), "want %s", code)
}

func TestEC2Errors(t *testing.T) {
	type step struct {
		do   func(p *Provider, g map[string]string) error
		code string // "" for success
	}
	cidr := func(group string, blocks ...any) func(*Provider, map[string]string) error {
		return func(p *Provider, g map[string]string) error {
			_, err := createRule(p, map[string]any{"securityGroupId": g[group], "cidrBlocks": blocks})
			return err
		}
	}
	withRule := func(m map[string]any) func(*Provider, map[string]string) error {
		return func(p *Provider, g map[string]string) error {
			in := map[string]any{}
			for k, v := range m {
				if s, ok := v.(string); ok && g[s] != "" {
					v = g[s] // a group's name stands for its id
				}
				in[k] = v
			}
			_, err := createRule(p, in)
			return err
		}
	}
	newGroup := func(name, vpc string) func(*Provider, map[string]string) error {
		return func(p *Provider, _ map[string]string) error { _, err := createGroup(p, name, vpc, false); return err }
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"InvalidPermission.Duplicate on one shared CIDR", []step{
			{cidr("A", "10.0.0.0/8"), ""},
			{cidr("A", "192.168.0.0/16", "10.0.0.0/8"), "InvalidPermission.Duplicate"},
		}},
		{"InvalidPermission.Duplicate on a group reference", []step{
			{withRule(map[string]any{"securityGroupId": "A", "sourceSecurityGroupId": "B"}), ""},
			{withRule(map[string]any{"securityGroupId": "A", "sourceSecurityGroupId": "B", "description": "x"}), "InvalidPermission.Duplicate"},
		}},
		{"InvalidPermission.Duplicate: self is the group itself", []step{
			{withRule(map[string]any{"securityGroupId": "A", "self": true}), ""},
			{withRule(map[string]any{"securityGroupId": "A", "sourceSecurityGroupId": "A"}), "InvalidPermission.Duplicate"},
		}},
		{"InvalidPermission.Duplicate: 6 is tcp", []step{
			{cidr("A", "10.0.0.0/8"), ""},
			{withRule(map[string]any{"securityGroupId": "A", "protocol": "6", "cidrBlocks": []any{"10.0.0.0/8"}}), "InvalidPermission.Duplicate"},
		}},
		{"not a duplicate: other port, direction or group", []step{
			{cidr("A", "10.0.0.0/8"), ""},
			{withRule(map[string]any{"securityGroupId": "A", "fromPort": 80, "toPort": 80, "cidrBlocks": []any{"10.0.0.0/8"}}), ""},
			{withRule(map[string]any{"securityGroupId": "A", "type": "egress", "cidrBlocks": []any{"10.0.0.0/8"}}), ""},
			{cidr("B", "10.0.0.0/8"), ""},
		}},
		{"InvalidGroup.NotFound for the rule's group", []step{
			{withRule(map[string]any{"securityGroupId": "sg-00000000000000000", "cidrBlocks": []any{"10.0.0.0/8"}}), "InvalidGroup.NotFound"},
		}},
		{"InvalidGroup.NotFound for the source group", []step{
			{withRule(map[string]any{"securityGroupId": "A", "sourceSecurityGroupId": "sg-00000000000000000"}), "InvalidGroup.NotFound"},
		}},
		{"InvalidGroup.Duplicate in one VPC only, case-insensitively", []step{
			{newGroup("A", "vpc-1"), "InvalidGroup.Duplicate"},
			{newGroup("a", "vpc-1"), "InvalidGroup.Duplicate"},
			{newGroup("A", "vpc-2"), ""},
		}},
		{"DependencyViolation: another group's rule references it, without revokeRulesOnDelete", []step{
			{withRule(map[string]any{"securityGroupId": "B", "sourceSecurityGroupId": "A"}), ""},
			{func(p *Provider, g map[string]string) error { return deleteGroup(p, g["A"], false) }, "DependencyViolation"},
		}},
		{"DependencyViolation: attached to a network interface, revoke or not", []step{
			{func(p *Provider, g map[string]string) error { return Attach(p.State, "eni-1", g["A"]) }, ""},
			{func(p *Provider, g map[string]string) error { return deleteGroup(p, g["A"], true) }, "DependencyViolation"},
			{func(p *Provider, g map[string]string) error { return deleteGroup(p, g["A"], false) }, "DependencyViolation"},
			{func(p *Provider, _ map[string]string) error { return Detach(p.State, "eni-1") }, ""},
			{func(p *Provider, g map[string]string) error { return deleteGroup(p, g["A"], false) }, ""},
		}},
		{"no DependencyViolation for its own rules referencing others or itself", []step{
			{withRule(map[string]any{"securityGroupId": "A", "sourceSecurityGroupId": "B"}), ""},
			{withRule(map[string]any{"securityGroupId": "A", "self": true}), ""},
			{func(p *Provider, g map[string]string) error { return deleteGroup(p, g["A"], false) }, ""},
			// A's rules went with it, so B is free too.
			{func(p *Provider, g map[string]string) error { return deleteGroup(p, g["B"], false) }, ""},
		}},
		{"InvalidParameterValue: tcp ports reversed", []step{
			{withRule(map[string]any{"securityGroupId": "A", "fromPort": 90, "toPort": 80, "cidrBlocks": []any{"10.0.0.0/8"}}), "InvalidParameterValue"},
		}},
		{"InvalidParameterValue: udp port above 65535", []step{
			{withRule(map[string]any{"securityGroupId": "A", "protocol": "udp", "fromPort": 1, "toPort": 65536, "cidrBlocks": []any{"10.0.0.0/8"}}), "InvalidParameterValue"},
		}},
		{"InvalidParameterValue: tcp negative port", []step{
			{withRule(map[string]any{"securityGroupId": "A", "fromPort": -1, "toPort": 80, "cidrBlocks": []any{"10.0.0.0/8"}}), "InvalidParameterValue"},
		}},
		{"InvalidParameterValue: icmp type out of range", []step{
			{withRule(map[string]any{"securityGroupId": "A", "protocol": "icmp", "fromPort": 256, "toPort": -1, "cidrBlocks": []any{"10.0.0.0/8"}}), "InvalidParameterValue"},
			{withRule(map[string]any{"securityGroupId": "A", "protocol": "icmp", "fromPort": 8, "toPort": 0, "cidrBlocks": []any{"10.0.0.0/8"}}), ""},
			{withRule(map[string]any{"securityGroupId": "A", "protocol": "icmpv6", "fromPort": -1, "toPort": -1, "ipv6CidrBlocks": []any{"::/0"}}), ""},
		}},
		{"InvalidParameterValue: unknown protocol", []step{
			{withRule(map[string]any{"securityGroupId": "A", "protocol": "tcpx", "cidrBlocks": []any{"10.0.0.0/8"}}), "InvalidParameterValue"},
			{withRule(map[string]any{"securityGroupId": "A", "protocol": "50", "fromPort": 0, "toPort": 0, "cidrBlocks": []any{"10.0.0.0/8"}}), ""},
		}},
		{"InvalidParameterValue: no peer", []step{
			{withRule(map[string]any{"securityGroupId": "A", "self": false}), "InvalidParameterValue"},
		}},
		{"InvalidParameterValue: one peer twice", []step{
			{cidr("A", "10.0.0.0/8", "10.0.0.0/8"), "InvalidParameterValue"},
		}},
		{"InvalidParameterValue: bad type", []step{
			{withRule(map[string]any{"securityGroupId": "A", "type": "inbound", "cidrBlocks": []any{"10.0.0.0/8"}}), "InvalidParameterValue"},
		}},
		{"InvalidParameterValue: group name starting sg-", []step{
			{newGroup("sg-web", "vpc-1"), "InvalidParameterValue"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			g := map[string]string{"A": group(t, p, "A", "vpc-1", true), "B": group(t, p, "B", "vpc-1", true)}
			for i, s := range tt.steps {
				t.Logf("step %d", i)
				expectCode(t, s.code, s.do(p, g))
			}
		})
	}
}

func TestRevokeRulesOnDelete(t *testing.T) {
	p := newProvider(t)
	// C stands for a group of another stack whose rule references A.
	a, b, c := group(t, p, "A", "vpc-1", true), group(t, p, "B", "vpc-1", true), group(t, p, "C", "vpc-1", false)
	rule(t, p, map[string]any{"securityGroupId": a, "sourceSecurityGroupId": b})
	fromA := rule(t, p, map[string]any{"securityGroupId": b, "sourceSecurityGroupId": a})
	otherStack := rule(t, p, map[string]any{"securityGroupId": c, "sourceSecurityGroupId": a})
	keep := rule(t, p, map[string]any{"securityGroupId": c, "cidrBlocks": []any{"10.0.0.0/8"}})

	// A goes at once: its own rules and every other group's rule referencing
	// it are revoked first, the other stack's included.
	require.NoError(t, deleteGroup(p, a, true))
	acct := account(t, p)
	assert.NotContains(t, acct.Groups, a)
	assert.NotContains(t, acct.Rules, fromA)
	assert.NotContains(t, acct.Rules, otherStack, "revokeRulesOnDelete strips other stacks' rules too")
	assert.Equal(t, []string{keep}, sortedKeys(acct.Rules))

	// Deleting a group already gone is done (InvalidGroup.NotFound).
	require.NoError(t, deleteGroup(p, a, true))

	// Without revokeRulesOnDelete a cycle refuses both deletes...
	a, b = group(t, p, "A", "vpc-1", false), group(t, p, "B2", "vpc-1", false)
	ab := rule(t, p, map[string]any{"securityGroupId": a, "sourceSecurityGroupId": b})
	ba := rule(t, p, map[string]any{"securityGroupId": b, "sourceSecurityGroupId": a})
	expectCode(t, "DependencyViolation", deleteGroup(p, a, false))
	expectCode(t, "DependencyViolation", deleteGroup(p, b, false))
	assert.Contains(t, account(t, p).Rules, ab)

	// ...until the rules go (as the engine deletes them first on destroy).
	for _, id := range []string{ab, ba} {
		_, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn(RuleType, "r"), Id: id,
			Properties: props(t, map[string]any{"securityGroupId": map[string]string{ab: a, ba: b}[id]})})
		require.NoError(t, err)
	}
	require.NoError(t, deleteGroup(p, a, false))
	require.NoError(t, deleteGroup(p, b, false))
}

// A refused delete is retried for the delete timeout: a dependency that goes
// within it (an ENI detached) lets the delete succeed; one that stays fails
// it after the timeout, naming the group and what holds it.
func TestDeleteRetriesDependencyViolation(t *testing.T) {
	t.Setenv(EnvDeleteTimeout, "3s")
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", true)
	require.NoError(t, Attach(p.State, "eni-0123", a))
	go func() {
		time.Sleep(500 * time.Millisecond)
		assert.NoError(t, Detach(p.State, "eni-0123"))
	}()
	start := time.Now()
	require.NoError(t, deleteGroup(p, a, true))
	assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond, "it waited for the detach")
	assert.Empty(t, account(t, p).Groups)

	t.Setenv(EnvDeleteTimeout, "1s")
	b := group(t, p, "B", "vpc-1", true)
	require.NoError(t, Attach(p.State, "eni-0456", b))
	start = time.Now()
	err := deleteGroup(p, b, true)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "it retried for the whole window")
	require.Error(t, err)
	assert.Equal(t, "deleting Security Group ("+b+"): DependencyViolation: resource "+b+
		" (B) has a dependent object: it is attached to network interface eni-0456 (stand-in EC2)", err.Error())
	assert.Contains(t, account(t, p).Groups, b)

	t.Run("default window is 15 minutes", func(t *testing.T) {
		t.Setenv(EnvDeleteTimeout, "")
		assert.Equal(t, 15*time.Minute, DeleteTimeout())
	})
}

// Deleting a rule reads its group first: a group gone is an error; a rule
// already revoked (InvalidPermission.NotFound) is done.
func TestDeleteRule(t *testing.T) {
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", false)
	rid := rule(t, p, map[string]any{"securityGroupId": a, "cidrBlocks": []any{"10.0.0.0/8"}})
	del := func(id, group string) error {
		_, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn(RuleType, "r"), Id: id,
			Properties: props(t, map[string]any{"securityGroupId": group})})
		return err
	}
	require.NoError(t, del(rid, a))
	assert.Empty(t, account(t, p).Rules)
	require.NoError(t, del(rid, a), "already revoked")
	require.NoError(t, deleteGroup(p, a, false))
	err := del(rid, a)
	expectCode(t, "InvalidGroup.NotFound", err)
	assert.Contains(t, err.Error(), "reading Security Group ("+a+")")
}

func TestDuplicateRuleIsWrappedAsTheProviderDoes(t *testing.T) {
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", false)
	rule(t, p, map[string]any{"securityGroupId": a, "cidrBlocks": []any{"10.0.0.0/8"}})
	_, err := createRule(p, map[string]any{"securityGroupId": a, "cidrBlocks": []any{"10.0.0.0/8"}})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "[WARN] A duplicate Security Group rule was found on ("+a+")."), err.Error())
	assert.Contains(t, err.Error(), `Error: InvalidPermission.Duplicate: the specified rule "peer: 10.0.0.0/8, TCP, from port: 443, to port: 443, ALLOW" already exists`)
}

// AWS_STANDIN_FAIL_RULE fails exactly the k-th rule create of a process.
func TestInjectedRuleFault(t *testing.T) {
	t.Setenv(EnvFailRule, "2:RequestLimitExceeded")
	p := newProvider(t)
	a := group(t, p, "A", "vpc-1", false)
	var codes []string
	for port := 80; port < 83; port++ {
		_, err := createRule(p, map[string]any{"securityGroupId": a, "fromPort": port, "toPort": port, "cidrBlocks": []any{"10.0.0.0/8"}})
		if err != nil {
			codes = append(codes, err.Error())
		} else {
			codes = append(codes, "ok")
		}
	}
	assert.Equal(t, "ok", codes[0])
	assert.Contains(t, codes[1], "authorizing Security Group ("+a+") Rule: RequestLimitExceeded: injected")
	assert.Equal(t, "ok", codes[2])
	assert.Len(t, account(t, p).Rules, 2, "the failed create authorized nothing")
}

func TestRulesPerGroupQuota(t *testing.T) {
	t.Setenv(EnvRulesPerGroup, "3")
	tests := []struct {
		name  string
		rules []map[string]any // in group A; "B" stands for group B's id
		code  string           // of the last rule
	}{
		{"three IPv4 CIDRs fit", []map[string]any{{"cidrBlocks": []any{"10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"}}}, ""},
		{"a fourth IPv4 CIDR does not", []map[string]any{
			{"cidrBlocks": []any{"10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"}},
			{"fromPort": 80, "toPort": 80, "cidrBlocks": []any{"10.0.0.0/8"}},
		}, "RulesPerSecurityGroupLimitExceeded"},
		{"four in one rule do not", []map[string]any{{"cidrBlocks": []any{"10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"}}},
			"RulesPerSecurityGroupLimitExceeded"},
		{"IPv6 is counted apart from IPv4", []map[string]any{
			{"cidrBlocks": []any{"10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"}},
			{"ipv6CidrBlocks": []any{"::/0", "2001:db8::/32", "2001:db9::/32"}},
		}, ""},
		{"ingress is counted apart from egress", []map[string]any{
			{"cidrBlocks": []any{"10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"}},
			{"type": "egress", "cidrBlocks": []any{"10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"}},
		}, ""},
		{"a group reference counts against IPv4 and IPv6", []map[string]any{
			{"ipv6CidrBlocks": []any{"::/0", "2001:db8::/32"}},
			{"sourceSecurityGroupId": "B"},
			{"fromPort": 80, "toPort": 80, "ipv6CidrBlocks": []any{"::/0"}},
		}, "RulesPerSecurityGroupLimitExceeded"},
		{"a prefix list counts against IPv4 and IPv6", []map[string]any{
			{"cidrBlocks": []any{"10.0.0.0/8", "10.1.0.0/16"}},
			{"prefixListIds": []any{"pl-1"}},
			{"fromPort": 80, "toPort": 80, "cidrBlocks": []any{"10.0.0.0/8"}},
		}, "RulesPerSecurityGroupLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			a, b := group(t, p, "A", "vpc-1", true), group(t, p, "B", "vpc-1", true)
			var err error
			for _, r := range tt.rules {
				in := map[string]any{"securityGroupId": a}
				for k, v := range r {
					if v == "B" {
						v = b
					}
					in[k] = v
				}
				if err != nil {
					t.Fatalf("an earlier rule failed: %v", err)
				}
				_, err = createRule(p, in)
			}
			expectCode(t, tt.code, err)
		})
	}
	t.Run("default quota is 60", func(t *testing.T) {
		t.Setenv(EnvRulesPerGroup, "")
		assert.Equal(t, 60, RulesPerGroup())
	})
}

func TestStatePersistsAcrossServers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "account.json")
	t.Setenv(EnvState, path)
	first, second := &Provider{}, &Provider{} // both find the file through the environment
	id := group(t, first, "web", "vpc-1", false)

	read := func(p *Provider, typ, id string) *pulumirpc.ReadResponse {
		resp, err := p.Read(ctx, &pulumirpc.ReadRequest{Urn: urn(typ, "x"), Id: id})
		require.NoError(t, err)
		return resp
	}
	got := read(second, GroupType, id)
	assert.Equal(t, id, got.GetId())
	assert.Equal(t, "web", propsOf(t, got.GetProperties())["name"].StringValue())
	assert.Equal(t, "web", propsOf(t, got.GetInputs())["name"].StringValue())

	_, err := createGroup(second, "web", "vpc-1", false)
	expectCode(t, "InvalidGroup.Duplicate", err)
	rid := rule(t, second, map[string]any{"securityGroupId": id, "cidrBlocks": []any{"10.0.0.0/8"}})
	_, err = createRule(first, map[string]any{"securityGroupId": id, "cidrBlocks": []any{"10.0.0.0/8"}})
	expectCode(t, "InvalidPermission.Duplicate", err)

	// An import (no recorded state) rebuilds the rule's inputs from the account.
	in := propsOf(t, read(first, RuleType, rid).GetInputs())
	assert.Equal(t, []resource.PropertyValue{resource.NewStringProperty("10.0.0.0/8")}, in["cidrBlocks"].ArrayValue())
	assert.Equal(t, id, in["securityGroupId"].StringValue())

	require.NoError(t, deleteGroup(second, id, false))
	assert.Empty(t, read(first, GroupType, id).GetId(), "deleted is read as gone")
	assert.Empty(t, read(first, RuleType, rid).GetId(), "a group's rules go with it")
	assert.Empty(t, read(first, GroupType, "sg-00000000000000000").GetId())
}

func TestUpdateInPlace(t *testing.T) {
	p := newProvider(t)
	id := group(t, p, "web", "vpc-1", false)
	olds := map[string]any{"name": "web", "vpcId": "vpc-1", "description": "test", "id": id, "arn": "arn:x",
		"ownerId": AccountID}
	news := props(t, map[string]any{"name": "web", "vpcId": "vpc-1", "description": "test",
		"tags": map[string]any{"team": "b"}, "revokeRulesOnDelete": true})

	pre, err := p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn(GroupType, "web"), Id: id, Olds: props(t, olds),
		News: news, Preview: true})
	require.NoError(t, err)
	assert.Equal(t, "arn:x", propsOf(t, pre.GetProperties())["arn"].StringValue(), "keeps what EC2 assigned")
	assert.Nil(t, account(t, p).Groups[id].Tags, "a preview changes nothing")

	up, err := p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn(GroupType, "web"), Id: id, Olds: props(t, olds), News: news})
	require.NoError(t, err)
	out := propsOf(t, up.GetProperties())
	assert.Equal(t, "b", out["tagsAll"].ObjectValue()["team"].StringValue())
	assert.Equal(t, map[string]string{"team": "b"}, account(t, p).Groups[id].Tags)
	assert.True(t, account(t, p).Groups[id].RevokeRulesOnDelete)

	rid := rule(t, p, map[string]any{"securityGroupId": id, "cidrBlocks": []any{"10.0.0.0/8"}})
	_, err = p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn(RuleType, "r"), Id: rid,
		News: props(t, map[string]any{"description": "https"})})
	require.NoError(t, err)
	assert.Equal(t, "https", account(t, p).Rules[rid].Description)

	_, err = p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn(RuleType, "r"), Id: "sgr-00000000000000000",
		News: props(t, map[string]any{"description": "x"})})
	expectCode(t, "InvalidSecurityGroupRuleId.NotFound", err)
}

// The engine creates resources in parallel; the file lock must keep every one.
func TestParallelCreates(t *testing.T) {
	p := newProvider(t)
	id := group(t, p, "web", "vpc-1", false)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A second server on the same file, like a second plugin process.
			q := &Provider{State: p.State}
			_, err := createRule(q, map[string]any{"securityGroupId": id, "fromPort": 1000 + i, "toPort": 1000 + i,
				"cidrBlocks": []any{fmt.Sprintf("10.%d.0.0/16", i)}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, account(t, p).Rules, 40)
}

func TestStatePath(t *testing.T) {
	t.Setenv(EnvState, "/x/account.json")
	assert.Equal(t, "/x/account.json", StatePath())
	t.Setenv(EnvState, "")
	t.Setenv("PULUMI_HOME", "/home/p")
	assert.Equal(t, "/home/p/aws-standin-account.json", StatePath())
	t.Setenv("PULUMI_HOME", "")
	assert.Equal(t, filepath.Join(os.TempDir(), "aws-standin-account.json"), StatePath())
}

// The stand-in answers for AWS independently; the mesh's model of its
// children (package resources) must agree with it on what replaces.
func TestReplaceKeysAgreeWithTheModel(t *testing.T) {
	assert.Equal(t, resources.GroupType, GroupType)
	assert.Equal(t, resources.RuleType, RuleType)
	for typ, keys := range replaceKeys {
		assert.ElementsMatch(t, keys, resources.ReplaceOn[typ], typ)
	}
	assert.Len(t, resources.ReplaceOn, len(replaceKeys))
}

// A group exists in the account before its create answers, for as long as
// AWS_STANDIN_CREATE_DELAY says: the window a killed `pulumi up` falls into.
func TestCreateDelayAfterTheGroupExists(t *testing.T) {
	t.Setenv(EnvCreateDelay, "400ms")
	p := newProvider(t)
	done := make(chan string)
	go func() {
		id, err := createGroup(p, "web", "vpc-1", false)
		assert.NoError(t, err)
		done <- id
	}()
	require.Eventually(t, func() bool { return len(account(t, p).Groups) == 1 }, 300*time.Millisecond, 10*time.Millisecond)
	select {
	case <-done:
		t.Fatal("the create answered before the delay")
	default:
	}
	id := <-done
	assert.Contains(t, account(t, p).Groups, id)

	t.Setenv(EnvCreateDelay, "")
	assert.Zero(t, CreateDelay())
	_, err := createGroup(p, "WEB", "vpc-1", false)
	assert.EqualError(t, err, `creating Security Group (WEB): InvalidGroup.Duplicate: the security group "WEB" already exists for VPC "vpc-1" (stand-in EC2)`)
}
