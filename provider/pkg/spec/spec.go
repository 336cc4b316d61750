// Package spec holds the user's declaration of a service mesh: tiers, named
// networks, services and their rules. It is the one input format shared by the
// Pulumi component, the offline `plan` command and the tests. It imports
// nothing from Pulumi.
package spec

import "slices"

// Mesh is a whole declaration. Field names are the schema's property names.
type Mesh struct {
	// VpcID is where the groups are created. The component passes it through as a
	// Pulumi input; the offline planner does not need it.
	VpcID string `json:"vpcId,omitempty"`
	// NamePrefix is prepended to every group name so two stacks can share a VPC.
	NamePrefix string `json:"namePrefix,omitempty"`
	// Tiers are ordered outermost first; a tier may talk to itself and its neighbours.
	Tiers []Tier `json:"tiers"`
	// Networks are named external address ranges such as an office.
	Networks []Network `json:"networks,omitempty"`
	// Services each get one security group.
	Services []Service `json:"services"`
	// ExternalGroups are security groups made outside the mesh (by another
	// stack, pulumi-eks, a partner), usable as peers by name in services:.
	// The mesh references them in its rules and never creates, changes or
	// deletes them.
	ExternalGroups []ExternalGroup `json:"externalGroups,omitempty"`
	// Egress is the mesh-wide outbound policy; see EgressPolicy.
	Egress EgressPolicy `json:"egress,omitempty"`
	// Tags are applied to every group.
	Tags map[string]string `json:"tags,omitempty"`
	// Limits are the account's security-group quotas; nil means today's AWS defaults.
	Limits *Limits `json:"limits,omitempty"`
	// RevokeRulesOnDelete is each group's revokeRulesOnDelete; nil means true,
	// so groups that reference each other can be destroyed. On AWS it also
	// revokes rules of OTHER groups (other stacks included) that reference a
	// group being deleted.
	RevokeRulesOnDelete *bool `json:"revokeRulesOnDelete,omitempty"`
	// NetworkAcls opts in to a network ACL per tier with subnets (package nacl).
	NetworkAcls *NetworkAcls `json:"networkAcls,omitempty"`

	// Unknown lists the tiers and networks (ListID) whose cidrBlocksFrom is
	// another resource's output not known yet, at preview. The component sets
	// it; the checks that need the values wait until they are known.
	Unknown []string `json:"-"`
	// SubnetsFrom lists the tiers whose subnetIds is another resource's
	// output not known yet: they have subnets, so they get a network ACL.
	SubnetsFrom []string `json:"-"`
}

// RevokesRulesOnDelete is RevokeRulesOnDelete with its default applied.
func (m Mesh) RevokesRulesOnDelete() bool {
	return m.RevokeRulesOnDelete == nil || *m.RevokeRulesOnDelete
}

// ListID names the cidrBlocksFrom list of a tier or network (kind "tier" or
// "network"), as Mesh.Unknown and the rules carrying it do: tier:web.
func ListID(kind, name string) string { return kind + ":" + name }

// Tier is a network layer such as dmz, web, app or data.
type Tier struct {
	Name string `json:"name"`
	// CidrBlocks are the tier's subnets, used when a rule names the tier as a peer.
	CidrBlocks []string `json:"cidrBlocks,omitempty"`
	// CidrBlocksFrom are subnets that come from another resource's output.
	// A rule naming the tier gets one rule resource for the whole list,
	// named after the tier, so its name is the same whether or not the list
	// is known at preview; a change of the list replaces those rules only.
	CidrBlocksFrom []string `json:"cidrBlocksFrom,omitempty"`
	Description    string   `json:"description,omitempty"`
	// SubnetIDs are the tier's subnets, associated with its network ACL when
	// networkAcls is enabled. The component takes them as a Pulumi input.
	SubnetIDs []string `json:"subnetIds,omitempty"`
}

// HasSubnets reports whether the tier has subnets, known or not yet known.
func (m Mesh) HasSubnets(t Tier) bool {
	return len(t.SubnetIDs) > 0 || slices.Contains(m.SubnetsFrom, t.Name)
}

// NetworkAcls opts a mesh in to a network ACL per tier (package nacl).
type NetworkAcls struct {
	Enabled bool `json:"enabled,omitempty"`
	// EphemeralPorts are the clients' source ports that replies go back to;
	// nil means 1024-65535, which covers Linux, Windows, ELB, NAT gateways
	// and Lambda (see nacl.DefaultEphemeral).
	EphemeralPorts *PortRange `json:"ephemeralPorts,omitempty"`
	// RulesPerDirection is the account's quota of rules per ACL, direction
	// and address family; 0 means AWS's default, 20.
	RulesPerDirection int `json:"rulesPerDirection,omitempty"`
}

// Network is a named external address range (IPv4 and IPv6 CIDRs mixed).
// It needs cidrBlocks, cidrBlocksFrom, or both.
type Network struct {
	Name       string   `json:"name"`
	CidrBlocks []string `json:"cidrBlocks,omitempty"`
	// CidrBlocksFrom: as Tier.CidrBlocksFrom.
	CidrBlocksFrom []string `json:"cidrBlocksFrom,omitempty"`
	Description    string   `json:"description,omitempty"`
}

// ExternalGroup is a security group the mesh references but does not own.
// Rules name it by Name, never by its id, so their resource names are known
// at preview even when the id is another resource's unknown output.
type ExternalGroup struct {
	Name string `json:"name"`
	// SecurityGroupID is the group's id (sg-...). The component takes it as a
	// Pulumi input; the offline planner does not need it.
	SecurityGroupID string `json:"securityGroupId,omitempty"`
	// Tier places the group for tier adjacency; without one (and not shared)
	// its flows are allowed and listed, but not checked.
	Tier string `json:"tier,omitempty"`
	// Shared exempts its flows from tier adjacency, as for a service.
	Shared      bool   `json:"shared,omitempty"`
	Description string `json:"description,omitempty"`
}

// Service is one security group and the rules that let others reach it.
type Service struct {
	// Name is the group's descriptive name, e.g. ELB-FrontEnd-Web.
	Name        string `json:"name"`
	Tier        string `json:"tier"`
	Description string `json:"description,omitempty"`
	// Shared marks cross-cutting services (admin access, logging, monitoring)
	// whose flows are exempt from tier adjacency.
	Shared bool `json:"shared,omitempty"`
	// InternetFacing marks services meant to be reached from the whole internet.
	InternetFacing bool `json:"internetFacing,omitempty"`
	// AttachedWith names the other services' (or external) groups that this
	// service's network interfaces carry too: the attachments output and the
	// groups-per-interface quota.
	AttachedWith []string      `json:"attachedWith,omitempty"`
	Ingress      []IngressRule `json:"ingress,omitempty"`
	Egress       []EgressRule  `json:"egress,omitempty"`
	// Adopt says the service's group already exists: the component imports
	// it instead of creating one (see Adopt).
	Adopt *Adopt `json:"adopt,omitempty"`
}

// Adopt names an existing group for a service to take over without
// recreating it. Its name and description are kept as they are, because EC2
// replaces a group whose name or description changes; empty means the
// mesh's own (which must then equal the existing group's).
type Adopt struct {
	GroupID     string `json:"groupId"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Rules are the keys of the service's rules that exist already and are
	// imported with the group (servicemesh plan --format json shows keys);
	// any other rule of the service is created.
	Rules []string `json:"rules,omitempty"`
}

// Traffic is what a rule lets through: a protocol and its ports.
type Traffic struct {
	// Protocol is tcp (default), udp, icmp, icmpv6, all, or an IP protocol number.
	Protocol string `json:"protocol,omitempty"`
	// Ports are single ports, each its own rule.
	Ports []int `json:"ports,omitempty"`
	// PortRange is one contiguous range, inclusive.
	PortRange *PortRange `json:"portRange,omitempty"`
	// IcmpType and IcmpCode narrow icmp/icmpv6 rules; omitted means all.
	IcmpType *int `json:"icmpType,omitempty"`
	IcmpCode *int `json:"icmpCode,omitempty"`
	// Description is carried on every rule this declaration yields.
	Description string `json:"description,omitempty"`
	// Exceptions acknowledge guardrail findings on purpose, each with a reason.
	Exceptions []Exception `json:"exceptions,omitempty"`
}

// IngressRule lets peers reach the service.
type IngressRule struct {
	Traffic
	From Peers `json:"from"`
}

// EgressRule lets the service reach peers.
type EgressRule struct {
	Traffic
	To Peers `json:"to"`
}

// PortRange is inclusive at both ends.
type PortRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Peers are the other ends of a rule. Each entry yields its own rule resource.
type Peers struct {
	Services      []string `json:"services,omitempty"`
	Self          bool     `json:"self,omitempty"`
	Networks      []string `json:"networks,omitempty"`
	Tiers         []string `json:"tiers,omitempty"`
	CidrBlocks    []string `json:"cidrBlocks,omitempty"`
	PrefixListIDs []string `json:"prefixListIds,omitempty"`
	// Internet means 0.0.0.0/0 and ::/0.
	Internet bool `json:"internet,omitempty"`
}

// Exception acknowledges one guardrail check on one rule.
type Exception struct {
	// Check is the guardrail's id, e.g. tier-adjacency or world-open.
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// EgressPolicy is the mesh-wide outbound default.
type EgressPolicy string

const (
	// EgressAllowAll gives every group an allow-all rule to 0.0.0.0/0 and ::/0.
	EgressAllowAll EgressPolicy = "allowAll"
	// EgressNone emits only the explicit egress rules.
	EgressNone EgressPolicy = "none"
	// EgressMirror opens egress on the caller for every group-to-group ingress flow.
	EgressMirror EgressPolicy = "mirror"
)

// EgressPolicies lists the valid policies, in documentation order.
var EgressPolicies = []EgressPolicy{EgressAllowAll, EgressNone, EgressMirror}

// Limits are security-group quotas. Zero fields take AWS's current defaults.
type Limits struct {
	InboundRulesPerGroup  int `json:"inboundRulesPerGroup,omitempty"`
	OutboundRulesPerGroup int `json:"outboundRulesPerGroup,omitempty"`
	GroupsPerInterface    int `json:"groupsPerInterface,omitempty"`
	// RulesTimesGroups bounds rules-per-group x groups-per-interface.
	RulesTimesGroups int `json:"rulesTimesGroups,omitempty"`
	GroupsPerRegion  int `json:"groupsPerRegion,omitempty"`
}
