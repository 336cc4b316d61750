package e2e

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sm "github.com/pulumi-servicemesh/pulumi-servicemesh/sdk/go/servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// Programs in these tests are inline Go programs against the generated SDK:
// the values the mesh takes come from a stand-in aws.ec2.SecurityGroup made
// in the same program, so they are unknown at the first preview.

// account reads the stand-in's EC2 account.
func (e *Engine) account(t *testing.T) awsstandin.Account {
	t.Helper()
	var acct awsstandin.Account
	data, err := os.ReadFile(e.Env["AWS_STANDIN_STATE"])
	if os.IsNotExist(err) {
		return acct
	}
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &acct))
	return acct
}

// rulesOf lists the account's rules of the group named name as
// "type proto from-to peers".
func rulesOf(acct awsstandin.Account, name string) []string {
	var out []string
	for _, r := range acct.Rules {
		if g := acct.Groups[r.GroupID]; g != nil && g.Name == name {
			out = append(out, r.Type+" "+r.Protocol+" "+strings.Join(r.Peers, ","))
		}
	}
	return out
}

func externalProgram(lbName string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		lb, err := ec2.NewSecurityGroup(ctx, "lb", &ec2.SecurityGroupArgs{
			Name: pulumi.String(lbName), Description: pulumi.String("load balancer, made outside the mesh"),
			VpcId: pulumi.String(reference.VpcID), RevokeRulesOnDelete: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		none := sm.EgressPolicyNone
		mesh, err := sm.NewServiceMesh(ctx, "mesh", &sm.ServiceMeshArgs{
			VpcId:  pulumi.String(reference.VpcID),
			Egress: &none,
			Tiers:  []sm.TierArgs{{Name: "dmz"}, {Name: "web"}},
			ExternalGroups: []sm.ExternalGroupArgs{
				{Name: "lb", SecurityGroupId: lb.ID().ToStringOutput(), Tier: pulumi.StringRef("dmz")},
			},
			Services: []sm.ServiceArgs{
				{Name: "Web", Tier: "web", AttachedWith: []string{"lb"},
					Ingress: []sm.IngressRuleArgs{{Ports: []int{443}, From: sm.PeersArgs{Services: []string{"lb"}}}}},
				{Name: "Cache", Tier: "web",
					Ingress: []sm.IngressRuleArgs{{Ports: []int{6379}, From: sm.PeersArgs{Services: []string{"Web"}}}}},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("lb", lb.ID())
		ctx.Export("web", mesh.SecurityGroupIds.MapIndex(pulumi.String("Web")))
		ctx.Export("cache", mesh.SecurityGroupIds.MapIndex(pulumi.String("Cache")))
		ctx.Export("attachments", mesh.Attachments)
		return nil
	}
}

func TestExternalGroupFromAnotherResource(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	s, err := auto.UpsertStackInlineSource(ctx, "dev", "servicemesh-external", externalProgram("lb-blue"), e.Opts()...)
	require.NoError(t, err)

	p, err := Preview(ctx, s)
	require.NoError(t, err, "preview")
	rule := p.Inputs["mesh-Web-ingress-tcp-443-sg_lb"]
	require.NotNil(t, rule, "the rule is planned under the declared name: %v", p)
	assert.Equal(t, plugin.UnknownStringValue, rule["sourceSecurityGroupId"], "the external id is unknown at preview")
	assert.Equal(t, 3, countByType(p, groupType, apitype.OpCreate), "the program's external group and the mesh's two")

	up, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up")
	lb, web, cache := up.Outputs["lb"].Value.(string), up.Outputs["web"].Value.(string), up.Outputs["cache"].Value.(string)
	assert.Equal(t, []string{"ingress tcp sg:" + lb}, rulesOf(e.account(t), "Web"), "the rule names the external group's id")
	assert.Empty(t, rulesOf(e.account(t), "lb-blue"), "the mesh puts no rule on the external group")
	assert.Equal(t, map[string]any{"Web": []any{web, lb}, "Cache": []any{cache}},
		up.Outputs["attachments"].Value, "Web's instances carry their group, then lb's")

	// The external group is replaced (a new name forces a new group): only
	// the rule that references it follows.
	s, err = auto.UpsertStackInlineSource(ctx, "dev", "servicemesh-external", externalProgram("lb-green"), e.Opts()...)
	require.NoError(t, err)
	c, err := Preview(ctx, s)
	require.NoError(t, err, "preview of the replacement")
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: 5, apitype.OpReplace: 2}, c.Summary)
	var replaced []string
	for _, op := range []apitype.OpType{apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpDeleteReplaced} {
		replaced = append(replaced, names(c.With(op))...)
	}
	assert.ElementsMatch(t, []string{"lb", "mesh-Web-ingress-tcp-443-sg_lb"}, replaced, "only the external group and its rule")
	up, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up of the replacement")
	assert.Equal(t, []string{"ingress tcp sg:" + up.Outputs["lb"].Value.(string)}, rulesOf(e.account(t), "Web"))
	_, err = s.Destroy(ctx)
	require.NoError(t, err, "destroy")
	e.RequireEmptyAccount(t)
}

func listProgram(office []string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		vpc, err := ec2.NewSecurityGroup(ctx, "stands-for-a-vpc", &ec2.SecurityGroupArgs{
			Name: pulumi.String("vpc"), Description: pulumi.String("its id stands for a VPC output"),
			VpcId: pulumi.String(reference.VpcID), RevokeRulesOnDelete: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		ranges := vpc.ID().ApplyT(func(string) []string { return office }).(pulumi.StringArrayOutput)
		none := sm.EgressPolicyNone
		_, err = sm.NewServiceMesh(ctx, "mesh", &sm.ServiceMeshArgs{
			VpcId:    pulumi.String(reference.VpcID),
			Egress:   &none,
			Tiers:    []sm.TierArgs{{Name: "app"}},
			Networks: []sm.NetworkArgs{{Name: "office", CidrBlocksFrom: ranges}},
			Services: []sm.ServiceArgs{{Name: "Api", Tier: "app",
				Ingress: []sm.IngressRuleArgs{{Ports: []int{22}, From: sm.PeersArgs{Networks: []string{"office"}}}}}},
		})
		return err
	}
}

func TestCidrBlocksFromAnOutput(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	s, err := auto.UpsertStackInlineSource(ctx, "dev", "servicemesh-lists",
		listProgram([]string{"203.0.113.0/24", "2001:db8::/48"}), e.Opts()...)
	require.NoError(t, err)

	p, err := Preview(ctx, s)
	require.NoError(t, err, "preview")
	require.Contains(t, p.Inputs, "mesh-Api-ingress-tcp-22-network_office", "one rule, named after the network: %v", p)
	assert.True(t, containsText(p.Diags, "deferred check: network:office: cidrBlocksFrom is another resource's output, not known yet"),
		"the preview says what waits: %q", p.Diags)

	_, err = s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up")
	assert.Equal(t, []string{"ingress tcp cidr:203.0.113.0/24,ipv6:2001:db8::/48"}, rulesOf(e.account(t), "Api"))

	again, err := Preview(ctx, s)
	require.NoError(t, err, "second preview")
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: 5}, again.Summary, "no changes: stack, vpc, mesh, its group and rule")
	_, err = s.Destroy(ctx)
	require.NoError(t, err, "destroy")
}

// A world-open admin port that arrives through an output passes the
// preview (deferred) and fails the up before any rule is created.
func TestDeferredCheckFailsTheUp(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	s, err := auto.UpsertStackInlineSource(ctx, "dev", "servicemesh-lists-bad", listProgram([]string{"0.0.0.0/0"}), e.Opts()...)
	require.NoError(t, err)
	_, err = Preview(ctx, s)
	require.NoError(t, err, "preview defers the check")

	_, err = s.Up(ctx, optup.SuppressProgress())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `error [world-open-admin-port] service "Api" rule ingress[0]: tcp/22 (SSH 22) is open to 0.0.0.0/0`)
	acct := e.account(t)
	assert.Empty(t, acct.Rules, "no rule was created")
	for _, g := range acct.Groups {
		assert.Equal(t, "vpc", g.Name, "only the program's own resource exists")
	}
}

func containsText(list []string, s string) bool {
	for _, l := range list {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// misspeltProgram sends the mesh's inputs as a raw map (as an untyped
// language could), with a tier key misspelt; the office's ranges come from an
// output when fromOutput.
func misspeltProgram(fromOutput bool) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		var office pulumi.StringArrayInput = pulumi.ToStringArray([]string{"203.0.113.0/24"})
		if fromOutput {
			vpc, err := ec2.NewSecurityGroup(ctx, "stands-for-a-vpc", &ec2.SecurityGroupArgs{
				Name: pulumi.String("vpc"), Description: pulumi.String("its id stands for a VPC output"),
				VpcId: pulumi.String(reference.VpcID),
			})
			if err != nil {
				return err
			}
			office = vpc.ID().ApplyT(func(string) []string { return []string{"203.0.113.0/24"} }).(pulumi.StringArrayOutput)
		}
		var res pulumi.ResourceState
		return ctx.RegisterRemoteComponentResource("servicemesh:index:ServiceMesh", "mesh", pulumi.Map{
			"vpcId":    pulumi.String(reference.VpcID),
			"tiers":    pulumi.Array{pulumi.Map{"name": pulumi.String("app"), "cidrBlock": pulumi.ToStringArray([]string{"10.0.2.0/24"})}},
			"networks": pulumi.Array{pulumi.Map{"name": pulumi.String("office"), "cidrBlocksFrom": office}},
			"services": pulumi.Array{pulumi.Map{"name": pulumi.String("Api"), "tier": pulumi.String("app")}},
		}, &res)
	}
}

// A misspelt key inside a list with input fields is an error as soon as the
// list is known: at preview when it is, at up at the latest.
func TestMisspeltKeyBesideAnInputField(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	s, err := auto.UpsertStackInlineSource(ctx, "dev", "servicemesh-misspelt", misspeltProgram(false), e.Opts()...)
	require.NoError(t, err)
	_, err = Preview(ctx, s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "cidrBlock"`)

	s, err = auto.UpsertStackInlineSource(ctx, "dev", "servicemesh-misspelt", misspeltProgram(true), e.Opts()...)
	require.NoError(t, err)
	_, err = s.Up(ctx, optup.SuppressProgress())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "cidrBlock"`)
	assert.Empty(t, e.account(t).Rules)
}
