// Package component is the Pulumi layer: it plans a declaration with the pure
// core and maps the plan onto aws.ec2 SecurityGroup and SecurityGroupRule
// children. It holds no policy of its own.
package component

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Type is the component's Pulumi type token.
const Type = "servicemesh:index:ServiceMesh"

// Args are the component's inputs: the declaration as plain values, which
// must be known at preview so the plan, and so the preview, is exact, and
// the few values that usually come from other resources as Pulumi inputs.
// Rules name those by what they belong to, never by their values.
type Args struct {
	VpcID pulumi.StringInput
	Mesh  spec.Mesh
	// ExternalGroupIDs are the external groups' ids, by declared name. A
	// group missing here takes the declaration's securityGroupId.
	ExternalGroupIDs map[string]pulumi.StringInput
	// CidrBlocksFrom are the tiers' and networks' cidrBlocksFrom, by
	// spec.ListID. A list missing here takes the declaration's values.
	CidrBlocksFrom map[string]pulumi.StringArrayInput
}

// ServiceMesh is the component resource. Output fields carry their schema names.
type ServiceMesh struct {
	pulumi.ResourceState

	SecurityGroupIds  pulumi.StringMapOutput `pulumi:"securityGroupIds"`
	SecurityGroupArns pulumi.StringMapOutput `pulumi:"securityGroupArns"`
	RuleCounts        pulumi.AnyOutput       `pulumi:"ruleCounts"`
	Flows             pulumi.AnyOutput       `pulumi:"flows"`
	QuotaUsage        pulumi.AnyOutput       `pulumi:"quotaUsage"`
	FlowMatrix        pulumi.StringOutput    `pulumi:"flowMatrix"`
	Diagram           pulumi.StringOutput    `pulumi:"diagram"`
	// Attachments are, per service, the group ids an instance of it carries.
	Attachments pulumi.StringArrayMapOutput `pulumi:"attachments"`
}

// New plans the declaration and registers the component and its children.
// A declaration with errors registers nothing.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*ServiceMesh, error) {
	if args.VpcID == nil {
		return nil, fmt.Errorf("service mesh %q: vpcId is required; pass the id of the VPC the groups belong in", name)
	}
	p, err := plan.Build(args.Mesh)
	if err != nil {
		return nil, fmt.Errorf("service mesh %q: %w", name, err)
	}
	if args, err = references(name, args, p); err != nil {
		return nil, err
	}
	mesh := &ServiceMesh{}
	if err := ctx.RegisterComponentResource(Type, name, mesh, opts...); err != nil {
		return nil, err
	}
	for _, w := range p.Findings.Warnings() {
		_ = ctx.Log.Warn(w.String(), &pulumi.LogArgs{Resource: mesh})
	}
	for _, d := range p.Deferred {
		_ = ctx.Log.Info("deferred check: "+d, &pulumi.LogArgs{Resource: mesh})
	}
	groups, err := emit(ctx, name, args, p, pulumi.Parent(mesh))
	if err != nil {
		return nil, err
	}
	attachments := pulumi.StringArrayMap{}
	for svc, list := range p.Attachments {
		ids := make(pulumi.StringArray, len(list))
		for i, g := range list {
			if sg, ok := groups[g]; ok {
				ids[i] = sg.ID().ToStringOutput()
			} else {
				ids[i] = args.ExternalGroupIDs[g] // references has checked it is set
			}
		}
		attachments[svc] = ids
	}

	ids, arns := pulumi.StringMap{}, pulumi.StringMap{}
	for svc, g := range groups {
		ids[svc] = g.ID().ToStringOutput()
		arns[svc] = g.Arn
	}
	mesh.SecurityGroupIds = ids.ToStringMapOutput()
	mesh.SecurityGroupArns = arns.ToStringMapOutput()
	mesh.RuleCounts = plainOutput(p.RuleCounts)
	mesh.Flows = plainOutput(flow.Summaries(p.Flows))
	mesh.QuotaUsage = plainOutput(p.QuotaUsage)
	mesh.FlowMatrix = pulumi.String(render.Matrix(p)).ToStringOutput()
	mesh.Diagram = pulumi.String(render.Mermaid(p)).ToStringOutput()
	mesh.Attachments = attachments.ToStringArrayMapOutput()
	return mesh, ctx.RegisterResourceOutputs(mesh, pulumi.Map{
		"attachments":       mesh.Attachments,
		"securityGroupIds":  mesh.SecurityGroupIds,
		"securityGroupArns": mesh.SecurityGroupArns,
		"ruleCounts":        mesh.RuleCounts,
		"flows":             mesh.Flows,
		"quotaUsage":        mesh.QuotaUsage,
		"flowMatrix":        mesh.FlowMatrix,
		"diagram":           mesh.Diagram,
	})
}

// Emit registers a plan's children (package resources), named after prefix,
// and returns the groups by service. The component calls it with itself as
// parent; a program may call it directly (the benchmarks compare the two).
// It fills in args' external group ids and lists from the plan where args
// has none (a declaration read from a file).
func Emit(ctx *pulumi.Context, prefix string, args Args, p *plan.Plan,
	opts ...pulumi.ResourceOption,
) (map[string]*ec2.SecurityGroup, error) {
	refs, err := references(prefix, args, p)
	if err != nil {
		return nil, err
	}
	return emit(ctx, prefix, refs, p, opts...)
}

// emit is Emit with args' references already completed (New completes them
// before registering anything, so a missing id leaves nothing half-made).
func emit(ctx *pulumi.Context, prefix string, refs Args, p *plan.Plan,
	opts ...pulumi.ResourceOption,
) (map[string]*ec2.SecurityGroup, error) {
	ids := map[flow.GroupRef]pulumi.StringInput{} // every group a rule may reference
	for name, id := range refs.ExternalGroupIDs {
		ids[flow.GroupRef{Name: name, External: true}] = id
	}
	groups := map[string]*ec2.SecurityGroup{}    // by logical name, for deletedWith
	byService := map[string]*ec2.SecurityGroup{} // the result
	for _, r := range resources.Of(prefix, p) {
		ropts := append(slices.Clip(opts), adoptOptions(r)...)
		switch {
		case r.Group != nil:
			sg, err := ec2.NewSecurityGroup(ctx, r.Name, groupArgs(r.Group, refs.VpcID), ropts...)
			if err != nil {
				return nil, fmt.Errorf("creating security group %q: %w", r.Group.Name, err)
			}
			groups[r.Name], byService[r.Service] = sg, sg
			ids[flow.GroupRef{Name: r.Name}] = sg.ID()
		default:
			// EC2 deletes a group's own rules with it. Without deletedWith the
			// engine may still call Delete on a rule after its group is gone (a
			// delete-first replacement of two groups runs their chains in
			// parallel), and the AWS provider fails that: it reads the group first.
			ruleOpts := append(slices.Clip(ropts), pulumi.DeletedWith(groups[r.Rule.SecurityGroup]))
			if _, err := ec2.NewSecurityGroupRule(ctx, r.Name, ruleArgs(r.Rule, ids, refs.CidrBlocksFrom), ruleOpts...); err != nil {
				return nil, fmt.Errorf("creating rule %q: %w", r.Name, err)
			}
		}
	}
	return byService, nil
}

// references completes args' external group ids and lists from the plan, and
// refuses an external group with no id at all.
func references(mesh string, args Args, p *plan.Plan) (Args, error) {
	ids := maps.Clone(args.ExternalGroupIDs)
	if ids == nil {
		ids = map[string]pulumi.StringInput{}
	}
	for _, e := range p.ExternalGroups {
		switch {
		case ids[e.Name] != nil:
		case e.SecurityGroupID != "":
			ids[e.Name] = pulumi.String(e.SecurityGroupID)
		default:
			return Args{}, fmt.Errorf("service mesh %q: external group %q has no securityGroupId; "+
				"pass the group's id, e.g. securityGroupId: cluster.nodeSecurityGroup.id", mesh, e.Name)
		}
	}
	lists := maps.Clone(args.CidrBlocksFrom)
	if lists == nil {
		lists = map[string]pulumi.StringArrayInput{}
	}
	for id, values := range p.Lists {
		if lists[id] == nil {
			lists[id] = pulumi.ToStringArray(values)
		}
	}
	args.ExternalGroupIDs, args.CidrBlocksFrom = ids, lists
	return args, nil
}

// adoptOptions import an existing resource (package resources gives its
// id). An import fails unless the declared inputs equal what the provider
// reads, so the inputs AWS cannot hold as declared are left as they are:
// a group's tags and revokeRulesOnDelete (not stored in AWS), a rule's
// description (the mesh writes one where the existing rule has none).
// They stay ignored on later updates of the adopted resources.
func adoptOptions(r resources.Resource) []pulumi.ResourceOption {
	if r.ImportID == "" {
		return nil
	}
	ignore := []string{"description"}
	if r.Group != nil {
		ignore = []string{"tags", "revokeRulesOnDelete"}
	}
	return []pulumi.ResourceOption{pulumi.Import(pulumi.ID(r.ImportID)), pulumi.IgnoreChanges(ignore)}
}

func groupArgs(g *resources.GroupInputs, vpcID pulumi.StringInput) *ec2.SecurityGroupArgs {
	return &ec2.SecurityGroupArgs{
		Name:                pulumi.String(g.Name),
		Description:         pulumi.String(g.Description),
		VpcId:               vpcID,
		Tags:                pulumi.ToStringMap(g.Tags),
		RevokeRulesOnDelete: pulumi.Bool(g.RevokeRulesOnDelete),
	}
}

// ruleArgs maps the model's rule inputs 1:1 onto the SDK's: groups by their
// ids in ids, a cidrBlocksFrom list by its input in lists.
func ruleArgs(in *resources.RuleInputs, ids map[flow.GroupRef]pulumi.StringInput,
	lists map[string]pulumi.StringArrayInput,
) *ec2.SecurityGroupRuleArgs {
	args := &ec2.SecurityGroupRuleArgs{
		Type:            pulumi.String(in.Type),
		SecurityGroupId: ids[in.Group()],
		Protocol:        pulumi.String(in.Protocol),
		FromPort:        pulumi.Int(in.FromPort),
		ToPort:          pulumi.Int(in.ToPort),
		Description:     pulumi.String(in.Description),
		CidrBlocks:      stringList(in.CidrBlocks),
		Ipv6CidrBlocks:  stringList(in.Ipv6CidrBlocks),
		PrefixListIds:   stringList(in.PrefixListIDs),
	}
	if in.Self {
		args.Self = pulumi.Bool(true)
	}
	if g := in.SourceSecurityGroup; g != nil {
		args.SourceSecurityGroupId = ids[*g]
	}
	if in.CidrBlocksFrom != "" {
		v4, v6 := familiesOf(lists[in.CidrBlocksFrom])
		args.CidrBlocks, args.Ipv6CidrBlocks = v4, v6
	}
	return args
}

// familiesOf normalises an output-valued list (sorted, without repeats:
// flow.NormalList) and splits it by family, so a rule's inputs never depend
// on the order or repeats of the values.
func familiesOf(list pulumi.StringArrayInput) (v4, v6 pulumi.StringArrayOutput) {
	normal := list.ToStringArrayOutput().ApplyT(func(l []string) []string { return flow.NormalList(l) }).(pulumi.StringArrayOutput)
	v4 = normal.ApplyT(func(l []string) []string { v4, _ := flow.SplitFamilies(l); return v4 }).(pulumi.StringArrayOutput)
	v6 = normal.ApplyT(func(l []string) []string { _, v6 := flow.SplitFamilies(l); return v6 }).(pulumi.StringArrayOutput)
	return v4, v6
}

// stringList is a list input, nil when empty (the provider's unset).
func stringList(l []string) pulumi.StringArrayInput {
	if len(l) == 0 {
		return nil
	}
	return pulumi.ToStringArray(l)
}

// plainOutput turns a plain Go value into an output of JSON-shaped values, the
// form the engine marshals for object and array outputs.
func plainOutput(v any) pulumi.AnyOutput {
	var shaped any
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &shaped)
	}
	if err != nil { // unreachable for the plan's plain types; fail loudly if not
		panic(fmt.Sprintf("shaping output: %v", err))
	}
	return pulumi.Any(shaped)
}
