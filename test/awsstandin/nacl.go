package awsstandin

import (
	"cmp"
	"fmt"
	"hash/crc32"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Network ACL resource types, as in the URNs.
const (
	NetworkACLType     = "aws:ec2/networkAcl:NetworkAcl"
	NetworkACLRuleType = "aws:ec2/networkAclRule:NetworkAclRule"
)

// EnvACLRules is the network ACL quota: rules per ACL, direction and family,
// the default deny rule included (AWS: 20, adjustable up to 40).
const EnvACLRules = "AWS_STANDIN_NACL_RULES"

// ACLRules is $AWS_STANDIN_NACL_RULES, or 20.
func ACLRules() int {
	if n, err := strconv.Atoi(os.Getenv(EnvACLRules)); err == nil && n > 0 {
		return n
	}
	return 20
}

// NetworkACL is a network ACL; its subnets are those SubnetACL maps to it.
type NetworkACL struct {
	ID    string            `json:"id"`
	VpcID string            `json:"vpcId"`
	Tags  map[string]string `json:"tags,omitempty"`
}

// ACLEntry is one numbered rule of a network ACL.
type ACLEntry struct {
	ID       string `json:"id"`
	ACL      string `json:"networkAclId"`
	Egress   bool   `json:"egress"`
	Number   int    `json:"ruleNumber"`
	Protocol string `json:"protocol"`
	Action   string `json:"ruleAction"`
	CIDR     string `json:"cidr"`
	From     int    `json:"fromPort"`
	To       int    `json:"toPort"`
	IcmpType int    `json:"icmpType"`
	IcmpCode int    `json:"icmpCode"`
}

func (e *ACLEntry) ipv6() bool {
	p, err := netip.ParsePrefix(e.CIDR)
	return err == nil && p.Addr().Is6()
}

// aclEntryID is the provider's id of a rule: nacl-<hash of acl, number,
// egress, protocol> (networkACLRuleCreateResourceID in vpc_network_acl_rule.go).
func aclEntryID(acl string, number int, egress bool, protocol string) string {
	return fmt.Sprintf("nacl-%d", crc32.ChecksumIEEE([]byte(fmt.Sprintf("%s-%d-%t-%s-", acl, number, egress, protocol))))
}

// DefaultACL is the VPC's default ACL a subnet returns to when no ACL of
// its own holds it.
func DefaultACL(vpc string) string { return "acl-default-" + vpc }

// createACL adds an ACL and moves its subnets into it (a subnet is in
// exactly one ACL: ReplaceNetworkAclAssociation takes it from the other).
func (a *Account) createACL(acl *NetworkACL, subnets []string) {
	if a.NetworkACLs == nil {
		a.NetworkACLs = map[string]*NetworkACL{}
	}
	a.NetworkACLs[acl.ID] = acl
	a.setSubnets(acl, subnets)
}

// setSubnets makes subnets the ACL's: those it held and no longer lists go
// back to the VPC's default ACL.
func (a *Account) setSubnets(acl *NetworkACL, subnets []string) {
	if a.SubnetACL == nil {
		a.SubnetACL = map[string]string{}
	}
	for s, id := range a.SubnetACL {
		if id == acl.ID && !slices.Contains(subnets, s) {
			a.SubnetACL[s] = DefaultACL(acl.VpcID)
		}
	}
	for _, s := range subnets {
		a.SubnetACL[s] = acl.ID
	}
}

// deleteACL returns its subnets to the default ACL (the provider
// disassociates them before DeleteNetworkAcl) and drops its entries.
func (a *Account) deleteACL(id string) error {
	acl, ok := a.NetworkACLs[id]
	if !ok {
		return ec2Error("InvalidNetworkAclID.NotFound", "the network ACL %q does not exist", id)
	}
	a.setSubnets(acl, nil)
	for k, e := range a.ACLEntries {
		if e.ACL == id {
			delete(a.ACLEntries, k)
		}
	}
	delete(a.NetworkACLs, id)
	return nil
}

// SubnetsOf lists the subnets an ACL holds, sorted.
func (a *Account) SubnetsOf(acl string) []string {
	var out []string
	for s, id := range a.SubnetACL {
		if id == acl {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// addACLEntry is CreateNetworkAclEntry as resourceNetworkACLRuleCreate
// calls it: a taken (acl, egress, number) is NetworkAclEntryAlreadyExists
// (the provider looks it up first), and an ACL whose direction and family
// already hold the quota, the default deny rule counted, is
// NetworkAclEntryLimitExceeded.
func (a *Account) addACLEntry(e *ACLEntry) error {
	if _, ok := a.NetworkACLs[e.ACL]; !ok {
		return ec2Error("InvalidNetworkAclID.NotFound", "the network ACL %q does not exist", e.ACL)
	}
	if e.Number < 1 || e.Number > 32766 {
		return ec2Error("InvalidParameterValue", "rule number %d is outside 1-32766", e.Number)
	}
	n := 1 // the default deny rule
	for _, o := range a.ACLEntries {
		if o.ACL != e.ACL || o.Egress != e.Egress {
			continue
		}
		if o.Number == e.Number {
			return ec2Error("NetworkAclEntryAlreadyExists", "EC2 Network ACL (%s) Rule (egress: %t)(%d) already exists", e.ACL, e.Egress, e.Number)
		}
		if o.ipv6() == e.ipv6() {
			n++
		}
	}
	if n >= ACLRules() {
		return ec2Error("NetworkAclEntryLimitExceeded", "the network ACL %s already has the maximum of %d entries in this direction and family", e.ACL, ACLRules())
	}
	if a.ACLEntries == nil {
		a.ACLEntries = map[string]*ACLEntry{}
	}
	e.ID = aclEntryID(e.ACL, e.Number, e.Egress, e.Protocol)
	a.ACLEntries[e.ID] = e
	return nil
}

// The ForceNew fields of vpc_network_acl.go (vpc_id) and
// vpc_network_acl_rule.go (every field). pulumi-aws does not mark
// aws_network_acl_rule DeleteBeforeReplace (pulumi/pulumi-aws#3244), so a
// replacement creates first: Diff leaves DeleteBeforeReplace false for it.
func init() {
	replaceKeys[NetworkACLType] = []string{"vpcId"}
	replaceKeys[NetworkACLRuleType] = []string{"networkAclId", "ruleNumber", "egress", "protocol", "ruleAction",
		"cidrBlock", "ipv6CidrBlock", "fromPort", "toPort", "icmpType", "icmpCode"}
}

func isACLType(t string) bool { return t == NetworkACLType || t == NetworkACLRuleType }

// setKeys are the inputs terraform-provider-aws declares schema.TypeSet
// (vpc_network_acl.go: subnet_ids, ingress, egress): their order is no
// change, so Diff compares them as sets.
var setKeys = map[string][]string{NetworkACLType: {"subnetIds", "ingress", "egress"}}

// sameSet reports whether two array values hold the same elements in any order.
func sameSet(o, n resource.PropertyValue) bool {
	if !o.IsArray() || !n.IsArray() {
		return false
	}
	canon := func(v resource.PropertyValue) []string {
		var out []string
		for _, e := range v.ArrayValue() {
			out = append(out, fmt.Sprint(e.Mappable()))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(canon(o), canon(n))
}

// setInline makes the ACL's entries of each direction its inline ingress or
// egress input lists, when given: updateNetworkAclEntries in
// vpc_network_acl.go deletes the entries a list no longer holds, then
// creates the new ones (so an inline change never meets itself).
func (a *Account) setInline(acl string, props resource.PropertyMap) error {
	for _, dir := range []struct {
		key    resource.PropertyKey
		egress bool
	}{{"ingress", false}, {"egress", true}} {
		v := props[dir.key]
		if !v.IsArray() {
			continue
		}
		var want []*ACLEntry
		for _, x := range v.ArrayValue() {
			if !x.IsObject() {
				continue
			}
			m := x.ObjectValue()
			e := &ACLEntry{ACL: acl, Egress: dir.egress, Number: num(m, "ruleNo"), Protocol: str(m, "protocol"),
				Action: str(m, "action"), CIDR: cmp.Or(str(m, "cidrBlock"), str(m, "ipv6CidrBlock")),
				From: num(m, "fromPort"), To: num(m, "toPort"), IcmpType: num(m, "icmpType"), IcmpCode: num(m, "icmpCode")}
			want = append(want, e)
		}
		for k, e := range a.ACLEntries {
			if e.ACL == acl && e.Egress == dir.egress {
				delete(a.ACLEntries, k)
			}
		}
		for _, e := range want {
			if err := a.addACLEntry(e); err != nil {
				return fmt.Errorf("creating EC2 Network ACL (%s) Entry (egress: %t)(%d): %w", acl, e.Egress, e.Number, err)
			}
		}
	}
	return nil
}

func num(m resource.PropertyMap, k resource.PropertyKey) int {
	if v := m[k]; v.IsNumber() {
		return int(v.NumberValue())
	}
	return 0
}

func aclEntryFrom(m resource.PropertyMap) *ACLEntry {
	cidr := str(m, "cidrBlock")
	if cidr == "" {
		cidr = str(m, "ipv6CidrBlock")
	}
	return &ACLEntry{ACL: str(m, "networkAclId"), Egress: m["egress"].IsBool() && m["egress"].BoolValue(),
		Number: num(m, "ruleNumber"), Protocol: str(m, "protocol"), Action: str(m, "ruleAction"), CIDR: cidr,
		From: num(m, "fromPort"), To: num(m, "toPort"), IcmpType: num(m, "icmpType"), IcmpCode: num(m, "icmpCode")}
}

func tagsOf(m resource.PropertyMap) map[string]string {
	out := map[string]string{}
	if v := m["tags"]; v.IsObject() {
		for k, t := range v.ObjectValue() {
			if t.IsString() {
				out[string(k)] = t.StringValue()
			}
		}
	}
	return out
}

// createACLResource creates a NetworkAcl (with its subnets) or a
// NetworkAclRule; a preview shows the inputs and an unknown id.
func (p *Provider) createACLResource(t string, props resource.PropertyMap, preview bool) (*pulumirpc.CreateResponse, error) {
	out := props.Copy()
	if preview {
		out["id"] = resource.MakeComputed(resource.NewStringProperty(""))
		res, err := marshal(out)
		return &pulumirpc.CreateResponse{Properties: res}, err
	}
	err := withAccount(p.state(), true, func(a *Account) error {
		if t == NetworkACLType {
			acl := &NetworkACL{ID: newID("acl-"), VpcID: str(props, "vpcId"), Tags: tagsOf(props)}
			a.createACL(acl, strs(props, "subnetIds"))
			out["id"] = resource.NewStringProperty(acl.ID)
			return a.setInline(acl.ID, props)
		}
		e := aclEntryFrom(props)
		if err := a.addACLEntry(e); err != nil {
			return fmt.Errorf("creating EC2 Network ACL (%s) Rule (egress: %t)(%d): %w", e.ACL, e.Egress, e.Number, err)
		}
		out["id"] = resource.NewStringProperty(e.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res, err := marshal(out)
	return &pulumirpc.CreateResponse{Id: str(out, "id"), Properties: res}, err
}

// readACLResource is resourceNetworkACLRead / resourceNetworkACLRuleRead:
// the full state from the account (gone: an empty id), so refresh sees
// drift and import needs no recorded state. An ACL's ingress and egress are
// every entry it holds but the default denies, as the provider reads them
// (so inline and NetworkAclRule entries both show). A rule id of the form
// ACL:NUMBER:PROTOCOL:EGRESS is an import (resourceNetworkACLRuleImport):
// the entry EC2 keys by (ACL, egress, number), its id hashed with the
// protocol as given there (so "tcp" and "6" give different ids, as the
// provider's docs warn).
// Inputs are the program's when it has any, else read back from the state.
func (p *Provider) readACLResource(t, id string, props resource.PropertyMap, inputs *structpb.Struct) (*pulumirpc.ReadResponse, error) {
	var out resource.PropertyMap
	var inKeys []resource.PropertyKey
	err := withAccount(p.state(), false, func(a *Account) error {
		if t == NetworkACLType {
			if acl, ok := a.NetworkACLs[id]; ok {
				out, inKeys = a.aclState(acl), []resource.PropertyKey{"vpcId", "subnetIds", "tags", "ingress", "egress"}
			}
			return nil
		}
		e, newID, err := a.findACLEntry(id)
		if e != nil {
			id, out = newID, aclEntryState(e)
			out["id"] = resource.NewStringProperty(id)
			inKeys = []resource.PropertyKey{"networkAclId", "ruleNumber", "egress", "protocol", "ruleAction",
				"cidrBlock", "ipv6CidrBlock", "fromPort", "toPort", "icmpType", "icmpCode"}
		}
		return err
	})
	if err != nil || out == nil {
		return &pulumirpc.ReadResponse{}, err
	}
	outS, err := marshal(out)
	if err != nil {
		return nil, err
	}
	if in, err := unmarshal(inputs); err == nil && len(in) > 0 {
		return &pulumirpc.ReadResponse{Id: id, Properties: outS, Inputs: inputs}, nil
	}
	inS, err := marshal(pick(out, inKeys...))
	return &pulumirpc.ReadResponse{Id: id, Properties: outS, Inputs: inS}, err
}

// findACLEntry finds an entry by its provider id or by an import id
// ACL:NUMBER:PROTOCOL:EGRESS, with the id the provider then gives it; nil
// when there is none.
func (a *Account) findACLEntry(id string) (*ACLEntry, string, error) {
	if e, ok := a.ACLEntries[id]; ok {
		return e, id, nil
	}
	parts := strings.Split(id, ":")
	if len(parts) != 4 {
		return nil, "", nil
	}
	number, err1 := strconv.Atoi(parts[1])
	egress, err2 := strconv.ParseBool(parts[3])
	if err1 != nil || err2 != nil || slices.Contains(parts, "") {
		return nil, "", fmt.Errorf("unexpected format of ID (%q), expected NETWORK_ACL_ID:RULE_NUMBER:PROTOCOL:EGRESS", id)
	}
	for _, e := range a.ACLEntries {
		if e.ACL == parts[0] && e.Number == number && e.Egress == egress {
			return e, aclEntryID(parts[0], number, egress, parts[2]), nil
		}
	}
	return nil, "", nil
}

// aclState is a NetworkAcl's state as the provider reads it.
func (a *Account) aclState(acl *NetworkACL) resource.PropertyMap {
	tags := resource.PropertyMap{}
	for k, v := range acl.Tags {
		tags[resource.PropertyKey(k)] = resource.NewStringProperty(v)
	}
	var subnets []resource.PropertyValue
	for _, s := range a.SubnetsOf(acl.ID) {
		subnets = append(subnets, resource.NewStringProperty(s))
	}
	var entries []*ACLEntry
	for _, e := range a.ACLEntries {
		if e.ACL == acl.ID {
			entries = append(entries, e)
		}
	}
	slices.SortFunc(entries, func(x, y *ACLEntry) int { return cmp.Compare(x.Number, y.Number) })
	ingress, egress := []resource.PropertyValue{}, []resource.PropertyValue{}
	for _, e := range entries {
		v := resource.PropertyMap{"action": resource.NewStringProperty(e.Action), "protocol": resource.NewStringProperty(aclProtocolNumber(e.Protocol)),
			"ruleNo": resource.NewNumberProperty(float64(e.Number)), "fromPort": resource.NewNumberProperty(float64(e.From)),
			"toPort": resource.NewNumberProperty(float64(e.To)), "icmpType": resource.NewNumberProperty(float64(e.IcmpType)),
			"icmpCode": resource.NewNumberProperty(float64(e.IcmpCode))}
		v[cidrKey(e)] = resource.NewStringProperty(e.CIDR)
		if e.Egress {
			egress = append(egress, resource.NewObjectProperty(v))
		} else {
			ingress = append(ingress, resource.NewObjectProperty(v))
		}
	}
	return resource.PropertyMap{
		"id": resource.NewStringProperty(acl.ID), "vpcId": resource.NewStringProperty(acl.VpcID),
		"arn":     resource.NewStringProperty("arn:aws:ec2:" + Region + ":" + AccountID + ":network-acl/" + acl.ID),
		"ownerId": resource.NewStringProperty(AccountID), "subnetIds": resource.NewArrayProperty(subnets),
		"tags": resource.NewObjectProperty(tags), "tagsAll": resource.NewObjectProperty(tags.Copy()),
		"ingress": resource.NewArrayProperty(ingress), "egress": resource.NewArrayProperty(egress),
	}
}

// aclEntryState is a NetworkAclRule's state as the provider reads it.
func aclEntryState(e *ACLEntry) resource.PropertyMap {
	out := resource.PropertyMap{
		"id": resource.NewStringProperty(e.ID), "networkAclId": resource.NewStringProperty(e.ACL),
		"ruleNumber": resource.NewNumberProperty(float64(e.Number)), "egress": resource.NewBoolProperty(e.Egress),
		"protocol": resource.NewStringProperty(aclProtocolNumber(e.Protocol)), "ruleAction": resource.NewStringProperty(e.Action),
		"fromPort": resource.NewNumberProperty(float64(e.From)), "toPort": resource.NewNumberProperty(float64(e.To)),
		"icmpType": resource.NewNumberProperty(float64(e.IcmpType)), "icmpCode": resource.NewNumberProperty(float64(e.IcmpCode)),
	}
	out[cidrKey(e)] = resource.NewStringProperty(e.CIDR)
	return out
}

// aclProtocolNumber is a protocol as the provider records it: "The AWS
// network ACL API only speaks protocol numbers, and that's all we store"
// (networkACLProtocolNumber in vpc_network_acl.go).
func aclProtocolNumber(v string) string {
	if n, ok := securityGroupProtocolIntegers[strings.ToLower(v)]; ok {
		return strconv.Itoa(n)
	}
	return v
}

// cidrKey is the input naming an entry's range: cidrBlock or ipv6CidrBlock.
func cidrKey(e *ACLEntry) resource.PropertyKey {
	if e.ipv6() {
		return "ipv6CidrBlock"
	}
	return "cidrBlock"
}

// updateACLResource updates an ACL's tags and subnets in place (an entry
// has no field that updates: every change replaces it).
func (p *Provider) updateACLResource(t, id string, news resource.PropertyMap, preview bool) (*pulumirpc.UpdateResponse, error) {
	out := news.Copy()
	out["id"] = resource.NewStringProperty(id)
	if !preview && t == NetworkACLType {
		err := withAccount(p.state(), true, func(a *Account) error {
			acl, ok := a.NetworkACLs[id]
			if !ok {
				return ec2Error("InvalidNetworkAclID.NotFound", "the network ACL %q does not exist", id)
			}
			acl.Tags = tagsOf(news)
			a.setSubnets(acl, strs(news, "subnetIds"))
			return a.setInline(id, news)
		})
		if err != nil {
			return nil, err
		}
	}
	res, err := marshal(out)
	return &pulumirpc.UpdateResponse{Properties: res}, err
}

// deleteACLResource deletes an ACL (its subnets back to the default) or an
// entry; one already gone is done.
func (p *Provider) deleteACLResource(t, id string) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, withAccount(p.state(), true, func(a *Account) error {
		if t == NetworkACLType {
			if _, ok := a.NetworkACLs[id]; !ok {
				return nil
			}
			return a.deleteACL(id)
		}
		delete(a.ACLEntries, id)
		return nil
	})
}
