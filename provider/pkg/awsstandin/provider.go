package awsstandin

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Version is the pulumi-aws version the stand-in answers to.
const Version = "6.83.4"

// The two resource types the stand-in models.
const (
	GroupType = "aws:ec2/securityGroup:SecurityGroup"
	RuleType  = "aws:ec2/securityGroupRule:SecurityGroupRule"
)

// replaceKeys are the inputs whose change makes the real provider replace
// the resource; any other change updates in place.
var replaceKeys = map[string][]string{
	GroupType: {"name", "namePrefix", "description", "vpcId"},
	RuleType: {"type", "securityGroupId", "protocol", "fromPort", "toPort", "cidrBlocks",
		"ipv6CidrBlocks", "prefixListIds", "sourceSecurityGroupId", "self"},
}

// Provider serves the stand-in over Pulumi's provider protocol.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer
	// State is the account file; empty means StatePath().
	State string
}

func (p *Provider) state() string {
	if p.State != "" {
		return p.State
	}
	return StatePath()
}

var opts = plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true, KeepSecrets: false}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, opts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, opts)
}

func typeOf(urn string) (string, error) {
	t := string(resource.URN(urn).Type())
	if _, ok := replaceKeys[t]; !ok {
		return "", fmt.Errorf("stand-in pulumi-resource-aws models only %s and %s; got %s", GroupType, RuleType, t)
	}
	return t, nil
}

func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *Provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"aws","version":"` + Version + `"}`}, nil
}

func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *Provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{}, nil
}

func (p *Provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

// Check normalises the protocol as the real provider does ("all" is "-1").
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	if pr := news["protocol"]; t == RuleType && pr.IsString() {
		v := strings.ToLower(pr.StringValue())
		if v == "all" {
			v = "-1"
		}
		news["protocol"] = resource.NewStringProperty(v)
	}
	inputs, err := marshal(news)
	return &pulumirpc.CheckResponse{Inputs: inputs}, err
}

// Diff replaces on the fields the real provider replaces on, else updates.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true,
		DetailedDiff: map[string]*pulumirpc.PropertyDiff{}}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	for k := range keys {
		o, n := olds[k], news[k]
		if !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		if slices.Contains(replaceKeys[t], string(k)) {
			kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
			resp.Replaces = append(resp.Replaces, string(k))
		}
		resp.Diffs = append(resp.Diffs, string(k))
		resp.DetailedDiff[string(k)] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	slices.Sort(resp.Diffs)
	slices.Sort(resp.Replaces)
	return resp, nil
}

// computed marks the outputs the real provider only knows after creation.
func computed(t string, props resource.PropertyMap) resource.PropertyMap {
	out := props.Copy()
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	if t == GroupType {
		out["arn"], out["ownerId"] = unknown, unknown
	} else {
		out["securityGroupRuleId"] = unknown
	}
	return out
}

func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	props, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		out, err := marshal(computed(t, props))
		return &pulumirpc.CreateResponse{Properties: out}, err
	}
	var id string
	err = withAccount(p.state(), func(a *Account) error {
		if t == GroupType {
			g := groupFrom(props)
			if err := a.createGroup(g); err != nil {
				return err
			}
			id = g.ID
			return nil
		}
		r, err := ruleFrom(props)
		if err != nil {
			return err
		}
		if err := a.addRule(r); err != nil {
			return err
		}
		id = r.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := marshal(outputs(t, id, props))
	return &pulumirpc.CreateResponse{Id: id, Properties: out}, err
}

func outputs(t, id string, props resource.PropertyMap) resource.PropertyMap {
	out := props.Copy()
	out["id"] = resource.NewStringProperty(id)
	if t == GroupType {
		out["arn"] = resource.NewStringProperty("arn:aws:ec2:us-east-1:123456789012:security-group/" + id)
		out["ownerId"] = resource.NewStringProperty("123456789012")
		out["tagsAll"] = props["tags"]
	} else {
		out["securityGroupRuleId"] = resource.NewStringProperty(id)
	}
	return out
}

// Read reports a resource as the account has it, or gone.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	exists := false
	err = withAccount(p.state(), func(a *Account) error {
		_, g := a.Groups[req.GetId()]
		_, r := a.Rules[req.GetId()]
		exists = (t == GroupType && g) || (t == RuleType && r)
		return nil
	})
	if err != nil || !exists {
		return &pulumirpc.ReadResponse{}, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Update changes what EC2 changes in place: a group's tags and revoke flag, a
// rule's description.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		err = withAccount(p.state(), func(a *Account) error {
			if g, ok := a.Groups[req.GetId()]; ok && t == GroupType {
				u := groupFrom(news)
				g.Tags, g.RevokeRulesOnDelete = u.Tags, u.RevokeRulesOnDelete
			}
			if r, ok := a.Rules[req.GetId()]; ok && t == RuleType {
				r.Description = str(news, "description")
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out, err := marshal(outputs(t, req.GetId(), news))
	return &pulumirpc.UpdateResponse{Properties: out}, err
}

func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, withAccount(p.state(), func(a *Account) error {
		if t == GroupType {
			return a.deleteGroup(req.GetId())
		}
		delete(a.Rules, req.GetId())
		return nil
	})
}

func str(m resource.PropertyMap, k resource.PropertyKey) string {
	if v := m[k]; v.IsString() {
		return v.StringValue()
	}
	return ""
}

func strs(m resource.PropertyMap, k resource.PropertyKey) []string {
	var out []string
	if v := m[k]; v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e.IsString() {
				out = append(out, e.StringValue())
			}
		}
	}
	return out
}

func groupFrom(m resource.PropertyMap) *Group {
	g := &Group{Name: str(m, "name"), VpcID: str(m, "vpcId"), Description: str(m, "description"),
		Tags: map[string]string{}}
	if v := m["revokeRulesOnDelete"]; v.IsBool() {
		g.RevokeRulesOnDelete = v.BoolValue()
	}
	if v := m["tags"]; v.IsObject() {
		for k, e := range v.ObjectValue() {
			if e.IsString() {
				g.Tags[string(k)] = e.StringValue()
			}
		}
	}
	return g
}

// ruleFrom reads a rule and checks its ports and peers as EC2 does.
func ruleFrom(m resource.PropertyMap) (*Rule, error) {
	r := &Rule{GroupID: str(m, "securityGroupId"), Type: str(m, "type"), Protocol: str(m, "protocol"),
		Description: str(m, "description")}
	if v := m["fromPort"]; v.IsNumber() {
		r.FromPort = int(v.NumberValue())
	}
	if v := m["toPort"]; v.IsNumber() {
		r.ToPort = int(v.NumberValue())
	}
	kinds := 0
	add := func(prefix string, vals []string) {
		if len(vals) > 0 {
			kinds++
		}
		for _, v := range vals {
			r.Peers = append(r.Peers, prefix+v)
		}
	}
	add("cidr:", strs(m, "cidrBlocks"))
	add("ipv6:", strs(m, "ipv6CidrBlocks"))
	add("pl:", strs(m, "prefixListIds"))
	if sg := str(m, "sourceSecurityGroupId"); sg != "" {
		add("sg:", []string{sg})
	}
	if v := m["self"]; v.IsBool() && v.BoolValue() {
		add("sg:", []string{r.GroupID})
	}
	bad := func(format string, args ...any) (*Rule, error) {
		return nil, ec2Error("InvalidParameterValue", format, args...)
	}
	switch {
	case r.Type != "ingress" && r.Type != "egress":
		return bad("type must be ingress or egress, not %q", r.Type)
	case kinds != 1:
		return bad("a rule needs exactly one of cidrBlocks, ipv6CidrBlocks, prefixListIds, sourceSecurityGroupId or self; got %d", kinds)
	}
	switch r.Protocol {
	case "tcp", "udp", "6", "17":
		if r.FromPort < 0 || r.FromPort > r.ToPort || r.ToPort > 65535 {
			return bad("invalid port range %d-%d", r.FromPort, r.ToPort)
		}
	case "icmp", "icmpv6", "1", "58":
		if r.FromPort < -1 || r.FromPort > 255 || r.ToPort < -1 || r.ToPort > 255 {
			return bad("invalid ICMP type/code %d/%d", r.FromPort, r.ToPort)
		}
	case "-1":
		if r.FromPort != 0 || r.ToPort != 0 {
			return bad("protocol -1 (all) takes from_port = to_port = 0, got %d-%d", r.FromPort, r.ToPort)
		}
	}
	return r, nil
}
