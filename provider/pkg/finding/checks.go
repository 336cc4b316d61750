package finding

import (
	"slices"
	"strings"
)

// Check ids: stable kebab-case names that tests, tooling and exceptions match
// on. Each is registered below with its severity.
const (
	// Structure (package validate, and ports for traffic).
	CheckInvalidName      = "invalid-name"
	CheckDuplicateName    = "duplicate-name"
	CheckUnknownReference = "unknown-reference"
	CheckInvalidCIDR      = "invalid-cidr"
	CheckInvalidPeer      = "invalid-peer"
	CheckInvalidException = "invalid-exception"
	CheckInvalidEgress    = "invalid-egress-policy"
	CheckEmpty            = "empty-mesh"
	CheckInvalidPort      = "invalid-port"
	CheckInvalidProtocol  = "invalid-protocol"
	// CheckInvalidAdopt: an adopt that cannot work (bad id, a group adopted
	// twice, a rule imported whose peer group does not exist yet).
	CheckInvalidAdopt = "invalid-adopt"
	// CheckStaleAdoptRule: adopt.rules names a rule the service no longer has.
	CheckStaleAdoptRule = "stale-adopt-rule"
	// CheckDuplicatePermission: a cidrBlocksFrom list and another rule of the
	// same group, direction and ports hold one CIDR: EC2 refuses the second
	// (InvalidPermission.Duplicate).
	CheckDuplicatePermission = "duplicate-permission"

	// CheckTierAdjacency: a flow between tiers that are neither equal nor adjacent.
	CheckTierAdjacency = "tier-adjacency"
	// CheckWorldOpen: ingress from 0.0.0.0/0 or ::/0 other than tcp/80 and
	// tcp/443 of an internetFacing service.
	CheckWorldOpen = "world-open"
	// CheckWorldOpenAdmin: an admin (SSH, RDP) or database port open to the world.
	CheckWorldOpenAdmin = "world-open-admin-port"
	// CheckWorldOpenAll: protocol all open to the world.
	CheckWorldOpenAll = "world-open-all"
	// CheckWideCIDR: a peer CIDR wider than /8 (IPv4) or /32 (IPv6).
	CheckWideCIDR = "wide-cidr"
	// CheckShadowedRule: a rule another rule of the same group, direction and
	// peer already allows, or that two declarations both yield.
	CheckShadowedRule = "shadowed-rule"
	// CheckUnusedService: nothing may reach the service and it reaches nothing
	// beyond the egress policy.
	CheckUnusedService = "unused-service"
	// CheckRedundantAttachment: attachedWith names the service itself or one
	// service twice.
	CheckRedundantAttachment = "redundant-attachment"
	// CheckInvalidText: a group or rule description EC2 would refuse.
	CheckInvalidText = "invalid-description"
	// CheckInvalidTag: a tag EC2 would refuse, or too many tags.
	CheckInvalidTag = "invalid-tag"
	// CheckUnknownException: an exception names a check a rule cannot acknowledge.
	CheckUnknownException = "unknown-exception"
	// CheckUnneededException: an exception acknowledges nothing.
	CheckUnneededException = "unneeded-exception"

	// CheckRulesPerGroup: a group has more rules in one direction and family than its limit.
	CheckRulesPerGroup = "quota-rules-per-group"
	// CheckGroupsPerInterface: a service's interfaces carry more groups than the limit.
	CheckGroupsPerInterface = "quota-groups-per-interface"
	// CheckRulesTimesGroups: the limits (or an interface's rules) exceed the rules x groups bound.
	CheckRulesTimesGroups = "quota-rules-times-groups"
	// CheckGroupsPerRegion: the mesh alone has more groups than the Region allows.
	CheckGroupsPerRegion = "quota-groups-per-region"
	// CheckNetworkACLRules: a tier's network ACL has more rules in one
	// direction and family than the quota, after aggregation (package nacl).
	CheckNetworkACLRules = "quota-network-acl-rules"
	// CheckInvalidLimits: a limit AWS could not have granted.
	CheckInvalidLimits = "invalid-limits"
)

// Check is a check's entry in the registry.
type Check struct {
	ID       string
	Severity Severity
	// Acknowledgeable checks are about one rule's traffic: a rule's exception
	// may name them. For the others, Instead says what to do.
	Acknowledgeable bool
	Instead         string
}

const (
	structural = "it is a structural error that nothing can acknowledge; fix the declaration"
	quota      = "quotas cannot be acknowledged; raise limits to what AWS granted your account"
)

// checks is the registry, sorted by id.
var checks = sortedChecks([]Check{
	{ID: CheckInvalidName, Severity: Error, Instead: "EC2 would refuse the name; change it"},
	{ID: CheckDuplicateName, Severity: Error, Instead: "EC2 would refuse the name; change it"},
	{ID: CheckUnknownReference, Severity: Error, Instead: structural},
	{ID: CheckInvalidCIDR, Severity: Error, Instead: structural},
	{ID: CheckInvalidPeer, Severity: Error, Instead: structural},
	{ID: CheckInvalidException, Severity: Error, Instead: structural},
	{ID: CheckInvalidEgress, Severity: Error, Instead: structural},
	{ID: CheckEmpty, Severity: Error, Instead: structural},
	{ID: CheckInvalidPort, Severity: Error, Instead: structural},
	{ID: CheckInvalidProtocol, Severity: Error, Instead: structural},
	{ID: CheckInvalidAdopt, Severity: Error, Instead: structural},
	{ID: CheckStaleAdoptRule, Severity: Warning, Instead: "rename the key's service prefix after a rename, or remove a key whose rule is gone"},
	{ID: CheckDuplicatePermission, Severity: Error, Instead: "EC2 would refuse the second rule; keep the CIDR in one of them"},

	{ID: CheckTierAdjacency, Severity: Error, Acknowledgeable: true},
	{ID: CheckWorldOpen, Severity: Error, Acknowledgeable: true},
	{ID: CheckWorldOpenAdmin, Severity: Error, Acknowledgeable: true},
	{ID: CheckWorldOpenAll, Severity: Error, Acknowledgeable: true},
	{ID: CheckWideCIDR, Severity: Warning, Acknowledgeable: true},
	{ID: CheckShadowedRule, Severity: Warning, Acknowledgeable: true},
	{ID: CheckUnusedService, Severity: Warning, Instead: "it is a warning about a service, not a rule; remove the service or give it rules"},
	{ID: CheckRedundantAttachment, Severity: Warning, Instead: "it is a warning about attachedWith; remove the repeated name"},
	{ID: CheckInvalidText, Severity: Error, Instead: "EC2 would refuse the description; change it"},
	{ID: CheckInvalidTag, Severity: Error, Instead: "EC2 would refuse the tag; change it"},
	{ID: CheckUnknownException, Severity: Error, Instead: "fix the exception"},
	{ID: CheckUnneededException, Severity: Warning, Instead: "remove the exception"},

	{ID: CheckRulesPerGroup, Severity: Error, Instead: quota},
	{ID: CheckGroupsPerInterface, Severity: Error, Instead: quota},
	{ID: CheckRulesTimesGroups, Severity: Error, Instead: quota},
	{ID: CheckGroupsPerRegion, Severity: Error, Instead: quota},
	{ID: CheckNetworkACLRules, Severity: Error, Instead: quota},
	{ID: CheckInvalidLimits, Severity: Error, Instead: "fix the limits input"},
})

func sortedChecks(cs []Check) []Check {
	slices.SortFunc(cs, func(a, b Check) int { return strings.Compare(a.ID, b.ID) })
	return cs
}

// Lookup finds a check by id.
func Lookup(id string) (Check, bool) {
	i, ok := slices.BinarySearchFunc(checks, id, func(c Check, id string) int { return strings.Compare(c.ID, id) })
	if !ok {
		return Check{}, false
	}
	return checks[i], true
}

// Acknowledgeable lists the ids a rule's exception may name, sorted.
func Acknowledgeable() []string {
	var out []string
	for _, c := range checks {
		if c.Acknowledgeable {
			out = append(out, c.ID)
		}
	}
	return out
}

// mustLookup is the registry entry of a check a stage reports; an id missing
// from the registry is a bug in this module, not in a declaration.
func mustLookup(id string) Check {
	c, ok := Lookup(id)
	if !ok {
		panic("finding: check " + id + " is not registered")
	}
	return c
}
