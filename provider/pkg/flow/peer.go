package flow

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// This file is the one place that knows the peer kinds: every form a peer
// takes (its identity, its text, its part of a rule's key, the AWS
// provider's inputs that carry it, and the sources of its import id and of
// audit's permissions) is a method here, so adding a kind is one file.

// NameKind is how a declaration names a CIDR or a cidrBlocksFrom list.
type NameKind string

const (
	ByNetwork  NameKind = "network"
	ByTier     NameKind = "tier"
	ByInternet NameKind = "internet"
)

// Named is the declaration's name for a CIDR or a list: a network or tier
// with its name, or the internet. The zero value is a literal CIDR.
type Named struct {
	Kind NameKind
	Name string
}

// Network, Tier and TheInternet are the three ways of naming a CIDR.
func Network(name string) Named { return Named{Kind: ByNetwork, Name: name} }
func Tier(name string) Named    { return Named{Kind: ByTier, Name: name} }

// TheInternet names 0.0.0.0/0 and ::/0 written as internet: true.
var TheInternet = Named{Kind: ByInternet}

// String is the name for a reader and in the plan's JSON: network:office,
// tier:web, internet; "" for a literal CIDR. Nothing parses it back.
func (n Named) String() string {
	switch n.Kind {
	case "":
		return ""
	case ByInternet:
		return string(ByInternet)
	}
	return spec.ListID(string(n.Kind), n.Name)
}

// MarshalText keeps the plan's JSON as it was when Via was a string.
func (n Named) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// IsZero reports a literal CIDR (omitted from JSON).
func (n Named) IsZero() bool { return n == Named{} }

// InTier is the tier the name is, if it names one.
func (n Named) InTier() (string, bool) { return n.Name, n.Kind == ByTier }

// InNetwork is the network the name is, if it names one.
func (n Named) InNetwork() (string, bool) { return n.Name, n.Kind == ByNetwork }

// IsInternet reports internet: true.
func (n Named) IsInternet() bool { return n.Kind == ByInternet }

// ListID is the spec.ListID of the tier's or network's cidrBlocksFrom.
func (n Named) ListID() string { return spec.ListID(string(n.Kind), n.Name) }

// ID is the endpoint's identity: what it is, not how it was named, so two
// names for one CIDR are one endpoint.
func (e Endpoint) ID() string {
	switch e.Kind {
	case Group:
		return "sg:" + e.Service
	case External:
		return "ext:" + e.Service
	case CIDRList:
		return "list:" + e.Via.String()
	case PrefixList:
		return "pl:" + e.PrefixList
	default:
		return "cidr:" + e.CIDR
	}
}

// Label is the endpoint as a reader names it.
func (e Endpoint) Label() string {
	switch {
	case e.Kind == Group, e.Kind == External:
		return e.Service
	case e.Kind == PrefixList:
		return e.PrefixList
	case e.Kind == CIDRList:
		return e.Via.String() + " (cidrBlocksFrom)"
	case !e.Via.IsZero():
		return e.Via.String() + " (" + e.CIDR + ")"
	default:
		return e.CIDR
	}
}

// GroupOf is the service or external group the endpoint is, if it is one.
func (e Endpoint) GroupOf() (name string, external, ok bool) {
	return e.Service, e.Kind == External, e.Kind == Group || e.Kind == External
}

// ServiceGroup is the endpoint that is service's group of the mesh.
func ServiceGroup(service string) Endpoint { return Endpoint{Kind: Group, Service: service} }

// Group is the service whose group of the mesh the endpoint is, if it is one.
func (e Endpoint) Group() (service string, ok bool) { return e.Service, e.Kind == Group }

// IsGroup reports whether the endpoint is service's group of the mesh.
func (e Endpoint) IsGroup(service string) bool { return e.Kind == Group && e.Service == service }

// External is the external group the endpoint is, if it is one.
func (e Endpoint) External() (name string, ok bool) { return e.Service, e.Kind == External }

// PrefixListID is the prefix list the endpoint is, if it is one.
func (e Endpoint) PrefixListID() (string, bool) { return e.PrefixList, e.Kind == PrefixList }

// IsWorld reports one CIDR that is the whole of its family (0.0.0.0/0, ::/0).
func (e Endpoint) IsWorld() bool { return e.Kind == CIDR && slices.Contains(Internet, e.CIDR) }

// Families are the address families a rule with this peer counts against in
// EC2's per-family rule quotas: a CIDR its own; a group, a prefix list or a
// list either, so both.
func (e Endpoint) Families() (v4, v6 bool) {
	if e.Kind != CIDR {
		return true, true
	}
	return !e.IsIPv6(), e.IsIPv6()
}

// IsCIDR reports one CIDR (not a list, a group or a prefix list).
func (e Endpoint) IsCIDR() bool { return e.Kind == CIDR }

// IsList reports a cidrBlocksFrom list.
func (e Endpoint) IsList() bool { return e.Kind == CIDRList }

// Addresses reports an endpoint named by addresses (a CIDR or a list): the
// ends that tier placement and the world checks look at.
func (e Endpoint) Addresses() bool { return e.Kind == CIDR || e.Kind == CIDRList }

// compareEndpoints orders endpoints as their IDs would sort, without building
// the ID strings (sorting is the planner's hot path).
func compareEndpoints(a, b Endpoint) int {
	return cmp.Or(cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)), cmp.Compare(a.Service, b.Service),
		cmp.Compare(a.CIDR, b.CIDR), cmp.Compare(a.PrefixList, b.PrefixList),
		cmp.Compare(a.Via.Kind, b.Via.Kind), cmp.Compare(a.Via.Name, b.Via.Name))
}

// Kinds are every kind of endpoint, in the order their IDs sort (cidr:,
// ext:, list:, pl:, sg:).
var Kinds = []Kind{CIDR, External, CIDRList, PrefixList, Group}

func kindOrder(k Kind) int { return slices.Index(Kinds, k) }

// Peer is a rule's peer as EC2 sees it: its own group (self), another group
// of the mesh, an external group (its id may name another account:
// OWNER/sg-…), a prefix list, one IPv4 or IPv6 CIDR, or a cidrBlocksFrom list.
type Peer struct {
	Endpoint
	Self bool
}

// The AWS provider's fields for a rule's peer (aws.ec2.SecurityGroupRule).
const (
	FieldSelf                  = "self"
	FieldSourceSecurityGroupID = "sourceSecurityGroupId"
	FieldPrefixListIDs         = "prefixListIds"
	FieldCidrBlocks            = "cidrBlocks"
	FieldIpv6CidrBlocks        = "ipv6CidrBlocks"
)

// Slug is the peer's part of a rule's key and resource name. An external
// group's is its declared name, like a service's (the two share one
// namespace), never its id, which may be unknown at preview.
func (p Peer) Slug() string {
	switch {
	case p.Self:
		return "self"
	case p.Kind == Group, p.Kind == External:
		return "sg_" + p.Service
	case p.Kind == PrefixList:
		return p.PrefixList
	case p.Kind == CIDRList: // the tier's or network's name, never the values
		return string(p.Via.Kind) + "_" + p.Via.Name
	default: // as the resource name writes it (no "::" in a URN), so a key and its name spell ::/0 alike
		return cidrSlug.Replace(p.CIDR)
	}
}

var cidrSlug = strings.NewReplacer("/", "_", ":", ".")

// Text is the peer for a reader: self, a group, a prefix list, or a CIDR
// with the names the declaration reaches it by ("office (203.0.113.0/24)").
func (p Peer) Text(names []string) string {
	switch {
	case p.Self:
		return "self"
	case p.Kind == Group:
		return "group " + p.Service
	case p.Kind == External:
		return "external group " + p.Service
	case p.Kind == PrefixList:
		return "prefix list " + p.PrefixList
	case p.Kind == CIDRList:
		return p.Label()
	case len(names) > 0:
		return strings.Join(names, ", ") + " (" + p.CIDR + ")"
	default:
		return p.CIDR
	}
}

// GroupRef is a security group a rule input holds: a group of the mesh by
// its logical name, or an external group by its declared name. The Pulumi
// layer keeps one map from GroupRef to the group's id.
type GroupRef struct {
	Name     string
	External bool
}

// EC2Peer is a peer as aws.ec2.SecurityGroupRule's inputs carry it: the
// fields of the same names, at most one of them set but for a list, whose
// IPv4 and IPv6 members share one rule.
type EC2Peer struct {
	Self bool
	// SourceSecurityGroup is the group whose id goes to sourceSecurityGroupId.
	SourceSecurityGroup *GroupRef
	// SourceGroupID is an external group's id when the declaration gives it.
	SourceGroupID string
	// CidrBlocksFrom names the tier's or network's cidrBlocksFrom list
	// (spec.ListID) the rule carries: the component passes that input,
	// sorted, de-duplicated and split by family into cidrBlocks and
	// ipv6CidrBlocks, which hold the values when known offline.
	CidrBlocksFrom string
	CidrBlocks     []string
	Ipv6CidrBlocks []string
	PrefixListIDs  []string
}

// EC2Context is what the EC2 form of a peer needs beyond the peer: the
// logical name of a mesh group, and the known values of the lists.
type EC2Context struct {
	GroupName func(service string) string
	// ExternalIDs are the external groups' ids the declaration gives, by name.
	ExternalIDs map[string]string
	// Lists are the known cidrBlocksFrom values by spec.ListID.
	Lists map[string][]string
}

// EC2 is the peer as the rule's inputs carry it.
func (p Peer) EC2(c EC2Context) EC2Peer {
	switch {
	case p.Self:
		return EC2Peer{Self: true}
	case p.Kind == Group:
		return EC2Peer{SourceSecurityGroup: &GroupRef{Name: c.GroupName(p.Service)}}
	case p.Kind == External:
		return EC2Peer{SourceSecurityGroup: &GroupRef{Name: p.Service, External: true}, SourceGroupID: c.ExternalIDs[p.Service]}
	case p.Kind == PrefixList:
		return EC2Peer{PrefixListIDs: []string{p.PrefixList}}
	case p.Kind == CIDRList:
		v4, v6 := SplitFamilies(c.Lists[p.Via.ListID()])
		return EC2Peer{CidrBlocksFrom: p.Via.ListID(), CidrBlocks: v4, Ipv6CidrBlocks: v6}
	case p.IsIPv6():
		return EC2Peer{Ipv6CidrBlocks: []string{p.CIDR}}
	default:
		return EC2Peer{CidrBlocks: []string{p.CIDR}}
	}
}

// Sources are the EC2 peers of the rule, one per permission EC2 holds for
// it, in the order of the import id: self as selfAs ("self" in an import id,
// the group's own id in a permission), a group as its id in ids, then the
// CIDRs and prefix lists. A group whose id ids lacks gives "".
func (e EC2Peer) Sources(ids map[GroupRef]string, selfAs string) []string {
	switch {
	case e.Self:
		return []string{selfAs}
	case e.SourceSecurityGroup != nil:
		return []string{ids[*e.SourceSecurityGroup]}
	}
	return slices.Concat(e.CidrBlocks, e.Ipv6CidrBlocks, e.PrefixListIDs)
}

// Fields are the peer's inputs as a diff shows them, by the AWS provider's
// names: value is the text, ref says the value is a mesh group's logical
// name (whose id the input holds). A list or an external group's id not
// known offline is named for what it will be.
func (e EC2Peer) Fields(field func(name, value string, ref bool)) {
	switch g := e.SourceSecurityGroup; {
	case e.Self:
		field(FieldSelf, "true", false)
	case g != nil && !g.External:
		field(FieldSourceSecurityGroupID, g.Name, true)
	case g != nil:
		id := e.SourceGroupID
		if id == "" {
			id = "id of external group " + g.Name
		}
		field(FieldSourceSecurityGroupID, id, false)
	case e.CidrBlocksFrom != "" && len(e.CidrBlocks)+len(e.Ipv6CidrBlocks) == 0:
		field(FieldCidrBlocks, "cidrBlocksFrom of "+e.CidrBlocksFrom, false)
	}
	for _, f := range []struct {
		name string
		list []string
	}{{FieldCidrBlocks, e.CidrBlocks}, {FieldIpv6CidrBlocks, e.Ipv6CidrBlocks}, {FieldPrefixListIDs, e.PrefixListIDs}} {
		if len(f.list) > 0 {
			field(f.name, strings.Join(f.list, ","), false)
		}
	}
}

// SplitFamilies splits CIDRs into IPv4 and IPv6, in order: one EC2 rule
// carries a cidrBlocksFrom list in both fields.
func SplitFamilies(cidrs []string) (v4, v6 []string) {
	for _, c := range cidrs {
		if IsIPv6(c) {
			v6 = append(v6, c)
		} else {
			v4 = append(v4, c)
		}
	}
	return v4, v6
}

// NormalList is a cidrBlocksFrom list as a rule carries it: sorted and
// without repeats, so the same values in any order are the same inputs (a
// reorder replaced the rule, delete-first on AWS, before this).
func NormalList(cidrs []string) []string {
	out := slices.Clone(cidrs)
	slices.Sort(out)
	return slices.Compact(out)
}
