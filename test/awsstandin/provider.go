package awsstandin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Version is the pulumi-aws version the stand-in answers to and is installed
// as: the pulumi-aws SDK's version in go.mod, which the component registers
// its resources with (a test holds the two together).
const Version = "6.83.4"

// The two resource types the stand-in models.
const (
	GroupType = "aws:ec2/securityGroup:SecurityGroup"
	RuleType  = "aws:ec2/securityGroupRule:SecurityGroupRule"
)

// The account the stand-in pretends to be, for ARNs and ownerId.
const (
	Region    = "us-east-1"
	AccountID = "123456789012"
)

// replaceKeys are the inputs whose change makes the real provider replace
// the resource (ForceNew in terraform-provider-aws); any other change
// updates in place.
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
	// ruleCreates counts rule creates, for EnvFailRule.
	ruleCreates atomic.Int64
}

func (p *Provider) state() string {
	if p.State != "" {
		return p.State
	}
	return StatePath()
}

// opts keep unknowns (previews carry them) and drop secrets' wrappers: the
// engine re-marks outputs secret where their inputs were.
var opts = plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, opts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, opts)
}

// request is every handler's preamble: the modelled type of urn and the
// request's properties.
func request(urn string, props *structpb.Struct) (string, resource.PropertyMap, error) {
	t, err := typeOf(urn)
	if err != nil {
		return "", nil, err
	}
	m, err := unmarshal(props)
	return t, m, err
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

// GetSchema describes just the modelled resources (groups, rules, network
// ACLs and their rules), so that a Pulumi YAML program (which resolves types
// through the schema) can declare them directly.
func (p *Provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: schemaJSON}, nil
}

var schemaJSON = func() string {
	str, num, boolean := map[string]any{"type": "string"}, map[string]any{"type": "integer"}, map[string]any{"type": "boolean"}
	strList := map[string]any{"type": "array", "items": str}
	strMap := map[string]any{"type": "object", "additionalProperties": str}
	anyList := map[string]any{"type": "array", "items": map[string]any{"$ref": "pulumi.json#/Any"}}
	groupIn := map[string]any{"name": str, "namePrefix": str, "description": str, "vpcId": str, "tags": strMap,
		"revokeRulesOnDelete": boolean, "ingress": anyList, "egress": anyList}
	ruleIn := map[string]any{"type": str, "securityGroupId": str, "protocol": str, "fromPort": num, "toPort": num,
		"cidrBlocks": strList, "ipv6CidrBlocks": strList, "prefixListIds": strList, "sourceSecurityGroupId": str,
		"self": boolean, "description": str}
	with := func(m map[string]any, extra ...string) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for _, k := range extra {
			out[k] = str
		}
		return out
	}
	groupOut := with(groupIn, "arn", "ownerId")
	groupOut["tagsAll"] = strMap
	// The network ACL types as pulumi-aws v6 declares them (sdk/v6 go/aws/ec2
	// networkAcl.go, networkAclRule.go, NetworkAclIngress/Egress).
	aclEntryType := func(tok string) map[string]any {
		return map[string]any{"type": "array", "items": map[string]any{"$ref": "#/types/" + tok}}
	}
	entryProps := map[string]any{"action": str, "cidrBlock": str, "fromPort": num, "icmpCode": num, "icmpType": num,
		"ipv6CidrBlock": str, "protocol": str, "ruleNo": num, "toPort": num}
	entry := map[string]any{"type": "object", "properties": entryProps, "required": []string{"action", "fromPort", "protocol", "ruleNo", "toPort"}}
	const ingressTok, egressTok = "aws:ec2/NetworkAclIngress:NetworkAclIngress", "aws:ec2/NetworkAclEgress:NetworkAclEgress"
	aclIn := map[string]any{"vpcId": str, "subnetIds": strList, "tags": strMap, "ingress": aclEntryType(ingressTok), "egress": aclEntryType(egressTok)}
	aclOut := with(aclIn, "arn", "ownerId")
	aclOut["tagsAll"] = strMap
	aclRuleIn := map[string]any{"networkAclId": str, "ruleNumber": num, "egress": boolean, "protocol": str, "ruleAction": str,
		"cidrBlock": str, "ipv6CidrBlock": str, "fromPort": num, "toPort": num, "icmpType": num, "icmpCode": num}
	const note = "STAND-IN (not AWS): modelled in a local file by test/awsstandin."
	js, err := json.Marshal(map[string]any{
		"name": "aws", "version": Version,
		"meta": map[string]any{"moduleFormat": "(.*)(?:/[^/]*)"},
		"resources": map[string]any{
			GroupType: map[string]any{"description": note, "inputProperties": groupIn, "properties": groupOut},
			RuleType: map[string]any{"description": note, "inputProperties": ruleIn, "properties": with(ruleIn, "securityGroupRuleId"),
				"requiredInputs": []string{"type", "securityGroupId", "protocol", "fromPort", "toPort"}},
			NetworkACLType: map[string]any{"description": note, "inputProperties": aclIn, "properties": aclOut,
				"requiredInputs": []string{"vpcId"}},
			NetworkACLRuleType: map[string]any{"description": note, "inputProperties": aclRuleIn, "properties": aclRuleIn,
				"requiredInputs": []string{"networkAclId", "ruleNumber", "protocol", "ruleAction"}},
		},
		"types": map[string]any{ingressTok: entry, egressTok: entry},
	})
	if err != nil {
		panic(err)
	}
	return string(js)
}()

// The stand-in needs no credentials or region: any provider config goes.

func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *Provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *Provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

// Cancel has nothing to stop: every call finishes promptly.
func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// ruleRequired are the rule inputs the real provider's schema requires.
var ruleRequired = []resource.PropertyKey{"type", "securityGroupId", "protocol", "fromPort", "toPort"}

// Check applies the real provider's defaults and normalisations and reports
// missing required inputs as check failures, as the bridge does.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t, news, err := request(req.GetUrn(), req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	switch {
	case isACLType(t):
		// Network ACL inputs pass as they are; EC2 judges them at create.
	case t == GroupType:
		setDefault(news, "revokeRulesOnDelete", resource.NewBoolProperty(false))
		setDefault(news, "description", resource.NewStringProperty("Managed by Pulumi"))
		if _, named := news["name"]; !named && !news["namePrefix"].HasValue() {
			news["name"] = autoName(req.GetUrn(), olds, req.GetRandomSeed())
			// The bridge records the fields it defaulted; Diff reads this to
			// tell an auto-name from a name the program set.
			news[defaultsKey] = resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("name")})
		}
	default:
		failures = append(failures, checkRuleValues(news)...)
		failures = append(failures, checkPeerKinds(news)...)
		for _, k := range ruleRequired {
			if !news[k].HasValue() && !news[k].IsComputed() {
				failures = append(failures, &pulumirpc.CheckFailure{Property: string(k),
					Reason: fmt.Sprintf("Missing required argument: The argument %q is required", k)})
			}
		}
		if v := news["type"]; v.IsString() && v.StringValue() != "ingress" && v.StringValue() != "egress" {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "type",
				Reason: fmt.Sprintf("expected type to be one of [ingress egress], got %s", v.StringValue())})
		}
		// The real provider stores "all" as "-1" and is case-insensitive.
		if pr := news["protocol"]; pr.IsString() {
			v := strings.ToLower(pr.StringValue())
			if v == "all" {
				v = "-1"
			}
			news["protocol"] = resource.NewStringProperty(v)
		}
	}
	inputs, err := marshal(news)
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, err
}

// defaultsKey is the bridge's list of the inputs it defaulted in Check.
const defaultsKey = "__defaults"

// ruleDescription is validSecurityGroupRuleDescription's charset: EC2's,
// with & allowed.
var ruleDescription = regexp.MustCompile(`^[A-Za-z0-9 ._:/()#,@\[\]+=&;{}!$*-]*$`)

// checkRuleValues validates at Check time what the real provider's schema
// validates (ValidateFunc), so a bad value fails the preview, not the apply.
func checkRuleValues(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	var out []*pulumirpc.CheckFailure
	if v := news["description"]; v.IsString() && (len(v.StringValue()) > 255 || !ruleDescription.MatchString(v.StringValue())) {
		out = append(out, &pulumirpc.CheckFailure{Property: "description", Reason: fmt.Sprintf(
			"%q must be up to 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*", v.StringValue())})
	}
	for k, v6 := range map[resource.PropertyKey]bool{"cidrBlocks": false, "ipv6CidrBlocks": true} {
		for i, c := range strs(news, k) {
			if err := cidrNetwork(c, v6); err != nil {
				out = append(out, &pulumirpc.CheckFailure{Property: fmt.Sprintf("%s[%d]", k, i), Reason: err.Error()})
			}
		}
	}
	return out
}

// peerInputs are the rule's source inputs, as the schema's AtLeastOneOf lists them.
var peerInputs = []resource.PropertyKey{"cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "self", "sourceSecurityGroupId"}

// peerConflicts is the schema's ConflictsWith: addresses exclude a source
// group and self, a source group excludes self. A prefix list goes with any
// of them.
var peerConflicts = map[resource.PropertyKey][]resource.PropertyKey{
	"cidrBlocks":            {"sourceSecurityGroupId", "self"},
	"ipv6CidrBlocks":        {"sourceSecurityGroupId", "self"},
	"sourceSecurityGroupId": {"self"},
}

// checkPeerKinds is the rule schema's AtLeastOneOf and ConflictsWith, which
// the real provider checks at plan time: a set value is one that is not
// empty, false or null (schema.ResourceData.GetOk); an unknown one may be
// anything, so it is neither counted nor held against another.
func checkPeerKinds(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	set := func(k resource.PropertyKey) bool {
		v := news[k]
		return v.IsString() && v.StringValue() != "" || v.IsBool() && v.BoolValue() || v.IsArray() && len(v.ArrayValue()) > 0
	}
	var out []*pulumirpc.CheckFailure
	unknown := slices.ContainsFunc(peerInputs, func(k resource.PropertyKey) bool { return news[k].ContainsUnknowns() })
	if !unknown && !slices.ContainsFunc(peerInputs, set) {
		out = append(out, &pulumirpc.CheckFailure{Property: "cidrBlocks",
			Reason: "one of `cidrBlocks,ipv6CidrBlocks,prefixListIds,self,sourceSecurityGroupId` must be specified"})
	}
	for _, k := range []resource.PropertyKey{"cidrBlocks", "ipv6CidrBlocks", "sourceSecurityGroupId"} {
		for _, other := range peerConflicts[k] {
			if set(k) && set(other) {
				out = append(out, &pulumirpc.CheckFailure{Property: string(k), Reason: fmt.Sprintf("conflicts with %s", other)})
			}
		}
	}
	return out
}

// cidrNetwork is verify.ValidIPv4CIDRNetworkAddress (or IPv6): a CIDR of the
// right family whose address is the network's own.
func cidrNetwork(c string, v6 bool) error {
	prefix, err := netip.ParsePrefix(c)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a valid CIDR block: %w", c, err)
	case prefix.Addr().Is4() == v6 || prefix.Addr().Is4In6():
		return fmt.Errorf("%q is not a valid IPv%d CIDR block", c, map[bool]int{false: 4, true: 6}[v6])
	case prefix.Masked() != prefix:
		return fmt.Errorf("%q is not a valid CIDR network address; expected %q", c, prefix.Masked())
	}
	return nil
}

func setDefault(m resource.PropertyMap, k resource.PropertyKey, v resource.PropertyValue) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// autoName is pulumi-aws's auto-naming of a group without name or
// namePrefix: the resource's name plus 7 random hex digits, kept from the
// previous inputs so an update does not rename (and so replace) the group.
func autoName(urn string, olds resource.PropertyMap, seed []byte) resource.PropertyValue {
	if v := olds["name"]; v.IsString() && !olds["namePrefix"].HasValue() {
		return v
	}
	if len(seed) < 4 { // the engine always sends one; a direct caller may not
		seed = make([]byte, 4)
		_, _ = rand.Read(seed)
	}
	return resource.NewStringProperty(resource.URN(urn).Name() + "-" + hex.EncodeToString(seed)[:7])
}

var replacing = map[pulumirpc.PropertyDiff_Kind]pulumirpc.PropertyDiff_Kind{
	pulumirpc.PropertyDiff_ADD:    pulumirpc.PropertyDiff_ADD_REPLACE,
	pulumirpc.PropertyDiff_DELETE: pulumirpc.PropertyDiff_DELETE_REPLACE,
	pulumirpc.PropertyDiff_UPDATE: pulumirpc.PropertyDiff_UPDATE_REPLACE,
}

// Diff replaces on the fields the real provider replaces on, else updates.
// An unknown new value counts as a change: if it is a replace key, the
// resource is replaced, as the real provider must assume it will differ.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	oldIn := req.GetOldInputs()
	if oldIn == nil {
		oldIn = req.GetOlds() // states written before old inputs were recorded
	}
	olds, err := unmarshal(oldIn)
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
		if strings.HasPrefix(string(k), "__") {
			continue
		}
		o, hadOld := olds[k]
		n, hasNew := news[k]
		if !n.ContainsUnknowns() && (o.DeepEquals(n) || slices.Contains(setKeys[t], string(k)) && sameSet(o, n)) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hadOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if slices.Contains(replaceKeys[t], string(k)) {
			kind = replacing[kind]
			resp.Replaces = append(resp.Replaces, string(k))
		}
		resp.Diffs = append(resp.Diffs, string(k))
		resp.DetailedDiff[string(k)] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	slices.Sort(resp.Diffs)
	slices.Sort(resp.Replaces)
	// pulumi-aws marks aws_security_group_rule DeleteBeforeReplace (a new
	// rule equal to the old would be a Duplicate); the bridge deletes first
	// for any resource whose auto-named field (a group's name) the program
	// set, because the successor's name would collide.
	if len(resp.Replaces) > 0 {
		resp.DeleteBeforeReplace = t == RuleType || news["name"].HasValue() && !autoNamed(news)
	}
	return resp, nil
}

func autoNamed(news resource.PropertyMap) bool {
	if d := news[defaultsKey]; d.IsArray() {
		return slices.ContainsFunc(d.ArrayValue(), func(v resource.PropertyValue) bool { return v.IsString() && v.StringValue() == "name" })
	}
	return false
}

// computed is what a preview of a create shows: the inputs, and unknowns
// for what only EC2 assigns.
func computed(t string, props resource.PropertyMap) resource.PropertyMap {
	out := props.Copy()
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	out["id"] = unknown
	if t == GroupType {
		out["arn"], out["ownerId"], out["tagsAll"] = unknown, unknown, unknown
		if !out["name"].HasValue() {
			out["name"] = unknown
		}
	} else {
		out["securityGroupRuleId"] = unknown
	}
	return out
}

func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	t, props, err := request(req.GetUrn(), req.GetProperties())
	if err != nil {
		return nil, err
	}
	delete(props, defaultsKey)
	if isACLType(t) {
		return p.createACLResource(t, props, req.GetPreview())
	}
	if req.GetPreview() {
		out, err := marshal(computed(t, props))
		return &pulumirpc.CreateResponse{Properties: out}, err
	}
	var out resource.PropertyMap
	err = withAccount(p.state(), true, func(a *Account) error {
		if t == GroupType {
			g := groupFrom(props)
			if g.Name == "" {
				g.Name = uniqueName(str(props, "namePrefix"))
			}
			if err := a.createGroup(g); err != nil {
				return fmt.Errorf("creating Security Group (%s): %w", g.Name, err)
			}
			out = groupOutputs(props, g)
			return nil
		}
		r, err := ruleFrom(props)
		if err != nil {
			return err
		}
		if err := p.injectedFault(); err != nil {
			return fmt.Errorf("authorizing Security Group (%s) Rule: %w", r.GroupID, err)
		}
		if err := a.addRule(r); err != nil {
			return ruleCreateError(r, err)
		}
		out = ruleOutputs(props, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if t == GroupType {
		// The group exists in EC2 from here on; the real provider still has
		// calls to make (revoking the default egress) before it reports it.
		time.Sleep(CreateDelay())
	}
	res, err := marshal(out)
	return &pulumirpc.CreateResponse{Id: str(out, "id"), Properties: res}, err
}

// ruleCreateError wraps EC2's refusal as the real provider's
// resourceSecurityGroupRuleCreate does, its Duplicate text included.
func ruleCreateError(r *Rule, err error) error {
	if strings.HasPrefix(err.Error(), "InvalidPermission.Duplicate: ") {
		return fmt.Errorf(`[WARN] A duplicate Security Group rule was found on (%s). This may be
a side effect of a now-fixed Terraform issue causing two security groups with
identical attributes but different source_security_group_ids to overwrite each
other in the state. See https://github.com/hashicorp/terraform/pull/2376 for more
information and instructions for recovery. Error: %w`, r.GroupID, err)
	}
	return fmt.Errorf("authorizing Security Group (%s) Rule (%s): %w", r.GroupID, r.createID(), err)
}

// injectedFault is $AWS_STANDIN_FAIL_RULE's error when this is the k-th
// rule create of this plugin process (one process serves one CLI run).
func (p *Provider) injectedFault() error {
	k, code, ok := strings.Cut(os.Getenv(EnvFailRule), ":")
	n, err := strconv.Atoi(k)
	if !ok || err != nil || p.ruleCreates.Add(1) != int64(n) {
		return nil
	}
	return ec2Error(code, "injected by %s=%s", EnvFailRule, os.Getenv(EnvFailRule))
}

var nameCounter atomic.Uint32

// uniqueName is the real provider's name for a group with only a namePrefix
// (or none, if auto-naming was bypassed): the prefix (default "terraform-"),
// a timestamp and a counter, 26 digits in all.
func uniqueName(prefix string) string {
	if prefix == "" {
		prefix = "terraform-"
	}
	return fmt.Sprintf("%s%s%012d", prefix, time.Now().UTC().Format("20060102150405"), nameCounter.Add(1))
}

// groupOutputs are a group's inputs plus what EC2 assigned.
func groupOutputs(props resource.PropertyMap, g *Group) resource.PropertyMap {
	out := props.Copy()
	out["id"] = resource.NewStringProperty(g.ID)
	out["arn"] = resource.NewStringProperty("arn:aws:ec2:" + Region + ":" + AccountID + ":security-group/" + g.ID)
	out["ownerId"] = resource.NewStringProperty(AccountID)
	out["name"] = resource.NewStringProperty(g.Name)
	out["description"] = resource.NewStringProperty(g.Description)
	out["revokeRulesOnDelete"] = resource.NewBoolProperty(g.RevokeRulesOnDelete)
	tags := resource.PropertyMap{}
	for k, v := range g.Tags {
		tags[resource.PropertyKey(k)] = resource.NewStringProperty(v)
	}
	if len(g.Tags) > 0 || props.HasValue("tags") {
		out["tags"] = resource.NewObjectProperty(tags)
	}
	out["tagsAll"] = resource.NewObjectProperty(tags.Copy()) // no provider default tags here
	return out
}

// ruleOutputs are a rule's inputs plus what EC2 assigned and keeps mutable.
func ruleOutputs(props resource.PropertyMap, r *Rule) resource.PropertyMap {
	out := props.Copy()
	out["id"] = resource.NewStringProperty(r.ID)
	out["securityGroupRuleId"] = resource.NewStringProperty(r.SGRID)
	if r.Description != "" || props.HasValue("description") {
		out["description"] = resource.NewStringProperty(r.Description)
	}
	return out
}

// Read reports a resource as the account has it now, or gone (empty id).
// Only what EC2 can change in place (a group's tags, a rule's description)
// can drift, so that is what is read back over the recorded state; an
// import (no recorded state) gets everything from the account.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	t, props, err := request(req.GetUrn(), req.GetProperties())
	if err != nil {
		return nil, err
	}
	var out, inputs resource.PropertyMap
	id := req.GetId()
	if isACLType(t) {
		return p.readACLResource(t, id, props, req.GetInputs())
	}
	err = withAccount(p.state(), false, func(a *Account) error {
		if g, ok := a.Groups[id]; ok && t == GroupType {
			if len(props) == 0 {
				props = resource.PropertyMap{"vpcId": resource.NewStringProperty(g.VpcID)}
			}
			out = groupOutputs(props, g)
			inputs = pick(out, "name", "description", "vpcId", "tags", "revokeRulesOnDelete")
		}
		if t != RuleType {
			return nil
		}
		var err error
		id, out, err = a.readRule(id, props)
		inputs = pick(out, "type", "securityGroupId", "protocol", "fromPort", "toPort", "cidrBlocks",
			"ipv6CidrBlocks", "prefixListIds", "sourceSecurityGroupId", "self", "description")
		return err
	})
	if err != nil || out == nil {
		return &pulumirpc.ReadResponse{}, err
	}
	if in, err := unmarshal(req.GetInputs()); err == nil && len(in) > 0 {
		// Keep the program's inputs, with the one field that can drift read back.
		drifts := map[string]resource.PropertyKey{GroupType: "tags", RuleType: "description"}[t]
		if v, ok := inputs[drifts]; ok {
			in[drifts] = v
		}
		inputs = in
	}
	outS, err := marshal(out)
	if err != nil {
		return nil, err
	}
	inS, err := marshal(inputs)
	return &pulumirpc.ReadResponse{Id: id, Properties: outS, Inputs: inS}, err
}

func pick(m resource.PropertyMap, keys ...resource.PropertyKey) resource.PropertyMap {
	out := resource.PropertyMap{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// readRule is resourceSecurityGroupRuleRead. An id holding "_" is an import
// (resourceSecurityGroupRuleImport): the permission the id describes must be
// found in EC2 by findRuleMatch, and the id becomes the provider's sgrule-….
// A rule with recorded state is looked up the same way, by content, so an
// imported rule and one the stand-in created read alike. Without state (a
// test's read by id) the account's rule is reported as it is. Gone is an
// empty id.
func (a *Account) readRule(id string, props resource.PropertyMap) (string, resource.PropertyMap, error) {
	var d ImportedRule
	switch {
	case strings.Contains(id, "_"):
		var err error
		if d, err = ParseImportID(id); err != nil {
			return "", nil, err
		}
	case props.HasValue("securityGroupId") && props.HasValue("type"):
		d = ruleData(props)
	default:
		r, ok := a.Rules[id]
		if !ok {
			return "", nil, nil
		}
		return id, ruleOutputs(ruleProps(r), r), nil
	}
	if a.Groups[d.SecurityGroupID] == nil {
		return "", nil, nil // the group is gone: so is the rule
	}
	p := expandIPPermission(d.SecurityGroupID, d)
	found, description := a.findRuleMatch(d.SecurityGroupID, d.Type, p)
	if !found {
		return "", nil, nil
	}
	out := props.Copy()
	if len(props) == 0 {
		out = importedState(d, p, description)
		id = p.createID(d.SecurityGroupID, d.Type)
	} else if description != "" || props.HasValue("description") {
		out["description"] = resource.NewStringProperty(description)
	}
	out["id"] = resource.NewStringProperty(id)
	out["securityGroupRuleId"] = resource.NewStringProperty(a.findSecurityGroupRuleMatch(d.SecurityGroupID, d.Type, p))
	return id, out, nil
}

// ruleProps rebuilds a rule's inputs from the account, for a read by id.
func ruleProps(r *Rule) resource.PropertyMap {
	m := resource.PropertyMap{
		"type":            resource.NewStringProperty(r.Type),
		"securityGroupId": resource.NewStringProperty(r.GroupID),
		"protocol":        resource.NewStringProperty(r.Protocol),
		"fromPort":        resource.NewNumberProperty(float64(r.FromPort)),
		"toPort":          resource.NewNumberProperty(float64(r.ToPort)),
	}
	lists := map[string]resource.PropertyKey{"cidr": "cidrBlocks", "ipv6": "ipv6CidrBlocks", "pl": "prefixListIds"}
	for _, p := range r.Peers {
		kind, v, _ := strings.Cut(p, ":")
		switch {
		case kind == "sg" && r.Self:
			m["self"] = resource.NewBoolProperty(true)
		case kind == "sg":
			m["sourceSecurityGroupId"] = resource.NewStringProperty(v)
		default:
			k := lists[kind]
			var vals []resource.PropertyValue
			if m[k].IsArray() {
				vals = m[k].ArrayValue()
			}
			m[k] = resource.NewArrayProperty(append(vals, resource.NewStringProperty(v)))
		}
	}
	return m
}

// Update changes what EC2 changes in place: a group's tags and revoke flag
// (the rest replaces), a rule's description.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	t, news, err := request(req.GetUrn(), req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	// What EC2 assigned stays; the rest follows the new inputs.
	delete(news, defaultsKey)
	if isACLType(t) {
		return p.updateACLResource(t, req.GetId(), news, req.GetPreview())
	}
	out := news.Copy()
	for _, k := range []resource.PropertyKey{"id", "arn", "ownerId", "name", "securityGroupRuleId"} {
		if v, ok := olds[k]; ok && !news[k].HasValue() {
			out[k] = v
		}
	}
	if t == GroupType {
		if news["tags"].ContainsUnknowns() {
			out["tagsAll"] = resource.MakeComputed(resource.NewStringProperty(""))
		} else if v := news["tags"]; v.IsObject() {
			out["tagsAll"] = resource.NewObjectProperty(v.ObjectValue().Copy())
		} else {
			out["tagsAll"] = resource.NewObjectProperty(resource.PropertyMap{})
		}
	}
	if !req.GetPreview() {
		err = withAccount(p.state(), true, func(a *Account) error {
			if g, ok := a.Groups[req.GetId()]; ok && t == GroupType {
				u := groupFrom(news)
				g.Tags, g.RevokeRulesOnDelete = u.Tags, u.RevokeRulesOnDelete
				return nil
			}
			if r, ok := a.Rules[req.GetId()]; ok && t == RuleType {
				r.Description = str(news, "description")
				return nil
			}
			return ec2Error(map[string]string{GroupType: "InvalidGroup.NotFound", RuleType: "InvalidSecurityGroupRuleId.NotFound"}[t],
				"%s does not exist", req.GetId())
		})
		if err != nil {
			return nil, err
		}
	}
	res, err := marshal(out)
	return &pulumirpc.UpdateResponse{Properties: res}, err
}

// Delete deletes as the real provider does. A rule whose group is gone is an
// error (the provider reads the group first); a rule already revoked is done.
// A group delete is resourceSecurityGroupDelete: with revokeRulesOnDelete,
// revoke the group's own rules and every rule of another group referencing
// it (a call of its own: the revocation sticks even when the delete is then
// refused); then delete, retrying DependencyViolation and InvalidGroup.InUse
// until DeleteTimeout, revoking again before each retry; a group already gone
// is done.
func (p *Provider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	t, props, err := request(req.GetUrn(), req.GetProperties())
	if err != nil {
		return nil, err
	}
	id := req.GetId()
	if isACLType(t) {
		return p.deleteACLResource(t, id)
	}
	if t == RuleType {
		return &emptypb.Empty{}, withAccount(p.state(), true, func(a *Account) error {
			if g := str(props, "securityGroupId"); a.Groups[g] == nil {
				return fmt.Errorf("reading Security Group (%s): %w", g,
					ec2Error("InvalidGroup.NotFound", "the security group ID %q does not exist", g))
			}
			if _, ok := a.Rules[id]; ok {
				delete(a.Rules, id)
				return nil
			}
			// An imported rule's id names no create: revoke its content,
			// as the real provider always does.
			d := ruleData(props)
			a.revoke(d.SecurityGroupID, d.Type, expandIPPermission(d.SecurityGroupID, d))
			return nil
		})
	}
	revoke := props["revokeRulesOnDelete"].IsBool() && props["revokeRulesOnDelete"].BoolValue()
	deadline := time.Now().Add(DeleteTimeout())
	for {
		if revoke {
			if err := withAccount(p.state(), true, func(a *Account) error { a.revokeRules(id); return nil }); err != nil {
				return nil, err
			}
		}
		err := withAccount(p.state(), true, func(a *Account) error { return a.deleteGroup(id) })
		switch {
		case err == nil, strings.HasPrefix(err.Error(), "InvalidGroup.NotFound: "):
			return &emptypb.Empty{}, nil
		case !strings.HasPrefix(err.Error(), "DependencyViolation: ") && !strings.HasPrefix(err.Error(), "InvalidGroup.InUse: "),
			time.Now().After(deadline):
			return nil, fmt.Errorf("deleting Security Group (%s): %w", id, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("deleting Security Group (%s): %w", id, err)
		case <-time.After(retryEvery(DeleteTimeout())):
		}
	}
}

// retryEvery is how often a delete retries: often enough that a test's
// short window sees a dependency go, and at most every 5 seconds.
func retryEvery(window time.Duration) time.Duration {
	return min(max(window/10, 50*time.Millisecond), 5*time.Second)
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
	g := &Group{Name: str(m, "name"), VpcID: str(m, "vpcId"), Description: str(m, "description")}
	if v := m["revokeRulesOnDelete"]; v.IsBool() {
		g.RevokeRulesOnDelete = v.BoolValue()
	}
	if v := m["tags"]; v.IsObject() {
		g.Tags = map[string]string{}
		for k, e := range v.ObjectValue() {
			if e.IsString() {
				g.Tags[string(k)] = e.StringValue()
			}
		}
	}
	return g
}

// ruleFrom reads a rule and checks its ports and peers as EC2 does.
// Protocol -1 has no ports in EC2: expandIPPermission does not send them
// (and the schema's DiffSuppressFunc ignores them), so any given are dropped.
func ruleFrom(m resource.PropertyMap) (*Rule, error) {
	d := ruleData(m)
	r := &Rule{GroupID: d.SecurityGroupID, Type: d.Type, Protocol: protocolForValue(d.Protocol), Description: str(m, "description")}
	if r.Protocol != "-1" {
		r.FromPort, r.ToPort = d.FromPort, d.ToPort
	}
	r.Peers = expandIPPermission(r.GroupID, d).peers()
	r.Self = d.Self
	if err := r.validate(); err != nil {
		return nil, err
	}
	return r, nil
}
